// The client's invoices as the firm keeps them: create (itemised lines or a total, tax,
// currency, due date), edit drafts, send, mark paid (or unpaid again), void, attach the PDF,
// and see the payments (the client's card payments through Stripe, and payments received
// outside the portal, which staff record here). Amounts are typed as decimals and sent as
// integer minor units of the chosen currency.
import { useMemo, useRef, useState } from "preact/hooks";
import { api, ApiError, call, type Schemas } from "../../../api/client";
import { announce } from "../../../lib/announce";
import { formatMoney, today } from "../../../lib/format";
import { messageOf, problemFor } from "../../../lib/problems";
import { clientLink, useStaffClient, type ClientSummary } from "../../../state";
import { ConfirmDialog } from "../../../components/ConfirmDialog";
import { Async, Button, Card, Empty, ErrorMessage, Form, Page, SelectField, TextArea, TextField, useAsync, useSubmit } from "../../../components/ui";
import { Upload } from "../../../components/Upload";
import { BalanceSummary, PaymentsTable } from "../../../components/Payments";
import { InvoiceBody, InvoiceTable, invoiceBadge, minorToDecimal, money, type Invoice } from "../../client/invoices";

/** The currencies the API takes, with their minor-unit digits (functions/invoices/src/money.rs). */
const CURRENCIES: Record<string, number> = {
  EUR: 2, USD: 2, GBP: 2, CHF: 2, AUD: 2, CAD: 2, NZD: 2, SEK: 2, NOK: 2, DKK: 2, PLN: 2, CZK: 2, HUF: 2, ISK: 0,
  JPY: 0, KRW: 0, CNY: 2, HKD: 2, SGD: 2, INR: 2, AED: 2, SAR: 2, BHD: 3, KWD: 3, OMR: 3, ILS: 2, TRY: 2, BRL: 2, MXN: 2, ZAR: 2,
};

const STATUS_FILTERS = [
  { value: "", label: "Every status" },
  { value: "draft", label: "Drafts" },
  { value: "sent", label: "Sent, not yet due" },
  { value: "overdue", label: "Overdue" },
  { value: "paid", label: "Paid" },
  { value: "void", label: "Void" },
];

type InvoiceStatusFilter = Schemas["InvoiceStatus"];

/** "1234.5" → 123450 minor units (2 digits); a problem in words when it is not an amount. */
export function decimalToMinor(text: string, digits: number): { value?: number; problem?: string } {
  const trimmed = text.trim().replace(/[\s,]/g, "");
  if (trimmed === "") return { problem: "is required" };
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(trimmed);
  if (!match || (match[2] === "" && (match[3] ?? "") === "")) return { problem: "must be an amount like 1250.00" };
  const fraction = match[3] ?? "";
  if (fraction.length > digits) return { problem: digits === 0 ? "takes no decimals in this currency" : `takes at most ${digits} decimals in this currency` };
  const minor = Number(`${match[2] || "0"}${fraction.padEnd(digits, "0")}`);
  if (!Number.isSafeInteger(minor)) return { problem: "is too large" };
  return { value: match[1] ? -minor : minor };
}

function addDays(date: string, days: number): string {
  const parsed = new Date(`${date}T00:00:00Z`);
  parsed.setUTCDate(parsed.getUTCDate() + days);
  return parsed.toISOString().slice(0, 10);
}

interface LineDraft {
  description: string;
  quantity: string;
  unit: string;
}

interface Draft {
  number: string;
  issue_date: string;
  due_date: string;
  currency: string;
  mode: "lines" | "total";
  lines: LineDraft[];
  total: string;
  tax: string;
  payment_url: string;
  note: string;
}

