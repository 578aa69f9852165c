//! `GET /api/workspace`: the signed-in contact's dashboard, from their tenant's own partition:
//! the profile and contact (one BatchGetItem), the document requests that need attention or
//! wait for review, the active projects with milestones and tasks, and the approvals waiting
//! for a decision (one Query each), read concurrently; then the firm's recent messages in the
//! general thread and each active project's (one small backwards Query per thread).

use atrium_approvals::data::Approvals;
use atrium_approvals::data::{ApprovalRecord, ApprovalStatus};
use atrium_documents::data::RequestStatus;
use atrium_documents::data::Requests;
use atrium_documents::view::RequestView;
use atrium_messages::data::{MessageRecord, Threads};
use atrium_projects::data::ProjectStatus;
use atrium_projects::data::Projects;
use atrium_projects::model::ProjectView;
use atrium_shared::dates::days_from_today;
use atrium_shared::http::ok;
use atrium_shared::principal::{Principal, Role, TenantScope};
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
    /// The firm's latest messages to the client (general and active projects' threads, the
    /// last 30 days), newest first.
    pub messages: Vec<RecentMessage>,
}

#[derive(Debug, Serialize)]
pub struct RecentMessage {
    pub id: String,
    pub thread: String,
    pub author_name: String,
    pub body: String,
    pub created_at: String,
}

/// How many messages the dashboard shows, and how far back "recent" reaches.
const RECENT_MESSAGES: usize = 5;
const RECENT_DAYS: i64 = 30;

/// The firm's newest messages across the threads a contact follows from the dashboard: one
/// backwards Query of a few items per thread, concurrently (threads are keyed per record, so
/// there is no cheaper tenant-wide "newest" read).
async fn recent_messages(
    app: &App,
    scope: &TenantScope,
    threads: Vec<String>,
) -> ApiResult<Vec<RecentMessage>> {
    let mut reads = tokio::task::JoinSet::new();
    for thread in threads {
        let (store, scope) = (app.store.clone(), scope.clone());
        reads.spawn(async move {
            Threads::of(store.tenant(&scope))
                .latest(&thread, RECENT_MESSAGES as i32)
                .await
        });
    }
    let mut found: Vec<MessageRecord> = Vec::new();
    while let Some(read) = reads.join_next().await {
        let messages = read.map_err(|error| ApiError::internal("recent messages", error))??;
        found.extend(messages);
    }
    // A calendar date sorts before every time stamp of that day, so this keeps 30 whole days.
    let since = days_from_today(-RECENT_DAYS);
    found.retain(|message| message.author.starts_with("staff:") && message.created_at >= since);
    found.sort_by(|a, b| b.created_at.cmp(&a.created_at));
    found.truncate(RECENT_MESSAGES);
    Ok(found
        .into_iter()
        .map(|message| RecentMessage {
            id: message.id,
            thread: message.thread,
            author_name: message.author_name,
            body: message.body,
            created_at: message.created_at,
        })
        .collect())
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
    let approval_data = Approvals::of(app.store.tenant(&scope));
    let project_data = Projects::of(app.store.tenant(&scope));
    let request_data = Requests::of(app.store.tenant(&scope));
    let (people, requests, projects, approvals) = tokio::join!(
        app.store.profile_and_contact(&scope, &principal.sub),
        request_data.page(100, None),
        project_data.all(),
        approval_data.all()
    );
    let pending = approvals?
        .into_iter()
        .filter(|approval| approval.status == ApprovalStatus::Pending)
        .collect();
    let approvals = atrium_approvals::visible_approvals(app, &scope, &principal, pending).await?;
    let projects: Vec<ProjectView> = projects?
        .into_iter()
        .filter(|project| project.status == ProjectStatus::Active)
        .map(ProjectView::from)
        .collect();
    let threads = std::iter::once("general".to_string())
        .chain(
            projects
                .iter()
                .map(|project| format!("project:{}", project.id)),
        )
        .collect();
    let messages = recent_messages(app, &scope, threads).await?;
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
        messages,
    })
}
