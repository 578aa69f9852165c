//! Tenant data. Every method takes the [`TenantScope`] its keys are built from.

use super::records::*;
use super::Write;
use super::{from_item, n, put_tx, s, to_item, update_tx, values, Page, Store, TransactFailure};
use crate::audit::AuditEntry;
use crate::error::{ApiError, ApiResult};
use crate::http::RequestMeta;
use crate::keys;
use crate::principal::{Kind, Principal, TenantScope};
use aws_sdk_dynamodb::types::KeysAndAttributes;
use std::collections::HashMap;

/// How often a change is chained again onto a trail whose head moved before giving up (409).
const AUDIT_ATTEMPTS: u64 = 30;

/// Narrows an audit listing: an exact action, and a target prefix (`document/01J…`).
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub target: Option<String>,
}

/// How many reads one filtered page of the audit trail may take.
const MAX_FILTERED_READS: usize = 10;

impl Store {
    pub async fn profile(&self, scope: &TenantScope) -> ApiResult<Option<ProfileRecord>> {
        self.get_record(&keys::tenant_pk(scope), keys::PROFILE_SK)
            .await
    }

    pub fn profile_tx(&self, scope: &TenantScope, record: &ProfileRecord) -> ApiResult<Write> {
        put_tx(
            to_item(&keys::tenant_pk(scope), keys::PROFILE_SK, record)?,
            Some("attribute_not_exists(PK)"),
            None,
        )
    }

    pub async fn contact(&self, scope: &TenantScope, sub: &str) -> ApiResult<Option<UserRecord>> {
        self.get_record(&keys::tenant_pk(scope), &keys::contact_sk(sub))
            .await
    }

    pub fn contact_tx(&self, scope: &TenantScope, record: &UserRecord) -> ApiResult<Write> {
        put_tx(
            to_item(
                &keys::tenant_pk(scope),
                &keys::contact_sk(&record.sub),
                record,
            )?,
            Some("attribute_not_exists(PK)"),
            None,
        )
    }

    /// Writes `items` and `entries` (all of one tenant) in one transaction, chaining the entries
    /// onto the tenant's audit trail. The trail's head is read first and moved with a condition;
    /// when only the head moved meanwhile (another change of the same tenant), the entries are
    /// chained again and the transaction retried. A failed condition of the caller's own items
    /// is a 409 with `conflict_message`.
    pub async fn transact_audited(
        &self,
        items: Vec<Write>,
        scope: &TenantScope,
        entries: Vec<AuditEntry>,
        conflict_message: &str,
    ) -> ApiResult<()> {
        self.transact_chained(&keys::tenant_pk(scope), items, entries, conflict_message)
            .await
    }

    /// As [`Store::transact_audited`], onto the firm's own trail (`FIRMAUDIT`): changes that
    /// belong to no client (branding, staff accounts). `items` must be firm-level too.
    pub async fn transact_firm_audited(
        &self,
        items: Vec<Write>,
        entries: Vec<AuditEntry>,
        conflict_message: &str,
    ) -> ApiResult<()> {
        self.transact_chained(keys::FIRM_AUDIT_PK, items, entries, conflict_message)
            .await
    }

    /// A page of the firm's own trail, in order.
    pub async fn firm_audit_entries(
        &self,
        limit: i32,
        cursor: Option<&str>,
    ) -> ApiResult<Page<AuditEntry>> {
        let mut query = self
            .dynamo
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
            .expression_attribute_values(":pk", s(keys::FIRM_AUDIT_PK))
            .expression_attribute_values(":prefix", s(keys::AUDIT_PREFIX))
            .limit(limit);
        if let Some(cursor) = cursor {
            query = query
                .exclusive_start_key(keys::PK, s(keys::FIRM_AUDIT_PK))
                .exclusive_start_key(
                    keys::SK,
                    s(super::decode_cursor(cursor, keys::AUDIT_PREFIX)?),
                );
        }
        let output = query
            .send()
            .await
            .map_err(|error| ApiError::dependency("dynamodb query firm audit", error))?;
        Ok(Page {
            next_cursor: super::encode_cursor(output.last_evaluated_key.as_ref()),
            items: output
                .items
                .unwrap_or_default()
                .into_iter()
                .map(from_item)
                .collect::<ApiResult<Vec<_>>>()?,
        })
    }

