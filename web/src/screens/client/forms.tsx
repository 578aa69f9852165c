// The forms the firm asked the client to fill in: what is still to do and what was submitted.
// A form is filled in with FormRenderer: "Save draft" keeps half-done work (the API checks only
// its shape); "Submit" runs the full check, and every problem is shown next to its field and
// in a summary at the top that links to the fields. Submitted answers are shown read-only.
import { useRef, useState } from "preact/hooks";
import { api, ApiError, call, type Schemas } from "../../api/client";
import { announce } from "../../lib/announce";
import { formatDate, formatDateTime, today } from "../../lib/format";
import { canAct, link, useMe, useScope, type Scope } from "../../state";
import { Async, Badge, Card, Empty, ErrorMessage, Page, Button, useAsync } from "../../components/ui";
import { AnswersView, FormRenderer, answerErrors, cleanAnswers, fieldId, type AnswerMap, type FieldSpec, type FileChoice } from "../../components/FormRenderer";
import { Upload } from "../../components/Upload";

type Summary = Schemas["IntakeAssignmentSummary"];
type Assignment = Schemas["IntakeAssignment"];
type Submission = Schemas["IntakeSubmission"];

export function intakeBadge(assignment: Pick<Summary, "status" | "due_date">) {
  if (assignment.status === "submitted") return <Badge tone="good">Submitted</Badge>;
  if (assignment.status === "reopened") return <Badge tone="warn">Corrections requested</Badge>;
  if (assignment.due_date && assignment.due_date < today()) return <Badge tone="bad">Overdue</Badge>;
  if (assignment.status === "draft") return <Badge tone="info">Draft saved</Badge>;
  return <Badge tone="neutral">To do</Badge>;
}

async function loadAssignments(scope: Scope): Promise<Summary[]> {
  const answer = scope.clientId
    ? await call(api.GET("/api/clients/{id}/intake", { params: { path: { id: scope.clientId } } }))
    : await call(api.GET("/api/intake"));
  return answer.assignments;
}

function AssignmentList(props: { items: Summary[]; scope: Scope; empty: string }) {
  if (props.items.length === 0) return <Empty>{props.empty}</Empty>;
  return (
    <ul class="list">
      {props.items.map((item) => (
        <li key={item.id}>
          <a href={link(props.scope, `/forms/${item.id}`)}>{item.form_name}</a>
          {intakeBadge(item)}
          {item.status !== "submitted" && item.due_date && (
            <span class="muted">
              Due <time dateTime={item.due_date}>{formatDate(item.due_date)}</time>
            </span>
          )}
          {item.status === "submitted" && (
            <span class="muted">
              {item.latest_revision > 1 ? `Revision ${item.latest_revision}, ` : ""}submitted <time dateTime={item.updated_at}>{formatDate(item.updated_at)}</time>
            </span>
          )}
          {item.status === "draft" && item.draft_saved_at && <span class="muted">Draft saved {formatDateTime(item.draft_saved_at)}</span>}
        </li>
      ))}
    </ul>
  );
}

export function Forms() {
  const scope = useScope();
  const state = useAsync(() => loadAssignments(scope), [scope.clientId]);
  return (
    <Page title="Forms" subtitle="Forms the firm asked you to fill in.">
      <Async state={state} label="Loading your forms…">
        {(items) => {
          const todo = items.filter((item) => item.status !== "submitted");
          const done = items.filter((item) => item.status === "submitted");
          return (
            <>
              <Card title={`To do (${todo.length})`}>
                <AssignmentList items={todo} scope={scope} empty="Nothing to fill in right now." />
              </Card>
              <Card title={`Submitted (${done.length})`}>
                <AssignmentList items={done} scope={scope} empty="No forms submitted yet." />
              </Card>
            </>
          );
        }}
      </Async>
    </Page>
  );
}

interface Loaded {
  assignment: Assignment;
  submissions: Submission[];
  files: FileChoice[];
}

