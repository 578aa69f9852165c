//! `POST /api/staff/{sub}/mfa/reset` (firm admins): for a staff member who lost their
//! authenticator. It is removed from their account in the staff pool, every session of theirs
//! ends, they are mailed, and the firm's trail records who did it; at their next sign-in they
//! set up a new one.

use crate::StaffView;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, path_param, RequestMeta};
use atrium_shared::ids::now_epoch;
use atrium_shared::principal::Principal;
use atrium_shared::store::records::UserStatus;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff_admin()?;
    let sub = path_param(&req, "sub")?;
    if sub == principal.sub {
        return Err(ApiError::conflict(
            "turn your own authenticator off in your settings (your password is asked there); another admin can reset it",
        ));
    }
    let member = app
        .store
        .staff_user(&sub)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if member.status == UserStatus::Disabled {
        return Err(ApiError::conflict(
            "this staff member is disabled; there is no authenticator to reset",
        ));
    }
    app.reset_authenticator(&app.config.staff_pool_id, &member.email)
        .await?;
    let mut changed = member.clone();
    changed.mfa_enabled = false;
    // As at sign-out: tokens issued before this second (the person signs in again at once).
    changed.sessions_valid_after = now_epoch();
    changed.version = member.version + 1;
    let entry = AuditEntry::firm(
        &principal,
        "staff.mfa_reset",
        &format!("staff/{sub}"),
        changed.version,
        &RequestMeta::of(&req),
    );
    app.store
        .transact_firm_audited(
            vec![app.store.staff_user_tx(&changed, Some(member.version))?],
            vec![entry],
            "the staff member changed meanwhile; reload and try again",
        )
        .await?;
    let mail = atrium_shared::mail::authenticator_reset(
        &app.branding().await,
        &changed.name,
        &format!("{}/staff", app.config.portal_origin.trim_end_matches('/')),
    );
    if let Err(error) = app.mailer.send(&changed.email, &mail).await {
        tracing::warn!(?error, "authenticator reset notice not sent");
    }
    ok(&StaffView::from(changed))
}
