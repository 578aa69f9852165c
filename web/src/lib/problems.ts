// Wording of the server's refusals on screens that place each problem next to its own control
// (the firm's team and branding pages): the API answers `field: problem` in the message, or the
// problems by field in `fields`.
import { ApiError } from "../api/client";

/** A server's problem as a sentence: "white text on …" → "White text on …". */
export function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The problem an error names for `field`: from `error.fields`, or a message `field: problem` (a 409 or 413 has no fields). */
export function problemFor(error: unknown, field: string, label: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const named = error.fields[field];
  const prefix = `${field}: `;
  const problem = named ?? (error.message.startsWith(prefix) ? error.message.slice(prefix.length) : undefined);
  if (!problem) return undefined;
  // "is already a member…" reads as a sentence about the field: "Email is already a member…".
  return /^(is|must|are|has|should|cannot|was|were) /.test(problem) ? `${label} ${problem}` : sentence(problem);
}

/** An error's message as a sentence, without a leading `field: ` (for a box not next to that field). */
export function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const match = /^[a-z_]+: (.+)$/s.exec(message);
  return sentence(match?.[1] ?? message);
}

/** An error to show in a form's box as a sentence ("too many failed attempts; …" → "Too many …"), or nothing. */
export function said(error: unknown): Error | undefined {
  return error ? new Error(messageOf(error)) : undefined;
}
