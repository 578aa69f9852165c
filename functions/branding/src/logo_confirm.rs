//! `POST /api/branding/logo/confirm` (firm admin) `{key, version}`: after the browser's PUT,
//! checks the stored object (length, type and SHA-256 must be what was declared) and makes it
//! the logo, replacing the branding read at `version`, with its audit entry in the same
//! transaction. An upload is confirmed once.

use crate::update::CHANGED;
use atrium_shared::audit::AuditEntry;
use atrium_shared::branding::BrandingView;
use atrium_shared::http::{ok, parse_json, RequestMeta};
use atrium_shared::ids::{is_id, now_epoch, now_rfc3339};
use atrium_shared::objects::stored_object;
use atrium_shared::principal::Principal;
use atrium_shared::{keys, ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfirmBody {
    key: String,
    #[serde(default)]
    version: Option<u64>,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff_admin()?;
    let body: ConfirmBody = parse_json(&req)?;
    let id = body
        .key
        .strip_prefix(&keys::logo_object_key(""))
        .filter(|id| is_id(id))
        .ok_or_else(|| ApiError::invalid("key", "is not a logo upload this portal started"))?;
    let upload = app
        .store
        .logo_upload(id)
        .await?
        .filter(|upload| upload.expires_at > now_epoch())
        .ok_or_else(ApiError::not_found)?;
    let stored = stored_object(app, &upload.object_key)
        .await?
        .ok_or_else(|| {
            ApiError::conflict("key: nothing was uploaded yet; upload the logo first")
        })?;
    let matches = stored.size == upload.size
        && stored.content_type.as_deref() == Some(upload.content_type.as_str())
        && stored.sha256.as_deref() == Some(upload.sha256.as_str());
    if !matches {
        return Err(ApiError::conflict(
            "key: the uploaded file is not the one declared (its size, type or SHA-256 differs)",
        ));
    }
    let current = app.branding_record().await?;
    let read_version = body.version.unwrap_or(0);
    if current.version != read_version {
        return Err(ApiError::conflict(CHANGED));
    }
    let mut record = current;
    record.logo_key = Some(upload.object_key.clone());
    record.logo_content_type = Some(upload.content_type.clone());
    record.updated_at = now_rfc3339();
    record.updated_by = principal.actor_label();
    record.version = read_version + 1;
    let entry = AuditEntry::firm(
        &principal,
        "branding.logo_changed",
        &format!("branding/logo/{id}"),
        record.version,
        &RequestMeta::of(&req),
    );
    let items = vec![
        app.store.branding_tx(&record, read_version)?,
        app.store.use_logo_upload_tx(id)?,
    ];
    app.store
        .transact_firm_audited(items, vec![entry], CHANGED)
        .await?;
    app.forget_branding();
    ok(&BrandingView::of(&app.config.portal_origin, &record))
}
