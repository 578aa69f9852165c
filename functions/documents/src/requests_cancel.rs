//! `POST /api/clients/{id}/requests/{request}/cancel` `{version}`: the firm withdraws a request
//! that was not accepted. It leaves the client's list of things to do and its reminders stop.

use crate::view::RequestView;
use atrium_shared::access::scope_for;
use atrium_shared::http::{ok, parse_json, path_param, RequestMeta};
use atrium_shared::ids::now_rfc3339;
use atrium_shared::principal::Principal;
use atrium_shared::store::records::RequestStatus;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
struct CancelBody {
    version: u64,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff()?;
    let scope = scope_for(app, &principal, &req).await?;
    let request_id = path_param(&req, "request")?;
    let body: CancelBody = parse_json(&req)?;
    let mut record = app
        .store
        .request(&scope, &request_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if record.version != body.version {
        return Err(ApiError::conflict(
            "version: the request changed meanwhile; reload it",
        ));
    }
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
    let read_version = record.version;
    record.status = RequestStatus::Cancelled;
    record.version += 1;
    record.updated_at = now_rfc3339();
    let entry = crate::audit(
        &scope,
        &principal,
        "request.cancelled",
        &format!("request/{}", record.id),
        record.version,
        &RequestMeta::of(&req),
    );
    let items = vec![app.store.request_tx(&scope, &record, read_version)?];
    app.store
        .transact_audited(
            items,
            &scope,
            vec![entry],
            "version: the request changed meanwhile; reload it",
        )
        .await?;
    ok(&RequestView::from(record))
}
