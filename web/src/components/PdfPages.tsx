// A PDF's pages drawn in the page by pdf.js (loaded on first use, like the preview), each with
// a layer on top where the signature screens put the fields: placed by the firm (a click or tap
// on a page drops one), or shown to a signer (theirs highlighted, the others dimmed). The
// file is fetched from the API's short-lived link into memory, never navigated to.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { OpenedPdf } from "../lib/pdf";
import { toFraction } from "../lib/signatures";
import { ErrorMessage } from "./ui";
import "./signatures.css";

type Shown = { kind: "loading"; step: string } | { kind: "ready"; pdf: OpenedPdf } | { kind: "failed"; error: unknown };

export function PdfPages(props: {
  fileName: string;
  load: () => Promise<{ url: string }>;
  /** What goes over page `page` (from 1). */
  overlay?: (page: number) => ComponentChildren;
  /** A click or tap on a page's free area, at fractions of the page from its top-left corner. */
  onPlace?: (page: number, point: { x: number; y: number }) => void;
  onReady?: (pages: number, shown: number) => void;
  /** Once drawn, the pages scroll (inside their box) to the first element this selector finds: the signer's first field. */
  scrollTo?: string;
}) {
  const [shown, setShown] = useState<Shown>({ kind: "loading", step: "Opening the document…" });
  const [attempt, setAttempt] = useState(0);
  const list = useRef<HTMLOListElement>(null);

  useEffect(() => {
    const box = list.current;
    const target = props.scrollTo ? box?.querySelector<HTMLElement>(props.scrollTo) : null;
    if (shown.kind !== "ready" || !box || !target) return;
    // Only the pages' own box scrolls; the page around it stays where the reader is.
    const offset = target.getBoundingClientRect().top - box.getBoundingClientRect().top;
    box.scrollTop += offset - box.clientHeight / 2 + target.offsetHeight / 2;
  }, [shown.kind]);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    let opened: OpenedPdf | undefined;
    setShown({ kind: "loading", step: "Opening the document…" });
    (async () => {
      const link = await props.load();
      if (signal.aborted) return;
      const response = await fetch(link.url, { signal, credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer" });
      if (!response.ok) throw new Error(`The document could not be fetched (error ${response.status}). Please try again.`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      setShown({ kind: "loading", step: "Drawing the pages…" });
      const { openPdf } = await import("../lib/pdf");
      if (signal.aborted) return;
      opened = await openPdf(bytes, signal);
      if (signal.aborted) return;
      setShown({ kind: "ready", pdf: opened });
      props.onReady?.(opened.pages, opened.sizes.length);
    })().catch((error: unknown) => {
      if (!signal.aborted) setShown({ kind: "failed", error });
    });
    return () => {
      controller.abort();
      void opened?.destroy().catch(() => undefined);
    };
    // One document for the component's life (a retry starts again).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [attempt]);

  if (shown.kind === "loading")
    return (
      <p class="loading" role="status">
        <span class="spinner" aria-hidden="true" /> {shown.step}
      </p>
    );
  if (shown.kind === "failed") return <ErrorMessage error={shown.error} retry={() => setAttempt((value) => value + 1)} />;
  const { pdf } = shown;
  return (
    <>
      <ol class="sig-pages" ref={list} tabIndex={0} aria-label={`Pages of ${props.fileName}`}>
        {pdf.sizes.map((size, index) => (
          <li key={index}>
            <span class="sig-page-number" aria-hidden="true">
              Page {index + 1} of {pdf.pages}
            </span>
            <PdfPage pdf={pdf} number={index + 1} size={size} label={`Page ${index + 1} of ${pdf.pages} of ${props.fileName}`} onPlace={props.onPlace}>
              {props.overlay?.(index + 1)}
            </PdfPage>
          </li>
        ))}
      </ol>
      {pdf.sizes.length < pdf.pages && (
        <p class="muted">
          The first {pdf.sizes.length} of {pdf.pages} pages are shown.
        </p>
      )}
    </>
  );
}

function PdfPage(props: { pdf: OpenedPdf; number: number; size: { width: number; height: number }; label: string; onPlace?: (page: number, point: { x: number; y: number }) => void; children?: ComponentChildren }) {
  const frame = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const element = frame.current;
    const target = canvas.current;
    if (!element || !target) return;
    let drawnAt = 0;
    const draw = () => {
      const width = Math.round(element.clientWidth);
      // Drawn again only when the page became clearly wider (a phone turned, a window widened).
      if (width <= 0 || width <= drawnAt * 1.2) return;
      drawnAt = width;
      void props.pdf.draw(props.number, target, width).catch(() => undefined);
    };
    draw();
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(draw);
    observer.observe(element);
    return () => observer.disconnect();
  }, [props.pdf, props.number]);

  return (
    <div class="sig-page" ref={frame} style={{ aspectRatio: `${props.size.width} / ${props.size.height}` }}>
      <canvas class="sig-canvas" ref={canvas} role="img" aria-label={props.label} />
      <div
        class={`sig-layer ${props.onPlace ? "placing" : ""}`}
        data-page={props.number}
        onClick={(event) => {
          if (!props.onPlace || event.target !== event.currentTarget) return;
          const rect = (event.currentTarget as HTMLElement).getBoundingClientRect();
          props.onPlace(props.number, toFraction(event.clientX, event.clientY, rect));
        }}
      >
        {props.children}
      </div>
    </div>
  );
}
