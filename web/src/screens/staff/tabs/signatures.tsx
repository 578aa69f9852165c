// A client's signature requests as the firm sees them: the list; a new request (a PDF version
// of the client's, the signers — the client's contacts and the firm's staff, in order or
// together — and the fields placed on the rendered pages by clicking, dragging, the arrow keys
// or a form); and one request: every signer's state, the steps, Remind, Replace, Cancel, the
// signed PDF, and the countersigning view when it is the reader's turn.
import { useLocation } from "preact-iso";
import { useEffect, useState } from "preact/hooks";
import { api, call, type Schemas } from "../../../api/client";
import { PdfPages } from "../../../components/PdfPages";
import { announce } from "../../../lib/announce";
import { filesApi } from "../../../lib/files";
import { formatDate, formatDateTime } from "../../../lib/format";
import { problemFor } from "../../../lib/problems";
import {
  KIND_LABEL,
  MAX_SIGNERS,
  buildCreateBody,
  clampBox,
  dragBy,
  draftProblems,
  dropAt,
  firmSignaturesApi,
  moveBy,
  nextGroup,
  signaturesApi,
  statusLabel,
  type Box,
  type FieldDraft,
  type FieldKind,
  type SignatureRequest,
  type SignerDraft,
  type Signed,
} from "../../../lib/signatures";
import { clientLink, useMe, useStaffClient } from "../../../state";
import { Async, Badge, Button, Card, Empty, ErrorMessage, Form, Page, SelectField, TextArea, TextField, useAsync, useSubmit } from "../../../components/ui";
import { Ended, FieldsOverlay, RequestSummary, SignedPdf, SignerList, SigningView, boxStyle } from "../../client/signatures";
import "../../../components/signatures.css";

export function SignaturesTab(props: { request?: string }) {
  if (props.request === "new") return <NewSignatureRequest />;
  return props.request ? <StaffSignatureRequest key={props.request} requestId={props.request} /> : <SignatureRequestList />;
}

