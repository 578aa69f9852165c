//! `POST /api/clients/{id}/intake/{assignment}/reopen` `{reason, version}` (staff): reopens a
//! submitted form for corrections. The last submission's answers become the draft, the
//! project task is unticked, and the next submission is a new revision; earlier revisions stay
//! as they are. The client's active contacts get one mail.

use crate::data::IntakeStatus;
use crate::data::Intakes;
use crate::{
    assignment, project_with_task, require_version, tell_contacts, AssignmentView, CHANGED,
};
use atrium_projects::data::Projects;
use atrium_shared::access::scope_for;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, parse_json, RequestMeta};
use atrium_shared::ids::now_rfc3339;
use atrium_shared::principal::Principal;
use atrium_shared::validate::text;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReopenBody {
    reason: String,
    version: u64,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff()?;
    let scope = scope_for(app, &principal, &req).await?;
    let mut record = assignment(app, &scope, &req).await?;
    let body: ReopenBody = parse_json(&req)?;
    let reason = text("reason", &body.reason, 2000)?;
    if reason.is_empty() {
        return Err(ApiError::invalid("reason", "must not be empty"));
    }
    if record.status != IntakeStatus::Submitted {
        return Err(ApiError::conflict("only a submitted form can be reopened"));
    }
    require_version(record.version, body.version)?;
    let last = Intakes::of(app.store.tenant(&scope))
        .submission(&record.id, record.latest_revision)
        .await?
        .ok_or_else(|| ApiError::internal("latest revision", &record.id))?;
    let now = now_rfc3339();
    let actor = principal.actor_label();
    let meta = RequestMeta::of(&req);
    let read_version = record.version;
    record.status = IntakeStatus::Reopened;
    record.reopen_reason = Some(reason);
    record.reopened_at = Some(now.clone());
    record.reopened_by = Some(actor.clone());
    record.draft = last.answers;
    record.draft_saved_at = Some(now.clone());
    record.draft_saved_by = Some(actor.clone());
    record.updated_at = now.clone();
    record.version += 1;
    let mut items = vec![Intakes::of(app.store.tenant(&scope)).save(&record, Some(read_version))?];
    let mut entries = vec![AuditEntry::by(
        &scope,
        &principal,
        "intake.reopened",
        &format!("intake/{}", record.id),
        record.version,
        &meta,
    )];
    if let Some((project, read)) =
        project_with_task(app, &scope, &record, false, &actor, &now).await?
    {
        entries.push(AuditEntry::by(
            &scope,
            &principal,
            "task.reopened",
            &format!(
                "project/{}/task/{}",
                project.id,
                record.task_id.as_deref().unwrap_or_default()
            ),
            project.version,
            &meta,
        ));
        items.push(Projects::of(app.store.tenant(&scope)).save(&project, Some(read))?);
    }
    app.store
        .transact_audited(items, &scope, entries, CHANGED)
        .await?;
    let firm = app.branding().await.firm_name;
    tell_contacts(
        app,
        &scope,
        &format!("{firm} asks for corrections to a form"),
        "A form needs corrections",
        &format!(
            "{} reopened \u{201c}{}\u{201d} for corrections.",
            firm, record.form_name
        ),
        &record,
    )
    .await;
    ok(&AssignmentView::new(record, &principal))
}
