//! A multipart upload's parts (`{base}` is `/api` for a contact, `/api/clients/{id}` for staff):
//!
//! - `POST {base}/documents/{document}/versions/{number}/parts` `{parts: [{number, sha256}]}`
//!   (at most 10): a presigned PUT for each, signed with the part's exact length and SHA-256;
//! - `GET` the same path: the parts S3 already holds, so a browser that lost its connection or
//!   was reloaded sends only the others.

use crate::multipart::{self, part_length};
use crate::pending::upload_of;
use atrium_documents::data::{MultipartUpload, VersionStatus};
use atrium_shared::http::{ok, parse_json};
use atrium_shared::objects::UPLOAD_URL_LIFETIME;
use atrium_shared::types::Sha256;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use serde_json::json;

/// Parts signed per request: enough to keep several in flight, few enough that the answer is
/// quick and the URLs are used well before they expire.
pub const MAX_PARTS_PER_REQUEST: usize = 10;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PartsBody {
    parts: Vec<PartBody>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PartBody {
    number: i64,
    sha256: Sha256,
}

fn open_upload(version: &atrium_documents::data::VersionRecord) -> ApiResult<&MultipartUpload> {
    match (&version.multipart, version.status) {
        (Some(upload), VersionStatus::Pending) => Ok(upload),
        (None, _) => Err(ApiError::conflict(
            "this version is uploaded in one PUT, not in parts",
        )),
        (Some(_), _) => Err(ApiError::conflict(
            "this upload is finished or cancelled; it takes no more parts",
        )),
    }
}

/// The part numbers asked for, checked against the upload: each once, within the file.
fn wanted(body: &PartsBody, part_count: u32) -> ApiResult<Vec<(u32, &Sha256)>> {
    if body.parts.is_empty() || body.parts.len() > MAX_PARTS_PER_REQUEST {
        return Err(ApiError::invalid(
            "parts",
            format!("ask for 1 to {MAX_PARTS_PER_REQUEST} parts at a time"),
        ));
    }
    let mut seen = Vec::with_capacity(body.parts.len());
    for (index, part) in body.parts.iter().enumerate() {
        let number = u32::try_from(part.number)
            .ok()
            .filter(|number| (1..=part_count).contains(number))
            .ok_or_else(|| {
                ApiError::invalid(
                    &format!("parts[{index}].number"),
                    format!("this file has parts 1 to {part_count}"),
                )
            })?;
        if seen.iter().any(|(known, _)| *known == number) {
            return Err(ApiError::invalid(
                &format!("parts[{index}].number"),
                "each part once",
            ));
        }
        seen.push((number, &part.sha256));
    }
    Ok(seen)
}

pub async fn presign(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let found = upload_of(app, &req).await?;
    let upload = open_upload(&found.version)?;
    let body: PartsBody = parse_json(&req)?;
    let parts = wanted(&body, upload.part_count)?;
    let mut answered = Vec::with_capacity(parts.len());
    for (number, sha256) in parts {
        let length = part_length(found.version.size, upload.part_size, number);
        let signed = multipart::presign_part(
            app,
            &found.version.object_key,
            &upload.upload_id,
            number,
            length,
            sha256,
        )
        .await?;
        answered.push(json!({
            "number": number,
            "method": signed.method,
            "url": signed.url,
            "headers": signed.headers,
        }));
    }
    ok(&json!({
        "parts": answered,
        "expires_in": UPLOAD_URL_LIFETIME.as_secs(),
    }))
}

pub async fn list(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let found = upload_of(app, &req).await?;
    let upload = open_upload(&found.version)?;
    let parts = multipart::stored_parts(app, &found.version.object_key, &upload.upload_id)
        .await?
        .ok_or_else(|| ApiError::conflict("this upload is no longer open; start a new one"))?;
    let parts: Vec<_> = parts
        .iter()
        .filter(|part| part.number <= upload.part_count)
        .map(|part| json!({ "number": part.number, "size": part.size }))
        .collect();
    ok(&json!({
        "part_size": upload.part_size,
        "part_count": upload.part_count,
        "parts": parts,
    }))
}
