// The header's organisation switcher, for a person in several organisations (clients, and
// perhaps the firm's staff side): a disclosure button naming the current one, and a list of
// the others. Switching needs no password: the sign-in's session opens the other one.
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { api, call } from "../api/client";
import { rememberExpiry } from "../lib/session";
import { kindLabel, switchable } from "../lib/frontdoor";
import { currentOrganisation, type Me } from "../state";

export function OrganisationSwitcher(props: { me: Me; onSwitched: () => void }) {
  const current = currentOrganisation(props.me);
  const options = switchable(props.me.organisations, current);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();
  const root = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const panelId = useId();

  useEffect(() => {
    if (!open) return;
    // A click or tap anywhere else closes it, as does focus leaving it.
    const away = (event: Event) => {
      if (root.current && !root.current.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", away);
    document.addEventListener("focusin", away);
    return () => {
      document.removeEventListener("pointerdown", away);
      document.removeEventListener("focusin", away);
    };
  }, [open]);

  if (options.length === 0) return null;

  const choose = async (organisation: string) => {
    setBusy(organisation);
    setError(undefined);
    try {
      const answer = await call(api.POST("/api/auth/switch", { body: { organisation } }));
      if (answer.status !== "signed_in") throw new Error("That organisation asks you to sign in again. Sign out, then sign in and choose it.");
      rememberExpiry(answer.expires_in);
      setOpen(false);
      props.onSwitched();
    } catch (problem) {
      setError(problem instanceof Error ? problem.message : String(problem));
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <div
      class="switcher"
      ref={root}
      onKeyDown={(event) => {
        if (event.key === "Escape" && open) {
          setOpen(false);
          toggle.current?.focus();
        }
      }}
    >
      <button
        type="button"
        ref={toggle}
        class="button secondary switcher-toggle"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen(!open)}
      >
        <span class="visually-hidden">Organisation: </span>
        <span class="switcher-current">{current?.name ?? "Choose an organisation"}</span>
        <span aria-hidden="true" class="switcher-caret">
          ▾
        </span>
      </button>
      <div id={panelId} class="switcher-panel" hidden={!open}>
        <p class="switcher-title" id={`${panelId}-title`}>
          Switch organisation
        </p>
        <ul aria-labelledby={`${panelId}-title`}>
          {options.map((organisation) => (
            <li key={organisation.id}>
              {organisation.current ? (
                <span class="switcher-option current" aria-current="true">
                  <span class="chooser-name">{organisation.name}</span>
                  <span class="chooser-kind">Current · {kindLabel(organisation.kind)}</span>
                </span>
              ) : (
                <button
                  type="button"
                  class="switcher-option"
                  disabled={busy !== undefined}
                  aria-busy={busy === organisation.id ? true : undefined}
                  onClick={() => void choose(organisation.id)}
                >
                  <span class="chooser-name">{organisation.name}</span>
                  <span class="chooser-kind">{kindLabel(organisation.kind)}</span>
                </button>
              )}
            </li>
          ))}
        </ul>
        {error && (
          <p class="field-error" role="alert">
            {error}
          </p>
        )}
      </div>
    </div>
  );
}