    async fn transact_chained(
        &self,
        pk: &str,
        items: Vec<Write>,
        entries: Vec<AuditEntry>,
        conflict_message: &str,
    ) -> ApiResult<()> {
        for attempt in 0..AUDIT_ATTEMPTS {
            if attempt > 0 {
                // Writers of one tenant met at the trail's head: back off a random while, growing.
                let most = (10 * attempt).min(200);
                let wait = rand::Rng::gen_range(&mut rand::thread_rng(), 1..=most);
                tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
            }
            let (head_seq, head_hash) = self.chain_head(pk).await?;
            let mut seq = head_seq;
            let mut previous = head_hash;
            let mut all = items.clone();
            let own_items = all.len();
            let mut chained = Vec::with_capacity(entries.len());
            for entry in &entries {
                let mut entry = entry.clone();
                seq += 1;
                entry.chain(seq, &previous);
                previous = entry.hash.clone();
                chained.push(entry);
            }
            let condition = if head_seq == 0 {
                "attribute_not_exists(PK)"
            } else {
                "seq = :read_seq"
            };
            let mut head_values = values(&[(":seq", n(seq)), (":hash", s(&previous))]);
            if head_seq > 0 {
                head_values.insert(":read_seq".to_string(), n(head_seq));
            }
            all.push(
                update_tx(
                    pk,
                    keys::AUDIT_HEAD_SK,
                    "SET seq = :seq, #hash = :hash",
                    Some(condition),
                    head_values,
                )
                .map(|item| item.with_names(&[("#hash", "hash")]))?,
            );
            for entry in &chained {
                all.push(put_tx(
                    to_item(pk, &keys::audit_sk(entry.seq), entry)?,
                    Some("attribute_not_exists(PK)"),
                    None,
                )?);
            }
            match self.transact_detailed(all).await {
                Ok(()) => return Ok(()),
                Err(TransactFailure::Contention) => {
                    // Another writer held one of the items (the trail's head, most likely): the
                    // same write is simply tried again on the next round.
                }
                Err(TransactFailure::Conditions(failed)) => {
                    let own_failed = failed.iter().take(own_items).any(|failed| *failed);
                    if own_failed || failed.is_empty() {
                        return Err(ApiError::conflict(conflict_message));
                    }
                    // Only the trail moved: chain again on the new head.
                }
                Err(TransactFailure::Error(error)) => return Err(error),
            }
        }
        Err(ApiError::conflict("the audit trail is busy; try again"))
    }

    /// The last position and hash of a tenant's trail (0 and the genesis hash when empty).
    pub async fn audit_head(&self, scope: &TenantScope) -> ApiResult<(u64, String)> {
        self.chain_head(&keys::tenant_pk(scope)).await
    }

    async fn chain_head(&self, pk: &str) -> ApiResult<(u64, String)> {
        let item = self.get(pk, keys::AUDIT_HEAD_SK).await?;
        let seq = item
            .as_ref()
            .and_then(|item| item.get("seq")?.as_n().ok()?.parse().ok())
            .unwrap_or(0);
        let hash = item
            .as_ref()
            .and_then(|item| item.get("hash")?.as_s().ok().cloned())
            .unwrap_or_else(|| crate::audit::GENESIS.to_string());
        Ok((seq, hash))
    }

    /// Records an action that changes nothing else (a sign-in, a view, a download).
    pub async fn audit(&self, scope: &TenantScope, entry: &AuditEntry) -> ApiResult<()> {
        self.transact_audited(vec![], scope, vec![entry.clone()], "audit entry exists")
            .await
    }

    /// A page of a tenant's trail, by position, optionally only from `after_seq` on.
    pub async fn audit_entries(
        &self,
        scope: &TenantScope,
        limit: i32,
        cursor: Option<&str>,
        filter: &AuditFilter,
    ) -> ApiResult<Page<AuditEntry>> {
        let pk = keys::tenant_pk(scope);
        let client = self.client_for([pk.as_str()]).await?;
        let mut start = cursor
            .map(|cursor| super::decode_cursor(cursor, keys::AUDIT_PREFIX))
            .transpose()?;
        let mut items = Vec::new();
        // DynamoDB filters after it reads `limit` entries, so a narrowed page can come back
        // short or empty with more behind it: read on (a bounded number of times) until the
        // page is full or the trail ends, so a client never has to page through empty pages.
        for _ in 0..MAX_FILTERED_READS {
            let mut query = client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
                .expression_attribute_values(":pk", s(&pk))
                .expression_attribute_values(":prefix", s(keys::AUDIT_PREFIX))
                .limit(limit);
            let mut conditions = Vec::new();
            if let Some(action) = &filter.action {
                conditions.push("#action = :action");
                query = query
                    .expression_attribute_names("#action", "action")
                    .expression_attribute_values(":action", s(action));
            }
            if let Some(target) = &filter.target {
                conditions.push("begins_with(#target, :target)");
                query = query
                    .expression_attribute_names("#target", "target")
                    .expression_attribute_values(":target", s(target));
            }
            if !conditions.is_empty() {
                query = query.filter_expression(conditions.join(" AND "));
            }
            if let Some(sort_key) = &start {
                query = query
                    .exclusive_start_key(keys::PK, s(&pk))
                    .exclusive_start_key(keys::SK, s(sort_key));
            }
            let output = query
                .send()
                .await
                .map_err(|error| ApiError::dependency("dynamodb query audit", error))?;
            for item in output.items.unwrap_or_default() {
                items.push(from_item(item)?);
            }
            start = output
                .last_evaluated_key
                .as_ref()
                .and_then(|key| key.get(keys::SK))
                .and_then(|sort_key| sort_key.as_s().ok())
                .cloned();
            let filtered = filter.action.is_some() || filter.target.is_some();
            if !filtered || start.is_none() || items.len() >= limit as usize {
                break;
            }
        }
        // A full page ends at its last entry, so the next one starts right after it.
        if items.len() > limit.max(0) as usize {
            items.truncate(limit.max(0) as usize);
            start = items
                .last()
                .map(|entry: &AuditEntry| keys::audit_sk(entry.seq));
        }
        let next_cursor = start.as_deref().map(super::cursor_after);
        Ok(Page { next_cursor, items })
    }

