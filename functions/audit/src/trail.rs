//! Which trail a request reads: one client's (a tenant's partition) or the firm's own
//! (branding, staff and settings changes, `FIRMAUDIT`). Both are hash chains of the same
//! entries, so listing, export and `audit-verify` treat them alike.

use atrium_shared::audit::AuditEntry;
use atrium_shared::principal::TenantScope;
use atrium_shared::store::tenant::AuditFilter;
use atrium_shared::store::Page;
use atrium_shared::{ApiResult, App};

pub enum Trail {
    Client(TenantScope),
    Firm,
}

impl Trail {
    /// A page of entries in order, from `cursor` on. The firm's trail takes no filter.
    pub async fn page(
        &self,
        app: &App,
        limit: i32,
        cursor: Option<&str>,
        filter: &AuditFilter,
    ) -> ApiResult<Page<AuditEntry>> {
        match self {
            Trail::Client(scope) => app.store.audit_entries(scope, limit, cursor, filter).await,
            Trail::Firm => app.store.firm_audit_entries(limit, cursor).await,
        }
    }

    /// Appends `entry` (made for this trail) to it.
    pub async fn record(&self, app: &App, entry: AuditEntry) -> ApiResult<()> {
        match self {
            Trail::Client(scope) => app.store.audit(scope, &entry).await,
            Trail::Firm => {
                app.store
                    .transact_firm_audited(vec![], vec![entry], "audit entry exists")
                    .await
            }
        }
    }
}
