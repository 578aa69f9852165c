// The firm's clients: status at a glance, and onboarding (one form, one invitation email).
import { useState } from "preact/hooks";
import { api, call } from "../../api/client";
import { announce } from "../../lib/announce";
import { formatDate } from "../../lib/format";
import { hasRole, useMe, type ClientSummary } from "../../state";
import { Async, Badge, Button, Card, Empty, ErrorMessage, Form, Page, TextField, useAsync, useSubmit } from "../../components/ui";

export async function allClients(): Promise<ClientSummary[]> {
  const clients: ClientSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await call(api.GET("/api/clients", { params: { query: { limit: 100, cursor } } }));
    clients.push(...page.clients);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return clients;
}

type RequestStatus = "outstanding" | "rejected" | "submitted";

/** Every firm-wide request in one status (GSI2: one query per page, across clients). */
async function firmRequests(status: RequestStatus) {
  const found: { client_id: string; overdue: boolean }[] = [];
  let cursor: string | undefined;
  do {
    const page = await call(api.GET("/api/requests", { params: { query: { status, limit: 100, cursor } } }));
    found.push(...page.requests);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return found;
}

export interface Outstanding {
  waiting: number;
  overdue: number;
  toReview: number;
}

/** Per client: requests waiting on the client (and how many are overdue), uploads to review. */
export async function outstandingByClient(): Promise<Map<string, Outstanding>> {
  const [outstanding, rejected, submitted] = await Promise.all([firmRequests("outstanding"), firmRequests("rejected"), firmRequests("submitted")]);
  const counts = new Map<string, Outstanding>();
  const entry = (client: string) => {
    const existing = counts.get(client) ?? { waiting: 0, overdue: 0, toReview: 0 };
    counts.set(client, existing);
    return existing;
  };
  for (const request of [...outstanding, ...rejected]) {
    const counted = entry(request.client_id);
    counted.waiting += 1;
    if (request.overdue) counted.overdue += 1;
  }
  for (const request of submitted) entry(request.client_id).toReview += 1;
  return counts;
}

export function invitationBadge(client: ClientSummary) {
  if (client.invitation === "accepted") return <Badge tone="good">Active</Badge>;
  if (client.invitation === "sent") return <Badge tone="info">Invitation sent</Badge>;
  return <Badge tone="warn">Invitation pending</Badge>;
}

export function Clients() {
  const me = useMe();
  const clients = useAsync(async () => {
    const [list, outstanding] = await Promise.all([allClients(), outstandingByClient()]);
    return list.map((client) => ({ ...client, outstanding: outstanding.get(client.id) ?? { waiting: 0, overdue: 0, toReview: 0 } }));
  }, []);
  const [filter, setFilter] = useState("");
  return (
    <Page title="Clients" subtitle="Every client organisation and where its onboarding stands.">
      <Card title="All clients">
        <Async state={clients} label="Loading clients…">
          {(list) => {
            const needle = filter.trim().toLowerCase();
            const shown = needle ? list.filter((client) => `${client.name} ${client.slug} ${client.contact_email}`.toLowerCase().includes(needle)) : list;
            return list.length === 0 ? (
              <Empty>No clients yet. Onboard the first one below.</Empty>
            ) : (
              <>
                <TextField label="Find a client" name="filter" value={filter} onValue={setFilter} required />
                <div class="table-wrap">
                  <table>
                    <caption class="visually-hidden">Clients</caption>
                    <thead>
                      <tr>
                        <th scope="col">Client</th>
                        <th scope="col">Slug</th>
                        <th scope="col">Primary contact</th>
                        <th scope="col">Status</th>
                        <th scope="col" class="number">Waiting on client</th>
                        <th scope="col" class="number">To review</th>
                        <th scope="col">Since</th>
                      </tr>
                    </thead>
                    <tbody>
                      {shown.map((client) => (
                        <tr key={client.id}>
                          <td>
                            <a href={`/staff/clients/${client.id}`}>{client.name}</a>
                          </td>
                          <td>{client.slug}</td>
                          <td>
                            {client.contact_name}
                            <br />
                            <span class="muted">{client.contact_email}</span>
                          </td>
                          <td>{invitationBadge(client)}</td>
                          <td class="number">
                            {client.outstanding.waiting}
                            {client.outstanding.overdue > 0 && (
                              <>
                                {" "}
                                <Badge tone="bad">{client.outstanding.overdue} overdue</Badge>
                              </>
                            )}
                          </td>
                          <td class="number">{client.outstanding.toReview > 0 ? <Badge tone="info">{client.outstanding.toReview}</Badge> : 0}</td>
                          <td>{formatDate(client.created_at)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </>
            );
          }}
        </Async>
      </Card>
      {hasRole(me, "admin") && <Onboard onDone={clients.reload} />}
    </Page>
  );
}

function Onboard(props: { onDone: () => void }) {
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const [contactName, setContactName] = useState("");
  const [contactEmail, setContactEmail] = useState("");
  const [slugTouched, setSlugTouched] = useState(false);
  const { submit, busy, formError, fieldError } = useSubmit(async () => {
    await call(api.POST("/api/clients", { body: { name: name.trim(), slug: slug.trim(), contact: { name: contactName.trim(), email: contactEmail.trim() } } }));
    announce(`${name} is onboarded; the invitation is on its way to ${contactEmail}.`);
    setName("");
    setSlug("");
    setContactName("");
    setContactEmail("");
    setSlugTouched(false);
    props.onDone();
  });
  const suggestSlug = (value: string) =>
    value
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40);
  return (
    <Card title="Onboard a client">
      <Form onSubmit={submit} label="Onboard a client">
        <p class="muted">The client gets its own sign-in and one invitation email to the primary contact, who becomes the client's administrator.</p>
        <TextField
          label="Client name"
          name="name"
          required
          value={name}
          onValue={(value) => {
            setName(value);
            if (!slugTouched) setSlug(suggestSlug(value));
          }}
          error={fieldError("name")}
        />
        <TextField
          label="Slug"
          name="slug"
          required
          value={slug}
          onValue={(value) => {
            setSlugTouched(true);
            setSlug(value);
          }}
          hint="Lower-case letters, digits and dashes; the client signs in with it."
          error={fieldError("slug")}
        />
        <TextField label="Primary contact's name" name="contact_name" required value={contactName} onValue={setContactName} error={fieldError("contact.name")} />
        <TextField label="Primary contact's email" name="contact_email" type="email" required value={contactEmail} onValue={setContactEmail} error={fieldError("contact.email")} />
        <ErrorMessage error={formError} />
        <Button type="submit" busy={busy}>
          Onboard and send the invitation
        </Button>
      </Form>
    </Card>
  );
}
