// A client's audit trail as the firm sees it, and its export.
import { useStaffClient } from "../../../state";
import { Page } from "../../../components/ui";
import { AuditTrail } from "../../client/activity";

export function ActivityTab() {
  const client = useStaffClient();
  return (
    <Page title={`${client.name}: activity`} subtitle="Everything done in this client's workspace, by the firm and by the client, in order.">
      <AuditTrail clientId={client.id} fileLabel={client.slug} />
    </Page>
  );
}
