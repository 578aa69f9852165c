// The signed-in person's own settings: their password, and two-step sign-in with an
// authenticator app.
import { useState } from "preact/hooks";
import { api, call } from "../api/client";
import { announce } from "../lib/announce";
import { useMe, useScope } from "../state";
import { Button, Card, ErrorMessage, Form, Page, TextField, useSubmit } from "../components/ui";
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
    </Page>
  );
}

const PASSWORD_HINT = "At least 12 characters, with upper- and lower-case letters, a digit and a symbol.";

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
