//! Messages and internal notes. A thread belongs to a project, a document request, a document
//! or a ticket, or is the client's general thread. Clients and staff post messages; staff also
//! write internal notes on the same records, which are their own item type (`INTERNAL#…`) that
//! no client route reads and no mail carries.

use atrium_documents::data::Documents;
use atrium_documents::data::Requests;
use atrium_projects::data::Projects;
use atrium_shared::handler;
use atrium_shared::operation::prelude::*;
use atrium_tickets::data::Tickets;

pub mod data;
pub mod list;
pub mod notes;
pub mod post;

use crate::data::MessageRecord;
use atrium_projects::data::ProjectStatus;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{path_param, RequestMeta};
use atrium_shared::ids::{is_id, new_id, now_rfc3339};
use atrium_shared::principal::{Principal, TenantScope};
use atrium_shared::validate::text;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::Request;

/// A message or note written now by `principal`, with its audit entry.
pub async fn compose(
    app: &App,
    scope: &TenantScope,
    principal: &Principal,
    thread: &str,
    body: &str,
    action: &str,
    meta: &RequestMeta,
) -> ApiResult<(MessageRecord, AuditEntry)> {
    let body = text("body", body, 10_000)?;
    if body.is_empty() {
        return Err(ApiError::invalid("body", "must not be empty"));
    }
    let author = app
        .store
        .user_of(principal)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let record = MessageRecord {
        id: new_id(),
        thread: thread.to_string(),
        author: principal.actor_label(),
        author_name: author.name,
        body,
        created_at: now_rfc3339(),
    };
    let entry = AuditEntry::by(
        scope,
        principal,
        action,
        &format!("thread/{thread}/{}", record.id),
        0,
        meta,
    );
    Ok((record, entry))
}

/// The thread named in the path, checked to be a record of this tenant that the caller may
/// see (archived projects are not threads for clients; billing documents only for those who
/// see billing).
pub async fn thread(
    app: &App,
    scope: &TenantScope,
    req: &Request,
    principal: &Principal,
) -> ApiResult<String> {
    let thread = path_param(req, "thread")?;
    if thread == "general" {
        return Ok(thread);
    }
    let (kind, id) = thread.split_once(':').ok_or_else(ApiError::not_found)?;
    if !is_id(id) {
        return Err(ApiError::not_found());
    }
    let staff = principal.is_staff();
    let exists = match kind {
        "project" => Projects::of(app.store.tenant(scope))
            .get(id)
            .await?
            .is_some_and(|project| staff || project.status != ProjectStatus::Archived),
        "request" => Requests::of(app.store.tenant(scope))
            .get(id)
            .await?
            .is_some(),
        "document" => Documents::of(app.store.tenant(scope))
            .get(id)
            .await?
            .is_some_and(|document| !document.billing_only || principal.sees_billing()),
        "ticket" => Tickets::of(app.store.tenant(scope))
            .get(id)
            .await?
            .is_some(),
        _ => false,
    };
    if exists {
        Ok(thread)
    } else {
        Err(ApiError::not_found())
    }
}

/// This capability's operations: routes, who may call them, the AWS access each needs
/// (docs/architecture.md, "Adding an operation").
pub const OPERATIONS: &[Operation] = &[
    Operation::http("messages-list", handler!(list::handle))
        .describe("The messages of one thread.")
        .routes(&[
            Route::new(Get, "/api/threads/{thread}/messages", CONTACTS),
            Route::new(Get, "/api/clients/{id}/threads/{thread}/messages", FIRM),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_READ_QUERY]),
    Operation::http("messages-post", handler!(post::handle))
        .describe("Posts a message and tells the other side by mail.")
        .routes(&[
            Route::new(Post, "/api/threads/{thread}/messages", ACTORS),
            Route::new(Post, "/api/clients/{id}/threads/{thread}/messages", FIRM),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE_QUERY, SEND_MAIL]),
    Operation::http("messages-notes", handler!(notes::handle))
        .describe("The firm's internal notes on a record (staff only).")
        .routes(&[
            Route::new(Get, "/api/clients/{id}/threads/{thread}/notes", FIRM),
            Route::new(Post, "/api/clients/{id}/threads/{thread}/notes", FIRM),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE_QUERY]),
];
