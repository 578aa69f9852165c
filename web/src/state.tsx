// What every screen may ask: who is signed in, and whose workspace is on screen.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Schemas } from "./api/client";

export type Me = Schemas["Me"];
export type Role = Schemas["Role"];

export const MeContext = createContext<Me | null>(null);

/** The signed-in person. Screens below the shell can rely on it. */
export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error("useMe outside the signed-in shell");
  return me;
}

export type Organisation = Schemas["Organisation"];

/** The organisation this session has open: as `/api/me` names it, else its client (or the firm's side). */
export function currentOrganisation(me: Me): Organisation | undefined {
  if (me.organisation) return me.organisation;
  if (me.client) return { id: me.client.id, name: me.client.name, kind: "client" };
  return undefined;
}

export function hasRole(me: Me, ...roles: Role[]): boolean {
  return me.roles.some((role) => roles.includes(role));
}

/** Client contacts who may act (not read-only, not billing-only). */
export function canAct(me: Me): boolean {
  return me.kind === "staff" || hasRole(me, "admin", "member");
}

/**
 * Whose workspace the client screens show: the contact's own (`clientId` undefined, API
 * paths like `/api/requests`), or a client previewed by staff ("view as client": the
 * staff routes `/api/clients/{id}/…`, read-only, links under the preview's base).
 */
export interface Scope {
  clientId?: string;
  clientName?: string;
  readOnly: boolean;
  /** Prefix for in-app links: "" for the contact, `/staff/clients/<id>/preview` in a preview. */
  base: string;
}

export const ScopeContext = createContext<Scope>({ readOnly: false, base: "" });

export function useScope(): Scope {
  return useContext(ScopeContext);
}

/** An in-app link inside the current scope: `link(scope, "/requests/1")`. */
export function link(scope: Scope, path: string): string {
  return `${scope.base}${path}`;
}

export type ClientSummary = Schemas["ClientSummary"];

/** The client whose workspace a staff member has open (/staff/clients/<id>/…). */
export const StaffClientContext = createContext<ClientSummary | null>(null);

export function useStaffClient(): ClientSummary {
  const client = useContext(StaffClientContext);
  if (!client) throw new Error("useStaffClient outside a client's workspace");
  return client;
}

/** Links inside the open client's workspace: `clientLink(client, "requests", id)`. */
export function clientLink(client: { id: string }, ...parts: string[]): string {
  return ["/staff/clients", client.id, ...parts].join("/");
}
