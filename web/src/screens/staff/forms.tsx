// The firm's intake forms: create a form with the field builder (every field type the API
// takes, with its constraints), publish new versions (earlier ones and their answers never
// change), preview what clients see, and see where a form was assigned across clients.
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api, ApiError, call, type Schemas } from "../../api/client";
import { announce } from "../../lib/announce";
import { formatDate, formatDateTime } from "../../lib/format";
import { Async, Button, Card, Checkbox, Empty, ErrorMessage, Form, Page, SelectField, TextArea, TextField, useAsync, useSubmit } from "../../components/ui";
import { FIELD_KIND_LABELS, FormRenderer, type AnswerMap, type FieldKind, type FieldSpec } from "../../components/FormRenderer";
import { intakeBadge } from "../client/forms";

type FormSummary = Schemas["FormSummary"];
type FieldInput = Schemas["FormFieldInput"];

// ------------------------------------------------------------------ the field builder

/** A field as it is being edited: numbers as typed, options one per line. */
export interface FieldDraft {
  uid: number;
  key: string;
  keyEdited: boolean;
  type: FieldKind;
  label: string;
  help: string;
  required: boolean;
  min_length: string;
  max_length: string;
  pattern: string;
  min: string;
  max: string;
  integer: boolean;
  min_date: string;
  max_date: string;
  options: string;
  min_selected: string;
  max_selected: string;
}

let nextUid = 1;

export function blankField(type: FieldKind = "short_text"): FieldDraft {
  return { uid: nextUid++, key: "", keyEdited: false, type, label: "", help: "", required: false, min_length: "", max_length: "", pattern: "", min: "", max: "", integer: false, min_date: "", max_date: "", options: "", min_selected: "", max_selected: "" };
}

export function draftFromField(field: FieldSpec): FieldDraft {
  const text = (value: number | undefined) => (value === undefined ? "" : String(value));
  return {
    ...blankField(field.type),
    key: field.key,
    keyEdited: true,
    label: field.label,
    help: field.help ?? "",
    required: field.required,
    min_length: text(field.min_length),
    // The API fills in the default limit; showing it keeps the next version identical.
    max_length: text(field.max_length),
    pattern: field.pattern ?? "",
    min: text(field.min),
    max: text(field.max),
    integer: field.integer ?? false,
    min_date: field.min_date ?? "",
    max_date: field.max_date ?? "",
    options: (field.options ?? []).join("\n"),
    min_selected: text(field.min_selected),
    max_selected: text(field.max_selected),
  };
}

/** "Company name" → "company_name" (a key the API takes). */
export function keyFromLabel(label: string): string {
  let key = label
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (!/^[a-z]/.test(key)) key = `q_${key}`.replace(/_+$/, "");
  return key.slice(0, 40).replace(/_+$/, "") || "q";
}

const TEXT_TYPES: FieldKind[] = ["short_text", "long_text"];
const CHOICE_TYPES: FieldKind[] = ["single_choice", "multiple_choice"];

