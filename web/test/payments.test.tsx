// Paying an invoice in the portal, against a fake stripe.js and a fake API: "Pay now" starts a
// SetupIntent and loads stripe.js, the card is confirmed with Stripe (never sent to the API),
// the portal is asked to charge it once however often Pay is pressed, 3-D Secure runs when the
// bank asks, and the page waits for the invoice to turn paid. A decline says so, charges
// nothing and offers to try again. And the small rules behind the staff screens: the firm's
// totals per client across pages, the status filter, the offline amount, the Stripe keys.
import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// openapi-fetch takes `fetch` when the client is created, so it is replaced before the import.
const api = vi.hoisted(() => {
  const sent: { method: string; path: string; body: unknown }[] = [];
  /** Answers by "METHOD /path", in order; the last one repeats. */
  const answers = new Map<string, { status: number; body: unknown }[]>();
  globalThis.fetch = (async (input: Request | string, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const text = await request.text();
    const path = new URL(request.url).pathname;
    sent.push({ method: request.method, path, body: text ? JSON.parse(text) : undefined });
    const queue = answers.get(`${request.method} ${path}`) ?? [];
    const answer = (queue.length > 1 ? queue.shift() : queue[0]) ?? { status: 404, body: { error: { code: "not_found", message: "No such route in the test." } } };
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { "content-type": "application/json" } });
  }) as typeof fetch;
  return {
    sent,
    answer: (route: string, ...queue: { status: number; body: unknown }[]) => answers.set(route, queue),
    reset: () => {
      sent.length = 0;
      answers.clear();
    },
  };
});

import { MeContext, type Me } from "../src/state";
import type { Schemas } from "../src/api/client";
import { forgetStripeLoads, type StripeClient, type StripeElement } from "../src/lib/stripe";
import { PayInvoice, payable, paymentProblem } from "../src/screens/client/pay";
import { displayStatus } from "../src/screens/client/invoices";
import { matchesFilter, mergeTotals } from "../src/screens/staff/invoices";
import { offlineAmount } from "../src/screens/staff/tabs/invoices";
import { keyMode, stripeKeyProblems } from "../src/screens/staff/stripe";
import { ApiError } from "../src/api/client";
import { person } from "../src/lib/format";

type Invoice = Schemas["Invoice"];

const ME: Me = { kind: "client", sub: "sub-dana", email: "dana@northwind.example", name: "Dana Whitfield", roles: ["billing"], mfa_enabled: false, firm: { name: "Harbour & Pike" }, client: { id: "T1", name: "Northwind Traders", slug: "northwind" } };

const INVOICE: Invoice = {
  id: "01JD3K7ZQ8M2V5X9T4R6N1B0IN",
  client_id: "01JD3K7ZQ8M2V5X9T4R6N1B0AA",
  number: "HP-2026-001",
  issue_date: "2026-11-27",
  due_date: "2026-12-30",
  currency: "GBP",
  minor_digits: 2,
  lines: [{ description: "Year-end accounts, first instalment", quantity: 1, unit_amount_minor: 150_000, amount_minor: 150_000 }],
  subtotal_minor: 150_000,
  tax_minor: 30_000,
  total_minor: 180_000,
  total: "1800.00",
  paid_minor: 0,
  balance_minor: 180_000,
  balance: "1800.00",
  payment_state: "unpaid",
  status: "sent",
  overdue: false,
  document_id: null,
  payment_url: null,
  note: "",
  sent_at: "2026-11-27T10:00:00Z",
  paid_at: null,
  voided_at: null,
  created_at: "2026-11-27T10:00:00Z",
  updated_at: "2026-11-27T10:00:00Z",
  version: 2,
};

const PAID: Invoice = { ...INVOICE, paid_minor: 180_000, balance_minor: 0, balance: "0.00", payment_state: "paid", status: "paid", paid_at: "2026-11-30T10:00:00Z", version: 3 };

const CONFIG: Schemas["PaymentsConfig"] = { enabled: true, publishable_key: "pk_test_123", stripe_js_url: "http://127.0.0.1:8420/js.stripe.com/v3/", methods: ["card"] };

const START: Schemas["PaymentStart"] = {
  setup_intent: "seti_1",
  client_secret: "seti_1_secret_abc",
  publishable_key: "pk_test_123",
  stripe_js_url: "http://127.0.0.1:8420/js.stripe.com/v3/",
  method: "card",
  amount_minor: 180_000,
  amount: "1800.00",
  currency: "GBP",
};

