// Document requests across every client, by status: what waits for clients, what is overdue,
// what waits for the firm's review.
import { useLocation } from "preact-iso";
import { api, call, type Schemas } from "../../api/client";
import { formatDate } from "../../lib/format";
import { clientLink } from "../../state";
import { Async, Badge, Card, Empty, Page, useAsync } from "../../components/ui";
import { allClients } from "./clients";
import { allPages } from "../client/documents";

type Request = Schemas["Request"];
type Status = "outstanding" | "overdue" | "submitted" | "rejected" | "accepted" | "cancelled";

export const STATUSES: { value: Status; label: string; empty: string }[] = [
  { value: "submitted", label: "To review", empty: "Nothing waits for your review." },
  { value: "overdue", label: "Overdue", empty: "No request is overdue." },
  { value: "outstanding", label: "Waiting for clients", empty: "No request waits for a client's upload." },
  { value: "rejected", label: "Rejected", empty: "No rejected request waits for a new upload." },
  { value: "accepted", label: "Accepted", empty: "No accepted requests yet." },
  { value: "cancelled", label: "Cancelled", empty: "No cancelled requests." },
];

/** A request's status for the firm. */
export function staffStatusBadge(request: Request) {
  switch (request.status) {
    case "outstanding":
      return request.overdue ? <Badge tone="bad">Overdue</Badge> : <Badge tone="warn">Waiting for the client</Badge>;
    case "rejected":
      return request.overdue ? <Badge tone="bad">Rejected, overdue</Badge> : <Badge tone="warn">Rejected, waiting for a new upload</Badge>;
    case "submitted":
      return <Badge tone="info">To review</Badge>;
    case "accepted":
      return <Badge tone="good">Accepted</Badge>;
    case "cancelled":
      return <Badge tone="neutral">Cancelled</Badge>;
  }
}

/**
 * Requests as a table: title (with its checklist), due date and status for the firm. With
 * `clientNames` (client id → name) a column says whose request it is, for lists across clients.
 */
export function RequestTable(props: { requests: Request[]; caption: string; clientNames?: Record<string, string> }) {
  const names = props.clientNames;
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Request</th>
            {names && <th scope="col">Client</th>}
            <th scope="col">Due</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {props.requests.map((request) => (
            <tr key={request.id}>
              <td>
                <a href={clientLink({ id: request.client_id }, "requests", request.id)}>{request.title}</a>
                {request.group_title && <span class="muted"> · {request.group_title}</span>}
              </td>
              {names && (
                <td>
                  <a href={clientLink({ id: request.client_id }, "requests")}>{names[request.client_id] ?? "Client"}</a>
                </td>
              )}
              <td>
                <time dateTime={request.due_date} class={request.overdue ? "overdue" : undefined}>
                  {formatDate(request.due_date)}
                </time>
              </td>
              <td>{staffStatusBadge(request)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function FirmRequests() {
  const { query } = useLocation();
  const status: Status = STATUSES.some((entry) => entry.value === query.status) ? (query.status as Status) : "submitted";
  const current = STATUSES.find((entry) => entry.value === status) ?? STATUSES[0]!;
  const clients = useAsync(allClients, []);
  const requests = useAsync(
    () =>
      allPages(async (cursor) => {
        const answer = await call(api.GET("/api/requests", { params: { query: { status, limit: 100, ...(cursor ? { cursor } : {}) } } }));
        return { items: answer.requests, next_cursor: answer.next_cursor };
      }),
    [status],
  );
  const names = Object.fromEntries((clients.data ?? []).map((client) => [client.id, client.name]));
  return (
    <Page title="Document requests" subtitle="Every client's requests, by status.">
      <nav class="tabs" aria-label="Requests by status">
        <ul>
          {STATUSES.map((entry) => (
            <li key={entry.value}>
              <a href={`/staff/requests?status=${entry.value}`} aria-current={entry.value === status ? "page" : undefined}>
                {entry.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <Card title={current.label}>
        <Async state={requests} label="Loading requests…">
          {(list) =>
            list.length === 0 ? (
              <Empty>{current.empty}</Empty>
            ) : (
              <RequestTable requests={list} caption={`${current.label} (${list.length})`} clientNames={names} />
            )
          }
        </Async>
      </Card>
    </Page>
  );
}
