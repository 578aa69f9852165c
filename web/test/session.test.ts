import { describe, expect, it, beforeEach } from "vitest";
import { forgetSession, rememberExpiry, sessionExpiresAt, sessionPhase, WARN_BEFORE_MS } from "../src/lib/session";
import { ApiError } from "../src/api/client";

describe("session expiry", () => {
  beforeEach(() => forgetSession());

  it("remembers the expiry the server announced", () => {
    rememberExpiry(3600, 1_000_000);
    expect(sessionExpiresAt()).toBe(1_000_000 + 3_600_000);
  });

  it("ignores a missing or nonsensical lifetime", () => {
    rememberExpiry(undefined, 1_000);
    rememberExpiry(0, 1_000);
    rememberExpiry(-5, 1_000);
    expect(sessionExpiresAt()).toBeUndefined();
  });

  it("is quiet until two minutes before the end, then warns with the seconds left, then ends", () => {
    const end = 10_000_000;
    expect(sessionPhase(end, end - WARN_BEFORE_MS - 1).phase).toBe("ok");
    expect(sessionPhase(end, end - WARN_BEFORE_MS)).toEqual({ phase: "warn", secondsLeft: 120 });
    expect(sessionPhase(end, end - 1_500)).toEqual({ phase: "warn", secondsLeft: 2 });
    expect(sessionPhase(end, end)).toEqual({ phase: "ended", secondsLeft: 0 });
    expect(sessionPhase(undefined, end).phase).toBe("ok");
  });
});

describe("the server's errors", () => {
  it("keeps the message and finds the field it names", () => {
    const error = ApiError.from(400, { error: { code: "invalid_input", message: "due_date: must not be in the past" } });
    expect(error.message).toBe("due_date: must not be in the past");
    expect(error.fields).toEqual({ due_date: "must not be in the past" });
  });

  it("takes every field of a form's answer", () => {
    const error = ApiError.from(400, { error: { code: "invalid_input", message: "a: x; b: y", fields: { a: "x", b: "y" } } });
    expect(error.fields).toEqual({ a: "x", b: "y" });
  });

  it("names nested fields as the server does", () => {
    const error = ApiError.from(400, { error: { code: "invalid_input", message: "milestones[0].estimated_date: not a date" } });
    expect(error.fields).toEqual({ "milestones[0].estimated_date": "not a date" });
  });

  it("says something useful when the body is not the error contract", () => {
    expect(ApiError.from(503, undefined).message).toMatch(/Nothing was changed/);
    expect(ApiError.from(401, "oops").status).toBe(401);
  });
});
