//! `POST /api/approvals/{approval}/decide` `{decision, comment?, typed_name?, consent?}`: a
//! contact (admin or member) approves, rejects or requests changes. Approving a signature needs
//! the typed full name and the consent to sign electronically (given here with
//! `"consent": true` the first time, then kept). The decision is written only while the
//! approval is pending, so of two racing decisions exactly one wins; the other gets 409.

use crate::data::Approvals;
use crate::data::{ApprovalStatus, ConsentRecord, Decision, Signature};
use crate::{CONSENT_TEXT, CONSENT_VERSION};
use atrium_shared::access::require_can_act;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, parse_json, path_id, RequestMeta};
use atrium_shared::ids::now_rfc3339;
use atrium_shared::principal::Principal;
use atrium_shared::validate::text;
use atrium_shared::{validate, ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Choice {
    Approve,
    Reject,
    RequestChanges,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecideBody {
    decision: Choice,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    typed_name: Option<String>,
    #[serde(default)]
    consent: bool,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = principal.own_tenant()?;
    require_can_act(&principal)?;
    let approval_id = path_id(&req, "approval")?;
    let body: DecideBody = parse_json(&req)?;
    let record = Approvals::of(app.store.tenant(&scope))
        .get(&approval_id)
        .await?;
    // A member cannot decide (or learn of) an approval of a billing-only document.
    let mut record = crate::visible_approval(app, &scope, &principal, record)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if record.status != ApprovalStatus::Pending {
        return Err(ApiError::conflict("this approval was already decided"));
    }
    let contact = app
        .store
        .contact(&scope, &principal.sub)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let comment = text("comment", body.comment.as_deref().unwrap_or_default(), 4000)?;
    let meta = RequestMeta::of(&req);
    let now = now_rfc3339();
    let status = match body.decision {
        Choice::Approve => ApprovalStatus::Approved,
        Choice::Reject => ApprovalStatus::Rejected,
        Choice::RequestChanges => ApprovalStatus::ChangesRequested,
    };
    if status != ApprovalStatus::Approved && comment.is_empty() {
        return Err(ApiError::invalid(
            "comment",
            "say what should change or why, so the firm can act on it",
        ));
    }
    let mut items = Vec::new();
    let mut entries = Vec::new();
    if record.signature_required && status == ApprovalStatus::Approved {
        let typed_name = validate::name(
            "typed_name",
            body.typed_name.as_deref().unwrap_or_default(),
            200,
        )?;
        let consent = match Approvals::of(app.store.tenant(&scope))
            .consent(&principal.sub, CONSENT_VERSION)
            .await?
        {
            Some(consent) => consent,
            None if body.consent => {
                let consent = ConsentRecord {
                    sub: principal.sub.clone(),
                    email: contact.email.clone(),
                    consent_version: CONSENT_VERSION.to_string(),
                    consent_text: CONSENT_TEXT.to_string(),
                    at: now.clone(),
                    ip: meta.ip.clone(),
                    user_agent: meta.user_agent.clone(),
                };
                items.push(Approvals::of(app.store.tenant(&scope)).record_consent(&consent)?);
                entries.push(AuditEntry::by(
                    &scope,
                    &principal,
                    "esign.consent_given",
                    &format!("consent/{CONSENT_VERSION}"),
                    0,
                    &meta,
                ));
                consent
            }
            None => {
                return Err(ApiError::invalid(
                    "consent",
                    "agree to sign electronically before your first signature",
                ))
            }
        };
        record.signature = Some(Signature {
            typed_name,
            consent_version: consent.consent_version,
            consent_at: consent.at,
        });
    }
    record.status = status;
    record.decision = Some(Decision {
        status,
        comment,
        by_sub: principal.sub.clone(),
        by_email: contact.email,
        at: now.clone(),
        ip: meta.ip.clone(),
        user_agent: meta.user_agent.clone(),
    });
    record.version += 1;
    record.updated_at = now;
    items.insert(0, Approvals::of(app.store.tenant(&scope)).decide(&record)?);
    let action = match (status, record.signature.is_some()) {
        (ApprovalStatus::Approved, true) => "approval.signed",
        (ApprovalStatus::Approved, false) => "approval.approved",
        (ApprovalStatus::Rejected, _) => "approval.rejected",
        _ => "approval.changes_requested",
    };
    entries.push(AuditEntry::by(
        &scope,
        &principal,
        action,
        &format!("approval/{}", record.id),
        record.version,
        &meta,
    ));
    app.store
        .transact_audited(items, &scope, entries, "this approval was decided meanwhile, or your consent was being recorded in another window; reload and try again")
        .await?;
    ok(&record)
}
