//! Object storage (S3): presigned uploads whose signature covers the declared type, length and SHA-256;
//! the facts of an uploaded object; presigned downloads offered as attachments.
//!
//! Object keys are `tenants/<tenant>/documents/<document>/v<n>` (built in `keys`), so a
//! presigned URL can only ever name an object under the tenant's own prefix.

use crate::error::{ApiError, ApiResult};
use crate::App;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::types::{ChecksumAlgorithm, ChecksumMode};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

pub const UPLOAD_URL_LIFETIME: Duration = Duration::from_secs(15 * 60);
pub const DOWNLOAD_URL_LIFETIME: Duration = Duration::from_secs(5 * 60);

/// What the browser needs to upload: the URL and the exact headers it must send with the PUT.
#[derive(Debug, Clone, Serialize)]
pub struct PresignedUpload {
    pub method: String,
    pub url: String,
    pub headers: BTreeMap<String, String>,
    pub expires_in: u64,
}

pub async fn presign_upload(
    app: &App,
    key: &str,
    content_type: &str,
    size: i64,
    sha256: &str,
) -> ApiResult<PresignedUpload> {
    presign_upload_within(app, key, content_type, size, sha256, UPLOAD_URL_LIFETIME).await
}

/// As [`presign_upload`], valid for `lifetime`. `x-amz-sdk-checksum-algorithm` is signed too:
/// S3 needs it to keep the checksum with the object (and moto to store it at all).
pub async fn presign_upload_within(
    app: &App,
    key: &str,
    content_type: &str,
    size: i64,
    sha256: &str,
    lifetime: Duration,
) -> ApiResult<PresignedUpload> {
    let config = PresigningConfig::expires_in(lifetime)
        .map_err(|error| ApiError::internal("presigning config", error))?;
    let request = app
        .s3_for(key)
        .await?
        .put_object()
        .bucket(&app.config.documents_bucket)
        .key(key)
        .content_type(content_type)
        .content_length(size)
        .checksum_algorithm(ChecksumAlgorithm::Sha256)
        .checksum_sha256(sha256)
        .presigned(config)
        .await
        .map_err(|error| ApiError::dependency("s3 presign put", error))?;
    Ok(PresignedUpload::of(&request, lifetime))
}

impl PresignedUpload {
    /// A presigned PUT as the browser needs it: the URL and every header it must send.
    pub fn of(request: &aws_sdk_s3::presigning::PresignedRequest, lifetime: Duration) -> Self {
        PresignedUpload {
            method: request.method().to_string(),
            url: request.uri().to_string(),
            headers: request
                .headers()
                .map(|(name, value)| (name.to_ascii_lowercase(), value.to_string()))
                .collect(),
            expires_in: lifetime.as_secs(),
        }
    }
}

/// What S3 holds under a key: its length, type and the SHA-256 it verified on upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    pub size: i64,
    pub content_type: Option<String>,
    pub sha256: Option<String>,
}

pub async fn stored_object(app: &App, key: &str) -> ApiResult<Option<StoredObject>> {
    let result = app
        .s3_for(key)
        .await?
        .head_object()
        .bucket(&app.config.documents_bucket)
        .key(key)
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await;
    match result {
        Ok(output) => Ok(Some(StoredObject {
            size: output.content_length.unwrap_or_default(),
            content_type: output.content_type,
            sha256: output.checksum_sha256,
        })),
        // Without s3:ListBucket (tenant sessions have none: listing would show other
        // tenants' keys), S3 answers a missing object with 403 instead of 404.
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|service| service.is_not_found())
                || error
                    .raw_response()
                    .is_some_and(|response| response.status().as_u16() == 403) =>
        {
            Ok(None)
        }
        Err(error) => Err(ApiError::dependency("s3 head_object", error)),
    }
}

pub async fn presign_download(app: &App, key: &str, disposition: &str) -> ApiResult<String> {
    presign_get(app, key, disposition, None).await
}

/// `Content-Disposition` for a download: an ASCII fallback and the exact UTF-8 name.
pub fn attachment_disposition(file_name: &str) -> String {
    disposition("attachment", file_name)
}

/// A presigned GET for showing a file in the page (a preview): `inline`, with the response's
/// type fixed to `content_type`, which the caller has checked is one that cannot run script.
pub async fn presign_inline(
    app: &App,
    key: &str,
    content_type: &str,
    file_name: &str,
) -> ApiResult<String> {
    presign_get(
        app,
        key,
        &disposition("inline", file_name),
        Some(content_type),
    )
    .await
}

/// A GET valid for [`DOWNLOAD_URL_LIFETIME`], answering with `disposition` (and the type, when
/// given, instead of the stored one).
async fn presign_get(
    app: &App,
    key: &str,
    disposition: &str,
    content_type: Option<&str>,
) -> ApiResult<String> {
    let config = PresigningConfig::expires_in(DOWNLOAD_URL_LIFETIME)
        .map_err(|error| ApiError::internal("presigning config", error))?;
    let request = app
        .s3_for(key)
        .await?
        .get_object()
        .bucket(&app.config.documents_bucket)
        .key(key)
        .response_content_disposition(disposition)
        .set_response_content_type(content_type.map(str::to_string))
        .presigned(config)
        .await
        .map_err(|error| ApiError::dependency("s3 presign get", error))?;
    Ok(request.uri().to_string())
}

fn disposition(kind: &str, file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect();
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}