function SignatureRequestList() {
  const client = useStaffClient();
  const state = useAsync(() => signaturesApi(client.id).list(), [client.id]);
  return (
    <Page
      title={`${client.name}: signatures`}
      subtitle="PDFs sent for signature: the client's contacts and the firm's countersigners sign in turn."
      actions={
        <a class="button" href={clientLink(client, "signatures", "new")}>
          New signature request
        </a>
      }
    >
      <Async state={state} label="Loading the signature requests…">
        {(requests) =>
          requests.length === 0 ? (
            <Empty>No signature requests yet.</Empty>
          ) : (
            <Card>
              <div class="table-wrap">
                <table>
                  <caption class="visually-hidden">{client.name}'s signature requests</caption>
                  <thead>
                    <tr>
                      <th scope="col">Title</th>
                      <th scope="col">Document</th>
                      <th scope="col">Signed</th>
                      <th scope="col">Status</th>
                      <th scope="col">Sent</th>
                    </tr>
                  </thead>
                  <tbody>
                    {requests.map((request) => {
                      const status = statusLabel(request.status);
                      return (
                        <tr key={request.id}>
                          <td>
                            <a href={clientLink(client, "signatures", request.id)}>{request.title}</a>
                          </td>
                          <td class="break">
                            {request.file_name} <span class="muted">(version {request.document_version})</span>
                          </td>
                          <td>
                            {request.signed} of {request.signers}
                          </td>
                          <td>
                            <Badge tone={status.tone}>{status.text}</Badge>
                          </td>
                          <td>{request.created_at && <time dateTime={request.created_at}>{formatDate(request.created_at)}</time>}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            </Card>
          )
        }
      </Async>
    </Page>
  );
}

/** Someone who may be asked to sign: `contact:<sub>` or `staff:<sub>`. */
interface Person {
  value: string;
  name: string;
  label: string;
  /** Why they cannot sign (billing-only, read-only, not active). */
  refused?: string;
}

/** The client's contacts (only admins and members may sign) and the firm's active staff (the directory every member of staff may read). */
function usePeople(clientId: string) {
  const me = useMe();
  return useAsync(async (): Promise<Person[]> => {
    const [contacts, directory] = await Promise.all([
      call(api.GET("/api/clients/{id}/contacts", { params: { path: { id: clientId } } })),
      call(api.GET("/api/staff/directory")),
    ]);
    const people: Person[] = contacts.contacts
      .filter((contact) => contact.status !== "disabled")
      .map((contact) => {
        const refused =
          contact.status !== "active"
            ? "has not accepted the invitation"
            : contact.roles.includes("admin") || contact.roles.includes("member")
              ? undefined
              : contact.roles.includes("billing")
                ? "billing only, cannot sign"
                : "read-only, cannot sign";
        return { value: `contact:${contact.sub}`, name: contact.name, label: `${contact.name} (${contact.email}), client`, refused };
      });
    for (const member of directory.staff) {
      people.push({ value: `staff:${member.sub}`, name: member.name, label: `${member.name} (${member.email}), the firm${member.sub === me.sub ? " — you" : ""}` });
    }
    return people;
  }, [clientId]);
}

type Version = Schemas["Version"];

function isPdf(version: Version): boolean {
  return version.content_type.split(";")[0]!.trim().toLowerCase() === "application/pdf" || /\.pdf$/i.test(version.file_name);
}

let keys = 0;
const newKey = (prefix: string) => `${prefix}${++keys}`;

function NewSignatureRequest() {
  const client = useStaffClient();
  const location = useLocation();
  const firm = firmSignaturesApi(client.id);
  const [title, setTitle] = useState("");
  const [documentId, setDocumentId] = useState("");
  const [version, setVersion] = useState("");
  const [message, setMessage] = useState("");
  const [reminderDays, setReminderDays] = useState("");
  const [signers, setSigners] = useState<SignerDraft[]>(() => [{ key: newKey("s"), person: "", group: "1" }]);
  const [fields, setFields] = useState<FieldDraft[]>([]);
  const [placingFor, setPlacingFor] = useState("");
  const [kind, setKind] = useState<FieldKind>("signature");
  const [pages, setPages] = useState(0);
  const [problems, setProblems] = useState<Record<string, string>>({});

  const people = usePeople(client.id);
  const documents = useAsync(() => call(api.GET("/api/clients/{id}/documents", { params: { path: { id: client.id }, query: { limit: 100 } } })).then((answer) => answer.documents), [client.id]);
  const versions = useAsync(
    async () => (documentId ? (await call(api.GET("/api/clients/{id}/documents/{document}", { params: { path: { id: client.id, document: documentId } } }))).versions : []),
    [client.id, documentId],
  );
  const pdfVersions = (versions.data ?? []).filter((candidate) => candidate.status === "confirmed" && candidate.scan === "clean" && isPdf(candidate)).sort((a, b) => b.number - a.number);
  const chosenVersion = pdfVersions.find((candidate) => String(candidate.number) === version);
  const beingChecked = (versions.data ?? []).filter((candidate) => candidate.status === "confirmed" && candidate.scan === "being_checked" && isPdf(candidate));
  // The latest PDF that passed the malware check, once the document is chosen.
  useEffect(() => {
    if (!version && pdfVersions[0]) setVersion(String(pdfVersions[0].number));
  }, [versions.data]);
  // A version still being checked is offered as soon as the check is done.
  useEffect(() => {
    if (beingChecked.length === 0) return;
    const timer = window.setTimeout(versions.reload, 2000);
    return () => window.clearTimeout(timer);
  }, [versions.data]);

  const personName = (signer: SignerDraft) => people.data?.find((person) => person.value === signer.person)?.name ?? "this signer";
  const signerIndex = (key: string) => signers.findIndex((signer) => signer.key === key);
  const activeSigner = signers.find((signer) => signer.key === placingFor && signer.person) ?? signers.find((signer) => signer.person);

  const forget = (...names: string[]) => {
    if (names.some((name) => problems[name])) setProblems((previous) => Object.fromEntries(Object.entries(previous).filter(([name]) => !names.includes(name))));
  };

  const place = (page: number, box: Box) => {
    if (!activeSigner) {
      setProblems((previous) => ({ ...previous, fields: "Choose the signers first: each field belongs to one of them." }));
      return;
    }
    const field: FieldDraft = { key: newKey("f"), signer: activeSigner.key, kind, page, ...box };
    setFields((previous) => [...previous, field]);
    forget("fields");
    announce(`${KIND_LABEL[kind]} field for ${personName(activeSigner)} placed on page ${page}.`);
  };
  const update = (key: string, change: Partial<FieldDraft>) => setFields((previous) => previous.map((field) => (field.key === key ? { ...field, ...change } : field)));
  const remove = (key: string) => {
    const gone = fields.find((field) => field.key === key);
    setFields((previous) => previous.filter((field) => field.key !== key));
    if (gone) announce(`${KIND_LABEL[gone.kind]} field removed.`);
  };

  const draft = () => ({ title, documentId, version, message, reminderDays, signers, fields });
  const { submit, busy, error, formError } = useSubmit(async () => {
    const found = draftProblems(draft(), personName);
    setProblems(found);
    if (Object.keys(found).length > 0) {
      announce("Please correct the marked fields.");
      return;
    }
    const created = await firm.create(buildCreateBody(draft()));
    announce("Sent for signature. The first signers have been emailed.");
    location.route(clientLink(client, "signatures", created.signature_request.id));
  });
  const problem = (field: string, label: string) => problems[field] ?? problemFor(error, field, label);
  const signerProblem = (index: number) =>
    problems[`signers[${index}]`] ?? problemFor(error, `signers[${index}]`, "This signer") ?? problemFor(error, `signers[${index}].contact`, "This contact") ?? problemFor(error, `signers[${index}].staff`, "This member of staff");
  const placed = fields.filter((field) => signerIndex(field.signer) >= 0);

  return (
    <Page title="New signature request" subtitle={`For ${client.name}: choose a PDF, who signs in which order, and where each of them signs.`}>
      <p class="breadcrumb">
        <a href={clientLink(client, "signatures")}>Signatures</a> / New signature request
      </p>
      <Form label="New signature request" class="stack" onSubmit={() => void submit()}>
        <Card title="1. The document">
          <TextField name="title" label="Title" required maxLength={200} hint="e.g. “Engagement letter 2027”; the signers see it in the email." value={title} onValue={(value) => (setTitle(value), forget("title"))} error={problem("title", "The title")} />
          <Async state={documents} label="Loading the documents…">
            {(list) =>
              list.length === 0 ? (
                <p class="notice">This client has no documents yet. Share the PDF on the Documents tab first.</p>
              ) : (
                <div class="row">
                  <SelectField
                    name="document_id"
                    label="Document"
                    required
                    value={documentId}
                    onValue={(value) => {
                      setDocumentId(value);
                      setVersion("");
                      setFields([]);
                      setPages(0);
                      forget("document_id", "version");
                    }}
                    options={[{ value: "", label: "Choose a document" }, ...list.map((document) => ({ value: document.id, label: document.name }))]}
                    error={problem("document_id", "The document")}
                  />
                  {documentId && (
                    <Async state={versions} label="Loading its versions…">
                      {() =>
                        pdfVersions.length === 0 ? (
                          beingChecked.length > 0 ? (
                            <p class="notice" role="status">
                              Version {beingChecked[0]!.number} is being checked for malware; it can be chosen in a moment.
                            </p>
                          ) : (
                            <p class="notice warn">This document has no PDF version that passed the malware check. Choose another.</p>
                          )
                        ) : (
                          <SelectField
                            name="version"
                            label="Version"
                            required
                            value={version}
                            onValue={(value) => {
                              setVersion(value);
                              setFields([]);
                              setPages(0);
                              forget("version");
                            }}
                            options={[{ value: "", label: "Choose a version" }, ...pdfVersions.map((candidate) => ({ value: String(candidate.number), label: `Version ${candidate.number}: ${candidate.file_name}` }))]}
                            error={problem("version", "The version")}
                          />
                        )
                      }
                    </Async>
                  )}
                </div>
              )
            }
          </Async>
          <TextArea name="message" label="Message to the signers" rows={3} maxLength={4000} hint="Included in the email asking them to sign." value={message} onValue={(value) => (setMessage(value), forget("message"))} error={problem("message", "The message")} />
          <TextField
            name="reminder_days"
            type="number"
            inputMode="numeric"
            label="Remind every (days)"
            hint="Signers whose turn it is are reminded by email; 0 for no reminders. Every 3 days if left empty."
            value={reminderDays}
            onValue={(value) => (setReminderDays(value), forget("reminder_days"))}
            error={problem("reminder_days", "The reminder interval")}
          />
        </Card>

        <Card title="2. Who signs">
          <p class="hint">Lower steps sign first; signers with the same step sign at the same time. Only the client's admins and members can sign.</p>
          <ErrorMessage error={problems.signers ? new Error(problems.signers) : undefined} />
          <Async state={people} label="Loading the client's contacts and the firm's staff…">
            {(list) => (
              <ol class="list">
                {signers.map((signer, index) => (
                  <li key={signer.key} class="sig-signer-row">
                    <SelectField
                      name={`signers[${index}]`}
                      label={`Signer ${index + 1}`}
                      required
                      value={signer.person}
                      onValue={(value) => {
                        setSigners((previous) => previous.map((each) => (each.key === signer.key ? { ...each, person: value } : each)));
                        forget(`signers[${index}]`, "fields");
                      }}
                      options={[{ value: "", label: "Choose a person" }, ...list.map((person) => ({ value: person.value, label: person.refused ? `${person.label} — ${person.refused}` : person.label }))]}
                      error={signerProblem(index)}
                    />
                    <TextField
                      name={`signers[${index}].group`}
                      type="number"
                      inputMode="numeric"
                      label="Step"
                      required
                      value={signer.group}
                      onValue={(value) => {
                        setSigners((previous) => previous.map((each) => (each.key === signer.key ? { ...each, group: value } : each)));
                        forget(`signers[${index}].group`);
                      }}
                      error={problem(`signers[${index}].group`, "The step")}
                    />
                    <Button
                      kind="secondary"
                      aria-label={`Remove signer ${index + 1}`}
                      disabled={signers.length === 1}
                      onClick={() => {
                        setSigners((previous) => previous.filter((each) => each.key !== signer.key));
                        setFields((previous) => previous.filter((field) => field.signer !== signer.key));
                      }}
                    >
                      Remove
                    </Button>
                  </li>
                ))}
              </ol>
            )}
          </Async>
          <div class="actions">
            <Button kind="secondary" disabled={signers.length >= MAX_SIGNERS} onClick={() => setSigners((previous) => [...previous, { key: newKey("s"), person: "", group: nextGroup(previous) }])}>
              Add a signer
            </Button>
          </div>
        </Card>

        <Card title="3. Where they sign">
          {!chosenVersion ? (
            <p class="muted">Choose the document and its version first; its pages are shown here.</p>
          ) : (
            <>
              <div class="sig-toolbar">
                <SelectField
                  name="placing_for"
                  label="Fields for"
                  required
                  value={activeSigner?.key ?? ""}
                  onValue={setPlacingFor}
                  options={
                    signers.some((signer) => signer.person)
                      ? signers.filter((signer) => signer.person).map((signer) => ({ value: signer.key, label: `Signer ${signerIndex(signer.key) + 1}: ${personName(signer)}` }))
                      : [{ value: "", label: "Choose the signers first" }]
                  }
                />
                <SelectField
                  name="kind"
                  label="Field"
                  required
                  value={kind}
                  onValue={(value) => setKind(value as FieldKind)}
                  options={(Object.keys(KIND_LABEL) as FieldKind[]).map((each) => ({ value: each, label: each === "date" ? "Date (filled when they sign)" : KIND_LABEL[each] }))}
                />
              </div>
              <p class="hint" id="placing-help">
                Click or tap a page to place the field there. Drag a field to move it; or select it with Tab and move it with the arrow keys (Shift for larger steps), Delete removes it. Every signer needs a signature field.
              </p>
              {problem("fields", "The fields") && (
                <p class="field-error" role="alert">
                  {problem("fields", "The fields")}
                </p>
              )}
              <PdfPages
                key={`${documentId}:${version}`}
                fileName={chosenVersion.file_name}
                load={() => filesApi(client.id).preview(documentId, chosenVersion.number)}
                onReady={(count) => setPages(count)}
                onPlace={(page, point) => place(page, dropAt(kind, point))}
                overlay={(page) =>
                  placed
                    .filter((field) => field.page === page)
                    .map((field) => (
                      <PlacedField
                        key={field.key}
                        field={field}
                        colour={signerIndex(field.signer) % 10}
                        owner={personName(signers[signerIndex(field.signer)]!)}
                        onMove={(box) => update(field.key, box)}
                        onRemove={() => remove(field.key)}
                      />
                    ))
                }
              />
              <h3 class="sig-keyboard">Placed fields ({placed.length})</h3>
              {placed.length === 0 ? (
                <Empty>No fields yet.</Empty>
              ) : (
                <ul class="list sig-fields-list">
                  {placed.map((field, index) => {
                    const owner = signers[signerIndex(field.signer)]!;
                    const fieldError = ["page", "x", "y", "width", "height", "signer", "kind", "label"].map((name) => problem(`fields[${index}].${name}`, name === "x" || name === "y" ? "Its position" : "It")).find(Boolean);
                    return (
                      <li key={field.key}>
                        <span>
                          <span class={`sig-swatch sig-colour-${signerIndex(field.signer) % 10}`} aria-hidden="true" />
                          {KIND_LABEL[field.kind]} for {personName(owner)}, page {field.page}, {Math.round(field.x * 100)}% from the left, {Math.round(field.y * 100)}% from the top
                        </span>
                        {field.kind === "text" && (
                          <TextField name={`fields[${index}].label`} label="Label shown to the signer" maxLength={80} value={field.label ?? ""} onValue={(value) => update(field.key, { label: value })} />
                        )}
                        <Button kind="secondary" aria-label={`Remove the ${KIND_LABEL[field.kind].toLowerCase()} field for ${personName(owner)} on page ${field.page}`} onClick={() => remove(field.key)}>
                          Remove
                        </Button>
                        {fieldError && (
                          <p class="field-error" role="alert">
                            {fieldError}
                          </p>
                        )}
                      </li>
                    );
                  })}
                </ul>
              )}
              <KeyboardPlacement pages={pages} kind={kind} disabled={!activeSigner} onAdd={(page, box) => place(page, box)} />
            </>
          )}
        </Card>

        <ErrorMessage error={formError} />
        <div class="actions">
          <Button type="submit" busy={busy}>
            Send for signature
          </Button>
          <a class="button secondary" href={clientLink(client, "signatures")}>
            Cancel
          </a>
        </div>
      </Form>
    </Page>
  );
}

/** A field on a page that the firm moves by dragging or with the arrow keys, and removes. */
function PlacedField(props: { field: FieldDraft; colour: number; owner: string; onMove: (box: Box) => void; onRemove: () => void }) {
  const { field } = props;
  const [drag, setDrag] = useState<{ id: number; x: number; y: number; box: Box; rect: DOMRect }>();
  const name = `${KIND_LABEL[field.kind]} for ${props.owner}`;
  return (
    <div
      class={`sig-field movable sig-colour-${props.colour}`}
      style={boxStyle(field)}
      tabIndex={0}
      role="group"
      aria-label={`${name}, page ${field.page}, ${Math.round(field.x * 100)}% from the left, ${Math.round(field.y * 100)}% from the top`}
      aria-describedby="placing-help"
      data-field={field.kind}
      onPointerDown={(event) => {
        if ((event.target as HTMLElement).closest("button") || (event.pointerType === "mouse" && event.button !== 0)) return;
        const layer = (event.currentTarget as HTMLElement).parentElement;
        if (!layer) return;
        event.preventDefault();
        (event.currentTarget as HTMLElement).setPointerCapture?.(event.pointerId);
        (event.currentTarget as HTMLElement).focus({ preventScroll: true });
        setDrag({ id: event.pointerId, x: event.clientX, y: event.clientY, box: field, rect: layer.getBoundingClientRect() });
      }}
      onPointerMove={(event) => {
        if (!drag || drag.id !== event.pointerId) return;
        props.onMove(dragBy(drag.box, event.clientX - drag.x, event.clientY - drag.y, drag.rect));
      }}
      onPointerUp={() => setDrag(undefined)}
      onPointerCancel={() => setDrag(undefined)}
      onKeyDown={(event) => {
        const step = event.shiftKey ? 0.05 : 0.01;
        const moves: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
        const move = moves[event.key];
        if (move) {
          event.preventDefault();
          props.onMove(moveBy(field, move[0], move[1]));
        } else if (event.key === "Delete" || event.key === "Backspace") {
          event.preventDefault();
          props.onRemove();
        }
      }}
    >
      <span class="sig-field-text">
        {KIND_LABEL[field.kind]}: {props.owner}
      </span>
      <button type="button" class="sig-field-remove" aria-label={`Remove the ${name}`} onClick={props.onRemove}>
        ×
      </button>
    </div>
  );
}

/** Placing a field without a pointer: a page and a position in percent. */
function KeyboardPlacement(props: { pages: number; kind: FieldKind; disabled: boolean; onAdd: (page: number, box: Box) => void }) {
  const [page, setPage] = useState("1");
  const [left, setLeft] = useState("10");
  const [top, setTop] = useState("80");
  const [problems, setProblems] = useState<Record<string, string>>({});
  const add = () => {
    const found: Record<string, string> = {};
    const number = Number(page);
    if (!Number.isInteger(number) || number < 1 || (props.pages > 0 && number > props.pages)) found.page = `Give a page from 1 to ${props.pages || 1}.`;
    const x = Number(left);
    const y = Number(top);
    if (left.trim() === "" || !Number.isFinite(x) || x < 0 || x > 100) found.left = "Give a percentage from 0 to 100.";
    if (top.trim() === "" || !Number.isFinite(y) || y < 0 || y > 100) found.top = "Give a percentage from 0 to 100.";
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    const size = dropAt(props.kind, { x: 0.5, y: 0.5 });
    props.onAdd(number, clampBox({ ...size, x: x / 100, y: y / 100 }));
  };
  return (
    <fieldset class="sig-keyboard">
      <legend>Add a field by position</legend>
      <p class="hint">The field's top-left corner, in percent of the page from its top-left corner. It is added for the signer and kind chosen above.</p>
      <div class="row">
        <TextField name="field_page" type="number" inputMode="numeric" label="Page" required value={page} onValue={setPage} error={problems.page} />
        <TextField name="field_left" type="number" inputMode="decimal" label="From the left (%)" required value={left} onValue={setLeft} error={problems.left} />
        <TextField name="field_top" type="number" inputMode="decimal" label="From the top (%)" required value={top} onValue={setTop} error={problems.top} />
      </div>
      <Button kind="secondary" disabled={props.disabled} onClick={add}>
        Add the field
      </Button>
    </fieldset>
  );
}

function StaffSignatureRequest(props: { requestId: string }) {
  const client = useStaffClient();
  const calls = signaturesApi(client.id);
  const [signed, setSigned] = useState<Signed>();
  const state = useAsync(() => calls.get(props.requestId), [client.id, props.requestId]);
  return (
    <Async state={state} label="Loading the signature request…">
      {(detail) => {
        const request = detail.signature_request;
        const status = statusLabel(request.status);
        return (
          <Page title={request.title} subtitle={<Badge tone={status.tone}>{status.text}</Badge>}>
            <p class="breadcrumb">
              <a href={clientLink(client, "signatures")}>Signatures</a> / {request.title}
            </p>
            {signed && (
              <p class="notice good" role="status">
                You signed. {signed.status === "completed" ? "Everyone has signed; the signed PDF is ready." : "The next signers are asked now."}
              </p>
            )}
            <RequestSummary request={request} documentHref={clientLink(client, "documents", request.document_id)} requestedBy={(request as { requested_by_email?: string }).requested_by_email} />
            <Ended request={request} />
            {request.status === "completed" && <SignedPdf request={request} calls={calls} />}
            {request.status === "sealing" && (
              <p class="notice" role="status">
                Everyone has signed; the signed PDF is being made.{" "}
                <button type="button" class="button link" onClick={state.reload}>
                  Check again
                </button>
              </p>
            )}
            <StaffSigners request={request} me={detail.me?.signer} onChanged={state.reload} />
            {request.status === "in_progress" && <StaffActions request={request} onChanged={state.reload} />}
            {detail.me?.my_turn && request.status === "in_progress" && (
              <SigningView
                detail={detail}
                calls={calls}
                onSigned={(answer) => {
                  setSigned(answer);
                  state.reload();
                }}
                onDeclined={state.reload}
              />
            )}
            {!detail.me?.my_turn && <ShowPages request={request} />}
            <Steps request={request} />
          </Page>
        );
      }}
    </Async>
  );
}

function ShowPages(props: { request: SignatureRequest }) {
  const client = useStaffClient();
  const [shown, setShown] = useState(false);
  return (
    <Card title="The pages and their fields">
      {shown ? (
        <PdfPages fileName={props.request.file_name} load={() => signaturesApi(client.id).document(props.request.id)} overlay={(page) => <FieldsOverlay request={props.request} page={page} />} />
      ) : (
        <Button kind="secondary" onClick={() => setShown(true)}>
          Show the pages
        </Button>
      )}
    </Card>
  );
}

function StaffSigners(props: { request: SignatureRequest; me?: string; onChanged: () => void }) {
  const [replacing, setReplacing] = useState<string>();
  const open = props.request.status === "in_progress";
  return (
    <>
      <SignerList
        request={props.request}
        me={props.me}
        actions={(signer) =>
          open && signer.state !== "signed" && signer.state !== "declined" ? (
            replacing === signer.id ? (
              <ReplaceSigner request={props.request} signer={signer.id} name={signer.name} onDone={() => (setReplacing(undefined), props.onChanged())} onCancel={() => setReplacing(undefined)} />
            ) : (
              <Button kind="secondary" aria-label={`Replace ${signer.name}`} onClick={() => setReplacing(signer.id)}>
                Replace
              </Button>
            )
          ) : null
        }
      />
    </>
  );
}

function ReplaceSigner(props: { request: SignatureRequest; signer: string; name: string; onDone: () => void; onCancel: () => void }) {
  const client = useStaffClient();
  const people = usePeople(client.id);
  const [person, setPerson] = useState("");
  const [problem, setProblem] = useState<string>();
  const { submit, busy, error, formError } = useSubmit(async () => {
    if (!person) {
      setProblem("Choose who signs instead.");
      return;
    }
    await firmSignaturesApi(client.id).replace(props.request.id, props.signer, person);
    announce(`${props.name} was replaced.`);
    props.onDone();
  });
  const taken = new Set(props.request.signers.map((signer) => `${signer.kind}:${signer.sub ?? ""}`));
  const serverProblem = ["with", "with.contact", "with.staff", "contact", "staff", "signer"].map((field) => problemFor(error, field, "This person")).find(Boolean);
  return (
    <Async state={people} label="Loading the people…">
      {(list) => (
        <Form label={`Replace ${props.name}`} class="stack" onSubmit={() => void submit()}>
          <SelectField
            name="replacement"
            label={`Instead of ${props.name}`}
            required
            value={person}
            onValue={(value) => (setPerson(value), setProblem(undefined))}
            options={[{ value: "", label: "Choose a person" }, ...list.filter((each) => !each.refused && !taken.has(each.value)).map((each) => ({ value: each.value, label: each.label }))]}
            error={problem ?? serverProblem}
          />
          <ErrorMessage error={serverProblem ? undefined : formError} />
          <div class="row">
            <Button type="submit" busy={busy}>
              Replace
            </Button>
            <Button kind="secondary" onClick={props.onCancel}>
              Keep {props.name}
            </Button>
          </div>
        </Form>
      )}
    </Async>
  );
}

function StaffActions(props: { request: SignatureRequest; onChanged: () => void }) {
  const client = useStaffClient();
  const firm = firmSignaturesApi(client.id);
  const [reminded, setReminded] = useState<number>();
  const [cancelling, setCancelling] = useState(false);
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<string>();
  const remind = useSubmit(async () => {
    const answer = await firm.remind(props.request.id);
    setReminded(answer.reminded);
    announce(`Reminder sent to ${answer.reminded} ${answer.reminded === 1 ? "signer" : "signers"}.`);
    props.onChanged();
  });
  const cancel = useSubmit(async () => {
    if (!reason.trim()) {
      setProblem("Say why, for the signers and the trail.");
      return;
    }
    await firm.cancel(props.request.id, reason.trim());
    announce("The request was cancelled.");
    props.onChanged();
  });
  return (
    <Card title="Follow up">
      <p>Remind the signers whose turn it is (at most once an hour), or cancel the request.</p>
      <div class="actions">
        <Button kind="secondary" busy={remind.busy} onClick={() => void remind.submit()}>
          Remind
        </Button>
        {!cancelling && (
          <Button kind="danger" onClick={() => setCancelling(true)}>
            Cancel the request…
          </Button>
        )}
      </div>
      {reminded !== undefined && (
        <p class="hint" role="status">
          Reminder sent to {reminded} {reminded === 1 ? "signer" : "signers"}.
        </p>
      )}
      <ErrorMessage error={remind.error} />
      {cancelling && (
        <Form label="Cancel the request" class="stack" onSubmit={() => void cancel.submit()}>
          <TextArea
            name="reason"
            label="Why is it cancelled?"
            hint="The signers who were asked are told it is no longer needed."
            required
            rows={3}
            maxLength={2000}
            value={reason}
            onValue={(value) => (setReason(value), setProblem(undefined))}
            error={problem ?? problemFor(cancel.error, "reason", "The reason")}
          />
          <ErrorMessage error={cancel.formError} />
          <div class="row">
            <Button kind="danger" type="submit" busy={cancel.busy}>
              Cancel the request
            </Button>
            <Button kind="secondary" onClick={() => setCancelling(false)}>
              Keep it
            </Button>
          </div>
        </Form>
      )}
    </Card>
  );
}

function Steps(props: { request: SignatureRequest }) {
  const steps = props.request.steps ?? [];
  if (steps.length === 0) return null;
  return (
    <Card title="Steps">
      <ol class="sig-steps">
        {steps.map((step, index) => (
          <li key={index}>
            <time dateTime={step.at}>{formatDateTime(step.at)}</time>: {step.by} {step.what}
          </li>
        ))}
      </ol>
    </Card>
  );
}
