// An invoice's payments, as the client and the firm see them: when, how, how much, and any
// refund. Card payments show the card's last four digits only (all Stripe tells the portal).
import type { ComponentChildren } from "preact";
import type { Schemas } from "../api/client";
import { formatDate, formatDateTime, formatMoney, person } from "../lib/format";
import { money } from "../lib/money";
import { Badge } from "./ui";

export type Payment = Schemas["Payment"];

const METHODS: Record<Payment["method"], string> = {
  card: "Card",
  sepa_debit: "Bank debit (SEPA)",
  bank_transfer: "Bank transfer",
  cheque: "Cheque",
  cash: "Cash",
  other: "Other",
};

/** "Card ending 4242", "Bank transfer", …: how it was paid, in words. */
export function methodLabel(payment: Pick<Payment, "method" | "card_last4">): string {
  const label = METHODS[payment.method] ?? payment.method;
  return payment.method === "card" && payment.card_last4 ? `${label} ending ${payment.card_last4}` : label;
}

function paymentStatus(payment: Payment, shape: { currency: string; minor_digits: number }) {
  if (payment.status === "refunded") return <Badge tone="neutral">Refunded</Badge>;
  if (payment.status === "partly_refunded") return <Badge tone="warn">{money(payment.refunded_minor, shape)} refunded</Badge>;
  return <Badge tone="good">Received</Badge>;
}

export function PaymentsTable(props: { payments: Payment[]; invoice: { number: string; currency: string; minor_digits: number }; staff?: boolean }) {
  const { invoice } = props;
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">Payments of invoice {invoice.number}</caption>
        <thead>
          <tr>
            <th scope="col">Received</th>
            <th scope="col">How</th>
            <th scope="col" class="number">
              Amount
            </th>
            <th scope="col">Status</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {props.payments.map((payment) => (
            <tr key={payment.id}>
              <td>
                <time dateTime={payment.received_on}>{formatDate(payment.received_on)}</time>
              </td>
              <td>
                {methodLabel(payment)}
                {payment.source === "stripe" && <span class="muted"> · online</span>}
              </td>
              <td class="number">{formatMoney(payment.amount, payment.currency)}</td>
              <td>{paymentStatus(payment, invoice)}</td>
              <td class="payment-details">
                {payment.payer && <span>Paid by {payment.payer}</span>}
                {payment.reference && (
                  <span>
                    Reference <code>{payment.reference}</code>
                  </span>
                )}
                {props.staff && (
                  <span class="muted">
                    Recorded {formatDateTime(payment.recorded_at)}
                    {person(payment.recorded_by) ? ` by ${person(payment.recorded_by)}` : ""}
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type InvoiceMoney = Pick<Schemas["Invoice"], "currency" | "minor_digits" | "total" | "paid_minor" | "balance" | "balance_minor" | "payment_state" | "paid_at">;

/** Total, paid so far and balance of an invoice, with its badge. */
export function BalanceSummary(props: { invoice: InvoiceMoney; badge?: ComponentChildren }) {
  const { invoice } = props;
  return (
    <dl class="kv balance">
      {props.badge && (
        <>
          <dt>Status</dt>
          <dd>{props.badge}</dd>
        </>
      )}
      <dt>Total</dt>
      <dd>{formatMoney(invoice.total, invoice.currency)}</dd>
      <dt>Paid</dt>
      <dd>
        {money(invoice.paid_minor, invoice)}
        {invoice.payment_state === "paid" && invoice.paid_at && <span class="muted"> · in full on {formatDate(invoice.paid_at)}</span>}
      </dd>
      <dt>Balance</dt>
      <dd>
        <strong>{formatMoney(invoice.balance, invoice.currency)}</strong>
        {invoice.payment_state === "partly_paid" && <span class="muted"> · partly paid</span>}
      </dd>
    </dl>
  );
}
