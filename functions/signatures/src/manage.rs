//! The firm's hand on a request under way, each on
//! `/api/clients/{id}/signature-requests/{request}/…`:
//! - `remind`: mails the signers whose turn it is again (at most once an hour);
//! - `replace` `{signer, contact | staff}`: another person takes the place (and the fields) of
//!   a signer who has not signed; if it was their turn, the new person is asked at once;
//! - `cancel` `{reason}`: ends a request that is not complete; the signers asked are told.

use crate::data::{Ending, RequestStatus, SignatureRequest, SignatureRequests, SignerState};
use crate::placement::SignerInput;
use crate::Seen;
use atrium_documents::data::Documents;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, parse_json, RequestMeta};
use atrium_shared::ids::{now_epoch, now_rfc3339};
use atrium_shared::validate::text;
use atrium_shared::{ApiError, ApiResult, App};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use serde_json::json;

const REMIND_EVERY_SECONDS: i64 = 3600;

async fn staff_seen(app: &App, req: &Request) -> ApiResult<Seen> {
    let seen = crate::seen(app, req).await?;
    seen.principal.require_staff()?;
    if !seen.request.status.is_open() {
        return Err(ApiError::conflict(
            "this request is no longer waiting for signatures",
        ));
    }
    Ok(seen)
}

async fn save(
    app: &App,
    req: &Request,
    seen: &Seen,
    next: &SignatureRequest,
    action: &str,
    extra: Vec<atrium_shared::store::Write>,
) -> ApiResult<()> {
    let requests = SignatureRequests::of(app.store.tenant(&seen.scope));
    let mut writes = vec![requests.save(next, Some(seen.request.version))?];
    writes.extend(extra);
    let entry = AuditEntry::by(
        &seen.scope,
        &seen.principal,
        action,
        &format!("signature_request/{}", next.id),
        next.version,
        &RequestMeta::of(req),
    );
    requests
        .tenant()
        .commit(
            writes,
            vec![entry],
            "this request changed meanwhile; reload and try again",
        )
        .await
}

pub async fn remind(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let seen = staff_seen(app, &req).await?;
    let now = now_rfc3339();
    let last = seen
        .request
        .signers
        .iter()
        .filter(|signer| signer.state == SignerState::Signing)
        .filter_map(|signer| signer.reminded_at.as_deref().or(signer.asked_at.as_deref()))
        .filter_map(|at| {
            time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).ok()
        })
        .map(|at| at.unix_timestamp())
        .max();
    if let Some(last) = last {
        let wait = last + REMIND_EVERY_SECONDS - now_epoch();
        if wait > 0 {
            return Err(ApiError {
                retry_after: Some(wait),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "reminded_recently",
                    "the signers were asked less than an hour ago",
                )
            });
        }
    }
    let mut next = seen.request.clone();
    let mut reminded = Vec::new();
    for signer in next
        .signers
        .iter_mut()
        .filter(|signer| signer.state == SignerState::Signing)
    {
        signer.reminded_at = Some(now.clone());
        reminded.push(signer.id.clone());
    }
    let requester = crate::staff_email(app, &seen.principal).await?;
    next.step(&now, "reminded the signers whose turn it is", &requester);
    next.version += 1;
    next.updated_at = now;
    save(
        app,
        &req,
        &seen,
        &next,
        "signature_request.reminded",
        Vec::new(),
    )
    .await?;
    let sent = crate::mail::remind(app, &next, &reminded).await;
    ok(&json!({ "reminded": sent }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplaceBody {
    signer: String,
    #[serde(default)]
    contact: Option<String>,
    #[serde(default)]
    staff: Option<String>,
}

pub async fn replace(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let seen = staff_seen(app, &req).await?;
    let body: ReplaceBody = parse_json(&req)?;
    let old = seen
        .request
        .signer(&body.signer)
        .ok_or_else(|| ApiError::invalid("signer", "is not a signer of this request"))?
        .clone();
    if old.state == SignerState::Signed {
        return Err(ApiError::conflict(
            "this signer has signed already and cannot be replaced",
        ));
    }
    let document = Documents::of(app.store.tenant(&seen.scope))
        .get(&seen.request.document_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let named = if body.staff.is_some() {
        "staff"
    } else {
        "contact"
    };
    let input = SignerInput {
        contact: body.contact,
        staff: body.staff,
        group: None,
    };
    let (kind, sub, email, name) =
        crate::placement::resolve_signer(app, &seen.scope, &document, &input, "").await?;
    if seen.request.signer_for(kind, &sub).is_some() {
        return Err(ApiError::invalid(
            named,
            "is already a signer of this request",
        ));
    }
    let now = now_rfc3339();
    let mut next = seen.request.clone();
    let mut ask_now = Vec::new();
    if let Some(place) = next.signers.iter_mut().find(|each| each.id == old.id) {
        place.kind = kind;
        place.sub = sub;
        place.email = email.clone();
        place.name = name;
        place.reminded_at = None;
        if place.state == SignerState::Signing {
            place.asked_at = Some(now.clone());
            ask_now.push(place.id.clone());
        }
    }
    let by = crate::staff_email(app, &seen.principal).await?;
    next.step(&now, format!("replaced {} with {email}", old.email), &by);
    next.version += 1;
    next.updated_at = now;
    // A code mailed to the person replaced is of no use to anyone now.
    let dropped =
        SignatureRequests::of(app.store.tenant(&seen.scope)).drop_code(&next.id, &old.id)?;
    save(
        app,
        &req,
        &seen,
        &next,
        "signature_request.signer_replaced",
        vec![dropped],
    )
    .await?;
    crate::mail::ask(app, &next, &ask_now).await;
    ok(&crate::read::staff_view(&next))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CancelBody {
    reason: String,
}

pub async fn cancel(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let seen = staff_seen(app, &req).await?;
    let body: CancelBody = parse_json(&req)?;
    let reason = text("reason", &body.reason, 2000)?;
    if reason.is_empty() {
        return Err(ApiError::invalid(
            "reason",
            "say why, for the signers and the trail",
        ));
    }
    let now = now_rfc3339();
    let by = crate::staff_email(app, &seen.principal).await?;
    let mut next = seen.request.clone();
    next.status = RequestStatus::Cancelled;
    next.ended = Some(Ending {
        by: by.clone(),
        reason,
        at: now.clone(),
    });
    next.step(&now, "cancelled", &by);
    next.version += 1;
    next.updated_at = now;
    save(
        app,
        &req,
        &seen,
        &next,
        "signature_request.cancelled",
        Vec::new(),
    )
    .await?;
    crate::mail::cancelled(app, &next).await;
    ok(&json!({ "status": next.status }))
}