function draftOf(invoice?: Invoice): Draft {
  if (!invoice) {
    const issued = today();
    return { number: "", issue_date: issued, due_date: addDays(issued, 30), currency: "EUR", mode: "lines", lines: [{ description: "", quantity: "1", unit: "" }], total: "", tax: "0", payment_url: "", note: "" };
  }
  const digits = invoice.minor_digits;
  return {
    number: invoice.number,
    issue_date: invoice.issue_date,
    due_date: invoice.due_date,
    currency: invoice.currency,
    mode: invoice.lines.length ? "lines" : "total",
    lines: invoice.lines.length
      ? invoice.lines.map((line) => ({ description: line.description, quantity: String(line.quantity), unit: minorToDecimal(line.unit_amount_minor, digits) }))
      : [{ description: "", quantity: "1", unit: "" }],
    total: invoice.lines.length ? "" : minorToDecimal(invoice.total_minor, digits),
    tax: minorToDecimal(invoice.tax_minor, digits),
    payment_url: invoice.payment_url ?? "",
    note: invoice.note,
  };
}

type Content = Schemas["InvoiceContent"];

/** The content to send, or the problems found before sending (by the API's field names). */
function contentOf(draft: Draft): { content?: Content; problems: Record<string, string> } {
  const digits = CURRENCIES[draft.currency] ?? 2;
  const problems: Record<string, string> = {};
  const content: Content = {
    number: draft.number,
    issue_date: draft.issue_date,
    due_date: draft.due_date,
    currency: draft.currency,
    payment_url: draft.payment_url,
    note: draft.note,
  };
  const tax = draft.tax.trim() === "" ? { value: 0 } : decimalToMinor(draft.tax, digits);
  if (tax.problem) problems.tax_minor = tax.problem;
  else content.tax_minor = tax.value;
  if (draft.mode === "total") {
    const total = decimalToMinor(draft.total, digits);
    if (total.problem) problems.total_minor = total.problem;
    else content.total_minor = total.value;
  } else {
    content.lines = draft.lines.map((line, index) => {
      const unit = decimalToMinor(line.unit, digits);
      if (unit.problem) problems[`lines[${index}].unit_amount_minor`] = unit.problem;
      const quantity = Number(line.quantity);
      if (!/^\d+$/.test(line.quantity.trim()) || quantity < 1) problems[`lines[${index}].quantity`] = "must be a whole number from 1";
      return { description: line.description, quantity, unit_amount_minor: unit.value ?? 0 };
    });
  }
  return Object.keys(problems).length ? { problems } : { content, problems };
}

