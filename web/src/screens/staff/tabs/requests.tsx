// One client's document requests, for the firm: ask for documents (one, or a checklist), edit
// or cancel a request, and review what was submitted (accept, or reject with a reason the
// client sees). Every change sends the version read, so nobody overwrites a colleague.
import { DownloadAll } from "../../../components/DownloadAll";
import { Thread } from "../../../components/Thread";
import { useEffect, useState } from "preact/hooks";
import { api, call, ApiError, type Schemas } from "../../../api/client";
import { announce } from "../../../lib/announce";
import { formatDate, today } from "../../../lib/format";
import { clientLink, useStaffClient, type ClientSummary } from "../../../state";
import { ConfirmDialog } from "../../../components/ConfirmDialog";
import { Async, Button, Card, Checkbox, Empty, ErrorMessage, Form, Page, SelectField, TextArea, TextField, useAsync, useSubmit } from "../../../components/ui";
import { allPages, previewOf, useContactNames, VersionsTable } from "../../client/documents";
import { RequestFacts, requestDocument } from "../../client/requests";
import { RequestTable, staffStatusBadge } from "../requests";

type Request = Schemas["Request"];

export function RequestsTab(props: { request?: string }) {
  const client = useStaffClient();
  return props.request ? <RequestReview client={client} id={props.request} /> : <RequestOverview client={client} />;
}

async function clientRequests(clientId: string): Promise<Request[]> {
  return allPages(async (cursor) => {
    const answer = await call(api.GET("/api/clients/{id}/requests", { params: { path: { id: clientId }, query: { limit: 100, ...(cursor ? { cursor } : {}) } } }));
    return { items: answer.requests, next_cursor: answer.next_cursor };
  });
}

const ORDER: Record<Request["status"], number> = { submitted: 0, outstanding: 1, rejected: 1, accepted: 3, cancelled: 4 };

function sortForFirm(requests: Request[]): Request[] {
  return [...requests].sort((a, b) => ORDER[a.status] - ORDER[b.status] || Number(b.overdue) - Number(a.overdue) || a.due_date.localeCompare(b.due_date));
}

function RequestOverview(props: { client: ClientSummary }) {
  const state = useAsync(() => clientRequests(props.client.id), [props.client.id]);
  return (
    <Page title="Requests" subtitle={`Documents asked of ${props.client.name}.`}>
      <Card title="All requests">
        <Async state={state} label="Loading requests…">
          {(requests) =>
            requests.length === 0 ? (
              <Empty>No documents have been requested from this client yet.</Empty>
            ) : (
              <RequestTable requests={sortForFirm(requests)} caption={`Requests of ${props.client.name}`} />
            )
          }
        </Async>
      </Card>
      <NewRequest client={props.client} onCreated={state.reload} />
    </Page>
  );
}

interface Item {
  key: number;
  title: string;
  instructions: string;
}

let itemKeys = 0;
const newItem = (): Item => ({ key: (itemKeys += 1), title: "", instructions: "" });

