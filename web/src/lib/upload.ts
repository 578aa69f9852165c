// Uploading a file the way the API wants it: checked against the API's rules first, its SHA-256
// computed in the browser, then either one presigned PUT straight to S3 (small files) or an S3
// multipart upload (files over 8 MiB): parts of `part_size` sent four at a time, each with its
// own SHA-256, to presigned part URLs signed ten at a time. Progress is real (with speed and
// time left), then the confirm call. Failures that can pass (the network, a 5xx from S3, a lost
// confirm) are retried; an expired URL is replaced by a fresh one; a multipart upload survives a
// dropped connection for minutes and, remembered in localStorage, a reload of the page.
//
// Plain functions so they can be unit-tested: the UI lives in components/Upload.tsx.
import { readBytes, sha256Base64, sha256BlobIncremental } from "./checksum";
import type { HeldParts, SignedPart, SignedParts } from "./files";
import {
  forgetResume,
  findResume,
  MULTIPART_THRESHOLD,
  partRange,
  PARTS_IN_FLIGHT,
  PARTS_PER_SIGNING,
  missingParts,
  RateMeter,
  rememberResume,
  secondsLeft,
  type ResumeRecord,
} from "./multipart";
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

/** The API's default limit (`max_upload_bytes`, 5 GiB); a deployment with another limit answers 413 with its own. */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024 * 1024;

/** A limit in words: `5 GB`, `100 MB`. */
export function formatLimit(bytes: number): string {
  const gib = 1024 * 1024 * 1024;
  if (bytes >= gib && Number.isInteger((bytes * 10) / gib)) return `${bytes / gib} GB`;
  return `${Math.floor(bytes / 1_000_000)} MB`;
}

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
  if (file.size > maxBytes) return `“${file.name}” is larger than the limit of ${formatLimit(maxBytes)}.`;
  return undefined;
}

// ---------------------------------------------------------------- the presigned PUT

/** One PUT of the whole file (`kind` is `single`; an API before issue 18 leaves it out). */
export interface PresignedUpload {
  kind?: "single";
  method: string;
  url: string;
  headers: Record<string, string>;
  expires_in: number;
}

/** An S3 multipart upload: parts of `part_size` (the last shorter), signed with `POST …/parts`. */
export type MultipartUpload = Schemas["MultipartUpload"];

export interface UploadStarted {
  document_id: string;
  version: number;
  upload: PresignedUpload | MultipartUpload;
}

// What the API answers fits what the upload expects: a drift breaks the build.
const answerFits = (answer: Schemas["UploadStarted"]): UploadStarted => answer;
void answerFits;

export function isMultipart(upload: UploadStarted["upload"]): upload is MultipartUpload {
  return upload.kind === "multipart";
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
  /** Bytes per second lately (once known). */
  rate?: number;
  /** Seconds left at that speed (once known). */
  secondsLeft?: number;
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
  options: { signal?: AbortSignal; method?: string; timeoutMs?: number; stallMs?: number } = {},
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
    // A connection that silently died (no error, no progress) is given up after `stallMs`.
    let stalled = false;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      if (!options.stallMs) return;
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        stalled = true;
        xhr.abort();
      }, options.stallMs);
    };
    xhr.upload.onprogress = (event: ProgressEvent) => {
      arm();
      report(event.loaded, event.lengthComputable ? event.total : total);
    };
    xhr.upload.onload = arm;
    const abort = () => xhr.abort();
    options.signal?.addEventListener("abort", abort, { once: true });
    const done = () => {
      clearTimeout(watchdog);
      options.signal?.removeEventListener("abort", abort);
    };
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
      reject(stalled ? new UploadError("network", 0, "The upload stalled: nothing moved for too long. Check your connection and try again.") : new UploadError("aborted", 0, "The upload was stopped."));
    };
    report(0, total);
    arm();
    xhr.send(body instanceof Uint8Array ? (body as Uint8Array<ArrayBuffer>) : body);
  });
}

// ---------------------------------------------------------------- the whole upload

