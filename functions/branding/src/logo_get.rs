//! `GET /api/branding/logo` (public: the sign-in page and mail clients fetch it without a
//! session): a 302 to a short-lived presigned GET of the current logo, or 404 when there is
//! none. The redirect may be cached briefly; the link it names lives a little longer.

use atrium_shared::{ApiError, ApiResult, App};
use aws_sdk_s3::presigning::PresigningConfig;
use http::{header, HeaderValue, StatusCode};
use lambda_http::{Body, Request, Response};
use std::time::Duration;

pub const LOGO_URL_LIFETIME: Duration = Duration::from_secs(10 * 60);
const REDIRECT_CACHE_CONTROL: &str = "public, max-age=60";

pub async fn handle(app: &App, _req: Request) -> ApiResult<Response<Body>> {
    let record = app.branding_record().await?;
    let (Some(key), content_type) = (record.logo_key, record.logo_content_type) else {
        return Err(ApiError::not_found());
    };
    let config = PresigningConfig::expires_in(LOGO_URL_LIFETIME)
        .map_err(|error| ApiError::internal("presigning config", error))?;
    let mut request = app
        .s3_for(&key)
        .await?
        .get_object()
        .bucket(&app.config.documents_bucket)
        .key(&key)
        .response_cache_control(REDIRECT_CACHE_CONTROL);
    if let Some(content_type) = content_type {
        request = request.response_content_type(content_type);
    }
    let url = request
        .presigned(config)
        .await
        .map_err(|error| ApiError::dependency("s3 presign get", error))?
        .uri()
        .to_string();
    let location =
        HeaderValue::from_str(&url).map_err(|error| ApiError::internal("logo location", error))?;
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = StatusCode::FOUND;
    let headers = response.headers_mut();
    headers.insert(header::LOCATION, location);
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(REDIRECT_CACHE_CONTROL),
    );
    Ok(response)
}
