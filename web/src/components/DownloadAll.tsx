// "Download all": the API builds one zip of a request's documents (or of every document the
// reader may see) in S3; the page follows its progress each second and then offers the
// short-lived link, listing the files left out (those not yet checked, or quarantined).
import { useEffect, useRef, useState } from "preact/hooks";
import { announce } from "../lib/announce";
import { filesApi, type Archive } from "../lib/files";
import { formatSize } from "../lib/format";
import { Button, ErrorMessage } from "./ui";

type Phase = { kind: "idle" } | { kind: "building"; archive?: Archive } | { kind: "ready"; archive: Archive; at: number } | { kind: "failed"; error: unknown; archive?: Archive };

/** How the progress bar reads: bytes when known, else files. */
export function archiveProgress(archive: Archive | undefined): { value: number; max: number; text: string } {
  if (!archive) return { value: 0, max: 1, text: "Starting…" };
  const files = `${archive.files_done} of ${archive.files_total} ${archive.files_total === 1 ? "file" : "files"}`;
  if (archive.bytes_total > 0) {
    return { value: Math.min(archive.bytes_done, archive.bytes_total), max: archive.bytes_total, text: `${files}, ${formatSize(archive.bytes_done)} of ${formatSize(archive.bytes_total)}` };
  }
  return { value: archive.files_done, max: Math.max(1, archive.files_total), text: files };
}

export function DownloadAll(props: {
  /** The client's documents, for the firm; left out for a contact's own. */
  clientId?: string;
  /** Only this request's documents. */
  requestId?: string;
  /** What the button says to a screen reader (e.g. "Download all of this request's documents"). */
  label: string;
}) {
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const stop = useRef<AbortController | null>(null);
  useEffect(() => () => stop.current?.abort(), []);

  const start = async () => {
    stop.current?.abort();
    const controller = new AbortController();
    stop.current = controller;
    const api = filesApi(props.clientId);
    setPhase({ kind: "building" });
    try {
      let archive = await api.createArchive(props.requestId ? { request_id: props.requestId } : {});
      let misses = 0;
      while (archive.status === "building") {
        if (controller.signal.aborted) return;
        setPhase({ kind: "building", archive });
        await new Promise((resolve) => setTimeout(resolve, 1000));
        if (controller.signal.aborted) return;
        try {
          archive = await api.archive(archive.id);
          misses = 0;
        } catch (error) {
          // A lost poll or two is no reason to stop.
          const status = (error as { status?: number }).status ?? 0;
          if ((status === 0 || status >= 500) && misses < 5) {
            misses += 1;
            continue;
          }
          throw error;
        }
      }
      if (controller.signal.aborted) return;
      if (archive.status === "ready" && archive.url) {
        setPhase({ kind: "ready", archive, at: Date.now() });
        announce(`The zip is ready: ${archive.files_total} ${archive.files_total === 1 ? "file" : "files"}.`);
      } else {
        setPhase({ kind: "failed", error: new Error("The zip could not be made. Please try again."), archive });
      }
    } catch (error) {
      if (!controller.signal.aborted) setPhase({ kind: "failed", error });
    }
  };

  const building = phase.kind === "building";
  const archive = phase.kind === "idle" ? undefined : phase.archive;
  const progress = archiveProgress(archive);
  return (
    <div class="download-all stack">
      <div class="actions">
        <Button kind="secondary" busy={building} onClick={() => void start()} aria-label={props.label}>
          {building ? "Preparing the zip…" : phase.kind === "ready" ? "Make a new zip" : "Download all"}
        </Button>
      </div>
      {building && (
        <div class="progress-line">
          <label for={`zip-${props.requestId ?? "all"}`}>Preparing the zip…</label>
          <progress id={`zip-${props.requestId ?? "all"}`} value={archive ? progress.value : undefined} max={progress.max} aria-valuetext={progress.text}>
            {progress.text}
          </progress>
          <span class="upload-stats muted">{progress.text}</span>
        </div>
      )}
      {phase.kind === "ready" && phase.archive.url && (
        <div class="notice good" role="status">
          <p>
            The zip is ready.{" "}
            <a class="button primary" href={phase.archive.url} download={phase.archive.file_name ?? true}>
              Download {phase.archive.file_name ?? "the zip"}
            </a>
          </p>
          <p class="muted">The link works for {Math.round((phase.archive.expires_in ?? 300) / 60)} minutes; after that, make a new zip.</p>
        </div>
      )}
      {phase.kind === "failed" && <ErrorMessage error={phase.error} retry={() => void start()} />}
      {archive && archive.skipped.length > 0 && phase.kind !== "building" && (
        <div class="notice warn">
          <p>Left out of the zip:</p>
          <ul>
            {archive.skipped.map((file) => (
              <li key={file.document_id}>
                {file.name}: {file.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
