// End to end in Debian's chromium against the local portal (atrium-local on moto and
// localstripe, the demo firm seeded with Stripe connected in test mode and the demo invoice
// sent and unpaid): issue 16's flows, one portal for this file, run in order. Card details
// are typed into localstripe's stand-in for Stripe Elements (five plain inputs named by their
// placeholders); they go from the browser to localstripe, never to the portal.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { DEMO_BILLING, mailTo, newPage, shoot, signInAsContact, signInAsStaff, startPortal } from "./support.mjs";

let env;

before(async () => {
  env = await startPortal();
});

after(async () => {
  await env?.stop();
});

/** The demo client's billing contact, who pays its invoices (local/src/seed.rs). */
const PAYER = DEMO_BILLING;
/** The demo invoice (local/src/seed.rs): £1,500.00 plus £300.00 tax, sent. */
const DEMO_INVOICE = { number: "HP-2026-001", total: "£1,800.00" };
const GOOD_CARD = { number: "4242424242424242", month: "12", year: "30", cvc: "123", postal: "12345" };
const DECLINED_CARD = { ...GOOD_CARD, number: "4000000000000002" };

/** Waits up to `timeout` ms for mail to `email` that `wanted` picks (the webhook mails after the payment). */
async function mailArriving(email, wanted, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const found = (await mailTo(env.base, email)).filter(wanted);
    if (found.length > 0 || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function days(offset) {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}

/** A sent invoice for the demo client, made by staff through the API (signed in on `staffPage`). */
async function sentInvoice(staffPage, number, totalMinor) {
  const answer = await staffPage.evaluate(
    async ({ number, totalMinor, issued, due }) => {
      const clients = await (await fetch("/api/clients?limit=100")).json();
      const northwind = clients.clients.find((client) => client.slug === "northwind");
      const response = await fetch(`/api/clients/${northwind.id}/invoices`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ number, issue_date: issued, due_date: due, currency: "GBP", total_minor: totalMinor, status: "sent" }),
      });
      return { status: response.status, body: await response.json() };
    },
    { number, totalMinor, issued: days(0), due: days(30) },
  );
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body;
}

async function openInvoice(page, number) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Invoices" }).click();
  await page.getByRole("heading", { name: "Invoices", exact: true }).waitFor();
  await page.getByRole("link", { name: `Invoice ${number}` }).click();
  await page.getByRole("heading", { name: `Invoice ${number}` }).waitFor();
  return page.getByRole("region", { name: "Payment", exact: true });
}

/** "Pay now", then the card (the demo firm offers bank debit too, so the payer picks the card first). */
async function startCardPayment(payment) {
  await payment.getByRole("button", { name: "Pay now" }).click();
  const choice = payment.getByRole("group", { name: "How would you like to pay?" });
  const form = payment.getByRole("group", { name: "Card details" });
  await choice.or(form).first().waitFor();
  if (await choice.isVisible()) {
    await choice.getByRole("radio", { name: "Card", exact: true }).check();
    await payment.getByRole("button", { name: "Continue" }).click();
  }
  await form.getByPlaceholder("number", { exact: true }).waitFor();
}

async function typeCard(page, card) {
  const fields = page.getByRole("group", { name: "Card details" });
  await fields.getByPlaceholder("number", { exact: true }).fill(card.number);
  await fields.getByPlaceholder("exp_month", { exact: true }).fill(card.month);
  await fields.getByPlaceholder("exp_year", { exact: true }).fill(card.year);
  await fields.getByPlaceholder("cvc", { exact: true }).fill(card.cvc);
  await fields.getByPlaceholder("postal_code", { exact: true }).fill(card.postal);
}

function badge(scope, text) {
  return scope.locator(".badge").filter({ hasText: new RegExp(`^${text}$`) });
}