function NewRequest(props: { client: ClientSummary; onCreated: () => void }) {
  const [title, setTitle] = useState("");
  const [instructions, setInstructions] = useState("");
  const [dueDate, setDueDate] = useState("");
  const [projectId, setProjectId] = useState("");
  const [checklist, setChecklist] = useState(false);
  const [items, setItems] = useState<Item[]>([newItem(), newItem()]);
  const projects = useAsync(async () => {
    try {
      return (await call(api.GET("/api/clients/{id}/projects", { params: { path: { id: props.client.id } } }))).projects;
    } catch {
      return [];
    }
  }, [props.client.id]);
  const { submit, busy, fieldError, formError } = useSubmit(async () => {
    const answer = await call(
      api.POST("/api/clients/{id}/requests", {
        params: { path: { id: props.client.id } },
        body: {
          title,
          instructions,
          due_date: dueDate,
          ...(projectId ? { project_id: projectId } : {}),
          ...(checklist ? { items: items.map((item) => ({ title: item.title, ...(item.instructions.trim() ? { instructions: item.instructions } : {}) })) } : {}),
        },
      }),
    );
    const count = answer.requests.length;
    announce(count === 1 ? "Request sent. The client's contacts were told by email." : `Checklist of ${count} documents sent. The client's contacts were told by email.`);
    setTitle("");
    setInstructions("");
    setDueDate("");
    setProjectId("");
    setChecklist(false);
    setItems([newItem(), newItem()]);
    props.onCreated();
  });
  const setItem = (key: number, change: Partial<Item>) => setItems((list) => list.map((item) => (item.key === key ? { ...item, ...change } : item)));
  return (
    <Card title="Ask for documents">
      <Form onSubmit={() => void submit()} label="Ask for documents" class="stack">
        <Checkbox label="Ask for several documents as one checklist" name="checklist" checked={checklist} onChecked={setChecklist} hint="Each document becomes its own request, grouped under the checklist's title." />
        <TextField label={checklist ? "Checklist title" : "Title"} name="title" value={title} onValue={setTitle} required maxLength={200} error={fieldError("title")} />
        <TextArea
          label="Instructions"
          name="instructions"
          value={instructions}
          onValue={setInstructions}
          maxLength={4000}
          hint={checklist ? "Used for every document that has no instructions of its own." : "What to send, and anything the client should know."}
          error={fieldError("instructions")}
        />
        <TextField label="Due date" name="due_date" type="date" value={dueDate} onValue={setDueDate} required error={fieldError("due_date")} hint={`Today (${formatDate(today())}) or later.`} />
        {(projects.data?.length ?? 0) > 0 && (
          <SelectField
            label="Project"
            name="project_id"
            value={projectId}
            onValue={setProjectId}
            options={[{ value: "", label: "No project" }, ...(projects.data ?? []).map((project) => ({ value: project.id, label: project.name }))]}
            error={fieldError("project_id")}
          />
        )}
        {checklist && (
          <fieldset class="stack">
            <legend>Documents in the checklist</legend>
            <ErrorMessage error={fieldError("items") ? `Documents: ${fieldError("items")}` : undefined} />
            {items.map((item, index) => (
              <div class="card checklist-item" key={item.key}>
                <TextField label={`Document ${index + 1}`} name={`items[${index}].title`} value={item.title} onValue={(value) => setItem(item.key, { title: value })} required maxLength={200} error={fieldError(`items[${index}].title`)} />
                <TextArea
                  label={`Instructions for document ${index + 1}`}
                  name={`items[${index}].instructions`}
                  rows={2}
                  value={item.instructions}
                  onValue={(value) => setItem(item.key, { instructions: value })}
                  maxLength={4000}
                  error={fieldError(`items[${index}].instructions`)}
                />
                {items.length > 1 && (
                  <Button kind="link" onClick={() => setItems((list) => list.filter((candidate) => candidate.key !== item.key))} aria-label={`Remove document ${index + 1}`}>
                    Remove
                  </Button>
                )}
              </div>
            ))}
            {items.length < 25 && (
              <Button kind="secondary" onClick={() => setItems((list) => [...list, newItem()])}>
                Add a document
              </Button>
            )}
          </fieldset>
        )}
        <ErrorMessage error={formError} />
        <div class="actions">
          <Button type="submit" busy={busy}>
            {checklist ? "Send checklist" : "Send request"}
          </Button>
        </div>
      </Form>
    </Card>
  );
}

function RequestReview(props: { client: ClientSummary; id: string }) {
  const names = useContactNames(props.client.id);
  const state = useAsync(async () => {
    const request = (await clientRequests(props.client.id)).find((candidate) => candidate.id === props.id);
    if (!request) throw new ApiError(404, "not_found", "This request could not be found.");
    const document = await requestDocument(request, (id) => call(api.GET("/api/clients/{id}/documents/{document}", { params: { path: { id: props.client.id, document: id } } })));
    return { request, document };
  }, [props.client.id, props.id]);
  return (
    <Async state={state} label="Loading the request…">
      {(loaded) => <RequestPanel client={props.client} loaded={loaded} names={names} reload={state.reload} />}
    </Async>
  );
}

function RequestPanel(props: { client: ClientSummary; loaded: { request: Request; document?: Schemas["DocumentDetail"] }; names: Record<string, string>; reload: () => void }) {
  const [request, setRequest] = useState(props.loaded.request);
  useEffect(() => setRequest(props.loaded.request), [props.loaded.request]);
  const { document } = props.loaded;
  const path = { id: props.client.id, request: request.id };
  const download = (documentId: string) => (number: number) =>
    call(api.GET("/api/clients/{id}/documents/{document}/versions/{number}/download", { params: { path: { id: props.client.id, document: documentId, number } } }));
  const open = request.status !== "accepted" && request.status !== "cancelled";
  return (
    <Page title={request.title} subtitle={request.group_title ? <>Part of the checklist “{request.group_title}”</> : undefined}>
      <p class="breadcrumb">
        <a href={clientLink(props.client, "requests")}>Requests</a> / {request.title}
      </p>
      <RequestFacts request={request} status={staffStatusBadge(request)}>
        {request.rejection_reason && (
          <>
            <dt>Reason given for rejecting</dt>
            <dd>{request.rejection_reason}</dd>
          </>
        )}
      </RequestFacts>
      {request.status === "submitted" && (
        <Review client={props.client} request={request} onChange={setRequest} />
      )}
      <Card title="Uploads">
        {document ? (
          <VersionsTable document={document} download={download(document.id)} names={props.names} preview={previewOf(props.client.id, document.id)} refresh={props.reload} />
        ) : (
          <Empty>The client has not uploaded anything for this request yet.</Empty>
        )}
        {document && document.versions.length > 0 && <DownloadAll clientId={props.client.id} requestId={request.id} label="Download all of this request's documents as one zip file" />}
      </Card>
      {open ? (
        <EditRequest client={props.client} request={request} onChange={setRequest} reload={props.reload} />
      ) : (
        <Card title="Instructions">{request.instructions ? <p class="instructions">{request.instructions}</p> : <p class="muted">No instructions.</p>}</Card>
      )}
      {open && <CancelRequest path={path} request={request} onChange={setRequest} />}
      <Card title="Conversation about this request">
        <Thread thread={`request:${request.id}`} clientId={props.client.id} staff title="Conversation about this request" />
      </Card>
    </Page>
  );
}

