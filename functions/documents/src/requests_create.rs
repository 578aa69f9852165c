//! `POST /api/clients/{id}/requests`: the firm asks a client for documents, by a date; with
//! `items`, several at once as one checklist. The client's contacts get one mail about it.

use crate::data::Requests;
use crate::data::{RequestRecord, RequestStatus};
use crate::view::RequestView;
use atrium_projects::data::Projects;
use atrium_shared::access::scope_for;
use atrium_shared::audit::AuditEntry;
use atrium_shared::dates::due_date;
use atrium_shared::http::{created, parse_json, RequestMeta};
use atrium_shared::ids::{is_id, new_id, now_rfc3339};
use atrium_shared::mail::{escape_html, notice};
use atrium_shared::principal::Principal;
use atrium_shared::store::records::UserStatus;
use atrium_shared::validate::text;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    title: String,
    #[serde(default)]
    instructions: String,
    due_date: String,
    #[serde(default)]
    project_id: Option<String>,
    #[serde(default)]
    items: Option<Vec<ItemBody>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemBody {
    title: String,
    #[serde(default)]
    instructions: Option<String>,
}

const MAX_ITEMS: usize = 25;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff()?;
    let scope = scope_for(app, &principal, &req).await?;
    let body: CreateBody = parse_json(&req)?;
    let title = atrium_shared::validate::name("title", &body.title, 200)?;
    let instructions = text("instructions", &body.instructions, 4000)?;
    let due = due_date("due_date", &body.due_date, false)?;
    let project_id = match body
        .project_id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty())
    {
        Some(id)
            if is_id(id)
                && Projects::of(app.store.tenant(&scope))
                    .get(id)
                    .await?
                    .is_some() =>
        {
            Some(id.to_string())
        }
        Some(_) => {
            return Err(ApiError::invalid(
                "project_id",
                "is not a project of this client",
            ))
        }
        None => None,
    };
    let owner = app
        .store
        .staff_user(&principal.sub)
        .await?
        .ok_or_else(ApiError::unauthorized)?;

    let now = now_rfc3339();
    let base = RequestRecord {
        id: String::new(),
        tenant_id: scope.tenant_id().to_string(),
        title: title.clone(),
        instructions: instructions.clone(),
        due_date: due,
        project_id,
        group_id: None,
        group_title: None,
        status: RequestStatus::Outstanding,
        rejection_reason: None,
        document_id: None,
        owner_sub: owner.sub.clone(),
        owner_email: owner.email.clone(),
        reminders_sent: vec![],
        created_at: now.clone(),
        updated_at: now,
        version: 1,
    };
    let records: Vec<RequestRecord> = match body.items {
        None => vec![RequestRecord {
            id: new_id(),
            ..base
        }],
        Some(items) if items.is_empty() || items.len() > MAX_ITEMS => {
            return Err(ApiError::invalid(
                "items",
                format!("must list 1 to {MAX_ITEMS} documents"),
            ))
        }
        Some(items) => {
            let group_id = new_id();
            items
                .into_iter()
                .enumerate()
                .map(|(index, item)| {
                    Ok(RequestRecord {
                        id: new_id(),
                        title: atrium_shared::validate::name(
                            &format!("items[{index}].title"),
                            &item.title,
                            200,
                        )?,
                        instructions: match item.instructions {
                            Some(own) => text(&format!("items[{index}].instructions"), &own, 4000)?,
                            None => instructions.clone(),
                        },
                        group_id: Some(group_id.clone()),
                        group_title: Some(title.clone()),
                        ..base.clone()
                    })
                })
                .collect::<ApiResult<_>>()?
        }
    };

    let meta = RequestMeta::of(&req);
    let mut items = Vec::with_capacity(records.len());
    let mut entries = Vec::with_capacity(records.len());
    for record in &records {
        items.push(Requests::of(app.store.tenant(&scope)).create(record)?);
        let entry = AuditEntry::by(
            &scope,
            &principal,
            "request.created",
            &format!("request/{}", record.id),
            1,
            &meta,
        );
        entries.push(entry);
    }
    app.store
        .transact_audited(items, &scope, entries, "request exists")
        .await?;
    tell_contacts(app, &scope, &records).await;
    created(&json!({ "requests": records.into_iter().map(RequestView::from).collect::<Vec<_>>() }))
}

/// One mail to each active contact listing what is asked. A mail that fails is logged: the
/// requests stand, and the reminders will follow.
async fn tell_contacts(
    app: &App,
    scope: &atrium_shared::principal::TenantScope,
    records: &[RequestRecord],
) {
    let Ok(contacts) = app.store.contacts(scope).await else {
        return;
    };
    let list: Vec<String> = records
        .iter()
        .map(|record| format!("{} (due {})", record.title, record.due_date))
        .collect();
    let link = format!("{}/", app.config.portal_origin.trim_end_matches('/'));
    let branding = app.branding().await;
    let mail = notice(
        &branding,
        &format!("{} asks you for documents", branding.firm_name),
        "Documents requested",
        &[
            format!("{} asks you to provide:", escape_html(&branding.firm_name)),
            list.iter()
                .map(|line| escape_html(line))
                .collect::<Vec<_>>()
                .join("<br>"),
        ],
        &list.join("\n"),
        ("Open your portal", &link),
    );
    for contact in contacts
        .iter()
        .filter(|contact| contact.status == UserStatus::Active)
    {
        if let Err(error) = app.mailer.send(&contact.email, &mail).await {
            tracing::warn!(?error, "request notice not sent");
        }
    }
}
