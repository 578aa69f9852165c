//! The daily reminders. Requests waiting for the client (outstanding or rejected) are in a
//! sparse index by due date; one range query per page finds those due within the furthest
//! reminder day, overdue ones included, so the work grows with what is due, not with the
//! number of clients. No Scan.
//!
//! Each request gets at most one mail per stage (`due-3`, `due-1`, `overdue`) to each active
//! contact. The stage is claimed on the request (with its audit entry, in one transaction)
//! before anything is sent, so a second run on the same day finds it claimed and sends nothing;
//! a send that fails gives the claim back, so the next run tries again.

use atrium_documents::data::{requests_due_by, Requests};
use atrium_shared::operation::prelude::*;

use atrium_documents::data::RequestRecord;
use atrium_shared::audit::AuditEntry;
use atrium_shared::dates::add_days;
use atrium_shared::http::RequestMeta;
use atrium_shared::mail::{escape_html, notice, Branding, Mail};
use atrium_shared::principal::TenantScope;
use atrium_shared::store::records::UserStatus;
use atrium_shared::store::{n, s};
use atrium_shared::{ApiResult, App};
use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Requests looked at (waiting for the client and due within the furthest stage).
    pub considered: usize,
    /// Request stages mailed in this run.
    pub reminded: usize,
    /// Mails sent (one per contact per reminded stage).
    pub mails: usize,
    /// Stages already mailed earlier, or not due a reminder today.
    pub skipped: usize,
    /// Requests whose reminder could not be sent (logged; the run then counts as failed).
    pub failed: usize,
}

/// The stage a request is in on `today` (`YYYY-MM-DD`), if any: `overdue`, or `due-<n>` when it is due in
/// exactly one of the configured numbers of days.
pub fn stage(request: &RequestRecord, today: &str, reminder_days: &[i64]) -> Option<String> {
    if request.due_date.as_str() < today {
        return Some("overdue".to_string());
    }
    reminder_days
        .iter()
        .find(|days| add_days(today, **days).as_deref() == Some(request.due_date.as_str()))
        .map(|days| format!("due-{days}"))
}

