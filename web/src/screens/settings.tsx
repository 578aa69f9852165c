// The signed-in person's own settings: their password, two-step sign-in with an
// authenticator app, and the sessions they are signed in with (ending the others).
import { useState } from "preact/hooks";
import { api, call } from "../api/client";
import { announce } from "../lib/announce";
import { formatDateTime } from "../lib/format";
import { endedOthersMessage, orderSessions, PASSWORD_HINT } from "../lib/frontdoor";
import { useMe, useScope } from "../state";
import { Async, Badge, Button, Card, Empty, ErrorMessage, Form, Page, TextField, useAsync, useSubmit } from "../components/ui";
import { TurnOn } from "../components/Authenticator";

export function Settings() {
  const me = useMe();
  const scope = useScope();
  const [enabled, setEnabled] = useState(me.mfa_enabled);
  if (scope.readOnly) {
    return (
      <Page title="Settings">
        <p>Personal settings are not part of the preview.</p>
      </Page>
    );
  }
  return (
    <Page title="Settings" subtitle={`${me.name} · ${me.email}`}>
      <Card title="Password">
        <ChangePassword />
      </Card>
      <Card title="Two-step sign-in">{enabled ? <TurnOff onDone={() => setEnabled(false)} /> : <TurnOn onDone={() => setEnabled(true)} />}</Card>
      <Card title="Sessions">
        <Sessions />
      </Card>
    </Page>
  );
}

/**
 * Where this person is signed in (every organisation's sessions, one per sign-in): this one
 * marked, each other with "End", and "End all other sessions". An ended session is refused
 * from its next request.
 */
function Sessions() {
  const state = useAsync(() => call(api.GET("/api/auth/sessions")), []);
  const [ending, setEnding] = useState<string>();
  const [result, setResult] = useState<string>();
  const end = useSubmit(async (session: string, label: string) => {
    setEnding(session);
    setResult(undefined);
    await call(api.DELETE("/api/auth/sessions/{session}", { params: { path: { session } } }));
    const message = `The session in ${label} was ended.`;
    setResult(message);
    announce(message);
    state.reload();
  });
  const endOthers = useSubmit(async () => {
    setResult(undefined);
    const { ended } = await call(api.POST("/api/auth/sessions/end-others"));
    const message = endedOthersMessage(ended);
    setResult(message);
    announce(message);
    state.reload();
  });
  return (
    <>
      <p>Where you are signed in. Ending a session signs that browser out at its next step; signing in there again needs your password.</p>
      <Async state={state} label="Loading your sessions…">
        {({ sessions }) => {
          const ordered = orderSessions(sessions);
          const others = ordered.filter((session) => !session.current).length;
          return (
            <>
              {ordered.length === 0 ? (
                <Empty>No sessions to show.</Empty>
              ) : (
                <ul class="list sessions" aria-label="Your sessions">
                  {ordered.map((session) => {
                    const browser = session.browser.trim() || "An unknown browser";
                    const label = `${browser}${session.ip ? ` (${session.ip})` : ""}`;
                    return (
                      <li key={session.id}>
                        <span class="who-line">
                          <strong>{browser}</strong> {session.current && <Badge tone="good">This session</Badge>}
                          <br />
                          <span class="muted">
                            {session.ip ? `${session.ip} · ` : ""}
                            {session.organisations.length ? session.organisations.join(", ") : "No organisation"}
                          </span>
                          <br />
                          <span class="muted">
                            Signed in {formatDateTime(session.started_at)} · last used {formatDateTime(session.last_used_at)}
                          </span>
                        </span>
                        {!session.current && (
                          <Button kind="secondary" busy={end.busy && ending === session.id} disabled={end.busy || endOthers.busy} onClick={() => void end.submit(session.id, label)}>
                            End<span class="visually-hidden"> the session in {label}</span>
                          </Button>
                        )}
                      </li>
                    );
                  })}
                </ul>
              )}
              <ErrorMessage error={end.error ?? endOthers.error} />
              {result && <p class="notice">{result}</p>}
              {others > 0 && (
                <div class="actions">
                  <Button kind="danger" busy={endOthers.busy} disabled={end.busy} onClick={() => void endOthers.submit()}>
                    End all other sessions
                  </Button>
                </div>
              )}
            </>
          );
        }}
      </Async>
    </>
  );
}

/** Changing the password ends every session, this one too: the person signs in again. */
function ChangePassword() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const { submit, busy, formError, fieldError } = useSubmit(async () => {
    await call(api.POST("/api/auth/password/change", { body: { current_password: current, new_password: next } }));
    announce("Your password is changed. Sign in with the new one.");
    window.location.assign(window.location.pathname.startsWith("/staff") ? "/staff" : "/");
  });
  return (
    <Form onSubmit={submit} label="Change your password">
      <p>Every session ends when you change it, here and on your other devices.</p>
      <TextField label="Current password" name="current_password" type="password" required value={current} onValue={setCurrent} autoComplete="current-password" error={fieldError("current_password")} />
      <TextField label="New password" name="new_password" type="password" required value={next} onValue={setNext} autoComplete="new-password" hint={PASSWORD_HINT} error={fieldError("new_password")} />
      <ErrorMessage error={formError} />
      <Button type="submit" kind="secondary" busy={busy}>
        Change password
      </Button>
    </Form>
  );
}

function TurnOff(props: { onDone: () => void }) {
  const [password, setPassword] = useState("");
  const { submit, busy, formError, fieldError } = useSubmit(async () => {
    await call(api.POST("/api/auth/mfa/disable", { body: { password } }));
    announce("Two-step sign-in is off.");
    props.onDone();
  });
  return (
    <Form onSubmit={submit} label="Turn off two-step sign-in">
      <p>An authenticator app is required when you sign in.</p>
      <TextField label="Your password" name="password" type="password" required value={password} onValue={setPassword} autoComplete="current-password" error={fieldError("password")} />
      <ErrorMessage error={formError} />
      <Button type="submit" kind="secondary" busy={busy}>
        Turn off two-step sign-in
      </Button>
    </Form>
  );
}