/** The create / edit-draft form. */
function InvoiceEditor(props: { client: ClientSummary; invoice?: Invoice; onSaved: (invoice: Invoice) => void; onCancel?: () => void }) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(props.invoice));
  const [local, setLocal] = useState<Record<string, string>>({});
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((previous) => ({ ...previous, [key]: value }));
  const setLine = (index: number, change: Partial<LineDraft>) => setDraft((previous) => ({ ...previous, lines: previous.lines.map((line, at) => (at === index ? { ...line, ...change } : line)) }));
  const digits = CURRENCIES[draft.currency] ?? 2;

  const { submit, busy, error, fieldError, formError } = useSubmit(async (send: boolean) => {
    const { content, problems } = contentOf(draft);
    setLocal(problems);
    if (!content) throw new Error("Some amounts need correcting; see the marked fields.");
    let saved: Invoice;
    if (props.invoice) {
      saved = await call(api.PATCH("/api/clients/{id}/invoices/{invoice}", { params: { path: { id: props.client.id, invoice: props.invoice.id } }, body: { ...content, version: props.invoice.version, ...(send ? { status: "sent" as const } : {}) } }));
    } else {
      saved = await call(api.POST("/api/clients/{id}/invoices", { params: { path: { id: props.client.id } }, body: { ...content, number: draft.number, issue_date: draft.issue_date, due_date: draft.due_date, currency: draft.currency, status: send ? "sent" : "draft" } }));
    }
    announce(send ? `Invoice ${saved.number} sent to the client's admins and billing contacts.` : `Invoice ${saved.number} saved as a draft.`);
    props.onSaved(saved);
  });
  const problem = (name: string) => local[name] ?? fieldError(name);
  const preview = useMemo(() => {
    const { content } = contentOf(draft);
    if (!content) return undefined;
    const tax = content.tax_minor ?? 0;
    const subtotal = content.lines ? content.lines.reduce((sum, line) => sum + line.quantity * line.unit_amount_minor, 0) : (content.total_minor ?? 0) - tax;
    const total = content.lines ? subtotal + tax : (content.total_minor ?? 0);
    return { subtotal, tax, total };
  }, [draft]);
  const shape = { currency: draft.currency, minor_digits: digits };
  // A plain Error (our own check) is shown as is; the server's words come through formError.
  const shownError = error instanceof ApiError ? formError : error;

  return (
    <Form onSubmit={() => void submit(false)} label={props.invoice ? `Edit invoice ${props.invoice.number}` : "New invoice"} class="stack">
      <ErrorMessage error={shownError} />
      <div class="pair">
        <TextField label="Invoice number" name="number" value={draft.number} onValue={(value) => set("number", value)} required maxLength={40} hint="Letters, digits and - _ / . ; unique across the firm." error={problem("number")} />
        <SelectField label="Currency" name="currency" value={draft.currency} onValue={(value) => set("currency", value)} options={Object.keys(CURRENCIES).sort().map((code) => ({ value: code, label: code }))} required error={problem("currency")} />
        <TextField label="Issue date" name="issue_date" type="date" value={draft.issue_date} onValue={(value) => set("issue_date", value)} required error={problem("issue_date")} />
        <TextField label="Due date" name="due_date" type="date" value={draft.due_date} onValue={(value) => set("due_date", value)} required error={problem("due_date")} />
      </div>
      <fieldset>
        <legend>Amounts</legend>
        <div class="row" role="radiogroup" aria-label="How the amount is stated">
          <label class="choice">
            <input type="radio" name="mode" checked={draft.mode === "lines"} onChange={() => set("mode", "lines")} /> Itemised lines
          </label>
          <label class="choice">
            <input type="radio" name="mode" checked={draft.mode === "total"} onChange={() => set("mode", "total")} /> A total only
          </label>
        </div>
        {draft.mode === "lines" ? (
          <>
            <p class="hint">Quantity × unit price per line; a negative unit price is a discount.</p>
            {problem("lines") && (
              <p class="field-error" role="alert">
                {problem("lines")}
              </p>
            )}
            <ol class="invoice-lines">
              {draft.lines.map((line, index) => (
                <li key={index} class="invoice-line">
                  <TextField label={`Line ${index + 1}: description`} name={`lines[${index}].description`} value={line.description} onValue={(value) => setLine(index, { description: value })} required maxLength={200} error={problem(`lines[${index}].description`)} />
                  <TextField label="Quantity" name={`lines[${index}].quantity`} value={line.quantity} inputMode="numeric" onValue={(value) => setLine(index, { quantity: value })} required error={problem(`lines[${index}].quantity`)} />
                  <TextField label={`Unit price (${draft.currency})`} name={`lines[${index}].unit`} value={line.unit} inputMode="decimal" onValue={(value) => setLine(index, { unit: value })} required error={problem(`lines[${index}].unit_amount_minor`)} />
                  {draft.lines.length > 1 && (
                    <Button kind="link" onClick={() => setDraft((previous) => ({ ...previous, lines: previous.lines.filter((_, at) => at !== index) }))}>
                      Remove line {index + 1}
                    </Button>
                  )}
                </li>
              ))}
            </ol>
            {draft.lines.length < 100 && (
              <Button kind="secondary" class="add-line" onClick={() => setDraft((previous) => ({ ...previous, lines: [...previous.lines, { description: "", quantity: "1", unit: "" }] }))}>
                Add a line
              </Button>
            )}
          </>
        ) : (
          <TextField label={`Total, including tax (${draft.currency})`} name="total" value={draft.total} inputMode="decimal" onValue={(value) => set("total", value)} required error={problem("total_minor")} />
        )}
        <TextField label={`Tax (${draft.currency})`} name="tax" value={draft.tax} inputMode="decimal" onValue={(value) => set("tax", value)} required hint={draft.mode === "lines" ? "Added to the lines' sum." : "The part of the total that is tax."} error={problem("tax_minor")} />
        {preview && (
          <p class="summary" aria-live="polite">
            Subtotal {money(preview.subtotal, shape)} · tax {money(preview.tax, shape)} · <strong>total {money(preview.total, shape)}</strong>
          </p>
        )}
      </fieldset>
      <TextField label="Payment link" name="payment_url" type="url" value={draft.payment_url} onValue={(value) => set("payment_url", value)} hint="An https:// link at your payment provider, shown to the client as “Pay online”." error={problem("payment_url")} />
      <TextArea label="Note to the client" name="note" value={draft.note} onValue={(value) => set("note", value)} rows={3} maxLength={2000} error={problem("note")} />
      <div class="actions">
        <Button type="submit" kind="secondary" busy={busy}>
          {props.invoice ? "Save the draft" : "Save as draft"}
        </Button>
        <Button busy={busy} onClick={() => void submit(true)}>
          {props.invoice ? "Save and send" : "Create and send"}
        </Button>
        {props.onCancel && (
          <Button kind="link" onClick={props.onCancel}>
            Cancel
          </Button>
        )}
      </div>
    </Form>
  );
}

