// Signature requests (openapi/paths/signatures.yaml): the maths of placing fields on a PDF's
// pages (fractions of the page from its top-left corner, as the API keeps them), the checks a
// request and a signature get before they are sent (the server's rules, by the field names the
// server uses), the bodies sent, the words for each state, and the routes of a contact
// (`/api/signature-requests/…`) or of the firm (`/api/clients/<id>/signature-requests/…`).
import { api, call, type Schemas } from "../api/client";

type Detail = Schemas["SignatureRequestDetail"];
type ApiRequest = Detail["signature_request"];
type ApiSigner = ApiRequest["signers"][number];

export type FieldKind = Schemas["FieldKind"];
export type RequestStatus = Schemas["SignatureRequestStatus"];
export type Field = ApiRequest["fields"][number];

/** One step of the ceremony (the staff's view carries them; not in the API's document yet). */
export interface Step {
  at: string;
  what: string;
  by: string;
}

/**
 * A signer as the API answers it, with what the API sends beyond its document: `signed_at`
 * (a contact's view) or `signed` (the firm's view: the evidence).
 */
export type Signer = ApiSigner & {
  /** The person's user id (the firm's view). */
  sub?: string;
  signed_at?: string | null;
  asked_at?: string | null;
  signed?: { typed_name: string; at: string; ip?: string; user_agent?: string; code_confirmed_at?: string } | null;
};

export type SignatureRequest = Omit<ApiRequest, "signers"> & {
  signers: Signer[];
  steps?: Step[];
  ended?: { by: string; reason: string; at: string } | null;
  created_at?: string;
  updated_at?: string;
};

export type SignatureRequestDetail = Omit<Detail, "signature_request"> & { signature_request: SignatureRequest };
export type SignatureRequestSummary = {
  id: string;
  title: string;
  document_id: string;
  document_version: number;
  file_name: string;
  status: RequestStatus;
  signers: number;
  signed: number;
  signed_version?: number | null;
  my_turn?: boolean;
  created_at?: string;
  updated_at?: string;
};