    /// The workspace's profile and the caller's own contact record, in one round trip.
    pub async fn profile_and_contact(
        &self,
        scope: &TenantScope,
        sub: &str,
    ) -> ApiResult<(Option<ProfileRecord>, Option<UserRecord>)> {
        let pk = keys::tenant_pk(scope);
        let contact_sk = keys::contact_sk(sub);
        let key = |sk: &str| {
            HashMap::from([
                (keys::PK.to_string(), s(&pk)),
                (keys::SK.to_string(), s(sk)),
            ])
        };
        let request = KeysAndAttributes::builder()
            .keys(key(keys::PROFILE_SK))
            .keys(key(&contact_sk))
            .consistent_read(true)
            .build()
            .map_err(|error| ApiError::internal("batch get builder", error))?;
        let output = self
            .client_for([pk.as_str()])
            .await?
            .batch_get_item()
            .request_items(&self.table, request)
            .send()
            .await
            .map_err(|error| ApiError::dependency("dynamodb batch_get_item", error))?;
        let has_unprocessed = output
            .unprocessed_keys
            .as_ref()
            .is_some_and(|keys| !keys.is_empty());
        if has_unprocessed {
            return Err(ApiError::throttled());
        }
        let mut profile = None;
        let mut contact = None;
        for item in output
            .responses
            .unwrap_or_default()
            .remove(&self.table)
            .unwrap_or_default()
        {
            match item.get(keys::SK).and_then(|sk| sk.as_s().ok()) {
                Some(sk) if sk == keys::PROFILE_SK => profile = Some(from_item(item)?),
                Some(sk) if *sk == contact_sk => contact = Some(from_item(item)?),
                _ => {}
            }
        }
        Ok((profile, contact))
    }

    /// The record of whoever signed in: a staff user, or a contact of the principal's tenant.
    pub async fn user_of(&self, principal: &Principal) -> ApiResult<Option<UserRecord>> {
        match principal.kind {
            Kind::Staff => self.staff_user(&principal.sub).await,
            Kind::Client => self.contact(&principal.own_tenant()?, &principal.sub).await,
        }
    }

    fn user_keys(principal: &Principal) -> ApiResult<(String, String)> {
        Ok(match principal.kind {
            Kind::Staff => (keys::STAFF_PK.to_string(), keys::staff_sk(&principal.sub)),
            Kind::Client => (
                keys::tenant_pk(&principal.own_tenant()?),
                keys::contact_sk(&principal.sub),
            ),
        })
    }

    /// Records whether the signed-in user has an authenticator enrolled.
    pub async fn set_user_mfa(
        &self,
        principal: &Principal,
        enabled: bool,
        meta: &RequestMeta,
    ) -> ApiResult<()> {
        let (pk, sk) = Self::user_keys(principal)?;
        let item = update_tx(
            &pk,
            &sk,
            "SET mfa_enabled = :enabled, version = version + :one",
            Some("attribute_exists(PK)"),
            values(&[
                (
                    ":enabled",
                    aws_sdk_dynamodb::types::AttributeValue::Bool(enabled),
                ),
                (":one", n(1)),
            ]),
        )?;
        let action = if enabled {
            "mfa.enabled"
        } else {
            "mfa.disabled"
        };
        self.transact_for_user(principal, item, action, meta).await
    }

    /// Refuses every token issued before `epoch` (sign-out).
    pub async fn end_sessions(
        &self,
        principal: &Principal,
        epoch: i64,
        meta: &RequestMeta,
    ) -> ApiResult<()> {
        self.end_sessions_because(principal, epoch, "session.signed_out", meta)
            .await
    }

