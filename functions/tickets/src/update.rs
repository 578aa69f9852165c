//! `PATCH /api/clients/{id}/tickets/{ticket}` (staff) `{version, status?, assignee?,
//! priority?, category?}`: any status, an assignee (an active staff member's `sub`, or `""` to
//! unassign). `PATCH /api/tickets/{ticket}` (a contact who can act) `{version, status}`: close
//! the ticket, or reopen a resolved one. A status change is mailed to the opener.

use crate::data::Tickets;
use crate::data::{TicketAssignee, TicketStatus};
use crate::{category, priority, TicketView};
use atrium_shared::access::{require_can_act, scope_for};
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, parse_json, path_id, RequestMeta};
use atrium_shared::ids::now_rfc3339;
use atrium_shared::principal::Principal;
use atrium_shared::store::records::UserStatus;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    version: u64,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    assignee: Option<String>,
    #[serde(default)]
    priority: Option<String>,
    #[serde(default)]
    category: Option<String>,
}

/// What a contact may do to their own organisation's ticket.
fn contact_may(from: TicketStatus, to: TicketStatus) -> bool {
    match to {
        TicketStatus::Closed => from != TicketStatus::Closed,
        TicketStatus::Open => from == TicketStatus::Resolved,
        _ => false,
    }
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    require_can_act(&principal)?;
    let ticket_id = path_id(&req, "ticket")?;
    let body: UpdateBody = parse_json(&req)?;
    let status = match body.status.as_deref() {
        None => None,
        Some(text) => Some(TicketStatus::parse(text).ok_or_else(|| {
            ApiError::invalid(
                "status",
                "must be open, in_progress, waiting_on_client, resolved or closed",
            )
        })?),
    };
    if !principal.is_staff() {
        for (field, given) in [
            ("assignee", body.assignee.is_some()),
            ("priority", body.priority.is_some()),
            ("category", body.category.is_some()),
        ] {
            if given {
                return Err(ApiError::forbidden(format!(
                    "{field}: only the firm changes this"
                )));
            }
        }
    }
    let priority = body.priority.as_deref().map(priority).transpose()?;
    let category = body.category.as_deref().map(category).transpose()?;
    if status.is_none() && body.assignee.is_none() && priority.is_none() && category.is_none() {
        return Err(ApiError::invalid("status", "give something to change"));
    }
    let assignee = match body.assignee.as_deref() {
        None => None,
        Some("") => Some(None),
        Some(sub) => {
            let user = app
                .store
                .staff_user(sub)
                .await?
                .filter(|user| user.status == UserStatus::Active)
                .ok_or_else(|| {
                    ApiError::invalid("assignee", "must be an active member of the firm's staff")
                })?;
            Some(Some(TicketAssignee {
                sub: user.sub,
                name: user.name,
            }))
        }
    };
    let mut ticket = Tickets::of(app.store.tenant(&scope))
        .get(&ticket_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if ticket.version != body.version {
        return Err(ApiError::conflict(
            "version: the ticket changed since you read it; reload and try again",
        ));
    }
    let read = ticket.version;
    let status_changed = status.is_some_and(|to| to != ticket.status);
    if let Some(to) = status.filter(|_| status_changed) {
        if !principal.is_staff() && !contact_may(ticket.status, to) {
            return Err(ApiError::conflict(format!(
                "status: you can close this ticket, or reopen it once resolved (it is {})",
                ticket.status.as_str()
            )));
        }
        ticket.status = to;
    }
    if let Some(assignee) = assignee {
        ticket.assignee = assignee;
    }
    if let Some(priority) = priority {
        ticket.priority = priority;
    }
    if let Some(category) = category {
        ticket.category = category;
    }
    ticket.version += 1;
    ticket.updated_at = now_rfc3339();
    let action = if status_changed {
        "ticket.status_changed"
    } else {
        "ticket.updated"
    };
    let entry = AuditEntry::by(
        &scope,
        &principal,
        action,
        &format!("ticket/{}", ticket.id),
        ticket.version,
        &RequestMeta::of(&req),
    );
    app.store
        .transact_audited(
            vec![Tickets::of(app.store.tenant(&scope)).save(&ticket, Some(read))?],
            &scope,
            vec![entry],
            "version: the ticket changed since you read it; reload and try again",
        )
        .await?;
    if status_changed {
        crate::tell_opener(app, &scope, &principal, &ticket).await;
    }
    let mut visible =
        crate::with_visible_attachments(app, &scope, &principal, vec![ticket]).await?;
    let ticket = visible.pop().ok_or_else(ApiError::not_found)?;
    ok(&TicketView::from(ticket))
}
