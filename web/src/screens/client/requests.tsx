// The documents the firm asked for: what needs an upload, what was rejected (with the firm's
// reason), what waits for review and what is done; checklists stay together. One request shows
// its instructions, its status, the versions uploaded so far and the upload itself.
import type { ComponentChildren } from "preact";
import { api, call, ApiError, type Schemas } from "../../api/client";
import { DownloadAll } from "../../components/DownloadAll";
import { Upload } from "../../components/Upload";
import { Thread } from "../../components/Thread";
import { formatDate, formatDateTime } from "../../lib/format";
import { canAct, link, useMe, useScope, type Scope } from "../../state";
import { Async, Badge, Card, Empty, Page, useAsync } from "../../components/ui";
import { allPages, previewOf, useContactNames, VersionsTable } from "./documents";

export type Request = Schemas["Request"];

/** The requests on screen: the contact's own (cancelled ones left out), or the previewed client's. */
export async function loadRequests(scope: Scope): Promise<Request[]> {
  const items = await allPages(async (cursor) => {
    const query = { limit: 100, ...(cursor ? { cursor } : {}) };
    const answer = scope.clientId
      ? await call(api.GET("/api/clients/{id}/requests", { params: { path: { id: scope.clientId }, query } }))
      : await call(api.GET("/api/requests", { params: { query } }));
    return { items: answer.requests, next_cursor: answer.next_cursor };
  });
  return items.filter((request) => request.status !== "cancelled");
}

/** The status of a request as the client reads it. */
export function statusBadge(request: Request) {
  switch (request.status) {
    case "outstanding":
      return request.overdue ? <Badge tone="bad">Overdue</Badge> : <Badge tone="warn">Needs your upload</Badge>;
    case "rejected":
      return request.overdue ? <Badge tone="bad">Rejected, overdue</Badge> : <Badge tone="bad">Rejected: upload again</Badge>;
    case "submitted":
      return <Badge tone="info">Submitted, in review</Badge>;
    case "accepted":
      return <Badge tone="good">Accepted</Badge>;
    case "cancelled":
      return <Badge tone="neutral">Cancelled</Badge>;
  }
}

export function DueDate(props: { request: Request }) {
  const { request } = props;
  return (
    <span class={request.overdue ? "overdue" : "muted"}>
      {request.overdue ? "Overdue since " : "Due "}
      <time dateTime={request.due_date}>{formatDate(request.due_date)}</time>
    </span>
  );
}

/** A request's status (as the reader should see it), due date and when it was asked; `children` adds facts. */
export function RequestFacts(props: { request: Request; status: ComponentChildren; children?: ComponentChildren }) {
  const { request } = props;
  return (
    <dl class="kv facts">
      <dt>Status</dt>
      <dd>{props.status}</dd>
      <dt>Due</dt>
      <dd>
        <DueDate request={request} />
      </dd>
      <dt>Asked on</dt>
      <dd>
        <time dateTime={request.created_at}>{formatDateTime(request.created_at)}</time>
      </dd>
      {props.children}
    </dl>
  );
}