/** The schema to send, and problems found before sending (named like the API names them). */
export function fieldsOf(drafts: FieldDraft[]): { fields: FieldInput[]; problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const fields = drafts.map((draft, index) => {
    const path = (name: string) => `fields[${index}].${name}`;
    const whole = (name: keyof FieldDraft & string, text: string): number | undefined => {
      if (text.trim() === "") return undefined;
      if (!/^\d+$/.test(text.trim())) {
        problems[path(name)] = "must be a whole number";
        return undefined;
      }
      return Number(text);
    };
    const number = (name: string, text: string): number | undefined => {
      if (text.trim() === "") return undefined;
      const value = Number(text.trim());
      if (!Number.isFinite(value)) {
        problems[path(name)] = "must be a number";
        return undefined;
      }
      return value;
    };
    const field: FieldInput = { key: draft.key.trim(), type: draft.type, label: draft.label, required: draft.required };
    if (draft.help.trim()) field.help = draft.help;
    if (TEXT_TYPES.includes(draft.type)) {
      const min = whole("min_length", draft.min_length);
      const max = whole("max_length", draft.max_length);
      if (min !== undefined) field.min_length = min;
      if (max !== undefined) field.max_length = max;
    }
    if (draft.type === "short_text" && draft.pattern.trim()) field.pattern = draft.pattern.trim();
    if (draft.type === "number") {
      const min = number("min", draft.min);
      const max = number("max", draft.max);
      if (min !== undefined) field.min = min;
      if (max !== undefined) field.max = max;
      if (draft.integer) field.integer = true;
    }
    if (draft.type === "date") {
      if (draft.min_date) field.min_date = draft.min_date;
      if (draft.max_date) field.max_date = draft.max_date;
    }
    if (CHOICE_TYPES.includes(draft.type)) {
      field.options = draft.options
        .split("\n")
        .map((option) => option.trim())
        .filter(Boolean);
    }
    if (draft.type === "multiple_choice") {
      const min = whole("min_selected", draft.min_selected);
      const max = whole("max_selected", draft.max_selected);
      if (min !== undefined) field.min_selected = min;
      if (max !== undefined) field.max_selected = max;
    }
    return field;
  });
  return { fields, problems };
}

/** What the preview shows: the schema as clients will see it (best effort while editing). */
function previewOf(drafts: FieldDraft[]): FieldSpec[] {
  return fieldsOf(drafts).fields.map((field, index) => ({
    ...field,
    key: field.key || `field_${index + 1}`,
    label: field.label || `Field ${index + 1}`,
    required: field.required ?? false,
    help: field.help ?? undefined,
    min_length: field.min_length ?? undefined,
    max_length: field.max_length ?? undefined,
    pattern: field.pattern ?? undefined,
    min: field.min ?? undefined,
    max: field.max ?? undefined,
    min_date: field.min_date ?? undefined,
    max_date: field.max_date ?? undefined,
    min_selected: field.min_selected ?? undefined,
    max_selected: field.max_selected ?? undefined,
  }));
}

const KIND_OPTIONS = (Object.keys(FIELD_KIND_LABELS) as FieldKind[]).map((value) => ({ value, label: FIELD_KIND_LABELS[value] }));

