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

/** Who wants to know when the session is gone (the app shell shows the sign-in screen). */
let onUnauthorized: (() => void) | undefined;
export function whenUnauthorized(callback: () => void): void {
  onUnauthorized = callback;
}

export const api = createClient<paths>({
  baseUrl: typeof location === "undefined" ? "" : location.origin,
  credentials: "same-origin",
});

/**
 * Unwraps an openapi-fetch answer: the data, or an ApiError with the server's message.
 * A 401 on anything but sign-in also tells the shell the session has ended.
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
    if (response.status === 401 && !response.url.includes("/api/auth/")) onUnauthorized?.();
    throw problem;
  }
  return data as T;
}

export type Schemas = components["schemas"];
