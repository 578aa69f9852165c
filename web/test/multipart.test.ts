/// <reference types="node" />
// Large uploads: the pure parts (cutting a file into parts, which parts remain after a break,
// speed and time left in words, what is remembered to continue after a reload) and the
// multipart upload itself against a real HTTP server standing in for S3 (jsdom's XMLHttpRequest
// does real HTTP): every part once with its own checksum, four at a time, through dropped
// connections and an offline spell, continued after a "reload" without sending a part twice.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sha256BlobIncremental } from "../src/lib/checksum";
import {
  chunk,
  findResume,
  forgetResume,
  formatSpeed,
  formatTimeLeft,
  missingParts,
  partCount,
  partRange,
  partRanges,
  RateMeter,
  rememberResume,
  resumesAt,
  RESUME_FOR_MS,
  secondsLeft,
  type ResumeRecord,
} from "../src/lib/multipart";
import { abortUpload, uploadFile, type DeclaredFile, type Stage, type UploadState, type UploadTarget } from "../src/lib/upload";

const MiB = 1024 * 1024;

describe("cutting a file into parts", () => {
  it("makes parts of part_size, the last one shorter, covering every byte once", () => {
    const size = 20 * MiB + 5;
    const parts = partRanges(size, 8 * MiB);
    expect(parts.map((part) => part.size)).toEqual([8 * MiB, 8 * MiB, 4 * MiB + 5]);
    expect(parts.map((part) => part.number)).toEqual([1, 2, 3]);
    expect(parts[0]).toEqual({ number: 1, start: 0, end: 8 * MiB, size: 8 * MiB });
    expect(parts[2]).toEqual({ number: 3, start: 16 * MiB, end: size, size: 4 * MiB + 5 });
    for (let index = 1; index < parts.length; index += 1) expect(parts[index]!.start).toBe(parts[index - 1]!.end);
    expect(parts.reduce((sum, part) => sum + part.size, 0)).toBe(size);
  });

  it("counts parts exactly at the boundaries", () => {
    expect(partCount(8 * MiB, 8 * MiB)).toBe(1);
    expect(partCount(8 * MiB + 1, 8 * MiB)).toBe(2);
    expect(partCount(16 * MiB, 8 * MiB)).toBe(2);
    expect(partCount(200 * 1000 * 1000, 8 * MiB)).toBe(24);
    expect(partCount(5 * 1024 * MiB, 8 * MiB)).toBe(640);
    expect(partRange(2, 16 * MiB, 8 * MiB).size).toBe(8 * MiB);
  });

  it("refuses part numbers out of range and a part size of nothing", () => {
    expect(() => partRange(0, 10, 4)).toThrow(RangeError);
    expect(() => partRange(4, 10, 4)).toThrow(/not between 1 and 3/);
    expect(() => partRange(1.5, 10, 4)).toThrow(RangeError);
    expect(() => partCount(10, 0)).toThrow(RangeError);
  });

  it("groups parts ten at a time for signing", () => {
    const numbers = Array.from({ length: 23 }, (_, index) => index + 1);
    expect(chunk(numbers, 10).map((group) => group.length)).toEqual([10, 10, 3]);
    expect(chunk([], 10)).toEqual([]);
  });
});

describe("which parts remain after a break", () => {
  const size = 30 * MiB + 7; // 4 parts of 8 MiB, the last 6 MiB + 7
  const partSize = 8 * MiB;

  it("all of them when S3 holds none", () => {
    expect(missingParts(size, partSize, [])).toEqual([1, 2, 3, 4]);
  });

  it("only those S3 does not hold", () => {
    expect(
      missingParts(size, partSize, [
        { number: 1, size: partSize },
        { number: 3, size: partSize },
      ]),
    ).toEqual([2, 4]);
    expect(missingParts(size, partSize, partRanges(size, partSize))).toEqual([]);
  });

  it("again those S3 holds with another size (a cut part, another file's), and ignores numbers past the end", () => {
    expect(
      missingParts(size, partSize, [
        { number: 1, size: partSize - 1 },
        { number: 2, size: partSize },
        { number: 4, size: partSize },
        { number: 9, size: partSize },
      ]),
    ).toEqual([1, 3, 4]);
    expect(missingParts(size, partSize, [{ number: 4, size: 6 * MiB + 7 }])).toEqual([1, 2, 3]);
  });
});

