//! `POST /api/staff/{sub}/invitation` (firm admin): a fresh invitation for a member who has not
//! accepted yet. The new link is the only one that works: the previous one is retired in the
//! same transaction. One email.

use crate::{mail_staff_invitation, new_staff_invite, StaffView};
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, path_param, RequestMeta};
use atrium_shared::principal::Principal;
use atrium_shared::secrets::token_hash;
use atrium_shared::store::records::UserStatus;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff_admin()?;
    let sub = path_param(&req, "sub")?;
    let member = app
        .store
        .staff_user(&sub)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if member.status != UserStatus::Invited {
        return Err(ApiError::conflict(
            "this member has already accepted their invitation (or is disabled); they can sign in",
        ));
    }
    let previous = app.store.staff_latest_invite(&sub).await?;
    let (token, invite) = new_staff_invite(app, &sub, &member.email);
    let hash = token_hash(&token);
    let mut items = vec![
        app.store.invite_tx(&hash, &invite)?,
        app.store.staff_latest_invite_tx(&sub, &hash)?,
    ];
    if let Some(previous) = previous.filter(|previous| previous.token_hash != hash) {
        items.push(app.store.retire_invite_tx(&previous.token_hash)?);
    }
    let entry = AuditEntry::firm(
        &principal,
        "staff.reinvited",
        &format!("staff/{sub}"),
        member.version,
        &RequestMeta::of(&req),
    );
    app.store
        .transact_firm_audited(items, vec![entry], "try again")
        .await?;
    mail_staff_invitation(app, &member.name, &member.email, &token).await?;
    ok(&StaffView::from(member))
}
