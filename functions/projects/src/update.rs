//! `PATCH /api/clients/{id}/projects/{project}` `{version, name?, description?, status?,
//! milestones?, tasks?, internal?}`: the firm updates a project. Lists given replace the old
//! ones (items keep their ids); clients see the change on their next read.

use crate::data::ProjectStatus;
use crate::data::Projects;
use crate::model::{self, InternalInput, MilestoneInput, StaffProjectView, TaskInput};
use atrium_shared::access::scope_for;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, parse_json, path_id, RequestMeta};
use atrium_shared::ids::now_rfc3339;
use atrium_shared::principal::Principal;
use atrium_shared::validate::text;
use atrium_shared::{validate, ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    version: u64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    status: Option<ProjectStatus>,
    #[serde(default)]
    milestones: Option<Vec<MilestoneInput>>,
    #[serde(default)]
    tasks: Option<Vec<TaskInput>>,
    #[serde(default)]
    internal: Option<InternalInput>,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff()?;
    let scope = scope_for(app, &principal, &req).await?;
    let project_id = path_id(&req, "project")?;
    let body: UpdateBody = parse_json(&req)?;
    let mut record = Projects::of(app.store.tenant(&scope))
        .get(&project_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if record.version != body.version {
        return Err(ApiError::conflict(
            "version: the project changed meanwhile; reload it",
        ));
    }
    if let Some(name) = body.name {
        record.name = validate::name("name", &name, 200)?;
    }
    if let Some(description) = body.description {
        record.description = text("description", &description, 4000)?;
    }
    if let Some(status) = body.status {
        record.status = status;
    }
    if let Some(milestones) = body.milestones {
        record.milestones = model::milestones(milestones)?;
    }
    if let Some(tasks) = body.tasks {
        record.tasks = model::tasks(tasks, &record.tasks)?;
    }
    let existing_internal = Projects::of(app.store.tenant(&scope))
        .internal(&project_id)
        .await?;
    let internal = match body.internal {
        Some(input) => Some(model::internal(
            &project_id,
            input,
            existing_internal
                .as_ref()
                .map_or(1, |internal| internal.version + 1),
        )?),
        None => existing_internal,
    };
    let finished_now = model::all_done(&record) && !record.completion_notified;
    if finished_now {
        record.completion_notified = true;
    }
    let read_version = record.version;
    record.version += 1;
    record.updated_at = now_rfc3339();
    let mut items = vec![Projects::of(app.store.tenant(&scope)).save(&record, Some(read_version))?];
    if let Some(internal) = &internal {
        items.push(Projects::of(app.store.tenant(&scope)).save_internal(internal)?);
    }
    let entry = AuditEntry::by(
        &scope,
        &principal,
        "project.updated",
        &format!("project/{project_id}"),
        record.version,
        &RequestMeta::of(&req),
    );
    app.store
        .transact_audited(
            items,
            &scope,
            vec![entry],
            "version: the project changed meanwhile; reload it",
        )
        .await?;
    if finished_now {
        model::tell_owner_done(app, &scope, &record).await;
    }
    ok(&StaffProjectView {
        owner_email: record.owner_email.clone(),
        project: record.into(),
        internal,
    })
}
