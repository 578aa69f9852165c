//! `POST /api/clients/{id}/requests/{request}/cancel` `{version}`: the firm withdraws a request
//! that was not accepted. It leaves the client's list of things to do and its reminders stop.

use crate::change::{load_at, save};
use crate::data::RequestStatus;
use atrium_shared::access::scope_for;
use atrium_shared::http::{parse_json, path_id, RequestMeta};
use atrium_shared::principal::Principal;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CancelBody {
    version: u64,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff()?;
    let scope = scope_for(app, &principal, &req).await?;
    let request_id = path_id(&req, "request")?;
    let body: CancelBody = parse_json(&req)?;
    let mut record = load_at(app, &scope, &request_id, body.version).await?;
    match record.status {
        RequestStatus::Accepted => {
            return Err(ApiError::conflict(
                "an accepted request cannot be cancelled",
            ))
        }
        RequestStatus::Cancelled => {
            return Err(ApiError::conflict("the request is already cancelled"))
        }
        _ => {}
    }
    record.status = RequestStatus::Cancelled;
    save(
        app,
        &scope,
        &principal,
        record,
        "request.cancelled",
        &RequestMeta::of(&req),
    )
    .await
}
