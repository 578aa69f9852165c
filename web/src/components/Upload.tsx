// Choosing a file (drag and drop, or the file button) and uploading it with real progress,
// retries and a clear message when something fails. The steps are in lib/upload.ts.
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { announce } from "../lib/announce";
import { formatSize } from "../lib/format";
import { ACCEPT, checkFile, uploadFile, type DeclaredFile, type Stage, type UploadStarted, type UploadState } from "../lib/upload";
import { Button } from "./ui";

export interface UploadProps {
  /** The visible label of the file control, e.g. "Choose a file". */
  label?: string;
  /** A hint under the label (what to send). */
  hint?: ComponentChildren;
  /** The upload button's text. */
  action?: string;
  /** Asks the API for the presigned PUT. */
  start: (file: DeclaredFile) => Promise<UploadStarted>;
  /** Confirms the uploaded version. */
  confirm: (documentId: string, version: number) => Promise<unknown>;
  /** After a confirmed upload (reload the screen's data here). */
  onDone?: (file: File) => void;
  disabled?: boolean;
  /** Extra fields shown before the upload button (e.g. a name, an audience). */
  children?: ComponentChildren;
}

type Phase = { kind: "idle" } | { kind: "busy"; stage: Stage; percent: number } | { kind: "failed"; message: string; stage: Stage } | { kind: "done"; name: string; version?: number };

const STAGE_TEXT: Record<Stage, string> = {
  checking: "Checking the file…",
  preparing: "Preparing the upload…",
  uploading: "Uploading…",
  confirming: "Finishing…",
  done: "Uploaded.",
};

export function Upload(props: UploadProps) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [problem, setProblem] = useState<string>();
  const [dragging, setDragging] = useState(false);
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const state = useRef<UploadState>({});
  const stop = useRef<AbortController | null>(null);
  const busy = phase.kind === "busy";

  useEffect(() => () => stop.current?.abort(), []);

  const choose = (chosen: File | null | undefined) => {
    if (busy) return;
    state.current = {};
    setPhase({ kind: "idle" });
    if (!chosen) {
      setFile(null);
      setProblem(undefined);
      return;
    }
    setFile(chosen);
    setProblem(checkFile(chosen));
  };

  const run = async () => {
    if (!file || problem || busy) return;
    const controller = new AbortController();
    stop.current = controller;
    setPhase({ kind: "busy", stage: "checking", percent: 0 });
    let stage: Stage = "checking";
    let percent = 0;
    try {
      await uploadFile(file, { start: props.start, confirm: props.confirm }, {
        state: state.current,
        signal: controller.signal,
        onStage: (value) => {
          stage = value;
          setPhase({ kind: "busy", stage, percent });
        },
        onProgress: (value) => {
          percent = value.percent;
          setPhase({ kind: "busy", stage, percent });
        },
      });
      setPhase({ kind: "done", name: file.name, version: state.current.started?.version });
      announce(`Uploaded ${file.name}.`);
      state.current = {};
      setFile(null);
      if (input.current) input.current.value = "";
      props.onDone?.(file);
    } catch (error) {
      if (controller.signal.aborted) {
        setPhase({ kind: "idle" });
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      setPhase({ kind: "failed", message, stage });
    } finally {
      stop.current = null;
    }
  };

  const drop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    if (props.disabled) return;
    choose(event.dataTransfer?.files?.[0]);
  };

  return (
    <div class="upload stack">
      <div
        class={`dropzone ${dragging ? "dragging" : ""}`}
        onDragEnter={(event) => {
          event.preventDefault();
          if (!props.disabled && !busy) setDragging(true);
        }}
        onDragOver={(event) => {
          event.preventDefault();
          if (event.dataTransfer) event.dataTransfer.dropEffect = props.disabled || busy ? "none" : "copy";
        }}
        onDragLeave={(event) => {
          if (!(event.currentTarget as HTMLElement).contains(event.relatedTarget as Node | null)) setDragging(false);
        }}
        onDrop={drop}
      >
        <div class={`field ${problem ? "invalid" : ""}`}>
          <label for={id}>{props.label ?? "Choose a file"}</label>
          <p class="hint" id={`${id}-hint`}>
            {props.hint ? <>{props.hint} </> : null}
            Drag a file here or use the button. PDF, images, Office documents, text, CSV or ZIP, up to 100 MB.
          </p>
          <input
            ref={input}
            id={id}
            type="file"
            name="file"
            accept={ACCEPT}
            disabled={props.disabled || busy}
            aria-invalid={problem ? true : undefined}
            aria-describedby={`${id}-hint${problem ? ` ${id}-error` : ""}`}
            onChange={(event) => choose((event.currentTarget as HTMLInputElement).files?.[0])}
          />
          {problem && (
            <p class="field-error" id={`${id}-error`} role="alert">
              {problem}
            </p>
          )}
        </div>
        {file && !problem && (
          <p class="muted">
            Selected: <strong>{file.name}</strong> ({formatSize(file.size)})
          </p>
        )}
      </div>
      {props.children}
      {phase.kind === "busy" && (
        <div class="progress-line">
          <label for={`${id}-progress`}>
            {STAGE_TEXT[phase.stage]} {file?.name}
          </label>
          <progress id={`${id}-progress`} max={100} value={phase.stage === "uploading" || phase.stage === "confirming" ? phase.percent : undefined} aria-valuetext={phase.stage === "uploading" ? `${phase.percent}%` : STAGE_TEXT[phase.stage]}>
            {phase.percent}%
          </progress>
          <span class="percent" aria-hidden="true">
            {phase.stage === "uploading" || phase.stage === "confirming" ? `${phase.percent}%` : ""}
          </span>
        </div>
      )}
      {phase.kind === "failed" && (
        <div class="error-box" role="alert">
          <p>Upload failed: {phase.message}</p>
          <div class="actions">
            <Button kind="secondary" onClick={() => void run()}>
              Try again
            </Button>
            <Button kind="link" onClick={() => (choose(null), input.current && (input.current.value = ""), input.current?.focus())}>
              Choose another file
            </Button>
          </div>
        </div>
      )}
      {phase.kind === "done" && (
        <p class="notice good">
          Upload complete: <strong>{phase.name}</strong>
          {phase.version ? ` (version ${phase.version})` : ""}.
        </p>
      )}
      <div class="actions">
        <Button onClick={() => void run()} busy={busy} disabled={props.disabled || !file || Boolean(problem) || phase.kind === "failed"}>
          {busy ? "Uploading…" : (props.action ?? "Upload")}
        </Button>
        {busy && (
          <Button kind="secondary" onClick={() => stop.current?.abort()}>
            Stop
          </Button>
        )}
      </div>
    </div>
  );
}
