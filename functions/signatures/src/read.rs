//! `GET /api/signature-requests[/{request}]` and the firm's routes under
//! `/api/clients/{id}/…`: the requests and where each signer stands. Staff see everything,
//! including each signature's evidence; a contact sees the requests they sign (a client admin
//! all of the client's whose document they may see), their own evidence only, and `me`: their
//! place among the signers and whether it is their turn.

use crate::data::{SignatureRequest, SignatureRequests, SignerState};
use crate::Seen;
use atrium_shared::access::scope_for;
use atrium_shared::http::ok;
use atrium_shared::principal::Principal;
use atrium_shared::{ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde_json::{json, Value};

pub async fn list(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    let all = SignatureRequests::of(app.store.tenant(&scope))
        .all()
        .await?;
    let mut shown = Vec::with_capacity(all.len());
    for request in all {
        if crate::may_see(app, &scope, &principal, &request).await? {
            shown.push(if principal.is_staff() {
                summary(&request)
            } else {
                let mut view = summary(&request);
                view["my_turn"] = json!(my_turn(&request, &principal));
                view
            });
        }
    }
    ok(&json!({ "signature_requests": shown }))
}

pub async fn get(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let seen = crate::seen(app, &req).await?;
    let mut view = if seen.principal.is_staff() {
        staff_view(&seen.request)
    } else {
        contact_view(&seen)
    };
    view["me"] = seen.signer().map_or(Value::Null, |signer| {
        json!({
            "signer": signer.id,
            "my_turn": seen.request.status.is_open() && signer.state == SignerState::Signing,
        })
    });
    ok(&view)
}

/// The list's line for a request.
fn summary(request: &SignatureRequest) -> Value {
    let signed = request
        .signers
        .iter()
        .filter(|signer| signer.state == SignerState::Signed)
        .count();
    json!({
        "id": request.id,
        "title": request.title,
        "document_id": request.document_id,
        "document_version": request.document_version,
        "file_name": request.file_name,
        "status": request.status,
        "signers": request.signers.len(),
        "signed": signed,
        "signed_version": request.signed_version,
        "created_at": request.created_at,
        "updated_at": request.updated_at,
    })
}

fn my_turn(request: &SignatureRequest, principal: &Principal) -> bool {
    request.status.is_open()
        && request
            .signer_for(crate::data::SignerKind::Contact, &principal.sub)
            .is_some_and(|signer| signer.state == SignerState::Signing)
}

/// Everything, for the firm.
pub fn staff_view(request: &SignatureRequest) -> Value {
    json!({ "signature_request": request, "me": null, "consent": consent() })
}

fn consent() -> Value {
    json!({
        "version": atrium_approvals::CONSENT_VERSION,
        "text": atrium_approvals::CONSENT_TEXT,
    })
}

/// A contact's view: the request without other signers' evidence (their addresses and
/// browsers).
fn contact_view(seen: &Seen) -> Value {
    let request = &seen.request;
    let me = seen.signer().map(|signer| signer.id.clone());
    let signers: Vec<Value> = request
        .signers
        .iter()
        .map(|signer| {
            let own = me.as_deref() == Some(signer.id.as_str());
            json!({
                "id": signer.id,
                "kind": signer.kind,
                "name": signer.name,
                "email": signer.email,
                "group": signer.group,
                "state": signer.state,
                "signed_at": signer.signed.as_ref().map(|evidence| evidence.at.clone()),
                "evidence": if own { json!(signer.signed) } else { Value::Null },
            })
        })
        .collect();
    json!({
        "me": null,
        "consent": consent(),
        "signature_request": {
            "id": request.id,
            "title": request.title,
            "message": request.message,
            "document_id": request.document_id,
            "document_version": request.document_version,
            "file_name": request.file_name,
            "sha256": request.sha256,
            "pages": request.pages,
            "status": request.status,
            "signers": signers,
            "fields": request.fields,
            "ended": request.ended,
            "signed_version": request.signed_version,
            "signed_sha256_hex": request.signed_sha256_hex,
            "created_at": request.created_at,
            "updated_at": request.updated_at,
        },
    })
}