export type Stage = "checking" | "preparing" | "uploading" | "waiting" | "confirming" | "done";

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
  /** The multipart upload was just started here: S3 holds none of its parts yet. */
  nothingSent?: boolean;
  /** It continues an upload started before (remembered across a reload). */
  resumed?: boolean;
  /** Parts sent (PUTs that S3 answered 2xx), for the caller's information. */
  partsSent?: number;
}

/** The multipart routes (lib/files.ts `filesApi`). */
export interface MultipartTarget {
  signParts: (documentId: string, version: number, parts: { number: number; sha256: string }[]) => Promise<SignedParts>;
  listParts: (documentId: string, version: number) => Promise<HeldParts>;
  abort: (documentId: string, version: number) => Promise<unknown>;
}

export interface UploadTarget<T> {
  /** Asks the API for a presigned PUT or a multipart upload (a new version is reserved each time). */
  start: (file: DeclaredFile) => Promise<UploadStarted>;
  /** Confirms the uploaded version with the API (for a multipart upload: completes it). */
  confirm: (documentId: string, version: number) => Promise<T>;
  /** Needed when the API answers a multipart upload. */
  multipart?: MultipartTarget;
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
  /** Remember a multipart upload in this store (localStorage) to continue it after a reload. */
  resume?: { store?: Pick<Storage, "getItem" | "setItem" | "removeItem">; place: string; base: string };
  /** How long a multipart upload keeps retrying while the network is down (default 10 minutes). */
  patienceMs?: number;
  /** Parts in flight (default 4). */
  inFlight?: number;
  /** Whether the browser thinks it is online (default `navigator.onLine`). */
  online?: () => boolean;
  /** A part with no progress for this long is abandoned and sent again (default 60 s). */
  stallMs?: number;
}

/** The status of an error an API call threw (ApiError has one; a network failure has 0). */
function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

const stopped = () => new UploadError("aborted", 0, "The upload was stopped.");

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(stopped());
    if (ms <= 0) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(stopped());
      },
      { once: true },
    );
  });

/** Resolves once `online()` says so (checked on the `online` event and every second), or after `ms`. */
function untilOnline(online: () => boolean, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(stopped());
    const finish = () => {
      clearInterval(poll);
      clearTimeout(limit);
      if (typeof window !== "undefined") window.removeEventListener("online", check);
      signal?.removeEventListener("abort", abort);
    };
    const check = () => {
      if (online()) {
        finish();
        resolve();
      }
    };
    const abort = () => {
      finish();
      reject(stopped());
    };
    const poll = setInterval(check, 1000);
    const limit = setTimeout(() => {
      finish();
      resolve();
    }, ms);
    if (typeof window !== "undefined") window.addEventListener("online", check);
    signal?.addEventListener("abort", abort, { once: true });
  });
}

/** An API call that may pass if tried again: no answer (the network), or a 5xx. */
function transientApiError(error: unknown): boolean {
  const status = statusOf(error);
  return status === 0 || (status !== undefined && status >= 500);
}

/**
 * Keeps a multipart upload going through a dropped connection: each failure that can pass
 * waits a little longer (1 s, 2 s, 4 s … 30 s), or until the browser is online again, and
 * the upload gives up only after `limitMs` without a single success.
 */
class Patience {
  private since: number | undefined;
  private waiting = false;
  /** Lanes waiting right now: the upload reads "waiting" until none is and a part got through. */
  private waiters = 0;
  constructor(
    private readonly limitMs: number,
    private readonly now: () => number,
    private readonly online: () => boolean,
    private readonly signal: AbortSignal,
    private readonly onStage: (stage: Stage) => void,
    private readonly baseDelayMs = 1000,
  ) {}

  succeeded(): void {
    this.since = undefined;
    if (this.waiting && this.waiters === 0 && this.online()) {
      this.waiting = false;
      this.onStage("uploading");
    }
  }

  /** The browser says it went offline: say so at once (parts in flight may take a while to fail). */
  wentOffline(): void {
    if (!this.waiting) {
      this.waiting = true;
      this.onStage("waiting");
    }
  }

  /** Back online: sending again, unless a lane still waits for its next try. */
  cameOnline(): void {
    if (this.waiting && this.waiters === 0) {
      this.waiting = false;
      this.onStage("uploading");
    }
  }

