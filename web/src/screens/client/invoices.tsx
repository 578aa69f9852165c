// The organisation's invoices, for its admins and billing contacts: status, due date, overdue,
// each invoice's lines, tax, total and PDF, what has been paid and what is still owed, the
// payments, and "Pay now" when the firm takes payments through Stripe. Amounts come as integer
// minor units and an exact decimal string; they are shown from those, never from
// floating-point sums.
import { useState } from "preact/hooks";
import { api, call, type Schemas } from "../../api/client";
import { announce } from "../../lib/announce";
import { formatDate, formatDateTime, formatMoney } from "../../lib/format";
import { money } from "../../lib/money";
import { hasRole, link, useMe, useScope, type Scope } from "../../state";
import { NotAllowedPage } from "../../components/NotAllowed";
import { BalanceSummary, PaymentsTable } from "../../components/Payments";
import { Async, Badge, Button, Card, Empty, ErrorMessage, Page, useAsync } from "../../components/ui";
import { PayInvoice } from "./pay";

export { minorToDecimal, money } from "../../lib/money";

export type Invoice = Schemas["Invoice"];

/** What an invoice's badge says: its status, with "partly paid" for a sent invoice part-paid. */
export type DisplayStatus = "paid" | "partly_paid" | "overdue" | "overdue_partly_paid" | "sent" | "draft" | "void";

export function displayStatus(invoice: Pick<Invoice, "status" | "payment_state">): DisplayStatus {
  const partly = invoice.payment_state === "partly_paid";
  switch (invoice.status) {
    case "paid":
      return "paid";
    case "overdue":
      return partly ? "overdue_partly_paid" : "overdue";
    case "sent":
      return partly ? "partly_paid" : "sent";
    case "void":
      return "void";
    default:
      return "draft";
  }
}

export function invoiceBadge(invoice: Pick<Invoice, "status" | "payment_state">) {
  switch (displayStatus(invoice)) {
    case "paid":
      return <Badge tone="good">Paid</Badge>;
    case "overdue":
      return <Badge tone="bad">Overdue</Badge>;
    case "overdue_partly_paid":
      return <Badge tone="bad">Overdue, partly paid</Badge>;
    case "partly_paid":
      return <Badge tone="warn">Partly paid</Badge>;
    case "sent":
      return <Badge tone="info">Awaiting payment</Badge>;
    case "void":
      return <Badge tone="neutral">Void</Badge>;
    default:
      return <Badge tone="warn">Draft</Badge>;
  }
}

/** Whether this person may see invoices at all (client admins and billing contacts; staff). */
export function seesInvoices(me: ReturnType<typeof useMe>): boolean {
  return me.kind === "staff" || hasRole(me, "admin", "billing");
}

function NoInvoices() {
  return <NotAllowedPage title="Invoices">Invoices are shown to your organisation's admins and billing contacts. Ask one of them if you need a copy.</NotAllowedPage>;
}

async function loadInvoices(scope: Scope) {
  if (scope.clientId) {
    const answer = await call(api.GET("/api/clients/{id}/invoices", { params: { path: { id: scope.clientId } } }));
    // The client never sees drafts or voided invoices; the preview shows what they see.
    const invoices = answer.invoices.filter((invoice) => ["sent", "paid", "overdue"].includes(invoice.status));
    return { invoices, outstanding_minor: answer.outstanding_minor };
  }
  return call(api.GET("/api/invoices"));
}

