/// <reference types="node" />
// The presigned PUT against a real HTTP server (jsdom's XMLHttpRequest does real HTTP, CORS
// preflight included): the body arrives intact, the headers are exactly the presigned ones,
// progress climbs to 100 %, a 5xx is retried, a persistent failure has a readable message, an
// expired link is replaced, a lost confirm is confirmed again.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkFile, contentTypeOf, putWithProgress, sha256Base64, uploadFile, UploadError, type DeclaredFile, type Progress, type UploadStarted, type UploadState } from "../src/lib/upload";

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

let server: Server;
let base = "";
let recorded: Recorded[] = [];
/** What the next PUTs answer, in order; then 200. */
let script: { status: number; body?: string }[] = [];

function cors(response: ServerResponse, request: IncomingMessage) {
  // What the documents bucket's CORS rule answers (template.yaml: GET, PUT, any header).
  response.setHeader("access-control-allow-origin", request.headers.origin ?? "*");
  response.setHeader("access-control-allow-methods", "GET, PUT");
  response.setHeader("access-control-allow-headers", request.headers["access-control-request-headers"] ?? "*");
  response.setHeader("access-control-max-age", "0");
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      recorded.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks) });
      cors(response, request);
      if (request.method === "OPTIONS") {
        response.writeHead(200).end();
        return;
      }
      const next = script.shift() ?? { status: 200 };
      response.writeHead(next.status, { "content-type": "application/xml" }).end(next.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  recorded = [];
  script = [];
});

const puts = () => recorded.filter((request) => request.method === "PUT");

function fileOf(size: number, name = "statement.pdf", type = "application/pdf"): { file: File; bytes: Uint8Array } {
  const bytes = new Uint8Array(size);
  for (let index = 0; index < size; index += 1) bytes[index] = (index * 13 + (index >> 10)) & 0xff;
  return { file: new File([bytes], name, { type }), bytes };
}

function presigned(declared: DeclaredFile, path = "/bucket/tenants/t1/documents/d1/v1"): UploadStarted {
  return {
    document_id: "d1",
    version: 1,
    upload: {
      method: "PUT",
      url: `${base}${path}?X-Amz-Signature=abc`,
      headers: {
        "content-length": String(declared.size),
        "content-type": declared.content_type,
        "x-amz-checksum-sha256": declared.sha256,
        "x-amz-sdk-checksum-algorithm": "SHA256",
      },
      expires_in: 900,
    },
  };
}

describe("putWithProgress", () => {
  it("sends the body intact with exactly the presigned headers, and reports progress up to 100%", async () => {
    const { file, bytes } = fileOf(3 * 1024 * 1024 + 11);
    const sha256 = await sha256Base64(file);
    const headers = { "content-type": "application/pdf", "x-amz-checksum-sha256": sha256, "x-amz-sdk-checksum-algorithm": "SHA256", "content-length": String(file.size) };
    const progress: Progress[] = [];
    await putWithProgress(`${base}/bucket/key?sig=1`, headers, file, (value) => progress.push(value));

    const [put] = puts();
    expect(put).toBeDefined();
    expect(put!.url).toBe("/bucket/key?sig=1");
    expect(put!.body.length).toBe(bytes.length);
    expect(put!.body.equals(Buffer.from(bytes))).toBe(true);
    expect(createHash("sha256").update(put!.body).digest("base64")).toBe(sha256);
    // Every presigned header arrived with its value (content-length set by the runtime, same value)…
    for (const [name, value] of Object.entries(headers)) expect(put!.headers[name]).toBe(value);
    // …and no other x-amz-* header was added.
    expect(Object.keys(put!.headers).filter((name) => name.startsWith("x-amz-")).sort()).toEqual(["x-amz-checksum-sha256", "x-amz-sdk-checksum-algorithm"]);

    const percents = progress.map((value) => value.percent);
    expect(percents[0]).toBe(0);
    expect(percents.at(-1)).toBe(100);
    for (let index = 1; index < percents.length; index += 1) expect(percents[index]!).toBeGreaterThan(percents[index - 1]!);
    expect(progress.at(-1)!.loaded).toBe(file.size);
    expect(progress.at(-1)!.total).toBe(file.size);
  });

  it("answers the CORS preflight the way a browser asks it", async () => {
    const { file } = fileOf(10, "a.txt", "text/plain");
    await putWithProgress(`${base}/bucket/k`, { "content-type": "text/plain", "x-amz-checksum-sha256": "x" }, file);
    const preflight = recorded.find((request) => request.method === "OPTIONS");
    // jsdom enforces CORS like a browser: a cross-origin PUT with x-amz-* headers is preflighted.
    expect(preflight?.headers["access-control-request-method"]).toBe("PUT");
    expect(String(preflight?.headers["access-control-request-headers"])).toContain("x-amz-checksum-sha256");
  });

  it("rejects a 5xx with a readable, retryable error", async () => {
    script = [{ status: 503, body: "<Error><Code>SlowDown</Code></Error>" }];
    const { file } = fileOf(100);
    const error = await putWithProgress(`${base}/bucket/k`, { "content-type": "application/pdf" }, file).catch((problem: unknown) => problem);
    expect(error).toBeInstanceOf(UploadError);
    expect((error as UploadError).retryable).toBe(true);
    expect((error as UploadError).message).toMatch(/could not take the file just now \(error 503\)/);
  });

  it("rejects when the server cannot be reached", async () => {
    const { file } = fileOf(100);
    const error = (await putWithProgress("http://127.0.0.1:1/bucket/k", { "content-type": "application/pdf" }, file).catch((problem: unknown) => problem)) as UploadError;
    expect(error.kind).toBe("network");
    expect(error.message).toMatch(/could not be reached/);
  });
});

