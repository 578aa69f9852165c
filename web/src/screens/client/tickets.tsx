// Support: open a ticket (subject, description, category, priority), follow its status, close
// it or reopen it once resolved, and talk to the firm in its thread (`ticket:<id>`).
import { useState } from "preact/hooks";
import { api, call, type Schemas } from "../../api/client";
import { announce } from "../../lib/announce";
import { formatDate, formatDateTime } from "../../lib/format";
import { canAct, link, useMe, useScope, type Scope } from "../../state";
import { Async, Badge, Button, Card, Empty, ErrorMessage, Form, Page, SelectField, TextArea, TextField, useAsync, useSubmit } from "../../components/ui";
import { Thread } from "../../components/Thread";

export type Ticket = Schemas["Ticket"];
export type TicketStatus = Schemas["TicketStatus"];
export type TicketCategory = Schemas["TicketCategory"];
export type TicketPriority = Schemas["TicketPriority"];

export const CATEGORY_LABELS: Record<TicketCategory, string> = {
  question: "A question",
  documents: "Documents",
  billing: "Billing",
  technical: "Technical problem",
  other: "Something else",
};

export const PRIORITY_LABELS: Record<TicketPriority, string> = {
  low: "Low",
  normal: "Normal",
  high: "High",
  urgent: "Urgent",
};

export function statusLabel(status: TicketStatus, staff = false): string {
  switch (status) {
    case "open":
      return "Open";
    case "in_progress":
      return "In progress";
    case "waiting_on_client":
      return staff ? "Waiting on client" : "Waiting on you";
    case "resolved":
      return "Resolved";
    default:
      return "Closed";
  }
}

export function ticketBadge(ticket: Pick<Ticket, "status">, staff = false) {
  const tone = ({ open: "info", in_progress: "info", waiting_on_client: "warn", resolved: "good", closed: "neutral" } as const)[ticket.status];
  return <Badge tone={tone}>{statusLabel(ticket.status, staff)}</Badge>;
}

export function priorityBadge(priority: TicketPriority) {
  if (priority === "urgent") return <Badge tone="bad">Urgent</Badge>;
  if (priority === "high") return <Badge tone="warn">High priority</Badge>;
  return null;
}

const options = <T extends string>(labels: Record<T, string>) => (Object.keys(labels) as T[]).map((value) => ({ value, label: labels[value] }));

/** The open-a-ticket form (contact routes, or a staff member on the client's behalf). */
export function OpenTicket(props: { clientId?: string; onOpened: (ticket: Ticket) => void; intro?: string }) {
  const [subject, setSubject] = useState("");
  const [description, setDescription] = useState("");
  const [category, setCategory] = useState<TicketCategory>("question");
  const [priority, setPriority] = useState<TicketPriority>("normal");
  const { submit, busy, fieldError, formError } = useSubmit(async () => {
    const body = { subject, description, category, priority };
    const ticket = props.clientId
      ? await call(api.POST("/api/clients/{id}/tickets", { params: { path: { id: props.clientId } }, body }))
      : await call(api.POST("/api/tickets", { body }));
    setSubject("");
    setDescription("");
    setCategory("question");
    setPriority("normal");
    announce("Your ticket is open. The firm has been told.");
    props.onOpened(ticket);
  });
  return (
    <Form onSubmit={() => void submit()} label="Open a ticket">
      {props.intro && <p class="muted">{props.intro}</p>}
      <ErrorMessage error={formError} />
      <TextField label="Subject" name="subject" value={subject} onValue={setSubject} required maxLength={200} error={fieldError("subject")} />
      <TextArea label="Description" name="description" value={description} onValue={setDescription} required rows={5} maxLength={10000} hint="What happened, and what you need from us." error={fieldError("description")} />
      <div class="pair">
        <SelectField label="Category" name="category" value={category} onValue={(value) => setCategory(value as TicketCategory)} options={options(CATEGORY_LABELS)} required error={fieldError("category")} />
        <SelectField label="Priority" name="priority" value={priority} onValue={(value) => setPriority(value as TicketPriority)} options={options(PRIORITY_LABELS)} required error={fieldError("priority")} />
      </div>
      <div class="actions">
        <Button type="submit" busy={busy}>
          Open the ticket
        </Button>
      </div>
    </Form>
  );
}

