//! `PATCH /api/contacts/{contact}` (a client admin) and the staff route `{version, roles}`:
//! changes a contact's roles. Demoting the last admin is refused. The authorizer reads roles
//! from the record, so the change applies within its cache window, without new tokens.

use crate::{keep_an_admin, manager_scope, roles, ContactView};
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, parse_json, path_param, RequestMeta};
use atrium_shared::principal::{Principal, Role};
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    version: u64,
    roles: Vec<String>,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = manager_scope(app, &principal, &req).await?;
    let sub = path_param(&req, "contact")?;
    let body: UpdateBody = parse_json(&req)?;
    let new_roles = roles("roles", &body.roles)?;
    let mut contact = app
        .store
        .contact(&scope, &sub)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if contact.version != body.version {
        return Err(ApiError::conflict(
            "version: the contact changed meanwhile; reload it",
        ));
    }
    let mut items = Vec::new();
    if contact.roles.contains(&Role::Admin) && !new_roles.contains(&Role::Admin) {
        items.push(keep_an_admin(app, &scope, &sub).await?);
    }
    let read_version = contact.version;
    contact.roles = new_roles;
    contact.version += 1;
    items.insert(
        0,
        app.store
            .contact_update_tx(&scope, &contact, read_version)?,
    );
    let entry = AuditEntry::by(
        &scope,
        &principal,
        "contact.roles_changed",
        &format!("contact/{sub}"),
        contact.version,
        &RequestMeta::of(&req),
    );
    app.store
        .transact_audited(
            items,
            &scope,
            vec![entry],
            "the contacts changed meanwhile; reload and try again",
        )
        .await?;
    ok(&ContactView::from(contact))
}
