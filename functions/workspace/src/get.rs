//! `GET /api/workspace`: the signed-in contact's dashboard, from their tenant's own partition
//! in one round trip. The lists are filled in by the capabilities that own them (documents,
//! projects, approvals, messages, invoices, tickets); until those land they are empty.

use atrium_shared::http::ok;
use atrium_shared::principal::{Principal, Role};
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Workspace {
    pub client: Client,
    pub contact: Contact,
    pub projects: Vec<serde_json::Value>,
    pub document_requests: Vec<serde_json::Value>,
    pub approvals: Vec<serde_json::Value>,
    pub messages: Vec<serde_json::Value>,
    pub invoices: Vec<serde_json::Value>,
    pub tickets: Vec<serde_json::Value>,
}

#[derive(Debug, Serialize)]
pub struct Client {
    pub id: String,
    pub name: String,
    pub slug: String,
}

#[derive(Debug, Serialize)]
pub struct Contact {
    pub sub: String,
    pub name: String,
    pub email: String,
    pub roles: Vec<Role>,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = principal.own_tenant()?;
    let (profile, contact) = app
        .store
        .profile_and_contact(&scope, &principal.sub)
        .await?;
    let (profile, contact) = match (profile, contact) {
        (Some(profile), Some(contact)) => (profile, contact),
        _ => return Err(ApiError::not_found()),
    };
    ok(&Workspace {
        client: Client {
            id: profile.tenant_id,
            name: profile.name,
            slug: profile.slug,
        },
        contact: Contact {
            sub: contact.sub,
            name: contact.name,
            email: contact.email,
            roles: contact.roles,
        },
        projects: vec![],
        document_requests: vec![],
        approvals: vec![],
        messages: vec![],
        invoices: vec![],
        tickets: vec![],
    })
}
