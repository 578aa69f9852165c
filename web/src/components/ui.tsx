// The portal's building blocks. Every control has a visible label; errors sit next to what
// they are about and are announced (role="alert"); loading is visible and announced.
import type { ComponentChildren, JSX } from "preact";
import { useCallback, useEffect, useId, useRef, useState } from "preact/hooks";
import { ApiError } from "../api/client";

/** The first page of a visit keeps the browser's own start (the skip link comes first). */
let firstPage = true;

export function Page(props: { title: string; subtitle?: ComponentChildren; actions?: ComponentChildren; children?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${props.title} · ${document.body.dataset.firm ?? "Client portal"}`;
    if (firstPage) {
      firstPage = false;
      return;
    }
    // Moving focus to the new page's heading tells screen-reader users the page changed.
    heading.current?.focus({ preventScroll: true });
  }, [props.title]);
  return (
    <>
      <div class="page-head">
        <div>
          <h1 tabIndex={-1} ref={heading}>{props.title}</h1>
          {props.subtitle && <p class="muted subtitle">{props.subtitle}</p>}
        </div>
        {props.actions && <div class="page-actions">{props.actions}</div>}
      </div>
      {props.children}
    </>
  );
}

export function Card(props: { title?: ComponentChildren; headingLevel?: 2 | 3; actions?: ComponentChildren; children?: ComponentChildren; class?: string }) {
  const id = useId();
  const Heading = props.headingLevel === 3 ? "h3" : "h2";
  return (
    <section class={`card ${props.class ?? ""}`} aria-labelledby={props.title ? id : undefined}>
      {(props.title || props.actions) && (
        <div class="card-head">
          {props.title && <Heading id={id}>{props.title}</Heading>}
          {props.actions}
        </div>
      )}
      {props.children}
    </section>
  );
}

export function Loading(props: { label?: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> {props.label ?? "Loading…"}
    </p>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return <p class="empty">{props.children}</p>;
}

/** The server's message (or ours, for a network failure), in context. */
export function ErrorMessage(props: { error: unknown; retry?: () => void }) {
  if (!props.error) return null;
  const message = props.error instanceof Error ? props.error.message : String(props.error);
  return (
    <div class="error-box" role="alert">
      <p>{message}</p>
      {props.retry && (
        <button type="button" class="button secondary" onClick={props.retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Badge(props: { tone?: "neutral" | "good" | "warn" | "bad" | "info"; children: ComponentChildren }) {
  return <span class={`badge ${props.tone ?? "neutral"}`}>{props.children}</span>;
}

type ButtonProps = JSX.HTMLAttributes<HTMLButtonElement> & {
  kind?: "primary" | "secondary" | "danger" | "link";
  busy?: boolean;
  type?: "button" | "submit";
  disabled?: boolean;
};

export function Button({ kind = "primary", busy, children, type = "button", disabled, class: className, ...rest }: ButtonProps) {
  return (
    <button {...rest} type={type} class={`button ${kind} ${className ?? ""}`} disabled={disabled || busy} aria-busy={busy || undefined}>
      {children}
    </button>
  );
}

interface FieldShell {
  label: ComponentChildren;
  name: string;
  hint?: ComponentChildren;
  error?: string;
  required?: boolean;
}

function describedBy(id: string, hint: unknown, error: unknown): string | undefined {
  const ids = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

function FieldFrame(props: FieldShell & { id: string; children: ComponentChildren }) {
  return (
    <div class={`field ${props.error ? "invalid" : ""}`}>
      <label for={props.id}>
        {props.label}
        {props.required ? "" : <span class="optional"> (optional)</span>}
      </label>
      {props.hint && (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.children}
      {props.error && (
        <p class="field-error" id={`${props.id}-error`} role="alert">
          {props.error}
        </p>
      )}
    </div>
  );
}

export function TextField(
  props: FieldShell & {
    value: string;
    onValue: (value: string) => void;
    type?: "text" | "email" | "password" | "tel" | "number" | "date" | "url" | "color";
    autoComplete?: string;
    inputMode?: "numeric" | "text" | "email" | "tel" | "decimal";
    placeholder?: string;
    maxLength?: number;
    pattern?: string;
    disabled?: boolean;
  },
) {
  const id = useId();
  return (
    <FieldFrame {...props} id={id}>
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value}
        onInput={(event) => props.onValue((event.currentTarget as HTMLInputElement).value)}
        autoComplete={props.autoComplete}
        inputMode={props.inputMode}
        placeholder={props.placeholder}
        maxLength={props.maxLength}
        pattern={props.pattern}
        required={props.required}
        disabled={props.disabled}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy(id, props.hint, props.error)}
      />
    </FieldFrame>
  );
}

export function TextArea(props: FieldShell & { value: string; onValue: (value: string) => void; rows?: number; maxLength?: number; disabled?: boolean }) {
  const id = useId();
  return (
    <FieldFrame {...props} id={id}>
      <textarea
        id={id}
        name={props.name}
        rows={props.rows ?? 4}
        value={props.value}
        maxLength={props.maxLength}
        required={props.required}
        disabled={props.disabled}
        onInput={(event) => props.onValue((event.currentTarget as HTMLTextAreaElement).value)}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy(id, props.hint, props.error)}
      />
    </FieldFrame>
  );
}

export function SelectField(
  props: FieldShell & { value: string; onValue: (value: string) => void; options: { value: string; label: string }[]; disabled?: boolean },
) {
  const id = useId();
  return (
    <FieldFrame {...props} id={id}>
      <select
        id={id}
        name={props.name}
        value={props.value}
        required={props.required}
        disabled={props.disabled}
        onChange={(event) => props.onValue((event.currentTarget as HTMLSelectElement).value)}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy(id, props.hint, props.error)}
      >
        {props.options.map((option) => (
          <option value={option.value} key={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

export function Checkbox(props: { label: ComponentChildren; name: string; checked: boolean; onChecked: (checked: boolean) => void; hint?: ComponentChildren; error?: string; disabled?: boolean }) {
  const id = useId();
  return (
    <div class={`field checkbox ${props.error ? "invalid" : ""}`}>
      <input
        id={id}
        type="checkbox"
        name={props.name}
        checked={props.checked}
        disabled={props.disabled}
        onChange={(event) => props.onChecked((event.currentTarget as HTMLInputElement).checked)}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy(id, props.hint, props.error)}
      />
      <label for={id}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="field-error" id={`${id}-error`} role="alert">
          {props.error}
        </p>
      )}
    </div>
  );
}

/** Loads data for a screen; `reload()` fetches again (after a change). */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): { data?: T; error?: unknown; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let live = true;
    setState((previous) => ({ data: previous.data, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { ...state, reload };
}

/** Shows a screen's data once loaded: the loading state, the error (with retry), or the content. */
export function Async<T>(props: { state: { data?: T; error?: unknown; loading: boolean; reload: () => void }; label?: string; children: (data: T) => ComponentChildren }) {
  const { data, error, loading, reload } = props.state;
  if (error) return <ErrorMessage error={error} retry={reload} />;
  if (data === undefined) return loading ? <Loading label={props.label} /> : null;
  return <>{props.children(data)}</>;
}

/**
 * A form's submission: runs `action`, keeps the server's error (the whole message, and the
 * field it names), and blocks double submits.
 */
export function useSubmit<A extends unknown[]>(action: (...args: A) => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const submit = useCallback(
    async (...args: A) => {
      setBusy(true);
      setError(undefined);
      try {
        await action(...args);
      } catch (problem) {
        setError(problem);
      } finally {
        setBusy(false);
      }
    },
    [action],
  );
  const fieldError = (name: string): string | undefined => (error instanceof ApiError ? error.fields[name] : undefined);
  /** The error for the form as a whole: shown unless it was only about named fields. */
  const formError = error instanceof ApiError && Object.keys(error.fields).length > 0 ? undefined : error;
  return { submit, busy, error, fieldError, formError, setError };
}

/** `<form>` that calls `onSubmit` without reloading the page. */
export function Form(props: { onSubmit: () => void; children: ComponentChildren; class?: string; label?: string }) {
  return (
    <form
      class={props.class}
      aria-label={props.label}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        props.onSubmit();
      }}
    >
      {props.children}
    </form>
  );
}

/** A modal dialog on the native <dialog> element (focus trapped, Escape closes). */
export function Dialog(props: { open: boolean; title: string; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog ref={ref} aria-labelledby={id} onClose={props.onClose} class="dialog">
      <h2 id={id}>{props.title}</h2>
      {props.children}
    </dialog>
  );
}
