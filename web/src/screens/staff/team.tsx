// The firm's staff (firm admins): who works in the portal, their role, where their invitation
// stands and whether they use two-step sign-in; invite, change a role, disable (after a
// confirmation) or re-enable, resend an invitation. The server's refusals (the last active
// admin, disabling yourself, a taken address) are shown next to what they are about.
import { useEffect, useState } from "preact/hooks";
import { api, call, type Schemas } from "../../api/client";
import { announce } from "../../lib/announce";
import { formatDate } from "../../lib/format";
import { messageOf, problemFor } from "../../lib/problems";
import { useMe } from "../../state";
import { FirmAdminsOnly } from "../../components/NotAllowed";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Async, Badge, Button, Card, Empty, ErrorMessage, Form, Page, SelectField, TextField, useAsync, useSubmit } from "../../components/ui";

type Member = Schemas["StaffMember"];
type StaffRole = Schemas["StaffRole"];

const ROLE_OPTIONS: { value: StaffRole; label: string }[] = [
  { value: "staff", label: "Staff" },
  { value: "admin", label: "Admin" },
];

/** The one role the screen shows: admin if they have it. */
function roleOf(member: Pick<Member, "roles">): StaffRole {
  return member.roles.includes("admin") ? "admin" : "staff";
}

/** An address that may break after its "@" rather than anywhere. */
function emailWithBreak(email: string) {
  const at = email.indexOf("@");
  if (at < 0) return email;
  return (
    <>
      {email.slice(0, at + 1)}
      <wbr />
      {email.slice(at + 1)}
    </>
  );
}

function statusBadge(member: Pick<Member, "status">) {
  if (member.status === "active") return <Badge tone="good">Active</Badge>;
  if (member.status === "invited") return <Badge tone="info">Invited</Badge>;
  return <Badge tone="bad">Disabled</Badge>;
}

export function Team() {
  const me = useMe();
  return (
    <FirmAdminsOnly title="Team" refusal="Only the firm's admins can see and manage the team. Ask an admin to invite someone, change a role or disable an account.">
      <TeamPage selfSub={me.sub} />
    </FirmAdminsOnly>
  );
}

