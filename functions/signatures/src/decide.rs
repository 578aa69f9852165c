//! `POST /api/signature-requests/{request}/decline` (and the firm's route for a countersigner)
//! `{reason}`: a signer who has not signed declines, whether or not it is their turn yet. The
//! request stops there: nobody else is asked, the firm is told with the reason.

use crate::data::{Ending, RequestStatus, SignatureRequests, SignerState};
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, parse_json, RequestMeta};
use atrium_shared::ids::now_rfc3339;
use atrium_shared::validate::text;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeclineBody {
    reason: String,
}

pub async fn decline(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let seen = crate::seen_to_act(app, &req).await?;
    let signer = seen
        .signer()
        .ok_or_else(|| ApiError::conflict("you are not a signer of this request"))?
        .clone();
    let body: DeclineBody = parse_json(&req)?;
    let reason = text("reason", &body.reason, 2000)?;
    if reason.is_empty() {
        return Err(ApiError::invalid(
            "reason",
            "say why, so the firm can act on it",
        ));
    }
    if !seen.request.status.is_open() {
        return Err(ApiError::conflict(
            "this request is no longer waiting for signatures",
        ));
    }
    if signer.state == SignerState::Signed {
        return Err(ApiError::conflict("you have signed this already"));
    }
    let now = now_rfc3339();
    let mut next = seen.request.clone();
    if let Some(place) = next.signers.iter_mut().find(|each| each.id == signer.id) {
        place.state = SignerState::Declined;
    }
    next.status = RequestStatus::Declined;
    next.ended = Some(Ending {
        by: signer.email.clone(),
        reason,
        at: now.clone(),
    });
    next.step(&now, "declined", &signer.email);
    next.version += 1;
    next.updated_at = now;
    let requests = SignatureRequests::of(app.store.tenant(&seen.scope));
    let entry = AuditEntry::by(
        &seen.scope,
        &seen.principal,
        "signature_request.declined",
        &format!("signature_request/{}#{}", next.id, signer.id),
        next.version,
        &RequestMeta::of(&req),
    );
    requests
        .tenant()
        .commit(
            vec![requests.save(&next, Some(seen.request.version))?],
            vec![entry],
            "this request changed meanwhile; reload and try again",
        )
        .await?;
    crate::mail::declined(app, &next).await;
    ok(&json!({ "status": next.status }))
}
