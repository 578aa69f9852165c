//! `GET /api/workspace`: the signed-in contact's dashboard, from their tenant's own partition:
//! the profile and contact (one BatchGetItem), the document requests that need attention or
//! wait for review, the active projects with milestones and tasks, and the approvals waiting
//! for a decision (one Query each), read concurrently. `messages`, `invoices` and `tickets`
//! stay empty until unread-message tracking, invoices and tickets exist.

use atrium_documents::view::RequestView;
use atrium_projects::model::ProjectView;
use atrium_shared::http::ok;
use atrium_shared::principal::{Principal, Role};
use atrium_shared::store::records::RequestStatus;
use atrium_shared::store::records::{ApprovalRecord, ApprovalStatus, ProjectStatus};
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Workspace {
    pub client: Client,
    pub contact: Contact,
    /// Active projects with progress and the next milestone.
    pub projects: Vec<ProjectView>,
    pub document_requests: Vec<RequestView>,
    /// Approvals waiting for the client's decision.
    pub approvals: Vec<ApprovalRecord>,
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
    let (people, requests, projects, approvals) = tokio::join!(
        app.store.profile_and_contact(&scope, &principal.sub),
        app.store.requests(&scope, 100, None),
        app.store.projects(&scope),
        app.store.approvals(&scope)
    );
    let approvals = approvals?
        .into_iter()
        .filter(|approval| approval.status == ApprovalStatus::Pending)
        .collect();
    let projects = projects?
        .into_iter()
        .filter(|project| project.status == ProjectStatus::Active)
        .map(ProjectView::from)
        .collect();
    let (profile, contact) = people?;
    let document_requests = requests?
        .items
        .into_iter()
        .filter(|request| {
            matches!(
                request.status,
                RequestStatus::Outstanding | RequestStatus::Rejected | RequestStatus::Submitted
            )
        })
        .map(RequestView::from)
        .collect();
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
        projects,
        document_requests,
        approvals,
        messages: vec![],
        invoices: vec![],
        tickets: vec![],
    })
}
