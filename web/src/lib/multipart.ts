// The pure parts of a large upload, kept apart so they can be unit-tested: how a file is cut
// into parts, which parts are still to send after a break, speed and time left in words, and
// what is remembered (in localStorage) to continue an upload after the page was reloaded.

/** Above this size the API answers a multipart upload (8 MiB); at or below, one PUT. */
export const MULTIPART_THRESHOLD = 8 * 1024 * 1024;
/** Parts uploaded at the same time. */
export const PARTS_IN_FLIGHT = 4;
/** Parts signed by one `POST …/parts` (the API takes 1 to 10). */
export const PARTS_PER_SIGNING = 10;

export interface PartRange {
  /** 1-based, as S3 numbers parts. */
  number: number;
  /** First byte (inclusive). */
  start: number;
  /** Last byte (exclusive). */
  end: number;
  size: number;
}

/** How many parts of `partSize` a file of `size` bytes makes (the last one may be shorter). */
export function partCount(size: number, partSize: number): number {
  if (!(partSize > 0)) throw new RangeError("The part size must be positive.");
  return Math.max(1, Math.ceil(size / partSize));
}

/** The bytes of part `number`: every part is `partSize` bytes except the last. */
export function partRange(number: number, size: number, partSize: number): PartRange {
  const count = partCount(size, partSize);
  if (!Number.isInteger(number) || number < 1 || number > count) throw new RangeError(`Part ${number} is not between 1 and ${count}.`);
  const start = (number - 1) * partSize;
  const end = number === count ? size : start + partSize;
  return { number, start, end, size: end - start };
}

/** Every part of a file, in order. */
export function partRanges(size: number, partSize: number): PartRange[] {
  return Array.from({ length: partCount(size, partSize) }, (_, index) => partRange(index + 1, size, partSize));
}

/**
 * The parts still to send, in order: those S3 does not hold, and those it holds with another
 * size than this file's part (a part of an earlier, different file, or a cut one).
 */
export function missingParts(size: number, partSize: number, held: readonly { number: number; size: number }[]): number[] {
  const got = new Map(held.map((part) => [part.number, part.size]));
  return partRanges(size, partSize)
    .filter((part) => got.get(part.number) !== part.size)
    .map((part) => part.number);
}

/** `items` in groups of at most `size`, in order. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const groups: T[][] = [];
  for (let index = 0; index < items.length; index += size) groups.push(items.slice(index, index + size));
  return groups;
}

// ---------------------------------------------------------------- speed and time left

/**
 * Bytes per second over the last few seconds. Feed it the bytes sent so far (a count that
 * only grows: bytes of a part that failed and is sent again count twice, they were sent).
 */
export class RateMeter {
  private samples: { at: number; bytes: number }[] = [];
  constructor(private readonly windowMs = 5000) {}

  sample(at: number, bytes: number): void {
    this.samples.push({ at, bytes });
    // Keep one sample older than the window, so the window is always covered.
    while (this.samples.length > 2 && this.samples[1]!.at <= at - this.windowMs) this.samples.shift();
  }

  /** Bytes per second; undefined until there is at least a second of samples. */
  rate(): number | undefined {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last) return undefined;
    const elapsed = last.at - first.at;
    if (elapsed < 1000) return undefined;
    return Math.max(0, ((last.bytes - first.bytes) * 1000) / elapsed);
  }
}

/** `12.3 MB/s` (MB as formatSize counts them, 1,048,576 bytes); KB/s below a tenth of one. */
export function formatSpeed(bytesPerSecond: number | undefined): string {
  if (bytesPerSecond === undefined || !Number.isFinite(bytesPerSecond) || bytesPerSecond < 0) return "";
  const mb = bytesPerSecond / (1024 * 1024);
  if (mb >= 100) return `${Math.round(mb)} MB/s`;
  if (mb >= 0.1) return `${mb.toFixed(1)} MB/s`;
  return `${Math.round(bytesPerSecond / 1024)} KB/s`;
}

