/// <reference types="node" />
// The SHA-256 the browser computes must be the one S3 checks: base64 of the raw digest.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha256Base64, toBase64 } from "../src/lib/checksum";

const nodeSha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("base64");

describe("sha256Base64", () => {
  it("knows the empty input", async () => {
    expect(await sha256Base64(new Uint8Array())).toBe("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    expect(await sha256Base64(new Blob([]))).toBe("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  });

  it("knows abc", async () => {
    const abc = new TextEncoder().encode("abc");
    expect(await sha256Base64(abc)).toBe("ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
    expect(await sha256Base64(new Blob(["abc"], { type: "text/plain" }))).toBe("ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
    expect(await sha256Base64(new File(["abc"], "abc.txt", { type: "text/plain" }))).toBe("ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
  });

  it("matches node:crypto on a multi-megabyte file", async () => {
    const bytes = new Uint8Array(5 * 1024 * 1024 + 7);
    for (let index = 0; index < bytes.length; index += 1) bytes[index] = (index * 31 + (index >> 8)) & 0xff;
    const expected = nodeSha(bytes);
    expect(await sha256Base64(bytes)).toBe(expected);
    expect(await sha256Base64(new Blob([bytes], { type: "application/pdf" }))).toBe(expected);
  });

  it("encodes base64 like node (padding, large inputs)", () => {
    for (const length of [0, 1, 2, 3, 31, 32, 33, 70_000]) {
      const bytes = new Uint8Array(length).map((_, index) => (index * 7) & 0xff);
      expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString("base64"));
    }
  });
});
