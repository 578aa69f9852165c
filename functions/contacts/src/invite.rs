//! `POST /api/contacts` (a client admin) and `POST /api/clients/{id}/contacts` (staff)
//! `{name, email, roles}`: a new contact in the client's pool, invited with one branded email
//! and a single-use link, exactly like the first contact at onboarding.

use crate::{manager_scope, roles, ContactView};
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
    roles: Vec<String>,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = manager_scope(app, &principal, &req).await?;
    let body: InviteBody = parse_json(&req)?;
    let name = validate::name("name", &body.name, 120)?;
    let email = body.email;
    let roles = roles("roles", &body.roles)?;
    if app
        .store
        .contacts(&scope)
        .await?
        .iter()
        .any(|contact| contact.email == email)
    {
        return Err(ApiError::conflict(
            "email: is already a contact of this organisation (if they have not accepted, send a new invitation)",
        ));
    }
    let pool = app
        .client_pool_by_tenant(scope.tenant_id())
        .await?
        .ok_or_else(ApiError::not_found)?;
    let profile = app
        .store
        .profile(&scope)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let sub = find_or_create_contact(app, &pool.pool_id, &email, &name, "email").await?;
    let contact = UserRecord {
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
    let (token, invite) = crate::new_invite(app, &scope, &sub, &email);
    let entry = AuditEntry::by(
        &scope,
        &principal,
        "contact.invited",
        &format!("contact/{sub}"),
        1,
        &RequestMeta::of(&req),
    );
    let hash = token_hash(&token);
    let items = vec![
        app.store.contact_tx(&scope, &contact)?,
        app.store
            .membership_tx(&Membership::contact(scope.tenant_id(), &sub, &email))?,
        app.store.invite_tx(&hash, &invite)?,
        app.store.latest_invite_tx(&scope, &sub, &hash)?,
    ];
    app.store
        .transact_audited(
            items,
            &scope,
            vec![entry],
            "email: is already a contact of this organisation",
        )
        .await?;
    // The contact is written; a mail that fails now is resumed by sending the invitation
    // again (the resend route), which the error says. Inviting the address again is a 409.
    if let Err(error) = crate::mail_invitation(app, &profile.name, &name, &email, &token).await {
        tracing::error!(
            ?error,
            "the contact was added but the invitation mail failed"
        );
        return Err(ApiError::new(
            error.status,
            "invitation_not_sent",
            format!(
                "the contact was added, but the invitation mail could not be sent; send it \
                 again with POST …/contacts/{sub}/invitation"
            ),
        ));
    }
    created(&ContactView::from(contact))
}
