//! Builds a "download all" zip in S3. S3 reports the archive's request object (through an
//! EventBridge rule); the builder streams each file from S3 into a zip writer and uploads the
//! zip as a multipart upload, one 8 MiB part at a time, so it holds at most about one part in
//! memory whatever the archive's size. Entries are stored uncompressed (documents are mostly
//! compressed already) with ZIP64 sizes where needed. Each file's bytes are checked against
//! the version's SHA-256 as they are copied; a mismatch fails the archive. A replayed event
//! for an archive that is no longer building changes nothing.

use crate::data::{archive_of_request_key, ArchiveRecord, ArchiveStatus, Archives, EXPIRY_TAG};
use crate::multipart::PART_SIZE;
use atrium_shared::principal::TenantScope;
use atrium_shared::store::registry::registered_scope;
use atrium_shared::{ApiError, ApiResult, App};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::sync::{Arc, Mutex};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// Where the zip writer's bytes wait until they make a part.
#[derive(Clone, Default)]
struct PartBuffer(Arc<Mutex<Vec<u8>>>);

impl PartBuffer {
    fn len(&self) -> usize {
        self.0.lock().map(|bytes| bytes.len()).unwrap_or_default()
    }

    fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .map(|mut bytes| std::mem::take(&mut *bytes))
            .unwrap_or_default()
    }
}

impl Write for PartBuffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("part buffer poisoned"))?
            .extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub async fn handle(app: &App, event: Value) -> ApiResult<()> {
    let detail = &event["detail"];
    if detail["bucket"]["name"].as_str() != Some(app.config.documents_bucket.as_str()) {
        return Ok(());
    }
    let Some((tenant, id)) = detail["object"]["key"]
        .as_str()
        .and_then(archive_of_request_key)
    else {
        return Ok(());
    };
    let Some(client) = app.store.client_record(tenant).await? else {
        return Ok(());
    };
    let scope = registered_scope(&client);
    let archives = Archives::of(app.store.tenant(&scope));
    let Some(record) = archives.get(id).await? else {
        return Ok(());
    };
    if record.status != ArchiveStatus::Building {
        return Ok(());
    }
    let outcome = build(app, &scope, &record).await;
    let mut finished = record.clone();
    finished.version += 1;
    match &outcome {
        Ok(()) => {
            finished.status = ArchiveStatus::Ready;
            finished.files_done = u32::try_from(record.entries.len()).unwrap_or(u32::MAX);
            finished.bytes_done = record.bytes_total;
        }
        Err(error) => {
            tracing::error!(%error, "archive build failed");
            finished.status = ArchiveStatus::Failed;
            finished.failure = Some(match error {
                BuildError::Changed(path) => format!(
                    "\u{201c}{path}\u{201d} does not match its recorded checksum; it was left out and the download stopped"
                ),
                BuildError::Api(_) => "the download could not be prepared; try again".to_string(),
            });
        }
    }
    // The progress writes bumped nothing; the record's version is the one read above.
    let write = Archives::of(app.store.tenant(&scope)).replace(&finished, record.version)?;
    app.store.transact(vec![write], "archive changed").await?;
    match outcome {
        Err(BuildError::Api(error)) => Err(error),
        _ => Ok(()),
    }
}

#[derive(Debug)]
enum BuildError {
    /// A file's bytes differ from its version's SHA-256.
    Changed(String),
    Api(ApiError),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::Changed(path) => write!(f, "{path} changed"),
            BuildError::Api(error) => write!(f, "{error}"),
        }
    }
}

impl From<ApiError> for BuildError {
    fn from(error: ApiError) -> Self {
        BuildError::Api(error)
    }
}

fn zip_error(error: impl std::fmt::Debug) -> BuildError {
    BuildError::Api(ApiError::internal("zip", error))
}

