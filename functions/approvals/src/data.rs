//! The approvals' data: their records and keys, read and written through the tenant's part of
//! the table (tenant data only: `T#<tenant>` / `APPR#<id>` and `CONSENT#<sub>#<version>`).

use atrium_shared::store::{attribute, TenantStore, Write};
use atrium_shared::types::Sha256;
use atrium_shared::ApiResult;
use serde::{Deserialize, Serialize};

/// What is to be approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ApprovalSubject {
    /// One exact version of a document, pinned by its SHA-256 (base64, as S3 keeps it).
    DocumentVersion {
        document_id: String,
        number: u32,
        file_name: String,
        sha256: Sha256,
    },
    Milestone {
        project_id: String,
        milestone_id: String,
        title: String,
    },
    /// A plain statement, e.g. "the scope of work is confirmed".
    Statement { text: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStatus {
    Pending,
    Approved,
    Rejected,
    ChangesRequested,
}

/// Who decided, when and from where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub status: ApprovalStatus,
    pub comment: String,
    pub by_sub: String,
    pub by_email: String,
    pub at: String,
    pub ip: String,
    pub user_agent: String,
}

/// An electronic signature: the typed name and the consent it was given under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    pub typed_name: String,
    pub consent_version: String,
    pub consent_at: String,
}

/// `T#<tenant>` / `APPR#<id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRecord {
    pub id: String,
    pub tenant_id: String,
    pub title: String,
    pub subject: ApprovalSubject,
    pub signature_required: bool,
    #[serde(default)]
    pub terms: Option<String>,
    pub status: ApprovalStatus,
    #[serde(default)]
    pub decision: Option<Decision>,
    #[serde(default)]
    pub signature: Option<Signature>,
    pub requested_by_email: String,
    pub created_at: String,
    pub updated_at: String,
    pub version: u64,
}

/// `T#<tenant>` / `CONSENT#<sub>#<version>`: a contact's consent to sign electronically, given
/// once per version of the consent text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    pub sub: String,
    pub email: String,
    pub consent_version: String,
    pub consent_text: String,
    pub at: String,
    pub ip: String,
    pub user_agent: String,
}

pub const APPROVAL_PREFIX: &str = "APPR#";

pub fn approval_sk(id: &str) -> String {
    format!("{APPROVAL_PREFIX}{id}")
}

/// One consent per contact and version of the consent text.
pub fn consent_sk(sub: &str, version: &str) -> String {
    format!("CONSENT#{sub}#{version}")
}

/// A tenant's approvals and consents.
pub struct Approvals<'a>(TenantStore<'a>);

impl<'a> Approvals<'a> {
    pub fn of(tenant: TenantStore<'a>) -> Self {
        Self(tenant)
    }

    pub fn tenant(&self) -> &TenantStore<'a> {
        &self.0
    }

    pub async fn get(&self, id: &str) -> ApiResult<Option<ApprovalRecord>> {
        self.0.get(&approval_sk(id)).await
    }

    /// Every approval of the tenant, newest first.
    pub async fn all(&self) -> ApiResult<Vec<ApprovalRecord>> {
        self.0.all(APPROVAL_PREFIX, true).await
    }

    pub fn create(&self, record: &ApprovalRecord) -> ApiResult<Write> {
        self.0.create(&approval_sk(&record.id), record)
    }

    /// The decided approval, written only if it is still pending: of two decisions racing,
    /// exactly one wins.
    pub fn decide(&self, record: &ApprovalRecord) -> ApiResult<Write> {
        let pending = attribute(&ApprovalStatus::Pending)?;
        Ok(self
            .0
            .put(
                &approval_sk(&record.id),
                record,
                Some("#status = :pending"),
                &[(":pending", pending)],
            )?
            .with_names(&[("#status", "status")]))
    }

    pub async fn consent(&self, sub: &str, version: &str) -> ApiResult<Option<ConsentRecord>> {
        self.0.get(&consent_sk(sub, version)).await
    }

    /// A consent, recorded once: a second write of the same version keeps the first.
    pub fn record_consent(&self, record: &ConsentRecord) -> ApiResult<Write> {
        self.0
            .create(&consent_sk(&record.sub, &record.consent_version), record)
    }
}
