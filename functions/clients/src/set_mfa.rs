//! `PUT /api/clients/{id}/mfa` `{required}`: makes an authenticator mandatory (or optional) for
//! every contact of one client.

use crate::pools;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, parse_json, path_param, RequestMeta};
use atrium_shared::principal::Principal;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MfaBody {
    required: bool,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff_admin()?;
    let tenant_id = path_param(&req, "id")?;
    let scope = principal.staff_scope(&tenant_id)?;
    let body: MfaBody = parse_json(&req)?;
    let mut record = app
        .store
        .client_record(&tenant_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let pool_id = record.pool_id.clone().ok_or_else(|| {
        ApiError::conflict("this client's onboarding has not finished; resume it first")
    })?;
    let read_version = record.version;
    record.mfa_required = body.required;
    record.version += 1;
    record.updated_at = atrium_shared::ids::now_rfc3339();
    let entry = AuditEntry::by(
        &scope,
        &principal,
        if body.required {
            "client.mfa_required"
        } else {
            "client.mfa_optional"
        },
        &format!("client/{tenant_id}"),
        record.version,
        &RequestMeta::of(&req),
    );
    let items = vec![app.store.client_record_tx(&record, read_version)?];
    app.store
        .transact_audited(
            items,
            &scope,
            vec![entry],
            "the client changed meanwhile; reload and try again",
        )
        .await?;
    // The decision is recorded first (a racing change gets its 409 before Cognito is touched);
    // applying it is idempotent, so a failure here is fixed by sending the same request again.
    pools::set_mfa(app, &pool_id, body.required)
        .await
        .map_err(|_| {
            ApiError::new(
                http::StatusCode::SERVICE_UNAVAILABLE,
                "dependency_failed",
                "the setting was saved but could not be applied to sign-in yet; send it again",
            )
        })?;
    ok(&json!({ "id": tenant_id, "mfa_required": body.required }))
}
