//! `GET /api/documents/{document}/versions/{number}/download` and the staff route under
//! `/api/clients/{id}/…`: a presigned GET valid for five minutes that downloads the file as an
//! attachment under its (cleaned) original name, for a version the malware scan found clean
//! (409 while it is being checked, or quarantined). Every download is audited.

use atrium_documents::data::Documents;
use atrium_documents::data::VersionStatus;
use atrium_shared::access::scope_for;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, path_id, path_param, RequestMeta};
use atrium_shared::objects::attachment_disposition;
use atrium_shared::objects::{presign_download, DOWNLOAD_URL_LIFETIME};
use atrium_shared::principal::Principal;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    let document_id = path_id(&req, "document")?;
    let number: u32 = path_param(&req, "number")?
        .parse()
        .map_err(|_| ApiError::not_found())?;
    Documents::of(app.store.tenant(&scope))
        .get(&document_id)
        .await?
        .filter(|document| atrium_documents::visible_to(&principal, document))
        .ok_or_else(ApiError::not_found)?;
    let version = Documents::of(app.store.tenant(&scope))
        .version(&document_id, number)
        .await?
        .filter(|version| version.status == VersionStatus::Confirmed)
        .ok_or_else(ApiError::not_found)?;
    version.servable().map_err(ApiError::conflict)?;
    let url = presign_download(
        app,
        &version.object_key,
        &attachment_disposition(&version.file_name),
    )
    .await?;
    let entry = AuditEntry::by(
        &scope,
        &principal,
        "document.downloaded",
        &format!("document/{document_id}/v{number}"),
        u64::from(number),
        &RequestMeta::of(&req),
    );
    app.store.audit(&scope, &entry).await?;
    ok(&json!({
        "url": url,
        "file_name": version.file_name,
        "expires_in": DOWNLOAD_URL_LIFETIME.as_secs(),
    }))
}
