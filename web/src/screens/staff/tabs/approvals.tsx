// A client's approvals as the firm sees them: ask for one (a document version, a milestone or
// a statement; optionally a typed signature under terms), follow the decisions, and open the
// signing certificate of a completed signature.
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api, call } from "../../../api/client";
import { announce } from "../../../lib/announce";
import { formatDate } from "../../../lib/format";
import { clientLink, useStaffClient } from "../../../state";
import { Async, Badge, Button, Card, Checkbox, Empty, ErrorMessage, Form, Page, SelectField, TextArea, TextField, useAsync, useSubmit } from "../../../components/ui";
import { ApprovalSubject, CertificatePanel, DecisionSummary, Terms, approvalStatus, sortApprovals, subjectSummary } from "../../client/approvals";

type Kind = "document_version" | "milestone" | "statement";

export function ApprovalsTab(props: { approval?: string }) {
  return props.approval ? <StaffApproval key={props.approval} approvalId={props.approval} /> : <ApprovalList />;
}

function ApprovalList() {
  const client = useStaffClient();
  const state = useAsync(() => call(api.GET("/api/clients/{id}/approvals", { params: { path: { id: client.id } } })).then((answer) => sortApprovals(answer.approvals)), [client.id]);
  const [asking, setAsking] = useState(false);
  return (
    <Page title={`${client.name}: approvals`} actions={!asking && <Button onClick={() => setAsking(true)}>Request an approval</Button>}>
      {asking && <NewApproval onCancel={() => setAsking(false)} />}
      <Async state={state} label="Loading the approvals…">
        {(approvals) =>
          approvals.length === 0 ? (
            <Empty>No approvals yet.</Empty>
          ) : (
            <ul class="list">
              {approvals.map((approval) => {
                const status = approvalStatus(approval);
                return (
                  <li key={approval.id}>
                    <a href={clientLink(client, "approvals", approval.id)}>{approval.title}</a>
                    <Badge tone={status.tone}>{status.text}</Badge>
                    <span class="muted clamp">{subjectSummary(approval.subject)}</span>
                    <span class="muted">
                      Requested <time dateTime={approval.created_at}>{formatDate(approval.created_at)}</time> by {approval.requested_by_email}
                    </span>
                  </li>
                );
              })}
            </ul>
          )
        }
      </Async>
    </Page>
  );
}

