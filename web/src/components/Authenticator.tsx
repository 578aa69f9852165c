// Setting up an authenticator app: the key to add and the code that confirms it. Used by the
// invitation page (after the password) and by Settings; kept here so that neither screen
// imports the other.
import { useState } from "preact/hooks";
import { api, call } from "../api/client";
import { announce } from "../lib/announce";
import { Button, ErrorMessage, Form, TextField, useSubmit } from "./ui";

export function AuthenticatorKey(props: { secret: string; uri?: string; required?: boolean }) {
  return (
    <div class="authenticator">
      <p>{props.required ? "Your organisation requires an authenticator app. " : ""}Add this key to your authenticator app (for example Google Authenticator, 1Password or Microsoft Authenticator), then enter the code it shows.</p>
      <p>
        <code class="secret" aria-label="Authenticator key">{props.secret.replace(/(.{4})/g, "$1 ").trim()}</code>
      </p>
      {props.uri && (
        <p>
          <a href={props.uri}>Open in an authenticator app on this device</a>
        </p>
      )}
    </div>
  );
}

export function TurnOn(props: { onDone: () => void }) {
  const [secret, setSecret] = useState<{ secret: string; otpauth_uri: string }>();
  const [code, setCode] = useState("");
  const start = useSubmit(async () => setSecret(await call(api.POST("/api/auth/mfa/associate"))));
  const verify = useSubmit(async () => {
    await call(api.POST("/api/auth/mfa/verify", { body: { code: code.trim() } }));
    announce("Two-step sign-in is on.");
    props.onDone();
  });
  if (!secret) {
    return (
      <>
        <p>Protect your account with a code from an authenticator app each time you sign in.</p>
        <ErrorMessage error={start.error} />
        <Button onClick={() => void start.submit()} busy={start.busy}>
          Set up an authenticator app
        </Button>
      </>
    );
  }
  return (
    <Form onSubmit={verify.submit} label="Set up an authenticator app">
      <AuthenticatorKey secret={secret.secret} uri={secret.otpauth_uri} />
      <TextField label="6-digit code" name="code" required value={code} onValue={setCode} inputMode="numeric" autoComplete="one-time-code" maxLength={6} error={verify.fieldError("code")} />
      <ErrorMessage error={verify.formError} />
      <Button type="submit" busy={verify.busy}>
        Turn on two-step sign-in
      </Button>
    </Form>
  );
}