const START_PATH = `/api/invoices/${INVOICE.id}/payments/start`;
const CONFIRM_PATH = `/api/invoices/${INVOICE.id}/payments/confirm`;
const INVOICE_PATH = `/api/invoices/${INVOICE.id}`;

/** A stand-in for stripe.js: records what the page asks of it. */
function fakeStripe(setup: () => Promise<{ setupIntent?: { id: string }; error?: { message?: string; code?: string } }>) {
  const mounted: HTMLElement[] = [];
  const destroyed: StripeElement[] = [];
  const element: StripeElement = {
    mount: (where) => {
      const input = document.createElement("input");
      input.placeholder = "number";
      where.append(input);
      mounted.push(where);
    },
    destroy: () => destroyed.push(element),
  };
  const client = {
    elements: () => ({ create: vi.fn(() => element) }),
    confirmCardSetup: vi.fn(async () => setup()),
    confirmCardPayment: vi.fn(async () => ({ paymentIntent: { id: "pi_1", status: "succeeded" } })),
  } satisfies StripeClient;
  const factory = vi.fn(() => client);
  return { client, factory, element, mounted, destroyed };
}

let root: HTMLDivElement;

beforeEach(() => {
  root = document.createElement("div");
  document.body.append(root);
  api.reset();
  forgetStripeLoads();
  for (const script of document.querySelectorAll("script[data-stripe-js]")) script.remove();
  delete window.Stripe;
});

afterEach(() => {
  render(null, root);
  root.remove();
});

async function settle(rounds = 10) {
  for (let round = 0; round < rounds; round++) await act(() => new Promise((resolve) => setTimeout(resolve, 2)));
}

function button(text: string | RegExp): HTMLButtonElement {
  const found = [...root.querySelectorAll("button")].find((candidate) => (typeof text === "string" ? candidate.textContent?.trim() === text : text.test(candidate.textContent?.trim() ?? "")));
  if (!found) throw new Error(`no button ${text}; buttons: ${[...root.querySelectorAll("button")].map((candidate) => candidate.textContent).join(", ")}`);
  return found;
}

/** Runs stripe.js's load: the page added the script tag; "it ran" and defined Stripe. */
async function loadStripe(factory: (key: string) => StripeClient) {
  await settle();
  const script = document.querySelector<HTMLScriptElement>("script[data-stripe-js]");
  if (!script) throw new Error("stripe.js was not requested");
  expect(script.src).toBe(START.stripe_js_url);
  window.Stripe = factory;
  await act(() => {
    script.dispatchEvent(new Event("load"));
  });
  await settle();
}

function show(onChanged: (invoice?: Invoice) => void = () => undefined, invoice: Invoice = INVOICE, config = CONFIG) {
  render(
    <MeContext.Provider value={ME}>
      <PayInvoice invoice={invoice} config={config} onChanged={onChanged} pollIntervalMs={1} />
    </MeContext.Provider>,
    root,
  );
}

function sentTo(path: string) {
  return api.sent.filter((request) => request.path === path);
}

