// The SHA-256 of a file as the API and S3 expect it: base64 of the raw 32-byte digest (the
// value of `x-amz-checksum-sha256`), computed in the browser with Web Crypto.

/** Base64 of bytes (standard alphabet, with padding). */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  const chunk = 0x8000;
  for (let index = 0; index < bytes.length; index += chunk) {
    binary += String.fromCharCode(...bytes.subarray(index, index + chunk));
  }
  return btoa(binary);
}

/** The bytes of a Blob (a File is one), also where Blob.arrayBuffer is missing. */
export async function readBytes(blob: Blob): Promise<ArrayBuffer> {
  if (typeof blob.arrayBuffer === "function") return blob.arrayBuffer();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as ArrayBuffer);
    reader.onerror = () => reject(reader.error ?? new Error("The file could not be read."));
    reader.readAsArrayBuffer(blob);
  });
}

function subtle(): SubtleCrypto {
  const api = globalThis.crypto?.subtle;
  if (!api) {
    // Web Crypto exists only on secure pages (https, or http://localhost).
    throw new Error("This browser cannot check the file here (Web Crypto is unavailable on an insecure page). Open the portal over https and try again.");
  }
  return api;
}

/** base64(SHA-256(data)): what the API's `sha256` field and `x-amz-checksum-sha256` carry. */
export async function sha256Base64(data: Blob | ArrayBuffer | ArrayBufferView): Promise<string> {
  let bytes: Uint8Array;
  if (ArrayBuffer.isView(data)) {
    bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } else if (data instanceof Blob) {
    try {
      bytes = new Uint8Array(await readBytes(data));
    } catch {
      throw new Error("The file could not be read. It may have been moved or changed; choose it again.");
    }
  } else {
    bytes = new Uint8Array(data);
  }
  // Always a typed-array view: some runtimes reject an ArrayBuffer from another realm.
  const digest = await subtle().digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return toBase64(new Uint8Array(digest));
}

/** Bytes read at a time for a large file's SHA-256. */
export const HASH_SLICE_BYTES = 4 * 1024 * 1024;

/**
 * base64(SHA-256) of a Blob of any size without holding it in memory: read in slices and fed
 * to an incremental hasher (@noble/hashes; Web Crypto only digests whole buffers).
 * `onProgress` gets the bytes read so far.
 */
export async function sha256BlobIncremental(
  blob: Blob,
  options: { sliceBytes?: number; onProgress?: (read: number, total: number) => void; signal?: AbortSignal } = {},
): Promise<string> {
  const { sha256 } = await import("@noble/hashes/sha2.js");
  const hasher = sha256.create();
  const step = options.sliceBytes ?? HASH_SLICE_BYTES;
  options.onProgress?.(0, blob.size);
  for (let start = 0; start < blob.size; start += step) {
    if (options.signal?.aborted) throw new DOMException("The upload was stopped.", "AbortError");
    let bytes: ArrayBuffer;
    try {
      bytes = await readBytes(blob.slice(start, Math.min(blob.size, start + step)));
    } catch {
      throw new Error("The file could not be read. It may have been moved or changed; choose it again.");
    }
    hasher.update(new Uint8Array(bytes));
    options.onProgress?.(Math.min(blob.size, start + step), blob.size);
  }
  return toBase64(hasher.digest());
}
