// Money from the API: integer minor units (`*_minor`) and exact decimal strings. Shown from
// those with string arithmetic, never from floating-point sums.
import { formatMoney } from "./format";

/** `123456` minor units with 2 digits → `"1234.56"` (exact: string arithmetic, no floats). */
export function minorToDecimal(amount: number, digits: number): string {
  const negative = amount < 0;
  const text = String(Math.abs(Math.trunc(amount))).padStart(digits + 1, "0");
  const whole = digits ? text.slice(0, -digits) : text;
  const fraction = digits ? `.${text.slice(-digits)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/** A minor-unit amount in a currency whose minor digits are known (an invoice), for people. */
export function money(amount: number, shape: { currency: string; minor_digits: number }): string {
  return formatMoney(minorToDecimal(amount, shape.minor_digits), shape.currency);
}

/**
 * The minor-unit digits of a currency when no invoice says (ISO 4217 as the browser knows it:
 * 2 for GBP, 0 for JPY, 3 for KWD); 2 for a code the browser does not know.
 */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency: currency.trim().toUpperCase() }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}
