//! `PATCH /api/clients/{id}/requests/{request}` `{version, title?, instructions?, due_date?}`:
//! the firm edits a request that is not finished. A new due date restarts its reminders.

use crate::change::{load_at, save};
use crate::data::RequestStatus;
use atrium_shared::access::scope_for;
use atrium_shared::dates::due_date;
use atrium_shared::http::{parse_json, path_id, RequestMeta};
use atrium_shared::principal::Principal;
use atrium_shared::validate::text;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    version: u64,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    instructions: Option<String>,
    #[serde(default)]
    due_date: Option<String>,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff()?;
    let scope = scope_for(app, &principal, &req).await?;
    let request_id = path_id(&req, "request")?;
    let body: UpdateBody = parse_json(&req)?;
    let mut record = load_at(app, &scope, &request_id, body.version).await?;
    if matches!(
        record.status,
        RequestStatus::Accepted | RequestStatus::Cancelled
    ) {
        return Err(ApiError::conflict(
            "this request is finished and can no longer be edited",
        ));
    }
    if let Some(title) = body.title {
        record.title = atrium_shared::validate::name("title", &title, 200)?;
    }
    if let Some(instructions) = body.instructions {
        record.instructions = text("instructions", &instructions, 4000)?;
    }
    if let Some(due) = body.due_date {
        let due = due_date("due_date", &due, false)?;
        if due != record.due_date {
            record.due_date = due;
            record.reminders_sent.clear();
        }
    }
    save(
        app,
        &scope,
        &principal,
        record,
        "request.updated",
        &RequestMeta::of(&req),
    )
    .await
}