pub async fn run(app: &App, today: &str) -> ApiResult<Summary> {
    let furthest = app.config.reminder_days.iter().copied().max().unwrap_or(0);
    let last_day = add_days(today, furthest)
        .ok_or_else(|| atrium_shared::ApiError::internal("reminders", "today is not a date"))?;
    let mut summary = Summary::default();
    let mut cursor = None;
    loop {
        let page = requests_due_by(&app.store, &last_day, 100, cursor.as_deref()).await?;
        for (scope, request) in page.items {
            summary.considered += 1;
            let Some(stage) = stage(&request, today, &app.config.reminder_days) else {
                summary.skipped += 1;
                continue;
            };
            if request.reminders_sent.contains(&stage) {
                summary.skipped += 1;
                continue;
            }
            // One request's failure must not cost every later request its reminder.
            match remind(app, &scope, &request, &stage).await {
                Ok(Some(mails)) => {
                    summary.reminded += 1;
                    summary.mails += mails;
                }
                Ok(None) => summary.skipped += 1,
                Err(error) => {
                    tracing::error!(?error, request = %request.id, stage, "reminder failed");
                    summary.failed += 1;
                }
            }
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    tracing::info!(?summary, "reminders run");
    if summary.failed > 0 {
        // The run is an error (for the failed-run alarm); the claims it gave back retry tomorrow.
        return Err(atrium_shared::ApiError::dependency("reminders", &summary));
    }
    Ok(summary)
}

/// Claims the stage, then mails each active contact. `None` when the stage was claimed already.
/// The index is eventually consistent: when the claim loses (the request moved since the index
/// saw it), the request is read again, consistently, and the stage claimed on that.
async fn remind(
    app: &App,
    scope: &TenantScope,
    request: &RequestRecord,
    stage: &str,
) -> ApiResult<Option<usize>> {
    let scope = scope.clone();
    let mut request = request.clone();
    if !claim(app, &scope, &request, stage).await? {
        match Requests::of(app.store.tenant(&scope))
            .get(&request.id)
            .await?
        {
            Some(fresh)
                if fresh.status.awaits_client()
                    && !fresh.reminders_sent.iter().any(|sent| sent == stage) =>
            {
                if !claim(app, &scope, &fresh, stage).await? {
                    return Ok(None);
                }
                request = fresh;
            }
            _ => return Ok(None),
        }
    }
    let request = &request;
    let contacts = app.store.contacts(&scope).await?;
    let branding = app.branding().await;
    let mail = reminder_mail(app, &branding, request, stage);
    let mut sent = 0;
    for contact in contacts
        .iter()
        .filter(|contact| contact.status == UserStatus::Active)
    {
        match app.mailer.send(&contact.email, &mail).await {
            Ok(_) => sent += 1,
            Err(error) if sent == 0 => {
                // Nothing went out: give the stage back so the next run tries again.
                release(app, &scope, request, stage).await;
                return Err(error);
            }
            Err(error) => tracing::warn!(?error, "a reminder to one contact failed"),
        }
    }
    Ok(Some(sent))
}

async fn claim(
    app: &App,
    scope: &TenantScope,
    request: &RequestRecord,
    stage: &str,
) -> ApiResult<bool> {
    let entry = AuditEntry::new(
        scope,
        "system",
        "reminders",
        "reminder.sent",
        &format!("request/{}#{stage}", request.id),
        request.version + 1,
        &RequestMeta::default(),
    );
    let tenant = app.store.tenant(scope);
    let claim = tenant.update(
        &atrium_documents::data::request_sk(&request.id),
        "SET reminders_sent = list_append(if_not_exists(reminders_sent, :empty), :stage), version = version + :one",
        Some("version = :read AND (attribute_not_exists(reminders_sent) OR NOT contains(reminders_sent, :stage_name))"),
        &[
            (":empty", AttributeValue::L(vec![])),
            (":stage", AttributeValue::L(vec![s(stage)])),
            (":stage_name", s(stage)),
            (":one", n(1)),
            (":read", n(request.version)),
        ],
    )?;
    match tenant.commit(vec![claim], vec![entry], "claimed").await {
        Ok(()) => Ok(true),
        Err(error) if error.status == http::StatusCode::CONFLICT => Ok(false),
        Err(error) => Err(error),
    }
}

async fn release(app: &App, scope: &TenantScope, request: &RequestRecord, stage: &str) {
    let remaining: Vec<AttributeValue> = request
        .reminders_sent
        .iter()
        .filter(|sent| sent.as_str() != stage)
        .map(s)
        .collect();
    let entry = AuditEntry::new(
        scope,
        "system",
        "reminders",
        "reminder.released",
        &format!("request/{}#{stage}", request.id),
        request.version + 2,
        &RequestMeta::default(),
    );
    let tenant = app.store.tenant(scope);
    let outcome = match tenant.update(
        &atrium_documents::data::request_sk(&request.id),
        "SET reminders_sent = :remaining, version = version + :one",
        Some("version = :claimed"),
        &[
            (":remaining", AttributeValue::L(remaining)),
            (":one", n(1)),
            (":claimed", n(request.version + 1)),
        ],
    ) {
        Ok(item) => tenant.commit(vec![item], vec![entry], "moved").await,
        Err(error) => Err(error),
    };
    if let Err(error) = outcome {
        tracing::error!(?error, request = %request.id, stage, "could not give a reminder stage back");
    }
}

fn reminder_mail(app: &App, branding: &Branding, request: &RequestRecord, stage: &str) -> Mail {
    let link = format!("{}/", app.config.portal_origin.trim_end_matches('/'));
    let (subject, line) = if stage == "overdue" {
        (
            format!("Overdue: {}", request.title),
            format!(
                "\u{201c}{}\u{201d} was due on {}.",
                request.title, request.due_date
            ),
        )
    } else {
        (
            format!("Reminder: {} is due on {}", request.title, request.due_date),
            format!(
                "\u{201c}{}\u{201d} is due on {}.",
                request.title, request.due_date
            ),
        )
    };
    notice(
        branding,
        &subject,
        if stage == "overdue" {
            "A document is overdue"
        } else {
            "A document is due soon"
        },
        &[
            escape_html(&line),
            format!(
                "{} is waiting for it in your portal.",
                escape_html(&branding.firm_name)
            ),
        ],
        &line,
        ("Upload it", &link),
    )
}

/// Each scheduled event is one run for today; a failed run is a function error, which the
/// failed-run alarm watches.
async fn on_schedule(app: &App, _event: serde_json::Value) -> ApiResult<()> {
    run(app, &atrium_shared::dates::today()).await.map(|_| ())
}

/// This capability's operations: routes, who may call them, the AWS access each needs
/// (docs/architecture.md, "Adding an operation").
pub const OPERATIONS: &[Operation] = &[Operation::event(
    "reminders",
    atrium_shared::event_handler!(on_schedule),
    Trigger::Schedule {
        expression: "cron(0 7 * * ? *)",
        description: "Reminders for document requests due soon or overdue.",
    },
)
.describe("Daily reminders for document requests due soon or overdue.")
.timeout(300)
.environment(&[("ATRIUM_REMINDER_DAYS", "!Ref ReminderDays")])
.grants(&[
    TENANT_SESSIONS,
    Grant::new(
        &[
            "dynamodb:Query",
            "dynamodb:UpdateItem",
            "dynamodb:PutItem",
            "dynamodb:GetItem",
        ],
        &[Resource::Table, Resource::TableIndex("GSI1")],
    )
    .firm_keys_only(),
    SEND_MAIL,
])];
