//! What the API answers about requests, documents and versions.

use crate::data::{
    DocumentOrigin, DocumentRecord, RequestRecord, RequestStatus, ScanState, VersionRecord,
    VersionStatus,
};
use atrium_shared::dates::today;
use atrium_shared::types::{ContentType, Sha256};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct RequestView {
    pub id: String,
    pub client_id: String,
    pub title: String,
    pub instructions: String,
    pub due_date: String,
    pub status: RequestStatus,
    /// Waiting for the client and past its due date.
    pub overdue: bool,
    pub rejection_reason: Option<String>,
    pub document_id: Option<String>,
    pub project_id: Option<String>,
    pub group_id: Option<String>,
    pub group_title: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: u64,
}

pub fn is_overdue(record: &RequestRecord) -> bool {
    record.status.awaits_client() && record.due_date < today()
}

impl From<RequestRecord> for RequestView {
    fn from(record: RequestRecord) -> Self {
        Self {
            overdue: is_overdue(&record),
            id: record.id,
            client_id: record.tenant_id,
            title: record.title,
            instructions: record.instructions,
            due_date: record.due_date,
            status: record.status,
            rejection_reason: record.rejection_reason,
            document_id: record.document_id,
            project_id: record.project_id,
            group_id: record.group_id,
            group_title: record.group_title,
            created_at: record.created_at,
            updated_at: record.updated_at,
            version: record.version,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct DocumentView {
    pub id: String,
    pub client_id: String,
    pub name: String,
    pub origin: DocumentOrigin,
    pub request_id: Option<String>,
    pub latest_version: u32,
    pub billing_only: bool,
    pub created_at: String,
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versions: Option<Vec<VersionView>>,
}

impl From<DocumentRecord> for DocumentView {
    fn from(record: DocumentRecord) -> Self {
        Self {
            id: record.id,
            client_id: record.tenant_id,
            name: record.name,
            origin: record.origin,
            request_id: record.request_id,
            latest_version: record.latest_version,
            billing_only: record.billing_only,
            created_at: record.created_at,
            updated_at: record.updated_at,
            versions: None,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct VersionView {
    pub number: u32,
    pub file_name: String,
    pub content_type: ContentType,
    pub size: i64,
    pub sha256: Sha256,
    pub uploaded_by: String,
    pub uploaded_at: String,
    pub status: VersionStatus,
    /// The malware gate's verdict; only `clean` versions are served.
    pub scan: ScanState,
    pub object_checksum: Option<String>,
}

impl From<VersionRecord> for VersionView {
    fn from(record: VersionRecord) -> Self {
        Self {
            number: record.number,
            file_name: record.file_name,
            content_type: record.content_type,
            size: record.size,
            sha256: record.sha256,
            uploaded_by: record.uploaded_by,
            uploaded_at: record.confirmed_at.unwrap_or(record.created_at),
            status: record.status,
            scan: record.scan,
            object_checksum: record.object_checksum,
        }
    }
}
