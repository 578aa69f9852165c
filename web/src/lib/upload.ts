// Uploading a file the way the API wants it: checked against the API's rules first, its SHA-256
// computed in the browser, a presigned PUT straight to S3 with exactly the headers the API
// returned (with real progress), then the confirm call. Failures that can pass (the network, a
// 5xx from S3, a lost confirm) are retried; an expired URL is replaced by a fresh one.
//
// Plain functions so they can be unit-tested: the UI lives in components/Upload.tsx.
import { sha256Base64 } from "./checksum";
import type { Schemas } from "../api/client";

export { sha256Base64 } from "./checksum";

/**
 * The types functions/documents/src/rules.rs accepts, for checking before anything is sent.
 * The browser needs them at run time, so they are listed here; the two checks below tie the
 * list to the API's `DeclaredFileFields.content_type` enum, so a type added or dropped on one side
 * only breaks the build.
 */
export const ALLOWED_CONTENT_TYPES = [
  "application/pdf",
  "image/png",
  "image/jpeg",
  "image/heic",
  "image/webp",
  "text/plain",
  "text/csv",
  "application/zip",
  "application/msword",
  "application/vnd.ms-excel",
  "application/vnd.ms-powerpoint",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
] as const;

export type AllowedContentType = (typeof ALLOWED_CONTENT_TYPES)[number];

type ApiContentType = Schemas["DeclaredFileFields"]["content_type"];
const everyListedTypeIsAccepted: readonly ApiContentType[] = ALLOWED_CONTENT_TYPES;
const everyAcceptedTypeIsListed: Record<ApiContentType, true> = Object.fromEntries(ALLOWED_CONTENT_TYPES.map((type) => [type, true])) as Record<AllowedContentType, true>;
void everyListedTypeIsAccepted;
void everyAcceptedTypeIsListed;

/** Browsers leave `type` empty (or guess oddly) for some files: the type by extension. */
const BY_EXTENSION: Record<string, AllowedContentType> = {
  pdf: "application/pdf",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  heic: "image/heic",
  webp: "image/webp",
  txt: "text/plain",
  csv: "text/csv",
  zip: "application/zip",
  doc: "application/msword",
  xls: "application/vnd.ms-excel",
  ppt: "application/vnd.ms-powerpoint",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
};

/** For the file input's `accept`: the extensions and the types. */
export const ACCEPT = [...Object.keys(BY_EXTENSION).map((extension) => `.${extension}`), ...ALLOWED_CONTENT_TYPES].join(",");

/** The API's default limit (`ATRIUM_MAX_UPLOAD_BYTES`, 100 MB); a deployment with another limit answers 413 with its own. */
export const MAX_UPLOAD_BYTES = 100_000_000;

/** The sentence the API uses for a refused type. */
export const TYPE_REFUSED =
  "This kind of file is not accepted; send a PDF, an image, an Office document, a text or CSV file, or a ZIP archive.";

/** The content type the API will accept for this file, or undefined. */
export function contentTypeOf(file: { name: string; type: string }): AllowedContentType | undefined {
  const declared = file.type.trim().toLowerCase();
  if ((ALLOWED_CONTENT_TYPES as readonly string[]).includes(declared)) return declared as AllowedContentType;
  const extension = /\.([A-Za-z0-9]+)$/.exec(file.name)?.[1]?.toLowerCase();
  return extension ? BY_EXTENSION[extension] : undefined;
}

/** A problem with the file before anything is sent, in words for people; undefined if it may go. */
export function checkFile(file: { name: string; type: string; size: number }, maxBytes = MAX_UPLOAD_BYTES): string | undefined {
  if (!contentTypeOf(file)) return `“${file.name}” cannot be uploaded. ${TYPE_REFUSED}`;
  if (file.size <= 0) return `“${file.name}” is empty. Choose a file with content.`;
  if (file.size > maxBytes) return `“${file.name}” is larger than the limit of ${Math.floor(maxBytes / 1_000_000)} MB.`;
  return undefined;
}

// ---------------------------------------------------------------- the presigned PUT

export interface PresignedUpload {
  method: string;
  url: string;
  headers: Record<string, string>;
  expires_in: number;
}

export interface UploadStarted {
  document_id: string;
  version: number;
  upload: PresignedUpload;
}

export interface DeclaredFile {
  file_name: string;
  content_type: AllowedContentType;
  size: number;
  sha256: string;
}

export interface Progress {
  loaded: number;
  total: number;
  /** 0–100, whole numbers. */
  percent: number;
}

export type UploadFailure = "network" | "server" | "expired" | "refused" | "aborted";

