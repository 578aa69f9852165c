//! Document requests, documents and their versions: `T#<tenant>` / `REQ#<id>`, `DOC#<id>` and
//! `DOCV#<document>#<number>`; objects under `tenants/<tenant>/documents/`. Requests are also in
//! two of the firm's indexes across clients: waiting for the client by due date (GSI1, for the
//! reminders) and by status (GSI2, for the firm's lists).

use atrium_shared::principal::TenantScope;
use atrium_shared::store::{
    attribute, n, s, AttributeValue, Page, SortRange, Store, TenantStore, Write,
};
use atrium_shared::types::{ContentType, Sha256};
use atrium_shared::{keys, ApiResult};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Waiting for the client's upload.
    Outstanding,
    /// Uploaded, waiting for the firm's review.
    Submitted,
    Accepted,
    /// The firm asked for another upload (the reason is on the request).
    Rejected,
    Cancelled,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Outstanding => "outstanding",
            RequestStatus::Submitted => "submitted",
            RequestStatus::Accepted => "accepted",
            RequestStatus::Rejected => "rejected",
            RequestStatus::Cancelled => "cancelled",
        }
    }

    /// Waiting for the client: reminders apply and uploads are accepted.
    pub fn awaits_client(self) -> bool {
        matches!(self, RequestStatus::Outstanding | RequestStatus::Rejected)
    }
}

/// `T#<tenant>` / `REQ#<id>`: "please send us …, by …".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRecord {
    pub id: String,
    pub tenant_id: String,
    pub title: String,
    pub instructions: String,
    /// `YYYY-MM-DD`, the client's deadline.
    pub due_date: String,
    #[serde(default)]
    pub project_id: Option<String>,
    /// Requests made together as one checklist share a group.
    #[serde(default)]
    pub group_id: Option<String>,
    #[serde(default)]
    pub group_title: Option<String>,
    pub status: RequestStatus,
    #[serde(default)]
    pub rejection_reason: Option<String>,
    /// The document that holds this request's uploads, once there is one.
    #[serde(default)]
    pub document_id: Option<String>,
    /// The staff member who asked, told by mail when the client submits.
    pub owner_sub: String,
    pub owner_email: String,
    /// Reminder stages already mailed (`due-3`, `due-1`, `overdue`), so no stage is sent twice.
    #[serde(default)]
    pub reminders_sent: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentOrigin {
    /// Uploaded by the client for a request.
    Client,
    /// Shared by the firm (a deliverable, a report, a contract).
    Firm,
}

/// `T#<tenant>` / `DOC#<id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRecord {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub origin: DocumentOrigin,
    #[serde(default)]
    pub request_id: Option<String>,
    /// The newest confirmed version (0 while none is).
    pub latest_version: u32,
    /// The last version number handed out for an upload; numbers are never reused.
    pub allocated_versions: u32,
    /// Invoice PDFs and other billing papers: only the firm, the client's admins and its
    /// billing contacts see these (not in lists, not by id).
    #[serde(default)]
    pub billing_only: bool,
    pub created_at: String,
    pub updated_at: String,
    pub version: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionStatus {
    /// An upload URL was issued; nothing is recorded until the upload is confirmed.
    Pending,
    Confirmed,
    /// The uploader cancelled (or the upload was abandoned); its parts were discarded.
    Aborted,
}

/// What the malware gate (GuardDuty Malware Protection for S3, `atrium-files`'s scan-result
/// handler) said about a version's object. Only a clean version is ever served.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanState {
    /// Uploaded; the scan has not answered yet.
    BeingChecked,
    /// No threats found. Also what versions recorded before the gate existed read as.
    #[default]
    Clean,
    /// Threats found: kept (evidence), never served.
    Quarantined,
    /// The scanner could not check it (unsupported, access denied, failed): not served.
    Unscannable,
}

impl ScanState {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanState::BeingChecked => "being_checked",
            ScanState::Clean => "clean",
            ScanState::Quarantined => "quarantined",
            ScanState::Unscannable => "unscannable",
        }
    }
}

/// A version uploaded in parts: S3's multipart upload and how the file is cut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultipartUpload {
    pub upload_id: String,
    pub part_size: i64,
    pub part_count: u32,
}

/// `T#<tenant>` / `DOCV#<document>#<number>`: one uploaded file, never overwritten.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionRecord {
    pub document_id: String,
    pub number: u32,
    pub object_key: String,
    pub file_name: String,
    pub content_type: ContentType,
    pub size: i64,
    /// Base64 of the SHA-256 the uploader declared, which S3 checked on upload.
    pub sha256: Sha256,
    pub uploaded_by: String,
    pub status: VersionStatus,
    pub created_at: String,
    #[serde(default)]
    pub confirmed_at: Option<String>,
    #[serde(default)]
    pub scan: ScanState,
    #[serde(default)]
    pub scanned_at: Option<String>,
    /// Set when the file is uploaded in parts (larger than one part).
    #[serde(default)]
    pub multipart: Option<MultipartUpload>,
    /// S3's own checksum of the stored object: the SHA-256 for a single PUT, the SHA-256 of the
    /// parts' SHA-256s with `-<parts>` for a multipart upload.
    #[serde(default)]
    pub object_checksum: Option<String>,
}