async function loadDocuments(scope: Scope): Promise<FileChoice[]> {
  const page = scope.clientId
    ? await call(api.GET("/api/clients/{id}/documents", { params: { path: { id: scope.clientId }, query: { limit: 100 } } }))
    : await call(api.GET("/api/documents", { params: { query: { limit: 100 } } }));
  return page.documents.map((document) => ({ id: document.id, name: document.name }));
}

async function loadAssignment(scope: Scope, id: string): Promise<Loaded> {
  const assignment = scope.clientId
    ? await call(api.GET("/api/clients/{id}/intake/{assignment}", { params: { path: { id: scope.clientId, assignment: id } } }))
    : await call(api.GET("/api/intake/{assignment}", { params: { path: { assignment: id } } }));
  const needsFiles = assignment.fields.some((field) => field.type === "file");
  const [submissions, files] = await Promise.all([
    assignment.latest_revision > 0
      ? scope.clientId
        ? call(api.GET("/api/clients/{id}/intake/{assignment}/submissions", { params: { path: { id: scope.clientId, assignment: id } } }))
        : call(api.GET("/api/intake/{assignment}/submissions", { params: { path: { assignment: id } } }))
      : Promise.resolve(undefined),
    // The file picker is a help, not a must: without the list, the form still works.
    needsFiles ? loadDocuments(scope).catch(() => [] as FileChoice[]) : Promise.resolve([] as FileChoice[]),
  ]);
  return { assignment, submissions: submissions?.submissions ?? [], files };
}

/** The JSON export of one revision (a download the browser keeps). */
export function exportHref(scope: Scope, assignment: string, revision: number): string {
  const tail = `intake/${encodeURIComponent(assignment)}/submissions/${revision}`;
  return scope.clientId ? `/api/clients/${encodeURIComponent(scope.clientId)}/${tail}` : `/api/${tail}`;
}

export function FormDetail(props: { assignment: string }) {
  const scope = useScope();
  const state = useAsync(() => loadAssignment(scope, props.assignment), [scope.clientId, props.assignment]);
  return (
    <Async state={state} label="Loading the form…">
      {(loaded) => <FormScreen key={`${loaded.assignment.id}:${loaded.assignment.status}:${loaded.assignment.latest_revision}`} loaded={loaded} reload={state.reload} />}
    </Async>
  );
}

