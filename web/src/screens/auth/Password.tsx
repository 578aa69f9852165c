// A forgotten password: ask for a link by email (the same answer for every address), then set
// a new password with the link (`/reset-password#token=…`; the token stays in the fragment, so
// it never reaches a server log or a Referer, and is dropped from the address once used).
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api, ApiError, call } from "../../api/client";
import { forgetSession } from "../../lib/session";
import { PASSWORD_HINT } from "../../lib/frontdoor";
import { said } from "../../lib/problems";
import type { BrandingView } from "../../lib/branding";
import { Button, ErrorMessage, Form, Page, TextField, useSubmit } from "../../components/ui";
import { FirmMark } from "../../components/FirmMark";

export function ForgotPassword(props: { branding?: BrandingView }) {
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState<string>();
  const { submit, busy, formError, fieldError } = useSubmit(async () => {
    const answer = await call(api.POST("/api/auth/password/forgot", { body: { email: email.trim() } }));
    setSent(answer.message);
  });
  if (sent !== undefined) {
    return (
      <div class="narrow">
        <FirmMark branding={props.branding} />
        <Page title="Check your email">
          <div class="card">
            <p class="notice" role="status">
              {sent}
            </p>
            <p>The link in the email works once, for a short time. If nothing arrives in a few minutes, look in your spam folder or ask again.</p>
            <div class="actions">
              <a class="button" href="/">
                Back to sign-in
              </a>
              <Button kind="secondary" onClick={() => setSent(undefined)}>
                Ask again
              </Button>
            </div>
          </div>
        </Page>
      </div>
    );
  }
  return (
    <div class="narrow">
      <FirmMark branding={props.branding} />
      <Page title="Forgot your password?" subtitle="We will email you a link to choose a new one.">
        <Form class="card" onSubmit={submit} label="Ask for a password reset link">
          <TextField label="Email" name="email" type="email" required value={email} onValue={setEmail} autoComplete="username" error={fieldError("email")} />
          <ErrorMessage error={said(formError)} />
          <Button type="submit" busy={busy}>
            Email me a link
          </Button>
          <p class="switch">
            <a href="/">Back to sign-in</a>
          </p>
        </Form>
      </Page>
    </div>
  );
}

/** The link leaves the address bar (and the history entry) once it has done its work. */
function dropFragment(): void {
  if (window.location.hash) window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
}

function LinkProblem(props: { title: string; children: ComponentChildren; branding?: BrandingView }) {
  return (
    <div class="narrow">
      <FirmMark branding={props.branding} />
      <Page title={props.title}>
        <div class="card">
          {props.children}
          <div class="actions">
            <a class="button" href="/forgot-password">
              Ask for a new link
            </a>
            <a class="button secondary" href="/">
              Back to sign-in
            </a>
          </div>
        </div>
      </Page>
    </div>
  );
}

/** `onDone`: the password is set and every session ended; the shell shows sign-in with a notice. */
export function ResetPassword(props: { token: string | null; branding?: BrandingView; onDone: () => void }) {
  const location = useLocation();
  const [password, setPassword] = useState("");
  const [gone, setGone] = useState(false);
  const { submit, busy, error, fieldError } = useSubmit(async () => {
    if (!props.token) return;
    try {
      await call(api.POST("/api/auth/password/reset", { body: { token: props.token, password } }));
    } catch (problem) {
      if (problem instanceof ApiError && problem.status === 410) {
        dropFragment();
        setGone(true);
        return;
      }
      throw problem;
    }
    forgetSession();
    location.route("/", true);
    props.onDone();
  });

  if (gone) {
    return (
      <LinkProblem title="This link no longer works" branding={props.branding}>
        <p role="alert">The link was used already, or it has expired. Ask for a new one: it arrives by email in a minute or two.</p>
      </LinkProblem>
    );
  }
  if (!props.token) {
    return (
      <LinkProblem title="This link is incomplete" branding={props.branding}>
        <p>Open the link from the email again (all of it), or ask for a new one.</p>
      </LinkProblem>
    );
  }
  const passwordError = fieldError("password");
  return (
    <div class="narrow">
      <FirmMark branding={props.branding} />
      <Page title="Choose a new password">
        <Form class="card" onSubmit={submit} label="Reset your password">
          <p>Your new password works for every organisation you sign in to here. Every session ends, on this device and others, so you sign in again with it.</p>
          <TextField label="New password" name="password" type="password" required value={password} onValue={setPassword} autoComplete="new-password" hint={PASSWORD_HINT} error={passwordError} />
          <ErrorMessage error={passwordError ? undefined : said(error)} />
          <Button type="submit" busy={busy}>
            Set new password
          </Button>
        </Form>
      </Page>
    </div>
  );
}