describe("uploadFile", () => {
  function target(options: { confirmFailures?: unknown[] } = {}) {
    const calls = { start: [] as DeclaredFile[], confirm: [] as [string, number][] };
    const confirmFailures = [...(options.confirmFailures ?? [])];
    let started = 0;
    return {
      calls,
      target: {
        start: async (declared: DeclaredFile) => {
          calls.start.push(declared);
          started += 1;
          return presigned(declared, `/bucket/v${started}`);
        },
        confirm: async (documentId: string, version: number) => {
          calls.confirm.push([documentId, version]);
          const failure = confirmFailures.shift();
          if (failure) throw failure;
          return { confirmed: version };
        },
      },
    };
  }

  it("checks, starts, PUTs and confirms", async () => {
    const { file, bytes } = fileOf(200_000, "Bank statement.pdf");
    const { calls, target: api } = target();
    const stages: string[] = [];
    const progress: number[] = [];
    const result = await uploadFile(file, api, { onStage: (stage) => stages.push(stage), onProgress: (value) => progress.push(value.percent), retryDelayMs: 0 });
    expect(result).toEqual({ confirmed: 1 });
    expect(calls.start).toEqual([{ file_name: "Bank statement.pdf", content_type: "application/pdf", size: 200_000, sha256: createHash("sha256").update(bytes).digest("base64") }]);
    expect(calls.confirm).toEqual([["d1", 1]]);
    expect(stages).toEqual(["checking", "preparing", "uploading", "confirming", "done"]);
    expect(progress.at(-1)).toBe(100);
    expect(puts()).toHaveLength(1);
    expect(puts()[0]!.body.equals(Buffer.from(bytes))).toBe(true);
  });

  it("retries after a 500 and succeeds", async () => {
    script = [{ status: 500, body: "<Error><Code>InternalError</Code></Error>" }];
    const { file, bytes } = fileOf(50_000);
    const { calls, target: api } = target();
    const progress: number[] = [];
    await uploadFile(file, api, { retryDelayMs: 0, onProgress: (value) => progress.push(value.percent) });
    expect(puts()).toHaveLength(2);
    expect(puts()[1]!.body.equals(Buffer.from(bytes))).toBe(true);
    // The same presigned URL was used again (it had not expired).
    expect(puts()[0]!.url).toBe(puts()[1]!.url);
    expect(calls.start).toHaveLength(1);
    expect(calls.confirm).toHaveLength(1);
    expect(progress.at(-1)).toBe(100);
  });

  it("gives up after the retries with a readable message, and continues from there when asked again", async () => {
    script = [{ status: 500 }, { status: 502 }, { status: 500 }];
    const { file } = fileOf(1000);
    const { calls, target: api } = target();
    const state: UploadState = {};
    const error = (await uploadFile(file, api, { retryDelayMs: 0, retries: 2, state }).catch((problem: unknown) => problem)) as Error;
    expect(error).toBeInstanceOf(UploadError);
    expect(error.message).toBe("The storage service could not take the file just now (error 500). Nothing was recorded; please try again.");
    expect(puts()).toHaveLength(3);
    expect(calls.confirm).toHaveLength(0);
    // "Try again": the same reserved version, uploaded again, then confirmed.
    await uploadFile(file, api, { retryDelayMs: 0, state });
    expect(puts()).toHaveLength(4);
    expect(calls.start).toHaveLength(1);
    expect(calls.confirm).toEqual([["d1", 1]]);
  });

  it("asks the API for a new link when S3 says the link expired", async () => {
    script = [{ status: 403, body: "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>" }];
    const { file } = fileOf(1000);
    const { calls, target: api } = target();
    await uploadFile(file, api, { retryDelayMs: 0 });
    expect(calls.start).toHaveLength(2);
    expect(puts().map((put) => put.url.split("?")[0])).toEqual(["/bucket/v1", "/bucket/v2"]);
  });

  it("asks for a new link before the PUT once the old one has expired", async () => {
    const { file } = fileOf(1000);
    const { calls, target: api } = target();
    const state: UploadState = {};
    script = [{ status: 500 }, { status: 500 }, { status: 500 }];
    await uploadFile(file, api, { retryDelayMs: 0, state }).catch(() => undefined);
    // Twenty minutes later the 15-minute link is gone: "Try again" reserves a fresh one.
    const later = Date.now() + 20 * 60 * 1000;
    await uploadFile(file, api, { retryDelayMs: 0, state, now: () => later });
    expect(calls.start).toHaveLength(2);
    expect(puts().at(-1)!.url.split("?")[0]).toBe("/bucket/v2");
  });

  it("retries a confirm that failed on the network, without uploading again", async () => {
    const { file } = fileOf(1000);
    const lost = Object.assign(new Error("The portal could not be reached."), { status: 0 });
    const { calls, target: api } = target({ confirmFailures: [lost] });
    await uploadFile(file, api, { retryDelayMs: 0 });
    expect(puts()).toHaveLength(1);
    expect(calls.confirm).toHaveLength(2);
  });

  it("a failed confirm can be tried again on its own", async () => {
    const { file } = fileOf(1000);
    const down = Object.assign(new Error("The portal could not answer just now."), { status: 503 });
    const { calls, target: api } = target({ confirmFailures: [down, down, down] });
    const state: UploadState = {};
    const error = (await uploadFile(file, api, { retryDelayMs: 0, state }).catch((problem: unknown) => problem)) as Error;
    expect(error.message).toBe("The portal could not answer just now.");
    expect(state.uploaded).toBe(true);
    await uploadFile(file, api, { retryDelayMs: 0, state });
    expect(puts()).toHaveLength(1);
    expect(calls.confirm).toHaveLength(4);
  });

  it("uploads again when the API says the stored file does not match", async () => {
    const { file } = fileOf(1000);
    const mismatch = Object.assign(new Error("upload: the stored file's SHA-256 does not match the one declared; upload it again"), { status: 409 });
    const { calls, target: api } = target({ confirmFailures: [mismatch] });
    await uploadFile(file, api, { retryDelayMs: 0 });
    expect(puts()).toHaveLength(2);
    expect(calls.confirm).toHaveLength(2);
  });

  it("refuses what the API would refuse before sending anything", async () => {
    const { target: api, calls } = target();
    const exe = new File(["MZ"], "setup.exe", { type: "application/x-msdownload" });
    await expect(uploadFile(exe, api)).rejects.toThrow(/“setup.exe” cannot be uploaded. This kind of file is not accepted/);
    await expect(uploadFile(new File([], "empty.pdf", { type: "application/pdf" }), api)).rejects.toThrow("“empty.pdf” is empty. Choose a file with content.");
    expect(checkFile({ name: "huge.zip", type: "application/zip", size: 5 * 1024 ** 3 + 1 })).toBe("“huge.zip” is larger than the limit of 5 GB.");
    expect(checkFile({ name: "big.zip", type: "application/zip", size: 100_000_001 }, 100_000_000)).toBe("“big.zip” is larger than the limit of 100 MB.");
    expect(checkFile({ name: "fine.zip", type: "application/zip", size: 5 * 1024 ** 3 })).toBeUndefined();
    expect(calls.start).toHaveLength(0);
    expect(recorded).toHaveLength(0);
  });

  it("finds the type from the extension when the browser gives none", () => {
    expect(contentTypeOf({ name: "scan.HEIC", type: "" })).toBe("image/heic");
    expect(contentTypeOf({ name: "ledger.csv", type: "application/vnd.ms-excel" })).toBe("application/vnd.ms-excel");
    expect(contentTypeOf({ name: "notes", type: "" })).toBeUndefined();
  });
});