  /** Waits before try `attempt` + 1 (0-based), or rethrows `error` once patience ran out. */
  async wait(error: unknown, attempt: number): Promise<void> {
    const now = this.now();
    this.since ??= now;
    const left = this.since + this.limitMs - now;
    if (left <= 0) {
      const message = error instanceof Error ? error.message : String(error);
      throw new UploadError("network", statusOf(error) ?? 0, `${message} The upload kept trying for ${Math.max(1, Math.round(this.limitMs / 60_000))} minutes; try again to continue where it stopped.`);
    }
    if (!this.waiting) {
      this.waiting = true;
      this.onStage("waiting");
    }
    const delay = Math.min(30_000, this.baseDelayMs * 2 ** Math.min(attempt, 5), left);
    this.waiters += 1;
    try {
      if (!this.online()) {
        await untilOnline(this.online, left, this.signal);
        // Give the connection a moment to settle before the parts go again.
        await sleep(Math.min(500, delay), this.signal);
      } else {
        await sleep(delay, this.signal);
      }
    } finally {
      this.waiters -= 1;
    }
  }

  /** `call` tried until it answers, through network failures and 5xx answers. */
  async run<R>(call: () => Promise<R>): Promise<R> {
    for (let attempt = 0; ; attempt += 1) {
      if (this.signal.aborted) throw stopped();
      try {
        const answer = await call();
        this.succeeded();
        return answer;
      } catch (error) {
        if (this.signal.aborted) throw stopped();
        if (!transientApiError(error)) throw error;
        await this.wait(error, attempt);
      }
    }
  }
}

/**
 * Presigned part URLs, signed ten at a time as the parts come up (each part's SHA-256 computed
 * with Web Crypto from its bytes), and a batch ahead so the parts in flight never wait for one.
 */
class PartSigner {
  private urls = new Map<number, { part: SignedPart; until: number }>();
  private pending = new Map<number, Promise<void>>();
  private hashes = new Map<number, string>();
  private finished = new Set<number>();

  constructor(
    private readonly file: Blob,
    private readonly started: UploadStarted,
    private readonly partSize: number,
    private readonly api: MultipartTarget,
    /** The parts to send, in order. */
    private readonly order: number[],
    private readonly patience: Patience,
    private readonly now: () => number,
    private readonly signal: AbortSignal,
    private readonly ahead: number,
  ) {}

  private valid(number: number): boolean {
    const known = this.urls.get(number);
    return Boolean(known && known.until > this.now());
  }

  /** A URL for part `number` (signing it, and the next ones, when needed). */
  async get(number: number): Promise<SignedPart> {
    for (let round = 0; ; round += 1) {
      if (this.signal.aborted) throw stopped();
      if (this.valid(number)) {
        this.prefetch();
        return this.urls.get(number)!.part;
      }
      const waiting = this.pending.get(number);
      if (waiting) {
        await waiting;
        continue;
      }
      if (round > 2) throw new UploadError("refused", 0, `The portal did not sign part ${number} of the upload. Please try again.`);
      await this.signFrom(number);
    }
  }

  /** Part `number` must be signed again (S3 said its link expired). */
  forget(number: number): void {
    this.urls.delete(number);
  }

  done(number: number): void {
    this.finished.add(number);
    this.urls.delete(number);
  }

  private signFrom(number: number): Promise<void> {
    const batch = [number, ...this.order.filter((other) => other > number && !this.finished.has(other) && !this.valid(other) && !this.pending.has(other))].slice(0, PARTS_PER_SIGNING);
    const job = this.sign(batch);
    for (const part of batch) this.pending.set(part, job);
    const clear = () => {
      for (const part of batch) if (this.pending.get(part) === job) this.pending.delete(part);
    };
    job.then(clear, clear);
    return job;
  }

  /** Signs the next batch in the background once fewer than `ahead` signed parts wait. */
  private prefetch(): void {
    const unsent = this.order.filter((number) => !this.finished.has(number));
    const ready = unsent.filter((number) => this.valid(number) || this.pending.has(number)).length;
    if (ready >= this.ahead * 2) return;
    const next = unsent.find((number) => !this.valid(number) && !this.pending.has(number));
    if (next === undefined) return;
    // A failure here is seen again by the part's own `get`.
    this.signFrom(next).catch(() => undefined);
  }