async function loadTickets(scope: Scope, cursor?: string) {
  return scope.clientId
    ? call(api.GET("/api/clients/{id}/tickets", { params: { path: { id: scope.clientId }, query: { limit: 50, cursor } } }))
    : call(api.GET("/api/tickets", { params: { query: { limit: 50, cursor } } }));
}

export function TicketList(props: { tickets: Ticket[]; href: (ticket: Ticket) => string; staff?: boolean; showClient?: (ticket: Ticket) => string | undefined }) {
  return (
    <ul class="list">
      {props.tickets.map((ticket) => (
        <li key={ticket.id}>
          <a href={props.href(ticket)}>{ticket.subject}</a>
          {ticketBadge(ticket, props.staff)}
          {priorityBadge(ticket.priority)}
          <span class="muted">
            {props.showClient?.(ticket) ? `${props.showClient(ticket)} · ` : ""}
            {CATEGORY_LABELS[ticket.category]} · opened by {ticket.opener_name} on <time dateTime={ticket.created_at}>{formatDate(ticket.created_at)}</time>
            {ticket.assignee ? ` · ${ticket.assignee.name}` : ""}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function Tickets() {
  const scope = useScope();
  const me = useMe();
  const [more, setMore] = useState<{ tickets: Ticket[]; cursor?: string | null }>({ tickets: [] });
  const state = useAsync(async () => {
    const page = await loadTickets(scope);
    setMore({ tickets: [], cursor: page.next_cursor });
    return page;
  }, [scope.clientId]);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>();
  const mayOpen = !scope.readOnly && canAct(me);
  const showMore = async () => {
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const page = await loadTickets(scope, more.cursor ?? undefined);
      setMore((previous) => ({ tickets: [...previous.tickets, ...page.tickets], cursor: page.next_cursor }));
    } catch (error) {
      setMoreError(error);
    } finally {
      setLoadingMore(false);
    }
  };
  return (
    <Page title="Support" subtitle="Ask the firm for help and follow your tickets.">
      <Card title="Your tickets">
        <Async state={state} label="Loading tickets…">
          {(page) => {
            const all = [...page.tickets, ...more.tickets];
            const active = all.filter((ticket) => ticket.status !== "closed" && ticket.status !== "resolved");
            const finished = all.filter((ticket) => ticket.status === "closed" || ticket.status === "resolved");
            return all.length === 0 ? (
              <Empty>No tickets yet.</Empty>
            ) : (
              <>
                <h3 class="list-heading">Open ({active.length})</h3>
                {active.length === 0 ? <Empty>Nothing open.</Empty> : <TicketList tickets={active} href={(ticket) => link(scope, `/tickets/${ticket.id}`)} />}
                <h3 class="list-heading">Resolved and closed ({finished.length})</h3>
                {finished.length === 0 ? <Empty>None yet.</Empty> : <TicketList tickets={finished} href={(ticket) => link(scope, `/tickets/${ticket.id}`)} />}
                <ErrorMessage error={moreError} />
                {more.cursor && (
                  <div class="actions">
                    <Button kind="secondary" busy={loadingMore} onClick={() => void showMore()}>
                      Show more tickets
                    </Button>
                  </div>
                )}
              </>
            );
          }}
        </Async>
      </Card>
      {mayOpen ? (
        <Card title="Open a ticket">
          <OpenTicket onOpened={() => state.reload()} />
        </Card>
      ) : (
        <p class="muted">{scope.readOnly ? "This is a preview: tickets cannot be opened here." : "Your role can follow tickets but not open them. Ask an admin or member of your organisation."}</p>
      )}
    </Page>
  );
}

/** The ticket's facts: status, category, priority, who opened it, who handles it. */
export function TicketFacts(props: { ticket: Ticket; staff?: boolean }) {
  const { ticket } = props;
  return (
    <dl class="kv">
      <dt>Status</dt>
      <dd>{ticketBadge(ticket, props.staff)}</dd>
      <dt>Category</dt>
      <dd>{CATEGORY_LABELS[ticket.category]}</dd>
      <dt>Priority</dt>
      <dd>{PRIORITY_LABELS[ticket.priority]}</dd>
      <dt>Opened by</dt>
      <dd>
        {ticket.opener_name}
        {props.staff ? <> ({ticket.opener_email})</> : null} · <time dateTime={ticket.created_at}>{formatDateTime(ticket.created_at)}</time>
      </dd>
      <dt>Handled by</dt>
      <dd>{ticket.assignee?.name ?? <span class="muted">Not assigned yet</span>}</dd>
      <dt>Last change</dt>
      <dd>
        <time dateTime={ticket.updated_at}>{formatDateTime(ticket.updated_at)}</time>
      </dd>
    </dl>
  );
}

/** What the opener wrote and, if they attached documents, a link to each. */
export function TicketDescription(props: { ticket: Ticket; attachmentHref: (document: string) => string }) {
  const { ticket } = props;
  return (
    <>
      <h3 class="spaced">Description</h3>
      <p class="pre-line">{ticket.description}</p>
      {ticket.attachments.length > 0 && (
        <>
          <h3 class="spaced">Attachments</h3>
          <ul>
            {ticket.attachments.map((id, index) => (
              <li key={id}>
                <a href={props.attachmentHref(id)}>Attachment {index + 1}</a>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

export function TicketDetail(props: { ticket: string }) {
  const scope = useScope();
  const state = useAsync(
    () =>
      scope.clientId
        ? call(api.GET("/api/clients/{id}/tickets/{ticket}", { params: { path: { id: scope.clientId, ticket: props.ticket } } }))
        : call(api.GET("/api/tickets/{ticket}", { params: { path: { ticket: props.ticket } } })),
    [scope.clientId, props.ticket],
  );
  return (
    <Async state={state} label="Loading the ticket…">
      {(ticket) => <TicketScreen ticket={ticket} reload={state.reload} />}
    </Async>
  );
}

function TicketScreen(props: { ticket: Ticket; reload: () => void }) {
  const scope = useScope();
  const me = useMe();
  const [ticket, setTicket] = useState(props.ticket);
  const mayAct = !scope.readOnly && canAct(me);
  const { submit, busy, error } = useSubmit(async (status: "open" | "closed") => {
    const changed = await call(api.PATCH("/api/tickets/{ticket}", { params: { path: { ticket: ticket.id } }, body: { version: ticket.version, status } }));
    setTicket(changed);
    announce(status === "closed" ? "Ticket closed." : "Ticket reopened.");
  });
  return (
    <Page title={ticket.subject} subtitle={ticketBadge(ticket)}>
      <p class="breadcrumb">
        <a href={link(scope, "/tickets")}>Support</a> / {ticket.subject}
      </p>
      <Card title="About this ticket">
        <TicketFacts ticket={ticket} />
        <TicketDescription ticket={ticket} attachmentHref={(id) => link(scope, `/documents/${id}`)} />
        {mayAct && (
          <>
            <ErrorMessage error={error} retry={props.reload} />
            <div class="actions">
              {ticket.status === "resolved" && (
                <Button kind="secondary" busy={busy} onClick={() => void submit("open")}>
                  Reopen the ticket
                </Button>
              )}
              {ticket.status !== "closed" && (
                <Button kind="secondary" busy={busy} onClick={() => void submit("closed")}>
                  Close the ticket
                </Button>
              )}
            </div>
            <p class="hint">
              {ticket.status === "closed"
                ? "This ticket is closed. Open a new one if you need more help."
                : ticket.status === "resolved"
                  ? "The firm marked this resolved. Reopen it if the problem is not solved, or close it."
                  : "Close the ticket when you no longer need help."}
            </p>
          </>
        )}
      </Card>
      <Thread thread={ticket.thread} clientId={scope.clientId} readOnly={scope.readOnly || !canAct(me)} title="Conversation" />
    </Page>
  );
}