describe("PayInvoice", () => {
  it("pays by card: stripe.js confirms the card, the portal charges once, the page waits for paid", async () => {
    const stripe = fakeStripe(async () => ({ setupIntent: { id: "seti_1" } }));
    api.answer(`POST ${START_PATH}`, { status: 200, body: START });
    api.answer(`POST ${CONFIRM_PATH}`, { status: 200, body: { status: "succeeded", payment_intent: "pi_1", client_secret: null, amount_minor: 180_000, currency: "GBP" } });
    api.answer(`GET ${INVOICE_PATH}`, { status: 200, body: INVOICE }, { status: 200, body: PAID });
    const changed = vi.fn();
    show(changed);
    // No stripe.js until someone pays.
    expect(document.querySelector("script[data-stripe-js]")).toBeNull();
    await act(() => button("Pay now").click());
    await loadStripe(stripe.factory);
    expect(sentTo(START_PATH).map((request) => request.body)).toEqual([{ method: "card" }]);
    expect(stripe.factory).toHaveBeenCalledWith("pk_test_123");
    // The card input is Stripe's, in a labelled group.
    const group = root.querySelector("fieldset.pay-method");
    expect(group?.querySelector("legend")?.textContent).toBe("Card details");
    expect(stripe.mounted).toEqual([root.querySelector(".stripe-element")]);

    // Two quick presses: one confirmation with Stripe, one charge.
    const pay = button(/^Pay £1,800\.00$/);
    await act(() => {
      pay.click();
      pay.click();
    });
    await settle(20);
    expect(stripe.client.confirmCardSetup).toHaveBeenCalledTimes(1);
    expect(stripe.client.confirmCardSetup).toHaveBeenCalledWith("seti_1_secret_abc", { payment_method: { card: stripe.element } });
    expect(sentTo(CONFIRM_PATH).map((request) => request.body)).toEqual([{ setup_intent: "seti_1" }]);
    // Card data never goes to the portal: only the method and the SetupIntent's id.
    expect(JSON.stringify(api.sent)).not.toMatch(/4242/);
    expect(sentTo(INVOICE_PATH).length).toBeGreaterThanOrEqual(2);
    expect(root.textContent).toContain("Thank you: invoice HP-2026-001 is paid. A receipt is on its way to dana@northwind.example.");
    expect(changed).toHaveBeenCalledWith(PAID);
    expect(stripe.destroyed).toEqual([stripe.element]);
  });

  it("says a declined card is declined, charges nothing, and starts afresh on Try again", async () => {
    const stripe = fakeStripe(async () => ({ error: { code: "card_declined", message: "Your card was declined." } }));
    api.answer(`POST ${START_PATH}`, { status: 200, body: START });
    show();
    await act(() => button("Pay now").click());
    await loadStripe(stripe.factory);
    await act(() => button(/^Pay £/).click());
    await settle();
    const alert = root.querySelector('[role="alert"]');
    expect(alert?.textContent).toContain("Your card was declined. Nothing was charged; try another card.");
    expect(sentTo(CONFIRM_PATH)).toHaveLength(0);
    expect(root.querySelector(".stripe-element")).toBeNull();
    await act(() => button("Try again").click());
    await settle();
    expect(sentTo(START_PATH)).toHaveLength(2);
    expect(stripe.mounted).toHaveLength(2);
    expect(button(/^Pay £/)).toBeTruthy();
  });

  it("reports the portal's decline (402) in the same words", async () => {
    const stripe = fakeStripe(async () => ({ setupIntent: { id: "seti_1" } }));
    api.answer(`POST ${START_PATH}`, { status: 200, body: START });
    api.answer(`POST ${CONFIRM_PATH}`, { status: 402, body: { error: { code: "card_declined", message: "The card was declined." } } });
    show();
    await act(() => button("Pay now").click());
    await loadStripe(stripe.factory);
    await act(() => button(/^Pay £/).click());
    await settle();
    expect(root.querySelector('[role="alert"]')?.textContent).toContain("Your card was declined. Nothing was charged");
    expect(sentTo(INVOICE_PATH)).toHaveLength(0);
  });

  it("runs 3-D Secure when the bank asks, then waits for paid", async () => {
    const stripe = fakeStripe(async () => ({ setupIntent: { id: "seti_1" } }));
    api.answer(`POST ${START_PATH}`, { status: 200, body: START });
    api.answer(`POST ${CONFIRM_PATH}`, { status: 200, body: { status: "requires_action", payment_intent: "pi_1", client_secret: "pi_1_secret_xyz", amount_minor: 180_000, currency: "GBP" } });
    api.answer(`GET ${INVOICE_PATH}`, { status: 200, body: PAID });
    show();
    await act(() => button("Pay now").click());
    await loadStripe(stripe.factory);
    await act(() => button(/^Pay £/).click());
    await settle(20);
    expect(stripe.client.confirmCardPayment).toHaveBeenCalledWith("pi_1_secret_xyz");
    expect(root.textContent).toContain("is paid");
  });

  it("tries the charge again (not the card) when Stripe could not be reached", async () => {
    const stripe = fakeStripe(async () => ({ setupIntent: { id: "seti_1" } }));
    api.answer(`POST ${START_PATH}`, { status: 200, body: START });
    api.answer(
      `POST ${CONFIRM_PATH}`,
      { status: 503, body: { error: { code: "unavailable", message: "Stripe could not be reached." } } },
      { status: 200, body: { status: "succeeded", payment_intent: "pi_1", client_secret: null, amount_minor: 180_000, currency: "GBP" } },
    );
    api.answer(`GET ${INVOICE_PATH}`, { status: 200, body: PAID });
    show();
    await act(() => button("Pay now").click());
    await loadStripe(stripe.factory);
    await act(() => button(/^Pay £/).click());
    await settle();
    expect(root.querySelector('[role="alert"]')?.textContent).toContain("Stripe could not be reached just now. Nothing was charged");
    await act(() => button("Try again").click());
    await settle(20);
    expect(stripe.client.confirmCardSetup).toHaveBeenCalledTimes(1);
    expect(sentTo(START_PATH)).toHaveLength(1);
    expect(sentTo(CONFIRM_PATH).map((request) => request.body)).toEqual([{ setup_intent: "seti_1" }, { setup_intent: "seti_1" }]);
    expect(root.textContent).toContain("is paid");
  });

  it("shows the server's reason when the invoice cannot be paid, and reads it again", async () => {
    api.answer(`POST ${START_PATH}`, { status: 409, body: { error: { code: "conflict", message: "This invoice is already paid." } } });
    const changed = vi.fn();
    show(changed);
    await act(() => button("Pay now").click());
    await settle();
    expect(root.querySelector('[role="alert"]')?.textContent).toContain("This invoice is already paid.");
    expect(document.querySelector("script[data-stripe-js]")).toBeNull();
    expect(changed).toHaveBeenCalledWith();
  });

  it("asks how to pay when the firm offers bank debit too", async () => {
    api.answer(`POST ${START_PATH}`, { status: 409, body: { error: { code: "conflict", message: "stop here" } } });
    show(undefined, INVOICE, { ...CONFIG, methods: ["card", "sepa_debit"] });
    await act(() => button("Pay now").click());
    const sepa = root.querySelector<HTMLInputElement>('input[value="sepa_debit"]');
    expect(sepa).not.toBeNull();
    await act(() => sepa?.click());
    await act(() => button("Continue").click());
    await settle();
    expect(sentTo(START_PATH).map((request) => request.body)).toEqual([{ method: "sepa_debit" }]);
  });

  it("offers nothing for an invoice that cannot be paid", () => {
    show(undefined, PAID);
    expect(root.querySelectorAll("button")).toHaveLength(0);
  });
});

