//! `GET /api/forms` (staff): the firm's forms, newest first, with their latest version.

use crate::data::Forms;
use atrium_shared::http::{ok, query_param};
use atrium_shared::principal::Principal;
use atrium_shared::store::page_limit;
use atrium_shared::{ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff()?;
    let limit = page_limit(query_param(&req, "limit"), 50, 100)?;
    let cursor = query_param(&req, "cursor");
    let page = Forms::of(&app.store).page(limit, cursor.as_deref()).await?;
    ok(&json!({ "forms": page.items, "next_cursor": page.next_cursor }))
}