/** A conflict (someone changed the request meanwhile) offers a reload next to the message. */
function ChangeError(props: { error: unknown; reload?: () => void }) {
  const conflict = props.error instanceof ApiError && props.error.status === 409;
  return <ErrorMessage error={props.error} retry={conflict ? props.reload : undefined} />;
}

function Review(props: { client: ClientSummary; request: Request; onChange: (request: Request) => void }) {
  const [reason, setReason] = useState("");
  const path = { id: props.client.id, request: props.request.id };
  const accept = useSubmit(async () => {
    props.onChange(await call(api.POST("/api/clients/{id}/requests/{request}/review", { params: { path }, body: { version: props.request.version, decision: "accept" } })));
    announce("Accepted. The request is done.");
  });
  const reject = useSubmit(async () => {
    props.onChange(await call(api.POST("/api/clients/{id}/requests/{request}/review", { params: { path }, body: { version: props.request.version, decision: "reject", reason } })));
    setReason("");
    announce("Rejected. The client sees your reason and can upload again.");
  });
  return (
    <Card title="Review the upload">
      <p>The client submitted a document for this request. Open it below (once its malware check is done), then accept it or reject it with a reason.</p>
      <div class="actions">
        <Button busy={accept.busy} disabled={reject.busy} onClick={() => void accept.submit()}>
          Accept
        </Button>
      </div>
      <ErrorMessage error={accept.error} />
      <h3>Or ask for another upload</h3>
      <Form onSubmit={() => void reject.submit()} label="Reject the upload" class="stack">
        <TextArea
          label="Reason for rejecting"
          name="reason"
          value={reason}
          onValue={setReason}
          rows={3}
          maxLength={2000}
          required
          hint="The client sees this and uploads again."
          error={reject.fieldError("reason")}
        />
        <ErrorMessage error={reject.formError} />
        <div class="actions">
          <Button type="submit" kind="danger" busy={reject.busy} disabled={accept.busy}>
            Reject
          </Button>
        </div>
      </Form>
    </Card>
  );
}

function EditRequest(props: { client: ClientSummary; request: Request; onChange: (request: Request) => void; reload: () => void }) {
  const [title, setTitle] = useState(props.request.title);
  const [instructions, setInstructions] = useState(props.request.instructions);
  const [dueDate, setDueDate] = useState(props.request.due_date);
  useEffect(() => {
    setTitle(props.request.title);
    setInstructions(props.request.instructions);
    setDueDate(props.request.due_date);
  }, [props.request.version]);
  const { submit, busy, error, fieldError, formError } = useSubmit(async () => {
    const body: { version: number; title?: string; instructions?: string; due_date?: string } = { version: props.request.version };
    if (title !== props.request.title) body.title = title;
    if (instructions !== props.request.instructions) body.instructions = instructions;
    if (dueDate !== props.request.due_date) body.due_date = dueDate;
    props.onChange(await call(api.PATCH("/api/clients/{id}/requests/{request}", { params: { path: { id: props.client.id, request: props.request.id } }, body })));
    announce("Changes saved.");
  });
  return (
    <Card title="Edit the request">
      <Form onSubmit={() => void submit()} label="Edit the request" class="stack">
        <TextField label="Title" name="title" value={title} onValue={setTitle} required maxLength={200} error={fieldError("title")} />
        <TextArea label="Instructions" name="instructions" value={instructions} onValue={setInstructions} maxLength={4000} error={fieldError("instructions")} />
        <TextField label="Due date" name="due_date" type="date" value={dueDate} onValue={setDueDate} required error={fieldError("due_date")} hint="A new due date restarts the reminders." />
        {formError ? <ChangeError error={error} reload={props.reload} /> : null}
        <div class="actions">
          <Button type="submit" kind="secondary" busy={busy}>
            Save changes
          </Button>
        </div>
      </Form>
    </Card>
  );
}

function CancelRequest(props: { path: { id: string; request: string }; request: Request; onChange: (request: Request) => void }) {
  const [asking, setAsking] = useState(false);
  const { submit, busy, error } = useSubmit(async () => {
    props.onChange(await call(api.POST("/api/clients/{id}/requests/{request}/cancel", { params: { path: props.path }, body: { version: props.request.version } })));
    setAsking(false);
    announce("Request cancelled. Its reminders stop.");
  });
  return (
    <Card title="Cancel the request">
      <p class="muted">The request leaves the client's list and its reminders stop. Uploads stay.</p>
      <Button kind="danger" onClick={() => setAsking(true)}>
        Cancel request
      </Button>
      <ConfirmDialog open={asking} title="Cancel this request?" confirm="Yes, cancel the request" cancel="Keep it" busy={busy} onConfirm={() => void submit()} onClose={() => setAsking(false)}>
        <p>“{props.request.title}” will be withdrawn. The client will no longer be asked for it.</p>
        <ErrorMessage error={error} />
      </ConfirmDialog>
    </Card>
  );
}
