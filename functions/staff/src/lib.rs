//! The firm's staff accounts, managed by firm admins. A new member is invited exactly like a
//! client's contact: a user made in the staff pool without Cognito's mail, the portal's record
//! and the hashed single-use link in one transaction (with an entry in the firm's own trail),
//! then one branded email; `POST /api/auth/accept-invite` sets the password. Disabling ends the
//! member's sessions at once (the authorizer refuses tokens issued before the mark) and then
//! disables them in the pool. The firm always keeps an active admin, and no admin can disable
//! themselves.

use atrium_shared::handler;
use atrium_shared::operation::prelude::*;

pub mod directory;
pub mod invite;
pub mod list;
pub mod mfa_reset;
pub mod resend;
pub mod update;

use atrium_shared::ids::now_epoch;
use atrium_shared::principal::Role;
use atrium_shared::secrets::new_token;
use atrium_shared::store::records::{InviteRecord, UserRecord, UserStatus};
use atrium_shared::store::Write;
use atrium_shared::{ApiError, ApiResult, App};
use serde::Serialize;

/// A staff member as the admin's screens show them.
#[derive(Debug, Serialize)]
pub struct StaffView {
    pub sub: String,
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub status: UserStatus,
    pub mfa_enabled: bool,
    pub created_at: String,
    pub version: u64,
}

impl From<UserRecord> for StaffView {
    fn from(record: UserRecord) -> Self {
        Self {
            sub: record.sub,
            email: record.email,
            name: record.name,
            roles: record.roles,
            status: record.status,
            mfa_enabled: record.mfa_enabled,
            created_at: record.created_at,
            version: record.version,
        }
    }
}

/// Staff roles as given: `admin` and/or `staff`, at least one.
pub fn staff_roles(field: &str, given: &[String]) -> ApiResult<Vec<Role>> {
    let mut roles = Vec::new();
    for text in given {
        match Role::parse(text) {
            Some(role @ (Role::Admin | Role::Staff)) => {
                if !roles.contains(&role) {
                    roles.push(role);
                }
            }
            _ => return Err(ApiError::invalid(field, "each must be admin or staff")),
        }
    }
    if roles.is_empty() {
        return Err(ApiError::invalid(field, "give at least one role"));
    }
    roles.sort();
    Ok(roles)
}

/// A new single-use link into the staff pool for `sub`: the token for the mail and the record
/// whose hash the table keeps.
pub fn new_staff_invite(app: &App, sub: &str, email: &str) -> (String, InviteRecord) {
    let invite = InviteRecord {
        tenant_id: String::new(),
        contact_sub: sub.to_string(),
        email: email.to_string(),
        expires_at: now_epoch() + app.config.invite_ttl_hours * 3600,
        claimed_at: 0,
        staff: true,
    };
    (new_token(), invite)
}

/// The one branded invitation mail with the link that carries `token`.
pub async fn mail_staff_invitation(
    app: &App,
    name: &str,
    email: &str,
    token: &str,
) -> ApiResult<()> {
    let link = format!(
        "{}/invite#token={token}",
        app.config.portal_origin.trim_end_matches('/')
    );
    let mail = atrium_shared::mail::staff_invitation(
        &app.branding().await,
        name,
        &link,
        app.config.invite_ttl_hours,
    );
    app.mailer.send(email, &mail).await.map(|_| ())
}

/// Checks that another active admin remains without `without`, and answers the transaction
/// item that makes the check hold at commit (the guard moves with a condition, so of two such
/// changes at the same moment, the second fails and, on retry, is refused).
pub async fn keep_an_admin(app: &App, without: &str) -> ApiResult<Write> {
    let guard_version = app.store.staff_guard_version().await?;
    let others = app.store.staff_users().await?.iter().any(|user| {
        user.sub != without
            && user.status == UserStatus::Active
            && user.roles.contains(&Role::Admin)
    });
    if !others {
        return Err(ApiError::conflict(
            "this is the firm's last active admin; make someone else an admin first",
        ));
    }
    app.store.staff_guard_tx(guard_version)
}

/// This capability's operations: routes, who may call them, the AWS access each needs
/// (docs/architecture.md, "Adding an operation").
pub const OPERATIONS: &[Operation] = &[
    Operation::http("staff-list", handler!(list::handle))
    .describe("The firm's staff members, for firm admins.")
    .routes(&[
        Route::new(Get, "/api/staff", FIRM_ADMIN),
    ])
    .grants(&[
        table(&["dynamodb:Query"]).firm_keys_only(),
    ]),
    Operation::http("staff-directory", handler!(directory::handle))
    .describe("The firm's active staff by name and address, for any member of staff.")
    .routes(&[
        Route::new(Get, "/api/staff/directory", FIRM),
    ])
    .grants(&[
        table(&["dynamodb:Query"]).firm_keys_only(),
    ]),
    Operation::http("staff-invite", handler!(invite::handle))
    .describe("Invites a staff member (staff pool user, single-use link, one email).")
    .routes(&[
        Route::new(Post, "/api/staff", FIRM_ADMIN),
    ])
    .grants(&[
        FIRM_WRITE_QUERY,
        Grant::new(&["cognito-idp:AdminCreateUser", "cognito-idp:AdminGetUser"], &[Resource::StaffPool]),
        SEND_MAIL,
    ]),
    Operation::http("staff-update", handler!(update::handle))
    .describe("Changes a staff member's roles, disables or re-enables them; the last admin stays.")
    .routes(&[
        Route::new(Patch, "/api/staff/{sub}", FIRM_ADMIN),
    ])
    .grants(&[
        table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]).firm_keys_only(),
        Grant::new(&["cognito-idp:AdminDisableUser", "cognito-idp:AdminEnableUser", "cognito-idp:AdminUserGlobalSignOut"], &[Resource::StaffPool]),
    ]),
    Operation::http("staff-mfa-reset", handler!(mfa_reset::handle))
    .describe("Resets a staff member's lost authenticator (removed, signed out everywhere, mailed, audited).")
    .routes(&[
        Route::new(Post, "/api/staff/{sub}/mfa/reset", FIRM_ADMIN),
    ])
    .grants(&[
        FIRM_WRITE,
        SEND_MAIL,
        Grant::new(&["cognito-idp:AdminSetUserMFAPreference", "cognito-idp:AdminUserGlobalSignOut"], &[Resource::StaffPool]),
    ]),
    Operation::http("staff-resend", handler!(resend::handle))
    .describe("A fresh invitation for a staff member who has not accepted; the previous link stops working.")
    .routes(&[
        Route::new(Post, "/api/staff/{sub}/invitation", FIRM_ADMIN),
    ])
    .grants(&[
        table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]).firm_keys_only(),
        SEND_MAIL,
    ]),
];
