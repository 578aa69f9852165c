// Choosing a file (drag and drop, or the file button) and uploading it with real progress
// (percent, speed, time left), retries, a cancel, and a clear message when something fails.
// Large files go up in parts and continue after a dropped connection or a reload (choose the
// same file again). The steps are in lib/upload.ts.
import type { ComponentChildren } from "preact";
import { useEffect, useId, useMemo, useRef, useState } from "preact/hooks";
import { announce } from "../lib/announce";
import { filesApi } from "../lib/files";
import { formatSize } from "../lib/format";
import { browserStore, findResume, forgetResume, formatSpeed, formatTimeLeft, MULTIPART_THRESHOLD, resumesAt, type ResumeRecord } from "../lib/multipart";
import { abortUpload, ACCEPT, checkFile, formatLimit, MAX_UPLOAD_BYTES, uploadFile, type DeclaredFile, type Progress, type Stage, type UploadStarted, type UploadState } from "../lib/upload";
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
  /** The client whose documents these are, for the firm (its routes); left out for a contact. */
  clientId?: string;
  /** Where this upload is, to continue an interrupted one here only (default: the page and the action). */
  place?: string;
  /** After a confirmed upload (reload the screen's data here). */
  onDone?: (file: File) => void;
  disabled?: boolean;
  /** Extra fields shown before the upload button (e.g. a name, an audience). */
  children?: ComponentChildren;
}

type Busy = { kind: "busy"; stage: Stage; progress: Progress };
type Phase = { kind: "idle" } | Busy | { kind: "cancelling" } | { kind: "cancelled"; name: string } | { kind: "failed"; message: string; stage: Stage } | { kind: "done"; name: string; version?: number };

const STAGE_TEXT: Record<Stage, string> = {
  checking: "Checking the file…",
  preparing: "Preparing the upload…",
  uploading: "Uploading…",
  waiting: "Connection lost: waiting to continue…",
  confirming: "Finishing…",
  done: "Uploaded.",
};

const NO_PROGRESS: Progress = { loaded: 0, total: 0, percent: 0 };

/** The line under the bar: how much, how fast, how long still. */
function stats(phase: Busy): string {
  const { progress, stage } = phase;
  if (stage !== "uploading" && stage !== "waiting") return "";
  const parts = [`${formatSize(progress.loaded)} of ${formatSize(progress.total)}`];
  if (stage === "uploading") {
    const speed = formatSpeed(progress.rate);
    if (speed) parts.push(speed);
    const left = formatTimeLeft(progress.secondsLeft);
    if (left) parts.push(left);
  }
  return parts.join(" · ");
}

