// The client's contacts as the firm manages them: roles, invitation status, invite, change
// roles, remove (after a confirmation) and resend an invitation (staff routes, audited as staff).
import { useStaffClient } from "../../../state";
import { Page } from "../../../components/ui";
import { ContactsManager } from "../../client/contacts";

export function ContactsTab() {
  const client = useStaffClient();
  return (
    <Page title={`${client.name}: people`} subtitle="The client's contacts, their roles and where their invitations stand.">
      <ContactsManager clientId={client.id} manage />
    </Page>
  );
}
