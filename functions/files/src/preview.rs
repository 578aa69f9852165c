//! `GET {base}/documents/{document}/versions/{number}/preview`: a five-minute link to show a
//! clean version in the page instead of downloading it. Only types that cannot run script are
//! previewed (PDF, the common raster images, plain text and CSV); never HTML or SVG. The link
//! answers `inline` with the type fixed to the one checked here (text as `text/plain`), and
//! the portal fetches it and renders it itself (pdf.js draws PDFs on a canvas), so the file is
//! never opened as a page of its own. Each preview is audited as a view.

use crate::serving::confirmed_version;
use atrium_shared::http::ok;
use atrium_shared::objects::{presign_inline, DOWNLOAD_URL_LIFETIME};
use atrium_shared::{ApiError, ApiResult, App};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;

/// The type a preview is served as, for the stored types that have one.
pub fn preview_type(stored: &str) -> Option<&'static str> {
    match stored {
        "application/pdf" => Some("application/pdf"),
        "image/png" => Some("image/png"),
        "image/jpeg" => Some("image/jpeg"),
        "image/gif" => Some("image/gif"),
        "image/webp" => Some("image/webp"),
        "text/plain" | "text/csv" => Some("text/plain; charset=utf-8"),
        _ => None,
    }
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let served = confirmed_version(app, &req).await?;
    let version = &served.version;
    let content_type = preview_type(version.content_type.as_str()).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "this kind of file has no preview; download it instead",
        )
    })?;
    version.servable().map_err(ApiError::conflict)?;
    let url = presign_inline(app, &version.object_key, content_type, &version.file_name).await?;
    served.record(app, "document.viewed", &req).await?;
    ok(&json!({
        "url": url,
        "content_type": content_type,
        "file_name": version.file_name,
        "expires_in": DOWNLOAD_URL_LIFETIME.as_secs(),
    }))
}

#[cfg(test)]
mod tests {
    use super::preview_type;

    #[test]
    fn only_types_that_cannot_run_script_are_previewed() {
        assert_eq!(preview_type("application/pdf"), Some("application/pdf"));
        assert_eq!(preview_type("text/csv"), Some("text/plain; charset=utf-8"));
        for refused in [
            "text/html",
            "image/svg+xml",
            "application/zip",
            "application/xhtml+xml",
        ] {
            assert_eq!(preview_type(refused), None, "{refused}");
        }
    }
}
