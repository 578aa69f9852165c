// Dates, sizes and money for people. Dates from the API are ISO 8601 (dates `YYYY-MM-DD`,
// times RFC 3339 UTC); they are shown in the reader's locale.

const dateFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });

/** `2026-11-30` → `30 Nov 2026` (a calendar date: no time zone shift). */
export function formatDate(date: string | null | undefined): string {
  if (!date) return "";
  const parsed = new Date(`${date.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) ? date : dateFormat.format(parsed);
}

export function formatDateTime(time: string | null | undefined): string {
  if (!time) return "";
  const parsed = new Date(time);
  return Number.isNaN(parsed.getTime()) ? time : dateTimeFormat.format(parsed);
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** `amount` is the exact decimal string the API sends (e.g. "1250.00"). */
export function formatMoney(amount: string, currency: string): string {
  const value = Number(amount);
  if (!Number.isFinite(value)) return `${amount} ${currency}`;
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(value);
  } catch {
    return `${amount} ${currency}`;
  }
}

/**
 * Who did something, for people: an email (or a name) as the API gives it; nothing for an
 * internal id such as `staff:<sub>`, which means nothing to a reader.
 */
export function person(label: string | null | undefined): string | undefined {
  const text = label?.trim();
  if (!text || /^[a-z_]+:[0-9a-f-]{8,}$/i.test(text)) return undefined;
  return text;
}

/** Today as `YYYY-MM-DD` in UTC, like the API's due dates. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}
