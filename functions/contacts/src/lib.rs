//! A client organisation's contacts. The client's admins (and the firm's staff, audited as
//! staff) invite contacts with one branded email each, change their roles, and remove them.
//! The last admin of a client can be neither removed nor demoted; a guard item makes that hold
//! even when two admins act at the same moment. A removed contact's sessions end at once.

use atrium_shared::handler;
use atrium_shared::operation::prelude::*;

pub mod invite;
pub mod list;
pub mod mfa_reset;
pub mod remove;
pub mod resend;
pub mod update;

use atrium_shared::access::scope_for;
use atrium_shared::principal::{Principal, Role, TenantScope};
use atrium_shared::store::n;
use atrium_shared::store::records::{UserRecord, UserStatus};
use atrium_shared::store::Write;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::Request;
use serde::Serialize;

/// Staff for any client; a contact only for their own organisation, and only as its admin.
pub async fn manager_scope(
    app: &App,
    principal: &Principal,
    req: &Request,
) -> ApiResult<TenantScope> {
    if !principal.is_staff() && !principal.has_role(Role::Admin) {
        return Err(ApiError::forbidden(
            "only your organisation's admins can manage its contacts",
        ));
    }
    scope_for(app, principal, req).await
}

/// Roles as given: at least one; `read_only` alone; no staff roles.
pub fn roles(field: &str, given: &[String]) -> ApiResult<Vec<Role>> {
    let mut roles = Vec::new();
    for text in given {
        match Role::parse(text) {
            Some(Role::Staff) | None => {
                return Err(ApiError::invalid(
                    field,
                    "each must be admin, member, billing or read_only",
                ))
            }
            Some(role) if !roles.contains(&role) => roles.push(role),
            Some(_) => {}
        }
    }
    if roles.is_empty() {
        return Err(ApiError::invalid(field, "give at least one role"));
    }
    if roles.contains(&Role::ReadOnly) && roles.len() > 1 {
        return Err(ApiError::invalid(
            field,
            "read_only cannot be combined with other roles",
        ));
    }
    roles.sort();
    Ok(roles)
}

#[derive(Debug, Serialize)]
pub struct ContactView {
    pub sub: String,
    pub name: String,
    pub email: String,
    pub roles: Vec<Role>,
    pub status: UserStatus,
    pub mfa_enabled: bool,
    pub created_at: String,
    pub version: u64,
}

impl From<UserRecord> for ContactView {
    fn from(record: UserRecord) -> Self {
        Self {
            sub: record.sub,
            name: record.name,
            email: record.email,
            roles: record.roles,
            status: record.status,
            mfa_enabled: record.mfa_enabled,
            created_at: record.created_at,
            version: record.version,
        }
    }
}

/// A new single-use link for `sub` (valid `ATRIUM_INVITE_TTL_HOURS`): the token for the mail
/// and the record whose hash the table keeps.
pub fn new_invite(
    app: &App,
    scope: &TenantScope,
    sub: &str,
    email: &str,
) -> (String, atrium_shared::store::records::InviteRecord) {
    let token = atrium_shared::secrets::new_token();
    let invite = atrium_shared::store::records::InviteRecord {
        tenant_id: scope.tenant_id().to_string(),
        contact_sub: sub.to_string(),
        email: email.to_string(),
        expires_at: atrium_shared::ids::now_epoch() + app.config.invite_ttl_hours * 3600,
        claimed_at: 0,
        staff: false,
    };
    (token, invite)
}

/// The one branded invitation mail, with the link that carries `token`.
pub async fn mail_invitation(
    app: &App,
    organisation: &str,
    name: &str,
    email: &str,
    token: &str,
) -> ApiResult<()> {
    let link = format!(
        "{}/invite#token={token}",
        app.config.portal_origin.trim_end_matches('/')
    );
    let mail = atrium_shared::mail::invitation(
        &app.branding().await,
        organisation,
        name,
        &link,
        app.config.invite_ttl_hours,
    );
    app.mailer.send(email, &mail).await.map(|_| ())
}

const ADMIN_GUARD_SK: &str = "ADMINGUARD";