// ---------------------------------------------------------------------------------------------
// Placing fields: every position is a fraction (0..1) of the page from its top-left corner.

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where a page is on screen (a DOMRect's numbers). */
export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The smallest field the API accepts, as a fraction of the page's width or height. */
export const MIN_FIELD = 0.01;

/** A new field's size by kind, as fractions of the page. */
export const DEFAULT_SIZE: Record<FieldKind, { width: number; height: number }> = {
  signature: { width: 0.3, height: 0.07 },
  initials: { width: 0.1, height: 0.05 },
  date: { width: 0.18, height: 0.035 },
  text: { width: 0.3, height: 0.035 },
};

export const KIND_LABEL: Record<FieldKind, string> = {
  signature: "Signature",
  initials: "Initials",
  date: "Date",
  text: "Text",
};

/** Four decimals: a tenth of a point on an A4 page, and a tidy body. */
export function roundFraction(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

function within(value: number, low: number, high: number): number {
  if (!Number.isFinite(value)) return low;
  return Math.min(high, Math.max(low, value));
}

/** A point on screen (client pixels) as fractions of the page drawn at `rect`, kept on the page. */
export function toFraction(clientX: number, clientY: number, rect: Rect): { x: number; y: number } {
  if (rect.width <= 0 || rect.height <= 0) return { x: 0, y: 0 };
  return { x: within((clientX - rect.left) / rect.width, 0, 1), y: within((clientY - rect.top) / rect.height, 0, 1) };
}

/** A field's box in pixels over the page drawn at `rect` (relative to the page's corner). */
export function toPixels(box: Box, rect: Pick<Rect, "width" | "height">): Box {
  return { x: box.x * rect.width, y: box.y * rect.height, width: box.width * rect.width, height: box.height * rect.height };
}

/** A box kept inside the page: its size within MIN_FIELD..1, its corner so that it does not run off any edge. */
export function clampBox(box: Box): Box {
  const width = within(box.width, MIN_FIELD, 1);
  const height = within(box.height, MIN_FIELD, 1);
  return {
    x: roundFraction(within(box.x, 0, 1 - width)),
    y: roundFraction(within(box.y, 0, 1 - height)),
    width: roundFraction(width),
    height: roundFraction(height),
  };
}

/** A new field of `kind` centred on the point (fractions), moved inside the page if it would run off. */
export function dropAt(kind: FieldKind, point: { x: number; y: number }): Box {
  const size = DEFAULT_SIZE[kind];
  return clampBox({ x: point.x - size.width / 2, y: point.y - size.height / 2, ...size });
}

/** A box moved by (dx, dy) fractions, kept inside the page. */
export function moveBy(box: Box, dx: number, dy: number): Box {
  return clampBox({ ...box, x: box.x + dx, y: box.y + dy });
}

/** A drag on screen (pixels, over the page drawn at `rect`) as a move of the box. */
export function dragBy(box: Box, dxPixels: number, dyPixels: number, rect: Pick<Rect, "width" | "height">): Box {
  if (rect.width <= 0 || rect.height <= 0) return clampBox(box);
  return moveBy(box, dxPixels / rect.width, dyPixels / rect.height);
}

// ---------------------------------------------------------------------------------------------
// A new request, as the firm builds it.

/** A signer being chosen: `person` is `contact:<sub>` or `staff:<sub>` ("" until chosen). */
export interface SignerDraft {
  key: string;
  person: string;
  /** The group, as typed (lower groups sign first; equal groups in parallel). */
  group: string;
}

/** A field placed on a page for the signer `signer` (a SignerDraft's key). */
export interface FieldDraft extends Box {
  key: string;
  signer: string;
  kind: FieldKind;
  page: number;
  label?: string;
}

export interface RequestDraft {
  title: string;
  documentId: string;
  version: string;
  message: string;
  reminderDays: string;
  signers: SignerDraft[];
  fields: FieldDraft[];
}

export type CreateBody = {
  title: string;
  document_id: string;
  version: number;
  message?: string | null;
  reminder_days?: number | null;
  signers: { contact?: string | null; staff?: string | null; group?: number | null }[];
  fields: { signer: number; kind: FieldKind; page: number; x: number; y: number; width: number; height: number; label?: string | null }[];
};

export const MAX_SIGNERS = 10;
export const MAX_FIELDS = 200;

/** The next signer's group: one after the last, so a plain list signs in sequence. */
export function nextGroup(signers: SignerDraft[]): string {
  const highest = signers.reduce((top, signer) => Math.max(top, Number.parseInt(signer.group, 10) || 0), 0);
  return String(Math.min(MAX_SIGNERS, highest + 1));
}

function wholeNumber(text: string): number | undefined {
  return /^\s*\d+\s*$/.test(text) ? Number.parseInt(text, 10) : undefined;
}

/**
 * What is wrong with a request before it is sent, by the names the API gives its fields
 * (`title`, `document_id`, `version`, `signers`, `signers[1].group`, `fields`,
 * `fields[3].label`…), so the server's answers and these land under the same controls.
 */
export function draftProblems(draft: RequestDraft, names: (signer: SignerDraft) => string = () => "this signer"): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!draft.title.trim()) problems.title = "Give the request a title the signers will recognise.";
  else if ([...draft.title.trim()].length > 200) problems.title = "The title must be at most 200 characters.";
  if (!draft.documentId) problems.document_id = "Choose the PDF to be signed.";
  if (!wholeNumber(draft.version) || Number(draft.version) < 1) problems.version = "Choose the version to be signed.";
  if (draft.message.length > 4000) problems.message = "The message must be at most 4,000 characters.";
  if (draft.reminderDays.trim()) {
    const days = wholeNumber(draft.reminderDays);
    if (days === undefined || days > 30) problems.reminder_days = "Give 0 (no reminders) to 30 days.";
  }
  if (draft.signers.length === 0) problems.signers = "Add at least one signer.";
  if (draft.signers.length > MAX_SIGNERS) problems.signers = `At most ${MAX_SIGNERS} signers.`;
  const seen = new Set<string>();
  draft.signers.forEach((signer, index) => {
    if (!signer.person) problems[`signers[${index}]`] = "Choose who signs.";
    else if (seen.has(signer.person)) problems[`signers[${index}]`] = "This person is already a signer of this request.";
    seen.add(signer.person);
    const group = wholeNumber(signer.group);
    if (group === undefined || group < 1 || group > MAX_SIGNERS) problems[`signers[${index}].group`] = `The order must be a number from 1 to ${MAX_SIGNERS}.`;
  });
  if (draft.fields.length > MAX_FIELDS) problems.fields = `Place at most ${MAX_FIELDS} fields.`;
  draft.fields.forEach((field, index) => {
    if ((field.label ?? "").length > 80) problems[`fields[${index}].label`] = "A label must be at most 80 characters.";
  });
  if (!problems.fields) {
    const unsigned = draft.signers.filter((signer) => signer.person && !draft.fields.some((field) => field.signer === signer.key && field.kind === "signature"));
    if (unsigned.length > 0) problems.fields = `Place a signature field for ${unsigned.map(names).join(" and ")}.`;
  }
  return problems;
}

