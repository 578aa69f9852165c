// Approvals and electronic signatures. A contact sees what is to be approved (a document
// version with its SHA-256, a milestone or a statement), reads the terms first, agrees to sign
// electronically, types their full name and decides; a completed signature has a certificate
// they can view and download.
import { useState } from "preact/hooks";
import { api, call, type Schemas } from "../../api/client";
import { PreviewButton } from "../../components/Preview";
import { announce } from "../../lib/announce";
import { filesApi, isPreviewableName } from "../../lib/files";
import { formatDate, formatDateTime } from "../../lib/format";
import { canAct, link, useMe, useScope } from "../../state";
import { Async, Badge, Button, Card, Checkbox, Empty, ErrorMessage, Form, Page, TextArea, TextField, useAsync, useSubmit } from "../../components/ui";

export type Approval = Schemas["Approval"];
export type ApprovalDetailData = Schemas["ApprovalDetail"];
export type Certificate = Schemas["Certificate"];
export type Choice = "approve" | "request_changes" | "reject";

export function approvalStatus(approval: Approval): { text: string; tone: "good" | "warn" | "bad" | "info" | "neutral" } {
  switch (approval.status) {
    case "pending":
      return { text: approval.signature_required ? "Signature needed" : "Decision needed", tone: "warn" };
    case "approved":
      return { text: approval.signature ? "Signed" : "Approved", tone: "good" };
    case "changes_requested":
      return { text: "Changes requested", tone: "info" };
    default:
      return { text: "Rejected", tone: "bad" };
  }
}

/** Pending first (oldest request first: it has waited longest), then decided ones, newest first. */
export function sortApprovals(approvals: Approval[]): Approval[] {
  const pending = approvals.filter((approval) => approval.status === "pending").sort((a, b) => a.created_at.localeCompare(b.created_at));
  const decided = approvals.filter((approval) => approval.status !== "pending").sort((a, b) => b.updated_at.localeCompare(a.updated_at));
  return [...pending, ...decided];
}

/** The API keeps SHA-256 in base64 (as S3 does); people compare the hex `sha256sum` prints. */
export function sha256Hex(base64: string): string {
  try {
    return Array.from(atob(base64), (char) => char.charCodeAt(0).toString(16).padStart(2, "0")).join("");
  } catch {
    return base64;
  }
}

export function subjectSummary(subject: Approval["subject"]): string {
  if (subject.kind === "document_version") return `${subject.file_name}, version ${subject.number}`;
  if (subject.kind === "milestone") return `Milestone: ${subject.title}`;
  return subject.text;
}

export function Approvals() {
  const scope = useScope();
  const state = useAsync(async () => {
    const answer = scope.clientId ? await call(api.GET("/api/clients/{id}/approvals", { params: { path: { id: scope.clientId } } })) : await call(api.GET("/api/approvals"));
    return sortApprovals(answer.approvals);
  }, [scope.clientId]);
  return (
    <Page title="Approvals" subtitle="What the firm has asked you to approve or sign.">
      <Async state={state} label="Loading your approvals…">
        {(approvals) => {
          if (approvals.length === 0) return <Empty>Nothing has been sent for your approval yet.</Empty>;
          const pending = approvals.filter((approval) => approval.status === "pending");
          const decided = approvals.filter((approval) => approval.status !== "pending");
          return (
            <>
              <Card title={`Waiting for you (${pending.length})`}>
                {pending.length === 0 ? <Empty>Nothing is waiting for your decision.</Empty> : <ApprovalList approvals={pending} />}
              </Card>
              {decided.length > 0 && (
                <Card title="Decided">
                  <ApprovalList approvals={decided} />
                </Card>
              )}
            </>
          );
        }}
      </Async>
    </Page>
  );
}

function ApprovalList(props: { approvals: Approval[] }) {
  const scope = useScope();
  return (
    <ul class="list">
      {props.approvals.map((approval) => {
        const status = approvalStatus(approval);
        return (
          <li key={approval.id}>
            <a href={link(scope, `/approvals/${approval.id}`)}>{approval.title}</a>
            <Badge tone={status.tone}>{status.text}</Badge>
            <span class="muted clamp">{subjectSummary(approval.subject)}</span>
            <span class="muted">
              {approval.status === "pending" ? "Requested" : "Decided"} <time dateTime={approval.status === "pending" ? approval.created_at : approval.updated_at}>{formatDate(approval.status === "pending" ? approval.created_at : approval.updated_at)}</time>
            </span>
          </li>
        );
      })}
    </ul>
  );
}

