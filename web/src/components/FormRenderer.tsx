// An intake form's published schema as controls: every field type with its label, help text,
// required mark and constraints in words; values flow out through `onChange`; the API's field
// errors (`error.fields`, keyed `answers.<key>`) sit next to the field they are about, with
// aria-invalid and aria-describedby. `AnswersView` shows submitted answers, read-only.
import { Fragment, type ComponentChildren } from "preact";
import { useEffect, useId, useState } from "preact/hooks";
import type { Schemas } from "../api/client";
import { formatDate } from "../lib/format";

export type FieldSpec = Schemas["FormField"];
export type FieldKind = Schemas["FieldType"];
export type AnswerValue = Schemas["AnswerValue"];
/** Answers by field key; `undefined` means unanswered. */
export type AnswerMap = Record<string, AnswerValue | undefined>;

/** A document a `file` field may name. */
export interface FileChoice {
  id: string;
  name: string;
}

export const FIELD_KIND_LABELS: Record<FieldKind, string> = {
  short_text: "Short text",
  long_text: "Long text",
  number: "Number",
  date: "Date",
  email: "Email address",
  phone: "Telephone number",
  single_choice: "Single choice",
  multiple_choice: "Multiple choice",
  checkbox: "Checkbox",
  file: "File (a document)",
};

/** The element id of a field's control (the first option of a group), for links to it. */
export function fieldId(prefix: string, key: string): string {
  return `${prefix}-${key}`;
}

/** The API's field errors by field key: `answers.name` → `name`. */
export function answerErrors(fields: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, problem] of Object.entries(fields ?? {})) {
    const key = path.startsWith("answers.") ? path.slice("answers.".length) : path;
    out[key] = problem;
  }
  return out;
}

/** Answers as the API takes them: unanswered values left out. */
export function cleanAnswers(values: AnswerMap): Record<string, AnswerValue> {
  const out: Record<string, AnswerValue> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    if (typeof value === "string" && value.trim() === "") continue;
    out[key] = value;
  }
  return out;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function formatBound(value: number): string {
  return value.toLocaleString(undefined, { maximumFractionDigits: 20 });
}

/** The field's constraints in words ("2 to 80 characters", "A whole number from 1 to 5000"). */
export function constraintText(field: FieldSpec): string | undefined {
  switch (field.type) {
    case "short_text":
    case "long_text": {
      const min = field.min_length ?? 0;
      const max = field.max_length;
      if (min > 0 && max !== undefined) return `${min} to ${max} characters.`;
      if (min > 0) return `At least ${plural(min, "character")}.`;
      if (max !== undefined) return `At most ${plural(max, "character")}.`;
      return undefined;
    }
    case "number": {
      const kind = field.integer ? "A whole number" : "A number";
      if (field.min !== undefined && field.max !== undefined) return `${kind} from ${formatBound(field.min)} to ${formatBound(field.max)}.`;
      if (field.min !== undefined) return `${kind}, at least ${formatBound(field.min)}.`;
      if (field.max !== undefined) return `${kind}, at most ${formatBound(field.max)}.`;
      return field.integer ? "A whole number." : undefined;
    }
    case "date":
      if (field.min_date && field.max_date) return `A date from ${formatDate(field.min_date)} to ${formatDate(field.max_date)}.`;
      if (field.min_date) return `On or after ${formatDate(field.min_date)}.`;
      if (field.max_date) return `On or before ${formatDate(field.max_date)}.`;
      return undefined;
    case "phone":
      return "7 to 15 digits; spaces, dashes, brackets and a leading + are fine.";
    case "multiple_choice": {
      const min = field.min_selected;
      const max = field.max_selected;
      if (min && max) return min === max ? `Choose ${min}.` : `Choose ${min} to ${max}.`;
      if (min) return `Choose at least ${min}.`;
      if (max) return `Choose at most ${max}.`;
      return "Choose any that apply.";
    }
    case "file":
      return "Choose one of your uploaded documents.";
    default:
      return undefined;
  }
}

function describedBy(...ids: (string | false | undefined)[]): string | undefined {
  const list = ids.filter(Boolean) as string[];
  return list.length ? list.join(" ") : undefined;
}

function RequiredMark(props: { required: boolean }) {
  if (!props.required) return <span class="optional"> (optional)</span>;
  return (
    <>
      <span class="required-mark" aria-hidden="true">
        {" "}
        *
      </span>
      <span class="visually-hidden"> (required)</span>
    </>
  );
}

/** Help text and constraints under the label, and the error after the control. */
function Notes(props: { id: string; field: FieldSpec }) {
  const constraint = constraintText(props.field);
  if (!props.field.help && !constraint) return null;
  return (
    <p class="hint" id={`${props.id}-hint`}>
      {props.field.help}
      {props.field.help && constraint ? <br /> : null}
      {constraint}
    </p>
  );
}

function hasNotes(field: FieldSpec): boolean {
  return Boolean(field.help || constraintText(field));
}