function FormScreen(props: { loaded: Loaded; reload: () => void }) {
  const scope = useScope();
  const me = useMe();
  const { submissions, files: initialFiles } = props.loaded;
  // The draft's save changes the status (assigned → draft); the heading follows it.
  const [assignment, setAssignment] = useState(props.loaded.assignment);
  const latest = submissions[submissions.length - 1];
  const editable = assignment.status !== "submitted" && !scope.readOnly && canAct(me);
  return (
    <Page
      title={assignment.form_name}
      subtitle={
        <>
          {intakeBadge(assignment)}
          {assignment.due_date && assignment.status !== "submitted" && (
            <>
              {" "}
              Due <time dateTime={assignment.due_date}>{formatDate(assignment.due_date)}</time>
            </>
          )}
        </>
      }
    >
      <p class="breadcrumb">
        <a href={link(scope, "/forms")}>Forms</a> / {assignment.form_name}
      </p>
      {assignment.form_description && <p class="pre-line">{assignment.form_description}</p>}
      {assignment.status === "reopened" && (
        <div class="notice" role="note">
          <p>
            <strong>The firm asked for corrections</strong>
            {assignment.reopened_at && <> on {formatDate(assignment.reopened_at)}</>}: {assignment.reopen_reason}
          </p>
          <p>Your last answers are filled in below. Change what is needed and submit again.</p>
        </div>
      )}
      {assignment.status === "submitted" && latest ? (
        <Card title="Your submitted answers">
          <p class="muted">
            Submitted by {latest.submitted_by.name} on <time dateTime={latest.submitted_at}>{formatDateTime(latest.submitted_at)}</time>
            {latest.revision > 1 ? ` (revision ${latest.revision})` : ""}. The firm can reopen the form if something needs correcting.
          </p>
          <AnswersView fields={assignment.fields} answers={latest.answers} files={initialFiles} />
          <p class="actions">
            <a class="button secondary" href={exportHref(scope, assignment.id, latest.revision)} download>
              Download the answers (JSON)
            </a>
          </p>
        </Card>
      ) : editable ? (
        <FillIn assignment={props.loaded.assignment} files={initialFiles} onSaved={setAssignment} onSubmitted={props.reload} />
      ) : (
        <Card title="Answers so far">
          <p class="muted">{scope.readOnly ? "This is a preview: nothing can be changed here." : "Your role can see this form but not fill it in. Ask an admin or member of your organisation."}</p>
          <AnswersView fields={assignment.fields} answers={assignment.draft} files={initialFiles} />
        </Card>
      )}
      {submissions.length > 1 && (
        <Card title="Earlier revisions">
          <ul class="list">
            {submissions
              .slice(0, -1)
              .reverse()
              .map((submission) => (
                <li key={submission.revision}>
                  <span>Revision {submission.revision}</span>
                  <span class="muted">
                    {submission.submitted_by.name}, <time dateTime={submission.submitted_at}>{formatDateTime(submission.submitted_at)}</time>
                  </span>
                  <a href={exportHref(scope, assignment.id, submission.revision)} download>
                    Download revision {submission.revision} (JSON)
                  </a>
                </li>
              ))}
          </ul>
        </Card>
      )}
    </Page>
  );
}