/** The document uploaded for a request: undefined while nothing was uploaded, or when it is gone (404). */
export async function requestDocument(request: Request, load: (document: string) => Promise<Schemas["DocumentDetail"]>): Promise<Schemas["DocumentDetail"] | undefined> {
  if (!request.document_id) return undefined;
  try {
    return await load(request.document_id);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

const byDue = (a: Request, b: Request) => a.due_date.localeCompare(b.due_date) || a.title.localeCompare(b.title);

/** Requests in a list, checklist items under their checklist's title. */
function RequestList(props: { requests: Request[]; scope: Scope; showReason?: boolean }) {
  const loose = props.requests.filter((request) => !request.group_id).sort(byDue);
  const groups = new Map<string, { title: string; items: Request[] }>();
  for (const request of props.requests.filter((candidate) => candidate.group_id)) {
    const key = request.group_id as string;
    const group = groups.get(key) ?? { title: request.group_title ?? "Checklist", items: [] };
    group.items.push(request);
    groups.set(key, group);
  }
  const row = (request: Request) => (
    <li key={request.id}>
      <a href={link(props.scope, `/requests/${request.id}`)}>{request.title}</a> {statusBadge(request)} <DueDate request={request} />
      {props.showReason && request.rejection_reason && (
        <p class="reason">
          <strong>Why it was rejected:</strong> {request.rejection_reason}
        </p>
      )}
    </li>
  );
  return (
    <>
      {loose.length > 0 && <ul class="list">{loose.map(row)}</ul>}
      {[...groups.entries()].map(([id, group]) => (
        <div class="checklist" key={id}>
          <h3>
            {group.title} <span class="muted">(checklist, {group.items.length} {group.items.length === 1 ? "document" : "documents"})</span>
          </h3>
          <ul class="list">{group.items.sort(byDue).map(row)}</ul>
        </div>
      ))}
    </>
  );
}

function Section(props: { title: string; requests: Request[]; scope: Scope; empty?: ComponentChildren; showReason?: boolean }) {
  if (props.requests.length === 0 && !props.empty) return null;
  return (
    <Card title={`${props.title} (${props.requests.length})`}>
      {props.requests.length === 0 ? <Empty>{props.empty}</Empty> : <RequestList requests={props.requests} scope={props.scope} showReason={props.showReason} />}
    </Card>
  );
}

export function Requests() {
  const scope = useScope();
  const state = useAsync(() => loadRequests(scope), [scope.clientId]);
  return (
    <Page title="Requests" subtitle="Documents the firm has asked you for.">
      <Async state={state} label="Loading your requests…">
        {(requests) => {
          const of = (status: Request["status"]) => requests.filter((request) => request.status === status);
          const overdue = requests.filter((request) => request.overdue).length;
          return (
            <>
              <p class="summary" role="status">
                {of("outstanding").length + of("rejected").length === 0
                  ? "Nothing needs your upload right now."
                  : `${of("outstanding").length + of("rejected").length} ${of("outstanding").length + of("rejected").length === 1 ? "request needs" : "requests need"} your upload${overdue ? `, ${overdue} overdue` : ""}.`}
              </p>
              <Section title="Rejected: please upload again" requests={of("rejected")} scope={scope} showReason />
              <Section title="Needs your upload" requests={of("outstanding")} scope={scope} empty="Nothing is waiting for your upload." />
              <Section title="Submitted, waiting for review" requests={of("submitted")} scope={scope} />
              <Section title="Done" requests={of("accepted")} scope={scope} />
              {requests.length === 0 && <Empty>The firm has not asked you for any documents yet.</Empty>}
            </>
          );
        }}
      </Async>
    </Page>
  );
}

export function RequestDetail(props: { request: string }) {
  const scope = useScope();
  const me = useMe();
  const names = useContactNames(scope.clientId);
  const state = useAsync(async () => {
    const request = (await loadRequests(scope)).find((candidate) => candidate.id === props.request);
    if (!request) throw new ApiError(404, "not_found", "This request could not be found. It may have been withdrawn.");
    const document = await requestDocument(request, (id) =>
      scope.clientId
        ? call(api.GET("/api/clients/{id}/documents/{document}", { params: { path: { id: scope.clientId, document: id } } }))
        : call(api.GET("/api/documents/{document}", { params: { path: { document: id } } })),
    );
    return { request, document };
  }, [scope.clientId, props.request]);
  const download = (documentId: string) => (number: number) =>
    scope.clientId
      ? call(api.GET("/api/clients/{id}/documents/{document}/versions/{number}/download", { params: { path: { id: scope.clientId, document: documentId, number } } }))
      : call(api.GET("/api/documents/{document}/versions/{number}/download", { params: { path: { document: documentId, number } } }));

  return (
    <Async state={state} label="Loading the request…">
      {({ request, document }) => {
        const waiting = request.status === "outstanding" || request.status === "rejected";
        const mayUpload = waiting && !scope.readOnly && canAct(me);
        return (
          <Page title={request.title} subtitle={request.group_title ? <>Part of the checklist “{request.group_title}”</> : undefined}>
            <p class="breadcrumb">
              <a href={link(scope, "/requests")}>Requests</a> / {request.title}
            </p>
            <RequestFacts request={request} status={statusBadge(request)} />
            {request.status === "rejected" && request.rejection_reason && (
              <div class="notice warn" role="note">
                <h2>The firm asked you to upload this again</h2>
                <p>{request.rejection_reason}</p>
              </div>
            )}
            <Card title="What to send">{request.instructions ? <p class="instructions">{request.instructions}</p> : <p class="muted">No further instructions.</p>}</Card>
            {mayUpload && (
              <Card title={request.status === "rejected" ? "Upload a new version" : "Upload your document"}>
                <Upload
                  label="Choose a file"
                  action={request.status === "rejected" ? "Upload new version" : "Upload"}
                  start={(file) => call(api.POST("/api/requests/{request}/uploads", { params: { path: { request: request.id } }, body: file }))}
                  confirm={(documentId, number) => call(api.POST("/api/documents/{document}/versions/{number}/confirm", { params: { path: { document: documentId, number } } }))}
                  onDone={() => state.reload()}
                />
              </Card>
            )}
            {waiting && !mayUpload && (
              <p class="muted">{scope.readOnly ? "In the client's view, the upload appears here." : "Your role lets you see this request; a colleague with upload rights can send the document."}</p>
            )}
            {request.status === "submitted" && <p class="notice good">Your document was submitted. The firm will review it and let you know.</p>}
            {request.status === "accepted" && <p class="notice good">The firm accepted this document. Nothing more is needed.</p>}
            <Card title="Uploaded so far">
              {document ? (
                <VersionsTable document={document} download={download(document.id)} names={names} preview={previewOf(scope.clientId, document.id)} refresh={state.reload} />
              ) : (
                <Empty>Nothing has been uploaded for this request yet.</Empty>
              )}
              {document && document.versions.length > 0 && <DownloadAll clientId={scope.clientId} requestId={request.id} label="Download all of this request's documents as one zip file" />}
            </Card>
            <Card title="Questions about this request">
              <Thread thread={`request:${request.id}`} clientId={scope.clientId} readOnly={scope.readOnly || !canAct(me)} title="Questions about this request" />
            </Card>
          </Page>
        );
      }}
    </Async>
  );
}
