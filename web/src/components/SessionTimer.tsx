// Warns two minutes before the session ends and lets the person stay signed in with one
// action (WCAG 2.2.1 Timing Adjustable); when it does end, the shell shows sign-in again.
import { useEffect, useState } from "preact/hooks";
import { api, call } from "../api/client";
import { rememberExpiry, sessionExpiresAt, sessionPhase } from "../lib/session";
import { Button, Dialog, ErrorMessage } from "./ui";

export function SessionTimer(props: { onEnded: () => void; onSignOut: () => void }) {
  const [now, setNow] = useState(Date.now());
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    // A tab opened without an expiry on record learns it by refreshing once.
    if (sessionExpiresAt() === undefined) {
      call(api.POST("/api/auth/refresh")).then(
        (answer) => rememberExpiry(answer.expires_in),
        () => undefined,
      );
    }
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);

  const { phase, secondsLeft } = sessionPhase(sessionExpiresAt(), now);
  useEffect(() => {
    if (phase === "ended") props.onEnded();
  }, [phase]);

  const stay = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const answer = await call(api.POST("/api/auth/refresh"));
      rememberExpiry(answer.expires_in);
      setNow(Date.now());
    } catch (problem) {
      setError(problem);
    } finally {
      setBusy(false);
    }
  };

  const minutes = Math.floor(secondsLeft / 60);
  const seconds = String(secondsLeft % 60).padStart(2, "0");
  return (
    <Dialog open={phase === "warn"} title="Your session is about to end" onClose={() => undefined}>
      <p>
        For your security you will be signed out in <strong>{minutes}:{seconds}</strong>. Anything you have not saved will be lost.
      </p>
      <ErrorMessage error={error} />
      <div class="actions">
        <Button onClick={stay} busy={busy}>
          Stay signed in
        </Button>
        <Button kind="secondary" onClick={props.onSignOut}>
          Sign out now
        </Button>
      </div>
    </Dialog>
  );
}
