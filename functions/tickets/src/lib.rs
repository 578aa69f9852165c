//! Support tickets. A client's contacts open them (subject, description, category, priority,
//! attachments from the documents flow) and follow their status; the firm works a queue across
//! clients, assigns, changes status and replies. Replies and internal notes are the messages
//! and notes of thread `ticket:<id>` (the messages crate), so nothing about threads is built
//! twice. Every status change is mailed to the ticket's opener.

use atrium_shared::handler;
use atrium_shared::operation::prelude::*;

pub mod data;
pub mod get;
pub mod list;
pub mod open;
pub mod update;

use crate::data::TicketRecord;
use atrium_shared::mail::{escape_html, notice};
use atrium_shared::principal::{Principal, TenantScope};
use atrium_shared::store::records::UserStatus;
use atrium_shared::{ApiError, ApiResult, App};
use serde::Serialize;

pub const CATEGORIES: [&str; 5] = ["question", "documents", "billing", "technical", "other"];
pub const PRIORITIES: [&str; 4] = ["low", "normal", "high", "urgent"];

pub fn category(value: &str) -> ApiResult<String> {
    CATEGORIES
        .into_iter()
        .find(|known| *known == value)
        .map(str::to_string)
        .ok_or_else(|| {
            ApiError::invalid(
                "category",
                format!("must be one of {}", CATEGORIES.join(", ")),
            )
        })
}

pub fn priority(value: &str) -> ApiResult<String> {
    PRIORITIES
        .into_iter()
        .find(|known| *known == value)
        .map(str::to_string)
        .ok_or_else(|| {
            ApiError::invalid(
                "priority",
                format!("must be one of {}", PRIORITIES.join(", ")),
            )
        })
}

/// A ticket as answered: the record and the thread its replies live in.
#[derive(Debug, Serialize)]
pub struct TicketView {
    #[serde(flatten)]
    pub ticket: TicketRecord,
    pub client_id: String,
    pub thread: String,
}

impl From<TicketRecord> for TicketView {
    fn from(ticket: TicketRecord) -> Self {
        Self {
            client_id: ticket.tenant_id.clone(),
            thread: format!("ticket:{}", ticket.id),
            ticket,
        }
    }
}

/// The tickets as this caller may see them: a contact who does not see billing does not see a
/// billing-only document (an invoice PDF) among the attachments, not even its id. Each
/// attached document is read once, from its own record, so one that became billing-only after
/// it was attached is hidden too.
pub async fn with_visible_attachments(
    app: &App,
    scope: &TenantScope,
    principal: &Principal,
    mut tickets: Vec<TicketRecord>,
) -> atrium_shared::ApiResult<Vec<TicketRecord>> {
    if principal.is_staff() || principal.sees_billing() {
        return Ok(tickets);
    }
    let documents = atrium_documents::data::Documents::of(app.store.tenant(scope));
    let mut shown: std::collections::BTreeMap<String, bool> = std::collections::BTreeMap::new();
    for ticket in &mut tickets {
        let mut kept = Vec::with_capacity(ticket.attachments.len());
        for id in std::mem::take(&mut ticket.attachments) {
            if !shown.contains_key(&id) {
                let seen = documents
                    .get(&id)
                    .await?
                    .is_some_and(|document| atrium_documents::visible_to(principal, &document));
                shown.insert(id.clone(), seen);
            }
            if shown.get(&id) == Some(&true) {
                kept.push(id);
            }
        }
        ticket.attachments = kept;
    }
    Ok(tickets)
}

