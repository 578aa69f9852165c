//! `PUT /api/branding` (firm admin) `{firm_name, primary_colour, accent_colour, support_email?,
//! remove_logo?, version}`: replaces the branding read at `version` (0 or absent the first
//! time). Every field is checked and every problem named at once (`error.fields`); a colour
//! white text cannot be read on is refused with the ratio found and the 4.5:1 needed.

use crate::colour_for_white_text;
use atrium_shared::audit::AuditEntry;
use atrium_shared::branding::BrandingView;
use atrium_shared::http::{ok, parse_json, RequestMeta};
use atrium_shared::ids::now_rfc3339;
use atrium_shared::principal::Principal;
use atrium_shared::{validate, ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    firm_name: String,
    primary_colour: String,
    accent_colour: String,
    #[serde(default)]
    support_email: Option<String>,
    /// Takes the logo away (the portal and mail show the firm's name instead).
    #[serde(default)]
    remove_logo: bool,
    #[serde(default)]
    version: Option<u64>,
}

pub const CHANGED: &str = "version: the branding changed meanwhile; reload it and try again";

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff_admin()?;
    let body: UpdateBody = parse_json(&req)?;
    let mut problems = Vec::new();
    let mut check = |field: &str, outcome: Result<String, String>| match outcome {
        Ok(value) => value,
        Err(problem) => {
            problems.push((field.to_string(), problem));
            String::new()
        }
    };
    let firm_name = check(
        "firm_name",
        validate::name("firm_name", &body.firm_name, 120).map_err(problem_of),
    );
    let primary_colour = check(
        "primary_colour",
        colour_for_white_text(&body.primary_colour),
    );
    let accent_colour = check("accent_colour", colour_for_white_text(&body.accent_colour));
    let support_email = match body.support_email.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(email) => Some(check(
            "support_email",
            validate::email("support_email", email).map_err(problem_of),
        )),
    };
    if !problems.is_empty() {
        return Err(ApiError::invalid_fields(problems));
    }

    let current = app.branding_record().await?;
    let read_version = body.version.unwrap_or(0);
    if current.version != read_version {
        return Err(ApiError::conflict(CHANGED));
    }
    let mut record = current;
    record.firm_name = firm_name;
    record.primary_colour = primary_colour;
    record.accent_colour = accent_colour;
    record.support_email = support_email;
    if body.remove_logo {
        record.logo_key = None;
        record.logo_content_type = None;
    }
    record.updated_at = now_rfc3339();
    record.updated_by = principal.actor_label();
    record.version = read_version + 1;
    let entry = AuditEntry::firm(
        &principal,
        "branding.updated",
        "branding",
        record.version,
        &RequestMeta::of(&req),
    );
    app.store
        .transact_firm_audited(
            vec![app.store.branding_tx(&record, read_version)?],
            vec![entry],
            CHANGED,
        )
        .await?;
    app.forget_branding();
    ok(&BrandingView::of(&app.config.portal_origin, &record))
}

/// The problem part of a 400 that names its field (`field: problem` → `problem`).
fn problem_of(error: ApiError) -> String {
    match error.message.split_once(": ") {
        Some((_, problem)) => problem.to_string(),
        None => error.message,
    }
}
