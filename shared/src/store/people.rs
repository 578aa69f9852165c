//! The person index: who a person is across the portal, by their email. One item per
//! membership, `PERSON#<email, lower-cased>` / `ORG#<tenant>` (a contact of that client, with
//! their `sub` in its pool) or `PERSON#…` / `STAFF` (the firm's staff). Sign-in, "forgot
//! password" and the organisation chooser read it with one `Query`.
//!
//! An item is written in the same transaction as the contact or staff record it points to, so
//! the index never names a membership without a record. It only says where to try: each pool
//! still checks the password, and a disabled or invited record never gets a session. That is
//! also why a tenant's own session may write `PERSON#` items (a shared prefix,
//! [`crate::tenancy::SHARED_PREFIXES`]): an entry naming a pool gives nothing without that
//! pool's password and an active record in that tenant.

use super::{from_item, put_tx, s, to_item, Store, Write};
use crate::error::{ApiError, ApiResult};
use crate::keys;
use serde::{Deserialize, Serialize};

/// `staff`, the firm's side, as an organisation id next to the clients' tenant ids.
pub const STAFF_ORGANISATION: &str = "staff";

/// How far the person index backfill has come (`PEOPLEINDEX` / `BACKFILL`).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackfillProgress {
    /// The clients list's cursor after the last page done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    #[serde(default)]
    pub done: bool,
    #[serde(default)]
    pub memberships: u64,
}

const BACKFILL_PK: &str = "PEOPLEINDEX";
const BACKFILL_SK: &str = "BACKFILL";

/// One place a person can sign in to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    /// The client's tenant id, or `None` for the firm's staff.
    #[serde(default)]
    pub tenant_id: Option<String>,
    /// The person's `sub` in that pool.
    pub sub: String,
    pub email: String,
}

impl Membership {
    pub fn contact(tenant_id: &str, sub: &str, email: &str) -> Self {
        Self {
            tenant_id: Some(tenant_id.to_string()),
            sub: sub.to_string(),
            email: email.to_string(),
        }
    }

    pub fn staff(sub: &str, email: &str) -> Self {
        Self {
            tenant_id: None,
            sub: sub.to_string(),
            email: email.to_string(),
        }
    }

    /// The organisation's id as the API names it: the tenant id, or `staff`.
    pub fn organisation(&self) -> &str {
        self.tenant_id.as_deref().unwrap_or(STAFF_ORGANISATION)
    }

    fn sort_key(&self) -> String {
        match &self.tenant_id {
            Some(tenant_id) => keys::person_org_sk(tenant_id),
            None => keys::PERSON_STAFF_SK.to_string(),
        }
    }
}

/// The person index's key for an email: trimmed and lower-cased, as Cognito compares them.
pub fn person_key(email: &str) -> String {
    keys::person_pk(&email.trim().to_lowercase())
}

impl Store {
    /// Adds (or replaces, for a contact invited again) one membership: a write for the same
    /// transaction as the contact's or staff member's record.
    pub fn membership_tx(&self, membership: &Membership) -> ApiResult<Write> {
        put_tx(
            to_item(
                &person_key(&membership.email),
                &membership.sort_key(),
                membership,
            )?,
            None,
            None,
        )
    }

    /// Every membership of a person, staff first, then clients by tenant id. Unknown emails
    /// have none.
    pub async fn memberships(&self, email: &str) -> ApiResult<Vec<Membership>> {
        let mut found = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .dynamo
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk")
                .expression_attribute_values(":pk", s(person_key(email)))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|error| ApiError::dependency("dynamodb query", error))?;
            for item in output.items.unwrap_or_default() {
                found.push(from_item::<Membership>(item)?);
            }
            start = output.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        found.sort_by(|a, b| a.tenant_id.cmp(&b.tenant_id));
        Ok(found)
    }

    pub async fn backfill_progress(&self) -> ApiResult<BackfillProgress> {
        Ok(self
            .get_record(BACKFILL_PK, BACKFILL_SK)
            .await?
            .unwrap_or_default())
    }

    /// Replaced after each page, unconditionally: one scheduled run works at a time (the
    /// schedule's period is longer than the function's timeout).
    pub async fn save_backfill_progress(&self, progress: &BackfillProgress) -> ApiResult<()> {
        let item = put_tx(to_item(BACKFILL_PK, BACKFILL_SK, progress)?, None, None)?;
        self.transact(vec![item], "backfill progress").await
    }

    /// Writes one membership outside a transaction (the first admin's first sign-in, the
    /// demo seed).
    pub async fn put_membership(&self, membership: &Membership) -> ApiResult<()> {
        self.transact(vec![self.membership_tx(membership)?], "membership exists")
            .await
    }
}
