// One client's workspace as the firm sees it: a tab per capability, plus "view as client".
import { Route, Router, useLocation } from "preact-iso";
import { useState } from "preact/hooks";
import { api, call } from "../../api/client";
import { announce } from "../../lib/announce";
import { formatDate } from "../../lib/format";
import { ScopeContext, StaffClientContext, clientLink, hasRole, useMe, useStaffClient, type ClientSummary } from "../../state";
import { Async, Button, Card, ErrorMessage, Page, useAsync, useSubmit } from "../../components/ui";
import { allClients, invitationBadge } from "./clients";
import { ClientRoutes } from "../client/routes";
import { ProjectsTab } from "./tabs/projects";
import { RequestsTab } from "./tabs/requests";
import { DocumentsTab } from "./tabs/documents";
import { ApprovalsTab } from "./tabs/approvals";
import { SignaturesTab } from "./tabs/signatures";
import { FormsTab } from "./tabs/forms";
import { MessagesTab } from "./tabs/messages";
import { InvoicesTab } from "./tabs/invoices";
import { TicketsTab } from "./tabs/tickets";
import { ContactsTab } from "./tabs/contacts";
import { ActivityTab } from "./tabs/activity";

const TABS: { path: string; label: string }[] = [
  { path: "", label: "Overview" },
  { path: "projects", label: "Projects" },
  { path: "requests", label: "Requests" },
  { path: "documents", label: "Documents" },
  { path: "approvals", label: "Approvals" },
  { path: "signatures", label: "Signatures" },
  { path: "forms", label: "Forms" },
  { path: "messages", label: "Messages" },
  { path: "invoices", label: "Invoices" },
  { path: "tickets", label: "Tickets" },
  { path: "people", label: "People" },
  { path: "activity", label: "Activity" },
];

export function ClientWorkspace(props: { id: string }) {
  const client = useAsync(async () => {
    const found = (await allClients()).find((candidate) => candidate.id === props.id);
    if (!found) throw new Error("There is no such client.");
    return found;
  }, [props.id]);
  return (
    <Async state={client} label="Loading the client…">
      {(found) => (
        <StaffClientContext.Provider value={found}>
          <WorkspaceFrame client={found} />
        </StaffClientContext.Provider>
      )}
    </Async>
  );
}

function WorkspaceFrame(props: { client: ClientSummary }) {
  const { path } = useLocation();
  const base = clientLink(props.client);
  if (path.startsWith(`${base}/preview`)) {
    // The nested router hands the client's routes only what follows /preview.
    return (
      <Router>
        <Route path="/preview" component={PreviewRoute} />
        <Route path="/preview/*" component={PreviewRoute} />
      </Router>
    );
  }
  const rest = path.slice(base.length + 1).split("/")[0] ?? "";
  return (
    <>
      <p class="breadcrumb">
        <a href="/staff/clients">Clients</a> / {props.client.name}
      </p>
      <nav class="tabs" aria-label={`${props.client.name}'s workspace`}>
        <ul>
          {TABS.map((tab) => (
            <li key={tab.path}>
              <a href={tab.path ? `${base}/${tab.path}` : base} aria-current={rest === tab.path ? "page" : undefined}>
                {tab.label}
              </a>
            </li>
          ))}
          <li>
            <a href={`${base}/preview`} class="preview-link">
              View as client
            </a>
          </li>
        </ul>
      </nav>
      <Router>
        <Route path="/" component={Overview} />
        <Route path="/projects/:project?" component={ProjectsTab} />
        <Route path="/requests/:request?" component={RequestsTab} />
        <Route path="/documents/:document?" component={DocumentsTab} />
        <Route path="/approvals/:approval?" component={ApprovalsTab} />
        <Route path="/signatures/:request?" component={SignaturesTab} />
        <Route path="/forms/:assignment?" component={FormsTab} />
        <Route path="/messages/:thread?" component={MessagesTab} />
        <Route path="/invoices/:invoice?" component={InvoicesTab} />
        <Route path="/tickets/:ticket?" component={TicketsTab} />
        <Route path="/people" component={ContactsTab} />
        <Route path="/activity" component={ActivityTab} />
        <Route default component={Overview} />
      </Router>
    </>
  );
}

function Overview() {
  const me = useMe();
  const client = useStaffClient();
  const [mfaRequired, setMfaRequired] = useState(client.mfa_required);
  const { submit, busy, error } = useSubmit(async () => {
    const answer = await call(api.PUT("/api/clients/{id}/mfa", { params: { path: { id: client.id } }, body: { required: !mfaRequired } }));
    setMfaRequired(answer.mfa_required);
    announce(answer.mfa_required ? "An authenticator is now required for this client." : "An authenticator is now optional for this client.");
  });
  return (
    <Page title={client.name} subtitle={<>Client since {formatDate(client.created_at)} · signs in with “{client.slug}”</>}>
      <Card title="Primary contact">
        <p>
          {client.contact_name} · <a href={`mailto:${client.contact_email}`}>{client.contact_email}</a>
        </p>
        <p>{invitationBadge(client)}</p>
      </Card>
      <Card title="Sign-in security">
        <p>{mfaRequired ? "Contacts must use an authenticator app when they sign in." : "An authenticator app is optional for this client's contacts."}</p>
        {hasRole(me, "admin") && (
          <>
            <ErrorMessage error={error} />
            <Button kind="secondary" busy={busy} onClick={() => void submit()}>
              {mfaRequired ? "Make the authenticator optional" : "Require an authenticator"}
            </Button>
          </>
        )}
      </Card>
    </Page>
  );
}

function PreviewRoute() {
  return <Preview client={useStaffClient()} />;
}

/** "View as client": audited first (the client's activity shows it), then read-only screens. */
function Preview(props: { client: ClientSummary }) {
  const base = `${clientLink(props.client)}/preview`;
  const started = useAsync(() => call(api.POST("/api/clients/{id}/preview", { params: { path: { id: props.client.id } } })), [props.client.id]);
  return (
    <Async state={started} label="Opening the client's view…">
      {() => (
        <ScopeContext.Provider value={{ clientId: props.client.id, clientName: props.client.name, readOnly: true, base }}>
          <div class="preview-banner" role="note">
            <p>
              You are viewing <strong>{props.client.name}</strong>'s portal as its contacts see it. Nothing can be changed here, and this preview is recorded in the client's activity.
            </p>
            <a class="button secondary" href={clientLink(props.client)}>
              Leave the preview
            </a>
          </div>
          <PreviewNav base={base} />
          <ClientRoutes />
        </ScopeContext.Provider>
      )}
    </Async>
  );
}

function PreviewNav(props: { base: string }) {
  const { path } = useLocation();
  const items = [
    ["", "Home"],
    ["/projects", "Projects"],
    ["/requests", "Requests"],
    ["/documents", "Documents"],
    ["/approvals", "Approvals"],
    ["/signatures", "Signatures"],
    ["/forms", "Forms"],
    ["/messages", "Messages"],
    ["/invoices", "Invoices"],
    ["/tickets", "Support"],
  ] as const;
  return (
    <nav class="tabs" aria-label="Client's portal (preview)">
      <ul>
        {items.map(([href, label]) => (
          <li key={href}>
            <a href={`${props.base}${href}`} aria-current={path === `${props.base}${href}` ? "page" : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
