//! `POST /api/projects/{project}/tasks/{task}` `{done}` (a contact, for tasks assigned to the
//! client) and `POST /api/clients/{id}/projects/{project}/tasks/{task}` (staff, any task).
//! When the last task is ticked, the project's owner gets one email.

use crate::data::Assignee;
use crate::data::Projects;
use crate::model::{self, ProjectView};
use atrium_shared::access::{require_can_act, scope_for};
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, parse_json, path_id, RequestMeta};
use atrium_shared::ids::now_rfc3339;
use atrium_shared::principal::Principal;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskBody {
    done: bool,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    require_can_act(&principal)?;
    let project_id = path_id(&req, "project")?;
    let task_id = path_id(&req, "task")?;
    let body: TaskBody = parse_json(&req)?;
    let mut record = Projects::of(app.store.tenant(&scope))
        .get(&project_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if !principal.is_staff() && record.status == crate::data::ProjectStatus::Archived {
        return Err(ApiError::not_found());
    }
    let task = record
        .tasks
        .iter_mut()
        .find(|task| task.id == task_id)
        .ok_or_else(ApiError::not_found)?;
    if !principal.is_staff() && task.assignee != Assignee::Client {
        return Err(ApiError::forbidden("this task is the firm's to do"));
    }
    task.done = body.done;
    task.done_by = body.done.then(|| principal.actor_label());
    task.done_at = body.done.then(now_rfc3339);
    let finished_now = model::all_done(&record) && !record.completion_notified;
    if finished_now {
        record.completion_notified = true;
    }
    let read_version = record.version;
    record.version += 1;
    record.updated_at = now_rfc3339();
    let entry = AuditEntry::by(
        &scope,
        &principal,
        if body.done {
            "task.done"
        } else {
            "task.reopened"
        },
        &format!("project/{project_id}/task/{task_id}"),
        record.version,
        &RequestMeta::of(&req),
    );
    app.store
        .transact_audited(
            vec![Projects::of(app.store.tenant(&scope)).save(&record, Some(read_version))?],
            &scope,
            vec![entry],
            "the project changed meanwhile; try again",
        )
        .await?;
    if finished_now {
        model::tell_owner_done(app, &scope, &record).await;
    }
    ok(&ProjectView::from(record))
}
