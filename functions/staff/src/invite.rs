//! `POST /api/staff` (firm admin) `{name, email, role}`: a new member of the firm's staff
//! (`role`: `admin` or `staff`), invited with one branded email and a single-use link. An
//! address that is already a member is a 409.

use crate::{mail_staff_invitation, new_staff_invite, staff_roles, StaffView};
use atrium_clients::pools::find_or_create_contact;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{created, parse_json, RequestMeta};
use atrium_shared::ids::now_rfc3339;
use atrium_shared::principal::Principal;
use atrium_shared::secrets::token_hash;
use atrium_shared::store::people::Membership;
use atrium_shared::store::records::{UserRecord, UserStatus};
use atrium_shared::types::Email;
use atrium_shared::{validate, ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InviteBody {
    name: String,
    email: Email,
    role: String,
}

const TAKEN: &str = "email: is already a member of the firm's staff";

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff_admin()?;
    let body: InviteBody = parse_json(&req)?;
    let name = validate::name("name", &body.name, 120)?;
    let email = body.email;
    let roles = staff_roles("role", std::slice::from_ref(&body.role))?;
    if app
        .store
        .staff_users()
        .await?
        .iter()
        .any(|user| user.email.eq_ignore_ascii_case(&email))
    {
        return Err(ApiError::conflict(TAKEN));
    }
    let sub =
        find_or_create_contact(app, &app.config.staff_pool_id, &email, &name, "email").await?;
    let record = UserRecord {
        sub: sub.clone(),
        email: email.to_string(),
        name: name.clone(),
        roles,
        status: UserStatus::Invited,
        mfa_enabled: false,
        sessions_valid_after: 0,
        created_at: now_rfc3339(),
        version: 1,
    };
    let (token, invite) = new_staff_invite(app, &sub, &email);
    let hash = token_hash(&token);
    let entry = AuditEntry::firm(
        &principal,
        "staff.invited",
        &format!("staff/{sub}"),
        record.version,
        &RequestMeta::of(&req),
    );
    let items = vec![
        app.store.staff_user_tx(&record, None)?,
        app.store.membership_tx(&Membership::staff(&sub, &email))?,
        app.store.invite_tx(&hash, &invite)?,
        app.store.staff_latest_invite_tx(&sub, &hash)?,
    ];
    app.store
        .transact_firm_audited(items, vec![entry], TAKEN)
        .await?;
    // The member is written; a mail that fails now is resumed by sending the invitation
    // again (the resend route), which the error says.
    if let Err(error) = mail_staff_invitation(app, &name, &email, &token).await {
        tracing::error!(
            ?error,
            "the staff member was added but the invitation mail failed"
        );
        return Err(ApiError::new(
            error.status,
            "invitation_not_sent",
            format!(
                "the staff member was added, but the invitation mail could not be sent; send \
                 it again with POST /api/staff/{sub}/invitation"
            ),
        ));
    }
    created(&StaffView::from(record))
}
