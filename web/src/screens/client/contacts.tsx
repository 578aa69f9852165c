// The organisation's people. Everyone sees who has access and with which roles; the client's
// admins (and the firm's staff, in the client's workspace) invite contacts, change roles,
// remove them (after a confirmation) and resend invitations.
import { useState } from "preact/hooks";
import { api, call, type Schemas } from "../../api/client";
import { announce } from "../../lib/announce";
import { formatDate } from "../../lib/format";
import { hasRole, useMe, useScope } from "../../state";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Async, Badge, Button, Card, Dialog, Empty, ErrorMessage, Form, Page, TextField, useAsync, useSubmit } from "../../components/ui";

type Contact = Schemas["Contact"];
type ContactRole = Schemas["ContactRole"];

export const ROLE_LABELS: Record<ContactRole, string> = {
  admin: "Admin",
  member: "Member",
  billing: "Billing",
  read_only: "Read-only",
};

const ROLE_HINTS: Record<ContactRole, string> = {
  admin: "Everything a member can do, plus managing contacts and the activity log.",
  member: "Uploads documents, decides approvals, fills in forms, sends messages, opens tickets.",
  billing: "Sees invoices and billing documents. Without “Member” they change nothing else.",
  read_only: "Sees the workspace but changes nothing. Cannot be combined with other roles.",
};

const ROLE_ORDER: ContactRole[] = ["admin", "member", "billing", "read_only"];

export function contactStatusBadge(contact: Pick<Contact, "status">) {
  if (contact.status === "active") return <Badge tone="good">Active</Badge>;
  if (contact.status === "invited") return <Badge tone="info">Invitation sent</Badge>;
  return <Badge tone="neutral">Removed</Badge>;
}

/** Roles as checkboxes; read-only excludes the others (as the API requires). */
function RolePicker(props: { value: ContactRole[]; onValue: (roles: ContactRole[]) => void; error?: string; idPrefix: string }) {
  const toggle = (role: ContactRole, on: boolean) => {
    if (!on) return props.onValue(props.value.filter((item) => item !== role));
    if (role === "read_only") return props.onValue(["read_only"]);
    props.onValue([...props.value.filter((item) => item !== "read_only" && item !== role), role]);
  };
  const errorId = `${props.idPrefix}-roles-error`;
  return (
    <fieldset class={`field ${props.error ? "invalid" : ""}`} aria-describedby={props.error ? errorId : undefined}>
      <legend>Roles</legend>
      {ROLE_ORDER.map((role) => {
        const id = `${props.idPrefix}-role-${role}`;
        return (
          <div class="field checkbox" key={role}>
            <input id={id} type="checkbox" name="roles" value={role} checked={props.value.includes(role)} aria-describedby={`${id}-hint`} aria-invalid={props.error ? true : undefined} onChange={(event) => toggle(role, (event.currentTarget as HTMLInputElement).checked)} />
            <label for={id}>{ROLE_LABELS[role]}</label>
            <p class="hint" id={`${id}-hint`}>
              {ROLE_HINTS[role]}
            </p>
          </div>
        );
      })}
      {props.error && (
        <p class="field-error" id={errorId} role="alert">
          {props.error}
        </p>
      )}
    </fieldset>
  );
}

function Invite(props: { clientId?: string; onDone: () => void }) {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [roles, setRoles] = useState<ContactRole[]>(["member"]);
  const { submit, busy, fieldError, formError } = useSubmit(async () => {
    const body = { name, email, roles };
    const contact = props.clientId
      ? await call(api.POST("/api/clients/{id}/contacts", { params: { path: { id: props.clientId } }, body }))
      : await call(api.POST("/api/contacts", { body }));
    setName("");
    setEmail("");
    setRoles(["member"]);
    announce(`Invitation sent to ${contact.email}.`);
    props.onDone();
  });
  return (
    <Form onSubmit={() => void submit()} label="Invite a contact">
      <ErrorMessage error={formError} />
      <div class="pair">
        <TextField label="Name" name="name" value={name} onValue={setName} required autoComplete="off" maxLength={120} error={fieldError("name")} />
        <TextField label="Email" name="email" type="email" value={email} onValue={setEmail} required autoComplete="off" error={fieldError("email")} />
      </div>
      <RolePicker value={roles} onValue={setRoles} error={fieldError("roles")} idPrefix="invite" />
      <div class="actions">
        <Button type="submit" busy={busy}>
          Send the invitation
        </Button>
      </div>
      <p class="hint">They get one email with a link to set their password. The link works once and expires.</p>
    </Form>
  );
}