/** A failed PUT (or a failed step around it), with a message for people. */
export class UploadError extends Error {
  readonly kind: UploadFailure;
  /** The HTTP status S3 answered (0 when there was no answer). */
  readonly status: number;
  constructor(kind: UploadFailure, status: number, message: string) {
    super(message);
    this.kind = kind;
    this.status = status;
  }
  /** Worth trying the same thing again. */
  get retryable(): boolean {
    return this.kind === "network" || this.kind === "server";
  }
}

/** Headers the browser sets itself and refuses from scripts; it sends the same values. */
const SET_BY_BROWSER = new Set(["content-length", "host", "connection", "expect"]);

/** S3's error code from its XML answer (`<Code>RequestTimeTooSkewed</Code>`). */
function s3Code(body: string): string {
  return /<Code>([^<]+)<\/Code>/.exec(body)?.[1] ?? "";
}

function failure(status: number, body: string): UploadError {
  const code = s3Code(body);
  if (status >= 500 || code === "SlowDown" || code === "InternalError" || code === "ServiceUnavailable" || code === "RequestTimeout") {
    return new UploadError("server", status, `The storage service could not take the file just now (error ${status}). Nothing was recorded; please try again.`);
  }
  if (status === 403 && (code === "" || code === "AccessDenied" || code === "ExpiredToken" || code === "RequestExpired" || /expired/i.test(body))) {
    return new UploadError("expired", status, "The upload link has expired. A new one is needed; please try again.");
  }
  if (code === "BadDigest" || code === "InvalidDigest" || code === "XAmzContentSHA256Mismatch" || /checksum/i.test(body)) {
    return new UploadError("refused", status, "The file that arrived does not match the one checked: it may have changed while uploading. Choose it again.");
  }
  return new UploadError("refused", status, `The storage service refused the file (error ${status}${code ? `, ${code}` : ""}). Please try again, or choose the file again.`);
}

/**
 * PUTs `body` to a presigned `url` with exactly `headers` (those the browser must set itself,
 * like content-length, it sets to the same values), reporting upload progress. Resolves when
 * S3 answers 2xx; rejects with an UploadError otherwise.
 */
export function putWithProgress(
  url: string,
  headers: Record<string, string>,
  body: Blob | ArrayBuffer | Uint8Array,
  onProgress?: (progress: Progress) => void,
  options: { signal?: AbortSignal; method?: string; timeoutMs?: number } = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new UploadError("aborted", 0, "The upload was stopped."));
      return;
    }
    const xhr = new XMLHttpRequest();
    const total = body instanceof Blob ? body.size : body.byteLength;
    let best = -1;
    const report = (loaded: number, size: number) => {
      const whole = size > 0 ? size : total;
      const percent = whole > 0 ? Math.min(100, Math.floor((loaded / whole) * 100)) : 100;
      // Never backwards, never twice the same.
      if (percent <= best) return;
      best = percent;
      onProgress?.({ loaded: Math.min(loaded, whole), total: whole, percent });
    };
    xhr.open(options.method ?? "PUT", url, true);
    if (options.timeoutMs) xhr.timeout = options.timeoutMs;
    for (const [name, value] of Object.entries(headers)) {
      if (!SET_BY_BROWSER.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (event: ProgressEvent) => {
      report(event.loaded, event.lengthComputable ? event.total : total);
    };
    const abort = () => xhr.abort();
    options.signal?.addEventListener("abort", abort, { once: true });
    const done = () => options.signal?.removeEventListener("abort", abort);
    xhr.onload = () => {
      done();
      if (xhr.status >= 200 && xhr.status < 300) {
        report(total, total);
        resolve();
      } else {
        reject(failure(xhr.status, typeof xhr.responseText === "string" ? xhr.responseText : ""));
      }
    };
    xhr.onerror = () => {
      done();
      reject(new UploadError("network", 0, "The upload was interrupted: the storage service could not be reached. Check your connection and try again."));
    };
    xhr.ontimeout = () => {
      done();
      reject(new UploadError("network", 0, "The upload took too long and was stopped. Check your connection and try again."));
    };
    xhr.onabort = () => {
      done();
      reject(new UploadError("aborted", 0, "The upload was stopped."));
    };
    report(0, total);
    xhr.send(body instanceof Uint8Array ? (body as Uint8Array<ArrayBuffer>) : body);
  });
}

// ---------------------------------------------------------------- the whole upload

export type Stage = "checking" | "preparing" | "uploading" | "confirming" | "done";

/**
 * What an upload has reached: kept by the caller and handed back to `uploadFile` to try again
 * from where it stopped (the digest is not computed twice, a PUT that succeeded is not
 * repeated, a lost confirm is only confirmed again).
 */
