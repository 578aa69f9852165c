//! `PATCH /api/staff/{sub}` (firm admin) `{version, roles?, status?}`: changes a member's roles
//! (`admin`, `staff`) and disables (`"disabled"`) or re-enables (`"active"`) them.
//!
//! Disabling writes the record (disabled, and `sessions_valid_after` = the next second, so the
//! authorizer refuses every token they hold) with its audit entry first, then disables the user
//! in the staff pool and revokes their refresh tokens; sending the same change again re-applies
//! the pool's side. A disabled member who never accepted their invitation goes back to
//! `invited` when re-enabled (their old link stays retired; send a new one). Refused: taking
//! away the last active admin (409) and an admin disabling themselves (400).

use crate::{keep_an_admin, staff_roles, StaffView};
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, parse_json, path_param, RequestMeta};
use atrium_shared::ids::now_epoch;
use atrium_shared::principal::{Principal, Role};
use atrium_shared::store::records::{UserRecord, UserStatus};
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    version: u64,
    #[serde(default)]
    roles: Option<Vec<String>>,
    #[serde(default)]
    status: Option<String>,
}

const CHANGED: &str = "version: the member changed meanwhile; reload and try again";

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff_admin()?;
    let sub = path_param(&req, "sub")?;
    let body: UpdateBody = parse_json(&req)?;
    let roles = body
        .roles
        .as_deref()
        .map(|roles| staff_roles("roles", roles))
        .transpose()?;
    let enable = match body.status.as_deref() {
        None => None,
        Some("active") => Some(true),
        Some("disabled") => Some(false),
        Some(_) => return Err(ApiError::invalid("status", "must be active or disabled")),
    };
    if roles.is_none() && enable.is_none() {
        return Err(ApiError::invalid("roles", "give roles or status (or both)"));
    }
    if enable == Some(false) && sub == principal.sub {
        return Err(ApiError::invalid(
            "status",
            "you cannot disable your own account; ask another admin",
        ));
    }
    let member = app
        .store
        .staff_user(&sub)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if member.version != body.version {
        return Err(ApiError::conflict(CHANGED));
    }

    let mut changed = member.clone();
    let mut actions = Vec::new();
    if let Some(roles) = roles.filter(|roles| *roles != member.roles) {
        changed.roles = roles;
        actions.push("staff.roles_changed");
    }
    let mut retire_link = None;
    match enable {
        Some(false) if member.status != UserStatus::Disabled => {
            changed.status = UserStatus::Disabled;
            // Tokens issued up to this second are refused; +1 because `iat` has one-second
            // resolution.
            changed.sessions_valid_after = now_epoch() + 1;
            if member.status == UserStatus::Invited {
                retire_link = app.store.staff_latest_invite(&sub).await?;
            }
            actions.push("staff.disabled");
        }
        Some(true) if member.status == UserStatus::Disabled => {
            let never_accepted = app.store.staff_latest_invite(&sub).await?.is_some();
            changed.status = if never_accepted {
                UserStatus::Invited
            } else {
                UserStatus::Active
            };
            actions.push("staff.enabled");
        }
        _ => {}
    }

    if !actions.is_empty() {
        write(
            app,
            &principal,
            &req,
            &member,
            &mut changed,
            &actions,
            retire_link,
        )
        .await?;
    }
    // The pool follows the portal's record (idempotent, so a repeat re-applies it).
    match (enable, changed.status) {
        (Some(false), _) => disable_in_pool(app, &changed).await?,
        (Some(true), UserStatus::Active | UserStatus::Invited) => {
            enable_in_pool(app, &changed).await?
        }
        _ => {}
    }
    ok(&StaffView::from(changed))
}

async fn write(
    app: &App,
    principal: &Principal,
    req: &Request,
    member: &UserRecord,
    changed: &mut UserRecord,
    actions: &[&str],
    retire_link: Option<atrium_shared::store::tenant::LatestInvite>,
) -> ApiResult<()> {
    let was_active_admin =
        member.status == UserStatus::Active && member.roles.contains(&Role::Admin);
    let stays_active_admin =
        changed.status == UserStatus::Active && changed.roles.contains(&Role::Admin);
    let mut items = Vec::new();
    if was_active_admin && !stays_active_admin {
        items.push(keep_an_admin(app, &member.sub).await?);
    }
    changed.version = member.version + 1;
    items.insert(0, app.store.staff_user_tx(changed, Some(member.version))?);
    if let Some(link) = retire_link {
        items.push(app.store.retire_invite_tx(&link.token_hash)?);
    }
    let meta = RequestMeta::of(req);
    let entries = actions
        .iter()
        .map(|action| {
            AuditEntry::firm(
                principal,
                action,
                &format!("staff/{}", member.sub),
                changed.version,
                &meta,
            )
        })
        .collect();
    app.store
        .transact_firm_audited(items, entries, CHANGED)
        .await
}

fn pool_failed(cause: impl std::fmt::Debug) -> ApiError {
    // The portal already applies the change; the pool is the second lock.
    tracing::error!(?cause, "staff pool not updated");
    ApiError::new(
        http::StatusCode::SERVICE_UNAVAILABLE,
        "dependency_failed",
        "the change is saved in the portal, but sign-in could not be updated yet; send it again",
    )
}

async fn disable_in_pool(app: &App, member: &UserRecord) -> ApiResult<()> {
    app.cognito
        .admin_disable_user()
        .user_pool_id(&app.config.staff_pool_id)
        .username(&member.email)
        .send()
        .await
        .map_err(pool_failed)?;
    app.cognito
        .admin_user_global_sign_out()
        .user_pool_id(&app.config.staff_pool_id)
        .username(&member.email)
        .send()
        .await
        .map_err(pool_failed)?;
    Ok(())
}

async fn enable_in_pool(app: &App, member: &UserRecord) -> ApiResult<()> {
    app.cognito
        .admin_enable_user()
        .user_pool_id(&app.config.staff_pool_id)
        .username(&member.email)
        .send()
        .await
        .map_err(pool_failed)?;
    Ok(())
}
