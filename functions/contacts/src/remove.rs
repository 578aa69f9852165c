//! `DELETE /api/contacts/{contact}` (a client admin) and the staff route: removes a contact.
//! Their record is disabled and marked so the authorizer refuses every token issued before now
//! (within its cache window); then the user is disabled in the pool and their refresh tokens
//! revoked. The last admin cannot be removed.

use crate::{keep_an_admin, manager_scope, ContactView};
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, path_param, RequestMeta};
use atrium_shared::ids::now_epoch;
use atrium_shared::principal::{Principal, Role};
use atrium_shared::store::records::UserStatus;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = manager_scope(app, &principal, &req).await?;
    let sub = path_param(&req, "contact")?;
    let mut contact = app
        .store
        .contact(&scope, &sub)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if contact.status != UserStatus::Disabled {
        remove_from_portal(
            app,
            &principal,
            &scope,
            &mut contact,
            &RequestMeta::of(&req),
        )
        .await?;
    }
    // Removing again re-applies the pool's side (idempotent), for when it failed the first time.
    disable_in_pool(app, &scope, &contact.email).await?;
    ok(&ContactView::from(contact))
}

async fn remove_from_portal(
    app: &App,
    principal: &Principal,
    scope: &atrium_shared::principal::TenantScope,
    contact: &mut atrium_shared::store::records::UserRecord,
    meta: &RequestMeta,
) -> ApiResult<()> {
    let sub = contact.sub.clone();
    let mut items = Vec::new();
    if contact.roles.contains(&Role::Admin) {
        items.push(keep_an_admin(app, scope, &sub).await?);
    }
    let read_version = contact.version;
    contact.status = UserStatus::Disabled;
    // Tokens issued up to this second are refused; +1 because `iat` has one-second resolution.
    contact.sessions_valid_after = now_epoch() + 1;
    contact.version += 1;
    items.insert(
        0,
        app.store.contact_update_tx(scope, contact, read_version)?,
    );
    let entry = AuditEntry::by(
        scope,
        principal,
        "contact.removed",
        &format!("contact/{sub}"),
        contact.version,
        meta,
    );
    app.store
        .transact_audited(
            items,
            scope,
            vec![entry],
            "the contacts changed meanwhile; reload and try again",
        )
        .await
}

async fn disable_in_pool(
    app: &App,
    scope: &atrium_shared::principal::TenantScope,
    email: &str,
) -> ApiResult<()> {
    let pool = app
        .client_pool_by_tenant(scope.tenant_id())
        .await?
        .ok_or_else(ApiError::not_found)?;
    let disabled = app
        .cognito
        .admin_disable_user()
        .user_pool_id(&pool.pool_id)
        .username(email)
        .send()
        .await;
    let signed_out = app
        .cognito
        .admin_user_global_sign_out()
        .user_pool_id(&pool.pool_id)
        .username(email)
        .send()
        .await;
    if disabled.is_err() || signed_out.is_err() {
        // The portal already refuses them; the pool is the second lock. Removing again retries.
        tracing::error!(
            ?disabled,
            ?signed_out,
            "removed contact not disabled in the pool"
        );
        return Err(ApiError::new(
            http::StatusCode::SERVICE_UNAVAILABLE,
            "dependency_failed",
            "the contact is removed from the portal, but their sign-in could not be disabled yet; try again",
        ));
    }
    Ok(())
}
