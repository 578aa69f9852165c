// A version shown in the page without a download: the API's short-lived link is fetched into a
// Blob (never opened as a page) and shown in a dialog: a PDF drawn on canvases by pdf.js, an
// image as <img src="blob:…">, text as text. The dialog is modal (the page behind is inert),
// keeps the focus inside, closes with Escape or its button, gives the focus back, and fills a
// phone's screen.
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { announce } from "../lib/announce";
import type { PreviewLink } from "../lib/files";
import { Button, ErrorMessage } from "./ui";

/** Text shown at most (a larger text file says it was cut). */
const MAX_TEXT = 1024 * 1024;

export function PreviewButton(props: { label: string; fileName: string; load: () => Promise<PreviewLink> }) {
  const [open, setOpen] = useState(false);
  const trigger = useRef<HTMLElement | null>(null);
  return (
    <>
      <Button
        kind="secondary"
        aria-label={props.label}
        aria-haspopup="dialog"
        onClick={(event) => {
          trigger.current = event.currentTarget as HTMLElement;
          setOpen(true);
        }}
      >
        Preview
      </Button>
      {open && (
        <PreviewDialog
          fileName={props.fileName}
          load={props.load}
          onClose={() => {
            setOpen(false);
            trigger.current?.focus();
          }}
        />
      )}
    </>
  );
}

type Shown =
  | { kind: "loading"; step: string }
  | { kind: "pdf"; pages: number; shown: number }
  | { kind: "image"; url: string }
  | { kind: "text"; text: string; cut: boolean }
  | { kind: "failed"; error: unknown };

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function PreviewDialog(props: { fileName: string; load: () => Promise<PreviewLink>; onClose: () => void }) {
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const body = useRef<HTMLDivElement>(null);
  const pages = useRef<HTMLDivElement>(null);
  const close = useRef<HTMLButtonElement>(null);
  const [shown, setShown] = useState<Shown>({ kind: "loading", step: "Opening the file…" });

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (!element.open) element.showModal();
    close.current?.focus();
    return () => {
      if (element.open) element.close();
    };
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    let objectUrl: string | undefined;
    let pdf: { destroy: () => Promise<void> } | undefined;
    (async () => {
      const link = await props.load();
      if (signal.aborted) return;
      // The link is fetched, never navigated to: the file stays inside this page.
      const response = await fetch(link.url, { signal, credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer" });
      if (!response.ok) throw new Error(`The file could not be fetched for the preview (error ${response.status}). Please try again.`);
      const blob = await response.blob();
      const type = link.content_type.split(";")[0]!.trim().toLowerCase();
      if (type === "application/pdf") {
        setShown({ kind: "loading", step: "Drawing the pages…" });
        const { renderPdf } = await import("../lib/pdf");
        const container = pages.current;
        if (!container || signal.aborted) return;
        const width = Math.max(200, (body.current?.clientWidth ?? 600) - 32);
        const rendered = await renderPdf(new Uint8Array(await blob.arrayBuffer()), container, { width, signal, label: (page, total) => `Page ${page} of ${total} of ${link.file_name}` });
        pdf = rendered;
        if (signal.aborted) return;
        setShown({ kind: "pdf", pages: rendered.pages, shown: rendered.shown });
        announce(`${link.file_name}: ${rendered.pages} ${rendered.pages === 1 ? "page" : "pages"}.`);
      } else if (type.startsWith("image/")) {
        objectUrl = URL.createObjectURL(new Blob([blob], { type }));
        setShown({ kind: "image", url: objectUrl });
      } else {
        const text = await blob.slice(0, MAX_TEXT).text();
        setShown({ kind: "text", text, cut: blob.size > MAX_TEXT });
      }
    })().catch((error: unknown) => {
      if (!signal.aborted) setShown({ kind: "failed", error });
    });
    return () => {
      controller.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
      void pdf?.destroy().catch(() => undefined);
    };
    // The dialog shows one file for its whole life.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Tab and Shift+Tab go round inside the dialog.
  const keyDown = (event: KeyboardEvent) => {
    if (event.key !== "Tab" || !dialog.current) return;
    const inside = Array.from(dialog.current.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((element) => element.offsetParent !== null || element === document.activeElement);
    if (inside.length === 0) return;
    const first = inside[0]!;
    const last = inside[inside.length - 1]!;
    if (event.shiftKey && (document.activeElement === first || !dialog.current.contains(document.activeElement))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !dialog.current.contains(document.activeElement))) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <dialog
      ref={dialog}
      class="dialog preview-dialog"
      aria-labelledby={`${id}-title`}
      onKeyDown={keyDown}
      onCancel={(event) => {
        // Escape: close through the owner, so its state follows.
        event.preventDefault();
        props.onClose();
      }}
    >
      <div class="preview-head">
        <h2 id={`${id}-title`} class="clamp">
          Preview: {props.fileName}
        </h2>
        <button type="button" class="button secondary" onClick={props.onClose} ref={close}>
          Close
        </button>
      </div>
      <div class="preview-body" ref={body} tabIndex={0} role="region" aria-label={`Contents of ${props.fileName}`} aria-busy={shown.kind === "loading" || undefined}>
        {shown.kind === "loading" && (
          <p class="muted" role="status">
            {shown.step}
          </p>
        )}
        {shown.kind === "failed" && <ErrorMessage error={shown.error} />}
        {shown.kind === "image" && <img class="preview-image" src={shown.url} alt={props.fileName} />}
        {shown.kind === "text" && (
          <>
            <pre class="preview-text">{shown.text}</pre>
            {shown.cut && <p class="muted">Only the first megabyte is shown. Download the file to see all of it.</p>}
          </>
        )}
        {/* pdf.js draws into this element; Preact leaves its children alone. */}
        <div class="pdf-pages" ref={pages} />
        {shown.kind === "pdf" && shown.shown < shown.pages && (
          <p class="muted">
            The first {shown.shown} of {shown.pages} pages are shown. Download the file to see all of it.
          </p>
        )}
      </div>
    </dialog>
  );
}
