//! `GET /api/approvals` (a contact) and `GET /api/clients/{id}/approvals` (staff). Approvals
//! about billing-only documents are listed only for admins and billing contacts.

use crate::data::Approvals;
use atrium_shared::access::scope_for;
use atrium_shared::http::ok;
use atrium_shared::principal::Principal;
use atrium_shared::{ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    let approvals = Approvals::of(app.store.tenant(&scope)).all().await?;
    let approvals = crate::visible_approvals(app, &scope, &principal, approvals).await?;
    ok(&json!({ "approvals": approvals }))
}
