// The front door: one sign-in page for clients and staff (email and password, no organisation),
// what can follow it (an authenticator code per organisation, setting an authenticator up, a new
// password, choosing among several organisations), and the invitation.
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api, ApiError, call, type Schemas } from "../../api/client";
import { said } from "../../lib/problems";
import { rememberExpiry } from "../../lib/session";
import { kindLabel, PASSWORD_HINT } from "../../lib/frontdoor";
import type { BrandingView } from "../../lib/branding";
import { FirmMark } from "../../components/FirmMark";
import { Button, ErrorMessage, Form, Page, TextField, useSubmit } from "../../components/ui";
import { AuthenticatorKey, TurnOn } from "../../components/Authenticator";

type SignInAnswer = Schemas["SignIn"];
type Organisation = Schemas["Organisation"];

/** `chosen`: the person picked an organisation on the way in, so they start at its home. */
export type OnSignedIn = (chosen: boolean) => void;

/** Email and password; then whatever the server asks next. */
export function SignIn(props: { notice?: string; branding?: BrandingView; onSignedIn: OnSignedIn }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [answer, setAnswer] = useState<SignInAnswer>();
  const { submit, busy, formError, fieldError } = useSubmit(async () => {
    const next = await call(api.POST("/api/auth/login", { body: { email: email.trim(), password } }));
    if (next.status === "signed_in") {
      rememberExpiry(next.expires_in);
      props.onSignedIn(false);
    } else {
      setPassword("");
      setAnswer(next);
    }
  });

  if (answer) return <NextStep answer={answer} email={email.trim()} onSignedIn={props.onSignedIn} />;
  return (
    <div class="narrow">
      <FirmMark branding={props.branding} />
      <Page title="Sign in" subtitle="Clients and the firm's staff sign in here with their email address.">
        {props.notice && (
          <p class="notice" role="status">
            {props.notice}
          </p>
        )}
        <Form class="card" onSubmit={submit} label="Sign in">
          <TextField label="Email" name="email" type="email" required value={email} onValue={setEmail} autoComplete="username" error={fieldError("email")} />
          <TextField label="Password" name="password" type="password" required value={password} onValue={setPassword} autoComplete="current-password" error={fieldError("password")} />
          <ErrorMessage error={said(formError)} />
          <Button type="submit" busy={busy}>
            Sign in
          </Button>
          <p class="switch forgot">
            <a href="/forgot-password">Forgot your password?</a>
          </p>
        </Form>
      </Page>
    </div>
  );
}

/**
 * After the password: a challenge (one per organisation with an authenticator, one after the
 * other), or the organisation chooser, until the server answers `signed_in`.
 */
export function NextStep(props: { answer: SignInAnswer; email: string; onSignedIn: OnSignedIn }) {
  const [answer, setAnswer] = useState(props.answer);
  const [chosen, setChosen] = useState(false);
  const next = (following: SignInAnswer, picked: boolean) => {
    const anyChosen = chosen || picked;
    setChosen(anyChosen);
    if (following.status === "signed_in") {
      rememberExpiry(following.expires_in);
      props.onSignedIn(anyChosen);
    } else {
      setAnswer(following);
    }
  };
  if (answer.status === "choose") {
    return <ChooseOrganisation organisations={answer.organisations ?? []} onAnswer={(following) => next(following, true)} />;
  }
  // A new challenge (another organisation's code) is a new form: empty, its heading focused.
  const key = `${answer.session ?? ""}|${answer.challenge ?? ""}|${answer.organisation?.id ?? ""}`;
  return <Challenge key={key} answer={answer} email={props.email} onAnswer={(following) => next(following, false)} />;
}