function ChangeRoles(props: { contact: Contact; clientId?: string; onClose: () => void; onDone: () => void }) {
  const [roles, setRoles] = useState<ContactRole[]>(props.contact.roles);
  const { submit, busy, fieldError, formError } = useSubmit(async () => {
    const body = { version: props.contact.version, roles };
    const path = { contact: props.contact.sub };
    if (props.clientId) await call(api.PATCH("/api/clients/{id}/contacts/{contact}", { params: { path: { id: props.clientId, ...path } }, body }));
    else await call(api.PATCH("/api/contacts/{contact}", { params: { path }, body }));
    announce(`${props.contact.name}'s roles changed.`);
    props.onDone();
  });
  return (
    <Dialog open title={`Roles of ${props.contact.name}`} onClose={props.onClose}>
      <Form onSubmit={() => void submit()} label={`Roles of ${props.contact.name}`}>
        <ErrorMessage error={formError} />
        <RolePicker value={roles} onValue={setRoles} error={fieldError("roles")} idPrefix={`roles-${props.contact.sub}`} />
        <div class="actions">
          <Button type="submit" busy={busy}>
            Save the roles
          </Button>
          <Button kind="secondary" onClick={props.onClose}>
            Cancel
          </Button>
        </div>
      </Form>
    </Dialog>
  );
}

function ConfirmRemove(props: { contact: Contact; clientId?: string; onClose: () => void; onDone: () => void }) {
  const { submit, busy, error } = useSubmit(async () => {
    const path = { contact: props.contact.sub };
    if (props.clientId) await call(api.DELETE("/api/clients/{id}/contacts/{contact}", { params: { path: { id: props.clientId, ...path } } }));
    else await call(api.DELETE("/api/contacts/{contact}", { params: { path } }));
    announce(`${props.contact.name} was removed.`);
    props.onDone();
  });
  return (
    <ConfirmDialog title={`Remove ${props.contact.name}?`} confirm="Remove the contact" busy={busy} onConfirm={() => void submit()} onClose={props.onClose}>
      <p>
        {props.contact.name} ({props.contact.email}) will be signed out at once and can no longer sign in. What they uploaded and wrote stays in the workspace.
      </p>
      <ErrorMessage error={error} />
    </ConfirmDialog>
  );
}

function ConfirmResetAuthenticator(props: { contact: Contact; clientId?: string; onClose: () => void; onDone: () => void }) {
  const { submit, busy, error } = useSubmit(async () => {
    const path = { contact: props.contact.sub };
    if (props.clientId) await call(api.POST("/api/clients/{id}/contacts/{contact}/mfa/reset", { params: { path: { id: props.clientId, ...path } } }));
    else await call(api.POST("/api/contacts/{contact}/mfa/reset", { params: { path } }));
    announce(`${props.contact.name}'s authenticator was reset.`);
    props.onDone();
  });
  return (
    <ConfirmDialog title={`Reset ${props.contact.name}'s authenticator?`} confirm="Reset the authenticator" busy={busy} onConfirm={() => void submit()} onClose={props.onClose}>
      <p>
        For someone who lost the phone or app with their codes. {props.contact.name} is signed out everywhere and mailed at {props.contact.email}; at the next sign-in they set up a new
        authenticator. Do this only when they asked you themselves.
      </p>
      <ErrorMessage error={error} />
    </ConfirmDialog>
  );
}

function ResendButton(props: { contact: Contact; clientId?: string }) {
  const { submit, busy, error } = useSubmit(async () => {
    const path = { contact: props.contact.sub };
    if (props.clientId) await call(api.POST("/api/clients/{id}/contacts/{contact}/invitation", { params: { path: { id: props.clientId, ...path } } }));
    else await call(api.POST("/api/contacts/{contact}/invitation", { params: { path } }));
    announce(`A new invitation was sent to ${props.contact.email}.`);
  });
  return (
    <>
      <Button kind="secondary" busy={busy} onClick={() => void submit()}>
        Resend the invitation<span class="visually-hidden"> to {props.contact.name}</span>
      </Button>
      <ErrorMessage error={error} />
    </>
  );
}

/**
 * The contact list with, for those who manage contacts, invite / roles / remove / resend.
 * `clientId` set: the staff routes for that client.
 */
