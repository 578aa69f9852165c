// stripe.js is loaded at run time, only when someone pays: one script tag per URL, the
// `Stripe` it defines, a readable failure (and a fresh try after one), and no script from a
// URL that is not http(s). The wait for the webhook reads the invoice every interval until it
// is paid, survives a failed read, gives up after its attempts and stops when the screen goes.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { forgetStripeLoads, loadStripeJs, pollUntil, StripeLoadError, stripeErrorMessage, type StripeFactory } from "../src/lib/stripe";

const URL_V3 = "http://127.0.0.1:8420/js.stripe.com/v3/";

function scripts(): HTMLScriptElement[] {
  return [...document.querySelectorAll<HTMLScriptElement>("script[data-stripe-js]")];
}

beforeEach(() => {
  forgetStripeLoads();
  for (const script of scripts()) script.remove();
  delete window.Stripe;
});

afterEach(() => {
  vi.useRealTimers();
});

describe("loadStripeJs", () => {
  it("adds one script tag for the URL and answers the Stripe it defines", async () => {
    const factory = (() => ({})) as unknown as StripeFactory;
    const first = loadStripeJs(URL_V3);
    const second = loadStripeJs(URL_V3);
    expect(second).toBe(first);
    expect(scripts()).toHaveLength(1);
    expect(scripts()[0]?.src).toBe(URL_V3);
    expect(scripts()[0]?.async).toBe(true);
    window.Stripe = factory;
    scripts()[0]?.dispatchEvent(new Event("load"));
    await expect(first).resolves.toBe(factory);
    // Loaded: asking again adds nothing.
    await expect(loadStripeJs(URL_V3)).resolves.toBe(factory);
    expect(scripts()).toHaveLength(1);
  });

  it("fails readably when the script cannot load, and loads afresh on the next try", async () => {
    const failing = loadStripeJs(URL_V3);
    scripts()[0]?.dispatchEvent(new Event("error"));
    await expect(failing).rejects.toThrow(StripeLoadError);
    await expect(failing).rejects.toThrow(/could not be loaded/);
    expect(scripts()).toHaveLength(0);
    const again = loadStripeJs(URL_V3);
    expect(again).not.toBe(failing);
    expect(scripts()).toHaveLength(1);
    window.Stripe = (() => ({})) as unknown as StripeFactory;
    scripts()[0]?.dispatchEvent(new Event("load"));
    await expect(again).resolves.toBe(window.Stripe);
  });

  it("fails when the script ran but defined no Stripe", async () => {
    const loading = loadStripeJs(URL_V3);
    scripts()[0]?.dispatchEvent(new Event("load"));
    await expect(loading).rejects.toThrow(/did not start/);
  });

  it("gives up after the timeout", async () => {
    vi.useFakeTimers();
    const loading = loadStripeJs(URL_V3, { timeoutMs: 5000 });
    const settled = expect(loading).rejects.toThrow(/took too long/);
    vi.advanceTimersByTime(5000);
    await settled;
    expect(scripts()).toHaveLength(0);
  });

  it("loads nothing from a URL that is not http(s)", async () => {
    await expect(loadStripeJs("javascript:alert(1)")).rejects.toThrow(/not valid/);
    await expect(loadStripeJs("not a url")).rejects.toThrow(/not valid/);
    expect(scripts()).toHaveLength(0);
  });
});

describe("stripeErrorMessage", () => {
  it("says a decline is a decline and that nothing was charged", () => {
    expect(stripeErrorMessage({ code: "card_declined", message: "Your card was declined." })).toBe("Your card was declined. Nothing was charged; try another card.");
    expect(stripeErrorMessage({ type: "card_error", message: "Your card has insufficient funds." })).toMatch(/^Your card has insufficient funds\. Nothing was charged/);
  });

  it("passes Stripe's other messages on, and words a script error for people", () => {
    expect(stripeErrorMessage({ type: "validation_error", message: "Your card number is incomplete." })).toBe("Your card number is incomplete.");
    expect(stripeErrorMessage(new TypeError("Cannot read properties of undefined (reading 'card')"))).toMatch(/Fill in every field/);
    expect(stripeErrorMessage(undefined)).toMatch(/Nothing was charged/);
  });
});

describe("pollUntil", () => {
  const noWait = () => Promise.resolve();

  it("reads until the answer is the one awaited", async () => {
    const answers = ["unpaid", "unpaid", "paid", "never read"];
    const read = vi.fn(async () => answers.shift());
    const result = await pollUntil(read, (state) => state === "paid", { sleep: noWait });
    expect(result).toEqual({ done: true, value: "paid" });
    expect(read).toHaveBeenCalledTimes(3);
  });

  it("waits the interval before each read", async () => {
    const sleep = vi.fn(noWait);
    await pollUntil(async () => 1, () => true, { sleep, intervalMs: 1000 });
    expect(sleep).toHaveBeenCalledWith(1000);
  });

  it("tries a failed read again", async () => {
    let calls = 0;
    const result = await pollUntil(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error("offline");
        return "paid";
      },
      (state) => state === "paid",
      { sleep: noWait },
    );
    expect(result.done).toBe(true);
    expect(calls).toBe(2);
  });

  it("gives up after its attempts with the last answer", async () => {
    const read = vi.fn(async () => "unpaid");
    const result = await pollUntil(read, (state) => state === "paid", { sleep: noWait, attempts: 5 });
    expect(result).toEqual({ done: false, value: "unpaid", error: undefined });
    expect(read).toHaveBeenCalledTimes(5);
  });

  it("stops when the screen goes away", async () => {
    const controller = new AbortController();
    const read = vi.fn(async () => {
      controller.abort();
      return "unpaid";
    });
    const result = await pollUntil(read, () => false, { sleep: noWait, signal: controller.signal });
    expect(result.done).toBe(false);
    expect(read).toHaveBeenCalledTimes(1);
  });
});