export function ApprovalDetail(props: { approval: string }) {
  const scope = useScope();
  const me = useMe();
  const [justSigned, setJustSigned] = useState(false);
  const state = useAsync(
    () =>
      scope.clientId
        ? call(api.GET("/api/clients/{id}/approvals/{approval}", { params: { path: { id: scope.clientId, approval: props.approval } } }))
        : call(api.GET("/api/approvals/{approval}", { params: { path: { approval: props.approval } } })),
    [scope.clientId, props.approval],
  );
  return (
    <Async state={state} label="Loading the approval…">
      {(detail) => {
        const { approval } = detail;
        const status = approvalStatus(approval);
        const mayDecide = approval.status === "pending" && !scope.readOnly && canAct(me) && me.kind === "client";
        return (
          <Page title={approval.title} subtitle={<Badge tone={status.tone}>{status.text}</Badge>}>
            <p class="breadcrumb">
              <a href={link(scope, "/approvals")}>Approvals</a> / {approval.title}
            </p>
            <ApprovalSubject approval={approval} />
            {approval.terms && <Terms terms={approval.terms} />}
            {approval.status === "pending" ? (
              mayDecide ? (
                <DecisionForm
                  detail={detail}
                  onDecided={(decided) => {
                    setJustSigned(decided.status === "approved" && Boolean(decided.signature));
                    state.reload();
                  }}
                />
              ) : (
                <p class="notice">{scope.readOnly ? "The client's contacts decide here." : "Your role can see this approval but not decide it. Ask an admin or member of your organisation."}</p>
              )
            ) : (
              <DecisionSummary approval={approval} />
            )}
            {approval.status === "approved" && approval.signature && <CertificatePanel approval={approval} clientId={scope.clientId} showAtOnce={justSigned} />}
          </Page>
        );
      }}
    </Async>
  );
}

/** What is approved: the exact document version and its fingerprint, a milestone or a statement. */
export function ApprovalSubject(props: { approval: Approval; documentHref?: string; projectHref?: string; staff?: boolean; clientId?: string }) {
  const scope = useScope();
  const subject = props.approval.subject;
  const clientId = props.clientId ?? scope.clientId;
  return (
    <Card title={props.approval.status !== "pending" ? "What this approval is about" : props.staff ? "What the client is asked to approve" : "What you are asked to approve"}>
      {subject.kind === "document_version" && (
        <dl class="kv">
          <dt>Document</dt>
          <dd>
            <a href={props.documentHref ?? link(scope, `/documents/${subject.document_id}`)}>{subject.file_name}</a>
            {isPreviewableName(subject.file_name) && (
              <>
                {" "}
                <PreviewButton
                  label={`Preview ${subject.file_name}, version ${subject.number}`}
                  fileName={subject.file_name}
                  load={() => filesApi(clientId).preview(subject.document_id, subject.number)}
                />
              </>
            )}
          </dd>
          <dt>Version</dt>
          <dd>{subject.number}</dd>
          <dt>SHA-256</dt>
          <dd>
            <code class="hash">{sha256Hex(subject.sha256)}</code>
            <p class="hint">
              The file’s fingerprint: the file you open from the document page must give this same value (for example with <code>sha256sum</code>).
            </p>
          </dd>
        </dl>
      )}
      {subject.kind === "milestone" && (
        <dl class="kv">
          <dt>Milestone</dt>
          <dd>{subject.title}</dd>
          <dt>Project</dt>
          <dd>
            <a href={props.projectHref ?? link(scope, `/projects/${subject.project_id}`)}>Open the project</a>
          </dd>
        </dl>
      )}
      {subject.kind === "statement" && <blockquote class="statement">{subject.text}</blockquote>}
      <p class="muted">
        Requested by {props.approval.requested_by_email} on <time dateTime={props.approval.created_at}>{formatDate(props.approval.created_at)}</time>
        {props.approval.signature_required ? (props.approval.status !== "pending" ? " · with a typed signature" : props.staff ? " · needs the client’s typed signature" : " · needs your typed signature") : ""}
      </p>
    </Card>
  );
}

/** The terms, in a scrollable box the keyboard can scroll too. */
export function Terms(props: { terms: string }) {
  return (
    <Card title="Terms">
      <div class="terms" tabIndex={0} role="region" aria-label="Terms text (scrolls)">
        {props.terms}
      </div>
    </Card>
  );
}

export interface SignatureInput {
  decision: Choice;
  signatureRequired: boolean;
  consent: boolean;
  typedName: string;
  comment: string;
}

/**
 * What is wrong with a decision before it is sent, by field (the same rules as the server:
 * a signature needs the consent and a typed full name of at most 200 characters without
 * control characters; rejecting or asking for changes needs a comment).
 */
