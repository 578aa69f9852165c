// What needs the client's attention: requests with due dates, approvals and documents waiting
// for their signature, recent messages, active projects with their next milestone.
import { api, call, type Schemas } from "../../api/client";
import { formatDate, formatDateTime } from "../../lib/format";
import { signaturesApi, type SignatureRequestSummary } from "../../lib/signatures";
import { currentOrganisation, link, useMe, useScope, type Scope } from "../../state";
import { Async, Badge, Card, Empty, Page, useAsync } from "../../components/ui";
import { NextMilestone } from "./projects";

type Workspace = Schemas["Workspace"];
type Request = Schemas["Request"];

/** A staff preview has no /api/workspace: the same summary from the staff routes. */
async function previewWorkspace(scope: Scope): Promise<Pick<Workspace, "projects" | "document_requests" | "approvals"> & { name: string }> {
  const id = scope.clientId ?? "";
  const path = { params: { path: { id } } };
  const [requests, projects, approvals] = await Promise.all([
    call(api.GET("/api/clients/{id}/requests", path)),
    call(api.GET("/api/clients/{id}/projects", path)),
    call(api.GET("/api/clients/{id}/approvals", path)),
  ]);
  return {
    name: scope.clientName ?? "",
    document_requests: requests.requests.filter((request) => ["outstanding", "rejected", "submitted"].includes(request.status)),
    projects: projects.projects.filter((project) => project.status === "active"),
    approvals: approvals.approvals.filter((approval) => approval.status === "pending"),
  };
}

export function requestState(request: Request): { text: string; tone: "bad" | "warn" | "info" | "good" | "neutral" } {
  if (request.status === "rejected") return { text: `Please upload again: ${request.rejection_reason ?? ""}`, tone: "warn" };
  if (request.status === "submitted") return { text: "Submitted, waiting for review", tone: "info" };
  if (request.status === "accepted") return { text: "Accepted", tone: "good" };
  if (request.status === "cancelled") return { text: "Cancelled", tone: "neutral" };
  if (request.overdue) return { text: `Overdue since ${formatDate(request.due_date)}`, tone: "bad" };
  return { text: `Due ${formatDate(request.due_date)}`, tone: "neutral" };
}

export function Dashboard() {
  const scope = useScope();
  const me = useMe();
  const state = useAsync(async () => {
    // Documents to sign: the contact's turn (a preview: every request under way). Without them
    // (an older API, a failure) the rest of the home page still shows.
    const signing = signaturesApi(scope.clientId)
      .list()
      .then((requests) => requests.filter((request) => (scope.clientId ? request.status === "in_progress" : request.my_turn)))
      .catch((): SignatureRequestSummary[] => []);
    if (scope.clientId) {
      const [workspace, toSign] = await Promise.all([previewWorkspace(scope), signing]);
      return { ...workspace, toSign, messages: [] as Workspace["messages"], greeting: scope.clientName ?? "" };
    }
    const [workspace, toSign] = await Promise.all([call(api.GET("/api/workspace")), signing]);
    return { ...workspace, toSign, greeting: workspace.contact.name.split(" ")[0] ?? workspace.contact.name };
  }, [scope.clientId]);
  return (
    <Async state={state} label="Loading your portal…">
      {(workspace) => {
        const waiting = workspace.document_requests.filter((request) => request.status !== "submitted");
        const inReview = workspace.document_requests.filter((request) => request.status === "submitted");
        return (
          <Page title={scope.clientId ? `${workspace.greeting}'s home` : `Welcome, ${workspace.greeting}`} subtitle={scope.clientId ? undefined : currentOrganisation(me)?.name}>
            <p class="summary" role="status">
              {waiting.length + workspace.approvals.length + workspace.toSign.length === 0
                ? "You are all caught up: nothing needs your attention right now."
                : `${waiting.length} ${waiting.length === 1 ? "request needs" : "requests need"} your documents and ${workspace.approvals.length} ${workspace.approvals.length === 1 ? "approval is" : "approvals are"} waiting for you${
                    workspace.toSign.length > 0 ? `; ${workspace.toSign.length} ${workspace.toSign.length === 1 ? "document waits" : "documents wait"} for your signature` : ""
                  }.`}
            </p>
            <div class="grid">
              <Card title="Documents we need from you" actions={<a href={link(scope, "/requests")}>All requests</a>}>
                {waiting.length === 0 ? (
                  <Empty>Nothing outstanding.</Empty>
                ) : (
                  <ul class="list">
                    {waiting.map((request) => {
                      const state = requestState(request);
                      return (
                        <li key={request.id}>
                          <a href={link(scope, `/requests/${request.id}`)}>{request.title}</a>
                          <Badge tone={state.tone}>{state.text}</Badge>
                        </li>
                      );
                    })}
                  </ul>
                )}
                {inReview.length > 0 && <p class="muted">{inReview.length} submitted and waiting for review.</p>}
              </Card>
              <Card title="Waiting for your approval" actions={<a href={link(scope, "/approvals")}>All approvals</a>}>
                {workspace.approvals.length === 0 ? (
                  <Empty>No approvals waiting.</Empty>
                ) : (
                  <ul class="list">
                    {workspace.approvals.map((approval) => (
                      <li key={approval.id}>
                        <a href={link(scope, `/approvals/${approval.id}`)}>{approval.title}</a>
                        <Badge tone="warn">{approval.signature_required ? "Signature needed" : "Decision needed"}</Badge>
                      </li>
                    ))}
                  </ul>
                )}
              </Card>
              {workspace.toSign.length > 0 && (
                <Card title={scope.clientId ? "Out for signature" : "Waiting for your signature"} actions={<a href={link(scope, "/signatures")}>All signatures</a>}>
                  <ul class="list">
                    {workspace.toSign.map((request) => (
                      <li key={request.id}>
                        <a href={link(scope, `/signatures/${request.id}`)}>{request.title}</a>
                        <Badge tone="warn">{scope.clientId ? `Signed by ${request.signed} of ${request.signers}` : "Your signature is needed"}</Badge>
                        <span class="muted clamp">{request.file_name}</span>
                      </li>
                    ))}
                  </ul>
                </Card>
              )}
              <Card title="Active projects" actions={<a href={link(scope, "/projects")}>All projects</a>}>
                {workspace.projects.length === 0 ? (
                  <Empty>No active projects.</Empty>
                ) : (
                  <ul class="list">
                    {workspace.projects.map((project) => (
                      <li key={project.id} class="project-line">
                        <a href={link(scope, `/projects/${project.id}`)}>{project.name}</a>
                        <span class="progress-line">
                          <progress max={100} value={project.progress.percent} aria-label={`${project.name}: ${project.progress.percent}% done`} />
                          <span class="muted">{project.progress.percent}%</span>
                        </span>
                        <NextMilestone milestone={project.next_milestone} />
                      </li>
                    ))}
                  </ul>
                )}
              </Card>
              <Card title="New messages" actions={<a href={link(scope, "/messages")}>All messages</a>}>
                {workspace.messages.length === 0 ? <Empty>No new messages.</Empty> : <MessageList messages={workspace.messages} />}
              </Card>
            </div>
          </Page>
        );
      }}
    </Async>
  );
}

function MessageList(props: { messages: Workspace["messages"] }) {
  const scope = useScope();
  return (
    <ul class="list">
      {props.messages.map((message) => (
        <li key={message.id} class="project-line">
          <a href={link(scope, `/messages/${encodeURIComponent(message.thread)}`)}>
            {message.author_name}, {formatDateTime(message.created_at)}
          </a>
          <span class="clamp">{message.body}</span>
        </li>
      ))}
    </ul>
  );
}