impl VersionRecord {
    /// Whether the version may be served (downloaded, previewed, archived, signed): confirmed
    /// and clean. Otherwise the reason, for a 409.
    pub fn servable(&self) -> Result<(), &'static str> {
        if self.status != VersionStatus::Confirmed {
            return Err("this version has not been uploaded completely");
        }
        match self.scan {
            ScanState::Clean => Ok(()),
            ScanState::BeingChecked => {
                Err("this file is being checked for malware; it can be opened once the check is done")
            }
            ScanState::Quarantined => Err(
                "this file was quarantined: the malware scan found a threat, so it is never served",
            ),
            ScanState::Unscannable => {
                Err("this file could not be checked for malware, so it is not served; ask for another copy")
            }
        }
    }
}

pub const REQUEST_PREFIX: &str = "REQ#";

pub fn request_sk(id: &str) -> String {
    format!("{REQUEST_PREFIX}{id}")
}

pub const DOCUMENT_PREFIX: &str = "DOC#";

pub fn document_sk(id: &str) -> String {
    format!("{DOCUMENT_PREFIX}{id}")
}

/// Versions sort in order: the number is zero-padded.
pub fn version_sk(document_id: &str, number: u32) -> String {
    format!("DOCV#{document_id}#{number:06}")
}

pub fn versions_prefix(document_id: &str) -> String {
    format!("DOCV#{document_id}#")
}

/// Sparse index of requests still waiting for the client (outstanding or rejected), for the
/// reminders: one partition, sorted by due date, so a day's work is one range query.
pub const DUE_PARTITION: &str = "DUE";

pub fn due_sort_key(due_date: &str, tenant_id: &str, request_id: &str) -> String {
    format!("{due_date}#{tenant_id}#{request_id}")
}

/// Requests by status across all clients (GSI2), for the firm's lists.
pub fn status_partition(status: &str) -> String {
    format!("REQSTATUS#{status}")
}

/// S3 keys hold nothing a user typed: only ids the server made.
pub fn object_key(scope: &TenantScope, document_id: &str, number: u32) -> String {
    format!(
        "tenants/{}/documents/{document_id}/v{number}",
        scope.tenant_id()
    )
}

/// A tenant's document requests.
pub struct Requests<'a>(TenantStore<'a>);

impl<'a> Requests<'a> {
    pub fn of(tenant: TenantStore<'a>) -> Self {
        Self(tenant)
    }

    pub async fn get(&self, id: &str) -> ApiResult<Option<RequestRecord>> {
        self.0.get(&request_sk(id)).await
    }

    /// The tenant's requests, newest first (ids are ULIDs).
    pub async fn page(&self, limit: i32, cursor: Option<&str>) -> ApiResult<Page<RequestRecord>> {
        self.0.page(REQUEST_PREFIX, limit, cursor, true).await
    }

    pub fn create(&self, record: &RequestRecord) -> ApiResult<Write> {
        self.save(record, None)
    }

    /// Replaces a request read at `read_version` (the record carries the next version).
    pub fn replace(&self, record: &RequestRecord, read_version: u64) -> ApiResult<Write> {
        self.save(record, Some(read_version))
    }

    /// A request's index keys follow its status: it is in the reminders index (GSI1) only while
    /// it waits for the client, and in the status index (GSI2) under its status. A whole-item
    /// put therefore adds and removes index entries with no separate step.
    fn save(&self, record: &RequestRecord, read_version: Option<u64>) -> ApiResult<Write> {
        let order = due_sort_key(&record.due_date, self.0.scope().tenant_id(), &record.id);
        let mut index: Vec<(&str, AttributeValue)> = vec![
            (keys::GSI2PK, s(status_partition(record.status.as_str()))),
            (keys::GSI2SK, s(&order)),
        ];
        if record.status.awaits_client() {
            index.push((keys::GSI1PK, s(DUE_PARTITION)));
            index.push((keys::GSI1SK, s(&order)));
        }
        self.0
            .save_indexed(&request_sk(&record.id), record, read_version, &index)
    }
}

/// Requests of every client in one status (GSI2), by due date, each with its tenant's scope.
pub async fn requests_in_status(
    store: &Store,
    status: RequestStatus,
    limit: i32,
    cursor: Option<&str>,
) -> ApiResult<Page<(TenantScope, RequestRecord)>> {
    store
        .query_index_in_tenants(
            "GSI2",
            keys::GSI2PK,
            keys::GSI2SK,
            &status_partition(status.as_str()),
            None,
            limit,
            cursor,
        )
        .await
}

