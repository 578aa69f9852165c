// PDFs drawn in the page with pdf.js (pdfjs-dist), loaded only when a PDF is previewed. The
// worker is the portal's own file (Vite's `?url` import puts it in the build; vite.config.ts
// names it `.js` so it is served as JavaScript), so the CSP's `script-src 'self'` covers it and
// no blob: worker is needed. No eval (`isEvalSupported: false`), no WebAssembly, no XFA.
import { getDocument, GlobalWorkerOptions, type PDFDocumentProxy } from "pdfjs-dist";
import workerUrl from "pdfjs-dist/build/pdf.worker.min.mjs?url";

GlobalWorkerOptions.workerSrc = workerUrl;

/** Pages drawn at most (a longer PDF says how many more it has). */
export const MAX_PAGES = 50;

export interface RenderedPdf {
  pages: number;
  shown: number;
  destroy: () => Promise<void>;
}

/**
 * Draws the pages of `data` as canvases into `container`, each `width` CSS pixels wide (sharp on
 * high-density screens), one after the other; stops early when `signal` aborts.
 */
export async function renderPdf(data: Uint8Array, container: HTMLElement, options: { width: number; signal?: AbortSignal; label?: (page: number, pages: number) => string }): Promise<RenderedPdf> {
  // `isEvalSupported` is gone from recent pdf.js (it no longer compiles fonts with eval); it is
  // still said here so an older copy would not use eval either.
  const parameters = { data, isEvalSupported: false, useWasm: false, enableXfa: false, disableWorkerRendering: true, stopAtErrors: false };
  const task = getDocument(parameters);
  options.signal?.addEventListener("abort", () => void task.destroy(), { once: true });
  const pdf: PDFDocumentProxy = await task.promise;
  const pages = pdf.numPages;
  const shown = Math.min(pages, MAX_PAGES);
  const ratio = Math.min(2, Math.max(1, globalThis.devicePixelRatio || 1));
  let drawn = 0;
  for (let number = 1; number <= shown; number += 1) {
    if (options.signal?.aborted) break;
    const page = await pdf.getPage(number);
    const natural = page.getViewport({ scale: 1 });
    const scale = Math.max(0.1, options.width / natural.width);
    const viewport = page.getViewport({ scale: scale * ratio });
    const canvas = document.createElement("canvas");
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    canvas.className = "pdf-page";
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", options.label?.(number, pages) ?? `Page ${number} of ${pages}`);
    container.append(canvas);
    await page.render({ canvas, viewport }).promise;
    page.cleanup();
    drawn += 1;
  }
  return { pages, shown: drawn, destroy: () => task.destroy() };
}

/** A PDF opened once, whose pages are drawn one at a time into canvases the screen owns. */
export interface OpenedPdf {
  pages: number;
  /** Each page's size in PDF points (scale 1), for the first `MAX_PAGES` pages. */
  sizes: { width: number; height: number }[];
  /** Draws page `number` (from 1) into `canvas`, `width` CSS pixels wide (sharp on dense screens). */
  draw: (number: number, canvas: HTMLCanvasElement, width: number) => Promise<void>;
  destroy: () => Promise<void>;
}

/**
 * Opens `data` for a screen that lays its pages out itself (the signature screens put the
 * fields over each page). Drawing is queued: one page at a time, in the order asked.
 */
export async function openPdf(data: Uint8Array, signal?: AbortSignal): Promise<OpenedPdf> {
  const parameters = { data, isEvalSupported: false, useWasm: false, enableXfa: false, disableWorkerRendering: true, stopAtErrors: false };
  const task = getDocument(parameters);
  signal?.addEventListener("abort", () => void task.destroy(), { once: true });
  const pdf: PDFDocumentProxy = await task.promise;
  const shown = Math.min(pdf.numPages, MAX_PAGES);
  const sizes: { width: number; height: number }[] = [];
  for (let number = 1; number <= shown; number += 1) {
    const viewport = (await pdf.getPage(number)).getViewport({ scale: 1 });
    sizes.push({ width: viewport.width, height: viewport.height });
  }
  let queue: Promise<void> = Promise.resolve();
  const draw = (number: number, canvas: HTMLCanvasElement, width: number): Promise<void> => {
    const next = queue.then(async () => {
      if (signal?.aborted) return;
      const page = await pdf.getPage(number);
      const natural = page.getViewport({ scale: 1 });
      const ratio = Math.min(2, Math.max(1, globalThis.devicePixelRatio || 1));
      const viewport = page.getViewport({ scale: Math.max(0.1, width / natural.width) * ratio });
      canvas.width = Math.floor(viewport.width);
      canvas.height = Math.floor(viewport.height);
      await page.render({ canvas, viewport }).promise;
      page.cleanup();
    });
    queue = next.catch(() => undefined);
    return next;
  };
  return { pages: pdf.numPages, sizes, draw, destroy: () => task.destroy() };
}
