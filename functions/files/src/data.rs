//! "Download all" archives: `T#<tenant>` / `ARCHIVE#<id>`, the files chosen when it was asked
//! for and how far the build got; the zip itself at `tenants/<tenant>/archives/<id>.zip`, made
//! by `archive_build` when S3 reports the request object `…/<id>.archive-request`.

use atrium_shared::principal::TenantScope;
use atrium_shared::store::{n, AttributeValue, TenantStore, Write};
use atrium_shared::ApiResult;
use serde::{Deserialize, Serialize};

pub const ARCHIVE_PREFIX: &str = "ARCHIVE#";
/// The suffix of the object whose creation starts a build (the EventBridge rule's filter).
pub const REQUEST_SUFFIX: &str = ".archive-request";
/// Archives and their request objects carry this tag; the bucket's lifecycle rule deletes
/// tagged objects a day later.
pub const EXPIRY_TAG: &str = "atrium-expires=1d";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArchiveStatus {
    Building,
    Ready,
    Failed,
}

/// One file of an archive: the version, and its path inside the zip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveEntry {
    pub document_id: String,
    pub number: u32,
    pub path: String,
    pub object_key: String,
    pub size: i64,
    /// The version's SHA-256 (base64); the build checks the bytes it copies against it.
    pub sha256: String,
}

/// A document left out, and why (not clean yet, quarantined, nothing uploaded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub document_id: String,
    pub name: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveRecord {
    pub id: String,
    pub tenant_id: String,
    /// Only the person who asked may fetch it (`Principal::actor_label`).
    pub requested_by: String,
    pub status: ArchiveStatus,
    pub entries: Vec<ArchiveEntry>,
    pub skipped: Vec<Skipped>,
    pub bytes_total: i64,
    #[serde(default)]
    pub files_done: u32,
    #[serde(default)]
    pub bytes_done: i64,
    pub object_key: String,
    pub file_name: String,
    #[serde(default)]
    pub failure: Option<String>,
    pub created_at: String,
    pub version: u64,
}

pub fn archive_sk(id: &str) -> String {
    format!("{ARCHIVE_PREFIX}{id}")
}

pub fn zip_key(scope: &TenantScope, id: &str) -> String {
    format!("tenants/{}/archives/{id}.zip", scope.tenant_id())
}

pub fn request_key(scope: &TenantScope, id: &str) -> String {
    format!(
        "tenants/{}/archives/{id}{REQUEST_SUFFIX}",
        scope.tenant_id()
    )
}

/// The tenant and archive a request object's key names.
pub fn archive_of_request_key(key: &str) -> Option<(&str, &str)> {
    let rest = key.strip_prefix("tenants/")?;
    let (tenant, rest) = rest.split_once('/')?;
    let id = rest
        .strip_prefix("archives/")?
        .strip_suffix(REQUEST_SUFFIX)?;
    if tenant.is_empty() || id.is_empty() || id.contains('/') {
        return None;
    }
    Some((tenant, id))
}

pub struct Archives<'a>(TenantStore<'a>);

impl<'a> Archives<'a> {
    pub fn of(tenant: TenantStore<'a>) -> Self {
        Self(tenant)
    }

    pub async fn get(&self, id: &str) -> ApiResult<Option<ArchiveRecord>> {
        self.0.get(&archive_sk(id)).await
    }

    pub fn create(&self, record: &ArchiveRecord) -> ApiResult<Write> {
        self.0.create(&archive_sk(&record.id), record)
    }

    pub fn replace(&self, record: &ArchiveRecord, read_version: u64) -> ApiResult<Write> {
        self.0
            .replace(&archive_sk(&record.id), record, read_version)
    }

    /// How far a build is, while it is building.
    pub fn progress(&self, id: &str, files_done: u32, bytes_done: i64) -> ApiResult<Write> {
        self.0
            .update(
                &archive_sk(id),
                "SET files_done = :files, bytes_done = :bytes",
                Some("#status = :building"),
                &[
                    (":files", n(files_done)),
                    (":bytes", n(bytes_done)),
                    (":building", AttributeValue::S("building".to_string())),
                ],
            )
            .map(|write| write.with_names(&[("#status", "status")]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_keys_name_their_archive() {
        assert_eq!(
            archive_of_request_key("tenants/T1/archives/A1.archive-request"),
            Some(("T1", "A1"))
        );
        assert_eq!(archive_of_request_key("tenants/T1/archives/A1.zip"), None);
        assert_eq!(archive_of_request_key("tenants/T1/documents/D/v1"), None);
        assert_eq!(
            archive_of_request_key("tenants//archives/A1.archive-request"),
            None
        );
    }
}
