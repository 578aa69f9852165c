// The firm's screens.
import { Route, Router } from "preact-iso";
import { Page } from "../../components/ui";
import { Clients } from "./clients";
import { ClientWorkspace } from "./workspace";
import { FirmRequests } from "./requests";
import { TicketQueue } from "./tickets";
import { FormDefinitions, FormDefinition } from "./forms";
import { Team } from "./team";
import { Branding } from "./branding";
import { FirmInvoices } from "./invoices";
import { StripeSettingsScreen } from "./stripe";
import { FirmActivity } from "./activity";
import { Settings } from "../settings";

export function StaffRoutes() {
  return (
    <Router>
      <Route path="/" component={Clients} />
      <Route path="/staff" component={Clients} />
      <Route path="/staff/clients" component={Clients} />
      <Route path="/staff/clients/:id" component={ClientWorkspace} />
      <Route path="/staff/clients/:id/*" component={ClientWorkspace} />
      <Route path="/staff/requests" component={FirmRequests} />
      <Route path="/staff/tickets" component={TicketQueue} />
      <Route path="/staff/forms" component={FormDefinitions} />
      <Route path="/staff/forms/:form" component={FormDefinition} />
      <Route path="/staff/team" component={Team} />
      <Route path="/staff/invoices" component={FirmInvoices} />
      <Route path="/staff/branding" component={Branding} />
      <Route path="/staff/stripe" component={StripeSettingsScreen} />
      <Route path="/staff/activity" component={FirmActivity} />
      <Route path="/staff/settings" component={Settings} />
      <Route default component={NotFound} />
    </Router>
  );
}

function NotFound() {
  return (
    <Page title="Page not found">
      <p>
        This page does not exist. <a href="/staff/clients">Go to the clients list</a>.
      </p>
    </Page>
  );
}