test("the billing contact pays the demo invoice by card: paid on screen, the receipt mailed, paid for the firm", async () => {
  const contact = await newPage(env.browser);
  const page = contact.page;
  const errors = [];
  page.on("console", (message) => message.type() === "error" && !/status of 40[013]/.test(message.text()) && errors.push(message.text()));
  await signInAsContact(page, env.base, PAYER);
  const payment = await openInvoice(page, DEMO_INVOICE.number);
  await badge(payment, "Awaiting payment").waitFor();
  await payment.getByText(DEMO_INVOICE.total).first().waitFor();
  await page.getByRole("region", { name: "Payments", exact: true }).getByText("No payments recorded yet.").waitFor();
  // stripe.js is loaded only once someone pays.
  assert.equal(await page.locator("script[data-stripe-js]").count(), 0);
  await shoot(page, "client-invoice-unpaid");

  await startCardPayment(payment);
  await payment.getByRole("heading", { name: `Pay ${DEMO_INVOICE.total}` }).waitFor();
  await typeCard(page, GOOD_CARD);
  await shoot(page, "client-invoice-pay");
  await payment.getByRole("button", { name: `Pay ${DEMO_INVOICE.total}` }).click();
  // Stripe's webhook marks it paid about a second later; the page waits for it.
  await payment.getByText(`Thank you: invoice ${DEMO_INVOICE.number} is paid.`).waitFor({ timeout: 30_000 });
  await badge(payment, "Paid").waitFor();
  await page.getByRole("region", { name: "Payments", exact: true }).getByText("Card ending 4242").waitFor({ timeout: 10_000 });
  await shoot(page, "client-invoice-paid");
  // No card number went to the portal, and the payment is the portal's record, not the page's.
  await page.reload();
  const again = page.getByRole("region", { name: "Payment", exact: true });
  await badge(again, "Paid").waitFor();
  assert.equal(await again.getByRole("button", { name: "Pay now" }).count(), 0, "a paid invoice offers no Pay now");
  const balance = await page.evaluate(async () => {
    const list = await (await fetch("/api/invoices")).json();
    return list.invoices.find((invoice) => invoice.number === "HP-2026-001");
  });
  assert.equal(balance.status, "paid");
  assert.equal(balance.payment_state, "paid");
  assert.equal(balance.balance_minor, 0);

  // One receipt, to the payer, naming the invoice.
  const receipts = await mailArriving(PAYER.email, (message) => /Receipt/i.test(message.subject) && message.subject.includes(DEMO_INVOICE.number));
  assert.equal(receipts.length, 1, `one receipt to ${PAYER.email}: ${JSON.stringify((await mailTo(env.base, PAYER.email)).map((message) => message.subject))}`);
  assert.ok(!receipts[0].body.includes(GOOD_CARD.number), "the receipt carries no card number");

  // The firm sees it paid in its list of every client's invoices.
  const staff = await newPage(env.browser);
  await signInAsStaff(staff.page, env.base);
  await staff.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Invoices" }).click();
  await staff.page.getByRole("heading", { name: "Invoices", exact: true }).waitFor();
  const row = staff.page.getByRole("region", { name: "All invoices" }).getByRole("row").filter({ hasText: DEMO_INVOICE.number });
  await badge(row, "Paid").waitFor();
  await row.getByText("Northwind Traders").waitFor();
  const totals = staff.page.getByRole("region", { name: "By client" }).getByRole("row").filter({ hasText: "Northwind Traders" });
  await totals.getByText(DEMO_INVOICE.total).first().waitFor();
  await shoot(staff.page, "staff-invoices");
  // …and in the client's workspace, with the card payment.
  await row.getByRole("link", { name: DEMO_INVOICE.number }).click();
  await staff.page.getByRole("heading", { name: `Invoice ${DEMO_INVOICE.number}` }).waitFor();
  const staffPayments = staff.page.getByRole("region", { name: "Payments", exact: true });
  await staffPayments.getByText("Card ending 4242").waitFor();
  await badge(staffPayments, "Paid").waitFor();
  await shoot(staff.page, "staff-invoice-paid");

  // The admin's Stripe screen: connected, the keys by their last four characters only.
  await staff.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Stripe" }).click();
  await staff.page.getByRole("heading", { name: "Stripe payments" }).waitFor();
  await badge(staff.page, "Connected").waitFor();
  await staff.page.getByLabel("Webhook endpoint URL").waitFor();
  assert.match(await staff.page.getByLabel("Webhook endpoint URL").inputValue(), /\/api\/stripe\/webhook$/);
  const screen = await staff.page.content();
  assert.doesNotMatch(screen, /(sk|rk)_(test|live)_[A-Za-z0-9]{5,}/, "no secret key on screen");
  assert.doesNotMatch(screen, /whsec_[A-Za-z0-9]{5,}/, "no webhook secret on screen");
  await staff.page.getByRole("button", { name: "Replace the keys" }).click();
  assert.equal(await staff.page.getByLabel("Secret key").getAttribute("type"), "password");
  assert.equal(await staff.page.getByLabel("Secret key").inputValue(), "", "secrets are never prefilled");
  assert.equal(await staff.page.getByLabel("Webhook signing secret").getAttribute("type"), "password");
  await shoot(staff.page, "staff-stripe");
  assert.deepEqual(errors, []);
  await Promise.all([contact.context.close(), staff.context.close()]);
});

