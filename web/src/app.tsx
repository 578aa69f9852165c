// The shell: who is signed in decides what is on screen. The front door (sign-in, the
// organisation chooser, the invitation) is in the entry chunk; a forgotten password's pages and
// the client's and the staff's screens load on demand (lazy chunks).
import { useEffect, useRef, useState } from "preact/hooks";
import type { ComponentType } from "preact";
import { LocationProvider, useLocation } from "preact-iso";
import { api, ApiError, call, whenUnauthorized } from "./api/client";
import { setAnnouncer } from "./lib/announce";
import { forgetSession, rememberExpiry } from "./lib/session";
import { applyBranding, loadBranding, onBrandingChange, type BrandingView } from "./lib/branding";
import { landing, tokenFromFragment } from "./lib/frontdoor";
import { MeContext, currentOrganisation, hasRole, type Me } from "./state";
import { AcceptInvite, SignIn } from "./screens/auth/SignIn";
import { SessionTimer } from "./components/SessionTimer";
import { OrganisationSwitcher } from "./components/OrganisationSwitcher";
import { ErrorMessage, Loading } from "./components/ui";

/** A part of the app fetched on first use: the sign-in screen does not carry the rest. */
function onDemand<P extends object = object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  return function OnDemand(props: P) {
    const [component, setComponent] = useState<ComponentType<P> | undefined>(() => loaded);
    const [error, setError] = useState<unknown>();
    useEffect(() => {
      if (loaded) return;
      load().then(
        (found) => {
          loaded = found;
          setComponent(() => found);
        },
        () => setError(new Error("Part of the portal could not be loaded. Check your connection and try again.")),
      );
    }, []);
    if (error) return <ErrorMessage error={error} retry={() => window.location.reload()} />;
    const Component = component;
    return Component ? <Component {...props} /> : <Loading />;
  };
}

const ClientApp = onDemand(() => import("./screens/client/routes").then((module) => module.ClientRoutes));
const StaffApp = onDemand(() => import("./screens/staff/routes").then((module) => module.StaffRoutes));
// Reached from a link (sign-in's "Forgot your password?", the mail): not in the first screen's bundle.
const ForgotPassword = onDemand(() => import("./screens/auth/Password").then((module) => module.ForgotPassword));
const ResetPassword = onDemand(() => import("./screens/auth/Password").then((module) => module.ResetPassword));

type Session =
  | { state: "loading" }
  /** `generation`: each sign-out starts the front door afresh (a chooser left open goes too). */
  | { state: "signed_out"; notice?: string; generation: number }
  | { state: "signed_in"; me: Me }
  | { state: "failed"; error: unknown };

let signOuts = 0;

export function App() {
  return (
    <LocationProvider>
      <Shell />
    </LocationProvider>
  );
}