describe("speed and time left", () => {
  it("measures bytes per second over the last seconds", () => {
    const meter = new RateMeter(5000);
    meter.sample(0, 0);
    meter.sample(500, 1 * MiB);
    expect(meter.rate()).toBeUndefined(); // less than a second: not yet
    meter.sample(1000, 2 * MiB);
    expect(meter.rate()).toBe(2 * MiB);
    // Ten seconds later at 1 MiB/s: the old, faster start has left the window.
    for (let second = 2; second <= 12; second += 1) meter.sample(second * 1000, 2 * MiB + (second - 1) * MiB);
    expect(meter.rate()).toBeCloseTo(MiB, -3);
  });

  it("says the speed in MB/s (KB/s when slow)", () => {
    expect(formatSpeed(12.34 * MiB)).toBe("12.3 MB/s");
    expect(formatSpeed(0.5 * MiB)).toBe("0.5 MB/s");
    expect(formatSpeed(250 * MiB)).toBe("250 MB/s");
    expect(formatSpeed(20 * 1024)).toBe("20 KB/s");
    expect(formatSpeed(undefined)).toBe("");
    expect(formatSpeed(Number.NaN)).toBe("");
  });

  it("works out the time left and says it for people", () => {
    expect(secondsLeft(100 * MiB, 10 * MiB)).toBe(10);
    expect(secondsLeft(0, undefined)).toBe(0);
    expect(secondsLeft(100, undefined)).toBeUndefined();
    expect(secondsLeft(100, 0)).toBeUndefined();
    expect(formatTimeLeft(undefined)).toBe("");
    expect(formatTimeLeft(0)).toBe("a few seconds left");
    expect(formatTimeLeft(4.2)).toBe("a few seconds left");
    expect(formatTimeLeft(37)).toBe("40 s left");
    expect(formatTimeLeft(60)).toBe("1 min left");
    expect(formatTimeLeft(150)).toBe("3 min left");
    expect(formatTimeLeft(3600)).toBe("1 h left");
    expect(formatTimeLeft(3600 + 5 * 60)).toBe("1 h 5 min left");
    expect(formatTimeLeft(2 * 3600 - 10)).toBe("2 h left");
    expect(formatTimeLeft(Number.POSITIVE_INFINITY)).toBe("");
  });
});

/** A Storage in memory. */
function memoryStore() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

describe("remembering an upload to continue it after a reload", () => {
  const file = { name: "ledger.zip", size: 200 * MiB, lastModified: 1_700_000_000_000 };
  const record = (extra: Partial<ResumeRecord> = {}): ResumeRecord => ({
    place: "/documents#Upload document",
    base: "/api",
    document_id: "01DOC",
    version: 1,
    file_name: file.name,
    size: file.size,
    last_modified: file.lastModified,
    sha256: "c2hh",
    part_size: 8 * MiB,
    part_count: 25,
    saved_at: 1_000,
    ...extra,
  });

  it("finds the same file (name, size, last change) at the same place only", () => {
    const store = memoryStore();
    rememberResume(store, record(), 2_000);
    expect(findResume(store, "/documents#Upload document", "/api", file, 2_000)?.document_id).toBe("01DOC");
    expect(findResume(store, "/documents#Upload document", "/api", { ...file, lastModified: 1 }, 2_000)).toBeUndefined();
    expect(findResume(store, "/documents#Upload document", "/api", { ...file, size: 1 }, 2_000)).toBeUndefined();
    expect(findResume(store, "/requests/1#Upload", "/api", file, 2_000)).toBeUndefined();
    expect(findResume(store, "/documents#Upload document", "/api/clients/C1", file, 2_000)).toBeUndefined();
    expect(resumesAt(store, "/documents#Upload document", "/api", 2_000)).toHaveLength(1);
  });

  it("keeps one record per version and forgets it once done", () => {
    const store = memoryStore();
    rememberResume(store, record(), 2_000);
    rememberResume(store, record({ sha256: "bmV3" }), 3_000);
    rememberResume(store, record({ document_id: "01OTHER", file_name: "other.zip" }), 3_000);
    expect(resumesAt(store, "/documents#Upload document", "/api", 3_000).map((entry) => entry.sha256)).toEqual(["bmV3", "c2hh"]);
    forgetResume(store, "/api", "01DOC", 1, 3_000);
    expect(resumesAt(store, "/documents#Upload document", "/api", 3_000).map((entry) => entry.document_id)).toEqual(["01OTHER"]);
    forgetResume(store, "/api", "01OTHER", 1, 3_000);
    expect(store.items.size).toBe(0);
  });

  it("forgets uploads older than the bucket keeps them, and survives garbage", () => {
    const store = memoryStore();
    rememberResume(store, record({ saved_at: 0 }), 0);
    expect(findResume(store, "/documents#Upload document", "/api", file, RESUME_FOR_MS + 1)).toBeUndefined();
    store.setItem("atrium.uploads", "{not json");
    expect(resumesAt(store, "/documents#Upload document", "/api")).toEqual([]);
    expect(findResume(undefined, "p", "/api", file)).toBeUndefined();
  });
});