export function InvoiceTable(props: { invoices: Invoice[]; href: (invoice: Invoice) => string; caption: string }) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Invoice</th>
            <th scope="col">Issued</th>
            <th scope="col">Due</th>
            <th scope="col" class="number">
              Total
            </th>
            <th scope="col" class="number">
              Balance
            </th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {props.invoices.map((invoice) => (
            <tr key={invoice.id}>
              <td>
                <a href={props.href(invoice)}>{invoice.number}</a>
              </td>
              <td>
                <time dateTime={invoice.issue_date}>{formatDate(invoice.issue_date)}</time>
              </td>
              <td>
                <time dateTime={invoice.due_date}>{formatDate(invoice.due_date)}</time>
              </td>
              <td class="number">{formatMoney(invoice.total, invoice.currency)}</td>
              <td class="number">{invoice.status === "draft" || invoice.status === "void" ? <span class="muted">–</span> : formatMoney(invoice.balance, invoice.currency)}</td>
              <td>{invoiceBadge(invoice)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Invoices() {
  const me = useMe();
  const scope = useScope();
  const allowed = seesInvoices(me);
  const state = useAsync(() => (allowed ? loadInvoices(scope) : Promise.resolve({ invoices: [] as Invoice[], outstanding_minor: 0 })), [scope.clientId, allowed]);
  if (!allowed) return <NoInvoices />;
  return (
    <Page title="Invoices" subtitle="Invoices from the firm, newest first.">
      <Async state={state} label="Loading invoices…">
        {(data) => {
          const currencies = new Set(data.invoices.map((invoice) => invoice.currency));
          const open = data.invoices.filter((invoice) => invoice.status === "sent" || invoice.status === "overdue");
          const overdue = data.invoices.filter((invoice) => invoice.overdue);
          const first = data.invoices[0];
          return (
            <>
              {open.length > 0 && (
                <p class="summary" role="status">
                  {open.length === 1 ? "One invoice is" : `${open.length} invoices are`} awaiting payment
                  {currencies.size === 1 && first ? `: ${money(data.outstanding_minor, first)} in total` : ""}
                  {overdue.length > 0 ? ` (${overdue.length} overdue)` : ""}.
                </p>
              )}
              <Card title="All invoices">
                {data.invoices.length === 0 ? (
                  <Empty>No invoices yet.</Empty>
                ) : (
                  <ul class="list">
                    {data.invoices.map((invoice) => (
                      <li key={invoice.id}>
                        <a href={link(scope, `/invoices/${invoice.id}`)}>Invoice {invoice.number}</a>
                        {invoiceBadge(invoice)}
                        <span class="amount">{formatMoney(invoice.total, invoice.currency)}</span>
                        {invoice.payment_state === "partly_paid" && invoice.status !== "paid" && <span class="muted">{formatMoney(invoice.balance, invoice.currency)} still to pay</span>}
                        <span class="muted">
                          {invoice.status === "paid" && invoice.paid_at ? (
                            <>Paid {formatDate(invoice.paid_at)}</>
                          ) : (
                            <>
                              Due <time dateTime={invoice.due_date}>{formatDate(invoice.due_date)}</time>
                            </>
                          )}{" "}
                          · issued <time dateTime={invoice.issue_date}>{formatDate(invoice.issue_date)}</time>
                        </span>
                      </li>
                    ))}
                  </ul>
                )}
              </Card>
            </>
          );
        }}
      </Async>
    </Page>
  );
}

/** Opens the invoice's PDF through a five-minute link (the download is audited). */
export function PdfButton(props: { invoice: Invoice; clientId?: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const download = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const answer = props.clientId
        ? await call(api.GET("/api/clients/{id}/invoices/{invoice}/pdf", { params: { path: { id: props.clientId, invoice: props.invoice.id } } }))
        : await call(api.GET("/api/invoices/{invoice}/pdf", { params: { path: { invoice: props.invoice.id } } }));
      announce(`Downloading ${answer.file_name}.`);
      window.location.assign(answer.url);
    } catch (problem) {
      setError(problem);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button kind="secondary" busy={busy} onClick={() => void download()}>
        Download the PDF
      </Button>
      <ErrorMessage error={error} />
    </>
  );
}

/** An invoice's details: dates, lines, tax, total, note, PDF and payment link. */
export function InvoiceBody(props: { invoice: Invoice; clientId?: string; staff?: boolean }) {
  const { invoice } = props;
  return (
    <>
      <Card title="Details">
        <dl class="kv">
          <dt>Status</dt>
          <dd>{invoiceBadge(invoice)}</dd>
          <dt>Issued</dt>
          <dd>
            <time dateTime={invoice.issue_date}>{formatDate(invoice.issue_date)}</time>
          </dd>
          <dt>Due</dt>
          <dd>
            <time dateTime={invoice.due_date}>{formatDate(invoice.due_date)}</time>
            {invoice.overdue && <> · overdue</>}
          </dd>
          {invoice.sent_at && (
            <>
              <dt>Sent</dt>
              <dd>{formatDateTime(invoice.sent_at)}</dd>
            </>
          )}
          {invoice.paid_at && (
            <>
              <dt>Paid</dt>
              <dd>{formatDateTime(invoice.paid_at)}</dd>
            </>
          )}
          {invoice.voided_at && (
            <>
              <dt>Voided</dt>
              <dd>{formatDateTime(invoice.voided_at)}</dd>
            </>
          )}
          <dt>Total</dt>
          <dd>
            <strong>{formatMoney(invoice.total, invoice.currency)}</strong>
          </dd>
        </dl>
        {invoice.note && <p class="pre-line">{invoice.note}</p>}
        <div class="actions">
          {invoice.document_id ? <PdfButton invoice={invoice} clientId={props.clientId} /> : <span class="muted">{props.staff && invoice.status === "draft" ? "No PDF attached yet; attach it below." : "No PDF attached."}</span>}
          {invoice.payment_url && invoice.status !== "paid" && invoice.status !== "void" && (
            <a class="button" href={invoice.payment_url} target="_blank" rel="noopener noreferrer">
              Pay online<span class="visually-hidden"> (opens the payment page in a new tab)</span>
            </a>
          )}
        </div>
      </Card>
      <Card title="Amounts">
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Invoice {invoice.number}: lines and totals</caption>
            <thead>
              <tr>
                <th scope="col">Description</th>
                <th scope="col" class="number">
                  Amount
                </th>
              </tr>
            </thead>
            <tbody>
              {invoice.lines.length === 0 ? (
                <tr>
                  <td colSpan={2} class="muted">
                    This invoice states a total only.
                  </td>
                </tr>
              ) : (
                invoice.lines.map((line, index) => (
                  <tr key={index}>
                    <td>
                      {line.description}
                      <br />
                      <span class="muted">
                        {line.quantity} × {money(line.unit_amount_minor, invoice)}
                      </span>
                    </td>
                    <td class="number">{money(line.amount_minor, invoice)}</td>
                  </tr>
                ))
              )}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">
                  Subtotal
                </th>
                <td class="number">{money(invoice.subtotal_minor, invoice)}</td>
              </tr>
              <tr>
                <th scope="row">
                  Tax
                </th>
                <td class="number">{money(invoice.tax_minor, invoice)}</td>
              </tr>
              <tr>
                <th scope="row">
                  Total ({invoice.currency})
                </th>
                <td class="number">
                  <strong>{formatMoney(invoice.total, invoice.currency)}</strong>
                </td>
              </tr>
            </tfoot>
          </table>
        </div>
      </Card>
    </>
  );
}

export function InvoiceDetail(props: { invoice: string }) {
  const me = useMe();
  const scope = useScope();
  const allowed = seesInvoices(me);
  const state = useAsync(
    () =>
      !allowed
        ? Promise.resolve(undefined)
        : scope.clientId
          ? call(api.GET("/api/clients/{id}/invoices/{invoice}", { params: { path: { id: scope.clientId, invoice: props.invoice } } }))
          : call(api.GET("/api/invoices/{invoice}", { params: { path: { invoice: props.invoice } } })),
    [scope.clientId, props.invoice, allowed],
  );
  if (!allowed) return <NoInvoices />;
  return (
    <Async state={state} label="Loading the invoice…">
      {(invoice) => invoice && <InvoiceScreen key={invoice.id} invoice={invoice} scope={scope} />}
    </Async>
  );
}

function loadPayments(scope: Scope, invoice: string) {
  return scope.clientId
    ? call(api.GET("/api/clients/{id}/invoices/{invoice}/payments", { params: { path: { id: scope.clientId, invoice } } }))
    : call(api.GET("/api/invoices/{invoice}/payments", { params: { path: { invoice } } }));
}

function InvoiceScreen(props: { invoice: Invoice; scope: Scope }) {
  const { scope } = props;
  const [invoice, setInvoice] = useState(props.invoice);
  const payments = useAsync(() => loadPayments(scope, invoice.id), [scope.clientId, invoice.id]);
  // Whether and how the firm takes payments; a preview (staff) never pays, and a failure here
  // only hides "Pay now".
  const config = useAsync(() => (scope.readOnly || scope.clientId ? Promise.resolve(null) : call(api.GET("/api/payments/config")).catch(() => null)), [scope.readOnly, scope.clientId]);
  const changed = async (latest?: Invoice) => {
    payments.reload();
    if (latest) {
      setInvoice(latest);
      return;
    }
    try {
      setInvoice(await call(api.GET("/api/invoices/{invoice}", { params: { path: { invoice: invoice.id } } })));
    } catch {
      // The page keeps what it showed; the payment's own message says what happened.
    }
  };
  const billed = invoice.status !== "draft" && invoice.status !== "void";
  return (
    <Page title={`Invoice ${invoice.number}`} subtitle={`${formatMoney(invoice.total, invoice.currency)} · due ${formatDate(invoice.due_date)}`}>
      <p class="breadcrumb">
        <a href={link(scope, "/invoices")}>Invoices</a> / {invoice.number}
      </p>
      {billed && (
        <Card title="Payment">
          <BalanceSummary invoice={invoice} badge={invoiceBadge(invoice)} />
          {config.data && <PayInvoice invoice={invoice} config={config.data} onChanged={(latest) => void changed(latest)} />}
        </Card>
      )}
      <InvoiceBody invoice={invoice} clientId={scope.clientId} />
      {billed && (
        <Card title="Payments">
          <Async state={payments} label="Loading the payments…">
            {(data) => (data.payments.length === 0 ? <Empty>No payments recorded yet.</Empty> : <PaymentsTable payments={data.payments} invoice={invoice} />)}
          </Async>
        </Card>
      )}
    </Page>
  );
}