function Shell() {
  const [session, setSession] = useState<Session>({ state: "loading" });
  const [branding, setBranding] = useState<BrandingView>();
  const location = useLocation();
  const live = useRef<HTMLDivElement>(null);
  /** Whether someone is signed in right now (read by the API's callback, which outlives renders). */
  const signedIn = useRef(false);
  signedIn.current = session.state === "signed_in";

  /**
   * Who is signed in, then the right side of the portal for them. `chosen`: an organisation
   * was just picked (the chooser, the switcher), so its home replaces the page on screen.
   */
  const loadMe = async (chosen = false) => {
    try {
      const me = await call(api.GET("/api/me"));
      const target = landing(me.kind, window.location.pathname, chosen);
      if (target) location.route(target, true);
      setSession({ state: "signed_in", me });
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) setSession({ state: "signed_out", generation: ++signOuts });
      else setSession({ state: "failed", error });
    }
  };

  const signedOut = (notice?: string) => {
    forgetSession();
    setSession({ state: "signed_out", notice, generation: ++signOuts });
  };

  const signOut = async () => {
    await call(api.POST("/api/auth/logout")).catch(() => undefined);
    signedOut("You are signed out.");
    location.route("/");
  };

  useEffect(() => {
    setAnnouncer(live.current);
    const ended = "Your session has ended. Please sign in again.";
    whenUnauthorized((certain) => {
      if (certain) return signedOut(ended);
      // The gateway refused the access token: a refresh (checked against the session's record)
      // tells an ended session (ended from another device, idle, signed out) from an access token
      // that merely expired, which the refresh renews.
      if (!signedIn.current) return;
      call(api.POST("/api/auth/refresh")).then(
        (answer) => rememberExpiry(answer.expires_in),
        (problem: unknown) => {
          if (problem instanceof ApiError && (problem.status === 401 || problem.status === 403)) signedOut(ended);
        },
      );
    });
    const stop = onBrandingChange(setBranding);
    loadBranding().then(applyBranding);
    if (location.path !== "/invite") void loadMe();
    return stop;
  }, []);

  const inviteToken = location.path === "/invite" ? tokenFromFragment(window.location.hash) : null;
  const me = session.state === "signed_in" ? session.me : undefined;
  // The screens below the shell start afresh in another organisation (their data is its data).
  const workspaceKey = me ? `${me.kind}:${currentOrganisation(me)?.id ?? ""}` : "";

  let content;
  if (inviteToken && session.state !== "signed_in") {
    content = <AcceptInvite token={inviteToken} onSignedIn={(chosen) => void loadMe(chosen)} />;
  } else if (location.path === "/forgot-password") {
    content = <ForgotPassword branding={branding} />;
  } else if (location.path === "/reset-password") {
    content = (
      <ResetPassword
        token={tokenFromFragment(window.location.hash)}
        branding={branding}
        onDone={() => signedOut("Your password is set. Sign in with your new password.")}
      />
    );
  } else if (session.state === "loading") {
    content = <Loading />;
  } else if (session.state === "failed") {
    content = <ErrorMessage error={session.error} retry={() => void loadMe()} />;
  } else if (session.state === "signed_out") {
    // One sign-in page for everyone, at / and at /staff alike.
    content = <SignIn key={session.generation} notice={session.notice} branding={branding} onSignedIn={(chosen) => void loadMe(chosen)} />;
  } else if (session.me.kind === "staff") {
    content = <StaffApp key={workspaceKey} />;
  } else {
    content = <ClientApp key={workspaceKey} />;
  }

  return (
    <MeContext.Provider value={me ?? null}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={me?.kind === "staff" ? "/staff/clients" : "/"}>
          {branding?.logo_url && <img src={branding.logo_url} alt="" class="logo" />}
          <span>{branding?.firm_name ?? me?.firm.name ?? "Client portal"}</span>
        </a>
        {me && (
          <div class="who">
            {(me.organisations?.length ?? 0) > 1 ? (
              <>
                <span class="muted who-name">{me.name}</span>
                <OrganisationSwitcher me={me} onSwitched={() => void loadMe(true)} />
              </>
            ) : (
              <span class="muted who-name">{me.client ? `${me.name} · ${me.client.name}` : me.name}</span>
            )}
            <button type="button" class="button link" onClick={signOut}>
              Sign out
            </button>
          </div>
        )}
      </header>
      {me && <Nav me={me} />}
      <main id="main" tabIndex={-1}>
        {content}
      </main>
      {branding?.support_email && (
        <footer class="footer muted">
          Need help? <a href={`mailto:${branding.support_email}`}>{branding.support_email}</a>
        </footer>
      )}
      {me && <SessionTimer onEnded={() => signedOut("Your session ended, so you were signed out. Please sign in again.")} onSignOut={signOut} />}
      <div class="live" role="status" aria-live="polite" ref={live} />
    </MeContext.Provider>
  );
}

interface NavItem {
  href: string;
  label: string;
}

export function navItems(me: Me): NavItem[] {
  if (me.kind === "staff") {
    return [
      { href: "/staff/clients", label: "Clients" },
      { href: "/staff/requests", label: "Requests" },
      { href: "/staff/tickets", label: "Tickets" },
      { href: "/staff/invoices", label: "Invoices" },
      { href: "/staff/forms", label: "Forms" },
      ...(hasRole(me, "admin")
        ? [
            { href: "/staff/team", label: "Team" },
            { href: "/staff/branding", label: "Branding" },
            { href: "/staff/stripe", label: "Stripe" },
            { href: "/staff/activity", label: "Activity" },
          ]
        : []),
      { href: "/staff/settings", label: "Settings" },
    ];
  }
  const billing = hasRole(me, "admin", "billing");
  const admin = hasRole(me, "admin");
  return [
    { href: "/", label: "Home" },
    { href: "/projects", label: "Projects" },
    { href: "/requests", label: "Requests" },
    { href: "/documents", label: "Documents" },
    { href: "/approvals", label: "Approvals" },
    { href: "/signatures", label: "Signatures" },
    { href: "/forms", label: "Forms" },
    { href: "/messages", label: "Messages" },
    ...(billing ? [{ href: "/invoices", label: "Invoices" }] : []),
    { href: "/tickets", label: "Support" },
    ...(admin
      ? [
          { href: "/contacts", label: "People" },
          { href: "/activity", label: "Activity" },
        ]
      : []),
    { href: "/settings", label: "Settings" },
  ];
}

function Nav(props: { me: Me }) {
  const { path } = useLocation();
  const items = navItems(props.me);
  const current = (href: string) => (href === "/" ? path === "/" : path === href || path.startsWith(`${href}/`));
  return (
    <nav class="nav" aria-label="Main">
      <ul>
        {items.map((item) => (
          <li key={item.href}>
            <a href={item.href} aria-current={current(item.href) ? "page" : undefined}>
              {item.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
