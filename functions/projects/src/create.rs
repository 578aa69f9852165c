//! `POST /api/clients/{id}/projects`: the firm creates a project with milestones, tasks and
//! internal fields, or `{"template": "onboarding"}` for the onboarding checklist.

use crate::data::Projects;
use crate::data::{Milestone, MilestoneStatus, ProjectRecord, ProjectStatus};
use crate::model::{self, InternalInput, MilestoneInput, StaffProjectView, TaskInput};
use atrium_shared::access::scope_for;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{created, parse_json, RequestMeta};
use atrium_shared::ids::{new_id, now_rfc3339};
use atrium_shared::principal::Principal;
use atrium_shared::validate::text;
use atrium_shared::{validate, ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    #[serde(default)]
    template: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    milestones: Vec<MilestoneInput>,
    #[serde(default)]
    tasks: Vec<TaskInput>,
    #[serde(default)]
    internal: Option<InternalInput>,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff()?;
    let scope = scope_for(app, &principal, &req).await?;
    let body: CreateBody = parse_json(&req)?;
    let owner = app
        .store
        .staff_user(&principal.sub)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let id = new_id();
    let (name, milestones, tasks) = match body.template.as_deref() {
        Some("onboarding") => (
            body.name.unwrap_or_else(|| "Onboarding".to_string()),
            vec![Milestone {
                id: new_id(),
                title: "Kickoff".to_string(),
                status: MilestoneStatus::Planned,
                estimated_date: None,
                actual_date: None,
            }],
            model::onboarding_tasks(),
        ),
        Some(_) => return Err(ApiError::invalid("template", "must be onboarding")),
        None => (
            body.name
                .ok_or_else(|| ApiError::invalid("name", "is required"))?,
            model::milestones(body.milestones)?,
            model::tasks(body.tasks, &[])?,
        ),
    };
    let now = now_rfc3339();
    let record = ProjectRecord {
        id: id.clone(),
        tenant_id: scope.tenant_id().to_string(),
        name: validate::name("name", &name, 200)?,
        description: text(
            "description",
            body.description.as_deref().unwrap_or_default(),
            4000,
        )?,
        status: ProjectStatus::Active,
        milestones,
        tasks,
        owner_sub: owner.sub.clone(),
        owner_email: owner.email.clone(),
        completion_notified: false,
        created_at: now.clone(),
        updated_at: now,
        version: 1,
    };
    let internal = body
        .internal
        .map(|input| model::internal(&id, input, 1))
        .transpose()?;
    let mut items = vec![Projects::of(app.store.tenant(&scope)).save(&record, None)?];
    if let Some(internal) = &internal {
        items.push(Projects::of(app.store.tenant(&scope)).save_internal(internal)?);
    }
    let entry = AuditEntry::by(
        &scope,
        &principal,
        "project.created",
        &format!("project/{id}"),
        1,
        &RequestMeta::of(&req),
    );
    app.store
        .transact_audited(items, &scope, vec![entry], "project exists")
        .await?;
    created(&StaffProjectView {
        owner_email: record.owner_email.clone(),
        project: record.into(),
        internal,
    })
}
