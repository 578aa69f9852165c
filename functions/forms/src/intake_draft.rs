//! `PUT /api/intake/{assignment}/draft` and `PUT /api/clients/{id}/intake/{assignment}/draft`
//! `{answers, version}` (admins and members of the client, staff): saves half-done work. A
//! draft is checked for shape only (known fields, the right JSON types, at most 64 KB); the
//! full check comes with the submission.

use crate::answers::{check, Mode};
use crate::data::Intakes;
use crate::data::{Answers, IntakeStatus};
use crate::{assignment, check_size, invalid, require_version, AssignmentView, CHANGED};
use atrium_shared::access::{require_can_act, scope_for};
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, parse_json, RequestMeta};
use atrium_shared::ids::now_rfc3339;
use atrium_shared::principal::Principal;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DraftBody {
    answers: Answers,
    version: u64,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    require_can_act(&principal)?;
    let mut record = assignment(app, &scope, &req).await?;
    let body: DraftBody = parse_json(&req)?;
    if record.status == IntakeStatus::Submitted {
        return Err(ApiError::conflict(
            "this form was submitted; the firm can reopen it for corrections",
        ));
    }
    require_version(record.version, body.version)?;
    let checked = check(&record.fields, &body.answers, Mode::Draft).map_err(invalid)?;
    check_size(&checked.answers)?;
    let now = now_rfc3339();
    let read_version = record.version;
    record.draft = checked.answers;
    record.draft_saved_at = Some(now.clone());
    record.draft_saved_by = Some(principal.actor_label());
    if record.status == IntakeStatus::Assigned {
        record.status = IntakeStatus::Draft;
    }
    record.updated_at = now;
    record.version += 1;
    let entry = AuditEntry::by(
        &scope,
        &principal,
        "intake.draft_saved",
        &format!("intake/{}", record.id),
        record.version,
        &RequestMeta::of(&req),
    );
    app.store
        .transact_audited(
            vec![Intakes::of(app.store.tenant(&scope)).save(&record, Some(read_version))?],
            &scope,
            vec![entry],
            CHANGED,
        )
        .await?;
    ok(&AssignmentView::new(record, &principal))
}