export interface UploadState {
  sha256?: string;
  started?: UploadStarted;
  /** When `started` was answered (ms since the epoch), to know when its URL expires. */
  startedAt?: number;
  uploaded?: boolean;
  confirmed?: boolean;
}

export interface UploadTarget<T> {
  /** Asks the API for a presigned PUT (a new version is reserved each time). */
  start: (file: DeclaredFile) => Promise<UploadStarted>;
  /** Confirms the uploaded version with the API. */
  confirm: (documentId: string, version: number) => Promise<T>;
}

export interface UploadOptions {
  onStage?: (stage: Stage) => void;
  onProgress?: (progress: Progress) => void;
  /** Automatic retries of a PUT that failed on the network or with a 5xx (and of a lost confirm). */
  retries?: number;
  /** Wait before retry n (1-based); doubles each time. */
  retryDelayMs?: number;
  signal?: AbortSignal;
  maxBytes?: number;
  /** Keep the state here to try again after a failure (see UploadState). */
  state?: UploadState;
  now?: () => number;
}

/** The status of an error an API call threw (ApiError has one; a network failure has 0). */
function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (ms <= 0) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(new UploadError("aborted", 0, "The upload was stopped."));
      },
      { once: true },
    );
  });

/**
 * The whole upload of `file`: check → SHA-256 → start (presigned PUT) → PUT with progress →
 * confirm. Resolves with what `confirm` answered (undefined when a retried confirm found the
 * version already confirmed). Rejects with an Error whose message is for people; the `state`
 * passed in keeps what was done, so calling again with it continues.
 */
export async function uploadFile<T>(file: File | (Blob & { name: string }), target: UploadTarget<T>, options: UploadOptions = {}): Promise<T | undefined> {
  const state = options.state ?? {};
  const retries = options.retries ?? 2;
  const delay = options.retryDelayMs ?? 1000;
  const now = options.now ?? Date.now;
  const stage = (value: Stage) => options.onStage?.(value);

  const problem = checkFile(file, options.maxBytes);
  if (problem) throw new UploadError("refused", 0, problem);
  const contentType = contentTypeOf(file) as AllowedContentType;

  if (!state.sha256) {
    stage("checking");
    state.sha256 = await sha256Base64(file);
  }
  const declared: DeclaredFile = { file_name: file.name, content_type: contentType, size: file.size, sha256: state.sha256 };

  const fresh = async () => {
    stage("preparing");
    state.started = await target.start(declared);
    state.startedAt = now();
    state.uploaded = false;
    state.confirmed = false;
  };
  // A URL with less than a minute left is not worth trying.
  const expired = () => !state.started || !state.startedAt || now() > state.startedAt + (state.started.upload.expires_in - 60) * 1000;

  let result: T | undefined;
  for (let round = 0; ; round += 1) {
    if (!state.uploaded) {
      if (expired()) await fresh();
      stage("uploading");
      let renewed = false;
      for (let attempt = 0; ; attempt += 1) {
        const { upload } = state.started as UploadStarted;
        try {
          await putWithProgress(upload.url, upload.headers, file, options.onProgress, { signal: options.signal, method: upload.method });
          break;
        } catch (error) {
          const failed = error as UploadError;
          if (failed.kind === "expired" && !renewed) {
            // The link ran out (or the clock is off): one fresh link, then the same retries.
            renewed = true;
            await fresh();
            stage("uploading");
            continue;
          }
          if (failed.retryable && attempt < retries) {
            await sleep(delay * 2 ** attempt, options.signal);
            continue;
          }
          throw error;
        }
      }
      state.uploaded = true;
    }
    if (!state.confirmed) {
      stage("confirming");
      const started = state.started as UploadStarted;
      let confirmedAgain = false;
      for (let attempt = 0; ; attempt += 1) {
        try {
          result = await target.confirm(started.document_id, started.version);
          break;
        } catch (error) {
          const status = statusOf(error) ?? 0;
          const message = error instanceof Error ? error.message : String(error);
          if (status === 409 && /already confirmed/i.test(message)) {
            // An earlier confirm got through; its answer was lost.
            confirmedAgain = true;
            break;
          }
          if (status === 409 && /^upload:/.test(message) && round === 0) {
            // S3 does not hold the declared file (or not yet): upload it once more.
            state.uploaded = false;
            break;
          }
          if ((status === 0 || status >= 500) && attempt < retries) {
            await sleep(delay * 2 ** attempt, options.signal);
            continue;
          }
          throw error;
        }
      }
      if (!state.uploaded) continue;
      state.confirmed = true;
      if (confirmedAgain) result = undefined;
    }
    stage("done");
    return result;
  }
}
