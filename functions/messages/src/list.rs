//! `GET /api/threads/{thread}/messages` (a contact) and
//! `GET /api/clients/{id}/threads/{thread}/messages` (staff): oldest first, paged.

use crate::data::Threads;
use atrium_shared::access::scope_for;
use atrium_shared::http::{ok, query_param};
use atrium_shared::principal::Principal;
use atrium_shared::store::page_limit;
use atrium_shared::{ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    let thread = crate::thread(app, &scope, &req, &principal).await?;
    let limit = page_limit(query_param(&req, "limit"), 50, 200)?;
    let page = Threads::of(app.store.tenant(&scope))
        .messages(&thread, limit, query_param(&req, "cursor").as_deref())
        .await?;
    ok(&json!({ "thread": thread, "messages": page.items, "next_cursor": page.next_cursor }))
}
