// The front door in the shell, against a fake API: one sign-in page at / and /staff (the firm's
// logo and name, no organisation field, "Forgot your password?"), the organisation chooser and
// where it lands, one authenticator code per organisation, the header's switcher, a forgotten
// password and the reset link (used, expired, refused, accepted), and Settings → Sessions.
import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// openapi-fetch takes `fetch` when the client is created, so it is replaced before the import.
const api = vi.hoisted(() => {
  const sent: { method: string; path: string; body: unknown }[] = [];
  /** Answers by "METHOD /path", in order; the last one repeats. */
  const answers = new Map<string, { status: number; body: unknown }[]>();
  globalThis.fetch = (async (input: Request | string, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const text = await request.text();
    const path = new URL(request.url).pathname;
    sent.push({ method: request.method, path, body: text ? JSON.parse(text) : undefined });
    const queue = answers.get(`${request.method} ${path}`) ?? [];
    const answer = (queue.length > 1 ? queue.shift() : queue[0]) ?? { status: 404, body: { error: { code: "not_found", message: "No such route in the test." } } };
    const response = new Response(JSON.stringify(answer.body), { status: answer.status, headers: { "content-type": "application/json" } });
    Object.defineProperty(response, "url", { value: request.url });
    return response;
  }) as typeof fetch;
  return {
    sent,
    answer: (route: string, ...queue: { status: number; body: unknown }[]) => answers.set(route, queue),
    reset: () => {
      sent.length = 0;
      answers.clear();
    },
  };
});

import { App } from "../src/app";
import { Settings } from "../src/screens/settings";
import { MeContext, type Me } from "../src/state";
import type { Schemas } from "../src/api/client";

const NORTHWIND = { id: "T1", name: "Northwind Traders", kind: "client" as const };
const FABRIKAM = { id: "T2", name: "Fabrikam Studio", kind: "client" as const };
const FIRM = { id: "staff", name: "Harbour & Pike", kind: "staff" as const };

const SAM_NORTHWIND: Me = {
  kind: "client",
  sub: "sub-sam-1",
  email: "sam@rivera-books.example",
  name: "Sam Rivera",
  roles: ["member"],
  mfa_enabled: false,
  firm: { name: "Harbour & Pike" },
  client: { id: "T1", name: "Northwind Traders", slug: "northwind" },
  organisation: NORTHWIND,
  organisations: [NORTHWIND, FABRIKAM, FIRM],
};
const SAM_FABRIKAM: Me = { ...SAM_NORTHWIND, sub: "sub-sam-2", client: { id: "T2", name: "Fabrikam Studio", slug: "fabrikam" }, organisation: FABRIKAM };
const SAM_STAFF: Me = { ...SAM_NORTHWIND, kind: "staff", sub: "sub-sam-staff", roles: ["staff"], client: undefined, organisation: FIRM };

const BRANDING: Schemas["Branding"] = { firm_name: "Harbour & Pike", primary_colour: "#1d4ed8", accent_colour: "#0f766e", support_email: null, logo_url: "/api/branding/logo?v=3", version: 3 };
const UNAUTHORIZED = { status: 401, body: { error: { code: "unauthorized", message: "sign in first" } } };
const SIGNED_IN = { status: 200, body: { status: "signed_in", kind: "client", expires_in: 3600 } };

let root: HTMLDivElement;

beforeEach(() => {
  root = document.createElement("div");
  document.body.append(root);
  api.reset();
  api.answer("GET /api/branding", { status: 200, body: BRANDING });
  sessionStorage.clear();
});

afterEach(() => {
  render(null, root);
  root.remove();
  window.history.replaceState(null, "", "/");
});

async function settle(rounds = 10) {
  for (let round = 0; round < rounds; round++) await act(() => new Promise((resolve) => setTimeout(resolve, 2)));
}

/** Waits (up to five seconds: a lazy chunk's first import takes a moment) until `check` holds. */
async function until(check: () => boolean, what: string) {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (check()) return;
    await settle(1);
  }
  throw new Error(`never: ${what}; page: ${root.textContent}`);
}

function button(text: string | RegExp): HTMLButtonElement {
  const found = [...root.querySelectorAll("button")].find((candidate) => (typeof text === "string" ? candidate.textContent?.trim() === text : text.test(candidate.textContent?.trim() ?? "")));
  if (!found) throw new Error(`no button ${text}; buttons: ${[...root.querySelectorAll("button")].map((candidate) => candidate.textContent).join(", ")}`);
  return found;
}

