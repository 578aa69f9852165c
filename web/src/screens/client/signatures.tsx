// Signature requests as a signer sees them: the list (what waits for the reader's signature
// first), and one request: its pages with the reader's fields highlighted (the others' dimmed),
// the signature pad, initials and text fields, the consent, the code mailed to them, Sign; or
// Decline with a reason. The firm's countersigners use the same view (SigningView) on the
// firm's routes.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { PdfPages } from "../../components/PdfPages";
import { SignaturePad } from "../../components/SignaturePad";
import { announce } from "../../lib/announce";
import { formatDate, formatDateTime } from "../../lib/format";
import { problemFor, said } from "../../lib/problems";
import {
  KIND_LABEL,
  buildSignBody,
  fieldName,
  initialsOf,
  signaturesApi,
  signedAt,
  signerState,
  signingProblems,
  signingSteps,
  statusLabel,
  type Box,
  type SignatureRequest,
  type SignatureRequestDetail,
  type SignatureRequestSummary,
  type SignaturesApi,
  type Signed,
} from "../../lib/signatures";
import { canAct, link, useMe, useScope } from "../../state";
import { Async, Badge, Button, Card, Checkbox, Empty, ErrorMessage, Form, Page, TextArea, TextField, useAsync, useSubmit } from "../../components/ui";
import { DownloadButton } from "./documents";

/** A field's box as CSS, in percent of its page. */
export function boxStyle(box: Box): Record<string, string> {
  return { left: `${box.x * 100}%`, top: `${box.y * 100}%`, width: `${box.width * 100}%`, height: `${box.height * 100}%` };
}

/** Waiting for the reader first (oldest first), then under way, then the rest (newest first). */
export function sortRequests(requests: SignatureRequestSummary[]): SignatureRequestSummary[] {
  const rank = (request: SignatureRequestSummary) => (request.my_turn ? 0 : request.status === "in_progress" || request.status === "sealing" ? 1 : 2);
  return [...requests].sort((a, b) => rank(a) - rank(b) || (rank(a) === 0 ? (a.created_at ?? "").localeCompare(b.created_at ?? "") : (b.updated_at ?? "").localeCompare(a.updated_at ?? "")));
}

export function Signatures() {
  const scope = useScope();
  const state = useAsync(() => signaturesApi(scope.clientId).list().then(sortRequests), [scope.clientId]);
  return (
    <Page title="Signatures" subtitle="Documents the firm has asked you and others to sign.">
      <Async state={state} label="Loading the signature requests…">
        {(requests) => {
          if (requests.length === 0) return <Empty>Nothing has been sent for signature yet.</Empty>;
          const mine = requests.filter((request) => request.my_turn);
          const rest = requests.filter((request) => !request.my_turn);
          return (
            <>
              {!scope.clientId && <Card title={`Waiting for your signature (${mine.length})`}>{mine.length === 0 ? <Empty>Nothing is waiting for your signature.</Empty> : <RequestList requests={mine} />}</Card>}
              {rest.length > 0 && (
                <Card title={scope.clientId ? "Signature requests" : "Other requests"}>
                  <RequestList requests={rest} />
                </Card>
              )}
            </>
          );
        }}
      </Async>
    </Page>
  );
}

