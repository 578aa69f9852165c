//! `POST /api/clients/{id}/preview` (firm staff): "view as client". The web app calls this
//! before it shows the client's screens read-only through the staff routes; the preview itself
//! changes nothing, but the client's trail says who looked at their workspace as they see it,
//! and when (`staff.preview_started`, actor the staff member).

use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, path_param, RequestMeta};
use atrium_shared::principal::Principal;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff()?;
    let tenant_id = path_param(&req, "id")?;
    let scope = principal.staff_scope(&tenant_id)?;
    let profile = app
        .store
        .profile(&scope)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let entry = AuditEntry::by(
        &scope,
        &principal,
        "staff.preview_started",
        &format!("client/{tenant_id}"),
        profile.version,
        &RequestMeta::of(&req),
    );
    let started_at = entry.at.clone();
    app.store.audit(&scope, &entry).await?;
    ok(&json!({
        "client": { "id": profile.tenant_id, "name": profile.name, "slug": profile.slug },
        "started_at": started_at,
    }))
}
