// When the session ends. The access cookie is HttpOnly, so the app remembers the expiry the
// server announced at sign-in and refresh (sessionStorage: per tab, gone with the tab).
// The shell warns two minutes before (WCAG 2.2.1: the person can extend with one action).

const KEY = "atrium.session_expires_at";
export const WARN_BEFORE_MS = 2 * 60 * 1000;

export function rememberExpiry(expiresInSeconds: number | undefined, now = Date.now()): void {
  if (!expiresInSeconds || expiresInSeconds <= 0) return;
  try {
    sessionStorage.setItem(KEY, String(now + expiresInSeconds * 1000));
  } catch {
    // Private browsing without storage: the server still ends the session; no warning then.
  }
}

export function sessionExpiresAt(): number | undefined {
  try {
    const value = Number(sessionStorage.getItem(KEY));
    return Number.isFinite(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

export function forgetSession(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing to forget
  }
}

/** What the timer should do now: nothing yet, warn (with seconds left), or end the session. */
export function sessionPhase(expiresAt: number | undefined, now = Date.now()): { phase: "ok" | "warn" | "ended"; secondsLeft: number } {
  if (expiresAt === undefined) return { phase: "ok", secondsLeft: Infinity };
  const left = expiresAt - now;
  if (left <= 0) return { phase: "ended", secondsLeft: 0 };
  if (left <= WARN_BEFORE_MS) return { phase: "warn", secondsLeft: Math.ceil(left / 1000) };
  return { phase: "ok", secondsLeft: Math.ceil(left / 1000) };
}
