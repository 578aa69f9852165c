//! `GET /api/intake/{assignment}/submissions` (a contact, any role) and
//! `GET /api/clients/{id}/intake/{assignment}/submissions` (staff): every submitted revision,
//! oldest first. Submissions are the client's answers, so each view is audited.

use crate::data::Intakes;
use crate::{assignment, SubmissionView};
use atrium_shared::access::scope_for;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, RequestMeta};
use atrium_shared::principal::Principal;
use atrium_shared::{ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    let record = assignment(app, &scope, &req).await?;
    let submissions: Vec<SubmissionView> = Intakes::of(app.store.tenant(&scope))
        .submissions(&record.id)
        .await?
        .into_iter()
        .map(SubmissionView::from)
        .collect();
    let entry = AuditEntry::by(
        &scope,
        &principal,
        "intake.submissions_viewed",
        &format!("intake/{}", record.id),
        record.version,
        &RequestMeta::of(&req),
    );
    app.store.audit(&scope, &entry).await?;
    ok(&json!({
        "assignment_id": record.id,
        "form_id": record.form_id,
        "form_name": record.form_name,
        "latest_revision": record.latest_revision,
        "submissions": submissions,
    }))
}