  private async sign(batch: number[]): Promise<void> {
    const parts: { number: number; sha256: string }[] = [];
    for (const number of batch) {
      let sha256 = this.hashes.get(number);
      if (!sha256) {
        const range = partRange(number, this.file.size, this.partSize);
        let bytes: ArrayBuffer;
        try {
          bytes = await readBytes(this.file.slice(range.start, range.end));
        } catch {
          throw new UploadError("refused", 0, "The file could not be read. It may have been moved or changed; choose it again.");
        }
        sha256 = await sha256Base64(bytes);
        this.hashes.set(number, sha256);
      }
      parts.push({ number, sha256 });
    }
    const { document_id, version } = this.started;
    const answer = await this.patience.run(() => this.api.signParts(document_id, version, parts));
    // A link with less than a minute left is not worth starting a part on.
    const until = this.now() + Math.max(0, (answer.expires_in ?? 0) - 60) * 1000;
    for (const part of answer.parts) this.urls.set(part.number, { part, until });
  }
}

/**
 * Sends the parts of a multipart upload S3 does not hold yet, `inFlight` at a time. Resolves
 * when every part is there; rejects with an UploadError (stopped, refused, or the network gone
 * for longer than the patience).
 */
async function uploadParts(file: Blob, started: UploadStarted, upload: MultipartUpload, api: MultipartTarget, state: UploadState, options: UploadOptions): Promise<void> {
  const now = options.now ?? Date.now;
  const online = options.online ?? (() => typeof navigator === "undefined" || navigator.onLine !== false);
  const controller = new AbortController();
  const forward = () => controller.abort();
  if (options.signal?.aborted) throw stopped();
  options.signal?.addEventListener("abort", forward, { once: true });
  const patience = new Patience(options.patienceMs ?? 10 * 60_000, now, online, controller.signal, (stage) => options.onStage?.(stage), options.retryDelayMs ?? 1000);
  const offline = () => patience.wentOffline();
  const backOnline = () => patience.cameOnline();
  const browser = typeof window === "undefined" ? undefined : window;
  browser?.addEventListener("offline", offline);
  browser?.addEventListener("online", backOnline);
  try {
    const total = file.size;
    const partSize = upload.part_size;
    if (!(partSize > 0) || Math.max(1, Math.ceil(total / partSize)) !== upload.part_count) {
      throw new UploadError("refused", 0, "The portal and this browser disagree on how to cut the file into parts. Choose the file again.");
    }
    // What S3 already holds: nothing for an upload just started here, else ask (a resume).
    const held = state.nothingSent ? [] : (await patience.run(() => api.listParts(started.document_id, started.version))).parts;
    state.nothingSent = false;
    const remaining = missingParts(total, partSize, held);

    let done = total - remaining.reduce((sum, number) => sum + partRange(number, total, partSize).size, 0);
    const loading = new Map<number, number>();
    let sent = 0;
    let best = -1;
    let reported = 0;
    const meter = new RateMeter();
    const report = (force = false) => {
      const at = now();
      meter.sample(at, sent);
      if (!force && at - reported < 200) return;
      reported = at;
      let inFlight = 0;
      for (const value of loading.values()) inFlight += value;
      const loaded = Math.min(total, done + inFlight);
      best = Math.max(best, Math.floor((loaded / total) * 100));
      const rate = meter.rate();
      options.onProgress?.({ loaded, total, percent: best, rate, secondsLeft: secondsLeft(total - loaded, rate) });
    };
    report(true);

    const inFlight = Math.max(1, options.inFlight ?? PARTS_IN_FLIGHT);
    const signer = new PartSigner(file, started, partSize, api, remaining, patience, now, controller.signal, inFlight);
    const queue = [...remaining];
    let failure: unknown;

    const sendPart = async (number: number) => {
      const range = partRange(number, total, partSize);
      let renewed = 0;
      for (let attempt = 0; ; ) {
        const signed = await signer.get(number);
        let previous = 0;
        loading.set(number, 0);
        try {
          await putWithProgress(
            signed.url,
            signed.headers,
            file.slice(range.start, range.end),
            (progress) => {
              if (progress.loaded > previous) sent += progress.loaded - previous;
              previous = progress.loaded;
              loading.set(number, progress.loaded);
              report();
            },
            { signal: controller.signal, method: signed.method, stallMs: options.stallMs ?? 60_000 },
          );
          loading.delete(number);
          done += range.size;
          signer.done(number);
          state.partsSent = (state.partsSent ?? 0) + 1;
          patience.succeeded();
          report(true);
          return;
        } catch (error) {
          loading.delete(number);
          report(true);
          const failed = error instanceof UploadError ? error : new UploadError("network", 0, String(error));
          if (controller.signal.aborted || failed.kind === "aborted") throw stopped();
          if (failed.kind === "expired" && renewed < 3) {
            renewed += 1;
            signer.forget(number);
            continue;
          }
          if (failed.retryable) {
            await patience.wait(failed, attempt);
            attempt += 1;
            continue;
          }
          throw failed;
        }
      }
    };

    const worker = async () => {
      while (queue.length > 0 && failure === undefined) {
        await sendPart(queue.shift() as number);
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(inFlight, queue.length) }, () =>
        worker().catch((error: unknown) => {
          if (failure === undefined) failure = error;
          controller.abort();
        }),
      ),
    );
    if (options.signal?.aborted) throw stopped();
    if (failure !== undefined) throw failure;
    report(true);
  } finally {
    options.signal?.removeEventListener("abort", forward);
    browser?.removeEventListener("offline", offline);
    browser?.removeEventListener("online", backOnline);
  }
}

