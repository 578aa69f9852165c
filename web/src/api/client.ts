// The one way the app talks to the API: openapi-fetch typed by the generated schema
// (src/api/schema.d.ts, from openapi/openapi.yaml), so a changed API breaks the build.
import createClient from "openapi-fetch";
import type { paths, components } from "./schema";

export type { paths, components };

/** An error the server answered, in its own words (`{"error": {"code", "message", "fields"}}`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** Field name → problem: from `error.fields`, or from a message of the form `field: problem`. */
  readonly fields: Record<string, string>;

  constructor(status: number, code: string, message: string, fields: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields;
  }

  static from(status: number, body: unknown): ApiError {
    if (gatewayRefused(status, body)) return new ApiError(status, "session_refused", "The portal could not confirm your session. Please try again.");
    const error = (body as { error?: { code?: string; message?: string; fields?: Record<string, string> } } | undefined)?.error;
    const code = error?.code ?? "unknown";
    const message = error?.message ?? fallbackMessage(status);
    const fields = { ...(error?.fields ?? {}) };
    if (code === "invalid_input" && Object.keys(fields).length === 0) {
      const match = /^([A-Za-z0-9_.\[\]]+): (.+)$/.exec(message);
      if (match?.[1] && match[2]) fields[match[1]] = match[2];
    }
    return new ApiError(status, code, message, fields);
  }
}

function fallbackMessage(status: number): string {
  if (status === 401) return "Your session has ended. Please sign in again.";
  if (status === 403) return "You do not have access to this.";
  if (status === 404) return "This could not be found.";
  if (status === 409) return "Someone changed this in the meantime. Reload and try again.";
  if (status >= 500) return "The portal could not answer just now. Nothing was changed; please try again.";
  return "Something went wrong.";
}

/**
 * API Gateway's own refusal of a request its authorizer denied (`{"message": "Forbidden"}`, not
 * the handlers' `{"error": …}`): the access token was refused (an ended, idle or signed-out
 * session, an expired token, a disabled person; rarely a failure behind the authorizer).
 */
export function gatewayRefused(status: number, body: unknown): boolean {
  if (status !== 403 || typeof body !== "object" || body === null) return false;
  const fields = body as { message?: unknown; error?: unknown };
  return fields.error === undefined && typeof fields.message === "string";
}

/**
 * Who wants to know when the session may be gone (the shell): `certain` for a 401; not for
 * the gateway's 403, which the shell checks with a refresh before showing sign-in.
 */
let onUnauthorized: ((certain: boolean) => void) | undefined;
export function whenUnauthorized(callback: (certain: boolean) => void): void {
  onUnauthorized = callback;
}

export const api = createClient<paths>({
  baseUrl: typeof location === "undefined" ? "" : location.origin,
  credentials: "same-origin",
});

/**
 * The routes whose 401 is about what was typed (a wrong password or code, a used link), not
 * about the session: every other 401 means the session has ended (signed out elsewhere, ended
 * from another device's Settings → Sessions, expired).
 */
const TYPED_CREDENTIALS = ["/api/auth/login", "/api/auth/accept-invite", "/api/auth/refresh", "/api/auth/logout", "/api/auth/password/", "/api/auth/mfa/"];

export function endsSession(status: number, url: string): boolean {
  if (status !== 401) return false;
  let path = url;
  try {
    path = new URL(url, "http://portal.invalid").pathname;
  } catch {
    // not a URL: look at it as it is
  }
  return !TYPED_CREDENTIALS.some((prefix) => path === prefix || (prefix.endsWith("/") && path.startsWith(prefix)));
}

/**
 * Unwraps an openapi-fetch answer: the data, or an ApiError with the server's message.
 * A 401 that is not about typed credentials also tells the shell the session has ended; the
 * gateway's 403 tells it the session may have.
 */
export async function call<T>(
  pending: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let answer: { data?: T; error?: unknown; response: Response };
  try {
    answer = await pending;
  } catch {
    throw new ApiError(0, "network", "The portal could not be reached. Check your connection and try again.");
  }
  const { data, error, response } = answer;
  if (!response.ok || error !== undefined) {
    const problem = ApiError.from(response.status, error);
    if (endsSession(response.status, response.url)) onUnauthorized?.(true);
    else if (gatewayRefused(response.status, error)) onUnauthorized?.(false);
    throw problem;
  }
  return data as T;
}

export type Schemas = components["schemas"];
