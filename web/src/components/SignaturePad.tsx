// A signature (or initials) drawn with a mouse, finger or pen on a canvas, or typed and written
// in a handwriting-like font; either way sent as a PNG cut to the ink (lib/signaturePad.ts).
// Typing is the keyboard's way to sign; the choice is a pair of radio buttons.
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { drawTyped, exportPng, strokeTo } from "../lib/signaturePad";
import "./signatures.css";

export type PadMode = "draw" | "type";

/** The canvas's own pixels (drawn at 1.5× its largest CSS size, 600 × 200, for a crisp export). */
const WIDTH = 900;
const HEIGHT = 300;

export function SignaturePad(props: {
  legend: string;
  name: string;
  /** The text written in "Type" mode. */
  typed: string;
  /** Shown in "Type" mode (the initials' own input; the signature uses the full name above). */
  typedControl?: ComponentChildren;
  hint?: ComponentChildren;
  error?: string;
  /** A PNG (base64) once something is drawn or typed; undefined when cleared. */
  onValue: (png: string | undefined) => void;
  initialMode?: PadMode;
}) {
  const id = useId();
  const canvas = useRef<HTMLCanvasElement>(null);
  const [mode, setMode] = useState<PadMode>(props.initialMode ?? "draw");
  const [inked, setInked] = useState(false);
  const stroke = useRef<{ id: number; last: { x: number; y: number } } | null>(null);

  const publish = () => {
    const element = canvas.current;
    const png = element ? exportPng(element) : null;
    setInked(Boolean(png));
    props.onValue(png ?? undefined);
  };

  const clear = () => {
    const element = canvas.current;
    element?.getContext("2d")?.clearRect(0, 0, element.width, element.height);
    setInked(false);
    props.onValue(undefined);
  };

  // Typed: the text is written again whenever it changes.
  useEffect(() => {
    if (mode !== "type" || !canvas.current) return;
    drawTyped(canvas.current, props.typed);
    publish();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [mode, props.typed]);

  /** A pointer's place in the canvas's own pixels. */
  const point = (event: { clientX: number; clientY: number }) => {
    const element = canvas.current;
    if (!element) return { x: 0, y: 0 };
    const rect = element.getBoundingClientRect();
    return { x: ((event.clientX - rect.left) * element.width) / (rect.width || 1), y: ((event.clientY - rect.top) * element.height) / (rect.height || 1) };
  };

  const down = (event: PointerEvent) => {
    if (mode !== "draw" || (event.pointerType === "mouse" && event.button !== 0)) return;
    event.preventDefault();
    (event.currentTarget as HTMLCanvasElement).setPointerCapture?.(event.pointerId);
    const at = point(event);
    stroke.current = { id: event.pointerId, last: at };
    const context = canvas.current?.getContext("2d");
    // A dot for a tap.
    if (context) strokeTo(context, at, { x: at.x + 0.1, y: at.y + 0.1 }, 5, event.pressure);
  };

  const move = (event: PointerEvent) => {
    const current = stroke.current;
    if (!current || current.id !== event.pointerId) return;
    event.preventDefault();
    const context = canvas.current?.getContext("2d");
    const events = typeof event.getCoalescedEvents === "function" ? event.getCoalescedEvents() : [];
    for (const each of events.length > 0 ? events : [event]) {
      const at = point(each);
      if (context) strokeTo(context, current.last, at, 5, each.pressure);
      current.last = at;
    }
  };

  const up = (event: PointerEvent) => {
    if (!stroke.current || stroke.current.id !== event.pointerId) return;
    stroke.current = null;
    publish();
  };

  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [props.hint ? hintId : "", props.error ? errorId : ""].filter(Boolean).join(" ") || undefined;

  return (
    <fieldset class={`signature-pad ${props.error ? "invalid" : ""} ${mode === "type" ? "typing" : ""}`} aria-describedby={describedBy} data-name={props.name}>
      <legend>{props.legend}</legend>
      {props.hint && (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      )}
      <div class="modes" role="radiogroup" aria-label={`How to give your ${props.legend.toLowerCase().replace(/^your /, "")}`}>
        {(["draw", "type"] as const).map((choice) => (
          <label key={choice}>
            <input
              type="radio"
              name={`${id}-mode`}
              value={choice}
              checked={mode === choice}
              aria-describedby={describedBy}
              onChange={() => {
                clear();
                setMode(choice);
              }}
            />
            {choice === "draw" ? "Draw" : "Type"}
          </label>
        ))}
      </div>
      {mode === "type" && props.typedControl}
      <canvas
        ref={canvas}
        class="signature-canvas"
        width={WIDTH}
        height={HEIGHT}
        role="img"
        aria-label={mode === "draw" ? `${props.legend}: drawing area. Draw with a mouse, finger or pen, or choose Type.` : `${props.legend}, as typed: ${props.typed.trim() || "nothing typed yet"}`}
        aria-describedby={describedBy}
        data-inked={inked ? "true" : "false"}
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        onPointerCancel={up}
      />
      {mode === "draw" && (
        <div class="pad-actions">
          <button type="button" class="button secondary" onClick={clear} disabled={!inked}>
            Clear
          </button>
        </div>
      )}
      {props.error && (
        <p class="field-error" id={errorId} role="alert">
          {props.error}
        </p>
      )}
    </fieldset>
  );
}
