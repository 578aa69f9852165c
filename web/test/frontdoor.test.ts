// The front door's decisions (src/lib/frontdoor.ts): where a person lands after signing in,
// choosing or switching organisation, the link token in a URL's fragment, the switcher's
// list, the order of the sessions in Settings, and which 401s end the session.
import { describe, expect, it } from "vitest";
import { endedOthersMessage, homeOf, isPublicPath, isStaffPath, kindLabel, landing, orderSessions, switchable, tokenFromFragment } from "../src/lib/frontdoor";
import { ApiError, endsSession, gatewayRefused } from "../src/api/client";
import { said } from "../src/lib/problems";

describe("the reset (and invitation) link's token", () => {
  it("is read from the fragment", () => {
    expect(tokenFromFragment("#token=abc_DEF-123")).toBe("abc_DEF-123");
    expect(tokenFromFragment("token=abc")).toBe("abc");
    expect(tokenFromFragment("#other=1&token=xyz")).toBe("xyz");
  });

  it("is null when the fragment has none (a link cut short, or no fragment at all)", () => {
    expect(tokenFromFragment("")).toBeNull();
    expect(tokenFromFragment("#")).toBeNull();
    expect(tokenFromFragment("#token=")).toBeNull();
    expect(tokenFromFragment("#token=%20")).toBeNull();
    expect(tokenFromFragment("#tokens=abc")).toBeNull();
  });

  it("keeps base64url characters as they are (no + to space surprises in what the mail sends)", () => {
    expect(tokenFromFragment("#token=AbC-_09")).toBe("AbC-_09");
  });
});

describe("where a person lands", () => {
  it("knows each kind's home and the staff side's paths", () => {
    expect(homeOf("staff")).toBe("/staff/clients");
    expect(homeOf("client")).toBe("/");
    expect(isStaffPath("/staff")).toBe(true);
    expect(isStaffPath("/staff/clients/1")).toBe(true);
    expect(isStaffPath("/staffing")).toBe(false);
    expect(isStaffPath("/")).toBe(false);
  });

  it("after choosing or switching an organisation: always that kind's home", () => {
    expect(landing("staff", "/", true)).toBe("/staff/clients");
    expect(landing("staff", "/requests/1", true)).toBe("/staff/clients");
    expect(landing("staff", "/staff/clients/abc/requests", true)).toBe("/staff/clients");
    expect(landing("client", "/staff/clients", true)).toBe("/");
    expect(landing("client", "/requests/1", true)).toBe("/");
    expect(landing("client", "/", true)).toBeUndefined();
    expect(landing("staff", "/staff/clients", true)).toBeUndefined();
  });

  it("after a plain sign-in: a deep link on the right side is kept, the wrong side goes home", () => {
    expect(landing("client", "/requests/1")).toBeUndefined();
    expect(landing("client", "/")).toBeUndefined();
    expect(landing("client", "/staff")).toBe("/");
    expect(landing("client", "/staff/team")).toBe("/");
    expect(landing("client", "/invite")).toBe("/");
    expect(landing("staff", "/staff")).toBeUndefined();
    expect(landing("staff", "/staff/team")).toBeUndefined();
    expect(landing("staff", "/")).toBe("/staff/clients");
    expect(landing("staff", "/requests/1")).toBe("/staff/clients");
  });

  it("leaves the public pages alone unless something was chosen", () => {
    expect(isPublicPath("/forgot-password")).toBe(true);
    expect(isPublicPath("/reset-password")).toBe(true);
    expect(isPublicPath("/")).toBe(false);
    expect(landing("client", "/reset-password")).toBeUndefined();
    expect(landing("staff", "/forgot-password")).toBeUndefined();
    expect(landing("staff", "/reset-password", true)).toBe("/staff/clients");
  });
});