    /// As [`Store::end_sessions`], recorded as `action` (a password change ends every session).
    pub async fn end_sessions_because(
        &self,
        principal: &Principal,
        epoch: i64,
        action: &str,
        meta: &RequestMeta,
    ) -> ApiResult<()> {
        let (pk, sk) = Self::user_keys(principal)?;
        let item = update_tx(
            &pk,
            &sk,
            "SET sessions_valid_after = :epoch, version = version + :one",
            Some("attribute_exists(PK)"),
            values(&[(":epoch", n(epoch)), (":one", n(1))]),
        )?;
        self.transact_for_user(principal, item, action, meta).await
    }

    /// A change to the signed-in person's own record, with its entry in their organisation's
    /// trail (the firm's own trail for staff).
    async fn transact_for_user(
        &self,
        principal: &Principal,
        item: Write,
        action: &str,
        meta: &RequestMeta,
    ) -> ApiResult<()> {
        match principal.own_tenant() {
            Ok(scope) => {
                let entry = AuditEntry::by(
                    &scope,
                    principal,
                    action,
                    &format!("contact/{}", principal.sub),
                    0,
                    meta,
                );
                self.transact_audited(vec![item], &scope, vec![entry], "user not found")
                    .await
            }
            Err(_) => {
                let entry = AuditEntry::firm(
                    principal,
                    action,
                    &format!("staff/{}", principal.sub),
                    0,
                    meta,
                );
                self.transact_firm_audited(vec![item], vec![entry], "user not found")
                    .await
            }
        }
    }

    /// An update of a contact inside a transaction (accepting an invitation).
    pub fn activate_contact_tx(&self, scope: &TenantScope, sub: &str) -> ApiResult<Write> {
        update_tx(
            &keys::tenant_pk(scope),
            &keys::contact_sk(sub),
            "SET #status = :active, version = version + :one",
            Some("attribute_exists(PK)"),
            values(&[(":active", s("active")), (":one", n(1))]),
        )
        .map(|item| item.with_names(&[("#status", "status")]))
    }
}

impl Store {
    /// Records views that span several tenants, one entry in each tenant's trail.
    pub async fn audit_reads(&self, entries: &[(TenantScope, AuditEntry)]) -> ApiResult<()> {
        for (scope, entry) in entries {
            self.audit(scope, entry).await?;
        }
        Ok(())
    }
}

impl Store {
    /// Active contacts of a tenant (for reminders).
    pub async fn contacts(&self, scope: &TenantScope) -> ApiResult<Vec<UserRecord>> {
        self.query_all(&keys::tenant_pk(scope), keys::CONTACT_PREFIX, true)
            .await
    }

    /// The version of a guard item (0 when it does not exist yet).
    pub async fn guard_version(&self, scope: &TenantScope, sort_key: &str) -> ApiResult<u64> {
        let item = self.get(&keys::tenant_pk(scope), sort_key).await?;
        Ok(item
            .as_ref()
            .and_then(|item| item.get("guard")?.as_n().ok()?.parse().ok())
            .unwrap_or(0))
    }

    /// A contact's record replaced at the version read.
    pub fn contact_update_tx(
        &self,
        scope: &TenantScope,
        record: &UserRecord,
        read_version: u64,
    ) -> ApiResult<Write> {
        super::put_versioned(
            to_item(
                &keys::tenant_pk(scope),
                &keys::contact_sk(&record.sub),
                record,
            )?,
            Some(read_version),
        )
    }
}

/// `T#<tenant>` / `INVITEOF#<sub>`: the hash of a contact's latest invitation link, so that a
/// new invitation can retire the one before it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LatestInvite {
    pub token_hash: String,
}

impl Store {
    pub async fn latest_invite(
        &self,
        scope: &TenantScope,
        sub: &str,
    ) -> ApiResult<Option<LatestInvite>> {
        self.get_record(&keys::tenant_pk(scope), &keys::latest_invite_sk(sub))
            .await
    }

    pub fn latest_invite_tx(
        &self,
        scope: &TenantScope,
        sub: &str,
        token_hash: &str,
    ) -> ApiResult<Write> {
        super::put_tx(
            to_item(
                &keys::tenant_pk(scope),
                &keys::latest_invite_sk(sub),
                &LatestInvite {
                    token_hash: token_hash.to_string(),
                },
            )?,
            None,
            None,
        )
    }

    /// Retires an invitation link whether or not it is still there (used, or gone by TTL).
    pub fn retire_invite_tx(&self, token_hash: &str) -> ApiResult<Write> {
        super::delete_tx(&keys::invite_pk(token_hash), keys::INVITE_SK, None)
    }
}