// ---------------------------------------------------------------- against an S3 stand-in

interface PartPut {
  number: number;
  headers: IncomingMessage["headers"];
  body: Buffer;
  status: number;
}

let server: Server;
let base = "";
let puts: PartPut[] = [];
/** Parts S3 holds: number → bytes. */
let held = new Map<number, Buffer>();
/** What the next PUTs of a part do, in order: drop the connection, or answer a status. */
let faults = new Map<number, ("drop" | "hang" | number)[]>();
let inFlight = 0;
let maxInFlight = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    response.setHeader("access-control-allow-origin", request.headers.origin ?? "*");
    response.setHeader("access-control-allow-methods", "GET, PUT");
    response.setHeader("access-control-allow-headers", request.headers["access-control-request-headers"] ?? "*");
    if (request.method === "OPTIONS") {
      response.writeHead(200).end();
      return;
    }
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", base);
      const number = Number(url.searchParams.get("partNumber"));
      const body = Buffer.concat(chunks);
      const fault = faults.get(number)?.shift();
      if (fault === "hang") {
        // Never answers (a connection that died silently); the browser has to give up on it.
        inFlight -= 1;
        puts.push({ number, headers: request.headers, body, status: 0 });
        return;
      }
      // A little time on the wire, so parts overlap as they do on a real network.
      setTimeout(() => {
        inFlight -= 1;
        if (fault === "drop") {
          puts.push({ number, headers: request.headers, body, status: 0 });
          request.socket.destroy();
          return;
        }
        let status = typeof fault === "number" ? fault : 200;
        if (status === 200 && createHash("sha256").update(body).digest("base64") !== request.headers["x-amz-checksum-sha256"]) status = 400;
        puts.push({ number, headers: request.headers, body, status });
        if (status === 200) held.set(number, body);
        const xml = status === 400 ? "<Error><Code>BadDigest</Code></Error>" : status >= 500 ? "<Error><Code>InternalError</Code></Error>" : "";
        response.writeHead(status, { "content-type": "application/xml" }).end(xml);
      }, 15);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  puts = [];
  held = new Map();
  faults = new Map();
  inFlight = 0;
  maxInFlight = 0;
});

/** A file just over the multipart threshold, in parts of 1 MiB (the stand-in API says so). */
const PART = MiB;
function bigFile(size = 8 * MiB + 300_000, name = "ledger.zip"): { file: File; bytes: Uint8Array } {
  const bytes = new Uint8Array(size);
  for (let index = 0; index < size; index += 1) bytes[index] = (index * 31 + (index >> 12)) & 0xff;
  return { file: new File([bytes], name, { type: "application/zip", lastModified: 1_700_000_000_000 }), bytes };
}

function api(file: File, options: { loseOnFirstConfirm?: number } = {}) {
  const count = partCount(file.size, PART);
  const calls = { start: [] as DeclaredFile[], sign: [] as number[][], list: 0, confirm: 0, abort: [] as [string, number][] };
  let lose = options.loseOnFirstConfirm;
  const target: UploadTarget<{ confirmed: number }> = {
    start: async (declared) => {
      calls.start.push(declared);
      return { document_id: "d1", version: 1, upload: { kind: "multipart", part_size: PART, part_count: count, expires_in: 900 } };
    },
    confirm: async (_document, version) => {
      calls.confirm += 1;
      if (lose !== undefined) {
        held.delete(lose);
        lose = undefined;
      }
      const missing = partRanges(file.size, PART).filter((part) => held.get(part.number)?.length !== part.size).length;
      if (missing > 0) throw Object.assign(new Error(`upload: ${missing} parts are missing; send them and confirm again`), { status: 409 });
      return { confirmed: version };
    },
    multipart: {
      signParts: async (_document, _version, parts) => {
        calls.sign.push(parts.map((part) => part.number));
        return {
          parts: parts.map((part) => ({
            number: part.number,
            method: "PUT",
            url: `${base}/bucket/tenants/t1/documents/d1/v1?partNumber=${part.number}&uploadId=u1&X-Amz-Signature=abc`,
            headers: { "content-length": String(partRange(part.number, file.size, PART).size), "x-amz-checksum-sha256": part.sha256, "x-amz-sdk-checksum-algorithm": "SHA256" },
          })),
          expires_in: 900,
        };
      },
      listParts: async () => {
        calls.list += 1;
        return { part_size: PART, part_count: count, parts: [...held.entries()].map(([number, body]) => ({ number, size: body.length })) };
      },
      abort: async (document, version) => {
        calls.abort.push([document, version]);
        held.clear();
      },
    },
  };
  return { target, calls, count };
}

