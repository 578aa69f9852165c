//! `POST /api/clients/{id}/intake` `{form_id, due_date?, project_id?, milestone_id?}` (staff):
//! assigns the form's latest published version to the client. The schema is copied into the
//! client's partition, so the assignment keeps asking exactly this version whatever is
//! published later. With `project_id`, the project gets a task "Complete <form>" in the same
//! transaction. The client's active contacts get one mail.

use crate::data::Forms;
use crate::data::Intakes;
use crate::data::{Answers, IntakeRecord, IntakeStatus};
use crate::{tell_contacts, AssignmentView};
use atrium_projects::data::Projects;
use atrium_projects::data::{Assignee, Task};
use atrium_shared::access::scope_for;
use atrium_shared::audit::AuditEntry;
use atrium_shared::dates::due_date;
use atrium_shared::http::{created, parse_json, RequestMeta};
use atrium_shared::ids::{is_id, new_id, now_rfc3339};
use atrium_shared::principal::Principal;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssignBody {
    form_id: String,
    #[serde(default)]
    due_date: Option<String>,
    #[serde(default)]
    project_id: Option<String>,
    #[serde(default)]
    milestone_id: Option<String>,
}

/// A project holds at most this many tasks (as the projects API allows).
const MAX_TASKS: usize = atrium_projects::model::MAX_TASKS;

fn given(value: Option<String>) -> Option<String> {
    value
        .map(|value| value.trim().to_string())
        .filter(|value| !value.is_empty())
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff()?;
    let scope = scope_for(app, &principal, &req).await?;
    let body: AssignBody = parse_json(&req)?;
    let form_id = body.form_id.trim();
    let form = match is_id(form_id) {
        true => Forms::of(&app.store).get(form_id).await?,
        false => None,
    }
    .ok_or_else(|| ApiError::invalid("form_id", "is not a form of the firm"))?;
    let published = Forms::of(&app.store)
        .version(&form.id, form.latest_version)
        .await?
        .ok_or_else(|| ApiError::internal("form version", &form.id))?;
    let due = given(body.due_date)
        .map(|value| due_date("due_date", &value, false))
        .transpose()?;
    let milestone_id = given(body.milestone_id);
    let mut project = match given(body.project_id) {
        Some(id) => {
            let found = match is_id(&id) {
                true => Projects::of(app.store.tenant(&scope)).get(&id).await?,
                false => None,
            };
            Some(found.ok_or_else(|| {
                ApiError::invalid("project_id", "is not a project of this client")
            })?)
        }
        None if milestone_id.is_some() => {
            return Err(ApiError::invalid(
                "milestone_id",
                "needs the project_id it belongs to",
            ))
        }
        None => None,
    };
    if let (Some(project), Some(milestone)) = (&project, &milestone_id) {
        if !project.milestones.iter().any(|m| &m.id == milestone) {
            return Err(ApiError::invalid(
                "milestone_id",
                "is not a milestone of this project",
            ));
        }
    }
    let owner = app
        .store
        .staff_user(&principal.sub)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let client_name = app
        .store
        .profile(&scope)
        .await?
        .map(|profile| profile.name)
        .ok_or_else(ApiError::not_found)?;

    let now = now_rfc3339();
    let meta = RequestMeta::of(&req);
    let id = new_id();
    let mut items = Vec::new();
    let mut entries = Vec::new();
    let mut task_id = None;
    if let Some(project) = project.as_mut() {
        if project.tasks.len() >= MAX_TASKS {
            return Err(ApiError::invalid(
                "project_id",
                format!("the project already has {MAX_TASKS} tasks"),
            ));
        }
        let title: String = format!("Complete {}", form.name)
            .chars()
            .take(200)
            .collect();
        let task = Task {
            id: new_id(),
            title,
            assignee: Assignee::Client,
            due_date: due.clone(),
            done: false,
            done_by: None,
            done_at: None,
        };
        task_id = Some(task.id.clone());
        entries.push(AuditEntry::by(
            &scope,
            &principal,
            "task.added",
            &format!("project/{}/task/{}", project.id, task.id),
            project.version + 1,
            &meta,
        ));
        project.tasks.push(task);
        let read_version = project.version;
        project.version += 1;
        project.updated_at = now.clone();
        items.push(Projects::of(app.store.tenant(&scope)).save(project, Some(read_version))?);
    }
    let record = IntakeRecord {
        id: id.clone(),
        tenant_id: scope.tenant_id().to_string(),
        client_name,
        form_id: form.id.clone(),
        form_name: form.name.clone(),
        form_description: form.description.clone(),
        form_version: published.number,
        fields: published.fields,
        status: IntakeStatus::Assigned,
        due_date: due,
        project_id: project.as_ref().map(|project| project.id.clone()),
        milestone_id,
        task_id,
        owner_sub: owner.sub.clone(),
        owner_email: owner.email.clone(),
        draft: Answers::new(),
        draft_saved_at: None,
        draft_saved_by: None,
        latest_revision: 0,
        reopen_reason: None,
        reopened_at: None,
        reopened_by: None,
        created_at: now.clone(),
        updated_at: now,
        version: 1,
    };
    items.insert(
        0,
        Intakes::of(app.store.tenant(&scope)).save(&record, None)?,
    );
    entries.insert(
        0,
        AuditEntry::by(
            &scope,
            &principal,
            "intake.assigned",
            &format!("intake/{id}"),
            1,
            &meta,
        ),
    );
    app.store
        .transact_audited(
            items,
            &scope,
            entries,
            "the project changed meanwhile; try again",
        )
        .await?;
    let firm = app.branding().await.firm_name;
    tell_contacts(
        app,
        &scope,
        &format!("{firm} asks you to fill in a form"),
        "A form is waiting for you",
        &format!(
            "{} asks you to fill in \u{201c}{}\u{201d}.",
            firm, record.form_name
        ),
        &record,
    )
    .await;
    created(&AssignmentView::new(record, &principal))
}
