// The firm's support queue across every client, by status; within a status the longest
// waiting come first. Each ticket opens in its client's workspace.
import { useState } from "preact/hooks";
import { api, call } from "../../api/client";
import { formatDate, formatDateTime } from "../../lib/format";
import { useMe } from "../../state";
import { Async, Button, Card, Empty, ErrorMessage, Page, useAsync } from "../../components/ui";
import { allClients } from "./clients";
import { CATEGORY_LABELS, PRIORITY_LABELS, priorityBadge, statusLabel, type Ticket, type TicketStatus } from "../client/tickets";

const SECTIONS: { status: TicketStatus; hint: string }[] = [
  { status: "open", hint: "New: nobody has started on these." },
  { status: "in_progress", hint: "Someone at the firm is working on these." },
  { status: "waiting_on_client", hint: "Waiting for the client to answer." },
  { status: "resolved", hint: "Resolved; the client can still reopen or close them." },
  { status: "closed", hint: "Closed tickets." },
];

export function TicketQueue() {
  const clients = useAsync(async () => new Map((await allClients()).map((client) => [client.id, client.name])), []);
  const [mine, setMine] = useState(false);
  const names = clients.data ?? new Map<string, string>();
  return (
    <Page title="Support queue" subtitle="Tickets from every client, by status; the longest waiting first.">
      <div class="row toolbar">
        <Button kind="secondary" aria-pressed={mine} onClick={() => setMine(!mine)}>
          {mine ? "Showing only tickets assigned to me" : "Show only tickets assigned to me"}
        </Button>
      </div>
      {clients.error ? <ErrorMessage error={clients.error} retry={clients.reload} /> : null}
      {SECTIONS.map((section) => (
        <QueueSection key={section.status} status={section.status} hint={section.hint} names={names} onlyMine={mine} startClosed={section.status === "closed"} />
      ))}
    </Page>
  );
}

function QueueSection(props: { status: TicketStatus; hint: string; names: Map<string, string>; onlyMine: boolean; startClosed: boolean }) {
  const me = useMe();
  const [shown, setShown] = useState(!props.startClosed);
  const [extra, setExtra] = useState<Ticket[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [moreBusy, setMoreBusy] = useState(false);
  const [moreError, setMoreError] = useState<unknown>();
  const state = useAsync(async () => {
    if (!shown) return undefined;
    const page = await call(api.GET("/api/tickets", { params: { query: { status: props.status, limit: 50 } } }));
    setExtra([]);
    setCursor(page.next_cursor);
    return page.tickets;
  }, [props.status, shown]);
  const more = async () => {
    if (!cursor) return;
    setMoreBusy(true);
    setMoreError(undefined);
    try {
      const page = await call(api.GET("/api/tickets", { params: { query: { status: props.status, limit: 50, cursor } } }));
      setExtra((previous) => [...previous, ...page.tickets]);
      setCursor(page.next_cursor);
    } catch (error) {
      setMoreError(error);
    } finally {
      setMoreBusy(false);
    }
  };
  const title = statusLabel(props.status, true);
  if (!shown) {
    return (
      <Card title={title}>
        <p class="muted">{props.hint}</p>
        <Button kind="secondary" onClick={() => setShown(true)}>
          Show {title.toLowerCase()} tickets
        </Button>
      </Card>
    );
  }
  return (
    <Card title={state.data ? `${title} (${state.data.length + extra.length}${cursor ? "+" : ""})` : title}>
      <p class="muted">{props.hint}</p>
      <Async state={state} label={`Loading ${title.toLowerCase()} tickets…`}>
        {(tickets) => {
          const all = [...(tickets ?? []), ...extra].filter((ticket) => !props.onlyMine || ticket.assignee?.sub === me.sub);
          return all.length === 0 ? (
            <Empty>{props.onlyMine ? "None assigned to you." : "None."}</Empty>
          ) : (
            <>
              <div class="table-wrap">
                <table>
                  <caption class="visually-hidden">{title} tickets</caption>
                  <thead>
                    <tr>
                      <th scope="col">Ticket</th>
                      <th scope="col">Client</th>
                      <th scope="col">Priority</th>
                      <th scope="col">Category</th>
                      <th scope="col">Handled by</th>
                      <th scope="col">Opened</th>
                      <th scope="col">Last change</th>
                    </tr>
                  </thead>
                  <tbody>
                    {all.map((ticket) => (
                      <tr key={ticket.id}>
                        <td>
                          <a href={`/staff/clients/${encodeURIComponent(ticket.client_id)}/tickets/${encodeURIComponent(ticket.id)}`}>{ticket.subject}</a>
                          <br />
                          <span class="muted">{ticket.opener_name}</span>
                        </td>
                        <td>{props.names.get(ticket.client_id) ?? <span class="muted">A client</span>}</td>
                        <td>{priorityBadge(ticket.priority) ?? PRIORITY_LABELS[ticket.priority]}</td>
                        <td>{CATEGORY_LABELS[ticket.category]}</td>
                        <td>{ticket.assignee?.name ?? <span class="muted">Nobody</span>}</td>
                        <td>
                          <time dateTime={ticket.created_at}>{formatDate(ticket.created_at)}</time>
                        </td>
                        <td>
                          <time dateTime={ticket.updated_at}>{formatDateTime(ticket.updated_at)}</time>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <ErrorMessage error={moreError} />
              {cursor && (
                <div class="actions">
                  <Button kind="secondary" busy={moreBusy} onClick={() => void more()}>
                    Show more {title.toLowerCase()} tickets
                  </Button>
                </div>
              )}
            </>
          );
        }}
      </Async>
    </Card>
  );
}
