//! `GET /api/intake/{assignment}/submissions/{revision}` (a contact, any role) and
//! `GET /api/clients/{id}/intake/{assignment}/submissions/{revision}` (staff): one revision as
//! a JSON file to keep (`Content-Disposition: attachment`): the client, the form and version,
//! the questions as they were asked, who submitted when, and the answers. Every export is
//! audited.

use crate::data::Intakes;
use crate::{assignment, SubmissionView};
use atrium_shared::access::scope_for;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{json_response, path_param, RequestMeta};
use atrium_shared::principal::Principal;
use atrium_shared::{ApiError, ApiResult, App};
use http::{header, HeaderValue, StatusCode};
use lambda_http::{Body, Request, Response};
use serde_json::json;

/// A file-name part: lower-case ASCII letters and digits joined by single dashes.
pub fn slug(text: &str, max: usize) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out: String = out.chars().take(max).collect();
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "form".to_string()
    } else {
        out
    }
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    let record = assignment(app, &scope, &req).await?;
    let revision = path_param(&req, "revision")?
        .parse::<u32>()
        .ok()
        .filter(|revision| (1..=record.latest_revision).contains(revision))
        .ok_or_else(ApiError::not_found)?;
    let submission = Intakes::of(app.store.tenant(&scope))
        .submission(&record.id, revision)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let client_slug = app
        .store
        .profile(&scope)
        .await?
        .map(|profile| profile.slug)
        .unwrap_or_else(|| scope.tenant_id().to_lowercase());
    let questions: Vec<_> = record
        .fields
        .iter()
        .map(|field| json!({ "key": field.key, "type": field.kind, "label": field.label }))
        .collect();
    let export = json!({
        "client": { "id": scope.tenant_id(), "name": record.client_name },
        "form": { "id": record.form_id, "name": record.form_name, "version": submission.form_version },
        "questions": questions,
        "submission": SubmissionView::from(submission),
    });
    let entry = AuditEntry::by(
        &scope,
        &principal,
        "intake.exported",
        &format!("intake/{}/revision/{revision}", record.id),
        record.version,
        &RequestMeta::of(&req),
    );
    app.store.audit(&scope, &entry).await?;
    let file_name = format!(
        "{}-{}-r{revision}.json",
        slug(&record.form_name, 60),
        slug(&client_slug, 40)
    );
    let mut response = json_response(StatusCode::OK, &export);
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
        .map_err(|error| ApiError::internal("content-disposition", error))?;
    response
        .headers_mut()
        .insert(header::CONTENT_DISPOSITION, disposition);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn file_names_hold_only_safe_characters() {
        assert_eq!(
            slug("Client intake – 2026 (KYC)", 60),
            "client-intake-2026-kyc"
        );
        assert_eq!(slug("\"; rm -rf /", 60), "rm-rf");
        assert_eq!(slug("Ünïcode", 60), "n-code");
        assert_eq!(slug("???", 60), "form");
        assert_eq!(slug(&"ab ".repeat(40), 10), "ab-ab-ab-a");
    }
}
