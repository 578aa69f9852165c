// stripe.js, loaded only when someone pays (a script tag added at run time from the URL the
// API gives: https://js.stripe.com/v3/ in AWS, localstripe's stand-in locally), and the few
// calls the pay screen makes, which both implement. Card data goes from the browser to
// Stripe only; the portal's API sees the SetupIntent's id.

/** A mounted input for the payment method (Stripe Elements), typed to what the portal uses. */
export interface StripeElement {
  mount(domElement: HTMLElement): void;
  destroy(): void;
}

/** What stripe.js answers in `error`: Stripe's error object (or, from the stand-in, an Error). */
export interface StripeError {
  message?: string;
  code?: string;
  decline_code?: string;
  type?: string;
}

export interface SetupResult {
  error?: StripeError | null;
  setupIntent?: { id: string; status?: string };
}

export interface PaymentResult {
  error?: StripeError | null;
  paymentIntent?: { id: string; status?: string };
}

export interface StripeClient {
  elements(): { create(type: "card" | "iban", options?: Record<string, unknown>): StripeElement };
  confirmCardSetup(clientSecret: string, data: { payment_method: { card: StripeElement; billing_details?: BillingDetails } }): Promise<SetupResult>;
  confirmCardPayment(clientSecret: string): Promise<PaymentResult>;
  /** Bank debit (SEPA) only: the real stripe.js has it; the local stand-in has no IBAN element. */
  confirmSepaDebitSetup?(clientSecret: string, data: { payment_method: { sepa_debit: StripeElement; billing_details: BillingDetails } }): Promise<SetupResult>;
}

export interface BillingDetails {
  name?: string;
  email?: string;
}

export type StripeFactory = (publishableKey: string) => StripeClient;

declare global {
  interface Window {
    Stripe?: StripeFactory;
  }
}

/** One load per URL; a failed load is forgotten so that trying again loads again. */
const loads = new Map<string, Promise<StripeFactory>>();

export class StripeLoadError extends Error {}

/**
 * Adds `<script src=url>` once and resolves with `window.Stripe` when it has run. Refuses a URL
 * that is not http(s), and gives up after `timeoutMs` (a blocked or very slow script).
 */
export function loadStripeJs(url: string, options: { timeoutMs?: number; doc?: Document } = {}): Promise<StripeFactory> {
  const doc = options.doc ?? document;
  const win = doc.defaultView ?? window;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return Promise.reject(new StripeLoadError("The payment form's address is not valid."));
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return Promise.reject(new StripeLoadError("The payment form's address is not valid."));
  const existing = loads.get(parsed.href);
  if (existing) return existing;
  const loading = new Promise<StripeFactory>((resolve, reject) => {
    const script = doc.createElement("script");
    script.src = parsed.href;
    script.async = true;
    script.dataset.stripeJs = "";
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fail = (message: string) => {
      if (timer) clearTimeout(timer);
      script.remove();
      loads.delete(parsed.href);
      reject(new StripeLoadError(message));
    };
    script.addEventListener("load", () => {
      if (timer) clearTimeout(timer);
      const factory = win.Stripe;
      if (typeof factory === "function") resolve(factory);
      else fail("The payment form did not start. Reload the page and try again.");
    });
    script.addEventListener("error", () => fail("The payment form could not be loaded. Check your connection (or an ad blocker) and try again."));
    timer = setTimeout(() => fail("The payment form took too long to load. Check your connection and try again."), options.timeoutMs ?? 20_000);
    doc.head.append(script);
  });
  loads.set(parsed.href, loading);
  return loading;
}

/** Forgets every load (tests). */
export function forgetStripeLoads(): void {
  loads.clear();
}

/** Stripe's error in words for the payer; a decline says so and that nothing was charged. */
export function stripeErrorMessage(error: StripeError | Error | null | undefined): string {
  if (!error) return "The payment could not be completed. Nothing was charged; try again.";
  const stripeError = error as StripeError;
  const message = error.message?.trim();
  if (stripeError.code === "card_declined" || stripeError.decline_code || stripeError.type === "card_error") {
    return `${message || "Your card was declined."} Nothing was charged; try another card.`;
  }
  // A script error (not Stripe's answer) is no sentence for a person: usually a field left empty.
  if (error instanceof Error || !message) return "The card details could not be checked. Fill in every field and try again.";
  return message;
}

/**
 * Reads `read()` every `intervalMs` (the first read after one interval) until `done(value)`,
 * at most `attempts` times. A failed read is tried again at the next tick. Stops early when
 * `signal` aborts (the screen went away).
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: { intervalMs?: number; attempts?: number; signal?: AbortSignal; sleep?: (ms: number) => Promise<void> } = {},
): Promise<{ done: boolean; value?: T; error?: unknown }> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const attempts = options.attempts ?? 20;
  let value: T | undefined;
  let error: unknown;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    await sleep(options.intervalMs ?? 1000);
    if (options.signal?.aborted) break;
    try {
      value = await read();
      error = undefined;
    } catch (problem) {
      error = problem;
      continue;
    }
    if (options.signal?.aborted) break;
    if (done(value)) return { done: true, value };
  }
  return { done: false, value, error };
}