export function Upload(props: UploadProps) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [problem, setProblem] = useState<string>();
  const [dragging, setDragging] = useState(false);
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const state = useRef<UploadState>({});
  const stop = useRef<AbortController | null>(null);
  const cancelling = useRef(false);
  const busy = phase.kind === "busy" || phase.kind === "cancelling";
  const files = useMemo(() => filesApi(props.clientId), [props.clientId]);
  const resume = useMemo(
    () => ({ store: browserStore(), base: files.base, place: props.place ?? `${typeof location === "undefined" ? "" : location.pathname}#${props.action ?? props.label ?? "upload"}` }),
    [files.base, props.place, props.action, props.label],
  );
  // Uploads interrupted here before (a reload, a closed tab): offered to continue.
  const [interrupted, setInterrupted] = useState<ResumeRecord[]>(() => resumesAt(resume.store, resume.place, resume.base));
  const continues = file ? findResume(resume.store, resume.place, resume.base, file) : undefined;
  // The one being tried here is not "interrupted": its own "Try again" continues it.
  const current = state.current.started;
  const offered = interrupted.filter((record) => !(current && record.document_id === current.document_id && record.version === current.version));

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

  const discard = async (record: ResumeRecord) => {
    forgetResume(resume.store, record.base, record.document_id, record.version);
    setInterrupted(resumesAt(resume.store, resume.place, resume.base));
    try {
      await files.abort(record.document_id, record.version);
    } catch {
      // Already gone, or the network: the bucket's lifecycle rule cleans it up anyway.
    }
    announce(`The interrupted upload of ${record.file_name} was discarded.`);
  };

  const run = async () => {
    if (!file || problem || busy) return;
    const controller = new AbortController();
    stop.current = controller;
    cancelling.current = false;
    let stage: Stage = "checking";
    let progress: Progress = NO_PROGRESS;
    setPhase({ kind: "busy", stage, progress });
    let waitingSaid = false;
    try {
      await uploadFile(file, { start: props.start, confirm: props.confirm, multipart: files }, {
        state: state.current,
        signal: controller.signal,
        resume,
        onStage: (value) => {
          // The bar restarts for each step, except between sending, waiting and finishing.
          const sending = (one: Stage) => one === "uploading" || one === "waiting" || one === "confirming";
          if (value !== stage && !(sending(value) && sending(stage))) progress = { ...NO_PROGRESS, total: file.size };
          stage = value;
          if (value === "waiting" && !waitingSaid) {
            waitingSaid = true;
            announce("The connection was lost. The upload continues by itself when it is back.");
          }
          if (value === "uploading") waitingSaid = false;
          if (!cancelling.current) setPhase({ kind: "busy", stage, progress });
        },
        onProgress: (value) => {
          progress = value;
          if (!cancelling.current) setPhase({ kind: "busy", stage, progress });
        },
      });
      setInterrupted(resumesAt(resume.store, resume.place, resume.base));
      setPhase({ kind: "done", name: file.name, version: state.current.started?.version });
      announce(`Uploaded ${file.name}.`);
      state.current = {};
      setFile(null);
      if (input.current) input.current.value = "";
      props.onDone?.(file);
    } catch (error) {
      if (controller.signal.aborted) {
        if (!cancelling.current) {
          setPhase({ kind: "idle" });
          return;
        }
        // Cancelled: S3 drops the parts sent, the version is marked aborted.
        try {
          await abortUpload(state.current, files, resume);
        } catch (problem) {
          const message = problem instanceof Error ? problem.message : String(problem);
          setPhase({ kind: "failed", message: `The upload was stopped, but the portal could not be told: ${message}`, stage });
          return;
        } finally {
          setInterrupted(resumesAt(resume.store, resume.place, resume.base));
        }
        state.current = {};
        setPhase({ kind: "cancelled", name: file.name });
        announce(`The upload of ${file.name} was cancelled.`);
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      setPhase({ kind: "failed", message, stage });
    } finally {
      stop.current = null;
    }
  };

  const cancel = () => {
    if (!stop.current) return;
    cancelling.current = true;
    setPhase({ kind: "cancelling" });
    stop.current.abort();
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
            Drag a file here or use the button. PDF, images, Office documents, text, CSV or ZIP, up to {formatLimit(MAX_UPLOAD_BYTES)}.
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
            {continues && phase.kind === "idle" ? <> · continues the interrupted upload</> : null}
          </p>
        )}
      </div>
      {offered.length > 0 && !busy && phase.kind !== "done" && (
        <div class="notice" role="note">
          {offered.map((record) => (
            <p key={`${record.document_id}-${record.version}`}>
              The upload of <strong>{record.file_name}</strong> ({formatSize(record.size)}) was interrupted. Choose the same file again to continue where it stopped.{" "}
              <Button kind="link" onClick={() => void discard(record)} aria-label={`Discard the interrupted upload of ${record.file_name}`}>
                Discard it
              </Button>
            </p>
          ))}
        </div>
      )}
      {props.children}
      {phase.kind === "busy" && <ProgressLine id={id} phase={phase} name={file?.name ?? ""} large={(file?.size ?? 0) > MULTIPART_THRESHOLD} />}
      {phase.kind === "cancelling" && <p class="muted">Cancelling the upload…</p>}
      {phase.kind === "cancelled" && <p class="notice">The upload of <strong>{phase.name}</strong> was cancelled. Nothing was kept.</p>}
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
          <Button kind="secondary" onClick={cancel} disabled={phase.kind === "cancelling"}>
            Cancel
          </Button>
        )}
      </div>
    </div>
  );
}

function ProgressLine(props: { id: string; phase: Busy; name: string; large: boolean }) {
  const { phase } = props;
  const measured = phase.stage === "uploading" || phase.stage === "waiting" || phase.stage === "confirming" || (phase.stage === "checking" && props.large);
  const percent = phase.progress.percent;
  const line = stats(phase);
  return (
    <div class="progress-line">
      <label for={`${props.id}-progress`}>
        {STAGE_TEXT[phase.stage]} {props.name}
      </label>
      <progress
        id={`${props.id}-progress`}
        max={100}
        value={measured ? percent : undefined}
        aria-valuetext={measured ? `${percent}%${line ? `, ${line}` : ""}` : STAGE_TEXT[phase.stage]}
        aria-describedby={line ? `${props.id}-stats` : undefined}
      >
        {percent}%
      </progress>
      <span class="percent" aria-hidden="true">
        {measured ? `${percent}%` : ""}
      </span>
      {line && (
        <span class="upload-stats muted" id={`${props.id}-stats`}>
          {line}
        </span>
      )}
    </div>
  );
}
