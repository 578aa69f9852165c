//! `POST /api/intake/{assignment}/submit` and
//! `POST /api/clients/{id}/intake/{assignment}/submit` `{answers, form_version, version}`
//! (admins and members of the client, staff): submits the answers. They are checked against
//! the exact schema version the assignment answers (`form_version` must name it: 409
//! otherwise), and every failing field is named in one 400. The revision, the assignment
//! (submitted, draft cleared), the project task (ticked) and the audit entries are written in
//! one transaction; then the staff member who assigned the form gets one mail, which names the
//! client and the form but never the answers.

use crate::answers::{answer_path, check, Mode};
use crate::data::Intakes;
use crate::data::{Answers, IntakeRecord, IntakeStatus, SubmissionRecord, Submitter};
use crate::{
    assignment, check_size, invalid, project_with_task, require_version, SubmissionView, CHANGED,
};
use atrium_documents::data::Documents;
use atrium_projects::data::Projects;
use atrium_shared::access::{require_can_act, scope_for};
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{created, parse_json, RequestMeta};
use atrium_shared::ids::now_rfc3339;
use atrium_shared::mail::{escape_html, notice};
use atrium_shared::principal::{Principal, TenantScope};
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmitBody {
    answers: Answers,
    form_version: u32,
    version: u64,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    require_can_act(&principal)?;
    let mut record = assignment(app, &scope, &req).await?;
    let body: SubmitBody = parse_json(&req)?;
    if record.status == IntakeStatus::Submitted {
        return Err(ApiError::conflict(
            "this form was already submitted; the firm can reopen it for corrections",
        ));
    }
    if body.form_version != record.form_version {
        return Err(ApiError::conflict(format!(
            "form_version: this assignment answers version {} of the form, not {}; reload it",
            record.form_version, body.form_version
        )));
    }
    require_version(record.version, body.version)?;
    let checked = check(&record.fields, &body.answers, Mode::Submit).map_err(invalid)?;
    let mut problems = Vec::new();
    for (key, document_id) in &checked.files {
        let usable = Documents::of(app.store.tenant(&scope))
            .get(document_id)
            .await?
            .is_some_and(|document| {
                document.latest_version > 0 && atrium_documents::visible_to(&principal, &document)
            });
        if !usable {
            problems.push((
                answer_path(key),
                "must be the id of one of your uploaded documents".to_string(),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    check_size(&checked.answers)?;
    let user = app
        .store
        .user_of(&principal)
        .await?
        .ok_or_else(ApiError::unauthorized)?;

    let now = now_rfc3339();
    let actor = principal.actor_label();
    let meta = RequestMeta::of(&req);
    let revision = record.latest_revision + 1;
    let submission = SubmissionRecord {
        assignment_id: record.id.clone(),
        tenant_id: scope.tenant_id().to_string(),
        revision,
        form_id: record.form_id.clone(),
        form_name: record.form_name.clone(),
        form_version: record.form_version,
        answers: checked.answers,
        submitted_by: Submitter {
            actor: actor.clone(),
            name: user.name,
            email: user.email,
        },
        submitted_at: now.clone(),
    };
    let read_version = record.version;
    record.status = IntakeStatus::Submitted;
    record.latest_revision = revision;
    record.draft = Answers::new();
    record.draft_saved_at = None;
    record.draft_saved_by = None;
    record.updated_at = now.clone();
    record.version += 1;
    let mut items = vec![
        Intakes::of(app.store.tenant(&scope)).submit(&submission)?,
        Intakes::of(app.store.tenant(&scope)).save(&record, Some(read_version))?,
    ];
    let mut entries = vec![AuditEntry::by(
        &scope,
        &principal,
        "intake.submitted",
        &format!("intake/{}/revision/{revision}", record.id),
        record.version,
        &meta,
    )];
    let project = project_with_task(app, &scope, &record, true, &actor, &now).await?;
    let mut project_finished = None;
    if let Some((mut project, read)) = project {
        entries.push(AuditEntry::by(
            &scope,
            &principal,
            "task.done",
            &format!(
                "project/{}/task/{}",
                project.id,
                record.task_id.as_deref().unwrap_or_default()
            ),
            project.version,
            &meta,
        ));
        if atrium_projects::model::all_done(&project) && !project.completion_notified {
            project.completion_notified = true;
            project_finished = Some(project.clone());
        }
        items.push(Projects::of(app.store.tenant(&scope)).save(&project, Some(read))?);
    }
    app.store
        .transact_audited(items, &scope, entries, CHANGED)
        .await?;
    tell_owner(app, &scope, &record, revision).await;
    if let Some(project) = project_finished {
        atrium_projects::model::tell_owner_done(app, &scope, &project).await;
    }
    created(&SubmissionView::from(submission))
}

/// One mail to the staff member who assigned the form. It names the client, the form and the
/// revision, never an answer.
async fn tell_owner(app: &App, scope: &TenantScope, record: &IntakeRecord, revision: u32) {
    let link = format!(
        "{}/staff/clients/{}/forms/{}",
        app.config.portal_origin.trim_end_matches('/'),
        scope.tenant_id(),
        record.id
    );
    let what = if revision > 1 {
        format!(
            "a corrected \u{201c}{}\u{201d} (revision {revision})",
            record.form_name
        )
    } else {
        format!("\u{201c}{}\u{201d}", record.form_name)
    };
    let line = format!("{} submitted {what}.", record.client_name);
    let mail = notice(
        &app.branding().await,
        &format!("{} submitted {}", record.client_name, record.form_name),
        "A form was submitted",
        &[escape_html(&line)],
        &line,
        ("Open the submission", &link),
    );
    if let Err(error) = app.mailer.send(&record.owner_email, &mail).await {
        tracing::warn!(?error, "intake submission notice not sent");
    }
}