export function InvoicesTab(props: { invoice?: string }) {
  const client = useStaffClient();
  return props.invoice ? <StaffInvoice client={client} id={props.invoice} /> : <StaffInvoiceList client={client} />;
}

function StaffInvoiceList(props: { client: ClientSummary }) {
  const [status, setStatus] = useState("");
  const [creating, setCreating] = useState(false);
  const state = useAsync(
    () => call(api.GET("/api/clients/{id}/invoices", { params: { path: { id: props.client.id }, query: status ? { status: status as InvoiceStatusFilter } : {} } })),
    [props.client.id, status],
  );
  return (
    <Page
      title={`${props.client.name}: invoices`}
      subtitle="Drafts are only visible to the firm; sent and paid invoices are shown to the client's admins and billing contacts."
      actions={
        !creating && (
          <Button onClick={() => setCreating(true)}>
            New invoice
          </Button>
        )
      }
    >
      {creating && (
        <Card title="New invoice">
          <InvoiceEditor
            client={props.client}
            onCancel={() => setCreating(false)}
            onSaved={() => {
              setCreating(false);
              state.reload();
            }}
          />
        </Card>
      )}
      <Card title="Invoices">
        <SelectField label="Show" name="status" value={status} onValue={setStatus} options={STATUS_FILTERS} required />
        <Async state={state} label="Loading invoices…">
          {(data) => (
            <>
              {data.outstanding_minor > 0 && data.invoices[0] && new Set(data.invoices.map((invoice) => invoice.currency)).size === 1 && (
                <p class="summary">Outstanding: {money(data.outstanding_minor, data.invoices[0])}</p>
              )}
              {data.invoices.length === 0 ? (
                <Empty>{status ? "No invoices with this status." : "No invoices yet. Create the first one with “New invoice”."}</Empty>
              ) : (
                <InvoiceTable invoices={data.invoices} caption={`${props.client.name}'s invoices`} href={(invoice) => clientLink(props.client, "invoices", invoice.id)} />
              )}
            </>
          )}
        </Async>
      </Card>
    </Page>
  );
}

function StaffInvoice(props: { client: ClientSummary; id: string }) {
  const state = useAsync(() => call(api.GET("/api/clients/{id}/invoices/{invoice}", { params: { path: { id: props.client.id, invoice: props.id } } })), [props.client.id, props.id]);
  return (
    <Async state={state} label="Loading the invoice…">
      {(invoice) => <StaffInvoiceScreen key={invoice.version} client={props.client} invoice={invoice} reload={state.reload} />}
    </Async>
  );
}