/** The person belongs to several organisations (clients, and perhaps the firm's staff side): which one now? */
export function ChooseOrganisation(props: { organisations: Organisation[]; onAnswer: (answer: SignInAnswer) => void }) {
  const [picking, setPicking] = useState<string>();
  const { submit, busy, formError } = useSubmit(async (organisation: string) => {
    setPicking(organisation);
    props.onAnswer(await call(api.POST("/api/auth/switch", { body: { organisation } })));
  });
  return (
    <div class="narrow">
      <Page title="Choose an organisation" subtitle="Your email address has access to more than one. You can switch later from the top of any page.">
        {props.organisations.length === 0 ? (
          <div class="notice">
            <p>There is no organisation to open with this email address just now.</p>
            <Button kind="secondary" onClick={() => window.location.assign("/")}>
              Back to sign-in
            </Button>
          </div>
        ) : (
          <ul class="chooser" aria-label="Your organisations">
            {props.organisations.map((organisation) => (
              <li key={organisation.id}>
                <button
                  type="button"
                  class="chooser-option"
                  disabled={busy}
                  aria-busy={busy && picking === organisation.id ? true : undefined}
                  onClick={() => void submit(organisation.id)}
                >
                  <span class="chooser-name">{organisation.name}</span>
                  <span class="chooser-kind">{kindLabel(organisation.kind)}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        <ErrorMessage error={said(formError)} />
      </Page>
    </div>
  );
}

/** One challenge after the password: a code, an authenticator to set up, or a new password. */
export function Challenge(props: { answer: SignInAnswer; email: string; onAnswer: (answer: SignInAnswer) => void }) {
  const { answer } = props;
  const [code, setCode] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const { submit, busy, formError, fieldError } = useSubmit(async () => {
    // The server names who (and, from older answers, where) with each challenge.
    const email = answer.email ?? props.email;
    const body =
      answer.challenge === "new_password"
        ? { email, session: answer.session, challenge: "new_password" as const, new_password: newPassword }
        : { email, session: answer.session, challenge: answer.challenge, code: code.trim(), ...(answer.slug ? { slug: answer.slug } : {}) };
    props.onAnswer(await call(api.POST("/api/auth/login", { body })));
  });

  if (answer.challenge === "new_password") {
    return (
      <div class="narrow">
        <Page title="Choose your password">
          <Form class="card" onSubmit={submit} label="Choose your password">
            <p>You signed in with a temporary password. Choose your own to continue.</p>
            <TextField label="New password" name="new_password" type="password" required value={newPassword} onValue={setNewPassword} autoComplete="new-password" hint={PASSWORD_HINT} error={fieldError("new_password")} />
            <ErrorMessage error={said(formError)} />
            <Button type="submit" busy={busy}>
              Set password and sign in
            </Button>
          </Form>
        </Page>
      </div>
    );
  }
  const setup = answer.challenge === "mfa_setup";
  const organisation = answer.organisation?.name;
  const title = `${setup ? "Set up your authenticator" : "Enter your code"}${organisation ? ` for ${organisation}` : ""}`;
  return (
    <div class="narrow">
      <Page title={title}>
        <Form class="card" onSubmit={submit} label="Authenticator code">
          {organisation && !setup && <p>Use the code your authenticator app shows for {organisation}.</p>}
          {setup && <AuthenticatorKey secret={answer.secret ?? ""} uri={answer.otpauth_uri} required />}
          <TextField label="6-digit code from your authenticator app" name="code" required value={code} onValue={setCode} inputMode="numeric" autoComplete="one-time-code" maxLength={6} error={fieldError("code")} />
          <ErrorMessage error={said(formError)} />
          <Button type="submit" busy={busy}>
            Continue
          </Button>
        </Form>
      </Page>
    </div>
  );
}

/** The invitation link: choose a password, then (optionally) set up an authenticator. */
export function AcceptInvite(props: { token: string; onSignedIn: OnSignedIn }) {
  const location = useLocation();
  const [password, setPassword] = useState("");
  const [challenge, setChallenge] = useState<SignInAnswer>();
  const [offerAuthenticator, setOfferAuthenticator] = useState(false);
  // The link is used up: leave /invite (and the token in its fragment) behind.
  const enter = () => {
    location.route("/", true);
    props.onSignedIn(false);
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
  if (challenge) return <NextStep answer={challenge} email="" onSignedIn={props.onSignedIn} />;
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
          {/* A used or expired link (410) names the token: said as a sentence, with the way on. */}
          <ErrorMessage error={said(formError)} />
          {formError instanceof ApiError && formError.status === 410 && (
            <p>
              <a href="/">Go to sign-in</a>
            </p>
          )}
          <Button type="submit" busy={busy}>
            Set password and sign in
          </Button>
        </Form>
      </Page>
    </div>
  );
}
