//! What the table holds. Keys are added by [`super::to_item`]; these are the attributes.

use crate::principal::Role;
use serde::{Deserialize, Serialize};

/// The firm's record of a client organisation (`FIRM` / `CLIENT#<tenant>`), including how far
/// onboarding got, so a failed onboarding can be resumed without doing anything twice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientRecord {
    pub tenant_id: String,
    pub name: String,
    pub slug: String,
    pub contact_name: String,
    pub contact_email: String,
    #[serde(default)]
    pub pool_id: Option<String>,
    #[serde(default)]
    pub app_client_id: Option<String>,
    #[serde(default)]
    pub contact_sub: Option<String>,
    pub mail_state: MailState,
    /// Hash of the invitation token written for the latest send attempt.
    #[serde(default)]
    pub invite_hash: Option<String>,
    pub invitation: InvitationStatus,
    #[serde(default)]
    pub mfa_required: bool,
    pub onboarding_complete: bool,
    pub created_at: String,
    pub updated_at: String,
    pub version: u64,
}

/// Where the invitation email stands. `Sending` is written before SES is called; if the call
/// fails it goes back to `NotSent`, so a retry sends exactly once. If the record cannot be
/// updated after SES accepted the mail, `Sending` stays and a retry does not send again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailState {
    NotSent,
    Sending,
    Sent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    /// Onboarding has not sent it yet.
    Pending,
    Sent,
    Accepted,
}

/// `SLUG#<slug>`: which tenant a slug names, and where its users sign in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlugRecord {
    pub tenant_id: String,
    #[serde(default)]
    pub pool_id: Option<String>,
    #[serde(default)]
    pub app_client_id: Option<String>,
}

/// `ISSUER#<iss>`: the only issuers the authorizer trusts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerRecord {
    pub tenant_id: String,
    pub pool_id: String,
    pub app_client_id: String,
}

/// `INVITE#<sha256 of token>`: a single-use invitation. `expires_at` is the table's TTL and
/// is checked again on use, since TTL deletion can lag by days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteRecord {
    pub tenant_id: String,
    pub contact_sub: String,
    pub email: String,
    pub expires_at: i64,
    /// Epoch seconds of a claim in progress (a password being set), 0 when unclaimed.
    #[serde(default)]
    pub claimed_at: i64,
    /// An invitation into the firm's staff pool (`tenant_id` is then empty and `contact_sub`
    /// is the staff member's sub), instead of a client's.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub staff: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Invited,
    Active,
    Disabled,
}

/// A person who signs in: a client contact (`T#<tenant>` / `CONTACT#<sub>`) or a member of the
/// firm's staff (`STAFF` / `USER#<sub>`). The authorizer reads this on every request (cached
/// briefly) for roles, status and the sign-out mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRecord {
    pub sub: String,
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub status: UserStatus,
    #[serde(default)]
    pub mfa_enabled: bool,
    /// Tokens issued before this epoch second are refused (sign-out, removal).
    #[serde(default)]
    pub sessions_valid_after: i64,
    pub created_at: String,
    pub version: u64,
}

/// `T#<tenant>` / `PROFILE`: the client organisation as its own workspace shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileRecord {
    pub tenant_id: String,
    pub name: String,
    pub slug: String,
    pub created_at: String,
    pub version: u64,
}

// ---------------------------------------------------------------- documents

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
}

/// `T#<tenant>` / `DOCV#<document>#<number>`: one uploaded file, never overwritten.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionRecord {
    pub document_id: String,
    pub number: u32,
    pub object_key: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    /// Base64 of the SHA-256 the uploader declared, which S3 checked on upload.
    pub sha256: String,
    pub uploaded_by: String,
    pub status: VersionStatus,
    pub created_at: String,
    #[serde(default)]
    pub confirmed_at: Option<String>,
}