function FieldError(props: { id: string; error?: string }) {
  if (!props.error) return null;
  return (
    <p class="field-error" id={`${props.id}-error`}>
      {props.error}
    </p>
  );
}

/** Text of a number field as typed, so "1." or "-" survive while the person types. */
function NumberInput(props: {
  id: string;
  field: FieldSpec;
  value: AnswerValue | undefined;
  onValue: (value: AnswerValue | undefined) => void;
  described?: string;
  invalid: boolean;
  disabled?: boolean;
}) {
  const shown = props.value === undefined ? "" : String(props.value);
  const [text, setText] = useState(shown);
  useEffect(() => {
    // An outside change (a loaded draft) replaces what is typed; our own echo does not.
    if (parseNumber(text) !== props.value) setText(shown);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shown]);
  return (
    <input
      id={props.id}
      name={props.field.key}
      type="text"
      inputMode={props.field.integer && (props.field.min ?? 0) >= 0 ? "numeric" : "decimal"}
      value={text}
      disabled={props.disabled}
      aria-required={props.field.required || undefined}
      aria-invalid={props.invalid || undefined}
      aria-describedby={props.described}
      onInput={(event) => {
        const next = (event.currentTarget as HTMLInputElement).value;
        setText(next);
        props.onValue(parseNumber(next));
      }}
    />
  );
}

/** "" → unanswered; a number → the number; anything else stays text (the API names it). */
export function parseNumber(text: string): AnswerValue | undefined {
  const trimmed = text.trim().replace(/,/g, "");
  if (trimmed === "") return undefined;
  if (/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)) {
    const number = Number(trimmed);
    if (Number.isFinite(number)) return number;
  }
  return text;
}

function asText(value: AnswerValue | undefined): string {
  if (value === undefined) return "";
  if (Array.isArray(value)) return value.join(", ");
  return String(value);
}

export interface FormRendererProps {
  fields: FieldSpec[];
  values: AnswerMap;
  /** Every change: the whole set of answers, and the key that changed. */
  onChange: (values: AnswerMap, key: string) => void;
  /** Problems by field key, or the API's `error.fields` as is (`answers.<key>`). */
  errors?: Record<string, string>;
  /** Prefix of the controls' ids (see `fieldId`). */
  idPrefix?: string;
  disabled?: boolean;
  /** Documents a `file` field can name. */
  files?: FileChoice[];
  /** Extra controls under a `file` field (an upload button). */
  fileExtra?: (field: FieldSpec, choose: (documentId: string) => void) => ComponentChildren;
}

export function FormRenderer(props: FormRendererProps) {
  const generated = useId();
  const prefix = props.idPrefix ?? `f${generated.replace(/[^A-Za-z0-9_-]/g, "")}`;
  const errors = answerErrors(props.errors);
  return (
    <div class="form-fields">
      {props.fields.map((field) => (
        <FieldControl
          key={field.key}
          field={field}
          id={fieldId(prefix, field.key)}
          value={props.values[field.key]}
          error={errors[field.key]}
          disabled={props.disabled}
          files={props.files}
          fileExtra={props.fileExtra}
          onValue={(value) => props.onChange({ ...props.values, [field.key]: value }, field.key)}
        />
      ))}
    </div>
  );
}

