// The client's tickets as the firm works them: the list, opening one on the client's behalf,
// and each ticket with status, priority, category, assignee and its thread (replies to the
// client, and internal notes only the firm sees).
import { useState } from "preact/hooks";
import { api, ApiError, call } from "../../../api/client";
import { announce } from "../../../lib/announce";
import { clientLink, useMe, useStaffClient, type ClientSummary } from "../../../state";
import { Async, Button, Card, Empty, ErrorMessage, Form, Page, SelectField, useAsync, useSubmit } from "../../../components/ui";
import { Thread } from "../../../components/Thread";
import { CATEGORY_LABELS, OpenTicket, PRIORITY_LABELS, TicketDescription, TicketFacts, TicketList, statusLabel, ticketBadge, type Ticket, type TicketCategory, type TicketPriority, type TicketStatus } from "../../client/tickets";

const STATUSES: TicketStatus[] = ["open", "in_progress", "waiting_on_client", "resolved", "closed"];

export function TicketsTab(props: { ticket?: string }) {
  const client = useStaffClient();
  return props.ticket ? <StaffTicket client={client} id={props.ticket} /> : <ClientTickets client={client} />;
}

function ClientTickets(props: { client: ClientSummary }) {
  const state = useAsync(() => call(api.GET("/api/clients/{id}/tickets", { params: { path: { id: props.client.id }, query: { limit: 100 } } })), [props.client.id]);
  return (
    <Page title={`${props.client.name}: tickets`} subtitle={<a href="/staff/tickets">The firm's whole queue</a>}>
      <Card title="Tickets">
        <Async state={state} label="Loading tickets…">
          {(page) => (page.tickets.length === 0 ? <Empty>This client has no tickets.</Empty> : <TicketList tickets={page.tickets} staff href={(ticket) => clientLink(props.client, "tickets", ticket.id)} />)}
        </Async>
      </Card>
      <Card title="Open a ticket on the client's behalf">
        <OpenTicket clientId={props.client.id} intro="For a request the client made by phone or email. The client's contacts see it and its replies." onOpened={() => state.reload()} />
      </Card>
    </Page>
  );
}

function StaffTicket(props: { client: ClientSummary; id: string }) {
  const state = useAsync(() => call(api.GET("/api/clients/{id}/tickets/{ticket}", { params: { path: { id: props.client.id, ticket: props.id } } })), [props.client.id, props.id]);
  return (
    <Async state={state} label="Loading the ticket…">
      {(ticket) => <StaffTicketScreen key={ticket.version} client={props.client} ticket={ticket} reload={state.reload} />}
    </Async>
  );
}

function StaffTicketScreen(props: { client: ClientSummary; ticket: Ticket; reload: () => void }) {
  const me = useMe();
  const [ticket, setTicket] = useState(props.ticket);
  const [status, setStatus] = useState<TicketStatus>(ticket.status);
  const [priority, setPriority] = useState<TicketPriority>(ticket.priority);
  const [category, setCategory] = useState<TicketCategory>(ticket.category);
  const [assignee, setAssignee] = useState(ticket.assignee?.sub ?? "");
  const { submit, busy, error, fieldError, formError } = useSubmit(async () => {
    const body: { version: number; status?: TicketStatus; priority?: TicketPriority; category?: TicketCategory; assignee?: string } = { version: ticket.version };
    if (status !== ticket.status) body.status = status;
    if (priority !== ticket.priority) body.priority = priority;
    if (category !== ticket.category) body.category = category;
    if (assignee !== (ticket.assignee?.sub ?? "")) body.assignee = assignee;
    if (Object.keys(body).length === 1) {
      announce("Nothing to change.");
      return;
    }
    const changed = await call(api.PATCH("/api/clients/{id}/tickets/{ticket}", { params: { path: { id: props.client.id, ticket: ticket.id } }, body }));
    setTicket(changed);
    announce(body.status ? `Ticket is now ${statusLabel(changed.status, true).toLowerCase()}; the opener was told.` : "Ticket updated.");
  });
  const assignees = [{ value: "", label: "Nobody" }, { value: me.sub, label: `Me (${me.name})` }];
  if (ticket.assignee && ticket.assignee.sub !== me.sub) assignees.push({ value: ticket.assignee.sub, label: ticket.assignee.name });
  return (
    <Page title={ticket.subject} subtitle={<>{ticketBadge(ticket, true)} · {props.client.name}</>}>
      <p class="breadcrumb">
        <a href={clientLink(props.client, "tickets")}>Tickets</a> / {ticket.subject}
      </p>
      <div class="grid">
        <Card title="The request">
          <TicketFacts ticket={ticket} staff />
          <TicketDescription ticket={ticket} attachmentHref={(id) => clientLink(props.client, "documents", id)} />
        </Card>
        <Card title="Handle it">
          <Form onSubmit={() => void submit()} label="Handle the ticket">
            <ErrorMessage error={formError} retry={error instanceof ApiError && error.status === 409 ? props.reload : undefined} />
            <SelectField label="Status" name="status" value={status} onValue={(value) => setStatus(value as TicketStatus)} options={STATUSES.map((value) => ({ value, label: statusLabel(value, true) }))} required hint="A change of status is emailed to the person who opened it." error={fieldError("status")} />
            <SelectField label="Handled by" name="assignee" value={assignee} onValue={setAssignee} options={assignees} required error={fieldError("assignee")} />
            <SelectField label="Priority" name="priority" value={priority} onValue={(value) => setPriority(value as TicketPriority)} options={(Object.keys(PRIORITY_LABELS) as TicketPriority[]).map((value) => ({ value, label: PRIORITY_LABELS[value] }))} required error={fieldError("priority")} />
            <SelectField label="Category" name="category" value={category} onValue={(value) => setCategory(value as TicketCategory)} options={(Object.keys(CATEGORY_LABELS) as TicketCategory[]).map((value) => ({ value, label: CATEGORY_LABELS[value] }))} required error={fieldError("category")} />
            <div class="actions">
              <Button type="submit" busy={busy}>
                Save changes
              </Button>
            </div>
          </Form>
        </Card>
      </div>
      <Thread thread={ticket.thread} clientId={props.client.id} staff title="Conversation with the client" />
    </Page>
  );
}
