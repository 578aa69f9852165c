// Every client's invoices in one list (firm staff), newest issue date first: what is paid,
// partly paid, overdue or still awaiting payment, and per client what was invoiced, paid and
// is still owed. The API pages the list and totals each page; "Show more" adds the next page
// and its totals to what is on screen.
import { useState } from "preact/hooks";
import { api, call, type Schemas } from "../../api/client";
import { formatDate, formatMoney } from "../../lib/format";
import { currencyDigits, money } from "../../lib/money";
import { clientLink } from "../../state";
import { Async, Button, Card, Empty, ErrorMessage, Page, SelectField, useAsync } from "../../components/ui";
import { displayStatus, invoiceBadge, type DisplayStatus } from "../client/invoices";

type FirmInvoicePage = Schemas["FirmInvoicePage"];
type FirmInvoice = Schemas["FirmInvoice"];
type ClientTotals = Schemas["ClientInvoiceTotals"];

const PAGE_SIZE = 50;

const FILTERS: { value: string; label: string; matches: DisplayStatus[] }[] = [
  { value: "", label: "Every status", matches: [] },
  { value: "unpaid", label: "Still to be paid (sent, partly paid, overdue)", matches: ["sent", "partly_paid", "overdue", "overdue_partly_paid"] },
  { value: "overdue", label: "Overdue", matches: ["overdue", "overdue_partly_paid"] },
  { value: "partly_paid", label: "Partly paid", matches: ["partly_paid", "overdue_partly_paid"] },
  { value: "sent", label: "Awaiting payment, not yet due", matches: ["sent"] },
  { value: "paid", label: "Paid", matches: ["paid"] },
  { value: "draft", label: "Drafts", matches: ["draft"] },
  { value: "void", label: "Void", matches: ["void"] },
];

/** Whether an invoice is shown under the filter `value` ("" shows every invoice). */
export function matchesFilter(invoice: Pick<FirmInvoice, "status" | "payment_state">, value: string): boolean {
  const filter = FILTERS.find((candidate) => candidate.value === value);
  if (!filter || filter.matches.length === 0) return true;
  return filter.matches.includes(displayStatus(invoice));
}

/** The pages' per-client totals added up, per client and currency, in the first page's order. */
export function mergeTotals(pages: Pick<FirmInvoicePage, "clients">[]): ClientTotals[] {
  const merged = new Map<string, ClientTotals>();
  for (const page of pages) {
    for (const totals of page.clients) {
      const key = `${totals.client_id} ${totals.currency}`;
      const found = merged.get(key);
      if (!found) {
        merged.set(key, { ...totals });
        continue;
      }
      found.count += totals.count;
      found.invoiced_minor += totals.invoiced_minor;
      found.paid_minor += totals.paid_minor;
      found.balance_minor += totals.balance_minor;
      found.overdue_minor += totals.overdue_minor;
    }
  }
  return [...merged.values()];
}

/** A currency's minor digits: from an invoice in it when one is listed, else the browser's. */
function digitsFor(currency: string, invoices: FirmInvoice[]): number {
  return invoices.find((invoice) => invoice.currency === currency)?.minor_digits ?? currencyDigits(currency);
}

export function FirmInvoices() {
  const first = useAsync(() => call(api.GET("/api/firm/invoices", { params: { query: { limit: PAGE_SIZE } } })), []);
  return (
    <Page title="Invoices" subtitle="Every client's invoices, newest first: what is paid, partly paid, overdue or still to be paid.">
      <Async state={first} label="Loading invoices…">
        {(page) => <InvoicePages first={page} />}
      </Async>
    </Page>
  );
}

