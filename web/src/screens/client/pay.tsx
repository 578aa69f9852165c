// "Pay now" on a client's invoice: the portal starts a Stripe SetupIntent for the outstanding
// amount, stripe.js (loaded only now) collects the card in the browser and confirms it with
// Stripe, the portal charges it (POST …/confirm, once per SetupIntent), 3-D Secure when the
// bank asks, and the page waits for Stripe's webhook to mark the invoice paid. Card details
// never reach the portal's API.
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { api, ApiError, call, type Schemas } from "../../api/client";
import { announce } from "../../lib/announce";
import { formatMoney } from "../../lib/format";
import { messageOf } from "../../lib/problems";
import { loadStripeJs, pollUntil, StripeLoadError, stripeErrorMessage, type SetupResult, type StripeClient, type StripeElement } from "../../lib/stripe";
import { useMe } from "../../state";
import { Button, Loading } from "../../components/ui";

type Invoice = Schemas["Invoice"];
type PaymentsConfig = Schemas["PaymentsConfig"];
type PaymentStart = Schemas["PaymentStart"];
type Method = Schemas["OnlineMethod"];

const METHOD_LABELS: Record<Method, string> = { card: "Card", sepa_debit: "Bank debit (SEPA)" };

/** Whether the client can pay this invoice in the portal now. */
export function payable(invoice: Pick<Invoice, "status" | "balance_minor">, config: PaymentsConfig | undefined): boolean {
  return !!config?.enabled && config.methods.length > 0 && (invoice.status === "sent" || invoice.status === "overdue") && invoice.balance_minor > 0;
}

/** The server's refusal (or a load failure) in words for the payer. */
export function paymentProblem(error: unknown): string {
  if (error instanceof StripeLoadError) return error.message;
  if (error instanceof ApiError) {
    if (error.status === 402) return "Your card was declined. Nothing was charged; try again with another card.";
    if (error.status === 503 || error.status === 502) return "Stripe could not be reached just now. Nothing was charged; try again in a moment.";
    if (error.status === 0) return error.message;
    return messageOf(error);
  }
  return messageOf(error);
}

type Phase =
  | { step: "idle" }
  | { step: "choose" }
  | { step: "starting" }
  | { step: "ready" }
  | { step: "paying" }
  | { step: "authenticating" }
  | { step: "processing"; bankDebit: boolean }
  | { step: "paid" }
  | { step: "pending"; bankDebit: boolean }
  /** `confirm`: the card is set up, only the charge failed (Stripe down): try the charge again. */
  | { step: "failed"; message: string; retry: "start" | { confirm: string } };

interface Session {
  start: PaymentStart;
  stripe: StripeClient;
}

