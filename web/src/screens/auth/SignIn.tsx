// Sign in (client contacts with their organisation, staff at /staff), the challenges that
// can follow (authenticator code, authenticator set-up, new password), and the invitation.
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api, call, type Schemas } from "../../api/client";
import { rememberExpiry } from "../../lib/session";
import { Button, ErrorMessage, Form, Page, TextField, useSubmit } from "../../components/ui";
import { AuthenticatorKey, TurnOn } from "../../components/Authenticator";

type SignInAnswer = Schemas["SignIn"];

const PASSWORD_HINT = "At least 12 characters, with upper- and lower-case letters, a digit and a symbol.";

/** After a successful step: signed in (the shell loads /api/me) or the next challenge. */
export function SignIn(props: { staff: boolean; notice?: string; onSignedIn: () => void }) {
  const [slug, setSlug] = useState(() => localStorage.getItem("atrium.slug") ?? "");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [challenge, setChallenge] = useState<SignInAnswer>();
  const { submit, busy, formError, fieldError } = useSubmit(async () => {
    const answer = await call(
      api.POST("/api/auth/login", { body: props.staff ? { email, password } : { email, password, slug: slug.trim() } }),
    );
    if (!props.staff) localStorage.setItem("atrium.slug", slug.trim());
    if (answer.status === "signed_in") {
      rememberExpiry(answer.expires_in);
      props.onSignedIn();
    } else {
      setChallenge(answer);
    }
  });

  if (challenge) {
    return <Challenge answer={challenge} email={email} slug={props.staff ? undefined : slug.trim()} onSignedIn={props.onSignedIn} />;
  }
  return (
    <div class="narrow">
      <Page title={props.staff ? "Staff sign-in" : "Sign in to your portal"}>
        {props.notice && (
          <p class="notice" role="status">
            {props.notice}
          </p>
        )}
        <Form class="card" onSubmit={submit} label="Sign in">
          {!props.staff && (
            <TextField
              label="Organisation"
              name="slug"
              required
              value={slug}
              onValue={setSlug}
              autoComplete="organization"
              hint="The short name in your invitation email, e.g. northwind."
              error={fieldError("slug")}
            />
          )}
          <TextField label="Email" name="email" type="email" required value={email} onValue={setEmail} autoComplete="username" error={fieldError("email")} />
          <TextField label="Password" name="password" type="password" required value={password} onValue={setPassword} autoComplete="current-password" error={fieldError("password")} />
          <ErrorMessage error={formError} />
          <Button type="submit" busy={busy}>
            Sign in
          </Button>
        </Form>
        <p class="switch">
          {props.staff ? <a href="/">Client sign-in</a> : <a href="/staff">Firm staff sign-in</a>}
        </p>
      </Page>
    </div>
  );
}

/** One challenge after the password: a code, an authenticator to set up, or a new password. */
export function Challenge(props: { answer: SignInAnswer; email: string; slug?: string; onSignedIn: () => void }) {
  const [answer, setAnswer] = useState(props.answer);
  const [code, setCode] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const { submit, busy, formError, fieldError } = useSubmit(async () => {
    // The server names who and where with each challenge (an invitation's page knew neither).
    const email = answer.email ?? props.email;
    const slug = answer.slug ?? props.slug;
    const body =
      answer.challenge === "new_password"
        ? { email, session: answer.session, challenge: "new_password" as const, new_password: newPassword }
        : { email, slug, session: answer.session, challenge: answer.challenge, code: code.trim() };
    const next = await call(api.POST("/api/auth/login", { body }));
    if (next.status === "signed_in") {
      rememberExpiry(next.expires_in);
      props.onSignedIn();
    } else {
      setCode("");
      setAnswer(next);
    }
  });

  if (answer.challenge === "new_password") {
    return (
      <div class="narrow">
        <Page title="Choose your password">
          <Form class="card" onSubmit={submit} label="Choose your password">
            <p>You signed in with a temporary password. Choose your own to continue.</p>
            <TextField label="New password" name="new_password" type="password" required value={newPassword} onValue={setNewPassword} autoComplete="new-password" hint={PASSWORD_HINT} error={fieldError("new_password")} />
            <ErrorMessage error={formError} />
            <Button type="submit" busy={busy}>
              Set password and sign in
            </Button>
          </Form>
        </Page>
      </div>
    );
  }
  const setup = answer.challenge === "mfa_setup";
  return (
    <div class="narrow">
      <Page title={setup ? "Set up your authenticator" : "Enter your code"}>
        <Form class="card" onSubmit={submit} label="Authenticator code">
          {setup && <AuthenticatorKey secret={answer.secret ?? ""} uri={answer.otpauth_uri} required />}
          <TextField label="6-digit code from your authenticator app" name="code" required value={code} onValue={setCode} inputMode="numeric" autoComplete="one-time-code" maxLength={6} error={fieldError("code")} />
          <ErrorMessage error={formError} />
          <Button type="submit" busy={busy}>
            Continue
          </Button>
        </Form>
      </Page>
    </div>
  );
}

/** The invitation link: choose a password, then (optionally) set up an authenticator. */
export function AcceptInvite(props: { token: string; onSignedIn: () => void }) {
  const location = useLocation();
  const [password, setPassword] = useState("");
  const [challenge, setChallenge] = useState<SignInAnswer>();
  const [offerAuthenticator, setOfferAuthenticator] = useState(false);
  // The link is used up: leave /invite (and the token in its fragment) behind.
  const enter = () => {
    location.route("/", true);
    props.onSignedIn();
  };
  const { submit, busy, formError, fieldError } = useSubmit(async () => {
    const answer = await call(api.POST("/api/auth/accept-invite", { body: { token: props.token, password } }));
    if (answer.status === "signed_in") {
      rememberExpiry(answer.expires_in);
      setOfferAuthenticator(true);
    } else {
      // The client requires an authenticator: setting one up is the next step anyway.
      location.route("/", true);
      setChallenge(answer);
    }
  });
  if (challenge) return <Challenge answer={challenge} email="" onSignedIn={props.onSignedIn} />;
  if (offerAuthenticator) {
    return (
      <div class="narrow">
        <Page title="Protect your account">
          <div class="card">
            <p>Your password is set. You can also ask for a code from an authenticator app each time you sign in, so a stolen password alone is not enough. You can do this later in Settings.</p>
            <TurnOn onDone={enter} />
            <div class="actions">
              <Button kind="secondary" onClick={enter}>
                Skip for now
              </Button>
            </div>
          </div>
        </Page>
      </div>
    );
  }
  return (
    <div class="narrow">
      <Page title="Welcome to your portal">
        <Form class="card" onSubmit={submit} label="Choose your password">
          <p>Choose a password to open your portal. You will use it with your email address to sign in.</p>
          <TextField label="New password" name="password" type="password" required value={password} onValue={setPassword} autoComplete="new-password" hint={PASSWORD_HINT} error={fieldError("password")} />
          <ErrorMessage error={formError} />
          <Button type="submit" busy={busy}>
            Set password and sign in
          </Button>
        </Form>
      </Page>
    </div>
  );
}