describe("payable", () => {
  it("is a sent or overdue invoice with a balance, when the firm takes payments", () => {
    expect(payable(INVOICE, CONFIG)).toBe(true);
    expect(payable({ ...INVOICE, status: "overdue" }, CONFIG)).toBe(true);
    expect(payable(INVOICE, { ...CONFIG, enabled: false })).toBe(false);
    expect(payable(INVOICE, { ...CONFIG, methods: [] })).toBe(false);
    expect(payable(INVOICE, undefined)).toBe(false);
    for (const status of ["draft", "void", "paid"] as const) expect(payable({ ...INVOICE, status }, CONFIG)).toBe(false);
    expect(payable({ ...INVOICE, balance_minor: 0 }, CONFIG)).toBe(false);
  });

  it("words the server's refusals for the payer", () => {
    expect(paymentProblem(new ApiError(503, "unavailable", "x"))).toMatch(/Stripe could not be reached/);
    expect(paymentProblem(new ApiError(409, "conflict", "a payment is already under way"))).toBe("A payment is already under way");
  });
});

describe("invoice status and the firm's list", () => {
  it("tells partly paid invoices apart", () => {
    expect(displayStatus({ status: "sent", payment_state: "partly_paid" })).toBe("partly_paid");
    expect(displayStatus({ status: "overdue", payment_state: "partly_paid" })).toBe("overdue_partly_paid");
    expect(displayStatus({ status: "overdue", payment_state: "unpaid" })).toBe("overdue");
    expect(displayStatus({ status: "paid", payment_state: "paid" })).toBe("paid");
    expect(displayStatus({ status: "draft", payment_state: "unpaid" })).toBe("draft");
  });

  it("filters by what people see", () => {
    const partlyOverdue = { status: "overdue" as const, payment_state: "partly_paid" as const };
    expect(matchesFilter(partlyOverdue, "")).toBe(true);
    expect(matchesFilter(partlyOverdue, "overdue")).toBe(true);
    expect(matchesFilter(partlyOverdue, "partly_paid")).toBe(true);
    expect(matchesFilter(partlyOverdue, "unpaid")).toBe(true);
    expect(matchesFilter(partlyOverdue, "paid")).toBe(false);
    expect(matchesFilter({ status: "sent", payment_state: "unpaid" }, "sent")).toBe(true);
    expect(matchesFilter({ status: "overdue", payment_state: "unpaid" }, "sent")).toBe(false);
    expect(matchesFilter({ status: "void", payment_state: "unpaid" }, "unpaid")).toBe(false);
  });

  it("adds the pages' totals up per client and currency", () => {
    const row = (client: string, currency: string, count: number, invoiced: number, paid: number, overdue: number) => ({
      client_id: client,
      client_name: `Client ${client}`,
      currency,
      count,
      invoiced_minor: invoiced,
      paid_minor: paid,
      balance_minor: invoiced - paid,
      overdue_minor: overdue,
    });
    const pages = [{ clients: [row("A", "GBP", 2, 1000, 400, 100), row("B", "EUR", 1, 500, 0, 0)] }, { clients: [row("A", "GBP", 1, 300, 300, 0), row("A", "EUR", 1, 50, 0, 50)] }];
    expect(mergeTotals(pages)).toEqual([row("A", "GBP", 3, 1300, 700, 100), row("B", "EUR", 1, 500, 0, 0), row("A", "EUR", 1, 50, 0, 50)]);
    // The pages themselves are left as they were.
    expect(pages[0]?.clients[0]?.count).toBe(2);
  });
});