export function PayInvoice(props: {
  invoice: Invoice;
  config: PaymentsConfig;
  /** The invoice as it is after a payment (or undefined: read it again); the payments changed. */
  onChanged: (invoice?: Invoice) => void;
  /** How often to read the invoice while waiting for Stripe's webhook (tests shorten it). */
  pollIntervalMs?: number;
}) {
  const me = useMe();
  const headingId = useId();
  const methods = props.config.methods;
  const [method, setMethod] = useState<Method>(methods[0] ?? "card");
  const [phase, setPhase] = useState<Phase>({ step: "idle" });
  const [session, setSession] = useState<Session>();
  const mountPoint = useRef<HTMLDivElement>(null);
  const element = useRef<StripeElement>();
  const heading = useRef<HTMLHeadingElement>(null);
  const polling = useRef<AbortController>();
  // Blocks a second click while a payment is being confirmed (the button is disabled too).
  const busy = useRef(false);
  const { invoice } = props;

  useEffect(() => () => polling.current?.abort(), []);

  // Stripe's input is mounted once the form is on screen, and destroyed with the session.
  useEffect(() => {
    if (!session || !mountPoint.current) return;
    const sepa = session.start.method === "sepa_debit";
    const created = session.stripe.elements().create(sepa ? "iban" : "card", sepa ? { supportedCountries: ["SEPA"] } : undefined);
    created.mount(mountPoint.current);
    element.current = created;
    return () => {
      created.destroy();
      if (element.current === created) element.current = undefined;
    };
  }, [session]);

  const opened = phase.step !== "idle";
  useEffect(() => {
    if (opened) heading.current?.focus();
  }, [opened]);

  const begin = async (chosen: Method) => {
    setSession(undefined);
    setPhase({ step: "starting" });
    try {
      const start = await call(api.POST("/api/invoices/{invoice}/payments/start", { params: { path: { invoice: invoice.id } }, body: { method: chosen } }));
      const factory = await loadStripeJs(start.stripe_js_url);
      setSession({ start, stripe: factory(start.publishable_key) });
      setPhase({ step: "ready" });
    } catch (error) {
      setPhase({ step: "failed", message: paymentProblem(error), retry: "start" });
      // The invoice may have moved on meanwhile (paid elsewhere, voided): show what it is now.
      if (error instanceof ApiError && error.status === 409) props.onChanged();
    }
  };

  const open = () => {
    if (methods.length > 1) setPhase({ step: "choose" });
    else void begin(methods[0] ?? "card");
  };

  const cancel = () => {
    polling.current?.abort();
    setSession(undefined);
    setPhase({ step: "idle" });
  };

  const fail = (message: string, retry: "start" | { confirm: string } = "start") => {
    if (retry === "start") setSession(undefined);
    setPhase({ step: "failed", message, retry });
  };

  /** Charges the set-up payment method, then waits for the webhook to mark the invoice paid. */
  const charge = async (stripe: StripeClient, setupIntent: string) => {
    let answer: Schemas["PaymentConfirmation"];
    try {
      answer = await call(api.POST("/api/invoices/{invoice}/payments/confirm", { params: { path: { invoice: invoice.id } }, body: { setup_intent: setupIntent } }));
    } catch (error) {
      const again = error instanceof ApiError && (error.status === 503 || error.status === 0) ? { confirm: setupIntent } : "start";
      fail(paymentProblem(error), again);
      if (error instanceof ApiError && error.status === 409) props.onChanged();
      return;
    }
    if (answer.status === "requires_action") {
      setPhase({ step: "authenticating" });
      if (!answer.client_secret) {
        fail("Your bank asked to confirm the payment, but the confirmation could not start. Nothing was charged; try again.");
        return;
      }
      const confirmed = await stripe.confirmCardPayment(answer.client_secret);
      if (confirmed.error) {
        fail(`${confirmed.error.message?.trim() || "Your bank did not confirm the payment."} Nothing was charged; try again or use another card.`);
        return;
      }
    }
    const bankDebit = answer.status === "processing";
    setSession(undefined);
    setPhase({ step: "processing", bankDebit });
    announce("Payment sent. Waiting for Stripe's confirmation.");
    const controller = new AbortController();
    polling.current = controller;
    const result = await pollUntil(
      () => call(api.GET("/api/invoices/{invoice}", { params: { path: { invoice: invoice.id } } })),
      (latest) => latest.payment_state === "paid",
      { intervalMs: props.pollIntervalMs ?? 1000, attempts: 20, signal: controller.signal },
    );
    if (controller.signal.aborted) return;
    if (result.done) {
      setPhase({ step: "paid" });
      announce(`Invoice ${invoice.number} is paid. Thank you.`);
    } else {
      setPhase({ step: "pending", bankDebit });
    }
    props.onChanged(result.value);
  };

  const pay = async () => {
    const current = session;
    const input = element.current;
    if (!current || !input || busy.current) return;
    busy.current = true;
    setPhase({ step: "paying" });
    try {
      let setup: SetupResult;
      try {
        if (current.start.method === "sepa_debit") {
          if (!current.stripe.confirmSepaDebitSetup) throw new StripeLoadError("Bank debit is not available here. Pay by card instead.");
          setup = await current.stripe.confirmSepaDebitSetup(current.start.client_secret, { payment_method: { sepa_debit: input, billing_details: { name: me.name, email: me.email } } });
        } else {
          setup = await current.stripe.confirmCardSetup(current.start.client_secret, { payment_method: { card: input } });
        }
      } catch (error) {
        setup = { error: error instanceof StripeLoadError ? { message: error.message } : (error as Error) };
      }
      if (setup.error || !setup.setupIntent) {
        fail(stripeErrorMessage(setup.error));
        return;
      }
      await charge(current.stripe, setup.setupIntent.id);
    } finally {
      busy.current = false;
    }
  };

  const retry = async (how: "start" | { confirm: string }) => {
    if (how === "start" || !session) {
      await begin(method);
      return;
    }
    if (busy.current) return;
    busy.current = true;
    setPhase({ step: "paying" });
    try {
      await charge(session.stripe, how.confirm);
    } finally {
      busy.current = false;
    }
  };

  const canPay = payable(invoice, props.config);
  if (phase.step === "idle") {
    if (!canPay) return null;
    return (
      <div class="actions pay-start">
        <Button onClick={open}>Pay now</Button>
        <span class="muted">
          {methods.includes("sepa_debit") ? "By card or bank debit" : "By card"}, securely through Stripe.
        </span>
      </div>
    );
  }

  const amount = session ? formatMoney(session.start.amount, session.start.currency) : formatMoney(invoice.balance, invoice.currency);
  const sepa = session?.start.method === "sepa_debit";
  const formShown = phase.step === "ready" || phase.step === "paying";
  return (
    <section class="pay-panel" aria-labelledby={headingId}>
      <h3 id={headingId} tabIndex={-1} ref={heading}>
        {phase.step === "paid" ? "Paid, thank you" : `Pay ${amount}`}
      </h3>
      {phase.step === "choose" && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void begin(method);
          }}
        >
          <fieldset class="choices">
            <legend>How would you like to pay?</legend>
            {methods.map((option) => (
              <label class="choice" key={option}>
                <input type="radio" name="method" value={option} checked={method === option} onChange={() => setMethod(option)} /> {METHOD_LABELS[option]}
              </label>
            ))}
          </fieldset>
          <div class="actions">
            <Button type="submit">Continue</Button>
            <Button kind="link" onClick={cancel}>
              Cancel
            </Button>
          </div>
        </form>
      )}
      {phase.step === "starting" && <Loading label="Preparing the secure payment form…" />}
      {session && (
        <fieldset class="pay-method" hidden={!formShown}>
          <legend>{sepa ? "Bank account (IBAN)" : "Card details"}</legend>
          <p class="hint">{sepa ? "Your bank details go straight to Stripe, the firm's payment provider." : "Your card details go straight to Stripe, the firm's payment provider; the portal never sees them."}</p>
          <div ref={mountPoint} class="stripe-element" />
          {sepa && (
            <p class="hint mandate">
              By providing your IBAN and confirming this payment, you authorise {me.firm.name} and Stripe, our payment service provider, to send instructions to your bank to debit your account, and your bank to debit your account in accordance with those instructions. You are entitled to a refund from your bank under the terms and
              conditions of your agreement with your bank. A refund must be claimed within 8 weeks starting from the date on which your account was debited.
            </p>
          )}
        </fieldset>
      )}
      {formShown && (
        <div class="actions">
          <Button onClick={() => void pay()} busy={phase.step === "paying"}>
            Pay {amount}
          </Button>
          <Button kind="link" onClick={cancel} disabled={phase.step === "paying"}>
            Cancel
          </Button>
        </div>
      )}
      {phase.step === "authenticating" && <Loading label="Confirm the payment in your bank's window…" />}
      {phase.step === "processing" && <Loading label={phase.bankDebit ? "Bank debit set up. Waiting for Stripe's confirmation…" : "Payment sent. Waiting for Stripe's confirmation…"} />}
      {phase.step === "paid" && (
        <div class="notice good" role="status">
          <p>
            Thank you: invoice {invoice.number} is paid. A receipt is on its way to {me.email}.
          </p>
        </div>
      )}
      {phase.step === "pending" && (
        <div class="notice" role="status">
          <p>
            {phase.bankDebit
              ? "Your bank debit is on its way. It usually takes a few working days; the invoice shows paid once the money arrives. There is nothing more to do."
              : "Stripe has your payment; the invoice will show paid in a moment. There is nothing more to do: reload this page in a minute to see it."}
          </p>
        </div>
      )}
      {phase.step === "failed" && (
        <div class="error-box" role="alert">
          <p>{phase.message}</p>
          <div class="row">
            <Button kind="secondary" onClick={() => void retry(phase.retry)}>
              Try again
            </Button>
            <Button kind="link" onClick={cancel}>
              Cancel
            </Button>
          </div>
        </div>
      )}
    </section>
  );
}
