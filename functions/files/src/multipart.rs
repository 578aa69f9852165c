//! S3 multipart uploads for large files: how a file is cut into parts, and the five S3 calls
//! (create, presign a part, list the parts that arrived, complete, abort). Each part's URL is
//! signed with its exact length and SHA-256, so S3 refuses a part whose bytes differ
//! (`BadDigest`); a part that arrived is therefore whole and never needs sending again.

use atrium_shared::objects::{PresignedUpload, UPLOAD_URL_LIFETIME};
use atrium_shared::{ApiError, ApiResult, App};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::types::{ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart};

/// Files up to one part go up in a single PUT; larger ones in parts of this size (8 MiB: big
/// enough that a 5 GB file is 640 parts, small enough that a retried part costs seconds).
pub const PART_SIZE: i64 = 8 * 1024 * 1024;
/// S3's limit on the parts of one upload.
pub const MAX_PARTS: i64 = 10_000;
const MIB: i64 = 1024 * 1024;

/// How a file of `size` bytes is cut: `None` for a single PUT, else (part size, part count).
/// Past 80 GB the parts grow (in whole MiB) so that no upload needs more than 10,000.
pub fn plan(size: i64) -> Option<(i64, u32)> {
    if size <= PART_SIZE {
        return None;
    }
    // Signed division rounding up (`i64::div_ceil` is not stable); sizes here are positive.
    let up = |a: i64, b: i64| a / b + i64::from(a % b != 0);
    let part_size = PART_SIZE.max(up(up(size, MAX_PARTS), MIB).saturating_mul(MIB));
    let count = u32::try_from(up(size, part_size)).ok()?;
    Some((part_size, count))
}

/// The length of part `number` (1-based) of a file of `size` cut in `part_size` parts.
pub fn part_length(size: i64, part_size: i64, number: u32) -> i64 {
    let start = part_size.saturating_mul(i64::from(number) - 1);
    (size - start).clamp(0, part_size)
}

pub async fn create(app: &App, key: &str, content_type: &str) -> ApiResult<String> {
    app.s3_for(key)
        .await?
        .create_multipart_upload()
        .bucket(&app.config.documents_bucket)
        .key(key)
        .content_type(content_type)
        .checksum_algorithm(ChecksumAlgorithm::Sha256)
        .send()
        .await
        .map_err(|error| ApiError::dependency("s3 create_multipart_upload", error))?
        .upload_id
        .ok_or_else(|| ApiError::internal("s3 create_multipart_upload", "no upload id"))
}

/// A presigned PUT for one part, valid as long as a single upload's URL.
pub async fn presign_part(
    app: &App,
    key: &str,
    upload_id: &str,
    number: u32,
    length: i64,
    sha256: &str,
) -> ApiResult<PresignedUpload> {
    let config = PresigningConfig::expires_in(UPLOAD_URL_LIFETIME)
        .map_err(|error| ApiError::internal("presigning config", error))?;
    let part_number =
        i32::try_from(number).map_err(|_| ApiError::invalid("number", "no such part"))?;
    let request = app
        .s3_for(key)
        .await?
        .upload_part()
        .bucket(&app.config.documents_bucket)
        .key(key)
        .upload_id(upload_id)
        .part_number(part_number)
        .content_length(length)
        .checksum_algorithm(ChecksumAlgorithm::Sha256)
        .checksum_sha256(sha256)
        .presigned(config)
        .await
        .map_err(|error| ApiError::dependency("s3 presign upload_part", error))?;
    Ok(PresignedUpload::of(&request, UPLOAD_URL_LIFETIME))
}

/// A part S3 holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPart {
    pub number: u32,
    pub size: i64,
    pub e_tag: Option<String>,
    pub sha256: Option<String>,
}

/// The parts that arrived, in order. `None` when S3 no longer knows the upload (completed or
/// aborted).
pub async fn stored_parts(
    app: &App,
    key: &str,
    upload_id: &str,
) -> ApiResult<Option<Vec<StoredPart>>> {
    let s3 = app.s3_for(key).await?;
    let mut parts = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let result = s3
            .list_parts()
            .bucket(&app.config.documents_bucket)
            .key(key)
            .upload_id(upload_id)
            .max_parts(1000)
            .set_part_number_marker(marker.clone())
            .send()
            .await;
        let page = match result {
            Ok(page) => page,
            Err(error)
                if error
                    .raw_response()
                    .is_some_and(|response| response.status().as_u16() == 404) =>
            {
                return Ok(None)
            }
            Err(error) => return Err(ApiError::dependency("s3 list_parts", error)),
        };
        for part in page.parts() {
            let Some(number) = part.part_number().and_then(|n| u32::try_from(n).ok()) else {
                continue;
            };
            parts.push(StoredPart {
                number,
                size: part.size().unwrap_or_default(),
                e_tag: part.e_tag().map(str::to_string),
                sha256: part.checksum_sha256().map(str::to_string),
            });
        }
        match (page.is_truncated(), page.next_part_number_marker()) {
            (Some(true), Some(next)) if Some(next) != marker.as_deref() => {
                marker = Some(next.to_string())
            }
            _ => break,
        }
    }
    parts.sort_by_key(|part| part.number);
    parts.dedup_by_key(|part| part.number);
    Ok(Some(parts))
}