describe("offline payments", () => {
  it("takes an amount up to the balance", () => {
    expect(offlineAmount("1800", INVOICE)).toEqual({ value: 180_000 });
    expect(offlineAmount("250.5", INVOICE)).toEqual({ value: 25_050 });
    expect(offlineAmount("1800.01", INVOICE).problem).toMatch(/more than the balance of £1,800\.00/);
    expect(offlineAmount("0", INVOICE).problem).toMatch(/more than nothing/);
    expect(offlineAmount("-5", INVOICE).problem).toMatch(/more than nothing/);
    expect(offlineAmount("12.345", INVOICE).problem).toMatch(/at most 2 decimals/);
    expect(offlineAmount("", INVOICE).problem).toMatch(/required/);
  });
});

describe("Stripe keys", () => {
  const good = { secret_key: "sk_test_51Abc", webhook_secret: "whsec_xyz", publishable_key: "pk_test_51Abc" };

  it("accepts keys of one mode, with spaces pasted around them", () => {
    expect(stripeKeyProblems(good)).toEqual({});
    expect(stripeKeyProblems({ secret_key: " rk_live_1 ", webhook_secret: "whsec_1\n", publishable_key: "pk_live_1" })).toEqual({});
  });

  it("names each key that is missing or not a key of its kind", () => {
    expect(Object.keys(stripeKeyProblems({ secret_key: "", webhook_secret: "", publishable_key: "" })).sort()).toEqual(["publishable_key", "secret_key", "webhook_secret"]);
    expect(stripeKeyProblems({ ...good, secret_key: "pk_test_1" }).secret_key).toMatch(/sk_test_/);
    expect(stripeKeyProblems({ ...good, webhook_secret: "sk_test_1" }).webhook_secret).toMatch(/whsec_/);
    expect(stripeKeyProblems({ ...good, publishable_key: "sk_test_1" }).publishable_key).toMatch(/pk_test_/);
    expect(stripeKeyProblems({ ...good, secret_key: `sk_test_${"x".repeat(250)}` }).secret_key).toMatch(/255/);
  });

  it("refuses a test key with a live key", () => {
    expect(stripeKeyProblems({ ...good, publishable_key: "pk_live_1" }).publishable_key).toMatch(/live key but the secret key is a test key/);
    expect(keyMode("sk_live_1")).toBe("live");
    expect(keyMode("pk_test_1")).toBe("test");
    expect(keyMode("whsec_1")).toBeUndefined();
  });
});

describe("person", () => {
  it("shows an email or a name, never an internal id", () => {
    expect(person("avery@harbourpike.example")).toBe("avery@harbourpike.example");
    expect(person("Avery Harbour")).toBe("Avery Harbour");
    expect(person("staff:c0306f1c-1a95-43db-82a7-33e09234fc43")).toBeUndefined();
    expect(person(null)).toBeUndefined();
    expect(person("  ")).toBeUndefined();
  });
});