function StaffInvoiceScreen(props: { client: ClientSummary; invoice: Invoice; reload: () => void }) {
  const { client } = props;
  const [invoice, setInvoice] = useState(props.invoice);
  const [editing, setEditing] = useState(false);
  const [confirmVoid, setConfirmVoid] = useState(false);
  const change = useSubmit(async (body: { status?: "sent" | "paid" | "void"; payment_url?: string; document_id?: string }, message: string) => {
    const changed = await call(api.PATCH("/api/clients/{id}/invoices/{invoice}", { params: { path: { id: client.id, invoice: invoice.id } }, body: { ...body, version: invoice.version } }));
    setInvoice(changed);
    setConfirmVoid(false);
    announce(message);
  });
  const status = invoice.status;
  return (
    <Page title={`Invoice ${invoice.number}`} subtitle={`${formatMoney(invoice.total, invoice.currency)} · ${client.name}`}>
      <p class="breadcrumb">
        <a href={clientLink(client, "invoices")}>Invoices</a> / {invoice.number}
      </p>
      <Card title="What happens next">
        <p class="muted">
          {status === "draft"
            ? "A draft: only the firm sees it. Sending it emails the client's admins and billing contacts."
            : status === "void"
              ? "Void: the client no longer sees it; its number stays taken."
              : status === "paid"
                ? "Paid. Mark it unpaid if the payment was recorded by mistake."
                : "Sent: the client's admins and billing contacts see it. Only its payment link and status can change now."}
        </p>
        <ErrorMessage error={change.error} retry={change.error instanceof ApiError && change.error.status === 409 ? props.reload : undefined} />
        <div class="actions">
          {status === "draft" && (
            <>
              <Button onClick={() => void change.submit({ status: "sent" }, `Invoice ${invoice.number} sent.`)} busy={change.busy}>
                Send to the client
              </Button>
              <Button kind="secondary" onClick={() => setEditing(!editing)} aria-expanded={editing}>
                {editing ? "Close the editor" : "Edit the draft"}
              </Button>
            </>
          )}
          {(status === "sent" || status === "overdue") && (
            <Button onClick={() => void change.submit({ status: "paid" }, `Invoice ${invoice.number} marked paid.`)} busy={change.busy}>
              Mark paid
            </Button>
          )}
          {status === "paid" && (
            <Button kind="secondary" onClick={() => void change.submit({ status: "sent" }, `Invoice ${invoice.number} marked unpaid.`)} busy={change.busy}>
              Mark unpaid
            </Button>
          )}
          {(status === "draft" || status === "sent" || status === "overdue") && (
            <Button kind="danger" onClick={() => setConfirmVoid(true)}>
              Void the invoice
            </Button>
          )}
        </div>
      </Card>
      {editing && status === "draft" && (
        <Card title="Edit the draft">
          <InvoiceEditor
            client={client}
            invoice={invoice}
            onCancel={() => setEditing(false)}
            onSaved={(saved) => {
              setInvoice(saved);
              setEditing(false);
            }}
          />
        </Card>
      )}
      {status !== "draft" && status !== "void" && <StaffPayments client={client} invoice={invoice} onRecorded={props.reload} />}
      <InvoiceBody invoice={invoice} clientId={client.id} staff />
      {status === "draft" && <AttachPdf client={client} invoice={invoice} onAttached={setInvoice} />}
      {(status === "sent" || status === "overdue") && <PaymentLink invoice={invoice} busy={change.busy} onSave={(url) => void change.submit({ payment_url: url }, url ? "Payment link saved." : "Payment link removed.")} error={change.fieldError("payment_url")} />}
      <ConfirmDialog
        open={confirmVoid}
        title={`Void invoice ${invoice.number}?`}
        confirm="Void the invoice"
        cancel="Keep it"
        busy={change.busy}
        onConfirm={() => void change.submit({ status: "void" }, `Invoice ${invoice.number} voided.`)}
        onClose={() => setConfirmVoid(false)}
      >
        <p>The client will no longer see it. Its number stays taken, as accounting expects. This cannot be undone.</p>
      </ConfirmDialog>
    </Page>
  );
}

/** The invoice's balance and payments, and the form to record a payment received outside the portal. */
function StaffPayments(props: { client: ClientSummary; invoice: Invoice; onRecorded: () => void }) {
  const { client, invoice } = props;
  const payments = useAsync(() => call(api.GET("/api/clients/{id}/invoices/{invoice}/payments", { params: { path: { id: client.id, invoice: invoice.id } } })), [client.id, invoice.id]);
  const [recording, setRecording] = useState(false);
  const open = (invoice.status === "sent" || invoice.status === "overdue") && invoice.balance_minor > 0;
  return (
    <Card
      title="Payments"
      actions={
        open &&
        !recording && (
          <Button kind="secondary" onClick={() => setRecording(true)}>
            Record a payment
          </Button>
        )
      }
    >
      <BalanceSummary invoice={invoice} badge={invoiceBadge(invoice)} />
      <h3 class="spaced">Received</h3>
      <Async state={payments} label="Loading the payments…">
        {(data) => (data.payments.length === 0 ? <Empty>No payments recorded yet.</Empty> : <PaymentsTable payments={data.payments} invoice={invoice} staff />)}
      </Async>
      {open && recording && <RecordPayment client={client} invoice={invoice} onCancel={() => setRecording(false)} onRecorded={props.onRecorded} />}
    </Card>
  );
}