export function decisionProblems(input: SignatureInput): Record<string, string> {
  const problems: Record<string, string> = {};
  if (input.decision === "approve" && input.signatureRequired) {
    if (!input.consent) problems.consent = "Tick the box to agree to sign electronically.";
    const name = input.typedName.trim();
    if (!name) problems.typed_name = "Type your full name to sign.";
    // eslint-disable-next-line no-control-regex
    else if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) problems.typed_name = "Your name must not contain control characters.";
    else if ([...name].length > 200) problems.typed_name = "Your name must be at most 200 characters.";
    else if ([...name].length < 2) problems.typed_name = "Type your full name, as you would sign it.";
  }
  if (input.decision !== "approve" && !input.comment.trim()) {
    problems.comment = input.decision === "reject" ? "Say why you reject it, so the firm can act on it." : "Say what should change, so the firm can act on it.";
  }
  if (input.comment.length > 4000) problems.comment = "The comment must be at most 4,000 characters.";
  return problems;
}

export function DecisionForm(props: { detail: ApprovalDetailData; onDecided: (approval: Approval) => void }) {
  const { approval, consent } = props.detail;
  const signature = approval.signature_required;
  const [agreed, setAgreed] = useState(false);
  const [typedName, setTypedName] = useState("");
  const [comment, setComment] = useState("");
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [chosen, setChosen] = useState<Choice>();
  const { submit, busy, fieldError, formError } = useSubmit(async (decision: Choice) => {
    setChosen(decision);
    const found = decisionProblems({ decision, signatureRequired: signature, consent: agreed, typedName, comment });
    setProblems(found);
    if (Object.keys(found).length > 0) {
      announce("Please correct the marked fields.");
      return;
    }
    const decided = await call(
      api.POST("/api/approvals/{approval}/decide", {
        params: { path: { approval: approval.id } },
        body: {
          decision,
          comment: comment.trim() || null,
          ...(decision === "approve" && signature ? { typed_name: typedName.trim(), consent: agreed } : {}),
        },
      }),
    );
    announce(decision === "approve" ? (signature ? "Signed. Your certificate is ready." : "Approved.") : decision === "reject" ? "Rejected." : "Changes requested.");
    props.onDecided(decided);
  });
  const error = (field: string) => problems[field] ?? fieldError(field);
  return (
    <Card title={signature ? "Sign" : "Your decision"}>
      <Form label={signature ? "Sign or decide" : "Decide"} class="stack decision-form" onSubmit={() => void submit("approve")}>
        {signature && (
          <>
            <p>Read the terms above first. To sign, agree to sign electronically and type your full name; it is recorded with the time, your address and your browser.</p>
            <Checkbox
              name="consent"
              label={consent.text}
              hint={consent.given ? "You agreed to this before; tick it again to confirm it for this signature." : `Consent version ${consent.version}.`}
              checked={agreed}
              onChecked={(value) => {
                setAgreed(value);
                if (problems.consent) setProblems(({ consent: _gone, ...rest }) => rest);
              }}
              error={error("consent")}
            />
            <TextField
              name="typed_name"
              label="Type your full name to sign"
              autoComplete="name"
              required
              maxLength={200}
              value={typedName}
              onValue={(value) => {
                setTypedName(value);
                if (problems.typed_name) setProblems(({ typed_name: _gone, ...rest }) => rest);
              }}
              error={error("typed_name")}
            />
            {typedName.trim() && (
              <p class="typed-signature" aria-hidden="true">
                {typedName.trim()}
              </p>
            )}
          </>
        )}
        <TextArea
          name="comment"
          label="Comment"
          hint="Needed if you request changes or reject: say what should change or why."
          rows={3}
          maxLength={4000}
          value={comment}
          onValue={(value) => {
            setComment(value);
            if (problems.comment) setProblems(({ comment: _gone, ...rest }) => rest);
          }}
          error={error("comment")}
        />
        <ErrorMessage error={formError} />
        <div class="actions">
          <Button type="submit" busy={busy && chosen === "approve"} disabled={busy}>
            {signature ? "Sign and approve" : "Approve"}
          </Button>
          <Button kind="secondary" busy={busy && chosen === "request_changes"} disabled={busy} onClick={() => void submit("request_changes")}>
            Request changes
          </Button>
          <Button kind="danger" busy={busy && chosen === "reject"} disabled={busy} onClick={() => void submit("reject")}>
            Reject
          </Button>
        </div>
      </Form>
    </Card>
  );
}