describe("the header's organisation switcher", () => {
  const northwind = { id: "T1", name: "Northwind Traders", kind: "client" as const };
  const fabrikam = { id: "T2", name: "Fabrikam Studio", kind: "client" as const };
  const firm = { id: "staff", name: "Harbour & Pike", kind: "staff" as const };

  it("is offered only with somewhere else to go", () => {
    expect(switchable(undefined, northwind)).toEqual([]);
    expect(switchable([], northwind)).toEqual([]);
    expect(switchable([northwind], northwind)).toEqual([]);
  });

  it("lists every organisation in the server's order, the current one marked", () => {
    expect(switchable([northwind, fabrikam, firm], fabrikam)).toEqual([
      { ...northwind, current: false },
      { ...fabrikam, current: true },
      { ...firm, current: false },
    ]);
    expect(switchable([northwind, fabrikam], undefined).every((option) => !option.current)).toBe(true);
  });

  it("says which side each is", () => {
    expect(kindLabel("staff")).toBe("Firm staff");
    expect(kindLabel("client")).toBe("Client");
  });
});

describe("Settings → Sessions", () => {
  const at = (minutes: number) => new Date(Date.UTC(2026, 10, 30, 9, minutes)).toISOString();

  it("shows this session first, then the others by last use", () => {
    const sessions = [
      { id: "a", current: false, started_at: at(0), last_used_at: at(10) },
      { id: "b", current: true, started_at: at(5), last_used_at: at(5) },
      { id: "c", current: false, started_at: at(1), last_used_at: at(30) },
      { id: "d", current: false, started_at: at(2), last_used_at: at(10) },
    ];
    expect(orderSessions(sessions).map((session) => session.id)).toEqual(["b", "c", "d", "a"]);
    // The list it was given is left as it was.
    expect(sessions.map((session) => session.id)).toEqual(["a", "b", "c", "d"]);
  });

  it("says how many other sessions ended", () => {
    expect(endedOthersMessage(0)).toBe("There were no other sessions to end.");
    expect(endedOthersMessage(1)).toBe("1 other session ended.");
    expect(endedOthersMessage(3)).toBe("3 other sessions ended.");
  });
});

describe("which 401 ends the session", () => {
  it("a wrong password, code or link is about what was typed", () => {
    for (const path of ["/api/auth/login", "/api/auth/accept-invite", "/api/auth/refresh", "/api/auth/logout", "/api/auth/password/change", "/api/auth/password/reset", "/api/auth/password/forgot", "/api/auth/mfa/disable"]) {
      expect(endsSession(401, `http://localhost:8080${path}`), path).toBe(false);
    }
  });

  it("anything else (a session ended from another device, an expired one) sends the person to sign in", () => {
    for (const path of ["/api/me", "/api/workspace", "/api/auth/sessions", "/api/auth/sessions/s1", "/api/auth/switch", "/api/auth/loginx"]) {
      expect(endsSession(401, `http://localhost:8080${path}`), path).toBe(true);
    }
    expect(endsSession(401, "")).toBe(true);
  });

  it("only a 401 does", () => {
    expect(endsSession(403, "http://localhost:8080/api/me")).toBe(false);
    expect(endsSession(404, "http://localhost:8080/api/auth/sessions/s1")).toBe(false);
  });
});

describe("the gateway's refusal (its authorizer denied the access token)", () => {
  it("is its own 403 body, not a handler's error", () => {
    expect(gatewayRefused(403, { message: "Forbidden" })).toBe(true);
    expect(gatewayRefused(403, { error: { code: "forbidden", message: "admins only" } })).toBe(false);
    expect(gatewayRefused(401, { message: "Unauthorized" })).toBe(false);
    expect(gatewayRefused(403, undefined)).toBe(false);
    expect(gatewayRefused(403, "Forbidden")).toBe(false);
  });

  it("reads as a session problem, not as a missing permission", () => {
    const error = ApiError.from(403, { message: "Forbidden" });
    expect(error.code).toBe("session_refused");
    expect(error.message).toBe("The portal could not confirm your session. Please try again.");
    expect(ApiError.from(403, { error: { code: "forbidden", message: "admins only" } }).message).toBe("admins only");
  });
});

describe("the front door's refusals, as sentences", () => {
  it("drops the field a used link names and starts with a capital", () => {
    expect(said(ApiError.from(410, { error: { code: "gone", message: "token: this invitation link is no longer valid; sign in" } }))?.message).toBe("This invitation link is no longer valid; sign in");
    expect(said(ApiError.from(429, { error: { code: "too_many_attempts", message: "too many failed attempts; try again in 30 seconds" } }))?.message).toBe("Too many failed attempts; try again in 30 seconds");
    expect(said(undefined)).toBeUndefined();
  });
});