function NewApproval(props: { onCancel: () => void }) {
  const client = useStaffClient();
  const location = useLocation();
  const [title, setTitle] = useState("");
  const [kind, setKind] = useState<Kind>("document_version");
  const [documentId, setDocumentId] = useState("");
  const [version, setVersion] = useState("");
  const [projectId, setProjectId] = useState("");
  const [milestoneId, setMilestoneId] = useState("");
  const [statement, setStatement] = useState("");
  const [signature, setSignature] = useState(true);
  const [terms, setTerms] = useState("");
  const [problems, setProblems] = useState<Record<string, string>>({});
  const path = { params: { path: { id: client.id } } };
  const documents = useAsync(() => call(api.GET("/api/clients/{id}/documents", { params: { path: { id: client.id }, query: { limit: 100 } } })).then((answer) => answer.documents), [client.id]);
  const projects = useAsync(() => call(api.GET("/api/clients/{id}/projects", path)).then((answer) => answer.projects.filter((project) => project.status !== "archived")), [client.id]);
  const chosenDocument = documents.data?.find((document) => document.id === documentId);
  const chosenProject = projects.data?.find((project) => project.id === projectId);

  const { submit, busy, fieldError, formError } = useSubmit(async () => {
    const found: Record<string, string> = {};
    if (!title.trim()) found.title = "Give the approval a title the client will recognise.";
    if (kind === "document_version") {
      if (!documentId) found["subject.document_id"] = "Choose the document.";
      if (!/^\d+$/.test(version) || Number(version) < 1) found["subject.version"] = "Give the version number, e.g. 1.";
    }
    if (kind === "milestone") {
      if (!projectId) found["subject.project_id"] = "Choose the project.";
      else if (!milestoneId) found["subject.milestone_id"] = "Choose the milestone.";
    }
    if (kind === "statement" && !statement.trim()) found["subject.text"] = "Write what the client approves.";
    if (signature && !terms.trim()) found.terms = "A signature needs the terms the client agrees to.";
    setProblems(found);
    if (Object.keys(found).length > 0) {
      announce("Please correct the marked fields.");
      return;
    }
    const subject =
      kind === "document_version"
        ? { kind, document_id: documentId, version: Number(version) }
        : kind === "milestone"
          ? { kind, project_id: projectId, milestone_id: milestoneId }
          : { kind, text: statement };
    const created = await call(api.POST("/api/clients/{id}/approvals", { ...path, body: { title, subject, signature, terms: terms.trim() ? terms : null } }));
    announce("Approval requested. The client sees it on their home page.");
    location.route(clientLink(client, "approvals", created.id));
  });
  const error = (field: string) => problems[field] ?? fieldError(field);

  return (
    <Card title="Request an approval">
      <Form label="Request an approval" class="stack" onSubmit={() => void submit()}>
        <TextField name="title" label="Title" required maxLength={200} hint="e.g. “Engagement letter 2026”" value={title} onValue={setTitle} error={error("title")} />
        <SelectField
          name="kind"
          label="What is to be approved"
          required
          value={kind}
          onValue={(value) => setKind(value as Kind)}
          options={[
            { value: "document_version", label: "A version of a document" },
            { value: "milestone", label: "A project milestone" },
            { value: "statement", label: "A statement" },
          ]}
        />
        {kind === "document_version" && (
          <Async state={documents} label="Loading the documents…">
            {(list) =>
              list.length === 0 ? (
                <p class="notice">This client has no documents yet. Share one on the Documents tab first.</p>
              ) : (
                <div class="row">
                  <SelectField
                    name="document"
                    label="Document"
                    required
                    value={documentId}
                    onValue={(value) => {
                      setDocumentId(value);
                      const found = list.find((document) => document.id === value);
                      setVersion(found ? String(found.latest_version) : "");
                    }}
                    options={[{ value: "", label: "Choose a document" }, ...list.map((document) => ({ value: document.id, label: `${document.name} (latest version ${document.latest_version})` }))]}
                    error={error("subject.document_id")}
                  />
                  <TextField
                    name="version"
                    type="number"
                    inputMode="numeric"
                    label="Version"
                    required
                    hint={chosenDocument ? `1 to ${chosenDocument.latest_version}; the exact file is pinned by its SHA-256.` : "The exact file is pinned by its SHA-256."}
                    value={version}
                    onValue={setVersion}
                    error={error("subject.version")}
                  />
                </div>
              )
            }
          </Async>
        )}
        {kind === "milestone" && (
          <Async state={projects} label="Loading the projects…">
            {(list) =>
              list.length === 0 ? (
                <p class="notice">This client has no projects yet.</p>
              ) : (
                <div class="row">
                  <SelectField
                    name="project"
                    label="Project"
                    required
                    value={projectId}
                    onValue={(value) => {
                      setProjectId(value);
                      setMilestoneId("");
                    }}
                    options={[{ value: "", label: "Choose a project" }, ...list.map((project) => ({ value: project.id, label: project.name }))]}
                    error={error("subject.project_id")}
                  />
                  <SelectField
                    name="milestone"
                    label="Milestone"
                    required
                    value={milestoneId}
                    onValue={setMilestoneId}
                    disabled={!chosenProject}
                    options={[{ value: "", label: chosenProject ? "Choose a milestone" : "Choose a project first" }, ...(chosenProject?.milestones ?? []).map((milestone) => ({ value: milestone.id, label: milestone.title }))]}
                    error={error("subject.milestone_id")}
                  />
                </div>
              )
            }
          </Async>
        )}
        {kind === "statement" && <TextArea name="statement" label="Statement" required maxLength={4000} hint="What the client confirms, in full." value={statement} onValue={setStatement} error={error("subject.text")} />}
        <Checkbox name="signature" label="Require a typed signature" hint="The client reads the terms, agrees to sign electronically and types their full name; a signing certificate is issued." checked={signature} onChecked={setSignature} />
        <TextArea name="terms" label="Terms" required={signature} rows={6} maxLength={20000} hint="Shown to the client before they decide; required for a signature." value={terms} onValue={setTerms} error={error("terms")} />
        <ErrorMessage error={formError} />
        <div class="actions">
          <Button type="submit" busy={busy}>
            Send the request
          </Button>
          <Button kind="secondary" onClick={props.onCancel}>
            Cancel
          </Button>
        </div>
      </Form>
    </Card>
  );
}

function StaffApproval(props: { approvalId: string }) {
  const client = useStaffClient();
  const state = useAsync(() => call(api.GET("/api/clients/{id}/approvals/{approval}", { params: { path: { id: client.id, approval: props.approvalId } } })), [client.id, props.approvalId]);
  return (
    <Async state={state} label="Loading the approval…">
      {({ approval }) => {
        const status = approvalStatus(approval);
        const subject = approval.subject;
        return (
          <Page title={approval.title} subtitle={<Badge tone={status.tone}>{status.text}</Badge>}>
            <p class="breadcrumb">
              <a href={clientLink(client, "approvals")}>Approvals</a> / {approval.title}
            </p>
            <ApprovalSubject
              staff
              clientId={client.id}
              approval={approval}
              documentHref={subject.kind === "document_version" ? clientLink(client, "documents", subject.document_id) : undefined}
              projectHref={subject.kind === "milestone" ? clientLink(client, "projects", subject.project_id) : undefined}
            />
            {approval.terms && <Terms terms={approval.terms} />}
            {approval.status === "pending" ? <p class="notice">Waiting for the client’s decision{approval.signature_required ? " and typed signature" : ""}.</p> : <DecisionSummary approval={approval} />}
            {approval.status === "approved" && approval.signature && <CertificatePanel approval={approval} clientId={client.id} />}
          </Page>
        );
      }}
    </Async>
  );
}

