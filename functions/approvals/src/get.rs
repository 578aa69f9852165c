//! `GET /api/approvals/{approval}` (a contact: with the terms and the consent text to show
//! before signing) and `GET /api/clients/{id}/approvals/{approval}` (staff).

use crate::data::Approvals;
use crate::{CONSENT_TEXT, CONSENT_VERSION};
use atrium_shared::access::scope_for;
use atrium_shared::http::{ok, path_id};
use atrium_shared::principal::Principal;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    let approval_id = path_id(&req, "approval")?;
    let record = Approvals::of(app.store.tenant(&scope))
        .get(&approval_id)
        .await?;
    let record = crate::visible_approval(app, &scope, &principal, record)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let consented = if principal.is_staff() {
        None
    } else {
        Some(
            Approvals::of(app.store.tenant(&scope))
                .consent(&principal.sub, CONSENT_VERSION)
                .await?
                .is_some(),
        )
    };
    ok(&json!({
        "approval": record,
        "consent": { "version": CONSENT_VERSION, "text": CONSENT_TEXT, "given": consented },
    }))
}