export function DecisionSummary(props: { approval: Approval }) {
  const { approval } = props;
  const decision = approval.decision;
  const status = approvalStatus(approval);
  return (
    <Card title="Decision">
      <dl class="kv">
        <dt>Outcome</dt>
        <dd>
          <Badge tone={status.tone}>{status.text}</Badge>
        </dd>
        {decision && (
          <>
            <dt>By</dt>
            <dd>{decision.by_email}</dd>
            <dt>When</dt>
            <dd>
              <time dateTime={decision.at}>{formatDateTime(decision.at)}</time>
            </dd>
            {decision.comment && (
              <>
                <dt>Comment</dt>
                <dd class="preserve">{decision.comment}</dd>
              </>
            )}
          </>
        )}
        {approval.signature && (
          <>
            <dt>Signed as</dt>
            <dd class="typed-signature">{approval.signature.typed_name}</dd>
          </>
        )}
      </dl>
    </Card>
  );
}

/** Saves text as a file the browser downloads. */
export function saveFile(text: string, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.download = fileName;
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function readCertificate(approval: string, clientId?: string): Promise<Certificate> {
  const certificate = await (clientId
    ? call(api.GET("/api/clients/{id}/approvals/{approval}/certificate", { params: { path: { id: clientId, approval } } }))
    : call(api.GET("/api/approvals/{approval}/certificate", { params: { path: { approval } } })));
  if (typeof certificate === "string") throw new Error("The certificate could not be read. Please try again.");
  return certificate;
}

async function certificatePage(approval: string, clientId?: string): Promise<string> {
  const query = { format: "html" as const };
  return clientId
    ? call(api.GET("/api/clients/{id}/approvals/{approval}/certificate", { params: { path: { id: clientId, approval }, query }, parseAs: "text" }))
    : call(api.GET("/api/approvals/{approval}/certificate", { params: { path: { approval }, query }, parseAs: "text" }));
}

/** The signing certificate: shown on request (each view is recorded), and as a file to keep. */
export function CertificatePanel(props: { approval: Approval; clientId?: string; showAtOnce?: boolean }) {
  const [shown, setShown] = useState(Boolean(props.showAtOnce));
  const view = useAsync(async () => (shown ? readCertificate(props.approval.id, props.clientId) : undefined), [shown, props.approval.id, props.clientId]);
  const download = useSubmit(async () => {
    const page = await certificatePage(props.approval.id, props.clientId);
    saveFile(page, `signing-certificate-${props.approval.id}.html`, "text/html");
    announce("The certificate was downloaded.");
  });
  return (
    <Card title="Signing certificate" class="certificate-card">
      <p>The certificate records who signed, when, from where, the consent they gave and, for a document, the exact file’s fingerprint.</p>
      <div class="actions">
        {!shown && (
          <Button kind="secondary" onClick={() => setShown(true)}>
            Show the certificate
          </Button>
        )}
        <Button busy={download.busy} onClick={() => void download.submit()}>
          Download certificate
        </Button>
      </div>
      <ErrorMessage error={download.error} />
      {shown && <Async state={view} label="Loading the certificate…">{(certificate) => (certificate ? <CertificateView certificate={certificate} /> : null)}</Async>}
    </Card>
  );
}

export function CertificateView(props: { certificate: Certificate }) {
  const c = props.certificate;
  return (
    <div class="certificate">
      <dl class="kv">
        <dt>Certificate</dt>
        <dd>
          <code>{c.certificate}</code>
        </dd>
        <dt>Issued by</dt>
        <dd>{c.issuer}</dd>
        <dt>Client</dt>
        <dd>{c.client.name}</dd>
        <dt>Approval</dt>
        <dd>{c.approval.title}</dd>
        {c.document && (
          <>
            <dt>Document</dt>
            <dd>
              {c.document.file_name}, version {c.document.version}
            </dd>
            <dt>SHA-256</dt>
            <dd>
              <code class="hash">{c.document.sha256_hex}</code>
            </dd>
          </>
        )}
        <dt>Signed by (typed name)</dt>
        <dd class="typed-signature">{c.signer.typed_name}</dd>
        <dt>Signer’s email</dt>
        <dd>{c.signer.email}</dd>
        <dt>Signed at</dt>
        <dd>{c.signed_at && <time dateTime={c.signed_at}>{formatDateTime(c.signed_at)} ({c.signed_at} UTC)</time>}</dd>
        <dt>IP address</dt>
        <dd>{c.ip}</dd>
        <dt>Browser</dt>
        <dd class="clamp">{c.user_agent}</dd>
        <dt>Consent to sign electronically</dt>
        <dd>
          {c.consent.text}
          {c.consent.given_at && (
            <span class="muted">
              {" "}
              (given <time dateTime={c.consent.given_at}>{formatDateTime(c.consent.given_at)}</time>, version {c.consent.version})
            </span>
          )}
        </dd>
      </dl>
      {c.document && (
        <p class="hint">
          To check a copy of the file: compute its SHA-256 (for example with <code>sha256sum</code>); it must equal the SHA-256 above.
        </p>
      )}
    </div>
  );
}
