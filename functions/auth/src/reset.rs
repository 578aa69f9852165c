//! "Forgot password", for clients and staff alike.
//!
//! `POST /api/auth/password/forgot {email}` always answers 202 with the same body. A person
//! the index knows (`store::people`) gets one branded mail with a link that lives 60 minutes:
//! 256 random bits in the fragment (`/reset-password#token=…`, never in a server log or a
//! `Referer`), of which the table keeps only the SHA-256 (`RESET#<hash>`, with a TTL).
//!
//! `POST /api/auth/password/reset {token, password}` claims the link with a conditional update
//! (single use; the expiry is checked again), sets the password in every pool where the person
//! is an active member, ends every session of theirs, records the reset in each
//! organisation's trail (the firm's for staff) and mails a confirmation. A password the pools
//! refuse gives the claim back, so the same link can be used with a better one.

use crate::everywhere::{active_members, end_everything, set_password};
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{check_origin, json_response, parse_json, RequestMeta};
use atrium_shared::ids::now_epoch;
use atrium_shared::mail::notice;
use atrium_shared::secrets::{is_plausible_token, new_token, token_hash};
use atrium_shared::store::people::Membership;
use atrium_shared::store::resets::ResetRecord;
use atrium_shared::store::throttle::Attempt;
use atrium_shared::types::Email;
use atrium_shared::{ApiError, ApiResult, App};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use serde_json::json;

/// How long a reset link lives.
pub const RESET_LINK_SECONDS: i64 = 60 * 60;
const MAX_PASSWORD_BYTES: usize = 256;

const ACCEPTED: &str =
    "If that address has an account, a link to choose a new password is on its way. It works once, for 60 minutes.";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ForgotBody {
    email: Email,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetBody {
    token: String,
    password: String,
}

pub async fn forgot(app: &App, req: Request) -> ApiResult<Response<Body>> {
    check_origin(
        req.method(),
        req.headers(),
        &app.config.portal_origin,
        false,
    )?;
    let body: ForgotBody = parse_json(&req)?;
    let meta = RequestMeta::of(&req);
    let email = body.email.as_str().trim().to_lowercase();
    let now = now_epoch();
    // Every request counts, known address or not, so the answer and the brake are the same.
    let brake = Attempt::password_reset(&email, &meta.ip);
    app.store.check_throttle(&brake, now).await?;
    app.store.record_failure(&brake, now).await?;
    let memberships = app.store.memberships(&email).await?;
    if !memberships.is_empty() {
        record_request(app, &memberships, &email, &meta).await;
        let token = new_token();
        let record = ResetRecord {
            email: email.clone(),
            expires_at: now + RESET_LINK_SECONDS,
            claimed_at: None,
            used_at: None,
        };
        app.store.put_reset(&token_hash(&token), &record).await?;
        send_link(app, &email, &token).await;
    }
    Ok(json_response(
        StatusCode::ACCEPTED,
        &json!({ "status": "accepted", "message": ACCEPTED }),
    ))
}

/// Every request for a link is in the trail of each organisation of the person (the firm's
/// own trail for staff), so a flood of them, or one the person did not make, can be seen.
async fn record_request(app: &App, memberships: &[Membership], email: &str, meta: &RequestMeta) {
    let target = format!("email/{email}");
    for membership in memberships {
        let recorded = match &membership.tenant_id {
            Some(tenant_id) => {
                let Ok(pool) = crate::signin::pool_of(app, tenant_id).await else {
                    continue;
                };
                let Some(scope) = atrium_shared::cognito::scope_of_pool(&pool) else {
                    continue;
                };
                let entry = AuditEntry::new(
                    &scope,
                    "anonymous",
                    "",
                    "session.password_reset_requested",
                    &target,
                    0,
                    meta,
                );
                app.store.audit(&scope, &entry).await
            }
            None => {
                let entry = AuditEntry::firm_by(
                    "anonymous",
                    "",
                    "session.password_reset_requested",
                    &target,
                    0,
                    meta,
                );
                app.store
                    .transact_firm_audited(Vec::new(), vec![entry], "audit")
                    .await
            }
        };
        if let Err(error) = recorded {
            tracing::error!(?error, "reset request not recorded");
        }
    }
}

async fn send_link(app: &App, email: &str, token: &str) {
    let link = format!(
        "{}/reset-password#token={token}",
        app.config.portal_origin.trim_end_matches('/')
    );
    let paragraph = "Someone (we hope you) asked to choose a new password for your portal account. The link works once, for 60 minutes. If it was not you, ignore this mail: your password stays as it is.";
    let mail = notice(
        &app.branding().await,
        "Choose a new password",
        "Choose a new password",
        &[paragraph.to_string()],
        paragraph,
        ("Choose a new password", &link),
    );
    // The answer is the same whether or not the mail went; a failure is for the operators.
    if let Err(error) = app.mailer.send(email, &mail).await {
        tracing::error!(?error, "reset link not sent");
    }
}

pub async fn reset(app: &App, req: Request) -> ApiResult<Response<Body>> {
    check_origin(
        req.method(),
        req.headers(),
        &app.config.portal_origin,
        false,
    )?;
    let body: ResetBody = parse_json(&req)?;
    let meta = RequestMeta::of(&req);
    let now = now_epoch();
    let brake = Attempt::reset_link(&meta.ip);
    app.store.check_throttle(&brake, now).await?;
    if body.password.is_empty() || body.password.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::invalid(
            "password",
            atrium_shared::cognito::PASSWORD_RULES,
        ));
    }
    let gone =
        || ApiError::gone("token: this link was used already or has expired; ask for a new one");
    if !is_plausible_token(&body.token) {
        app.store.record_failure(&brake, now).await?;
        return Err(gone());
    }
    let hash = token_hash(&body.token);
    let Some(record) = app.store.claim_reset(&hash, now).await? else {
        app.store.record_failure(&brake, now).await?;
        return Err(gone());
    };
    let members = active_members(app, &record.email).await?;
    if let Err(error) = set_password(app, &members, &body.password, None).await {
        app.store.release_reset(&hash).await?;
        return Err(error);
    }
    end_everything(
        app,
        &record.email,
        &members,
        "session.password_reset",
        &meta,
    )
    .await?;
    app.store.mark_reset_used(&hash, now).await?;
    confirm(app, &record.email).await;
    Ok(json_response(
        StatusCode::OK,
        &json!({ "status": "password_reset" }),
    ))
}

async fn confirm(app: &App, email: &str) {
    let link = app.config.portal_origin.trim_end_matches('/').to_string();
    let paragraph = "Your portal password was just reset with a link sent to this address, and every session was signed out. If you did not do this, contact us at once.";
    let mail = notice(
        &app.branding().await,
        "Your password was reset",
        "Your password was reset",
        &[paragraph.to_string()],
        paragraph,
        ("Sign in", &link),
    );
    if let Err(error) = app.mailer.send(email, &mail).await {
        tracing::error!(?error, "reset confirmation not sent");
    }
}
