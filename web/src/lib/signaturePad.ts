// The signature pad's drawing and its export: a stroke drawn with a pointer (mouse, finger,
// pen) or a typed name written in a handwriting-like font, cut to the ink and sent as a PNG of
// bounded size (the API takes at most 96 KB, base64).
import { MAX_IMAGE_BYTES, base64Bytes } from "./signatures";

/** Handwriting-like faces found on common systems, then the browser's own cursive. */
export const SIGNATURE_FONT = '"Segoe Script", "Bradley Hand", "Brush Script MT", "Snell Roundhand", "Apple Chancery", "URW Chancery L", "Z003", "Comic Neue", cursive';
export const INK = "#102a6b";

/** The exported image's largest size, in pixels (plenty for a signature on a page). */
export const EXPORT_WIDTH = 600;
export const EXPORT_HEIGHT = 200;

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The box around every pixel whose alpha is above `threshold`, or null when nothing is drawn. */
export function inkBounds(data: Uint8ClampedArray | number[], width: number, height: number, threshold = 16): Bounds | null {
  let left = width;
  let top = height;
  let right = -1;
  let bottom = -1;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      if ((data[(y * width + x) * 4 + 3] ?? 0) > threshold) {
        if (x < left) left = x;
        if (x > right) right = x;
        if (y < top) top = y;
        if (y > bottom) bottom = y;
      }
    }
  }
  if (right < 0) return null;
  return { x: left, y: top, width: right - left + 1, height: bottom - top + 1 };
}

/** `bounds` grown by `padding` on each side, kept inside a `width` × `height` canvas. */
export function padBounds(bounds: Bounds, padding: number, width: number, height: number): Bounds {
  const x = Math.max(0, bounds.x - padding);
  const y = Math.max(0, bounds.y - padding);
  return { x, y, width: Math.min(width, bounds.x + bounds.width + padding) - x, height: Math.min(height, bounds.y + bounds.height + padding) - y };
}

/** A size within `maxWidth` × `maxHeight` with the same proportions (never enlarged; at least 1 px). */
export function fitWithin(width: number, height: number, maxWidth: number, maxHeight: number): { width: number; height: number } {
  if (width <= 0 || height <= 0) return { width: 1, height: 1 };
  const scale = Math.min(1, maxWidth / width, maxHeight / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

export interface ExportOptions {
  maxWidth?: number;
  maxHeight?: number;
  maxBytes?: number;
  padding?: number;
  /** Makes the canvas the image is drawn into (tests give their own). */
  createCanvas?: (width: number, height: number) => HTMLCanvasElement;
}

function newCanvas(width: number, height: number): HTMLCanvasElement {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

/**
 * The ink on `source` as a PNG (base64, without the `data:` prefix): cut to the ink with a
 * margin, scaled down to fit `maxWidth` × `maxHeight`, and smaller again until it is within
 * `maxBytes`. Null when nothing is drawn (or the browser cannot read the canvas).
 */
export function exportPng(source: HTMLCanvasElement, options: ExportOptions = {}): string | null {
  const maxWidth = options.maxWidth ?? EXPORT_WIDTH;
  const maxHeight = options.maxHeight ?? EXPORT_HEIGHT;
  const maxBytes = options.maxBytes ?? MAX_IMAGE_BYTES;
  const create = options.createCanvas ?? newCanvas;
  const context = source.getContext("2d");
  if (!context || source.width === 0 || source.height === 0) return null;
  const ink = inkBounds(context.getImageData(0, 0, source.width, source.height).data, source.width, source.height);
  if (!ink) return null;
  const area = padBounds(ink, options.padding ?? Math.round(Math.max(source.width, source.height) / 60), source.width, source.height);
  let size = fitWithin(area.width, area.height, maxWidth, maxHeight);
  for (let attempt = 0; attempt < 12; attempt += 1) {
    const target = create(size.width, size.height);
    target.width = size.width;
    target.height = size.height;
    const drawing = target.getContext("2d");
    if (!drawing) return null;
    drawing.clearRect(0, 0, size.width, size.height);
    drawing.drawImage(source, area.x, area.y, area.width, area.height, 0, 0, size.width, size.height);
    const url = target.toDataURL("image/png");
    const base64 = url.slice(url.indexOf(",") + 1);
    if (url.startsWith("data:image/png") && base64Bytes(base64) <= maxBytes) return base64;
    if (size.width <= 8 || size.height <= 8) break;
    size = { width: Math.max(1, Math.floor(size.width * 0.7)), height: Math.max(1, Math.floor(size.height * 0.7)) };
  }
  return null;
}

/** The font size at which a text fits `width` (at most `height` tall), its width at a size given by `measure`. */
export function fittingFontSize(width: number, height: number, measure: (size: number) => number): number {
  let size = Math.floor(height * 0.6);
  while (size > 8 && measure(size) > width * 0.92) size -= 2;
  return Math.max(8, size);
}

/** Writes `text` across `canvas` in the handwriting font (the typed signature). */
export function drawTyped(canvas: HTMLCanvasElement, text: string): void {
  const context = canvas.getContext("2d");
  if (!context) return;
  context.clearRect(0, 0, canvas.width, canvas.height);
  const written = text.trim();
  if (!written) return;
  const size = fittingFontSize(canvas.width, canvas.height, (candidate) => {
    context.font = `${candidate}px ${SIGNATURE_FONT}`;
    return context.measureText(written).width;
  });
  context.font = `${size}px ${SIGNATURE_FONT}`;
  context.fillStyle = INK;
  context.textAlign = "center";
  context.textBaseline = "middle";
  context.fillText(written, canvas.width / 2, canvas.height / 2, canvas.width * 0.95);
}

/** One segment of a drawn stroke, a little wider where the pen presses harder. */
export function strokeTo(context: CanvasRenderingContext2D, from: { x: number; y: number }, to: { x: number; y: number }, width: number, pressure = 0.5): void {
  context.strokeStyle = INK;
  context.lineCap = "round";
  context.lineJoin = "round";
  context.lineWidth = Math.max(1, width * (0.6 + (pressure || 0.5) * 0.8));
  context.beginPath();
  context.moveTo(from.x, from.y);
  context.lineTo(to.x, to.y);
  context.stroke();
}
