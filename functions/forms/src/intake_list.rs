//! `GET /api/intake` (a contact, any role) and `GET /api/clients/{id}/intake` (staff): the
//! client's assigned forms, newest first, with status and latest revision.

use crate::data::Intakes;
use crate::AssignmentSummary;
use atrium_shared::access::scope_for;
use atrium_shared::http::ok;
use atrium_shared::principal::Principal;
use atrium_shared::{ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    let records = Intakes::of(app.store.tenant(&scope)).all().await?;
    let assignments: Vec<AssignmentSummary> = records.iter().map(AssignmentSummary::from).collect();
    ok(&json!({ "assignments": assignments }))
}
