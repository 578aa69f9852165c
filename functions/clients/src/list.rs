//! `GET /api/clients?limit=&cursor=`: the firm's clients, newest first, with where each one's
//! invitation stands.

use atrium_shared::http::{ok, query_param};
use atrium_shared::principal::Principal;
use atrium_shared::store::page_limit;
use atrium_shared::store::records::{ClientRecord, InvitationStatus};
use atrium_shared::{ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct ClientSummary {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub contact_name: String,
    pub contact_email: String,
    pub invitation: InvitationStatus,
    pub onboarding_complete: bool,
    pub mfa_required: bool,
    pub created_at: String,
}

impl From<ClientRecord> for ClientSummary {
    fn from(record: ClientRecord) -> Self {
        Self {
            id: record.tenant_id,
            name: record.name,
            slug: record.slug,
            contact_name: record.contact_name,
            contact_email: record.contact_email,
            invitation: record.invitation,
            onboarding_complete: record.onboarding_complete,
            mfa_required: record.mfa_required,
            created_at: record.created_at,
        }
    }
}

#[derive(Debug, Serialize)]
struct ClientsPage {
    clients: Vec<ClientSummary>,
    next_cursor: Option<String>,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    Principal::from_request(&req)?.require_staff()?;
    let limit = page_limit(query_param(&req, "limit"), 25, 100)?;
    let cursor = query_param(&req, "cursor");
    let page = app.store.list_clients(limit, cursor.as_deref()).await?;
    ok(&ClientsPage {
        clients: page.items.into_iter().map(ClientSummary::from).collect(),
        next_cursor: page.next_cursor,
    })
}