const OFFLINE_METHODS = [
  { value: "bank_transfer", label: "Bank transfer" },
  { value: "cheque", label: "Cheque" },
  { value: "cash", label: "Cash" },
  { value: "other", label: "Other" },
];

type OfflineMethod = "bank_transfer" | "cheque" | "cash" | "other";

/** The amount to record in minor units, or the problem with it (at most the balance). */
export function offlineAmount(text: string, invoice: Pick<Invoice, "currency" | "minor_digits" | "balance_minor">): { value?: number; problem?: string } {
  const parsed = decimalToMinor(text, invoice.minor_digits);
  if (parsed.problem || parsed.value === undefined) return parsed;
  if (parsed.value <= 0) return { problem: "must be more than nothing" };
  if (parsed.value > invoice.balance_minor) return { problem: `is more than the balance of ${money(invoice.balance_minor, invoice)}` };
  return parsed;
}

function RecordPayment(props: { client: ClientSummary; invoice: Invoice; onCancel: () => void; onRecorded: () => void }) {
  const { invoice } = props;
  const [amount, setAmount] = useState(minorToDecimal(invoice.balance_minor, invoice.minor_digits));
  const [method, setMethod] = useState<OfflineMethod>("bank_transfer");
  const [reference, setReference] = useState("");
  const [receivedOn, setReceivedOn] = useState(today());
  const [local, setLocal] = useState<Record<string, string>>({});
  const { submit, busy, error, formError } = useSubmit(async () => {
    const parsed = offlineAmount(amount, invoice);
    const problems: Record<string, string> = {};
    if (parsed.problem) problems.amount_minor = `Amount ${parsed.problem}.`;
    if (!receivedOn) problems.received_on = "Give the day the money arrived.";
    setLocal(problems);
    if (parsed.value === undefined || Object.keys(problems).length) throw new Error("Check the marked fields.");
    const payment = await call(
      api.POST("/api/clients/{id}/invoices/{invoice}/payments", {
        params: { path: { id: props.client.id, invoice: invoice.id } },
        body: { amount_minor: parsed.value, method, received_on: receivedOn, ...(reference.trim() ? { reference: reference.trim() } : {}) },
      }),
    );
    announce(`${formatMoney(payment.amount, payment.currency)} recorded against invoice ${invoice.number}.`);
    props.onRecorded();
  });
  const labels: Record<string, string> = { amount_minor: "Amount", method: "How it was paid", received_on: "Received on", reference: "Reference" };
  const problem = (name: string) => local[name] ?? problemFor(error, name, labels[name] ?? name);
  // A 409 may name the amount ("amount_minor: … is more than the balance"): the sentence only.
  const shownError = error instanceof ApiError ? formError && new Error(messageOf(formError)) : error;
  return (
    <Form onSubmit={() => void submit()} label="Record a payment" class="stack record-payment">
      <h3 class="spaced">Record a payment received outside the portal</h3>
      <p class="hint">A bank transfer, a cheque or cash. The invoice is marked paid when its balance reaches nothing; the client sees the payment.</p>
      <ErrorMessage error={shownError} />
      <div class="pair">
        <TextField label={`Amount (${invoice.currency})`} name="amount" value={amount} inputMode="decimal" onValue={setAmount} required hint={`The balance is ${formatMoney(invoice.balance, invoice.currency)}.`} error={problem("amount_minor")} />
        <SelectField label="How it was paid" name="method" value={method} onValue={(value) => setMethod(value as OfflineMethod)} options={OFFLINE_METHODS} required error={problem("method")} />
        <TextField label="Received on" name="received_on" type="date" value={receivedOn} onValue={setReceivedOn} required error={problem("received_on")} />
        <TextField label="Reference" name="reference" value={reference} onValue={setReference} maxLength={100} hint="The bank reference or the cheque's number." error={problem("reference")} />
      </div>
      <div class="actions">
        <Button type="submit" busy={busy}>
          Record the payment
        </Button>
        <Button kind="link" onClick={props.onCancel}>
          Cancel
        </Button>
      </div>
    </Form>
  );
}

