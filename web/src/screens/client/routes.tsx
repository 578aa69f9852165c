// The client's screens. The same routes serve a contact (their own workspace) and staff
// previewing a client ("view as client": read-only, under /staff/clients/<id>/preview).
import { Route, Router } from "preact-iso";
import { Page } from "../../components/ui";
import { Dashboard } from "./dashboard";
import { Settings } from "../settings";
import { Projects, ProjectDetail } from "./projects";
import { Requests, RequestDetail } from "./requests";
import { Documents, DocumentDetail } from "./documents";
import { Approvals, ApprovalDetail } from "./approvals";
import { Signatures, SignatureRequestPage } from "./signatures";
import { Forms, FormDetail } from "./forms";
import { Messages } from "./messages";
import { Invoices, InvoiceDetail } from "./invoices";
import { Tickets, TicketDetail } from "./tickets";
import { Contacts } from "./contacts";
import { Activity } from "./activity";

export function ClientRoutes() {
  return (
    <Router>
      <Route path="/" component={Dashboard} />
      <Route path="/projects" component={Projects} />
      <Route path="/projects/:project" component={ProjectDetail} />
      <Route path="/requests" component={Requests} />
      <Route path="/requests/:request" component={RequestDetail} />
      <Route path="/documents" component={Documents} />
      <Route path="/documents/:document" component={DocumentDetail} />
      <Route path="/approvals" component={Approvals} />
      <Route path="/approvals/:approval" component={ApprovalDetail} />
      <Route path="/signatures" component={Signatures} />
      <Route path="/signatures/:request" component={SignatureRequestPage} />
      <Route path="/forms" component={Forms} />
      <Route path="/forms/:assignment" component={FormDetail} />
      <Route path="/messages" component={Messages} />
      <Route path="/messages/:thread" component={Messages} />
      <Route path="/invoices" component={Invoices} />
      <Route path="/invoices/:invoice" component={InvoiceDetail} />
      <Route path="/tickets" component={Tickets} />
      <Route path="/tickets/:ticket" component={TicketDetail} />
      <Route path="/contacts" component={Contacts} />
      <Route path="/activity" component={Activity} />
      <Route path="/settings" component={Settings} />
      <Route default component={NotFound} />
    </Router>
  );
}

export function NotFound() {
  return (
    <Page title="Page not found">
      <p>
        This page does not exist. <a href="/">Go to your home page</a>.
      </p>
    </Page>
  );
}