/** Seconds left at this speed; undefined while the speed is unknown or zero. */
export function secondsLeft(remainingBytes: number, bytesPerSecond: number | undefined): number | undefined {
  if (remainingBytes <= 0) return 0;
  if (!bytesPerSecond || !Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return undefined;
  return remainingBytes / bytesPerSecond;
}

/** Time left in words: `a few seconds left`, `40 s left`, `3 min left`, `1 h 5 min left`. */
export function formatTimeLeft(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "";
  if (seconds < 5) return "a few seconds left";
  if (seconds < 60) return `${Math.ceil(seconds / 5) * 5} s left`;
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min left`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.round((seconds - hours * 3600) / 60);
  if (minutes === 60) return `${hours + 1} h left`;
  return minutes === 0 ? `${hours} h left` : `${hours} h ${minutes} min left`;
}

// ---------------------------------------------------------------- continuing after a reload

/** What is kept to continue an upload: the version reserved for it and the file it was for. */
export interface ResumeRecord {
  /** Where in the portal the upload was started (e.g. the page and the upload's action). */
  place: string;
  /** `/api` (a contact) or `/api/clients/<id>` (the firm). */
  base: string;
  document_id: string;
  version: number;
  file_name: string;
  size: number;
  last_modified: number;
  /** The whole file's SHA-256 (base64), so it is not computed again. */
  sha256: string;
  part_size: number;
  part_count: number;
  /** When it was saved (ms since the epoch). */
  saved_at: number;
}

export interface FileIdentity {
  name: string;
  size: number;
  lastModified: number;
}

const RESUME_KEY = "atrium.uploads";
/** Unfinished uploads are forgotten after this long (the bucket's lifecycle rule aborts them too). */
export const RESUME_FOR_MS = 6 * 24 * 3600 * 1000;

type Store = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/** The store, or undefined where storage is refused (private windows, blocked cookies). */
export function browserStore(): Store | undefined {
  try {
    return typeof localStorage === "undefined" ? undefined : localStorage;
  } catch {
    return undefined;
  }
}

function readAll(store: Store | undefined, now: number): ResumeRecord[] {
  if (!store) return [];
  try {
    const parsed: unknown = JSON.parse(store.getItem(RESUME_KEY) ?? "[]");
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (record): record is ResumeRecord =>
        typeof record === "object" &&
        record !== null &&
        typeof record.document_id === "string" &&
        typeof record.version === "number" &&
        typeof record.base === "string" &&
        typeof record.place === "string" &&
        typeof record.sha256 === "string" &&
        typeof record.saved_at === "number" &&
        now - record.saved_at < RESUME_FOR_MS,
    );
  } catch {
    return [];
  }
}

function writeAll(store: Store | undefined, records: ResumeRecord[]): void {
  if (!store) return;
  try {
    if (records.length === 0) store.removeItem(RESUME_KEY);
    else store.setItem(RESUME_KEY, JSON.stringify(records.slice(-20)));
  } catch {
    // Full or refused: the upload still works, it only cannot continue after a reload.
  }
}

const sameFile = (record: ResumeRecord, file: FileIdentity) => record.file_name === file.name && record.size === file.size && record.last_modified === file.lastModified;

/** The unfinished upload of this very file (name, size, last change) at this place, if any. */
export function findResume(store: Store | undefined, place: string, base: string, file: FileIdentity, now = Date.now()): ResumeRecord | undefined {
  return readAll(store, now).find((record) => record.place === place && record.base === base && sameFile(record, file));
}

/** Unfinished uploads started at this place (to offer to continue them). */
export function resumesAt(store: Store | undefined, place: string, base: string, now = Date.now()): ResumeRecord[] {
  return readAll(store, now).filter((record) => record.place === place && record.base === base);
}

export function rememberResume(store: Store | undefined, record: ResumeRecord, now = Date.now()): void {
  const others = readAll(store, now).filter((existing) => !(existing.base === record.base && existing.document_id === record.document_id && existing.version === record.version));
  writeAll(store, [...others, record]);
}

export function forgetResume(store: Store | undefined, base: string, documentId: string, version: number, now = Date.now()): void {
  const all = readAll(store, now);
  const kept = all.filter((record) => !(record.base === base && record.document_id === documentId && record.version === version));
  writeAll(store, kept);
}
