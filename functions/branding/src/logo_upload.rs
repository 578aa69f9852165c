//! `POST /api/branding/logo` (firm admin) `{content_type, size, sha256}`: starts a logo upload.
//! PNG, JPEG or WebP (no SVG), at most 512 KiB. Answers a presigned PUT (15 minutes) to
//! `firm/branding/logo/<id>` whose signature covers the type, the exact length and the SHA-256,
//! and the `key` to confirm. What was declared is kept (an hour) for the confirm to check.

use crate::{LOGO_CONTENT_TYPES, MAX_LOGO_BYTES};
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{created, parse_json, RequestMeta};
use atrium_shared::ids::{new_id, now_epoch};
use atrium_shared::objects::presign_upload;
use atrium_shared::principal::Principal;
use atrium_shared::store::settings::LogoUploadRecord;
use atrium_shared::types::{ContentType, Sha256};
use atrium_shared::{keys, ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LogoBody {
    content_type: ContentType,
    size: i64,
    sha256: Sha256,
}

/// How long an unconfirmed upload is remembered.
const PENDING_SECONDS: i64 = 3600;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff_admin()?;
    let body: LogoBody = parse_json(&req)?;
    let content_type = body.content_type;
    if !LOGO_CONTENT_TYPES.contains(&content_type.as_str()) {
        return Err(ApiError::invalid(
            "content_type",
            "a logo must be a PNG, JPEG or WebP image (image/png, image/jpeg, image/webp)",
        ));
    }
    if body.size <= 0 {
        return Err(ApiError::invalid("size", "the file is empty"));
    }
    if body.size > MAX_LOGO_BYTES {
        return Err(ApiError::too_large(format!(
            "size: a logo may be at most {} KB",
            MAX_LOGO_BYTES / 1024
        )));
    }
    let sha256 = body.sha256;
    let id = new_id();
    let upload = LogoUploadRecord {
        object_key: keys::logo_object_key(&id),
        id: id.clone(),
        content_type,
        size: body.size,
        sha256,
        started_by: principal.actor_label(),
        expires_at: now_epoch() + PENDING_SECONDS,
    };
    let entry = AuditEntry::firm(
        &principal,
        "branding.logo_upload_started",
        &format!("branding/logo/{id}"),
        0,
        &RequestMeta::of(&req),
    );
    app.store
        .transact_firm_audited(
            vec![app.store.logo_upload_tx(&upload)?],
            vec![entry],
            "try again",
        )
        .await?;
    let presigned = presign_upload(
        app,
        &upload.object_key,
        &upload.content_type,
        upload.size,
        &upload.sha256,
    )
    .await?;
    created(&json!({ "key": upload.object_key, "upload": presigned }))
}
