// The firm's own audit trail (firm admins): branding, staff and settings changes, chained and
// exported like a client's trail and checked offline the same way (`audit-verify`).
import { FirmAdminsOnly } from "../../components/NotAllowed";
import { Page } from "../../components/ui";
import { AuditTrail } from "../client/activity";

export function FirmActivity() {
  return (
    <FirmAdminsOnly title="Firm activity" refusal="Only the firm's admins can see the firm's own activity and download its audit export.">
      <Page title="Firm activity" subtitle="Changes to the firm itself, in order: branding, the team and its roles, settings. Each client's own activity is on its page.">
        <AuditTrail firm fileLabel="firm" />
      </Page>
    </FirmAdminsOnly>
  );
}
