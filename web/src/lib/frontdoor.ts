// The front door's decisions, kept apart from the screens so they can be tested: where a person
// lands after signing in or switching organisation, which paths are public, and the link
// token a mail puts in the URL's fragment (`/reset-password#token=…`, `/invite#token=…`).

export type Kind = "staff" | "client";

/** The password policy, said the same way wherever a password is chosen. */
export const PASSWORD_HINT = "At least 12 characters, with upper- and lower-case letters, a digit and a symbol.";

/** The pages anyone may open, signed in or not (each reads a link or asks for one). */
export const PUBLIC_PATHS = ["/forgot-password", "/reset-password"] as const;

export function isPublicPath(path: string): boolean {
  return (PUBLIC_PATHS as readonly string[]).includes(path);
}

/** The firm's side of the portal: `/staff` and everything under it. */
export function isStaffPath(path: string): boolean {
  return path === "/staff" || path.startsWith("/staff/");
}

/** Each kind's home: the clients list for staff, the dashboard for a client's contact. */
export function homeOf(kind: Kind): string {
  return kind === "staff" ? "/staff/clients" : "/";
}

/**
 * Where to go once `/api/me` says who is signed in, or `undefined` to stay on `path`.
 * `chosen`: an organisation was just picked (the chooser, or the header's switcher), so the
 * page on screen belonged to another one: always that kind's home. Otherwise a deep link is
 * kept when it is the right side of the portal (a client's `/requests/…`, staff's `/staff/…`).
 * The public pages stay put unless something was chosen: a signed-in person may still open a
 * reset link.
 */
export function landing(kind: Kind, path: string, chosen = false): string | undefined {
  const home = homeOf(kind);
  if (chosen) return path === home ? undefined : home;
  if (isPublicPath(path)) return undefined;
  if (kind === "staff") return isStaffPath(path) ? undefined : home;
  return isStaffPath(path) || path === "/invite" ? home : undefined;
}

/** The `token` in a URL fragment (`#token=…`), or null when there is none. */
export function tokenFromFragment(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, "")).get("token")?.trim();
  return token ? token : null;
}

export interface OrganisationView {
  id: string;
  name: string;
  kind: Kind;
}

/** A few words under an organisation's name in the chooser and the switcher. */
export function kindLabel(kind: Kind): string {
  return kind === "staff" ? "Firm staff" : "Client";
}

/**
 * The organisations to offer in the header's switcher: none unless there is somewhere else to
 * go; the current one is marked (by id, else by name for a server that sends only a client).
 */
export function switchable(organisations: OrganisationView[] | undefined, current: OrganisationView | undefined): (OrganisationView & { current: boolean })[] {
  if (!organisations || organisations.length < 2) return [];
  return organisations.map((organisation) => ({ ...organisation, current: current !== undefined && organisation.id === current.id }));
}

export interface SessionView {
  id: string;
  current: boolean;
  started_at: string;
  last_used_at: string;
}

/** This session first, then the others by when they were last used, most recent first. */
export function orderSessions<T extends SessionView>(sessions: T[]): T[] {
  return [...sessions].sort((a, b) => {
    if (a.current !== b.current) return a.current ? -1 : 1;
    return Date.parse(b.last_used_at) - Date.parse(a.last_used_at) || Date.parse(b.started_at) - Date.parse(a.started_at);
  });
}

/** "1 other session ended." / "3 other sessions ended." / "There were no other sessions." */
export function endedOthersMessage(ended: number): string {
  if (ended <= 0) return "There were no other sessions to end.";
  return ended === 1 ? "1 other session ended." : `${ended} other sessions ended.`;
}
