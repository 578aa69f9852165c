//! `GET /api/approvals` (a contact) and `GET /api/clients/{id}/approvals` (staff).

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
    ok(&json!({ "approvals": Approvals::of(app.store.tenant(&scope)).all().await? }))
}