function FieldEditor(props: {
  draft: FieldDraft;
  index: number;
  count: number;
  error: (name: string) => string | undefined;
  onChange: (draft: FieldDraft) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  const { draft, index } = props;
  const set = <K extends keyof FieldDraft>(key: K, value: FieldDraft[K]) => props.onChange({ ...draft, [key]: value });
  const err = (name: string) => props.error(`fields[${index}].${name}`);
  const title = `Field ${index + 1}${draft.label.trim() ? `: ${draft.label.trim()}` : ""}`;
  return (
    <fieldset class="field-editor">
      <legend>{title}</legend>
      <div class="pair">
        <TextField
          label="Question"
          name={`fields[${index}].label`}
          value={draft.label}
          onValue={(label) => props.onChange({ ...draft, label, key: draft.keyEdited ? draft.key : keyFromLabel(label) })}
          required
          maxLength={200}
          error={err("label")}
        />
        <SelectField label="Type" name={`fields[${index}].type`} value={draft.type} onValue={(value) => set("type", value as FieldKind)} options={KIND_OPTIONS} required error={err("type")} />
      </div>
      <TextField label="Answer key" name={`fields[${index}].key`} value={draft.key} onValue={(key) => props.onChange({ ...draft, key, keyEdited: true })} required maxLength={40} hint="Names the answer in exports: lower-case letters, digits and _; starts with a letter." error={err("key")} />
      <TextArea label="Help text" name={`fields[${index}].help`} value={draft.help} onValue={(value) => set("help", value)} rows={2} maxLength={1000} hint="Shown under the question." error={err("help")} />
      <Checkbox label="An answer is required" name={`fields[${index}].required`} checked={draft.required} onChecked={(value) => set("required", value)} hint={draft.type === "checkbox" ? "The box must be ticked to submit." : undefined} />
      {TEXT_TYPES.includes(draft.type) && (
        <div class="pair">
          <TextField label="Fewest characters" name={`fields[${index}].min_length`} value={draft.min_length} inputMode="numeric" onValue={(value) => set("min_length", value)} error={err("min_length")} />
          <TextField label="Most characters" name={`fields[${index}].max_length`} value={draft.max_length} inputMode="numeric" onValue={(value) => set("max_length", value)} hint={draft.type === "short_text" ? "Up to 1000; 200 when empty." : "Up to 10000."} error={err("max_length")} />
        </div>
      )}
      {draft.type === "short_text" && (
        <TextField label="Format (regular expression)" name={`fields[${index}].pattern`} value={draft.pattern} onValue={(value) => set("pattern", value)} maxLength={500} hint="The whole answer must match, e.g. [A-Z]{2}[0-9]{8,12}." error={err("pattern")} />
      )}
      {draft.type === "number" && (
        <>
          <div class="pair">
            <TextField label="Smallest allowed" name={`fields[${index}].min`} value={draft.min} inputMode="decimal" onValue={(value) => set("min", value)} error={err("min")} />
            <TextField label="Largest allowed" name={`fields[${index}].max`} value={draft.max} inputMode="decimal" onValue={(value) => set("max", value)} error={err("max")} />
          </div>
          <Checkbox label="Whole numbers only" name={`fields[${index}].integer`} checked={draft.integer} onChecked={(value) => set("integer", value)} error={err("integer")} />
        </>
      )}
      {draft.type === "date" && (
        <div class="pair">
          <TextField label="Earliest date" name={`fields[${index}].min_date`} type="date" value={draft.min_date} onValue={(value) => set("min_date", value)} error={err("min_date")} />
          <TextField label="Latest date" name={`fields[${index}].max_date`} type="date" value={draft.max_date} onValue={(value) => set("max_date", value)} error={err("max_date")} />
        </div>
      )}
      {CHOICE_TYPES.includes(draft.type) && (
        <TextArea label="Options" name={`fields[${index}].options`} value={draft.options} onValue={(value) => set("options", value)} rows={4} required hint="One per line; 1 to 50 options." error={err("options")} />
      )}
      {draft.type === "multiple_choice" && (
        <div class="pair">
          <TextField label="Fewest to choose" name={`fields[${index}].min_selected`} value={draft.min_selected} inputMode="numeric" onValue={(value) => set("min_selected", value)} error={err("min_selected")} />
          <TextField label="Most to choose" name={`fields[${index}].max_selected`} value={draft.max_selected} inputMode="numeric" onValue={(value) => set("max_selected", value)} error={err("max_selected")} />
        </div>
      )}
      {draft.type === "file" && <p class="hint">The client picks one of their uploaded documents, or uploads a new one.</p>}
      <div class="actions">
        <Button kind="secondary" disabled={index === 0} onClick={() => props.onMove(-1)}>
          Move up<span class="visually-hidden"> {title}</span>
        </Button>
        <Button kind="secondary" disabled={index === props.count - 1} onClick={() => props.onMove(1)}>
          Move down<span class="visually-hidden"> {title}</span>
        </Button>
        <Button kind="danger" disabled={props.count === 1} onClick={props.onRemove}>
          Remove<span class="visually-hidden"> {title}</span>
        </Button>
      </div>
    </fieldset>
  );
}

/** Fields with their editors, an "add a field" control, and a live preview. */
export function FieldBuilder(props: { drafts: FieldDraft[]; onChange: (drafts: FieldDraft[]) => void; error: (name: string) => string | undefined }) {
  const [newType, setNewType] = useState<FieldKind>("short_text");
  const [previewValues, setPreviewValues] = useState<AnswerMap>({});
  const drafts = props.drafts;
  const replace = (index: number, draft: FieldDraft) => props.onChange(drafts.map((item, at) => (at === index ? draft : item)));
  const move = (index: number, by: -1 | 1) => {
    const next = [...drafts];
    const [item] = next.splice(index, 1);
    if (item) next.splice(index + by, 0, item);
    props.onChange(next);
    announce(`Field moved to position ${index + by + 1}.`);
  };
  return (
    <div class="field-builder">
      {props.error("fields") && (
        <p class="field-error" role="alert">
          {props.error("fields")}
        </p>
      )}
      <ol class="field-list">
        {drafts.map((draft, index) => (
          <li key={draft.uid}>
            <FieldEditor
              draft={draft}
              index={index}
              count={drafts.length}
              error={props.error}
              onChange={(changed) => replace(index, changed)}
              onMove={(by) => move(index, by)}
              onRemove={() => {
                props.onChange(drafts.filter((_, at) => at !== index));
                announce("Field removed.");
              }}
            />
          </li>
        ))}
      </ol>
      <div class="row add-field">
        <SelectField label="New field's type" name="new_type" value={newType} onValue={(value) => setNewType(value as FieldKind)} options={KIND_OPTIONS} required />
        <Button
          kind="secondary"
          disabled={drafts.length >= 100}
          onClick={() => {
            props.onChange([...drafts, blankField(newType)]);
            announce(`Field ${drafts.length + 1} added.`);
          }}
        >
          Add the field
        </Button>
      </div>
      <details class="preview">
        <summary>Preview: what the client sees</summary>
        <div class="card">
          <FormRenderer fields={previewOf(drafts)} values={previewValues} onChange={setPreviewValues} idPrefix="preview" />
        </div>
      </details>
    </div>
  );
}

/** Problems by name: ours (before sending) first, then the API's `error.fields`. */
function errorLookup(local: Record<string, string>, error: unknown): (name: string) => string | undefined {
  const remote = error instanceof ApiError ? error.fields : {};
  return (name) => local[name] ?? remote[name];
}

/** `fields[1].options` → `Question 2 (“Legal form”), options`. */
function problemPlace(path: string, drafts: FieldDraft[]): string {
  const match = /^fields\[(\d+)\]\.(\w+)$/.exec(path);
  if (!match) return path;
  const index = Number(match[1]);
  const label = drafts[index]?.label.trim();
  return `Question ${index + 1}${label ? ` (“${label}”)` : ""}, ${match[2]?.replace(/_/g, " ")}`;
}

/** The whole-form message: each problem in words, also shown next to its control. */
function formErrorOf(error: unknown, drafts: FieldDraft[]): unknown {
  if (!(error instanceof ApiError) || Object.keys(error.fields).length === 0) return error;
  const list = Object.entries(error.fields).map(([path, problem]) => `${problemPlace(path, drafts)}: ${problem}`);
  return new Error(`Please correct ${list.length === 1 ? "this" : `these ${list.length} problems`} (also marked below): ${list.join("; ")}.`);
}

// ------------------------------------------------------------------ the list of forms

export function FormDefinitions() {
  const [cursor, setCursor] = useState<string | undefined>();
  const state = useAsync(() => call(api.GET("/api/forms", { params: { query: { limit: 50, cursor } } })), [cursor]);
  const [creating, setCreating] = useState(false);
  return (
    <Page
      title="Intake forms"
      subtitle="Forms the firm asks clients to fill in. Each change is published as a new version; what clients already answered never changes."
      actions={!creating && <Button onClick={() => setCreating(true)}>New form</Button>}
    >
      {creating && <NewForm onCancel={() => setCreating(false)} />}
      <Card title="The firm's forms">
        <Async state={state} label="Loading forms…">
          {(page) =>
            page.forms.length === 0 ? (
              <Empty>No forms yet. Create the first one with “New form”.</Empty>
            ) : (
              <>
                <FormTable forms={page.forms} />
                <div class="actions">
                  {cursor && (
                    <Button kind="secondary" onClick={() => setCursor(undefined)}>
                      First page
                    </Button>
                  )}
                  {page.next_cursor && (
                    <Button kind="secondary" onClick={() => setCursor(page.next_cursor ?? undefined)}>
                      Next page
                    </Button>
                  )}
                </div>
              </>
            )
          }
        </Async>
      </Card>
    </Page>
  );
}

function FormTable(props: { forms: FormSummary[] }) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">Forms</caption>
        <thead>
          <tr>
            <th scope="col">Form</th>
            <th scope="col">Latest version</th>
            <th scope="col">Last published</th>
          </tr>
        </thead>
        <tbody>
          {props.forms.map((form) => (
            <tr key={form.id}>
              <td>
                <a href={`/staff/forms/${form.id}`}>{form.name}</a>
                {form.description && (
                  <>
                    <br />
                    <span class="muted clamp">{form.description}</span>
                  </>
                )}
              </td>
              <td>Version {form.latest_version}</td>
              <td>
                <time dateTime={form.updated_at}>{formatDate(form.updated_at)}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function NewForm(props: { onCancel: () => void }) {
  const location = useLocation();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [drafts, setDrafts] = useState<FieldDraft[]>(() => [blankField()]);
  const [local, setLocal] = useState<Record<string, string>>({});
  const { submit, busy, error } = useSubmit(async () => {
    const { fields, problems } = fieldsOf(drafts);
    setLocal(problems);
    if (Object.keys(problems).length) throw new Error("Some settings need correcting; see the marked fields.");
    const form = await call(api.POST("/api/forms", { body: { name, description, fields } }));
    announce(`“${form.name}” is published as version 1.`);
    location.route(`/staff/forms/${form.id}`);
  });
  const lookup = errorLookup(local, error);
  return (
    <Card title="New form">
      <Form onSubmit={() => void submit()} label="New form" class="stack">
        <ErrorMessage error={formErrorOf(error, drafts)} />
        <TextField label="Name" name="name" value={name} onValue={setName} required maxLength={200} error={lookup("name")} />
        <TextArea label="Description" name="description" value={description} onValue={setDescription} rows={2} maxLength={4000} hint="Shown to the client above the questions." error={lookup("description")} />
        <h3>Questions</h3>
        <FieldBuilder drafts={drafts} onChange={setDrafts} error={lookup} />
        <div class="actions">
          <Button type="submit" busy={busy}>
            Create and publish version 1
          </Button>
          <Button kind="link" onClick={props.onCancel}>
            Cancel
          </Button>
        </div>
      </Form>
    </Card>
  );
}

// ------------------------------------------------------------------ one form

export function FormDefinition(props: { form: string }) {
  const [version, setVersion] = useState<number | undefined>();
  const state = useAsync(() => call(api.GET("/api/forms/{form}", { params: { path: { form: props.form }, query: version ? { version } : {} } })), [props.form, version]);
  const [editing, setEditing] = useState(false);
  return (
    <Async state={state} label="Loading the form…">
      {(form) => (
        <Page title={form.name} subtitle={`Version ${form.form_version} of ${form.latest_version} · published ${formatDateTime(form.published_at)}`}>
          <p class="breadcrumb">
            <a href="/staff/forms">Intake forms</a> / {form.name}
          </p>
          {form.description && <p class="pre-line">{form.description}</p>}
          {editing ? (
            <PublishVersion
              form={form}
              onCancel={() => setEditing(false)}
              onPublished={() => {
                setEditing(false);
                setVersion(undefined);
                state.reload();
              }}
            />
          ) : (
            <Card
              title={`The questions (version ${form.form_version})`}
              actions={
                form.form_version === form.latest_version && (
                  <Button kind="secondary" onClick={() => setEditing(true)}>
                    Edit and publish version {form.latest_version + 1}
                  </Button>
                )
              }
            >
              {form.latest_version > 1 && (
                <SelectField
                  label="Show version"
                  name="version"
                  value={String(form.form_version)}
                  onValue={(value) => setVersion(Number(value))}
                  options={Array.from({ length: form.latest_version }, (_, index) => form.latest_version - index).map((number) => ({ value: String(number), label: number === form.latest_version ? `Version ${number} (latest)` : `Version ${number}` }))}
                  required
                />
              )}
              <p class="muted">As the client sees it ({form.fields.length} {form.fields.length === 1 ? "question" : "questions"}):</p>
              <FormPreview fields={form.fields} />
            </Card>
          )}
          <Assignments formId={form.id} />
        </Page>
      )}
    </Async>
  );
}

function FormPreview(props: { fields: FieldSpec[] }) {
  const [values, setValues] = useState<AnswerMap>({});
  return (
    <div class="preview-box">
      <FormRenderer fields={props.fields} values={values} onChange={setValues} idPrefix="version-preview" />
    </div>
  );
}

function PublishVersion(props: { form: Schemas["Form"]; onCancel: () => void; onPublished: () => void }) {
  const [drafts, setDrafts] = useState<FieldDraft[]>(() => props.form.fields.map(draftFromField));
  const [local, setLocal] = useState<Record<string, string>>({});
  const { submit, busy, error } = useSubmit(async () => {
    const { fields, problems } = fieldsOf(drafts);
    setLocal(problems);
    if (Object.keys(problems).length) throw new Error("Some settings need correcting; see the marked fields.");
    const published = await call(api.POST("/api/forms/{form}/versions", { params: { path: { form: props.form.id } }, body: { fields, version: props.form.version } }));
    announce(`Version ${published.form_version} is published. New assignments ask it; earlier ones keep their version.`);
    props.onPublished();
  });
  const lookup = errorLookup(local, error);
  return (
    <Card title={`Version ${props.form.latest_version + 1}`}>
      <p class="notice">Publishing makes a new version. Forms already assigned keep asking the version they were assigned with, and their answers stay as they are.</p>
      <Form onSubmit={() => void submit()} label={`Publish version ${props.form.latest_version + 1}`} class="stack">
        <ErrorMessage error={formErrorOf(error, drafts)} retry={error instanceof ApiError && error.status === 409 ? props.onPublished : undefined} />
        <FieldBuilder drafts={drafts} onChange={setDrafts} error={lookup} />
        <div class="actions">
          <Button type="submit" busy={busy}>
            Publish version {props.form.latest_version + 1}
          </Button>
          <Button kind="link" onClick={props.onCancel}>
            Cancel
          </Button>
        </div>
      </Form>
    </Card>
  );
}

function Assignments(props: { formId: string }) {
  const state = useAsync(() => call(api.GET("/api/forms/{form}/assignments", { params: { path: { form: props.formId }, query: { limit: 100 } } })), [props.formId]);
  return (
    <Card title="Assigned to clients">
      <Async state={state} label="Loading assignments…">
        {(page) =>
          page.assignments.length === 0 ? (
            <Empty>Not assigned yet. Assign it from a client's “Forms” tab.</Empty>
          ) : (
            <div class="table-wrap">
              <table>
                <caption class="visually-hidden">Where this form was assigned</caption>
                <thead>
                  <tr>
                    <th scope="col">Client</th>
                    <th scope="col">Version</th>
                    <th scope="col">Status</th>
                    <th scope="col">Due</th>
                    <th scope="col">Revisions</th>
                  </tr>
                </thead>
                <tbody>
                  {page.assignments.map((assignment) => (
                    <tr key={assignment.id}>
                      <td>
                        <a href={`/staff/clients/${assignment.client_id}/forms/${assignment.id}`}>{assignment.client_name}</a>
                      </td>
                      <td>{assignment.form_version}</td>
                      <td>{intakeBadge(assignment)}</td>
                      <td>{assignment.due_date ? <time dateTime={assignment.due_date}>{formatDate(assignment.due_date)}</time> : <span class="muted">None</span>}</td>
                      <td>{assignment.latest_revision}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Async>
    </Card>
  );
}