function TeamPage(props: { selfSub: string }) {
  const state = useAsync(() => call(api.GET("/api/staff")), []);
  const [disabling, setDisabling] = useState<Member>();
  // The outcome of a row's last action, shown in that row: an error, or nothing.
  const [rowErrors, setRowErrors] = useState<Record<string, unknown>>({});
  const setRowError = (sub: string, error: unknown) => setRowErrors((current) => ({ ...current, [sub]: error }));

  return (
    <Page title="Team" subtitle="The firm's staff: who can sign in to the portal and what they may do. Admins also manage the team and the branding.">
      <Card title="Staff">
        <Async state={state} label="Loading the team…">
          {({ staff }) =>
            staff.length === 0 ? (
              <Empty>No staff yet.</Empty>
            ) : (
              <div class="table-wrap">
                <table class="staff-table" role="table">
                  <caption class="visually-hidden">The firm's staff, oldest first</caption>
                  <thead role="rowgroup">
                    <tr role="row">
                      <th scope="col" role="columnheader">Name</th>
                      <th scope="col" role="columnheader">Email</th>
                      <th scope="col" role="columnheader">Role</th>
                      <th scope="col" role="columnheader">Status</th>
                      <th scope="col" role="columnheader">Two-step sign-in</th>
                      <th scope="col" role="columnheader">Actions</th>
                    </tr>
                  </thead>
                  <tbody role="rowgroup">
                    {staff.map((member) => (
                      <MemberRow
                        key={member.sub}
                        member={member}
                        self={member.sub === props.selfSub}
                        error={rowErrors[member.sub]}
                        setError={(error) => setRowError(member.sub, error)}
                        onDisable={() => {
                          setRowError(member.sub, undefined);
                          setDisabling(member);
                        }}
                        onChanged={state.reload}
                      />
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </Async>
      </Card>
      <Card title="Invite a member of staff">
        <Invite onDone={state.reload} />
      </Card>
      {disabling && (
        <ConfirmDisable
          member={disabling}
          self={disabling.sub === props.selfSub}
          onClose={() => setDisabling(undefined)}
          onFailed={(error) => {
            setRowError(disabling.sub, error);
            setDisabling(undefined);
          }}
          onDone={() => {
            setDisabling(undefined);
            state.reload();
          }}
        />
      )}
    </Page>
  );
}

function MemberRow(props: { member: Member; self: boolean; error: unknown; setError: (error: unknown) => void; onDisable: () => void; onChanged: () => void }) {
  const { member } = props;
  const [role, setRole] = useState<StaffRole>(roleOf(member));
  useEffect(() => setRole(roleOf(member)), [member.version]);

  const saveRole = useSubmit(async () => {
    props.setError(undefined);
    await call(api.PATCH("/api/staff/{sub}", { params: { path: { sub: member.sub } }, body: { version: member.version, roles: [role] } }));
    announce(`${member.name} is now ${role === "admin" ? "an admin" : "staff"}.`);
    props.onChanged();
  });
  const enable = useSubmit(async () => {
    props.setError(undefined);
    const changed = await call(api.PATCH("/api/staff/{sub}", { params: { path: { sub: member.sub } }, body: { version: member.version, status: "active" } }));
    announce(changed.status === "invited" ? `${member.name} is re-enabled. They never accepted their invitation: send them a new one.` : `${member.name} is re-enabled and can sign in again.`);
    props.onChanged();
  });
  const resend = useSubmit(async () => {
    props.setError(undefined);
    await call(api.POST("/api/staff/{sub}/invitation", { params: { path: { sub: member.sub } } }));
    announce(`A new invitation was sent to ${member.email}.`);
  });
  const [confirmingReset, setConfirmingReset] = useState(false);
  const resetAuthenticator = useSubmit(async () => {
    props.setError(undefined);
    await call(api.POST("/api/staff/{sub}/mfa/reset", { params: { path: { sub: member.sub } } }));
    setConfirmingReset(false);
    announce(`${member.name}'s authenticator was reset. They set up a new one at their next sign-in.`);
    props.onChanged();
  });
  const roleError = saveRole.error ? messageOf(saveRole.error) : undefined;
  const actionError = props.error ?? enable.error ?? resend.error ?? resetAuthenticator.error;
  const roleSelectId = `role-${member.sub}`;
  const unchanged = role === roleOf(member);

  return (
    <tr role="row">
      <th scope="row" role="rowheader" class="member-name">
        <strong>{member.name}</strong>
        {props.self && <span class="muted"> (you)</span>}
        <br />
        <span class="muted added">Added {formatDate(member.created_at)}</span>
      </th>
      <td role="cell" data-label="Email" class="email-cell">
        <a href={`mailto:${member.email}`}>{emailWithBreak(member.email)}</a>
      </td>
      <td role="cell" data-label="Role">
        <div class={`role-change ${roleError ? "invalid" : ""}`}>
          <label for={roleSelectId} class="visually-hidden">
            Role of {member.name}
          </label>
          <select
            id={roleSelectId}
            value={role}
            onChange={(event) => setRole((event.currentTarget as HTMLSelectElement).value as StaffRole)}
            aria-invalid={roleError ? true : undefined}
            aria-describedby={roleError ? `${roleSelectId}-error` : undefined}
          >
            {ROLE_OPTIONS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
          <Button kind="secondary" busy={saveRole.busy} disabled={unchanged} onClick={() => void saveRole.submit()}>
            Save role<span class="visually-hidden"> of {member.name}</span>
          </Button>
        </div>
        {roleError && (
          <p class="field-error" id={`${roleSelectId}-error`} role="alert">
            {roleError}
          </p>
        )}
      </td>
      <td role="cell" data-label="Status">{statusBadge(member)}</td>
      <td role="cell" data-label="Two-step sign-in">{member.mfa_enabled ? <Badge tone="good">On</Badge> : <Badge tone="neutral">Off</Badge>}</td>
      <td role="cell" data-label="Actions">
        <div class="row">
          {member.status === "invited" && (
            <Button kind="secondary" busy={resend.busy} onClick={() => void resend.submit()}>
              Resend invitation<span class="visually-hidden"> to {member.name}</span>
            </Button>
          )}
          {member.mfa_enabled && !props.self && member.status !== "disabled" && (
            <Button kind="secondary" onClick={() => setConfirmingReset(true)}>
              Reset authenticator<span class="visually-hidden"> of {member.name}</span>
            </Button>
          )}
          {member.status === "disabled" ? (
            <Button kind="secondary" busy={enable.busy} onClick={() => void enable.submit()}>
              Re-enable<span class="visually-hidden"> {member.name}</span>
            </Button>
          ) : (
            <Button kind="danger" onClick={props.onDisable}>
              Disable<span class="visually-hidden"> {member.name}</span>
            </Button>
          )}
        </div>
        {actionError ? (
          <p class="field-error" role="alert">
            {messageOf(actionError)}
          </p>
        ) : null}
        {confirmingReset && (
          <ConfirmDialog
            title={`Reset ${member.name}'s authenticator?`}
            confirm="Reset the authenticator"
            busy={resetAuthenticator.busy}
            onConfirm={() => void resetAuthenticator.submit()}
            onClose={() => setConfirmingReset(false)}
          >
            <p>
              For someone who lost the phone or app with their codes. {member.name} is signed out everywhere and mailed; at the next sign-in they set up a new authenticator.
            </p>
          </ConfirmDialog>
        )}
      </td>
    </tr>
  );
}

function ConfirmDisable(props: { member: Member; self: boolean; onClose: () => void; onFailed: (error: unknown) => void; onDone: () => void }) {
  const { member } = props;
  const [busy, setBusy] = useState(false);
  const disable = async () => {
    setBusy(true);
    try {
      await call(api.PATCH("/api/staff/{sub}", { params: { path: { sub: member.sub } }, body: { version: member.version, status: "disabled" } }));
      announce(`${member.name} is disabled.`);
      props.onDone();
    } catch (error) {
      // Shown in the member's row, next to the action (the dialog closes).
      props.onFailed(error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <ConfirmDialog title={`Disable ${member.name}?`} confirm="Disable the account" busy={busy} onConfirm={() => void disable()} onClose={props.onClose}>
      <p>
        {member.name} ({member.email}) is signed out at once and can no longer sign in. What they did in the portal stays. You can re-enable them later.
      </p>
      {props.self && <p class="notice warn">This is your own account.</p>}
    </ConfirmDialog>
  );
}

function Invite(props: { onDone: () => void }) {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<StaffRole>("staff");
  const { submit, busy, error } = useSubmit(async () => {
    const member = await call(api.POST("/api/staff", { body: { name: name.trim(), email: email.trim(), role } }));
    setName("");
    setEmail("");
    setRole("staff");
    announce(`Invitation sent to ${member.email}.`);
    props.onDone();
  });
  const labels: Record<string, string> = { name: "Name", email: "Email", role: "Role" };
  const aboutField = Object.entries(labels).some(([field, label]) => problemFor(error, field, label));
  return (
    <Form onSubmit={() => void submit()} label="Invite a member of staff">
      {!aboutField && <ErrorMessage error={error} />}
      <div class="pair">
        <TextField label="Name" name="name" value={name} onValue={setName} required autoComplete="off" maxLength={120} error={problemFor(error, "name", "Name")} />
        <TextField label="Email" name="email" type="email" value={email} onValue={setEmail} required autoComplete="off" error={problemFor(error, "email", "This address")} />
      </div>
      <SelectField
        label="Role"
        name="role"
        value={role}
        onValue={(value) => setRole(value as StaffRole)}
        options={ROLE_OPTIONS}
        required
        error={problemFor(error, "role", "Role")}
        hint="Staff work with every client. Admins can also manage the team and the branding."
      />
      <div class="actions">
        <Button type="submit" busy={busy}>
          Send the invitation
        </Button>
      </div>
      <p class="hint">They get one email with a link to set their password. The link works once and expires.</p>
    </Form>
  );
}