function FillIn(props: { assignment: Assignment; files: FileChoice[]; onSaved: (assignment: Assignment) => void; onSubmitted: () => void }) {
  const scope = useScope();
  const [record, setRecord] = useState(props.assignment);
  const [values, setValues] = useState<AnswerMap>({ ...props.assignment.draft });
  const [files, setFiles] = useState(props.files);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState<"draft" | "submit" | undefined>();
  const [dirty, setDirty] = useState(false);
  const summary = useRef<HTMLDivElement>(null);
  const prefix = "answer";
  const fields = record.fields;

  const fail = (error: unknown) => {
    if (error instanceof ApiError && Object.keys(error.fields).length > 0) {
      setErrors(answerErrors(error.fields));
      setProblem(undefined);
    } else {
      setErrors({});
      setProblem(error);
    }
    // The summary (or the message) takes focus so the problems are read out first.
    window.setTimeout(() => summary.current?.focus(), 0);
  };

  const saveDraft = async () => {
    setBusy("draft");
    setProblem(undefined);
    try {
      const body = { answers: cleanAnswers(values), version: record.version };
      const saved = scope.clientId
        ? await call(api.PUT("/api/clients/{id}/intake/{assignment}/draft", { params: { path: { id: scope.clientId, assignment: record.id } }, body }))
        : await call(api.PUT("/api/intake/{assignment}/draft", { params: { path: { assignment: record.id } }, body }));
      setRecord(saved);
      props.onSaved(saved);
      setErrors({});
      setDirty(false);
      announce("Draft saved.");
    } catch (error) {
      fail(error);
    } finally {
      setBusy(undefined);
    }
  };

  const submit = async () => {
    setBusy("submit");
    setProblem(undefined);
    try {
      const body = { answers: cleanAnswers(values), form_version: record.form_version, version: record.version };
      if (scope.clientId) await call(api.POST("/api/clients/{id}/intake/{assignment}/submit", { params: { path: { id: scope.clientId, assignment: record.id } }, body }));
      else await call(api.POST("/api/intake/{assignment}/submit", { params: { path: { assignment: record.id } }, body }));
      announce("Form submitted. Thank you.");
      props.onSubmitted();
    } catch (error) {
      fail(error);
      setBusy(undefined);
    }
  };

  const errorList = Object.entries(errors);
  const labelOf = (key: string) => fields.find((field) => field.key === key)?.label;
  const hasFile = fields.some((field) => field.type === "file");

  return (
    <Card title="Your answers">
      <p class="hint">
        Fields marked <span aria-hidden="true">*</span> <span class="visually-hidden">“required”</span> are required. Save a draft at any time; the full check runs when you submit.
      </p>
      {errorList.length > 0 && (
        <div class="error-box error-summary" role="alert" tabIndex={-1} ref={summary} aria-labelledby="answer-problems">
          <p id="answer-problems">
            {errorList.length === 1 ? "One answer needs your attention:" : `${errorList.length} answers need your attention:`}
          </p>
          <ul>
            {errorList.map(([key, text]) => {
              const label = labelOf(key);
              return (
                <li key={key}>
                  {label ? (
                    <a
                      href={`#${fieldId(prefix, key)}`}
                      onClick={(event) => {
                        event.preventDefault();
                        const target = document.getElementById(fieldId(prefix, key));
                        target?.scrollIntoView({ block: "center" });
                        target?.focus();
                      }}
                    >
                      {label}: {text}
                    </a>
                  ) : (
                    <>
                      {key}: {text}
                    </>
                  )}
                </li>
              );
            })}
          </ul>
        </div>
      )}
      {problem !== undefined && (
        <div tabIndex={-1} ref={errorList.length ? undefined : summary}>
          <ErrorMessage error={problem} retry={problem instanceof ApiError && problem.status === 409 ? props.onSubmitted : undefined} />
        </div>
      )}
      <form
        noValidate
        aria-label={record.form_name}
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <FormRenderer
          fields={fields}
          values={values}
          idPrefix={prefix}
          errors={errors}
          files={files}
          disabled={busy !== undefined}
          onChange={(next, key) => {
            setValues(next);
            setDirty(true);
            if (errors[key]) {
              const rest = { ...errors };
              delete rest[key];
              setErrors(rest);
            }
          }}
          fileExtra={hasFile && !scope.clientId ? (field, choose) => <FileUpload field={field} onUploaded={(file) => (setFiles((list) => [file, ...list]), choose(file.id))} /> : undefined}
        />
        <div class="actions">
          <Button type="submit" busy={busy === "submit"} disabled={busy === "draft"}>
            Submit
          </Button>
          <Button kind="secondary" busy={busy === "draft"} disabled={busy === "submit"} onClick={() => void saveDraft()}>
            Save draft
          </Button>
          <span class="muted" aria-live="polite">
            {dirty ? "Unsaved changes" : record.draft_saved_at ? `Draft saved ${formatDateTime(record.draft_saved_at)}` : ""}
          </span>
        </div>
      </form>
    </Card>
  );
}

/** Uploads a new document of the client's own and picks it for a `file` field. */
function FileUpload(props: { field: FieldSpec; onUploaded: (file: FileChoice) => void }) {
  const [open, setOpen] = useState(false);
  const started = useRef<{ id: string; name: string } | null>(null);
  if (!open) {
    return (
      <p>
        <Button kind="link" onClick={() => setOpen(true)}>
          Upload a new document for “{props.field.label}”
        </Button>
      </p>
    );
  }
  return (
    <div class="nested-upload">
      <Upload
        label={`New document for “${props.field.label}”`}
        action="Upload and choose it"
        start={async (file) => {
          const answer = await call(api.POST("/api/documents", { body: { ...file } }));
          started.current = { id: answer.document_id, name: file.file_name };
          return answer;
        }}
        confirm={(document, number) => call(api.POST("/api/documents/{document}/versions/{number}/confirm", { params: { path: { document, number } } }))}
        onDone={() => {
          if (started.current) props.onUploaded(started.current);
          setOpen(false);
        }}
      />
    </div>
  );
}