/// Mails the opener that their ticket's status changed, unless they changed it themselves or
/// are no longer an active contact. The mail names the ticket, never its messages.
pub async fn tell_opener(
    app: &App,
    scope: &TenantScope,
    changed_by: &Principal,
    ticket: &TicketRecord,
) {
    if ticket.opened_by == changed_by.actor_label() {
        return;
    }
    let still_active = match ticket.opened_by.strip_prefix("client:") {
        Some(sub) => matches!(
            app.store.contact(scope, sub).await,
            Ok(Some(contact)) if contact.status == UserStatus::Active
        ),
        None => match ticket.opened_by.strip_prefix("staff:") {
            Some(sub) => matches!(
                app.store.staff_user(sub).await,
                Ok(Some(user)) if user.status == UserStatus::Active
            ),
            None => false,
        },
    };
    if !still_active {
        return;
    }
    let origin = app.config.portal_origin.trim_end_matches('/');
    let link = if ticket.opened_by.starts_with("staff:") {
        format!(
            "{origin}/staff/clients/{}/tickets/{}",
            ticket.tenant_id, ticket.id
        )
    } else {
        format!("{origin}/tickets/{}", ticket.id)
    };
    let status = ticket.status.label();
    let mail = notice(
        &app.branding().await,
        &format!("Your request \"{}\" is {status}", ticket.subject),
        "Your request was updated",
        &[format!(
            "<strong>{}</strong> is now {status}.",
            escape_html(&ticket.subject)
        )],
        &format!("\"{}\" is now {status}.", ticket.subject),
        ("See the request", &link),
    );
    if let Err(error) = app.mailer.send(&ticket.opener_email, &mail).await {
        tracing::warn!(?error, "ticket status notice not sent");
    }
}

/// One mail to each active staff member that a client opened a ticket.
pub async fn tell_the_firm(app: &App, scope: &TenantScope, ticket: &TicketRecord) {
    let client_name = match app.store.profile(scope).await {
        Ok(Some(profile)) => profile.name,
        _ => "A client".to_string(),
    };
    let link = format!(
        "{}/staff/clients/{}/tickets/{}",
        app.config.portal_origin.trim_end_matches('/'),
        ticket.tenant_id,
        ticket.id
    );
    let mail = notice(
        &app.branding().await,
        &format!("New {} ticket from {client_name}", ticket.priority),
        "A client opened a ticket",
        &[format!(
            "{} opened <strong>{}</strong> ({}).",
            escape_html(&client_name),
            escape_html(&ticket.subject),
            escape_html(&ticket.category)
        )],
        &format!("{client_name} opened \"{}\".", ticket.subject),
        ("Open the ticket", &link),
    );
    let staff = app.store.staff_users().await.unwrap_or_default();
    for user in staff
        .into_iter()
        .filter(|user| user.status == UserStatus::Active)
    {
        if let Err(error) = app.mailer.send(&user.email, &mail).await {
            tracing::warn!(?error, "ticket notice not sent");
        }
    }
}

/// This capability's operations: routes, who may call them, the AWS access each needs
/// (docs/architecture.md, "Adding an operation").
pub const OPERATIONS: &[Operation] = &[
    Operation::http("tickets-open", handler!(open::handle))
    .describe("Opens a support ticket (a contact, or staff on the client's behalf).")
    .routes(&[
        Route::new(Post, "/api/tickets", ACTORS),
        Route::new(Post, "/api/clients/{id}/tickets", FIRM),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_WRITE_QUERY,
        SEND_MAIL,
    ]),
    Operation::http("tickets-list", handler!(list::handle))
    .describe("A client's tickets, or the firm's queue across clients by status.")
    .routes(&[
        Route::new(Get, "/api/tickets", EVERYONE),
        Route::new(Get, "/api/clients/{id}/tickets", FIRM),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_READ_QUERY,
        Grant::new(&["dynamodb:Query"], &[Resource::TableIndex("GSI2")]),
    ]),
    Operation::http("tickets-get", handler!(get::handle))
    .describe("One ticket.")
    .routes(&[
        Route::new(Get, "/api/tickets/{ticket}", CONTACTS),
        Route::new(Get, "/api/clients/{id}/tickets/{ticket}", FIRM),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_READ,
    ]),
    Operation::http("tickets-update", handler!(update::handle))
    .describe("Changes a ticket's status, assignee, priority or category; mails the opener on a status change.")
    .routes(&[
        Route::new(Patch, "/api/tickets/{ticket}", ACTORS),
        Route::new(Patch, "/api/clients/{id}/tickets/{ticket}", FIRM),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_WRITE,
        SEND_MAIL,
    ]),
];
