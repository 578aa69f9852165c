//! `GET /api/forms/{form}/assignments` (staff): where a form was assigned, across every client
//! (GSI2), with each assignment's status and latest revision.

use crate::data::Forms;
use crate::{id_param, AssignmentSummary};
use atrium_shared::http::{ok, query_param};
use atrium_shared::principal::Principal;
use atrium_shared::store::page_limit;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff()?;
    let form_id = id_param(&req, "form")?;
    Forms::of(&app.store)
        .get(&form_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let limit = page_limit(query_param(&req, "limit"), 50, 100)?;
    let cursor = query_param(&req, "cursor");
    let page = Forms::of(&app.store)
        .assignments(&form_id, limit, cursor.as_deref())
        .await?;
    let assignments: Vec<AssignmentSummary> =
        page.items.iter().map(AssignmentSummary::from).collect();
    ok(&json!({ "form_id": form_id, "assignments": assignments, "next_cursor": page.next_cursor }))
}
