//! `GET /api/documents/{document}/versions/{number}/download` and the staff route under
//! `/api/clients/{id}/…`: a presigned GET valid for five minutes that downloads the file as an
//! attachment under its (cleaned) original name, for a version the malware scan found clean
//! (409 while it is being checked, or quarantined). Every download is audited.

use crate::serving::confirmed_version;
use atrium_shared::http::ok;
use atrium_shared::objects::attachment_disposition;
use atrium_shared::objects::{presign_download, DOWNLOAD_URL_LIFETIME};
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let served = confirmed_version(app, &req).await?;
    let version = &served.version;
    version.servable().map_err(ApiError::conflict)?;
    let url = presign_download(
        app,
        &version.object_key,
        &attachment_disposition(&version.file_name),
    )
    .await?;
    served.record(app, "document.downloaded", &req).await?;
    ok(&json!({
        "url": url,
        "file_name": version.file_name,
        "expires_in": DOWNLOAD_URL_LIFETIME.as_secs(),
    }))
}
