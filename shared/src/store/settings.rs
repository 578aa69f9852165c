//! The firm's own settings and accounts, none of it tenant data: branding (`SETTINGS` /
//! `BRANDING`), logo uploads waiting for their confirm (`SETTINGS` / `LOGOUPLOAD#<id>`, TTL),
//! and the staff side of invitations and the last-admin guard (`STAFF` / …).

use super::records::UserRecord;
use super::tenant::LatestInvite;
use super::Write;
use super::{delete_tx, n, put_tx, put_versioned, to_item, update_tx, values, Item, Store};
use crate::error::ApiResult;
use crate::keys;
use crate::types::{ContentType, Sha256};
use serde::{Deserialize, Serialize};

/// `SETTINGS` / `BRANDING`: how the portal and its mail look. Absent until a firm admin first
/// saves; until then the stack's firm name and the default colours apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandingRecord {
    pub firm_name: String,
    /// `#rrggbb`, lower-case; white text on it reaches 4.5:1.
    pub primary_colour: String,
    pub accent_colour: String,
    #[serde(default)]
    pub support_email: Option<String>,
    /// `firm/branding/logo/<id>` of the confirmed logo.
    #[serde(default)]
    pub logo_key: Option<String>,
    #[serde(default)]
    pub logo_content_type: Option<ContentType>,
    pub updated_at: String,
    /// `staff:<sub>` of the last change, or empty for the defaults.
    #[serde(default)]
    pub updated_by: String,
    /// 0 for the defaults (nothing stored yet).
    pub version: u64,
}

/// `SETTINGS` / `LOGOUPLOAD#<id>`: what an admin declared when a logo upload started; the
/// confirm checks the stored object against it. Gone by TTL when never confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogoUploadRecord {
    pub id: String,
    pub object_key: String,
    pub content_type: ContentType,
    pub size: i64,
    /// Base64 SHA-256, as S3 keeps it.
    pub sha256: Sha256,
    pub started_by: String,
    pub expires_at: i64,
}

impl Store {
    pub async fn branding_record(&self) -> ApiResult<Option<BrandingRecord>> {
        self.get_record(keys::SETTINGS_PK, keys::BRANDING_SK).await
    }

    /// The branding item replacing the version read (0: nothing was stored, so it must not
    /// exist yet).
    pub fn branding_tx(&self, record: &BrandingRecord, read_version: u64) -> ApiResult<Write> {
        put_versioned(
            to_item(keys::SETTINGS_PK, keys::BRANDING_SK, record)?,
            (read_version > 0).then_some(read_version),
        )
    }

    pub async fn logo_upload(&self, id: &str) -> ApiResult<Option<LogoUploadRecord>> {
        self.get_record(keys::SETTINGS_PK, &keys::logo_upload_sk(id))
            .await
    }

    pub fn logo_upload_tx(&self, record: &LogoUploadRecord) -> ApiResult<Write> {
        let mut item: Item = to_item(keys::SETTINGS_PK, &keys::logo_upload_sk(&record.id), record)?;
        item.insert(keys::EXPIRES_AT.to_string(), n(record.expires_at));
        put_tx(item, Some("attribute_not_exists(PK)"), None)
    }

    /// Uses up a logo upload (a second confirm of the same upload fails its condition).
    pub fn use_logo_upload_tx(&self, id: &str) -> ApiResult<Write> {
        delete_tx(
            keys::SETTINGS_PK,
            &keys::logo_upload_sk(id),
            Some("attribute_exists(PK)"),
        )
    }

    /// A staff member's record: created (`None`: must not exist) or replaced at the version read.
    pub fn staff_user_tx(
        &self,
        record: &UserRecord,
        read_version: Option<u64>,
    ) -> ApiResult<Write> {
        put_versioned(
            to_item(keys::STAFF_PK, &keys::staff_sk(&record.sub), record)?,
            read_version,
        )
    }

    /// `STAFF` / `INVITEOF#<sub>`: the hash of a staff member's latest invitation link. It is
    /// there while they have not accepted (accepting deletes it), so it also tells an invited
    /// member from one who has signed in before.
    pub async fn staff_latest_invite(&self, sub: &str) -> ApiResult<Option<LatestInvite>> {
        self.get_record(keys::STAFF_PK, &keys::latest_invite_sk(sub))
            .await
    }

    pub fn staff_latest_invite_tx(&self, sub: &str, token_hash: &str) -> ApiResult<Write> {
        put_tx(
            to_item(
                keys::STAFF_PK,
                &keys::latest_invite_sk(sub),
                &LatestInvite {
                    token_hash: token_hash.to_string(),
                },
            )?,
            None,
            None,
        )
    }

    pub fn delete_staff_latest_invite_tx(&self, sub: &str) -> ApiResult<Write> {
        delete_tx(keys::STAFF_PK, &keys::latest_invite_sk(sub), None)
    }

    /// The version of the firm's last-admin guard (0 when it does not exist yet).
    pub async fn staff_guard_version(&self) -> ApiResult<u64> {
        let item = self.get(keys::STAFF_PK, keys::STAFF_ADMIN_GUARD_SK).await?;
        Ok(item
            .as_ref()
            .and_then(|item| item.get("guard")?.as_n().ok()?.parse().ok())
            .unwrap_or(0))
    }

    /// Moves the guard from the version read, so of two changes that each take an admin away
    /// at the same moment the second fails its condition.
    pub fn staff_guard_tx(&self, read_version: u64) -> ApiResult<Write> {
        let condition = if read_version == 0 {
            "attribute_not_exists(PK)"
        } else {
            "guard = :read"
        };
        let mut pairs = vec![(":next", n(read_version + 1))];
        if read_version > 0 {
            pairs.push((":read", n(read_version)));
        }
        update_tx(
            keys::STAFF_PK,
            keys::STAFF_ADMIN_GUARD_SK,
            "SET guard = :next",
            Some(condition),
            values(&pairs),
        )
    }

    /// Every staff user (to tell the firm about a client's message).
    pub async fn staff_users(&self) -> ApiResult<Vec<UserRecord>> {
        self.query_all(keys::STAFF_PK, "USER#", true).await
    }
}
