//! Tenant data. Every method takes the [`TenantScope`] its keys are built from.

use super::records::*;
use super::{from_item, n, put_tx, s, to_item, update_tx, values, Store};
use crate::audit::AuditEntry;
use crate::error::{ApiError, ApiResult};
use crate::keys;
use crate::principal::{Kind, Principal, TenantScope};
use aws_sdk_dynamodb::types::{KeysAndAttributes, TransactWriteItem};
use std::collections::HashMap;

impl Store {
    pub async fn profile(&self, scope: &TenantScope) -> ApiResult<Option<ProfileRecord>> {
        self.get_record(&keys::tenant_pk(scope), keys::PROFILE_SK)
            .await
    }

    pub fn profile_tx(
        &self,
        scope: &TenantScope,
        record: &ProfileRecord,
    ) -> ApiResult<TransactWriteItem> {
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

    pub fn contact_tx(
        &self,
        scope: &TenantScope,
        record: &UserRecord,
    ) -> ApiResult<TransactWriteItem> {
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

    pub fn audit_tx(
        &self,
        scope: &TenantScope,
        entry: &AuditEntry,
    ) -> ApiResult<TransactWriteItem> {
        let (pk, sk) = entry.keys(scope);
        put_tx(
            to_item(&pk, &sk, entry)?,
            Some("attribute_not_exists(PK)"),
            None,
        )
    }

    /// Writes one audit entry on its own, for actions that change nothing else (a sign-in).
    pub async fn audit(&self, scope: &TenantScope, entry: &AuditEntry) -> ApiResult<()> {
        let item = self.audit_tx(scope, entry)?;
        self.transact(vec![item], "audit entry exists").await
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
            .dynamo
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
    pub async fn set_user_mfa(&self, principal: &Principal, enabled: bool) -> ApiResult<()> {
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
        self.transact(vec![item], "user not found").await
    }

    /// Refuses every token issued before `epoch` (sign-out).
    pub async fn end_sessions(&self, principal: &Principal, epoch: i64) -> ApiResult<()> {
        let (pk, sk) = Self::user_keys(principal)?;
        let item = update_tx(
            &pk,
            &sk,
            "SET sessions_valid_after = :epoch, version = version + :one",
            Some("attribute_exists(PK)"),
            values(&[(":epoch", n(epoch)), (":one", n(1))]),
        )?;
        self.transact(vec![item], "user not found").await
    }

    /// An update of a contact inside a transaction (accepting an invitation).
    pub fn activate_contact_tx(
        &self,
        scope: &TenantScope,
        sub: &str,
    ) -> ApiResult<TransactWriteItem> {
        update_tx(
            &keys::tenant_pk(scope),
            &keys::contact_sk(sub),
            "SET #status = :active, version = version + :one",
            Some("attribute_exists(PK)"),
            values(&[(":active", s("active")), (":one", n(1))]),
        )
        .map(|item| with_names(item, &[("#status", "status")]))
    }
}

/// Adds expression attribute names (for reserved words such as `status`) to an update.
fn with_names(item: TransactWriteItem, names: &[(&str, &str)]) -> TransactWriteItem {
    match item.update {
        Some(mut update) => {
            let map = update
                .expression_attribute_names
                .get_or_insert_with(HashMap::new);
            for (placeholder, name) in names {
                map.insert(placeholder.to_string(), name.to_string());
            }
            TransactWriteItem::builder().update(update).build()
        }
        None => item,
    }
}

impl Store {
    /// Audit entries that record reads (list views across clients), written in batches.
    pub async fn audit_reads(&self, entries: &[(TenantScope, AuditEntry)]) -> ApiResult<()> {
        for chunk in entries.chunks(25) {
            let mut writes = Vec::with_capacity(chunk.len());
            for (scope, entry) in chunk {
                let (pk, sk) = entry.keys(scope);
                let put = aws_sdk_dynamodb::types::PutRequest::builder()
                    .set_item(Some(to_item(&pk, &sk, entry)?))
                    .build()
                    .map_err(|error| ApiError::internal("put request", error))?;
                writes.push(
                    aws_sdk_dynamodb::types::WriteRequest::builder()
                        .put_request(put)
                        .build(),
                );
            }
            let mut pending = Some(HashMap::from([(self.table.clone(), writes)]));
            for _attempt in 0..5 {
                let Some(items) = pending.take().filter(|items| !items.is_empty()) else {
                    break;
                };
                let output = self
                    .dynamo
                    .batch_write_item()
                    .set_request_items(Some(items))
                    .send()
                    .await
                    .map_err(|error| ApiError::dependency("dynamodb batch_write_item", error))?;
                pending = output.unprocessed_items.filter(|items| !items.is_empty());
            }
            if pending.is_some() {
                return Err(ApiError::throttled());
            }
        }
        Ok(())
    }
}
