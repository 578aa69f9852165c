// The client's intake forms as the firm sees them: assign a published form (optionally adding a
// task to one of the client's projects), follow each assignment, read the submissions by
// revision, export a revision as JSON, and reopen a submitted form for corrections.
import { useState } from "preact/hooks";
import { api, ApiError, call, type Schemas } from "../../../api/client";
import { announce } from "../../../lib/announce";
import { formatDate, formatDateTime, today } from "../../../lib/format";
import { clientLink, useStaffClient, type ClientSummary } from "../../../state";
import { Async, Button, Card, Empty, ErrorMessage, Form, Page, SelectField, TextArea, TextField, useAsync, useSubmit } from "../../../components/ui";
import { AnswersView, type FileChoice } from "../../../components/FormRenderer";
import { exportHref, intakeBadge } from "../../client/forms";

type Summary = Schemas["IntakeAssignmentSummary"];

export function FormsTab(props: { assignment?: string }) {
  const client = useStaffClient();
  return props.assignment ? <StaffAssignment client={client} id={props.assignment} /> : <ClientForms client={client} />;
}

function ClientForms(props: { client: ClientSummary }) {
  const state = useAsync(() => call(api.GET("/api/clients/{id}/intake", { params: { path: { id: props.client.id } } })), [props.client.id]);
  return (
    <Page title={`${props.client.name}: forms`} subtitle={<a href="/staff/forms">Manage the firm's forms</a>}>
      <Card title="Assigned forms">
        <Async state={state} label="Loading assigned forms…">
          {({ assignments }) => (assignments.length === 0 ? <Empty>No forms assigned yet.</Empty> : <AssignmentTable client={props.client} assignments={assignments} />)}
        </Async>
      </Card>
      <Card title="Assign a form">
        <AssignForm client={props.client} onAssigned={state.reload} />
      </Card>
    </Page>
  );
}

function AssignmentTable(props: { client: ClientSummary; assignments: Summary[] }) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">Forms assigned to {props.client.name}</caption>
        <thead>
          <tr>
            <th scope="col">Form</th>
            <th scope="col">Status</th>
            <th scope="col">Due</th>
            <th scope="col">Revisions</th>
            <th scope="col">Assigned</th>
          </tr>
        </thead>
        <tbody>
          {props.assignments.map((assignment) => (
            <tr key={assignment.id}>
              <td>
                <a href={clientLink(props.client, "forms", assignment.id)}>{assignment.form_name}</a>
                <br />
                <span class="muted">Version {assignment.form_version}</span>
              </td>
              <td>{intakeBadge(assignment)}</td>
              <td>{assignment.due_date ? <time dateTime={assignment.due_date}>{formatDate(assignment.due_date)}</time> : <span class="muted">None</span>}</td>
              <td>{assignment.latest_revision}</td>
              <td>
                <time dateTime={assignment.created_at}>{formatDate(assignment.created_at)}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AssignForm(props: { client: ClientSummary; onAssigned: () => void }) {
  const choices = useAsync(async () => {
    const [forms, projects] = await Promise.all([
      call(api.GET("/api/forms", { params: { query: { limit: 100 } } })),
      call(api.GET("/api/clients/{id}/projects", { params: { path: { id: props.client.id } } })),
    ]);
    return { forms: forms.forms, projects: projects.projects.filter((project) => project.status !== "archived" && project.status !== "completed") };
  }, [props.client.id]);
  const [formId, setFormId] = useState("");
  const [due, setDue] = useState("");
  const [projectId, setProjectId] = useState("");
  const [milestoneId, setMilestoneId] = useState("");
  const { submit, busy, fieldError, formError } = useSubmit(async () => {
    const assignment = await call(
      api.POST("/api/clients/{id}/intake", {
        params: { path: { id: props.client.id } },
        body: { form_id: formId, due_date: due || null, project_id: projectId || null, milestone_id: (projectId && milestoneId) || null },
      }),
    );
    announce(`“${assignment.form_name}” assigned. The client's contacts were told by email.`);
    setFormId("");
    setDue("");
    setProjectId("");
    setMilestoneId("");
    props.onAssigned();
  });
  return (
    <Async state={choices} label="Loading the firm's forms…">
      {({ forms, projects }) =>
        forms.length === 0 ? (
          <Empty>
            The firm has no forms yet. <a href="/staff/forms">Create one</a> first.
          </Empty>
        ) : (
          <Form onSubmit={() => void submit()} label="Assign a form">
            <ErrorMessage error={formError} />
            <SelectField
              label="Form"
              name="form_id"
              value={formId}
              onValue={setFormId}
              options={[{ value: "", label: "Choose a form…" }, ...forms.map((form) => ({ value: form.id, label: `${form.name} (version ${form.latest_version})` }))]}
              required
              hint="The client answers the latest published version."
              error={fieldError("form_id")}
            />
            <TextField label="Due date" name="due_date" type="date" value={due} onValue={setDue} hint={`Optional; from ${formatDate(today())}.`} error={fieldError("due_date")} />
            {projects.length > 0 && (
              <>
                <SelectField
                  label="Add a task to a project"
                  name="project_id"
                  value={projectId}
                  onValue={(value) => {
                    setProjectId(value);
                    setMilestoneId("");
                  }}
                  options={[{ value: "", label: "No project task" }, ...projects.map((project) => ({ value: project.id, label: project.name }))]}
                  required
                  hint="The project gets a task “Complete <form>”, ticked when the client submits."
                  error={fieldError("project_id")}
                />
                {projectId && (
                  <SelectField
                    label="Milestone"
                    name="milestone_id"
                    value={milestoneId}
                    onValue={setMilestoneId}
                    options={[{ value: "", label: "No milestone" }, ...(projects.find((project) => project.id === projectId)?.milestones ?? []).map((milestone) => ({ value: milestone.id, label: milestone.title }))]}
                    required
                    error={fieldError("milestone_id")}
                  />
                )}
              </>
            )}
            <div class="actions">
              <Button type="submit" busy={busy}>
                Assign the form
              </Button>
            </div>
          </Form>
        )
      }
    </Async>
  );
}

function StaffAssignment(props: { client: ClientSummary; id: string }) {
  const state = useAsync(async () => {
    const path = { id: props.client.id, assignment: props.id };
    const assignment = await call(api.GET("/api/clients/{id}/intake/{assignment}", { params: { path } }));
    const [submissions, documents] = await Promise.all([
      assignment.latest_revision > 0 ? call(api.GET("/api/clients/{id}/intake/{assignment}/submissions", { params: { path } })).then((list) => list.submissions) : Promise.resolve([]),
      assignment.fields.some((field) => field.type === "file")
        ? call(api.GET("/api/clients/{id}/documents", { params: { path: { id: props.client.id }, query: { limit: 100 } } }))
            .then((page) => page.documents.map((document): FileChoice => ({ id: document.id, name: document.name })))
            .catch(() => [] as FileChoice[])
        : Promise.resolve([] as FileChoice[]),
    ]);
    return { assignment, submissions, documents };
  }, [props.client.id, props.id]);
  const [shown, setShown] = useState<number | undefined>();
  return (
    <Async state={state} label="Loading the form…">
      {({ assignment, submissions, documents }) => {
        const newestFirst = [...submissions].reverse();
        const revision = newestFirst.find((submission) => submission.revision === shown) ?? newestFirst[0];
        const scope = { clientId: props.client.id, readOnly: true, base: "" };
        return (
          <Page title={assignment.form_name} subtitle={<>{intakeBadge(assignment)} · version {assignment.form_version} · {props.client.name}</>}>
            <p class="breadcrumb">
              <a href={clientLink(props.client, "forms")}>Forms</a> / {assignment.form_name}
            </p>
            <Card title="Assignment">
              <dl class="kv">
                <dt>Status</dt>
                <dd>{intakeBadge(assignment)}</dd>
                <dt>Due</dt>
                <dd>{assignment.due_date ? formatDate(assignment.due_date) : "No due date"}</dd>
                <dt>Assigned</dt>
                <dd>
                  {formatDateTime(assignment.created_at)}
                  {assignment.owner_email ? ` · submissions are emailed to ${assignment.owner_email}` : ""}
                </dd>
                <dt>Project task</dt>
                <dd>{assignment.project_id ? <a href={clientLink(props.client, "projects", assignment.project_id)}>In the project</a> : "None"}</dd>
                {assignment.reopen_reason && (
                  <>
                    <dt>Reopened</dt>
                    <dd>
                      {assignment.reopened_at ? `${formatDateTime(assignment.reopened_at)}: ` : ""}
                      {assignment.reopen_reason}
                    </dd>
                  </>
                )}
              </dl>
            </Card>
            {revision ? (
              <Card
                title={`Submitted answers, revision ${revision.revision}${revision.revision === assignment.latest_revision ? " (latest)" : ""}`}
              >
                {newestFirst.length > 1 && (
                  <SelectField
                    label="Revision"
                    name="revision"
                    value={String(revision.revision)}
                    onValue={(value) => setShown(Number(value))}
                    options={newestFirst.map((submission) => ({ value: String(submission.revision), label: `Revision ${submission.revision} · ${formatDateTime(submission.submitted_at)}` }))}
                    required
                  />
                )}
                <p class="muted">
                  Submitted by {revision.submitted_by.name} ({revision.submitted_by.email}) on <time dateTime={revision.submitted_at}>{formatDateTime(revision.submitted_at)}</time>, answering version {revision.form_version}.
                </p>
                <AnswersView fields={assignment.fields} answers={revision.answers} files={documents} />
                <p class="actions">
                  <a class="button secondary" href={exportHref(scope, assignment.id, revision.revision)} download>
                    Export revision {revision.revision} (JSON)
                  </a>
                </p>
              </Card>
            ) : (
              <Card title="Submissions">
                <Empty>Not submitted yet.</Empty>
              </Card>
            )}
            {assignment.status === "submitted" && <Reopen client={props.client} assignment={assignment} onDone={state.reload} />}
            {assignment.status !== "submitted" && (
              <Card title="The client's draft">
                <p class="muted">{assignment.draft_saved_at ? `Saved ${formatDateTime(assignment.draft_saved_at)}${assignment.draft_saved_by ? ` by ${assignment.draft_saved_by}` : ""}.` : "Nothing saved yet."}</p>
                {assignment.draft_saved_at && <AnswersView fields={assignment.fields} answers={assignment.draft} files={documents} />}
              </Card>
            )}
          </Page>
        );
      }}
    </Async>
  );
}

function Reopen(props: { client: ClientSummary; assignment: Schemas["IntakeAssignment"]; onDone: () => void }) {
  const [reason, setReason] = useState("");
  const { submit, busy, error, fieldError, formError } = useSubmit(async () => {
    await call(api.POST("/api/clients/{id}/intake/{assignment}/reopen", { params: { path: { id: props.client.id, assignment: props.assignment.id } }, body: { reason, version: props.assignment.version } }));
    announce("The form is reopened; the client's contacts were told by email.");
    props.onDone();
  });
  return (
    <Card title="Ask for corrections">
      <Form onSubmit={() => void submit()} label="Reopen for corrections">
        <ErrorMessage error={formError} retry={error instanceof ApiError && error.status === 409 ? props.onDone : undefined} />
        <TextArea label="What needs correcting" name="reason" value={reason} onValue={setReason} required rows={3} maxLength={2000} hint="The client sees this. Their last answers are kept as a draft; the corrected submission becomes the next revision." error={fieldError("reason")} />
        <Button type="submit" kind="secondary" busy={busy}>
          Reopen the form
        </Button>
      </Form>
    </Card>
  );
}
