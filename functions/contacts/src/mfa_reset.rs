//! `POST /api/contacts/{contact}/mfa/reset` (a client admin) and
//! `POST /api/clients/{id}/contacts/{contact}/mfa/reset` (firm staff): for a contact who lost
//! their authenticator. It is removed from their account in the client's pool, every session
//! of theirs ends (the record refuses older tokens at once; the pool revokes refresh tokens),
//! they are mailed, and the client's trail records who did it. At their next sign-in they set
//! up a new one: Cognito asks for it when the client requires an authenticator, and otherwise
//! they can from their settings.

use crate::{manager_scope, ContactView};
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, path_param, RequestMeta};
use atrium_shared::ids::now_epoch;
use atrium_shared::principal::Principal;
use atrium_shared::store::records::UserStatus;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = manager_scope(app, &principal, &req).await?;
    let sub = path_param(&req, "contact")?;
    if !principal.is_staff() && sub == principal.sub {
        return Err(ApiError::conflict(
            "turn your own authenticator off in your settings (your password is asked there)",
        ));
    }
    let mut contact = app
        .store
        .contact(&scope, &sub)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if contact.status == UserStatus::Disabled {
        return Err(ApiError::conflict(
            "this contact was removed; there is no authenticator to reset",
        ));
    }
    let pool = app
        .client_pool_by_tenant(scope.tenant_id())
        .await?
        .ok_or_else(ApiError::not_found)?;
    // The pool first: if it fails nothing is recorded, and the admin sends it again.
    app.reset_authenticator(&pool.pool_id, &contact.email)
        .await?;
    let read_version = contact.version;
    contact.mfa_enabled = false;
    // Tokens issued before this second are refused; as at sign-out, not this second itself,
    // so the person can sign in again at once (`iat` has one-second resolution).
    contact.sessions_valid_after = now_epoch();
    contact.version += 1;
    let entry = AuditEntry::by(
        &scope,
        &principal,
        "contact.mfa_reset",
        &format!("contact/{sub}"),
        contact.version,
        &RequestMeta::of(&req),
    );
    app.store
        .transact_audited(
            vec![app
                .store
                .contact_update_tx(&scope, &contact, read_version)?],
            &scope,
            vec![entry],
            "the contact changed meanwhile; reload and try again",
        )
        .await?;
    let mail = atrium_shared::mail::authenticator_reset(
        &app.branding().await,
        &contact.name,
        &format!("{}/", app.config.portal_origin.trim_end_matches('/')),
    );
    if let Err(error) = app.mailer.send(&contact.email, &mail).await {
        tracing::warn!(?error, "authenticator reset notice not sent");
    }
    ok(&ContactView::from(contact))
}