/// Checks that another admin (active or invited) would remain without `without`, and answers
/// the transaction item that makes the check hold at commit: the guard's version moves with a
/// condition, so of two admin changes racing, the second fails and re-checks.
pub async fn keep_an_admin(app: &App, scope: &TenantScope, without: &str) -> ApiResult<Write> {
    let guard_version = app.store.guard_version(scope, ADMIN_GUARD_SK).await?;
    let contacts = app.store.contacts(scope).await?;
    let others = contacts.iter().any(|contact| {
        contact.sub != without
            && contact.status != UserStatus::Disabled
            && contact.roles.contains(&Role::Admin)
    });
    if !others {
        return Err(ApiError::conflict(
            "this is the organisation's last admin; make someone else admin first",
        ));
    }
    let condition = if guard_version == 0 {
        "attribute_not_exists(PK)"
    } else {
        "guard = :read"
    };
    let mut pairs = vec![(":next", n(guard_version + 1))];
    if guard_version > 0 {
        pairs.push((":read", n(guard_version)));
    }
    app.store
        .tenant(scope)
        .update(ADMIN_GUARD_SK, "SET guard = :next", Some(condition), &pairs)
}

/// This capability's operations: routes, who may call them, the AWS access each needs
/// (docs/architecture.md, "Adding an operation").
pub const OPERATIONS: &[Operation] = &[
    Operation::http("contacts-list", handler!(list::handle))
    .describe("A client organisation's contacts.")
    .routes(&[
        Route::new(Get, "/api/contacts", CONTACTS),
        Route::new(Get, "/api/clients/{id}/contacts", FIRM),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_READ_QUERY,
    ]),
    Operation::http("contacts-invite", handler!(invite::handle))
    .describe("Invites a contact with one email and a single-use link.")
    .routes(&[
        Route::new(Post, "/api/contacts", CLIENT_ADMIN),
        Route::new(Post, "/api/clients/{id}/contacts", FIRM),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_WRITE_QUERY,
        Grant::new(&["cognito-idp:AdminCreateUser", "cognito-idp:AdminGetUser"], &[Resource::UserPools]),
        SEND_MAIL,
    ]),
    Operation::http("contacts-update", handler!(update::handle))
    .describe("Changes a contact's roles (the last admin stays).")
    .routes(&[
        Route::new(Patch, "/api/contacts/{contact}", CLIENT_ADMIN),
        Route::new(Patch, "/api/clients/{id}/contacts/{contact}", FIRM),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_WRITE_QUERY,
    ]),
    Operation::http("contacts-remove", handler!(remove::handle))
    .describe("Removes a contact and ends their sessions (the last admin stays).")
    .routes(&[
        Route::new(Delete, "/api/contacts/{contact}", CLIENT_ADMIN),
        Route::new(Delete, "/api/clients/{id}/contacts/{contact}", FIRM),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_WRITE_QUERY,
        Grant::new(&["cognito-idp:AdminDisableUser", "cognito-idp:AdminUserGlobalSignOut"], &[Resource::UserPools]),
    ]),
    Operation::http("contacts-mfa-reset", handler!(mfa_reset::handle))
    .describe("Resets a contact's lost authenticator (removed, signed out everywhere, mailed, audited).")
    .routes(&[
        Route::new(Post, "/api/contacts/{contact}/mfa/reset", CLIENT_ADMIN),
        Route::new(Post, "/api/clients/{id}/contacts/{contact}/mfa/reset", FIRM),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_READ,
        SEND_MAIL,
        Grant::new(&["cognito-idp:AdminSetUserMFAPreference", "cognito-idp:AdminUserGlobalSignOut"], &[Resource::UserPools]),
    ]),
    Operation::http("contacts-resend", handler!(resend::handle))
    .describe("A fresh invitation for a contact who has not accepted; the previous link stops working.")
    .routes(&[
        Route::new(Post, "/api/contacts/{contact}/invitation", CLIENT_ADMIN),
        Route::new(Post, "/api/clients/{id}/contacts/{contact}/invitation", FIRM),
    ])
    .grants(&[
        TENANT_SESSIONS,
        table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]).firm_keys_only(),
        SEND_MAIL,
    ]),
];
