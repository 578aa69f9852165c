//! `POST /api/auth/accept-invite` `{token, password}`: the contact's first visit. Sets their
//! password (the pool's policy decides), uses up the link, and signs them in.
//!
//! Staff invited by a firm admin use the same route: their invitation names the staff pool.
//!
//! The link is claimed before the password is set, so two tabs cannot both use it; a refused
//! password gives the claim back, so the person can try a better one with the same link. A
//! person who already has an account (another organisation, or staff) accepts with the
//! password they have: one password everywhere.

use crate::everywhere::active_members;
use crate::session::{finish, password_step, Mode};
use atrium_shared::audit::AuditEntry;
use atrium_shared::cognito::{sign_in_error, PoolRef};
use atrium_shared::http::{check_origin, parse_json, RequestMeta};
use atrium_shared::ids::now_epoch;
use atrium_shared::principal::Role;
use atrium_shared::secrets::{is_plausible_token, token_hash};
use atrium_shared::store::records::{InviteRecord, UserStatus};
use atrium_shared::store::registry::registered_scope;
use atrium_shared::store::throttle::Attempt;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

/// A claim older than this is from an attempt that died; the link may be used again.
const STALE_CLAIM_SECONDS: i64 = 120;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AcceptBody {
    token: String,
    password: String,
    #[serde(default)]
    mode: Mode,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    check_origin(
        req.method(),
        req.headers(),
        &app.config.portal_origin,
        false,
    )?;
    let body: AcceptBody = parse_json(&req)?;
    if !is_plausible_token(&body.token) {
        return Err(ApiError::invalid(
            "token",
            "is not an invitation link we sent",
        ));
    }
    if body.password.is_empty() || body.password.len() > 256 {
        return Err(ApiError::invalid(
            "password",
            atrium_shared::cognito::PASSWORD_RULES,
        ));
    }
    let hash = token_hash(&body.token);
    let now = now_epoch();
    let invite = app.store.invite(&hash).await?.ok_or_else(|| {
        ApiError::gone("token: this invitation link is no longer valid; it may have been used already. Sign in, or ask for a new invitation")
    })?;
    if invite.expires_at <= now {
        return Err(ApiError::gone(
            "token: this invitation has expired; ask for a new one",
        ));
    }
    require_existing_password(app, &req, &invite.email, &body.password).await?;
    if invite.staff {
        return accept_staff(app, &req, body, &hash, invite, now).await;
    }
    let client = app
        .store
        .client_record(&invite.tenant_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let (Some(pool_id), Some(app_client_id)) =
        (client.pool_id.clone(), client.app_client_id.clone())
    else {
        return Err(ApiError::not_found());
    };
    if !app
        .store
        .claim_invite(&hash, now, STALE_CLAIM_SECONDS)
        .await?
    {
        return Err(ApiError::conflict(
            "token: this invitation is being used in another window, or has expired",
        ));
    }

    let set_password = app
        .cognito
        .admin_set_user_password()
        .user_pool_id(&pool_id)
        .username(&invite.email)
        .password(&body.password)
        .permanent(true)
        .send()
        .await;
    if let Err(error) = set_password {
        let api_error = sign_in_error("cognito admin_set_user_password", error);
        app.store.release_invite(&hash, now).await?;
        return Err(api_error);
    }

    let scope = registered_scope(&invite);
    let meta = RequestMeta::of(&req);
    let contact_roles = app
        .store
        .contact(&scope, &invite.contact_sub)
        .await?
        .map(|contact| Role::join(&contact.roles))
        .unwrap_or_default();
    let entry = AuditEntry::new(
        &scope,
        &format!("client:{}", invite.contact_sub),
        &contact_roles,
        "invitation.accepted",
        &format!("contact/{}", invite.contact_sub),
        client.version,
        &meta,
    );
    let mut items = vec![
        app.store.delete_invite_tx(&hash)?,
        app.store.activate_contact_tx(&scope, &invite.contact_sub)?,
    ];
    // The firm's clients list shows the first contact's invitation; later contacts' do not
    // change it.
    if client.contact_sub.as_deref() == Some(invite.contact_sub.as_str()) {
        items.push(app.store.client_invitation_accepted_tx(&invite.tenant_id)?);
    }
    app.store
        .transact_audited(
            items,
            &scope,
            vec![entry],
            "token: this invitation was used meanwhile",
        )
        .await?;

    let pool = PoolRef {
        pool_id,
        app_client_id,
        tenant_id: Some(invite.tenant_id.clone()),
    };
    let step = password_step(app, &pool, &invite.email, &body.password).await?;
    finish(
        app,
        &pool,
        &invite.email,
        Some(&client.slug),
        body.mode,
        step,
        &meta,
    )
    .await
}

/// One password everywhere: a person who already signs in somewhere (another client, or the
/// firm's staff) accepts with the password they have, proven against one of their pools, so an
/// invitation link alone can never set a new password for an existing account. Wrong ones
/// count towards the sign-in brakes.
async fn require_existing_password(
    app: &App,
    req: &Request,
    email: &str,
    password: &str,
) -> ApiResult<()> {
    let members = active_members(app, email).await?;
    let Some(member) = members.first() else {
        return Ok(());
    };
    let meta = RequestMeta::of(req);
    let brake = Attempt::sign_in(email, &meta.ip);
    app.store.check_throttle(&brake, now_epoch()).await?;
    match password_step(app, &member.pool, email, password).await {
        Ok(_) => Ok(()),
        Err(error) if error.status == http::StatusCode::UNAUTHORIZED => {
            if let Err(error) = app.store.record_failure(&brake, now_epoch()).await {
                tracing::error!(?error, "failed invitation password not counted");
            }
            Err(ApiError::invalid(
                "password",
                "you already have a portal account with this email: enter its password (or reset it from the sign-in page)",
            ))
        }
        Err(error) => Err(error),
    }
}

/// A new member of the firm's staff: the same link, into the staff pool. Their record goes from
/// invited to active in the transaction that uses up the link, with an entry in the firm's trail.
async fn accept_staff(
    app: &App,
    req: &Request,
    body: AcceptBody,
    hash: &str,
    invite: InviteRecord,
    now: i64,
) -> ApiResult<Response<Body>> {
    let user = app
        .store
        .staff_user(&invite.contact_sub)
        .await?
        .filter(|user| user.status == UserStatus::Invited)
        .ok_or_else(|| {
            ApiError::gone(
                "token: this invitation is no longer valid; ask a firm admin for a new one",
            )
        })?;
    if !app
        .store
        .claim_invite(hash, now, STALE_CLAIM_SECONDS)
        .await?
    {
        return Err(ApiError::conflict(
            "token: this invitation is being used in another window, or has expired",
        ));
    }
    let pool = app.staff_pool();
    let set_password = app
        .cognito
        .admin_set_user_password()
        .user_pool_id(&pool.pool_id)
        .username(&invite.email)
        .password(&body.password)
        .permanent(true)
        .send()
        .await;
    if let Err(error) = set_password {
        let api_error = sign_in_error("cognito admin_set_user_password", error);
        app.store.release_invite(hash, now).await?;
        return Err(api_error);
    }
    let meta = RequestMeta::of(req);
    let read_version = user.version;
    let mut active = user;
    active.status = UserStatus::Active;
    active.version += 1;
    let entry = AuditEntry::firm_by(
        &format!("staff:{}", active.sub),
        &Role::join(&active.roles),
        "staff.invitation_accepted",
        &format!("staff/{}", active.sub),
        active.version,
        &meta,
    );
    let items = vec![
        app.store.delete_invite_tx(hash)?,
        app.store.staff_user_tx(&active, Some(read_version))?,
        app.store.delete_staff_latest_invite_tx(&active.sub)?,
    ];
    app.store
        .transact_firm_audited(
            items,
            vec![entry],
            "token: this invitation was used meanwhile",
        )
        .await?;
    let step = password_step(app, &pool, &invite.email, &body.password).await?;
    finish(app, &pool, &invite.email, None, body.mode, step, &meta).await
}