function FieldControl(props: {
  field: FieldSpec;
  id: string;
  value: AnswerValue | undefined;
  error?: string;
  disabled?: boolean;
  files?: FileChoice[];
  fileExtra?: FormRendererProps["fileExtra"];
  onValue: (value: AnswerValue | undefined) => void;
}) {
  const { field, id, value, error } = props;
  const hintId = hasNotes(field) ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const described = describedBy(hintId, errorId);
  const invalid = Boolean(error);
  const required = field.required;
  const common = {
    id,
    name: field.key,
    disabled: props.disabled,
    "aria-required": required || undefined,
    "aria-invalid": invalid || undefined,
    "aria-describedby": described,
  } as const;
  const text = (type: "text" | "email" | "tel" | "date", extra: Record<string, unknown> = {}) => (
    <input
      {...common}
      {...extra}
      type={type}
      value={asText(value)}
      onInput={(event) => {
        const next = (event.currentTarget as HTMLInputElement).value;
        props.onValue(next === "" ? undefined : next);
      }}
    />
  );

  if (field.type === "checkbox") {
    return (
      <div class={`field checkbox ${invalid ? "invalid" : ""}`} data-field={field.key}>
        <input
          {...common}
          type="checkbox"
          checked={value === true}
          onChange={(event) => props.onValue((event.currentTarget as HTMLInputElement).checked ? true : undefined)}
        />
        <label for={id}>
          {field.label}
          <RequiredMark required={required} />
        </label>
        <Notes id={id} field={field} />
        <FieldError id={id} error={error} />
      </div>
    );
  }

  if (field.type === "multiple_choice" || (field.type === "single_choice" && (field.options?.length ?? 0) <= 6)) {
    const options = field.options ?? [];
    const multiple = field.type === "multiple_choice";
    const chosen = multiple ? (Array.isArray(value) ? value : []) : typeof value === "string" ? value : "";
    return (
      <fieldset
        class={`field choices ${invalid ? "invalid" : ""}`}
        data-field={field.key}
        role={multiple ? undefined : "radiogroup"}
        aria-describedby={described}
        aria-required={!multiple && required ? true : undefined}
        aria-invalid={!multiple && invalid ? true : undefined}
        disabled={props.disabled}
      >
        <legend>
          {field.label}
          <RequiredMark required={required} />
        </legend>
        <Notes id={id} field={field} />
        {options.map((option, index) => {
          const optionId = index === 0 ? id : `${id}-${index}`;
          const checked = multiple ? (chosen as string[]).includes(option) : chosen === option;
          return (
            <div class="choice" key={option}>
              <input
                id={optionId}
                type={multiple ? "checkbox" : "radio"}
                name={field.key}
                value={option}
                checked={checked}
                aria-invalid={invalid || undefined}
                onChange={(event) => {
                  const on = (event.currentTarget as HTMLInputElement).checked;
                  if (!multiple) {
                    props.onValue(on ? option : undefined);
                    return;
                  }
                  const list = (chosen as string[]).filter((item) => item !== option);
                  // Keep the form's order of options.
                  const next = on ? options.filter((item) => item === option || list.includes(item)) : list;
                  props.onValue(next.length ? next : undefined);
                }}
              />
              <label for={optionId}>{option}</label>
            </div>
          );
        })}
        <FieldError id={id} error={error} />
      </fieldset>
    );
  }

  let control: ComponentChildren;
  switch (field.type) {
    case "long_text":
      control = (
        <textarea
          {...common}
          rows={5}
          maxLength={field.max_length}
          value={asText(value)}
          onInput={(event) => {
            const next = (event.currentTarget as HTMLTextAreaElement).value;
            props.onValue(next === "" ? undefined : next);
          }}
        />
      );
      break;
    case "number":
      control = <NumberInput id={id} field={field} value={value} onValue={props.onValue} described={described} invalid={invalid} disabled={props.disabled} />;
      break;
    case "date":
      control = text("date", { min: field.min_date, max: field.max_date });
      break;
    case "email":
      control = text("email", { autoComplete: "email", spellcheck: false });
      break;
    case "phone":
      control = text("tel", { autoComplete: "tel" });
      break;
    case "single_choice":
      control = (
        <select {...common} value={typeof value === "string" ? value : ""} onChange={(event) => props.onValue((event.currentTarget as HTMLSelectElement).value || undefined)}>
          <option value="">Choose…</option>
          {(field.options ?? []).map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      );
      break;
    case "file": {
      const files = props.files ?? [];
      const current = typeof value === "string" ? value : "";
      const known = files.some((file) => file.id === current);
      control = (
        <>
          <select {...common} value={current} onChange={(event) => props.onValue((event.currentTarget as HTMLSelectElement).value || undefined)}>
            <option value="">{files.length ? "Choose a document…" : "No documents uploaded yet"}</option>
            {!known && current && <option value={current}>Document {current}</option>}
            {files.map((file) => (
              <option key={file.id} value={file.id}>
                {file.name}
              </option>
            ))}
          </select>
          {props.fileExtra?.(field, (documentId) => props.onValue(documentId))}
        </>
      );
      break;
    }
    default:
      control = text("text", { maxLength: field.max_length });
  }
  return (
    <div class={`field ${invalid ? "invalid" : ""}`} data-field={field.key}>
      <label for={id}>
        {field.label}
        <RequiredMark required={required} />
      </label>
      <Notes id={id} field={field} />
      {control}
      <FieldError id={id} error={error} />
    </div>
  );
}

/** Submitted answers, read-only, in the form's order. */
export function AnswersView(props: { fields: FieldSpec[]; answers: Record<string, AnswerValue | undefined>; files?: FileChoice[] }) {
  return (
    <dl class="kv answers">
      {props.fields.map((field) => {
        const value = props.answers[field.key];
        let shown: ComponentChildren;
        if (value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) shown = <span class="muted">Not answered</span>;
        else if (field.type === "checkbox") shown = value === true ? "Yes" : "No";
        else if (field.type === "date" && typeof value === "string") shown = <time dateTime={value}>{formatDate(value)}</time>;
        else if (field.type === "file" && typeof value === "string") shown = props.files?.find((file) => file.id === value)?.name ?? `Document ${value}`;
        else if (field.type === "long_text") shown = <span class="pre-line">{asText(value)}</span>;
        else shown = asText(value);
        return (
          <Fragment key={field.key}>
            <dt>{field.label}</dt>
            <dd>{shown}</dd>
          </Fragment>
        );
      })}
    </dl>
  );
}