function RequestList(props: { requests: SignatureRequestSummary[] }) {
  const scope = useScope();
  return (
    <ul class="list">
      {props.requests.map((request) => {
        const status = request.my_turn ? { text: "Your signature is needed", tone: "warn" as const } : statusLabel(request.status);
        return (
          <li key={request.id}>
            <a href={link(scope, `/signatures/${request.id}`)}>{request.title}</a>
            <Badge tone={status.tone}>{status.text}</Badge>
            <span class="muted clamp">
              {request.file_name} · signed by {request.signed} of {request.signers}
            </span>
            {request.created_at && (
              <span class="muted">
                Sent <time dateTime={request.created_at}>{formatDate(request.created_at)}</time>
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}

export function SignatureRequestPage(props: { request: string }) {
  const scope = useScope();
  const me = useMe();
  const calls = signaturesApi(scope.clientId);
  const [signed, setSigned] = useState<Signed>();
  const state = useAsync(() => calls.get(props.request), [scope.clientId, props.request]);
  const detail = state.data;
  // While the signed PDF is being made, ask again every few seconds.
  useEffect(() => {
    if (detail?.signature_request.status !== "sealing") return;
    const timer = window.setTimeout(state.reload, 3000);
    return () => window.clearTimeout(timer);
  }, [detail]);
  return (
    <Async state={state} label="Loading the signature request…">
      {(found) => {
        const request = found.signature_request;
        const status = statusLabel(request.status);
        const mayAct = !scope.readOnly && canAct(me) && me.kind === "client";
        return (
          <Page title={request.title} subtitle={<Badge tone={status.tone}>{status.text}</Badge>}>
            <p class="breadcrumb">
              <a href={link(scope, "/signatures")}>Signatures</a> / {request.title}
            </p>
            {signed && <SignedNotice request={request} signed={signed} calls={calls} />}
            <RequestSummary request={request} documentHref={link(scope, `/documents/${request.document_id}`)} />
            <Ended request={request} />
            {!signed && request.status === "completed" && request.signed_version && <SignedPdf request={request} calls={calls} />}
            <SignerList request={request} me={found.me?.signer} />
            {found.me?.my_turn && request.status === "in_progress" && !scope.readOnly ? (
              mayAct ? (
                <SigningView
                  detail={found}
                  calls={calls}
                  onSigned={(answer) => {
                    setSigned(answer);
                    state.reload();
                  }}
                  onDeclined={state.reload}
                />
              ) : (
                <p class="notice">Your role can see this request but not sign it. Ask an admin of your organisation.</p>
              )
            ) : (
              !signed && <NotYourTurn detail={found} calls={calls} />
            )}
          </Page>
        );
      }}
    </Async>
  );
}

/** What is to be signed. */
export function RequestSummary(props: { request: SignatureRequest; documentHref?: string; requestedBy?: string }) {
  const { request } = props;
  return (
    <Card title="Document">
      <dl class="kv">
        <dt>File</dt>
        <dd>{props.documentHref ? <a href={props.documentHref}>{request.file_name}</a> : request.file_name}</dd>
        <dt>Version</dt>
        <dd>{request.document_version}</dd>
        {request.pages !== undefined && (
          <>
            <dt>Pages</dt>
            <dd>{request.pages}</dd>
          </>
        )}
        {props.requestedBy && (
          <>
            <dt>Requested by</dt>
            <dd>{props.requestedBy}</dd>
          </>
        )}
        {request.created_at && (
          <>
            <dt>Sent</dt>
            <dd>
              <time dateTime={request.created_at}>{formatDateTime(request.created_at)}</time>
            </dd>
          </>
        )}
      </dl>
      {request.message && <blockquote class="statement preserve">{request.message}</blockquote>}
    </Card>
  );
}

/** Why a request stopped (a decline, a cancellation). */
export function Ended(props: { request: SignatureRequest }) {
  const { request } = props;
  if (request.status !== "declined" && request.status !== "cancelled") return null;
  return (
    <div class="notice warn" role="note">
      <h2>{request.status === "declined" ? "Declined" : "Cancelled"}</h2>
      {request.ended ? (
        <p>
          {request.ended.by} {request.status === "declined" ? "declined" : "cancelled"} on <time dateTime={request.ended.at}>{formatDateTime(request.ended.at)}</time>: <span class="preserve">{request.ended.reason}</span>
        </p>
      ) : (
        <p>Nobody else is asked to sign it.</p>
      )}
    </div>
  );
}

/** The signers in the order they sign, and where each stands. */
export function SignerList(props: { request: SignatureRequest; me?: string; actions?: (signer: SignatureRequest["signers"][number]) => ComponentChildren }) {
  const steps = signingSteps(props.request.signers);
  return (
    <Card title="Signers">
      <ol class="list">
        {steps.map((step) =>
          step.signers.map((signer) => {
            const you = signer.id === props.me;
            const state = signerState(signer, props.request.status, you);
            const at = signedAt(signer);
            return (
              <li key={signer.id}>
                <strong>
                  {signer.name}
                  {you ? " (you)" : ""}
                </strong>
                <span class="muted">
                  {signer.email} · {signer.kind === "staff" ? "the firm" : "client"} · step {step.group}
                  {step.signers.length > 1 ? " (together)" : ""}
                </span>
                <Badge tone={state.tone}>{state.text}</Badge>
                {at && (
                  <span class="muted">
                    <time dateTime={at}>{formatDateTime(at)}</time>
                  </span>
                )}
                {props.actions?.(signer)}
              </li>
            );
          }),
        )}
      </ol>
    </Card>
  );
}

/** The signed PDF, a new version of the same document. */
export function SignedPdf(props: { request: SignatureRequest; calls: SignaturesApi }) {
  const { request } = props;
  if (!request.signed_version) return null;
  return (
    <Card title="Signed PDF" class="sig-done">
      <p>
        Everyone has signed. The signed PDF, with a certificate page and the firm's digital seal, is version {request.signed_version} of {request.file_name}.
      </p>
      {request.signed_sha256_hex && (
        <p class="hint">
          SHA-256: <code class="hash">{request.signed_sha256_hex}</code>
        </p>
      )}
      <DownloadButton label={`Download the signed PDF, version ${request.signed_version} of ${request.file_name}`} fetchLink={() => props.calls.download(request.document_id, request.signed_version!)} />
    </Card>
  );
}

function SignedNotice(props: { request: SignatureRequest; signed: Signed; calls: SignaturesApi }) {
  const { request, signed } = props;
  // The answer to the signature says it first; the request read again says it too.
  const version = request.signed_version ?? signed.signed_version ?? undefined;
  const completed = (request.status === "completed" || signed.status === "completed") && version;
  const sealing = !completed && (request.status === "sealing" || signed.status === "sealing");
  return (
    <Card title="Signed" class="sig-done">
      <p role="status">
        Thank you: you signed “{request.title}”.{" "}
        {completed ? "Everyone has signed, and the signed PDF is ready." : sealing ? "Everyone has signed; the signed PDF is being made and will be here in a moment." : "The next signers are asked now; you will get an email when everyone has signed."}
      </p>
      {completed && <DownloadButton label={`Download the signed PDF, version ${version} of ${request.file_name}`} fetchLink={() => props.calls.download(request.document_id, version)} />}
    </Card>
  );
}

function NotYourTurn(props: { detail: SignatureRequestDetail; calls: SignaturesApi }) {
  const { detail } = props;
  const [showPages, setShowPages] = useState(false);
  const mine = detail.me ? detail.signature_request.signers.find((signer) => signer.id === detail.me?.signer) : undefined;
  const open = detail.signature_request.status === "in_progress";
  return (
    <Card title="The document">
      {mine?.state === "waiting" && open && <p class="notice">It is not your turn yet: you will get an email when the signers before you have signed.</p>}
      {mine?.state === "signed" && <p>You signed this document.</p>}
      {!showPages ? (
        <Button kind="secondary" onClick={() => setShowPages(true)}>
          Show the pages
        </Button>
      ) : (
        <PdfPages fileName={detail.signature_request.file_name} load={() => props.calls.document(detail.signature_request.id)} overlay={(page) => <FieldsOverlay request={detail.signature_request} me={detail.me?.signer} page={page} />} />
      )}
    </Card>
  );
}

/** What the signer has filled in so far, shown in their fields on the pages. */
export interface SigningDraft {
  signature?: string;
  initials?: string;
  texts: Record<string, string>;
}

/** The fields of page `page`: the reader's highlighted (with what they filled in), the others' dimmed. */
export function FieldsOverlay(props: { request: SignatureRequest; me?: string; page: number; draft?: SigningDraft }) {
  const { request, draft } = props;
  const colour = new Map(request.signers.map((signer, index) => [signer.id, index % 10]));
  return (
    <>
      {request.fields
        .filter((field) => field.page === props.page)
        .map((field) => {
          const mine = field.signer === props.me;
          const signer = request.signers.find((candidate) => candidate.id === field.signer);
          const image = mine && field.kind === "signature" ? draft?.signature : mine && field.kind === "initials" ? draft?.initials : undefined;
          const text = mine && field.kind === "text" ? draft?.texts[field.id] : undefined;
          const words = mine
            ? field.kind === "signature"
              ? "Sign here"
              : field.kind === "initials"
                ? "Initials"
                : field.kind === "date"
                  ? "Date: filled when you sign"
                  : text || field.label || "Text"
            : `${KIND_LABEL[field.kind]}: ${signer?.name ?? "another signer"}`;
          return (
            <div
              key={field.id}
              class={`sig-field sig-colour-${colour.get(field.signer) ?? 0} ${mine ? "mine" : props.me ? "other" : ""} ${image ? "filled" : ""}`}
              style={boxStyle(field)}
              data-field={field.kind}
              data-mine={mine ? "true" : "false"}
            >
              {image ? <img src={`data:image/png;base64,${image}`} alt={field.kind === "signature" ? "Your signature" : "Your initials"} /> : <span class="sig-field-text">{words}</span>}
            </div>
          );
        })}
    </>
  );
}

/** The signer's turn: the pages with their fields, then the form, and declining. */
export function SigningView(props: { detail: SignatureRequestDetail; calls: SignaturesApi; onSigned: (signed: Signed) => void; onDeclined: () => void }) {
  const { detail } = props;
  const [draft, setDraft] = useState<SigningDraft>({ texts: {} });
  const request = detail.signature_request;
  return (
    <>
      <Card title="Read and sign">
        <p>Your fields are highlighted on the pages; fields for the other signers are dimmed.</p>
        <PdfPages
          fileName={request.file_name}
          load={() => props.calls.document(request.id)}
          scrollTo='.sig-field[data-mine="true"]'
          overlay={(page) => <FieldsOverlay request={request} me={detail.me?.signer} page={page} draft={draft} />}
        />
      </Card>
      <SigningForm detail={detail} calls={props.calls} onDraft={setDraft} onSigned={props.onSigned} />
      <DeclineForm request={request} calls={props.calls} onDeclined={props.onDeclined} />
    </>
  );
}

/** The signer's fields, the consent, the code and the signature: checked here, then sent. */
export function SigningForm(props: { detail: SignatureRequestDetail; calls: SignaturesApi; onSigned: (signed: Signed) => void; onDraft?: (draft: SigningDraft) => void }) {
  const { detail, calls } = props;
  const request = detail.signature_request;
  const myId = detail.me?.signer;
  const me = request.signers.find((signer) => signer.id === myId);
  const myFields = request.fields.filter((field) => field.signer === myId);
  const needsInitials = myFields.some((field) => field.kind === "initials");
  const textFields = myFields.filter((field) => field.kind === "text");
  const dateFields = myFields.filter((field) => field.kind === "date");

  const [typedName, setTypedName] = useState("");
  const [initialsText, setInitialsText] = useState<string>();
  const [signature, setSignature] = useState<string>();
  const [initials, setInitials] = useState<string>();
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [consent, setConsent] = useState(false);
  const [code, setCode] = useState("");
  const [sentTo, setSentTo] = useState<string>();
  const [problems, setProblems] = useState<Record<string, string>>({});

  useEffect(() => props.onDraft?.({ signature, initials, texts }), [signature, initials, texts]);

  const forget = (field: string) => {
    if (problems[field]) setProblems(({ [field]: _gone, ...rest }) => rest);
  };

  const askCode = useSubmit(async () => {
    const sent = await calls.code(request.id);
    setSentTo(sent.sent_to);
    forget("code");
    announce(`We emailed a code to ${sent.sent_to}.`);
  });

  const input = () => ({
    typedName,
    consent,
    signature,
    needsInitials,
    initials,
    code,
    texts: textFields.map((field, index) => ({ id: field.id, label: fieldName(field, index), required: field.required, value: texts[field.id] ?? "" })),
  });

  const { submit, busy, error, formError } = useSubmit(async () => {
    const found = signingProblems(input());
    setProblems(found);
    if (Object.keys(found).length > 0) {
      announce("Please correct the marked fields.");
      return;
    }
    const signed = await calls.sign(request.id, buildSignBody(input()));
    announce(signed.status === "completed" ? "Signed. Everyone has signed; the signed PDF is ready." : "Signed.");
    props.onSigned(signed);
  });
  const problem = (field: string, label: string) => problems[field] ?? problemFor(error, field, label);

  return (
    <Card title="Your signature">
      <Form label="Sign the document" class="stack" onSubmit={() => void submit()}>
        <p>
          {me ? `You sign as ${me.name} (${me.email}). ` : ""}Your fields: {myFields.map((field, index) => fieldName(field, index)).join(", ") || "none"}.
        </p>
        <TextField
          name="typed_name"
          label="Your full name"
          hint="As you sign it. It is recorded with your signature, the time, your address and your browser."
          autoComplete="name"
          required
          maxLength={200}
          value={typedName}
          onValue={(value) => {
            setTypedName(value);
            forget("typed_name");
          }}
          error={problem("typed_name", "Your name")}
        />
        <SignaturePad
          legend="Your signature"
          name="signature_image"
          typed={typedName}
          hint="Draw it in the box, or choose Type to write your full name in a handwriting style."
          onValue={(png) => {
            setSignature(png);
            if (png) forget("signature_image");
          }}
          error={problem("signature_image", "The signature")}
        />
        {needsInitials && (
          <SignaturePad
            legend="Your initials"
            name="initials_image"
            typed={initialsText ?? initialsOf(typedName)}
            typedControl={<TextField name="initials" label="Your initials" required maxLength={10} value={initialsText ?? initialsOf(typedName)} onValue={setInitialsText} />}
            onValue={(png) => {
              setInitials(png);
              if (png) forget("initials_image");
            }}
            error={problem("initials_image", "The initials")}
          />
        )}
        {textFields.map((field, index) => (
          <TextField
            key={field.id}
            name={`texts.${field.id}`}
            label={`${fieldName(field, index)} (page ${field.page})`}
            required={field.required}
            maxLength={200}
            value={texts[field.id] ?? ""}
            onValue={(value) => {
              setTexts((previous) => ({ ...previous, [field.id]: value }));
              forget(`texts.${field.id}`);
            }}
            error={problem(`texts.${field.id}`, fieldName(field, index))}
          />
        ))}
        {dateFields.length > 0 && (
          <p class="muted">
            {dateFields.length === 1 ? "The date field is" : `The ${dateFields.length} date fields are`} filled when you sign, with that day's date.
          </p>
        )}
        <Checkbox
          name="consent"
          label={detail.consent.text}
          hint={`Needed before your first electronic signature; ticking it again confirms it for this one (consent version ${detail.consent.version}).`}
          checked={consent}
          onChecked={(value) => {
            setConsent(value);
            forget("consent");
          }}
          error={problem("consent", "Consent")}
        />
        <div class="field">
          <p>To confirm it is you, we email you a 6-digit code; it works for 10 minutes.</p>
          <Button kind="secondary" busy={askCode.busy} onClick={() => void askCode.submit()}>
            {sentTo ? "Email me a new code" : "Email me a code"}
          </Button>
          {sentTo && (
            <p class="hint" role="status">
              We emailed a code to {sentTo}.
            </p>
          )}
          <ErrorMessage error={said(askCode.error)} />
        </div>
        <TextField
          name="code"
          label="Code from the email"
          inputMode="numeric"
          autoComplete="one-time-code"
          required
          maxLength={7}
          value={code}
          onValue={(value) => {
            setCode(value);
            forget("code");
          }}
          error={problem("code", "That code")}
        />
        <ErrorMessage error={formError} />
        <div class="actions">
          <Button type="submit" busy={busy}>
            Sign
          </Button>
        </div>
      </Form>
    </Card>
  );
}

/** Declining stops the request; the firm hears the reason. */
export function DeclineForm(props: { request: SignatureRequest; calls: SignaturesApi; onDeclined: () => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<string>();
  const { submit, busy, error, formError } = useSubmit(async () => {
    if (!reason.trim()) {
      setProblem("Say why you decline, so the firm can act on it.");
      return;
    }
    await props.calls.decline(props.request.id, reason.trim());
    announce("You declined to sign. The firm has been told.");
    props.onDeclined();
  });
  return (
    <Card title="Decline to sign">
      {!open ? (
        <>
          <p>If something is wrong with the document, you can decline; nobody else is asked to sign it and the firm is told your reason.</p>
          <Button kind="secondary" onClick={() => setOpen(true)}>
            Decline…
          </Button>
        </>
      ) : (
        <Form label="Decline to sign" class="stack" onSubmit={() => void submit()}>
          <TextArea
            name="reason"
            label="Why do you decline?"
            required
            rows={3}
            maxLength={2000}
            value={reason}
            onValue={(value) => {
              setReason(value);
              setProblem(undefined);
            }}
            error={problem ?? problemFor(error, "reason", "The reason")}
          />
          <ErrorMessage error={formError} />
          <div class="actions">
            <Button kind="danger" type="submit" busy={busy}>
              Decline
            </Button>
            <Button kind="secondary" onClick={() => setOpen(false)}>
              Keep the request
            </Button>
          </div>
        </Form>
      )}
    </Card>
  );
}