function InvoicePages(props: { first: FirmInvoicePage }) {
  const [more, setMore] = useState<FirmInvoicePage[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>();
  const [filter, setFilter] = useState("");
  const pages = [props.first, ...more];
  const invoices = pages.flatMap((page) => page.invoices);
  const totals = mergeTotals(pages);
  const cursor = pages[pages.length - 1]?.next_cursor ?? null;
  const shown = invoices.filter((invoice) => matchesFilter(invoice, filter));

  const loadMore = async () => {
    if (!cursor) return;
    setLoading(true);
    setError(undefined);
    try {
      const page = await call(api.GET("/api/firm/invoices", { params: { query: { limit: PAGE_SIZE, cursor } } }));
      setMore((previous) => [...previous, page]);
    } catch (problem) {
      setError(problem);
    } finally {
      setLoading(false);
    }
  };

  if (invoices.length === 0) {
    return (
      <Card>
        <Empty>No invoices yet. Invoices are created in each client's workspace, under Invoices.</Empty>
      </Card>
    );
  }

  return (
    <>
      <Card title="By client">
        <p class="hint">Sent, overdue and paid invoices{cursor ? ` among the ${invoices.length} listed so far (“Show more” below adds older ones)` : ""}, added up per client and currency; drafts and voided invoices are left out.</p>
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Totals per client</caption>
            <thead>
              <tr>
                <th scope="col">Client</th>
                <th scope="col" class="number">
                  Invoices
                </th>
                <th scope="col" class="number">
                  Invoiced
                </th>
                <th scope="col" class="number">
                  Paid
                </th>
                <th scope="col" class="number">
                  Balance
                </th>
                <th scope="col" class="number">
                  Overdue
                </th>
              </tr>
            </thead>
            <tbody>
              {totals.map((row) => {
                const shape = { currency: row.currency, minor_digits: digitsFor(row.currency, invoices) };
                return (
                  <tr key={`${row.client_id} ${row.currency}`}>
                    <th scope="row" class="client-cell">
                      <a href={clientLink({ id: row.client_id }, "invoices")}>{row.client_name}</a>
                    </th>
                    <td class="number">{row.count}</td>
                    <td class="number">{money(row.invoiced_minor, shape)}</td>
                    <td class="number">{money(row.paid_minor, shape)}</td>
                    <td class="number">{money(row.balance_minor, shape)}</td>
                    <td class="number">{row.overdue_minor > 0 ? <span class="overdue">{money(row.overdue_minor, shape)}</span> : money(0, shape)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </Card>
      <Card title="All invoices">
        <SelectField label="Show" name="status" value={filter} onValue={setFilter} options={FILTERS.map(({ value, label }) => ({ value, label }))} required />
        {shown.length === 0 ? (
          <Empty>{cursor ? "None of the invoices listed so far has this status; “Show more” looks further back." : "No invoice has this status."}</Empty>
        ) : (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Invoices across clients</caption>
              <thead>
                <tr>
                  <th scope="col">Invoice</th>
                  <th scope="col">Client</th>
                  <th scope="col">Status</th>
                  <th scope="col" class="number">
                    Balance
                  </th>
                  <th scope="col" class="number">
                    Total
                  </th>
                  <th scope="col">Due</th>
                  <th scope="col">Issued</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((invoice) => (
                  <tr key={invoice.id}>
                    <td class="nowrap">
                      <a href={clientLink({ id: invoice.client_id }, "invoices", invoice.id)}>{invoice.number}</a>
                    </td>
                    <td>{invoice.client_name}</td>
                    <td>{invoiceBadge(invoice)}</td>
                    <td class="number">{invoice.status === "draft" || invoice.status === "void" ? <span class="muted">–</span> : formatMoney(invoice.balance, invoice.currency)}</td>
                    <td class="number">{formatMoney(invoice.total, invoice.currency)}</td>
                    <td class="nowrap">
                      <time dateTime={invoice.due_date}>{formatDate(invoice.due_date)}</time>
                    </td>
                    <td class="nowrap">
                      <time dateTime={invoice.issue_date}>{formatDate(invoice.issue_date)}</time>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <ErrorMessage error={error} retry={() => void loadMore()} />
        {cursor && (
          <div class="actions">
            <Button kind="secondary" busy={loading} onClick={() => void loadMore()}>
              Show more
            </Button>
          </div>
        )}
      </Card>
    </>
  );
}
