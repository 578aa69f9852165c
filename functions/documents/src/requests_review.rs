//! `POST /api/clients/{id}/requests/{request}/review` `{version, decision, reason?}`: the firm
//! accepts what was submitted, or rejects it with a reason the client sees (and uploads again,
//! as a new version).

use crate::change::{load_at, save};
use crate::data::RequestStatus;
use atrium_shared::access::scope_for;
use atrium_shared::http::{parse_json, path_id, RequestMeta};
use atrium_shared::principal::Principal;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Decision {
    Accept,
    Reject,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewBody {
    version: u64,
    decision: Decision,
    #[serde(default)]
    reason: Option<String>,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff()?;
    let scope = scope_for(app, &principal, &req).await?;
    let request_id = path_id(&req, "request")?;
    let body: ReviewBody = parse_json(&req)?;
    let mut record = load_at(app, &scope, &request_id, body.version).await?;
    if record.status != RequestStatus::Submitted {
        return Err(ApiError::conflict(
            "only a submitted request can be reviewed",
        ));
    }
    let action = match body.decision {
        Decision::Accept => {
            record.status = RequestStatus::Accepted;
            record.rejection_reason = None;
            "request.accepted"
        }
        Decision::Reject => {
            let reason = body.reason.as_deref().map(str::trim).unwrap_or_default();
            if reason.is_empty() {
                return Err(ApiError::invalid(
                    "reason",
                    "tell the client why, so they can fix it",
                ));
            }
            record.rejection_reason = Some(atrium_shared::validate::text("reason", reason, 2000)?);
            record.status = RequestStatus::Rejected;
            record.reminders_sent.clear();
            "request.rejected"
        }
    };
    save(
        app,
        &scope,
        &principal,
        record,
        action,
        &RequestMeta::of(&req),
    )
    .await
}
