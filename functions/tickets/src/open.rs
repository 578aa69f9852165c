//! `POST /api/tickets` (a contact who can act) and `POST /api/clients/{id}/tickets` (staff, on
//! the client's behalf) `{subject, description, category?, priority?, attachments?}`.
//! Attachments are documents of the client uploaded first (`POST /api/documents`), at most 10.

use crate::data::Tickets;
use crate::data::{TicketRecord, TicketStatus};
use crate::{category, priority, TicketView};
use atrium_documents::data::Documents;
use atrium_shared::access::{require_can_act, scope_for};
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{created, parse_json, RequestMeta};
use atrium_shared::ids::{is_id, new_id, now_rfc3339};
use atrium_shared::principal::Principal;
use atrium_shared::validate::text;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OpenBody {
    subject: String,
    description: String,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    priority: Option<String>,
    #[serde(default)]
    attachments: Vec<String>,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    require_can_act(&principal)?;
    let body: OpenBody = parse_json(&req)?;
    let subject = text("subject", &body.subject, 200)?;
    if subject.is_empty() {
        return Err(ApiError::invalid("subject", "must not be empty"));
    }
    let description = text("description", &body.description, 10_000)?;
    if description.is_empty() {
        return Err(ApiError::invalid("description", "must not be empty"));
    }
    let category = category(body.category.as_deref().unwrap_or("question"))?;
    let priority = priority(body.priority.as_deref().unwrap_or("normal"))?;
    if body.attachments.len() > 10 {
        return Err(ApiError::invalid(
            "attachments",
            "attach at most 10 documents",
        ));
    }
    let mut attachments = Vec::new();
    for (index, id) in body.attachments.iter().enumerate() {
        let usable = is_id(id)
            && Documents::of(app.store.tenant(&scope))
                .get(id)
                .await?
                .is_some_and(|document| {
                    document.latest_version > 0
                        && atrium_documents::visible_to(&principal, &document)
                });
        if !usable {
            return Err(ApiError::invalid(
                &format!("attachments[{index}]"),
                "must be a document of this client that finished uploading",
            ));
        }
        if !attachments.contains(id) {
            attachments.push(id.clone());
        }
    }
    let opener = app
        .store
        .user_of(&principal)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let now = now_rfc3339();
    let ticket = TicketRecord {
        id: new_id(),
        tenant_id: scope.tenant_id().to_string(),
        subject,
        description,
        category,
        priority,
        status: TicketStatus::Open,
        opened_by: principal.actor_label(),
        opener_name: opener.name,
        opener_email: opener.email,
        assignee: None,
        attachments,
        created_at: now.clone(),
        updated_at: now,
        version: 1,
    };
    let entry = AuditEntry::by(
        &scope,
        &principal,
        "ticket.opened",
        &format!("ticket/{}", ticket.id),
        ticket.version,
        &RequestMeta::of(&req),
    );
    app.store
        .transact_audited(
            vec![Tickets::of(app.store.tenant(&scope)).save(&ticket, None)?],
            &scope,
            vec![entry],
            "ticket exists",
        )
        .await?;
    if !principal.is_staff() {
        crate::tell_the_firm(app, &scope, &ticket).await;
    }
    created(&TicketView::from(ticket))
}