/// What is still missing before the upload can be completed, as a sentence for a 409.
pub fn missing(parts: &[StoredPart], size: i64, part_size: i64, count: u32) -> Option<String> {
    let mut absent = 0u32;
    let mut wrong = 0u32;
    for number in 1..=count {
        match parts.iter().find(|part| part.number == number) {
            None => absent += 1,
            Some(part) if part.size != part_length(size, part_size, number) => wrong += 1,
            Some(_) => {}
        }
    }
    match (absent, wrong) {
        (0, 0) => None,
        (absent, 0) => Some(format!(
            "upload: {absent} of {count} parts have not arrived yet; send them, then confirm"
        )),
        (_, wrong) => Some(format!(
            "upload: {wrong} parts have the wrong length; send them again, then confirm"
        )),
    }
}

pub async fn complete(
    app: &App,
    key: &str,
    upload_id: &str,
    parts: &[StoredPart],
) -> ApiResult<()> {
    let completed = parts
        .iter()
        .map(|part| {
            CompletedPart::builder()
                .part_number(i32::try_from(part.number).unwrap_or(i32::MAX))
                .set_e_tag(part.e_tag.clone())
                .set_checksum_sha256(part.sha256.clone())
                .build()
        })
        .collect();
    app.s3_for(key)
        .await?
        .complete_multipart_upload()
        .bucket(&app.config.documents_bucket)
        .key(key)
        .upload_id(upload_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(completed))
                .build(),
        )
        .send()
        .await
        .map_err(|error| ApiError::dependency("s3 complete_multipart_upload", error))?;
    Ok(())
}

/// Discards the upload's parts. An upload S3 no longer knows is already gone.
pub async fn abort(app: &App, key: &str, upload_id: &str) -> ApiResult<()> {
    let result = app
        .s3_for(key)
        .await?
        .abort_multipart_upload()
        .bucket(&app.config.documents_bucket)
        .key(key)
        .upload_id(upload_id)
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(error)
            if error
                .raw_response()
                .is_some_and(|response| response.status().as_u16() == 404) =>
        {
            Ok(())
        }
        Err(error) => Err(ApiError::dependency("s3 abort_multipart_upload", error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_files_are_one_put_and_large_ones_at_most_ten_thousand_parts() {
        assert_eq!(plan(1), None);
        assert_eq!(plan(PART_SIZE), None);
        assert_eq!(plan(PART_SIZE + 1), Some((PART_SIZE, 2)));
        assert_eq!(plan(200 * 1_000_000), Some((PART_SIZE, 24)));
        assert_eq!(plan(5 * 1024 * MIB), Some((PART_SIZE, 640)));
        let (size, count) = plan(200 * 1024 * 1024 * MIB).unwrap();
        assert!(i64::from(count) <= MAX_PARTS);
        assert_eq!(size % MIB, 0);
        assert_eq!(
            plan(i64::MAX).map(|(_, count)| i64::from(count) <= MAX_PARTS),
            Some(true)
        );
    }

    #[test]
    fn parts_cover_the_file_exactly() {
        let size = 3 * PART_SIZE + 5;
        let (part_size, count) = plan(size).unwrap();
        let total: i64 = (1..=count).map(|n| part_length(size, part_size, n)).sum();
        assert_eq!(total, size);
        assert_eq!(part_length(size, part_size, count), 5);
        assert_eq!(part_length(size, part_size, count + 1), 0);
    }

    #[test]
    fn missing_parts_are_counted() {
        let size = 2 * PART_SIZE + 1;
        let part = |number, size| StoredPart {
            number,
            size,
            e_tag: None,
            sha256: None,
        };
        let parts = vec![part(1, PART_SIZE), part(3, 1)];
        assert!(missing(&parts, size, PART_SIZE, 3)
            .unwrap()
            .contains("1 of 3 parts"));
        let all = vec![part(1, PART_SIZE), part(2, PART_SIZE), part(3, 1)];
        assert_eq!(missing(&all, size, PART_SIZE, 3), None);
        let short = vec![part(1, PART_SIZE), part(2, 10), part(3, 1)];
        assert!(missing(&short, size, PART_SIZE, 3)
            .unwrap()
            .contains("wrong length"));
    }
}
