//! One password for a person in every pool that holds them, and ending every session of
//! theirs: what a password reset and a password change do across the person's organisations
//! (docs/architecture.md, "The front door").

use crate::signin::pool_of;
use atrium_shared::cognito::{sign_in_error, PoolRef};
use atrium_shared::http::RequestMeta;
use atrium_shared::ids::now_epoch;
use atrium_shared::principal::Principal;
use atrium_shared::store::records::UserStatus;
use atrium_shared::{ApiResult, App};

/// One place the person is an active member: its pool, and the person as a principal there.
pub struct Member {
    pub pool: PoolRef,
    pub principal: Principal,
    pub email: String,
}

/// Every organisation where the person's record is active (invited and removed contacts have
/// no password of theirs to set).
pub async fn active_members(app: &App, email: &str) -> ApiResult<Vec<Member>> {
    let mut members = Vec::new();
    for membership in app.store.memberships(email).await? {
        let Ok(pool) = pool_of(app, membership.organisation()).await else {
            continue;
        };
        let user = match &pool.tenant_id {
            None => app.store.staff_user(&membership.sub).await?,
            Some(_) => match atrium_shared::cognito::scope_of_pool(&pool) {
                Some(scope) => app.store.contact(&scope, &membership.sub).await?,
                None => None,
            },
        };
        let Some(user) = user.filter(|user| user.status == UserStatus::Active) else {
            continue;
        };
        let principal = match &pool.tenant_id {
            None => Principal::staff(user.sub.clone(), user.roles.clone()),
            Some(_) => match atrium_shared::cognito::scope_of_pool(&pool) {
                Some(scope) => Principal::client(&scope, user.sub.clone(), user.roles.clone()),
                None => continue,
            },
        };
        members.push(Member {
            pool,
            principal,
            email: user.email,
        });
    }
    Ok(members)
}

/// Sets `password` (permanent) in each member's pool but `except` (the one that already has
/// it). The pools share one policy, so a password the first refuses is refused before any
/// changes; a failure midway is sent again by the same request's retry (setting a password is
/// idempotent).
pub async fn set_password(
    app: &App,
    members: &[Member],
    password: &str,
    except: Option<&PoolRef>,
) -> ApiResult<()> {
    for member in members.iter().filter(|member| except != Some(&member.pool)) {
        app.cognito
            .admin_set_user_password()
            .user_pool_id(&member.pool.pool_id)
            .username(&member.email)
            .password(password)
            .permanent(true)
            .send()
            .await
            .map_err(|error| sign_in_error("cognito admin_set_user_password", error))?;
    }
    Ok(())
}

/// Ends every session of the person: the portal's sessions (so every token is refused from the
/// next request), each record's sign-out mark with its entry in that organisation's trail
/// (`action`), and, as the second lock, Cognito's refresh tokens in each pool.
pub async fn end_everything(
    app: &App,
    email: &str,
    members: &[Member],
    action: &str,
    meta: &RequestMeta,
) -> ApiResult<()> {
    let now = now_epoch();
    app.store.end_all_sessions(email, now).await?;
    for member in members {
        app.store
            .end_sessions_because(&member.principal, now, action, meta)
            .await?;
        if let Err(error) = app
            .cognito
            .admin_user_global_sign_out()
            .user_pool_id(&member.pool.pool_id)
            .username(&member.email)
            .send()
            .await
        {
            tracing::error!(?error, "refresh tokens not revoked");
        }
    }
    Ok(())
}