/// Requests waiting for clients and due on or before `last_day` (GSI1), by due date, each with
/// its tenant's scope.
pub async fn requests_due_by(
    store: &Store,
    last_day: &str,
    limit: i32,
    cursor: Option<&str>,
) -> ApiResult<Page<(TenantScope, RequestRecord)>> {
    // `~` sorts after every character a key holds, so the whole last day is included.
    store
        .query_index_in_tenants(
            "GSI1",
            keys::GSI1PK,
            keys::GSI1SK,
            DUE_PARTITION,
            Some(SortRange::AtMost(format!("{last_day}~"))),
            limit,
            cursor,
        )
        .await
}

/// A tenant's documents and their versions.
pub struct Documents<'a>(TenantStore<'a>);

impl<'a> Documents<'a> {
    pub fn of(tenant: TenantStore<'a>) -> Self {
        Self(tenant)
    }

    pub async fn get(&self, id: &str) -> ApiResult<Option<DocumentRecord>> {
        self.0.get(&document_sk(id)).await
    }

    /// A new document (`read_version` none) or one read at `read_version`.
    pub fn save(&self, record: &DocumentRecord, read_version: Option<u64>) -> ApiResult<Write> {
        match read_version {
            None => self.0.create(&document_sk(&record.id), record),
            Some(read) => self.0.replace(&document_sk(&record.id), record, read),
        }
    }

    /// The tenant's documents, newest first.
    pub async fn page(&self, limit: i32, cursor: Option<&str>) -> ApiResult<Page<DocumentRecord>> {
        self.0.page(DOCUMENT_PREFIX, limit, cursor, true).await
    }

    pub async fn version(
        &self,
        document_id: &str,
        number: u32,
    ) -> ApiResult<Option<VersionRecord>> {
        self.0.get(&version_sk(document_id, number)).await
    }

    /// A new version (`expected` none), or the version moved from the status `expected`.
    pub fn save_version(
        &self,
        record: &VersionRecord,
        expected: Option<VersionStatus>,
    ) -> ApiResult<Write> {
        let sk = version_sk(&record.document_id, record.number);
        match expected {
            None => self.0.create(&sk, record),
            Some(status) => Ok(self
                .0
                .put(
                    &sk,
                    record,
                    Some("#status = :expected"),
                    &[(":expected", attribute(&status)?)],
                )?
                .with_names(&[("#status", "status")])),
        }
    }

    /// Records the scanner's verdict on a version, whatever its upload status (the scan may
    /// answer before or after the confirmation). Only the scan fields change, so a confirm
    /// racing with it loses nothing.
    pub fn record_scan(&self, read: &VersionRecord, scan: ScanState, at: &str) -> ApiResult<Write> {
        Ok(self
            .0
            .update(
                &version_sk(&read.document_id, read.number),
                "SET #scan = :scan, scanned_at = :at",
                // The upload's status as read: a confirm that lands meanwhile (and may have
                // submitted a request the verdict has to reopen) makes this a conflict.
                Some("attribute_exists(document_id) AND #status = :read_status"),
                &[
                    (":scan", attribute(&scan)?),
                    (":at", s(at)),
                    (":read_status", attribute(&read.status)?),
                ],
            )?
            .with_names(&[("#scan", "scan"), ("#status", "status")]))
    }

    /// Moves a pending version to `status` (confirmed or aborted), setting only the upload's
    /// fields: the scan's verdict, which may already be there, is kept.
    pub fn finish_version(
        &self,
        record: &VersionRecord,
        status: VersionStatus,
    ) -> ApiResult<Write> {
        Ok(self
            .0
            .update(
                &version_sk(&record.document_id, record.number),
                "SET #status = :status, confirmed_at = :at, object_checksum = :checksum",
                // The scan's verdict as read: one that lands meanwhile makes this a conflict.
                Some("#status = :pending AND (#scan = :scan OR attribute_not_exists(#scan))"),
                &[
                    (":status", attribute(&status)?),
                    (":pending", attribute(&VersionStatus::Pending)?),
                    (":scan", attribute(&record.scan)?),
                    (
                        ":at",
                        match &record.confirmed_at {
                            Some(at) => s(at),
                            None => AttributeValue::Null(true),
                        },
                    ),
                    (
                        ":checksum",
                        match &record.object_checksum {
                            Some(sum) => s(sum),
                            None => AttributeValue::Null(true),
                        },
                    ),
                ],
            )?
            .with_names(&[("#status", "status"), ("#scan", "scan")]))
    }

    /// Confirmed versions of a document, oldest first (pending uploads are left out).
    pub async fn versions(&self, document_id: &str) -> ApiResult<Vec<VersionRecord>> {
        let all: Vec<VersionRecord> = self.0.all(&versions_prefix(document_id), false).await?;
        Ok(all
            .into_iter()
            .filter(|version| version.status == VersionStatus::Confirmed)
            .collect())
    }

    /// Marks a document as billing-only, from the version the caller read.
    pub fn restrict_to_billing(&self, document_id: &str, read_version: u64) -> ApiResult<Write> {
        self.0.update(
            &document_sk(document_id),
            "SET billing_only = :yes, version = :next",
            Some("version = :read"),
            &[
                (":yes", AttributeValue::Bool(true)),
                (":next", n(read_version + 1)),
                (":read", n(read_version)),
            ],
        )
    }
}
