//! The table bound to one tenant: every key it builds starts with the tenant's partition, and
//! it builds its own writes and commits them with their audit entries. Capabilities read and
//! write their records through it:
//!
//! ```ignore
//! let tenant = app.store.tenant(&scope);
//! let approval: Option<ApprovalRecord> = tenant.get(&approval_sk(id)).await?;
//! tenant.commit(vec![tenant.create(&approval_sk(id), &record)?], vec![entry], "exists").await?;
//! ```

use super::{delete_tx, put_tx, put_versioned, to_item, update_tx, values, Page, Store, Write};
use crate::audit::AuditEntry;
use crate::error::{ApiError, ApiResult};
use crate::keys;
use crate::principal::TenantScope;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::DeserializeOwned;
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct TenantStore<'a> {
    store: &'a Store,
    scope: &'a TenantScope,
    pk: String,
}

impl Store {
    /// This tenant's part of the table.
    pub fn tenant<'a>(&'a self, scope: &'a TenantScope) -> TenantStore<'a> {
        TenantStore {
            store: self,
            scope,
            pk: keys::tenant_pk(scope),
        }
    }
}

impl<'a> TenantStore<'a> {
    pub fn scope(&self) -> &'a TenantScope {
        self.scope
    }

    /// The table itself, for what spans tenants (the firm's indexes, registry items).
    pub fn store(&self) -> &'a Store {
        self.store
    }

    /// The record under this sort key, read consistently.
    pub async fn get<T: DeserializeOwned>(&self, sk: &str) -> ApiResult<Option<T>> {
        self.store.get_record(&self.pk, sk).await
    }

    /// Every record under a sort-key prefix, oldest first unless `newest_first`.
    pub async fn all<T: DeserializeOwned>(
        &self,
        prefix: &str,
        newest_first: bool,
    ) -> ApiResult<Vec<T>> {
        self.store.query_all(&self.pk, prefix, !newest_first).await
    }

    /// One page of the records under a prefix, from an opaque cursor.
    pub async fn page<T: DeserializeOwned>(
        &self,
        prefix: &str,
        limit: i32,
        cursor: Option<&str>,
        newest_first: bool,
    ) -> ApiResult<Page<T>> {
        self.store
            .query_prefix(&self.pk, prefix, limit, cursor, !newest_first)
            .await
    }

    /// Creates the record; the commit fails (409) if one exists under the key.
    pub fn create<T: Serialize>(&self, sk: &str, record: &T) -> ApiResult<Write> {
        put_versioned(to_item(&self.pk, sk, record)?, None)
    }

    /// Replaces the record read at `read_version`; the commit fails (409) if it moved.
    pub fn replace<T: Serialize>(
        &self,
        sk: &str,
        record: &T,
        read_version: u64,
    ) -> ApiResult<Write> {
        put_versioned(to_item(&self.pk, sk, record)?, Some(read_version))
    }

    /// As [`TenantStore::create`] (`read_version` none) or [`TenantStore::replace`], with
    /// attributes an index reads (`GSI2PK`, `GSI2SK`) beside the record's own.
    pub fn save_indexed<T: Serialize>(
        &self,
        sk: &str,
        record: &T,
        read_version: Option<u64>,
        index_attributes: &[(&str, AttributeValue)],
    ) -> ApiResult<Write> {
        let mut item = to_item(&self.pk, sk, record)?;
        for (name, value) in index_attributes {
            item.insert((*name).to_string(), value.clone());
        }
        put_versioned(item, read_version)
    }

    /// Puts the record whatever is there, or only where `condition` holds.
    pub fn put<T: Serialize>(
        &self,
        sk: &str,
        record: &T,
        condition: Option<&str>,
        condition_values: &[(&str, AttributeValue)],
    ) -> ApiResult<Write> {
        let values = (!condition_values.is_empty()).then(|| values(condition_values));
        put_tx(to_item(&self.pk, sk, record)?, condition, values)
    }

    /// An update expression on the item under `sk`, where `condition` holds.
    pub fn update(
        &self,
        sk: &str,
        expression: &str,
        condition: Option<&str>,
        expression_values: &[(&str, AttributeValue)],
    ) -> ApiResult<Write> {
        update_tx(
            &self.pk,
            sk,
            expression,
            condition,
            values(expression_values),
        )
    }

    /// Deletes the item under `sk`, where `condition` holds.
    pub fn delete(&self, sk: &str, condition: Option<&str>) -> ApiResult<Write> {
        delete_tx(&self.pk, sk, condition)
    }

    /// Deletes the item under `sk` where `condition` (with its values) holds.
    pub fn delete_with(
        &self,
        sk: &str,
        condition: &str,
        condition_values: &[(&str, AttributeValue)],
    ) -> ApiResult<Write> {
        super::delete_tx_with(&self.pk, sk, condition, values(condition_values))
    }

    /// Creates a firm-wide marker written in the tenant's transaction (`INVOICENO#<number>`:
    /// one of [`crate::tenancy::SHARED_PREFIXES`], which a tenant's session may write); fails
    /// (409) when the marker exists.
    pub fn create_marker<T: Serialize>(&self, pk: &str, sk: &str, record: &T) -> ApiResult<Write> {
        shared_marker(pk)?;
        put_versioned(to_item(pk, sk, record)?, None)
    }

    /// Deletes a firm-wide marker where `condition` holds.
    pub fn delete_marker(
        &self,
        pk: &str,
        sk: &str,
        condition: &str,
        condition_values: &[(&str, AttributeValue)],
    ) -> ApiResult<Write> {
        shared_marker(pk)?;
        super::delete_tx_with(pk, sk, condition, values(condition_values))
    }

    /// Commits the writes and chains the entries onto the tenant's audit trail, all or nothing.
    /// A failed condition of the writes is a 409 with `conflict_message`.
    pub async fn commit(
        &self,
        writes: Vec<Write>,
        entries: Vec<AuditEntry>,
        conflict_message: &str,
    ) -> ApiResult<()> {
        self.store
            .transact_audited(writes, self.scope, entries, conflict_message)
            .await
    }
}

/// Markers a tenant's transaction may write outside its partition, and nothing else.
fn shared_marker(pk: &str) -> ApiResult<()> {
    if crate::tenancy::SHARED_PREFIXES
        .iter()
        .any(|prefix| pk.starts_with(prefix))
    {
        Ok(())
    } else {
        Err(ApiError::internal(
            "marker",
            format!("{pk} is not a shared marker"),
        ))
    }
}
