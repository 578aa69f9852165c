//! How the firm changes a request: load it at the version the caller read, change it, save it
//! with its audit entry (edit, cancel and review share this).

use crate::data::RequestRecord;
use crate::data::Requests;
use crate::view::RequestView;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, RequestMeta};
use atrium_shared::ids::now_rfc3339;
use atrium_shared::principal::{Principal, TenantScope};
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Response};

pub const MOVED: &str = "version: the request changed meanwhile; reload it";

/// The request, if it is still at `version` (404 when missing, 409 when it moved).
pub async fn load_at(
    app: &App,
    scope: &TenantScope,
    id: &str,
    version: u64,
) -> ApiResult<RequestRecord> {
    let record = Requests::of(app.store.tenant(scope))
        .get(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if record.version != version {
        return Err(ApiError::conflict(MOVED));
    }
    Ok(record)
}

/// Saves the changed request (one version on) with its audit entry, and answers it.
pub async fn save(
    app: &App,
    scope: &TenantScope,
    principal: &Principal,
    mut record: RequestRecord,
    action: &str,
    meta: &RequestMeta,
) -> ApiResult<Response<Body>> {
    let read_version = record.version;
    record.version += 1;
    record.updated_at = now_rfc3339();
    let entry = AuditEntry::by(
        scope,
        principal,
        action,
        &format!("request/{}", record.id),
        record.version,
        meta,
    );
    app.store
        .transact_audited(
            vec![Requests::of(app.store.tenant(scope)).replace(&record, read_version)?],
            scope,
            vec![entry],
            MOVED,
        )
        .await?;
    ok(&RequestView::from(record))
}
