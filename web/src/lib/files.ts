// The API's routes of large uploads, previews, scan state and "download all" (issue 18), for a
// contact (`/api/…`) or for the firm (`/api/clients/<id>/…`), typed by the generated schema
// (openapi/paths/files.yaml), through `call` so errors read as every other API error does.
import { api, call, type Schemas } from "../api/client";

/** Where the documents routes are: `/api` for a contact, `/api/clients/<id>` for the firm. */
export function filesBase(clientId?: string): string {
  return clientId ? `/api/clients/${encodeURIComponent(clientId)}` : "/api";
}

export type SignedParts = Schemas["PartUploads"];
export type SignedPart = SignedParts["parts"][number];
export type HeldParts = Schemas["StoredParts"];
export type PreviewLink = Schemas["Preview"];
export type Archive = Schemas["Archive"];
export type Scan = Schemas["Version"]["scan"];
export type VersionStatus = Schemas["Version"]["status"];

/** The types the API previews in the browser (others answer 415). */
export const PREVIEWABLE_TYPES = ["application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "text/plain", "text/csv"] as const;

export function isPreviewable(contentType: string | undefined): boolean {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  return (PREVIEWABLE_TYPES as readonly string[]).includes(type);
}

const PREVIEWABLE_EXTENSIONS: Record<string, string> = { pdf: "application/pdf", png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", gif: "image/gif", webp: "image/webp", txt: "text/plain", csv: "text/csv" };

/** For a version known only by its file name (an approval's subject). */
export function isPreviewableName(fileName: string): boolean {
  const extension = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase();
  return Boolean(extension && PREVIEWABLE_EXTENSIONS[extension]);
}

/** A version's scan state (what the API says; a version without one counts as being checked). */
export function scanOf(version: { scan?: Scan }): Scan {
  return version.scan ?? "being_checked";
}

/** The routes for one reader: the contact's own (no `clientId`) or a client's, for the firm. */
export function filesApi(clientId?: string) {
  const base = filesBase(clientId);
  return {
    base,
    /** Presigned PUTs for up to 10 parts, each with its SHA-256 (base64). */
    signParts: (document: string, number: number, parts: { number: number; sha256: string }[]): Promise<SignedParts> =>
      clientId
        ? call(api.POST("/api/clients/{id}/documents/{document}/versions/{number}/parts", { params: { path: { id: clientId, document, number } }, body: { parts } }))
        : call(api.POST("/api/documents/{document}/versions/{number}/parts", { params: { path: { document, number } }, body: { parts } })),
    /** The parts S3 already holds. */
    listParts: (document: string, number: number): Promise<HeldParts> =>
      clientId
        ? call(api.GET("/api/clients/{id}/documents/{document}/versions/{number}/parts", { params: { path: { id: clientId, document, number } } }))
        : call(api.GET("/api/documents/{document}/versions/{number}/parts", { params: { path: { document, number } } })),
    /** Stops a pending upload (the multipart upload is aborted; the version is marked aborted). */
    abort: (document: string, number: number): Promise<Schemas["DocumentDetail"]> =>
      clientId
        ? call(api.POST("/api/clients/{id}/documents/{document}/versions/{number}/abort", { params: { path: { id: clientId, document, number } } }))
        : call(api.POST("/api/documents/{document}/versions/{number}/abort", { params: { path: { document, number } } })),
    /** A short-lived link to show the version in the page (never to navigate to). */
    preview: (document: string, number: number): Promise<PreviewLink> =>
      clientId
        ? call(api.GET("/api/clients/{id}/documents/{document}/versions/{number}/preview", { params: { path: { id: clientId, document, number } } }))
        : call(api.GET("/api/documents/{document}/versions/{number}/preview", { params: { path: { document, number } } })),
    /** Starts a zip of a request's documents, of chosen ones, or of all the reader may see. */
    createArchive: (body: Schemas["ArchiveWanted"]): Promise<Archive> =>
      clientId ? call(api.POST("/api/clients/{id}/archives", { params: { path: { id: clientId } }, body })) : call(api.POST("/api/archives", { body })),
    archive: (archive: string): Promise<Archive> =>
      clientId
        ? call(api.GET("/api/clients/{id}/archives/{archive}", { params: { path: { id: clientId, archive } } }))
        : call(api.GET("/api/archives/{archive}", { params: { path: { archive } } })),
  };
}

export type FilesApi = ReturnType<typeof filesApi>;