function field(label: string): HTMLInputElement {
  const found = [...root.querySelectorAll("label")].find((candidate) => candidate.textContent?.trim().replace(" (optional)", "") === label);
  const input = found && (document.getElementById(found.htmlFor) as HTMLInputElement | null);
  if (!input) throw new Error(`no field ${label}; labels: ${[...root.querySelectorAll("label")].map((candidate) => candidate.textContent).join(", ")}`);
  return input;
}

async function type(label: string, value: string) {
  const input = field(label);
  await act(() => {
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

const heading = () => root.querySelector("h1")?.textContent ?? "";
const labels = () => [...root.querySelectorAll("label")].map((label) => label.textContent?.trim());
const sentTo = (path: string) => api.sent.filter((request) => request.path === path);

async function open(path: string) {
  window.history.replaceState(null, "", path);
  render(<App />, root);
  await settle();
}

describe("the sign-in page", () => {
  it("is one page at / and at /staff: the firm's logo and name, email and password, no organisation", async () => {
    for (const path of ["/", "/staff"]) {
      api.answer("GET /api/me", UNAUTHORIZED);
      await open(path);
      await until(() => heading() === "Sign in", `sign-in at ${path}`);
      expect(labels()).toEqual(["Email", "Password"]);
      const mark = root.querySelector(".firm-mark");
      expect(mark?.querySelector("img")?.getAttribute("src")).toBe(BRANDING.logo_url);
      expect(mark?.textContent).toContain("Harbour & Pike");
      expect(root.querySelector<HTMLAnchorElement>('a[href="/forgot-password"]')?.textContent).toBe("Forgot your password?");
      render(null, root);
    }
  });

  it("sends only the email and password; a refusal is shown as the server says it", async () => {
    api.answer("GET /api/me", UNAUTHORIZED);
    api.answer("POST /api/auth/login", { status: 429, body: { error: { code: "too_many_attempts", message: "too many failed attempts; try again in 30 seconds" } } });
    await open("/");
    await until(() => heading() === "Sign in", "sign-in");
    await type("Email", " sam@rivera-books.example ");
    await type("Password", "Correct-Horse-2026!");
    await act(() => button("Sign in").click());
    await until(() => root.querySelector('[role="alert"]') !== null, "the refusal");
    expect(sentTo("/api/auth/login").map((request) => request.body)).toEqual([{ email: "sam@rivera-books.example", password: "Correct-Horse-2026!" }]);
    expect(root.querySelector('[role="alert"]')?.textContent).toContain("try again in 30 seconds");
  });
});

describe("a person in several organisations", () => {
  it("chooses one after the password; the firm's side lands on /staff/clients", async () => {
    api.answer("GET /api/me", UNAUTHORIZED, { status: 200, body: SAM_STAFF });
    api.answer("POST /api/auth/login", { status: 200, body: { status: "choose", organisations: [NORTHWIND, FABRIKAM, FIRM] } });
    api.answer("POST /api/auth/switch", { status: 200, body: { status: "signed_in", kind: "staff", expires_in: 3600, organisation: FIRM } });
    await open("/");
    await until(() => heading() === "Sign in", "sign-in");
    await type("Email", "sam@rivera-books.example");
    await type("Password", "Correct-Horse-2026!");
    await act(() => button("Sign in").click());
    await until(() => heading() === "Choose an organisation", "the chooser");
    const options = [...root.querySelectorAll<HTMLButtonElement>(".chooser button")].map((option) => option.textContent);
    expect(options).toEqual(["Northwind TradersClient", "Fabrikam StudioClient", "Harbour & PikeFirm staff"]);
    await act(() => button(/^Harbour & Pike/).click());
    await until(() => window.location.pathname === "/staff/clients", "the staff home");
    expect(sentTo("/api/auth/switch").map((request) => request.body)).toEqual([{ organisation: "staff" }]);
    expect(Number(sessionStorage.getItem("atrium.session_expires_at"))).toBeGreaterThan(Date.now());
  });

  it("a client organisation chosen at /staff lands on /", async () => {
    api.answer("GET /api/me", UNAUTHORIZED, { status: 200, body: SAM_NORTHWIND });
    api.answer("POST /api/auth/login", { status: 200, body: { status: "choose", organisations: [NORTHWIND, FABRIKAM] } });
    api.answer("POST /api/auth/switch", SIGNED_IN);
    await open("/staff");
    await until(() => heading() === "Sign in", "sign-in");
    await type("Email", "sam@rivera-books.example");
    await type("Password", "Correct-Horse-2026!");
    await act(() => button("Sign in").click());
    await until(() => heading() === "Choose an organisation", "the chooser");
    await act(() => button(/^Northwind Traders/).click());
    await until(() => window.location.pathname === "/", "the client home");
    expect(sentTo("/api/auth/switch").map((request) => request.body)).toEqual([{ organisation: "T1" }]);
  });

  it("answers one authenticator code per organisation, each form fresh and naming its organisation", async () => {
    api.answer("GET /api/me", UNAUTHORIZED, { status: 200, body: SAM_NORTHWIND });
    api.answer(
      "POST /api/auth/login",
      { status: 200, body: { status: "challenge", challenge: "totp", session: "s-1", email: "sam@rivera-books.example", organisation: NORTHWIND } },
      { status: 200, body: { status: "challenge", challenge: "totp", session: "s-2", email: "sam@rivera-books.example", organisation: FABRIKAM } },
      { status: 200, body: { status: "choose", organisations: [NORTHWIND, FABRIKAM] } },
    );
    api.answer("POST /api/auth/switch", SIGNED_IN);
    await open("/");
    await until(() => heading() === "Sign in", "sign-in");
    await type("Email", "sam@rivera-books.example");
    await type("Password", "Correct-Horse-2026!");
    await act(() => button("Sign in").click());
    await until(() => heading() === "Enter your code for Northwind Traders", "Northwind's code");
    await type("6-digit code from your authenticator app", " 123456 ");
    await act(() => button("Continue").click());
    await until(() => heading() === "Enter your code for Fabrikam Studio", "Fabrikam's code");
    expect(field("6-digit code from your authenticator app").value).toBe("");
    await type("6-digit code from your authenticator app", "654321");
    await act(() => button("Continue").click());
    await until(() => heading() === "Choose an organisation", "the chooser");
    expect(sentTo("/api/auth/login").map((request) => request.body)).toEqual([
      { email: "sam@rivera-books.example", password: "Correct-Horse-2026!" },
      { email: "sam@rivera-books.example", session: "s-1", challenge: "totp", code: "123456" },
      { email: "sam@rivera-books.example", session: "s-2", challenge: "totp", code: "654321" },
    ]);
    await act(() => button(/^Fabrikam Studio/).click());
    await until(() => sentTo("/api/me").length === 2, "the shell loads /api/me");
  });

  it("switches from the header: the current one marked, the other opened, its name in the header", async () => {
    api.answer("GET /api/me", { status: 200, body: SAM_NORTHWIND }, { status: 200, body: SAM_FABRIKAM });
    api.answer("POST /api/auth/switch", SIGNED_IN);
    await open("/requests");
    const toggle = () => root.querySelector<HTMLButtonElement>(".switcher-toggle");
    await until(() => toggle() !== null, "the switcher");
    expect(toggle()?.textContent).toContain("Northwind Traders");
    expect(toggle()?.getAttribute("aria-expanded")).toBe("false");
    await act(() => toggle()?.click());
    expect(toggle()?.getAttribute("aria-expanded")).toBe("true");
    expect(root.querySelector('.switcher-panel [aria-current="true"]')?.textContent).toContain("Northwind Traders");
    // The current one is not a button: only the others are offered.
    expect([...root.querySelectorAll(".switcher-panel button")].map((option) => option.textContent)).toEqual(["Fabrikam StudioClient", "Harbour & PikeFirm staff"]);
    await act(() => button(/^Fabrikam Studio/).click());
    await until(() => toggle()?.textContent?.includes("Fabrikam Studio") ?? false, "Fabrikam in the header");
    expect(sentTo("/api/auth/switch").map((request) => request.body)).toEqual([{ organisation: "T2" }]);
    expect(window.location.pathname).toBe("/");
  });

  it("has no switcher with one organisation", async () => {
    api.answer("GET /api/me", { status: 200, body: { ...SAM_NORTHWIND, organisations: [NORTHWIND] } });
    await open("/");
    await until(() => root.querySelector(".who") !== null, "the header");
    expect(root.querySelector(".switcher")).toBeNull();
    expect(root.querySelector(".who")?.textContent).toContain("Sam Rivera · Northwind Traders");
  });
});

describe("a session ended elsewhere", () => {
  const REFUSED = { status: 403, body: { message: "Forbidden" } };

  it("the gateway refuses the next request and the refresh confirms it: sign-in, with the reason", async () => {
    api.answer("GET /api/me", { status: 200, body: { ...SAM_NORTHWIND, organisations: [NORTHWIND] } });
    api.answer("GET /api/workspace", REFUSED);
    api.answer("POST /api/auth/refresh", UNAUTHORIZED);
    await open("/");
    await until(() => heading() === "Sign in", "sign-in");
    expect(root.querySelector(".notice")?.textContent).toBe("Your session has ended. Please sign in again.");
    expect(sentTo("/api/auth/refresh").length).toBeGreaterThan(0);
  });

  it("an access token that merely expired is renewed by the refresh: still signed in", async () => {
    api.answer("GET /api/me", { status: 200, body: { ...SAM_NORTHWIND, organisations: [NORTHWIND] } });
    api.answer("GET /api/workspace", REFUSED);
    api.answer("POST /api/auth/refresh", { status: 200, body: { status: "signed_in", expires_in: 3600 } });
    await open("/");
    await until(() => root.querySelector(".error-box") !== null, "the refused screen");
    await settle();
    expect(root.querySelector(".error-box")?.textContent).toContain("could not confirm your session");
    expect(root.querySelector(".who")?.textContent).toContain("Sam Rivera");
    expect(heading()).not.toBe("Sign in");
  });

  it("a visitor who was never signed in sees sign-in without a notice", async () => {
    api.answer("GET /api/me", REFUSED);
    api.answer("POST /api/auth/refresh", UNAUTHORIZED);
    await open("/");
    await until(() => heading() === "Sign in", "sign-in");
    await settle();
    expect(root.querySelector(".notice")).toBeNull();
    expect(sentTo("/api/auth/refresh")).toHaveLength(0);
  });
});

describe("a forgotten password", () => {
  it("asks for a link and shows the server's answer, the same for every address", async () => {
    api.answer("GET /api/me", UNAUTHORIZED);
    const message = "If that address has an account, a link is on its way. It works once, for 60 minutes.";
    api.answer("POST /api/auth/password/forgot", { status: 202, body: { status: "accepted", message } });
    await open("/forgot-password");
    await until(() => heading() === "Forgot your password?", "the forgot page");
    await type("Email", "nobody@example.com");
    await act(() => button("Email me a link").click());
    await until(() => heading() === "Check your email", "the answer");
    expect(root.querySelector('[role="status"]')?.textContent).toBe(message);
    expect(sentTo("/api/auth/password/forgot").map((request) => request.body)).toEqual([{ email: "nobody@example.com" }]);
  });

  it("the reset link: a refused password next to the field, then set; sign in with the notice", async () => {
    api.answer("GET /api/me", UNAUTHORIZED);
    api.answer(
      "POST /api/auth/password/reset",
      { status: 400, body: { error: { code: "invalid_input", message: "password: must have at least 12 characters" } } },
      { status: 200, body: { status: "password_reset" } },
    );
    await open("/reset-password#token=tok_123");
    await until(() => heading() === "Choose a new password", "the reset page");
    await type("New password", "short");
    await act(() => button("Set new password").click());
    await until(() => field("New password").getAttribute("aria-invalid") === "true", "the field error");
    expect(root.querySelector(".field-error")?.textContent).toBe("must have at least 12 characters");
    await type("New password", "A-Much-Better-2026!");
    await act(() => button("Set new password").click());
    await until(() => heading() === "Sign in", "sign-in");
    expect(root.querySelector(".notice")?.textContent).toBe("Your password is set. Sign in with your new password.");
    expect(window.location.pathname).toBe("/");
    expect(window.location.hash).toBe("");
    expect(sentTo("/api/auth/password/reset").map((request) => request.body)).toEqual([
      { token: "tok_123", password: "short" },
      { token: "tok_123", password: "A-Much-Better-2026!" },
    ]);
  });

  it("a used or expired link (410) says so, drops the token and links to a new one", async () => {
    api.answer("GET /api/me", UNAUTHORIZED);
    api.answer("POST /api/auth/password/reset", { status: 410, body: { error: { code: "gone", message: "this link was used or has expired" } } });
    await open("/reset-password#token=tok_used");
    await until(() => heading() === "Choose a new password", "the reset page");
    await type("New password", "A-Much-Better-2026!");
    await act(() => button("Set new password").click());
    await until(() => heading() === "This link no longer works", "the gone page");
    expect(window.location.hash).toBe("");
    expect(root.querySelector<HTMLAnchorElement>('a[href="/forgot-password"]')?.textContent).toBe("Ask for a new link");
  });

  it("a link without its token asks for a new one", async () => {
    api.answer("GET /api/me", UNAUTHORIZED);
    await open("/reset-password");
    await until(() => heading() === "This link is incomplete", "the incomplete page");
    expect(root.querySelector('a[href="/forgot-password"]')).not.toBeNull();
  });
});

describe("Settings → Sessions", () => {
  const SESSIONS = [
    { id: "s-other", current: false, started_at: "2026-11-29T08:00:00Z", last_used_at: "2026-11-29T09:00:00Z", ip: "203.0.113.7", browser: "Firefox on Windows", organisations: ["Northwind Traders"] },
    { id: "s-this", current: true, started_at: "2026-11-30T08:00:00Z", last_used_at: "2026-11-30T08:05:00Z", ip: "198.51.100.2", browser: "Chrome on macOS", organisations: ["Northwind Traders", "Fabrikam Studio"] },
  ];

  it("lists them, this one first and without End; ends one, then all the others, refreshing each time", async () => {
    api.answer("GET /api/auth/sessions", { status: 200, body: { sessions: SESSIONS } }, { status: 200, body: { sessions: [SESSIONS[1]] } });
    api.answer("DELETE /api/auth/sessions/s-other", { status: 200, body: { status: "ended" } });
    api.answer("POST /api/auth/sessions/end-others", { status: 200, body: { ended: 0 } });
    render(
      <MeContext.Provider value={SAM_NORTHWIND}>
        <Settings />
      </MeContext.Provider>,
      root,
    );
    await until(() => root.querySelectorAll(".sessions > li").length === 2, "the sessions");
    const items = [...root.querySelectorAll(".sessions > li")];
    expect(items[0]?.textContent).toContain("Chrome on macOS");
    expect(items[0]?.textContent).toContain("This session");
    expect(items[0]?.textContent).toContain("Northwind Traders, Fabrikam Studio");
    expect(items[0]?.querySelector("button")).toBeNull();
    expect(items[1]?.textContent).toContain("203.0.113.7");
    expect(items[1]?.querySelector("button")?.textContent).toBe("End the session in Firefox on Windows (203.0.113.7)");
    await act(() => items[1]?.querySelector("button")?.click());
    await until(() => root.querySelectorAll(".sessions > li").length === 1, "the list refreshed");
    expect(api.sent.filter((request) => request.method === "DELETE").map((request) => request.path)).toEqual(["/api/auth/sessions/s-other"]);
    expect(root.textContent).toContain("The session in Firefox on Windows (203.0.113.7) was ended.");
    // Nothing else to end: no button for it.
    expect([...root.querySelectorAll("button")].some((candidate) => candidate.textContent === "End all other sessions")).toBe(false);
  });

  it("ends every other session with one button", async () => {
    api.answer("GET /api/auth/sessions", { status: 200, body: { sessions: SESSIONS } }, { status: 200, body: { sessions: [SESSIONS[1]] } });
    api.answer("POST /api/auth/sessions/end-others", { status: 200, body: { ended: 1 } });
    render(
      <MeContext.Provider value={SAM_NORTHWIND}>
        <Settings />
      </MeContext.Provider>,
      root,
    );
    await until(() => root.querySelectorAll(".sessions > li").length === 2, "the sessions");
    await act(() => button("End all other sessions").click());
    await until(() => root.querySelectorAll(".sessions > li").length === 1, "the list refreshed");
    expect(sentTo("/api/auth/sessions/end-others")).toHaveLength(1);
    expect(root.textContent).toContain("1 other session ended.");
  });
});