export function ContactsManager(props: { clientId?: string; manage: boolean; selfSub?: string }) {
  const state = useAsync(
    () => (props.clientId ? call(api.GET("/api/clients/{id}/contacts", { params: { path: { id: props.clientId } } })) : call(api.GET("/api/contacts"))),
    [props.clientId],
  );
  const [dialog, setDialog] = useState<{ kind: "roles" | "remove" | "authenticator"; contact: Contact }>();
  const done = () => {
    setDialog(undefined);
    state.reload();
  };
  return (
    <>
      <Card title="People with access">
        <Async state={state} label="Loading contacts…">
          {({ contacts }) => {
            const current = contacts.filter((contact) => contact.status !== "disabled");
            const removed = contacts.filter((contact) => contact.status === "disabled");
            return (
              <>
                {current.length === 0 ? (
                  <Empty>No contacts yet.</Empty>
                ) : (
                  <ul class="list contacts">
                    {current.map((contact) => (
                      <li key={contact.sub}>
                        <span class="who-line">
                          <strong>{contact.name}</strong>
                          {contact.sub === props.selfSub ? " (you)" : ""}
                          <br />
                          <a href={`mailto:${contact.email}`} class="muted">
                            {contact.email}
                          </a>
                        </span>
                        <span class="row">
                          {contactStatusBadge(contact)}
                          {contact.roles.map((role) => (
                            <Badge key={role} tone={role === "admin" ? "info" : "neutral"}>
                              {ROLE_LABELS[role]}
                            </Badge>
                          ))}
                        </span>
                        {props.manage && (
                          <span class="row contact-actions">
                            <Button kind="secondary" onClick={() => setDialog({ kind: "roles", contact })}>
                              Change roles<span class="visually-hidden"> of {contact.name}</span>
                            </Button>
                            {contact.status === "invited" && <ResendButton contact={contact} clientId={props.clientId} />}
                            {contact.mfa_enabled && contact.sub !== props.selfSub && (
                              <Button kind="secondary" onClick={() => setDialog({ kind: "authenticator", contact })}>
                                Reset authenticator<span class="visually-hidden"> of {contact.name}</span>
                              </Button>
                            )}
                            {contact.sub !== props.selfSub && (
                              <Button kind="danger" onClick={() => setDialog({ kind: "remove", contact })}>
                                Remove<span class="visually-hidden"> {contact.name}</span>
                              </Button>
                            )}
                          </span>
                        )}
                      </li>
                    ))}
                  </ul>
                )}
                {removed.length > 0 && (
                  <details class="removed">
                    <summary>Removed contacts ({removed.length})</summary>
                    <ul class="list">
                      {removed.map((contact) => (
                        <li key={contact.sub}>
                          <span>
                            {contact.name} <span class="muted">{contact.email}</span>
                          </span>
                          {contactStatusBadge(contact)}
                          <span class="muted">Added {formatDate(contact.created_at)}</span>
                        </li>
                      ))}
                    </ul>
                  </details>
                )}
              </>
            );
          }}
        </Async>
      </Card>
      {props.manage && (
        <Card title="Invite a contact">
          <Invite clientId={props.clientId} onDone={state.reload} />
        </Card>
      )}
      {dialog?.kind === "roles" && <ChangeRoles contact={dialog.contact} clientId={props.clientId} onClose={() => setDialog(undefined)} onDone={done} />}
      {dialog?.kind === "remove" && <ConfirmRemove contact={dialog.contact} clientId={props.clientId} onClose={() => setDialog(undefined)} onDone={done} />}
      {dialog?.kind === "authenticator" && (
        <ConfirmResetAuthenticator contact={dialog.contact} clientId={props.clientId} onClose={() => setDialog(undefined)} onDone={done} />
      )}
    </>
  );
}

export function Contacts() {
  const me = useMe();
  const scope = useScope();
  const admin = !scope.readOnly && me.kind === "client" && hasRole(me, "admin");
  return (
    <Page title="People" subtitle="Who in your organisation can use this portal.">
      {!admin && (
        <div class="notice" role="note">
          <p>{scope.readOnly ? "This is a preview: contacts cannot be changed here." : "Only your organisation's admins can invite people, change roles or remove someone. Ask an admin if something needs to change."}</p>
        </div>
      )}
      <ContactsManager clientId={scope.clientId} manage={admin} selfSub={me.kind === "client" ? me.sub : undefined} />
    </Page>
  );
}