function PaymentLink(props: { invoice: Invoice; busy: boolean; onSave: (url: string) => void; error?: string }) {
  const [url, setUrl] = useState(props.invoice.payment_url ?? "");
  return (
    <Card title="Payment link">
      <Form onSubmit={() => props.onSave(url)} label="Payment link">
        <TextField label="Payment link" name="payment_url" type="url" value={url} onValue={setUrl} hint="An https:// link; leave empty to remove it." error={props.error} />
        <Button type="submit" kind="secondary" busy={props.busy}>
          Save the payment link
        </Button>
      </Form>
    </Card>
  );
}

/** Attaches the invoice's PDF: one the firm already shared with the client, or a new upload. */
function AttachPdf(props: { client: ClientSummary; invoice: Invoice; onAttached: (invoice: Invoice) => void }) {
  const documents = useAsync(() => call(api.GET("/api/clients/{id}/documents", { params: { path: { id: props.client.id }, query: { limit: 100 } } })), [props.client.id]);
  const [chosen, setChosen] = useState(props.invoice.document_id ?? "");
  const attach = useSubmit(async (documentId: string) => {
    const changed = await call(api.PATCH("/api/clients/{id}/invoices/{invoice}", { params: { path: { id: props.client.id, invoice: props.invoice.id } }, body: { version: props.invoice.version, document_id: documentId } }));
    announce(documentId ? "PDF attached. Only the client's admins and billing contacts can see it." : "PDF detached.");
    props.onAttached(changed);
  });
  return (
    <Card title="The invoice PDF">
      <p class="muted">Attaching a PDF makes it a billing document: only the client's admins and billing contacts see it.</p>
      <ErrorMessage error={attach.formError} />
      <Async state={documents} label="Loading the client's documents…">
        {(page) => {
          const firm = page.documents.filter((document) => document.origin === "firm");
          return (
            firm.length === 0 && !props.invoice.document_id ? (
              <p class="muted">The firm has not shared any document with this client yet.</p>
            ) : (
            <Form onSubmit={() => void attach.submit(chosen)} label="Attach a shared document">
              <SelectField
                label="A document the firm shared"
                name="document_id"
                value={chosen}
                onValue={setChosen}
                options={[{ value: "", label: firm.length ? "No PDF" : "No shared documents yet" }, ...firm.map((document) => ({ value: document.id, label: document.name }))]}
                required
                hint="It must be a PDF."
                error={attach.fieldError("document_id")}
              />
              <Button type="submit" kind="secondary" busy={attach.busy} disabled={chosen === (props.invoice.document_id ?? "")}>
                {chosen ? "Attach this document" : "Detach the PDF"}
              </Button>
            </Form>
            )
          );
        }}
      </Async>
      <h3 class="spaced">Or upload a new PDF</h3>
      <UploadPdf client={props.client} onUploaded={(documentId) => void attach.submit(documentId)} />
    </Card>
  );
}

function UploadPdf(props: { client: ClientSummary; onUploaded: (documentId: string) => void }) {
  // A ref, not state: the upload's callbacks outlive the render they were made in.
  const documentId = useRef<string>();
  return (
    <Upload
      label="Invoice PDF"
      action="Upload and attach"
      clientId={props.client.id}
      hint="Shared with the client as a billing document."
      start={async (file) => {
        if (file.content_type !== "application/pdf") throw new ApiError(400, "invalid_input", "The invoice must be a PDF.");
        const answer = await call(api.POST("/api/clients/{id}/documents", { params: { path: { id: props.client.id } }, body: { ...file, audience: "billing" } }));
        documentId.current = answer.document_id;
        return answer;
      }}
      confirm={(document, number) => call(api.POST("/api/clients/{id}/documents/{document}/versions/{number}/confirm", { params: { path: { id: props.client.id, document, number } } }))}
      onDone={() => documentId.current && props.onUploaded(documentId.current)}
    />
  );
}