test("a declined card: a clear error, nothing paid, and paying again with another card works", async () => {
  const staff = await newPage(env.browser);
  await signInAsStaff(staff.page, env.base);
  const invoice = await sentInvoice(staff.page, "HP-2026-901", 45_000);

  const contact = await newPage(env.browser);
  const page = contact.page;
  await signInAsContact(page, env.base, PAYER);
  const payment = await openInvoice(page, invoice.number);
  await startCardPayment(payment);
  await typeCard(page, DECLINED_CARD);
  await payment.getByRole("button", { name: "Pay £450.00" }).click();
  await payment.getByRole("alert").filter({ hasText: "Your card was declined." }).waitFor({ timeout: 20_000 });
  await payment.getByRole("alert").filter({ hasText: "Nothing was charged" }).waitFor();
  await shoot(page, "client-invoice-declined");
  // Nothing changed on the portal's side.
  const unpaid = await page.evaluate(async (id) => (await fetch(`/api/invoices/${id}`)).json(), invoice.id);
  assert.equal(unpaid.payment_state, "unpaid");
  assert.equal(unpaid.balance_minor, 45_000);
  const none = await page.evaluate(async (id) => (await fetch(`/api/invoices/${id}/payments`)).json(), invoice.id);
  assert.deepEqual(none.payments, []);

  await payment.getByRole("button", { name: "Try again" }).click();
  await typeCard(page, GOOD_CARD);
  await payment.getByRole("button", { name: "Pay £450.00" }).click();
  await payment.getByText(`Thank you: invoice ${invoice.number} is paid.`).waitFor({ timeout: 30_000 });
  const payments = await page.evaluate(async (id) => (await fetch(`/api/invoices/${id}/payments`)).json(), invoice.id);
  assert.equal(payments.payments.length, 1, "one payment, for the second card only");
  assert.equal(payments.payments[0].amount_minor, 45_000);
  assert.equal(payments.payments[0].card_last4, "4242");
  await Promise.all([contact.context.close(), staff.context.close()]);
});

test("staff record offline payments: partly paid with its balance, then paid; the client sees them", async () => {
  const staff = await newPage(env.browser);
  await signInAsStaff(staff.page, env.base);
  const invoice = await sentInvoice(staff.page, "HP-2026-902", 100_000);
  await staff.page.goto(`${env.base}/staff/clients/${invoice.client_id}/invoices/${invoice.id}`);
  await staff.page.getByRole("heading", { name: `Invoice ${invoice.number}` }).waitFor();
  const payments = staff.page.getByRole("region", { name: "Payments", exact: true });

  // More than the balance is refused before anything is sent.
  await payments.getByRole("button", { name: "Record a payment" }).click();
  await staff.page.getByLabel("Amount (GBP)").fill("1000.01");
  await staff.page.getByRole("button", { name: "Record the payment" }).click();
  await staff.page.getByLabel("Amount (GBP)").and(staff.page.locator('[aria-invalid="true"]')).waitFor();

  await staff.page.getByLabel("Amount (GBP)").fill("400");
  await staff.page.getByLabel("How it was paid").selectOption("bank_transfer");
  await staff.page.getByLabel("Reference").fill("NW-TRANSFER-77");
  await staff.page.getByRole("button", { name: "Record the payment" }).click();
  const recorded = staff.page.getByRole("region", { name: "Payments", exact: true });
  await badge(recorded, "Partly paid").waitFor();
  await recorded.getByText("NW-TRANSFER-77").waitFor();
  await recorded.getByText("£600.00").first().waitFor();
  await shoot(staff.page, "staff-invoice-partly-paid");

  // The firm's list says partly paid, with the balance.
  await staff.page.goto(`${env.base}/staff/invoices`);
  const row = staff.page.getByRole("region", { name: "All invoices" }).getByRole("row").filter({ hasText: invoice.number });
  await badge(row, "Partly paid").waitFor();
  await row.getByText("£600.00").waitFor();

  // The client sees the payment and what is left.
  const contact = await newPage(env.browser);
  await signInAsContact(contact.page, env.base, PAYER);
  const clientView = await openInvoice(contact.page, invoice.number);
  await badge(clientView, "Partly paid").waitFor();
  await contact.page.getByRole("region", { name: "Payments", exact: true }).getByText("Bank transfer").waitFor();

  // The rest by cheque: paid.
  await staff.page.goto(`${env.base}/staff/clients/${invoice.client_id}/invoices/${invoice.id}`);
  await staff.page.getByRole("region", { name: "Payments", exact: true }).getByRole("button", { name: "Record a payment" }).click();
  assert.equal(await staff.page.getByLabel("Amount (GBP)").inputValue(), "600.00", "the amount starts at the balance");
  await staff.page.getByLabel("How it was paid").selectOption("cheque");
  await staff.page.getByRole("button", { name: "Record the payment" }).click();
  await badge(staff.page.getByRole("region", { name: "Payments", exact: true }), "Paid").waitFor();
  assert.equal(await staff.page.getByRole("button", { name: "Record a payment" }).count(), 0, "nothing left to record");
  await Promise.all([contact.context.close(), staff.context.close()]);
});