const ok = () => puts.filter((put) => put.status === 200);
const sentOnce = () => {
  const numbers = ok().map((put) => put.number);
  return new Set(numbers).size === numbers.length;
};

describe("a multipart upload", () => {
  it("computes the whole file's SHA-256 in slices, equal to the one-shot digest", async () => {
    const { file, bytes } = bigFile(3 * MiB + 17);
    const seen: number[] = [];
    const digest = await sha256BlobIncremental(file, { sliceBytes: MiB, onProgress: (read) => seen.push(read) });
    expect(digest).toBe(createHash("sha256").update(bytes).digest("base64"));
    expect(seen).toEqual([0, MiB, 2 * MiB, 3 * MiB, 3 * MiB + 17]);
  });

  it("sends every part once with its own checksum, four at a time, signed ten at a time, then confirms", async () => {
    const { file, bytes } = bigFile();
    const { target, calls, count } = api(file);
    const stages: Stage[] = [];
    const percents: number[] = [];
    const result = await uploadFile(file, target, { retryDelayMs: 0, onStage: (stage) => stages.push(stage), onProgress: (progress) => percents.push(progress.percent) });
    expect(result).toEqual({ confirmed: 1 });
    expect(count).toBe(9);
    expect(calls.start).toEqual([{ file_name: "ledger.zip", content_type: "application/zip", size: file.size, sha256: createHash("sha256").update(bytes).digest("base64") }]);
    // Nothing to ask S3 about an upload just started.
    expect(calls.list).toBe(0);
    expect(ok().map((put) => put.number).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(puts).toHaveLength(9);
    for (const put of ok()) {
      const range = partRange(put.number, file.size, PART);
      expect(put.body.equals(Buffer.from(bytes.subarray(range.start, range.end)))).toBe(true);
      expect(put.headers["x-amz-checksum-sha256"]).toBe(createHash("sha256").update(put.body).digest("base64"));
      expect(put.headers["x-amz-sdk-checksum-algorithm"]).toBe("SHA256");
    }
    expect(maxInFlight).toBeLessThanOrEqual(4);
    expect(maxInFlight).toBeGreaterThan(1);
    for (const batch of calls.sign) expect(batch.length).toBeLessThanOrEqual(10);
    expect(calls.sign.flat().sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(calls.confirm).toBe(1);
    expect(stages).toEqual(["checking", "preparing", "uploading", "confirming", "done"]);
    expect(percents.at(-1)).toBe(100);
  });

  it("keeps going through dropped connections and 5xx answers, sending no part twice", async () => {
    const { file } = bigFile();
    const { target } = api(file);
    faults.set(2, ["drop", 503]);
    faults.set(7, ["drop"]);
    const stages: Stage[] = [];
    await uploadFile(file, target, { retryDelayMs: 0, onStage: (stage) => stages.push(stage) });
    expect(ok()).toHaveLength(9);
    expect(sentOnce()).toBe(true);
    expect(puts).toHaveLength(12);
    expect(stages).toContain("waiting");
    expect(stages.at(-1)).toBe("done");
  });

  it("gives up on a part that stalls (no answer, no error) and sends it again", async () => {
    const { file } = bigFile();
    const { target } = api(file);
    faults.set(4, ["hang"]);
    await uploadFile(file, target, { retryDelayMs: 0, stallMs: 300 });
    expect(ok()).toHaveLength(9);
    expect(sentOnce()).toBe(true);
    expect(puts.filter((put) => put.number === 4)).toHaveLength(2);
  });

  it("waits for the browser to be online again before sending the failed part again", async () => {
    const { file } = bigFile();
    const { target } = api(file);
    let online = true;
    faults.set(3, ["drop"]);
    const waits: number[] = [];
    const upload = uploadFile(file, target, {
      retryDelayMs: 10,
      online: () => online,
      onStage: (stage) => {
        if (stage === "waiting") {
          online = false;
          waits.push(puts.length);
          setTimeout(() => (online = true), 300);
        }
      },
    });
    await upload;
    expect(waits).toHaveLength(1);
    expect(ok()).toHaveLength(9);
    expect(sentOnce()).toBe(true);
    expect(puts.filter((put) => put.number === 3)).toHaveLength(2);
  });

  it("gives up after its patience with a message that says to try again, and continues from there", async () => {
    const { file } = bigFile();
    const { target, calls } = api(file);
    faults.set(5, ["drop", "drop", "drop", "drop", "drop", "drop", "drop", "drop"]);
    const state: UploadState = {};
    const error = (await uploadFile(file, target, { retryDelayMs: 5, patienceMs: 100, state }).catch((problem: unknown) => problem)) as Error;
    expect(error.message).toMatch(/try again to continue where it stopped/);
    expect(held.has(5)).toBe(false);
    faults.clear();
    const before = ok().length;
    await uploadFile(file, target, { retryDelayMs: 0, state });
    // "Try again": S3 is asked which parts it holds; only the others go.
    expect(calls.list).toBe(1);
    expect(calls.start).toHaveLength(1);
    expect(ok().length - before).toBe(9 - before);
    expect(sentOnce()).toBe(true);
  });

  it("continues after a reload: the same file chosen again sends only the missing parts, without a new start", async () => {
    const { file } = bigFile();
    const store = memoryStore();
    const resume = { store, place: "/documents#Upload document", base: "/api" };
    const first = api(file);
    // Part 6 is refused for good (as if the tab were closed mid-way): the upload stops.
    faults.set(6, [403, 403, 403, 403]);
    await expect(uploadFile(file, first.target, { retryDelayMs: 0, resume, inFlight: 1 })).rejects.toThrow();
    expect([...held.keys()].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(findResume(store, resume.place, resume.base, file)?.document_id).toBe("d1");

    // The page is reloaded: a fresh state, the same file chosen again.
    faults.clear();
    const second = api(file);
    const before = puts.length;
    const stages: Stage[] = [];
    const result = await uploadFile(file, second.target, { retryDelayMs: 0, resume, state: {}, onStage: (stage) => stages.push(stage) });
    expect(result).toEqual({ confirmed: 1 });
    expect(second.calls.start).toHaveLength(0);
    expect(second.calls.list).toBeGreaterThanOrEqual(1);
    // The whole file is not read again: its SHA-256 was remembered.
    expect(stages).not.toContain("checking");
    expect(
      puts
        .slice(before)
        .map((put) => put.number)
        .sort((a, b) => a - b),
    ).toEqual([6, 7, 8, 9]);
    expect(sentOnce()).toBe(true);
    // Done: nothing left to continue.
    expect(findResume(store, resume.place, resume.base, file)).toBeUndefined();
  });

  it("sends again a part the confirm says is missing", async () => {
    const { file } = bigFile();
    const { target, calls } = api(file, { loseOnFirstConfirm: 4 });
    await uploadFile(file, target, { retryDelayMs: 0 });
    expect(calls.confirm).toBe(2);
    expect(calls.list).toBe(1);
    expect(puts.filter((put) => put.number === 4)).toHaveLength(2);
    expect(ok()).toHaveLength(10);
  });

  it("refuses a part whose bytes do not match the checksum (the file changed), without retrying it", async () => {
    const { file } = bigFile();
    const { target } = api(file);
    faults.set(1, [400]);
    await expect(uploadFile(file, target, { retryDelayMs: 0 })).rejects.toThrow(/does not match the one checked/);
    expect(puts.filter((put) => put.number === 1)).toHaveLength(1);
  });

  it("is cancelled: the parts stop, the API aborts the upload, nothing is remembered", async () => {
    const { file } = bigFile();
    const store = memoryStore();
    const resume = { store, place: "p", base: "/api" };
    const { target, calls } = api(file);
    const controller = new AbortController();
    const state: UploadState = {};
    let stage: Stage = "checking";
    const upload = uploadFile(file, target, {
      retryDelayMs: 0,
      resume,
      state,
      signal: controller.signal,
      onStage: (value) => (stage = value),
      onProgress: (progress) => {
        if (stage === "uploading" && progress.loaded > 2 * MiB) controller.abort();
      },
    });
    await expect(upload).rejects.toThrow("The upload was stopped.");
    expect(ok().length).toBeLessThan(9);
    expect(findResume(store, "p", "/api", file)).toBeDefined();
    await abortUpload(state, target.multipart!, resume);
    expect(calls.abort).toEqual([["d1", 1]]);
    expect(held.size).toBe(0);
    expect(findResume(store, "p", "/api", file)).toBeUndefined();
  });
});