/** The body of `POST /api/clients/{id}/signature-requests` for a draft without problems. */
export function buildCreateBody(draft: RequestDraft): CreateBody {
  const index = new Map(draft.signers.map((signer, position) => [signer.key, position]));
  const message = draft.message.trim();
  const reminder = wholeNumber(draft.reminderDays);
  return {
    title: draft.title.trim(),
    document_id: draft.documentId,
    version: Number.parseInt(draft.version, 10),
    ...(message ? { message } : {}),
    ...(reminder !== undefined ? { reminder_days: reminder } : {}),
    signers: draft.signers.map((signer) => {
      const [kind, ...rest] = signer.person.split(":");
      const sub = rest.join(":");
      return { ...(kind === "staff" ? { staff: sub } : { contact: sub }), group: Number.parseInt(signer.group, 10) };
    }),
    fields: draft.fields
      .filter((field) => index.has(field.signer))
      .map((field) => {
        const box = clampBox(field);
        const label = field.label?.trim();
        return { signer: index.get(field.signer)!, kind: field.kind, page: field.page, ...box, ...(label ? { label } : {}) };
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Signing.

export interface SigningInput {
  typedName: string;
  consent: boolean;
  /** The signature as a PNG, base64 (undefined until drawn or typed). */
  signature?: string;
  needsInitials: boolean;
  initials?: string;
  code: string;
  /** The signer's text fields and what was typed in each. */
  texts: { id: string; label: string; required: boolean; value: string }[];
}

/** The most the API takes for each image (a PNG, base64-decoded). */
export const MAX_IMAGE_BYTES = 96 * 1024;

/** Bytes of a base64 text once decoded. */
export function base64Bytes(base64: string): number {
  const clean = base64.replace(/^data:[^,]*,/, "").replace(/\s/g, "");
  const padding = clean.endsWith("==") ? 2 : clean.endsWith("=") ? 1 : 0;
  return Math.floor((clean.length * 3) / 4) - padding;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** What is wrong with a signature before it is sent, by the API's field names. */
export function signingProblems(input: SigningInput): Record<string, string> {
  const problems: Record<string, string> = {};
  const name = input.typedName.trim();
  if (!name) problems.typed_name = "Type your full name.";
  else if (CONTROL.test(name)) problems.typed_name = "Your name must not contain control characters.";
  else if ([...name].length > 200) problems.typed_name = "Your name must be at most 200 characters.";
  if (!input.signature) problems.signature_image = "Draw your signature, or choose “Type” and type your name.";
  else if (base64Bytes(input.signature) > MAX_IMAGE_BYTES) problems.signature_image = "The signature is too large; clear it and sign again.";
  if (input.needsInitials) {
    if (!input.initials) problems.initials_image = "Draw your initials, or choose “Type” and type them.";
    else if (base64Bytes(input.initials) > MAX_IMAGE_BYTES) problems.initials_image = "The initials are too large; clear them and try again.";
  }
  for (const text of input.texts) {
    const value = text.value.trim();
    if (text.required && !value) problems[`texts.${text.id}`] = `Fill in ${text.label}.`;
    else if ([...value].length > 200) problems[`texts.${text.id}`] = "At most 200 characters.";
    else if (CONTROL.test(value)) problems[`texts.${text.id}`] = "One line, without control characters.";
  }
  if (!input.consent) problems.consent = "Tick the box to agree to sign electronically.";
  const code = input.code.replace(/\s/g, "");
  if (!code) problems.code = "Type the 6-digit code we emailed you (ask for one with “Email me a code”).";
  else if (!/^\d{6}$/.test(code)) problems.code = "The code has 6 digits.";
  return problems;
}

export type SignBody = {
  code: string;
  typed_name: string;
  consent: boolean;
  signature_image: string;
  initials_image?: string | null;
  texts?: Record<string, string>;
};

/** The body of `POST …/sign` for an input without problems. */
export function buildSignBody(input: SigningInput): SignBody {
  const texts: Record<string, string> = {};
  for (const text of input.texts) if (text.value.trim()) texts[text.id] = text.value.trim();
  return {
    code: input.code.replace(/\s/g, ""),
    typed_name: input.typedName.trim(),
    // Required before the first signature; harmless after.
    consent: input.consent,
    signature_image: input.signature ?? "",
    ...(input.needsInitials ? { initials_image: input.initials ?? null } : {}),
    ...(Object.keys(texts).length > 0 ? { texts } : {}),
  };
}

/** Initials from a name: "Dana Whitfield" → "DW" (at most three letters). */
export function initialsOf(name: string): string {
  return name
    .trim()
    .split(/[\s-]+/)
    .filter(Boolean)
    .map((part) => [...part][0]!.toUpperCase())
    .slice(0, 3)
    .join("");
}

// ---------------------------------------------------------------------------------------------
// Words.

type Tone = "neutral" | "good" | "warn" | "bad" | "info";

export function statusLabel(status: RequestStatus): { text: string; tone: Tone } {
  switch (status) {
    case "in_progress":
      return { text: "Waiting for signatures", tone: "warn" };
    case "sealing":
      return { text: "Signed, the PDF is being made", tone: "info" };
    case "completed":
      return { text: "Completed", tone: "good" };
    case "declined":
      return { text: "Declined", tone: "bad" };
    default:
      return { text: "Cancelled", tone: "neutral" };
  }
}

/** When a signer signed (a contact's view says `signed_at`; the firm's carries the evidence). */
export function signedAt(signer: Signer): string | undefined {
  return signer.signed_at ?? signer.signed?.at ?? undefined;
}

/** Where a signer stands, in words; `you` for the reader's own place. */
export function signerState(signer: Signer, status: RequestStatus, you = false): { text: string; tone: Tone } {
  switch (signer.state) {
    case "signed":
      return { text: "Signed", tone: "good" };
    case "declined":
      return { text: "Declined", tone: "bad" };
    case "signing":
      if (status !== "in_progress") return { text: "Did not sign", tone: "neutral" };
      return { text: you ? "Your turn" : "Their turn", tone: "warn" };
    default:
      if (status !== "in_progress") return { text: "Not asked", tone: "neutral" };
      return { text: "Waiting for earlier signers", tone: "neutral" };
  }
}

/** The signers by group (the order they sign in), each group's signers in the list's order. */
export function signingSteps(signers: Signer[]): { group: number; signers: Signer[] }[] {
  const groups = new Map<number, Signer[]>();
  for (const signer of signers) groups.set(signer.group, [...(groups.get(signer.group) ?? []), signer]);
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([group, list]) => ({ group, signers: list }));
}

/** A field's name for people: its label, else its kind and page. */
export function fieldName(field: Pick<Field, "kind" | "page" | "label">, index?: number): string {
  if (field.label?.trim()) return field.label.trim();
  return `${KIND_LABEL[field.kind]} field${index === undefined ? "" : ` ${index + 1}`} on page ${field.page}`;
}

// ---------------------------------------------------------------------------------------------
// The routes: a contact's own (no `clientId`) or a client's, for the firm (staff countersign there).

export type CodeSent = { sent_to: string; expires_in: number; attempts: number };
export type Signed = { status: RequestStatus; signed_version?: number | null; signed_sha256_hex?: string | null };

export function signaturesApi(clientId?: string) {
  return {
    list: async (): Promise<SignatureRequestSummary[]> =>
      (clientId ? await call(api.GET("/api/clients/{id}/signature-requests", { params: { path: { id: clientId } } })) : await call(api.GET("/api/signature-requests"))).signature_requests,
    get: async (request: string): Promise<SignatureRequestDetail> =>
      (clientId
        ? await call(api.GET("/api/clients/{id}/signature-requests/{request}", { params: { path: { id: clientId, request } } }))
        : await call(api.GET("/api/signature-requests/{request}", { params: { path: { request } } }))) as SignatureRequestDetail,
    document: (request: string): Promise<{ url: string; content_type: string; file_name: string; expires_in: number }> =>
      clientId
        ? call(api.GET("/api/clients/{id}/signature-requests/{request}/document", { params: { path: { id: clientId, request } } }))
        : call(api.GET("/api/signature-requests/{request}/document", { params: { path: { request } } })),
    code: (request: string): Promise<CodeSent> =>
      clientId
        ? call(api.POST("/api/clients/{id}/signature-requests/{request}/code", { params: { path: { id: clientId, request } } }))
        : call(api.POST("/api/signature-requests/{request}/code", { params: { path: { request } } })),
    sign: (request: string, body: SignBody): Promise<Signed> =>
      clientId
        ? call(api.POST("/api/clients/{id}/signature-requests/{request}/sign", { params: { path: { id: clientId, request } }, body }))
        : call(api.POST("/api/signature-requests/{request}/sign", { params: { path: { request } }, body })),
    decline: (request: string, reason: string): Promise<{ status: RequestStatus }> =>
      clientId
        ? call(api.POST("/api/clients/{id}/signature-requests/{request}/decline", { params: { path: { id: clientId, request } }, body: { reason } }))
        : call(api.POST("/api/signature-requests/{request}/decline", { params: { path: { request } }, body: { reason } })),
    /** The signed PDF (or any version of the document) as a download link. */
    download: (document: string, number: number) =>
      clientId
        ? call(api.GET("/api/clients/{id}/documents/{document}/versions/{number}/download", { params: { path: { id: clientId, document, number } } }))
        : call(api.GET("/api/documents/{document}/versions/{number}/download", { params: { path: { document, number } } })),
  };
}

export type SignaturesApi = ReturnType<typeof signaturesApi>;

/** The firm's own actions on a client's requests. */
export function firmSignaturesApi(clientId: string) {
  const at = (request: string) => ({ params: { path: { id: clientId, request } } });
  return {
    create: async (body: CreateBody): Promise<SignatureRequestDetail> =>
      (await call(api.POST("/api/clients/{id}/signature-requests", { params: { path: { id: clientId } }, body }))) as SignatureRequestDetail,
    remind: (request: string): Promise<{ reminded: number }> => call(api.POST("/api/clients/{id}/signature-requests/{request}/remind", at(request))),
    replace: async (request: string, signer: string, person: string): Promise<SignatureRequestDetail> => {
      const [kind, ...rest] = person.split(":");
      const sub = rest.join(":");
      const body = kind === "staff" ? { signer, staff: sub } : { signer, contact: sub };
      return (await call(api.POST("/api/clients/{id}/signature-requests/{request}/replace", { ...at(request), body }))) as SignatureRequestDetail;
    },
    cancel: (request: string, reason: string): Promise<{ status: RequestStatus }> => call(api.POST("/api/clients/{id}/signature-requests/{request}/cancel", { ...at(request), body: { reason } })),
  };
}
