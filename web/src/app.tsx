// The shell: who is signed in decides what is on screen. Sign-in and the invitation are in
// the entry chunk; the client's and the staff's screens load on demand (lazy chunks).
import { useEffect, useRef, useState } from "preact/hooks";
import type { ComponentType } from "preact";
import { LocationProvider, useLocation } from "preact-iso";
import { api, ApiError, call, whenUnauthorized } from "./api/client";
import { setAnnouncer } from "./lib/announce";
import { forgetSession } from "./lib/session";
import { applyBranding, loadBranding, onBrandingChange, type BrandingView } from "./lib/branding";
import { MeContext, hasRole, type Me } from "./state";
import { AcceptInvite, SignIn } from "./screens/auth/SignIn";
import { SessionTimer } from "./components/SessionTimer";
import { ErrorMessage, Loading } from "./components/ui";

/** A part of the app fetched on first use: the sign-in screen does not carry the rest. */
function onDemand(load: () => Promise<ComponentType>): ComponentType {
  let loaded: ComponentType | undefined;
  return function OnDemand() {
    const [component, setComponent] = useState<ComponentType | undefined>(() => loaded);
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
    return Component ? <Component /> : <Loading />;
  };
}

const ClientApp = onDemand(() => import("./screens/client/routes").then((module) => module.ClientRoutes));
const StaffApp = onDemand(() => import("./screens/staff/routes").then((module) => module.StaffRoutes));

type Session = { state: "loading" } | { state: "signed_out"; notice?: string } | { state: "signed_in"; me: Me } | { state: "failed"; error: unknown };

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

  const loadMe = async () => {
    try {
      const me = await call(api.GET("/api/me"));
      setSession({ state: "signed_in", me });
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) setSession({ state: "signed_out" });
      else setSession({ state: "failed", error });
    }
  };

  const signedOut = (notice?: string) => {
    forgetSession();
    setSession({ state: "signed_out", notice });
  };

  const signOut = async () => {
    await call(api.POST("/api/auth/logout")).catch(() => undefined);
    signedOut("You are signed out.");
    location.route(session.state === "signed_in" && session.me.kind === "staff" ? "/staff" : "/");
  };

  useEffect(() => {
    setAnnouncer(live.current);
    whenUnauthorized(() => signedOut("Your session has ended. Please sign in again."));
    const stop = onBrandingChange(setBranding);
    loadBranding().then(applyBranding);
    if (location.path !== "/invite") void loadMe();
    return stop;
  }, []);

  const inviteToken = location.path === "/invite" ? new URLSearchParams(window.location.hash.slice(1)).get("token") : null;
  const me = session.state === "signed_in" ? session.me : undefined;

  let content;
  if (inviteToken && session.state !== "signed_in") {
    content = <AcceptInvite token={inviteToken} onSignedIn={loadMe} />;
  } else if (session.state === "loading") {
    content = <Loading />;
  } else if (session.state === "failed") {
    content = <ErrorMessage error={session.error} retry={loadMe} />;
  } else if (session.state === "signed_out") {
    content = <SignIn staff={location.path.startsWith("/staff")} notice={session.notice} onSignedIn={loadMe} />;
  } else if (session.me.kind === "staff") {
    content = <StaffApp />;
  } else {
    content = <ClientApp />;
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
            <span class="muted who-name">{me.client ? `${me.name} · ${me.client.name}` : me.name}</span>
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