/**
 * The whole upload of `file`: check → SHA-256 → start → the PUT (or the parts) with progress →
 * confirm. Resolves with what `confirm` answered (undefined when a retried confirm found the
 * version already confirmed). Rejects with an Error whose message is for people; the `state`
 * passed in keeps what was done, so calling again with it continues.
 *
 * With `options.resume`, a multipart upload is remembered until it is confirmed; choosing the
 * same file (name, size, last change) at the same place later continues it: the API says which
 * parts S3 holds and only the others are sent.
 */
export async function uploadFile<T>(file: File | (Blob & { name: string }), target: UploadTarget<T>, options: UploadOptions = {}): Promise<T | undefined> {
  const state = options.state ?? {};
  const retries = options.retries ?? 2;
  const delay = options.retryDelayMs ?? 1000;
  const now = options.now ?? Date.now;
  const stage = (value: Stage) => options.onStage?.(value);
  const resume = options.resume;

  const problem = checkFile(file, options.maxBytes);
  if (problem) throw new UploadError("refused", 0, problem);
  const contentType = contentTypeOf(file) as AllowedContentType;
  const identity = { name: file.name, size: file.size, lastModified: (file as File).lastModified ?? 0 };

  const remember = (started: UploadStarted) => {
    if (!resume || !isMultipart(started.upload) || !state.sha256) return;
    const record: ResumeRecord = {
      place: resume.place,
      base: resume.base,
      document_id: started.document_id,
      version: started.version,
      file_name: identity.name,
      size: identity.size,
      last_modified: identity.lastModified,
      sha256: state.sha256,
      part_size: started.upload.part_size,
      part_count: started.upload.part_count,
      saved_at: now(),
    };
    rememberResume(resume.store, record, now());
  };
  const forget = (started: UploadStarted | undefined) => {
    if (resume && started) forgetResume(resume.store, resume.base, started.document_id, started.version, now());
  };

  // The same file, chosen again where its upload was interrupted (after a reload): continue it.
  if (!state.started && resume && target.multipart && file.size > MULTIPART_THRESHOLD) {
    const record = findResume(resume.store, resume.place, resume.base, identity, now());
    if (record) {
      stage("preparing");
      try {
        const held = await target.multipart.listParts(record.document_id, record.version);
        if (held.part_size === record.part_size && held.part_count === record.part_count) {
          state.sha256 = record.sha256;
          state.started = { document_id: record.document_id, version: record.version, upload: { kind: "multipart", part_size: record.part_size, part_count: record.part_count, expires_in: 0 } };
          state.startedAt = now();
          state.uploaded = false;
          state.confirmed = false;
          state.nothingSent = false;
          state.resumed = true;
        } else {
          forgetResume(resume.store, record.base, record.document_id, record.version, now());
        }
      } catch (error) {
        // Gone (aborted, completed or cleaned up): start afresh. No answer: say so.
        if (transientApiError(error)) throw error;
        forgetResume(resume.store, record.base, record.document_id, record.version, now());
      }
    }
  }

  if (!state.sha256) {
    stage("checking");
    state.sha256 =
      file.size > MULTIPART_THRESHOLD
        ? await sha256BlobIncremental(file, {
            signal: options.signal,
            onProgress: (read, total) => options.onProgress?.({ loaded: read, total, percent: total > 0 ? Math.floor((read / total) * 100) : 100 }),
          }).catch((error: unknown) => {
            if (options.signal?.aborted) throw stopped();
            throw error;
          })
        : await sha256Base64(file);
  }
  const declared: DeclaredFile = { file_name: file.name, content_type: contentType, size: file.size, sha256: state.sha256 };

  const fresh = async () => {
    stage("preparing");
    state.started = await target.start(declared);
    state.startedAt = now();
    state.uploaded = false;
    state.confirmed = false;
    state.nothingSent = true;
    state.resumed = false;
    remember(state.started);
  };
  // A URL with less than a minute left is not worth trying (a multipart upload signs its parts as it goes).
  const expired = () => {
    if (!state.started || !state.startedAt) return true;
    const upload = state.started.upload;
    if (isMultipart(upload)) return false;
    return now() > state.startedAt + (upload.expires_in - 60) * 1000;
  };

  let result: T | undefined;
  for (let round = 0; ; round += 1) {
    if (!state.uploaded) {
      if (expired()) await fresh();
      stage("uploading");
      const started = state.started as UploadStarted;
      if (isMultipart(started.upload)) {
        if (!target.multipart) throw new UploadError("refused", 0, "This file is too large to be sent from this page. Please try a smaller file.");
        await uploadParts(file, started, started.upload, target.multipart, state, options);
      } else {
        const meter = new RateMeter();
        const onProgress = (progress: Progress) => {
          meter.sample(now(), progress.loaded);
          const rate = meter.rate();
          options.onProgress?.({ ...progress, rate, secondsLeft: secondsLeft(progress.total - progress.loaded, rate) });
        };
        let renewed = false;
        for (let attempt = 0; ; attempt += 1) {
          const upload = (state.started as UploadStarted).upload as PresignedUpload;
          try {
            await putWithProgress(upload.url, upload.headers, file, onProgress, { signal: options.signal, method: upload.method });
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
      }
      state.uploaded = true;
    }
    if (!state.confirmed) {
      stage("confirming");
      const started = state.started as UploadStarted;
      const multipart = isMultipart(started.upload);
      // A multipart upload is worth more patience: its confirm completes minutes of work.
      const confirmRetries = multipart ? Math.max(retries, 6) : retries;
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
          if (status === 409 && !multipart && /^upload:/.test(message) && round === 0) {
            // S3 does not hold the declared file (or not yet): upload it once more.
            state.uploaded = false;
            break;
          }
          if (status === 409 && multipart && /part/i.test(message) && round === 0) {
            // Parts are missing: ask S3 which, and send them.
            state.uploaded = false;
            state.nothingSent = false;
            break;
          }
          if ((status === 0 || status >= 500) && attempt < confirmRetries) {
            await sleep(Math.min(30_000, delay * 2 ** attempt), options.signal);
            continue;
          }
          throw error;
        }
      }
      if (!state.uploaded) continue;
      state.confirmed = true;
      forget(started);
      if (confirmedAgain) result = undefined;
    }
    stage("done");
    return result;
  }
}

/**
 * Stops an upload that was started (the API aborts the multipart upload, or marks the single
 * upload's version aborted) and forgets it. Errors are left to the caller.
 */
export async function abortUpload(state: UploadState, target: { abort: (documentId: string, version: number) => Promise<unknown> }, resume?: UploadOptions["resume"], now: () => number = Date.now): Promise<void> {
  const started = state.started;
  if (!started || state.confirmed) return;
  if (resume) forgetResume(resume.store, resume.base, started.document_id, started.version, now());
  await target.abort(started.document_id, started.version);
}

