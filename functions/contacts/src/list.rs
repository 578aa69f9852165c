//! `GET /api/contacts` (any contact: their organisation's people) and
//! `GET /api/clients/{id}/contacts` (staff).

use crate::ContactView;
use atrium_shared::access::scope_for;
use atrium_shared::http::ok;
use atrium_shared::principal::Principal;
use atrium_shared::{ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    let contacts: Vec<ContactView> = app
        .store
        .contacts(&scope)
        .await?
        .into_iter()
        .map(ContactView::from)
        .collect();
    ok(&json!({ "contacts": contacts }))
}