async fn build(app: &App, scope: &TenantScope, record: &ArchiveRecord) -> Result<(), BuildError> {
    let s3 = app.s3_for(&record.object_key).await?;
    let bucket = &app.config.documents_bucket;
    let upload_id = s3
        .create_multipart_upload()
        .bucket(bucket)
        .key(&record.object_key)
        .content_type("application/zip")
        .tagging(EXPIRY_TAG)
        .send()
        .await
        .map_err(|error| ApiError::dependency("s3 create_multipart_upload", error))?
        .upload_id
        .ok_or_else(|| ApiError::internal("s3 create_multipart_upload", "no upload id"))?;
    let mut uploader = PartUploader {
        app,
        s3: &s3,
        key: &record.object_key,
        upload_id: &upload_id,
        parts: Vec::new(),
    };
    let result = write_zip(app, scope, record, &mut uploader).await;
    match result {
        Ok(()) => uploader.complete().await,
        Err(error) => {
            let _ = s3
                .abort_multipart_upload()
                .bucket(bucket)
                .key(&record.object_key)
                .upload_id(&upload_id)
                .send()
                .await;
            Err(error)
        }
    }
}

async fn write_zip(
    app: &App,
    scope: &TenantScope,
    record: &ArchiveRecord,
    uploader: &mut PartUploader<'_>,
) -> Result<(), BuildError> {
    let buffer = PartBuffer::default();
    let mut zip = ZipWriter::new_stream(buffer.clone());
    let archives = Archives::of(app.store.tenant(scope));
    let mut bytes_done = 0i64;
    let mut reported = 0i64;
    for (index, entry) in record.entries.iter().enumerate() {
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Stored)
            .large_file(entry.size >= i64::from(u32::MAX))
            .unix_permissions(0o644);
        zip.start_file(entry.path.as_str(), options)
            .map_err(zip_error)?;
        let object = uploader
            .s3
            .get_object()
            .bucket(&app.config.documents_bucket)
            .key(&entry.object_key)
            .send()
            .await
            .map_err(|error| ApiError::dependency("s3 get_object", error))?;
        let mut body = object.body;
        let mut hasher = Sha256::new();
        while let Some(chunk) = body
            .try_next()
            .await
            .map_err(|error| ApiError::dependency("s3 read", error))?
        {
            hasher.update(&chunk);
            zip.write_all(&chunk).map_err(zip_error)?;
            bytes_done = bytes_done.saturating_add(i64::try_from(chunk.len()).unwrap_or(0));
            if buffer.len() >= part_size() {
                uploader.send(buffer.take()).await?;
            }
        }
        if STANDARD.encode(hasher.finalize()) != entry.sha256 {
            return Err(BuildError::Changed(entry.path.clone()));
        }
        // Progress every 64 MB or so, and after each file, for the browser's bar.
        if bytes_done - reported >= 64 * 1024 * 1024 || index + 1 == record.entries.len() {
            reported = bytes_done;
            let files_done = u32::try_from(index + 1).unwrap_or(u32::MAX);
            if let Ok(write) = archives.progress(&record.id, files_done, bytes_done) {
                let _ = app.store.transact(vec![write], "archive changed").await;
            }
        }
    }
    zip.finish().map_err(zip_error)?;
    uploader.send(buffer.take()).await?;
    Ok(())
}

fn part_size() -> usize {
    usize::try_from(PART_SIZE).unwrap_or(usize::MAX)
}

struct PartUploader<'a> {
    app: &'a App,
    s3: &'a aws_sdk_s3::Client,
    key: &'a str,
    upload_id: &'a str,
    parts: Vec<CompletedPart>,
}

impl PartUploader<'_> {
    async fn send(&mut self, bytes: Vec<u8>) -> Result<(), BuildError> {
        if bytes.is_empty() && !self.parts.is_empty() {
            return Ok(());
        }
        let number = i32::try_from(self.parts.len() + 1).unwrap_or(i32::MAX);
        let sent = self
            .s3
            .upload_part()
            .bucket(&self.app.config.documents_bucket)
            .key(self.key)
            .upload_id(self.upload_id)
            .part_number(number)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|error| ApiError::dependency("s3 upload_part", error))?;
        self.parts.push(
            CompletedPart::builder()
                .part_number(number)
                .set_e_tag(sent.e_tag)
                .build(),
        );
        Ok(())
    }

    async fn complete(self) -> Result<(), BuildError> {
        self.s3
            .complete_multipart_upload()
            .bucket(&self.app.config.documents_bucket)
            .key(self.key)
            .upload_id(self.upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(self.parts))
                    .build(),
            )
            .send()
            .await
            .map_err(|error| ApiError::dependency("s3 complete_multipart_upload", error))?;
        Ok(())
    }
}
