//! `POST /api/contacts/{contact}/invitation` (a client admin) and
//! `POST /api/clients/{id}/contacts/{contact}/invitation` (staff): a fresh invitation for a
//! contact who has not accepted yet (the link expired, or the mail was lost). The new link is
//! the only one that works: the previous one is retired in the same transaction. One email.

use crate::{manager_scope, ContactView};
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, path_param, RequestMeta};
use atrium_shared::principal::Principal;
use atrium_shared::secrets::token_hash;
use atrium_shared::store::records::UserStatus;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = manager_scope(app, &principal, &req).await?;
    let sub = path_param(&req, "contact")?;
    let contact = app
        .store
        .contact(&scope, &sub)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if contact.status != UserStatus::Invited {
        return Err(ApiError::conflict(
            "this contact has already accepted their invitation (or was removed); they can sign in",
        ));
    }
    let client = app
        .store
        .client_record(scope.tenant_id())
        .await?
        .ok_or_else(ApiError::not_found)?;
    let profile = app
        .store
        .profile(&scope)
        .await?
        .ok_or_else(ApiError::not_found)?;
    // The link before this one: recorded per contact, or on the client for the first contact.
    let previous = match app.store.latest_invite(&scope, &sub).await? {
        Some(latest) => Some(latest.token_hash),
        None if client.contact_sub.as_deref() == Some(sub.as_str()) => client.invite_hash.clone(),
        None => None,
    };
    let (token, invite) = crate::new_invite(app, &scope, &sub, &contact.email);
    let hash = token_hash(&token);
    let mut items = vec![
        app.store.invite_tx(&hash, &invite)?,
        app.store.latest_invite_tx(&scope, &sub, &hash)?,
    ];
    if let Some(previous) = previous.filter(|previous| *previous != hash) {
        items.push(app.store.retire_invite_tx(&previous)?);
    }
    let entry = AuditEntry::by(
        &scope,
        &principal,
        "contact.reinvited",
        &format!("contact/{sub}"),
        contact.version,
        &RequestMeta::of(&req),
    );
    app.store
        .transact_audited(items, &scope, vec![entry], "try again")
        .await?;
    crate::mail_invitation(app, &profile.name, &contact.name, &contact.email, &token).await?;
    ok(&ContactView::from(contact))
}
