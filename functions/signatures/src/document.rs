//! `GET /api/signature-requests/{request}/document` (and the firm's route): a short-lived
//! link to show the PDF being signed (the original version) in the page, where the signer
//! sees the fields placed for them. Audited as a view of that version.

use atrium_documents::data::{Documents, VersionStatus};
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, RequestMeta};
use atrium_shared::objects::{presign_inline, DOWNLOAD_URL_LIFETIME};
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let seen = crate::seen(app, &req).await?;
    let request = &seen.request;
    let version = Documents::of(app.store.tenant(&seen.scope))
        .version(&request.document_id, request.document_version)
        .await?
        .filter(|version| version.status == VersionStatus::Confirmed)
        .ok_or_else(ApiError::not_found)?;
    version.servable().map_err(ApiError::conflict)?;
    let url = presign_inline(
        app,
        &version.object_key,
        "application/pdf",
        &version.file_name,
    )
    .await?;
    let entry = AuditEntry::by(
        &seen.scope,
        &seen.principal,
        "document.viewed",
        &format!("document/{}/v{}", version.document_id, version.number),
        u64::from(version.number),
        &RequestMeta::of(&req),
    );
    app.store.audit(&seen.scope, &entry).await?;
    ok(&json!({
        "url": url,
        "content_type": "application/pdf",
        "file_name": version.file_name,
        "expires_in": DOWNLOAD_URL_LIFETIME.as_secs(),
    }))
}
