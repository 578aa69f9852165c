//! The table. Firm-level registry operations live in [`registry`]; tenant data in [`tenant`],
//! where every method takes a [`crate::principal::TenantScope`].
//!
//! Reads are `GetItem`, `BatchGetItem` or `Query`; there is no `Scan` anywhere.

pub mod people;
mod query;
pub mod records;
pub mod registry;
pub mod resets;
mod scoped;
pub mod sessions;
pub mod settings;
pub mod tenant;
pub mod throttle;
mod write;

pub use query::SortRange;
pub use scoped::TenantStore;
pub use write::Write;

use crate::error::{ApiError, ApiResult};
use crate::keys;
use crate::tenancy::{tenant_of_keys, TenantAccess};
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
/// The table's value type, for conditions and updates (capabilities need no SDK crate of their own).
pub use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

pub type Item = HashMap<String, AttributeValue>;

#[derive(Clone, Debug)]
pub struct Store {
    /// The function's own credentials: firm-level items and the firm's cross-tenant indexes.
    dynamo: aws_sdk_dynamodb::Client,
    table: String,
    /// Tenant-scoped sessions for tenant items (see [`crate::tenancy`]); `None` only where a
    /// test or the benchmark builds a store on mocked clients.
    tenants: Option<Arc<TenantAccess>>,
}

/// Why a transaction did not go through.
#[derive(Debug)]
pub enum TransactFailure {
    /// Conditions failed; one flag per item, true where that item's condition failed.
    Conditions(Vec<bool>),
    /// Another transaction was working on one of the items at the same moment
    /// (`TransactionConflict`); nothing was written and the same write may simply be retried.
    Contention,
    Error(ApiError),
}

/// One page of a list and the opaque cursor for the next, if any.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// A value as the table stores it (an enum's serde name, a number), for conditions.
pub fn attribute<T: Serialize>(value: &T) -> ApiResult<AttributeValue> {
    serde_dynamo::to_attribute_value(value).map_err(|error| ApiError::internal("attribute", error))
}

/// A record as an item under the given keys.
pub fn to_item<T: Serialize>(pk: &str, sk: &str, record: &T) -> ApiResult<Item> {
    let mut item: Item =
        serde_dynamo::to_item(record).map_err(|error| ApiError::internal("to_item", error))?;
    item.insert(keys::PK.to_string(), s(pk));
    item.insert(keys::SK.to_string(), s(sk));
    Ok(item)
}

pub fn from_item<T: DeserializeOwned>(item: Item) -> ApiResult<T> {
    serde_dynamo::from_item(item).map_err(|error| ApiError::internal("from_item", error))
}

/// Cursors carry only the sort key; the partition is always the one the caller may read.
pub fn encode_cursor(last_key: Option<&Item>) -> Option<String> {
    let sort_key = last_key?.get(keys::SK)?.as_s().ok()?;
    Some(cursor_after(sort_key))
}

/// The cursor of a page that ends at `sort_key`.
pub fn cursor_after(sort_key: &str) -> String {
    URL_SAFE_NO_PAD.encode(sort_key.as_bytes())
}

/// The cursor that continues a list right after the item with this sort key.
pub fn cursor_for(sort_key: &str) -> String {
    URL_SAFE_NO_PAD.encode(sort_key.as_bytes())
}

pub fn decode_cursor(cursor: &str, required_prefix: &str) -> ApiResult<String> {
    let invalid = || ApiError::invalid("cursor", "is not a cursor this list gave out");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let sort_key = String::from_utf8(bytes).map_err(|_| invalid())?;
    if sort_key.starts_with(required_prefix) {
        Ok(sort_key)
    } else {
        Err(invalid())
    }
}

pub fn page_limit(requested: Option<String>, default: i32, max: i32) -> ApiResult<i32> {
    match requested {
        None => Ok(default),
        Some(text) => match text.parse::<i32>() {
            Ok(limit) if (1..=max).contains(&limit) => Ok(limit),
            _ => Err(ApiError::invalid(
                "limit",
                format!("must be a whole number from 1 to {max}"),
            )),
        },
    }
}

/// A `Put` that creates (`read_version` none: the item must not exist) or replaces the version
/// the caller read (optimistic concurrency: a 409 when it moved).
pub fn put_versioned(item: Item, read_version: Option<u64>) -> ApiResult<Write> {
    match read_version {
        None => put_tx(item, Some("attribute_not_exists(PK)"), None),
        Some(read) => put_tx(
            item,
            Some("version = :read_version"),
            Some(values(&[(":read_version", n(read))])),
        ),
    }
}

/// A `Put` for a transaction, with an optional condition.
pub fn put_tx(item: Item, condition: Option<&str>, values: Option<Item>) -> ApiResult<Write> {
    put_into(String::new(), item, condition, values)
}

fn put_into(
    table: String,
    item: Item,
    condition: Option<&str>,
    values: Option<Item>,
) -> ApiResult<Write> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .set_condition_expression(condition.map(str::to_string))
        .set_expression_attribute_values(values)
        .build()
        .map_err(|error| ApiError::internal("put builder", error))?;
    Ok(Write(TransactWriteItem::builder().put(put).build()))
}

/// Whether a transaction lost to another one touching the same items at the same moment.
pub fn is_contention(error: &SdkError<TransactWriteItemsError>) -> bool {
    match error.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
            let reasons = cancelled.cancellation_reasons();
            reasons
                .iter()
                .any(|reason| reason.code() == Some("TransactionConflict"))
                && !reasons
                    .iter()
                    .any(|reason| reason.code() == Some("ConditionalCheckFailed"))
        }
        Some(TransactWriteItemsError::TransactionInProgressException(_)) => true,
        _ => false,
    }
}

/// Whether a failed transaction was refused by one of its conditions (a conflict, not a fault).
pub fn is_condition_failure(error: &SdkError<TransactWriteItemsError>) -> bool {
    match error.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => cancelled
            .cancellation_reasons()
            .iter()
            .any(|reason| reason.code() == Some("ConditionalCheckFailed")),
        _ => false,
    }
}

impl Store {
    pub fn new(dynamo: aws_sdk_dynamodb::Client, table: String) -> Self {
        Self {
            dynamo,
            table,
            tenants: None,
        }
    }

    /// Tenant items are then read and written with a session assumed for their tenant.
    pub fn with_tenant_access(mut self, tenants: Arc<TenantAccess>) -> Self {
        self.tenants = Some(tenants);
        self
    }

    /// The client for an operation on these partitions: the tenant's session when they are
    /// one tenant's, the function's own credentials for firm-level keys.
    pub(crate) async fn client_for<'a>(
        &self,
        partition_keys: impl IntoIterator<Item = &'a str>,
    ) -> ApiResult<aws_sdk_dynamodb::Client> {
        let tenant = tenant_of_keys(partition_keys, None)?;

        match (tenant, &self.tenants) {
            (Some(tenant), Some(tenants)) => tenants.dynamo(tenant).await,
            _ => Ok(self.dynamo.clone()),
        }
    }

    /// A firm-level record (never tenant data: a `T#` partition is refused) created under its
    /// keys (`read_version` none) or replacing the version the caller read.
    pub fn firm_save<T: Serialize>(
        &self,
        pk: &str,
        sk: &str,
        record: &T,
        read_version: Option<u64>,
    ) -> ApiResult<Write> {
        if pk.starts_with("T#") {
            return Err(ApiError::internal(
                "firm_save",
                "tenant data is written through Store::tenant",
            ));
        }
        put_versioned(to_item(pk, sk, record)?, read_version)
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    pub fn dynamo(&self) -> &aws_sdk_dynamodb::Client {
        &self.dynamo
    }

    async fn get(&self, pk: &str, sk: &str) -> ApiResult<Option<Item>> {
        let output = self
            .client_for([pk])
            .await?
            .get_item()
            .table_name(&self.table)
            .key(keys::PK, s(pk))
            .key(keys::SK, s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(|error| ApiError::dependency("dynamodb get_item", error))?;
        Ok(output.item)
    }

    /// The record under these keys, read consistently (firm-level items; tenant items through
    /// [`Store::tenant`]).
    pub async fn get_record<T: DeserializeOwned>(
        &self,
        pk: &str,
        sk: &str,
    ) -> ApiResult<Option<T>> {
        self.get(pk, sk).await?.map(from_item).transpose()
    }

    /// Writes all items or none. A failed condition is a 409 with the given message.
    pub async fn transact(&self, items: Vec<Write>, conflict_message: &str) -> ApiResult<()> {
        match self.transact_detailed(items).await {
            Ok(()) => Ok(()),
            Err(TransactFailure::Conditions(_) | TransactFailure::Contention) => {
                Err(ApiError::conflict(conflict_message))
            }
            Err(TransactFailure::Error(error)) => Err(error),
        }
    }

    /// As [`Store::transact`], telling which items' conditions failed.
    pub async fn transact_detailed(&self, items: Vec<Write>) -> Result<(), TransactFailure> {
        let items = items
            .into_iter()
            .map(|Write(item)| self.with_table(item))
            .collect::<ApiResult<Vec<_>>>()
            .map_err(TransactFailure::Error)?;
        let client = self
            .client_for(items.iter().filter_map(partition_key_of))
            .await
            .map_err(TransactFailure::Error)?;
        match client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(error) if is_contention(&error) => Err(TransactFailure::Contention),
            Err(error) if is_condition_failure(&error) => {
                let failed = match error.as_service_error() {
                    Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
                        cancelled
                            .cancellation_reasons()
                            .iter()
                            .map(|reason| reason.code() == Some("ConditionalCheckFailed"))
                            .collect()
                    }
                    _ => Vec::new(),
                };
                Err(TransactFailure::Conditions(failed))
            }
            Err(error) => Err(TransactFailure::Error(ApiError::dependency(
                "dynamodb transact_write_items",
                error,
            ))),
        }
    }

    /// Transaction items are built without the table name; it is filled in here.
    fn with_table(&self, item: TransactWriteItem) -> ApiResult<TransactWriteItem> {
        let mut builder = TransactWriteItem::builder();
        if let Some(put) = item.put {
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(put.item))
                .set_condition_expression(put.condition_expression)
                .set_expression_attribute_names(put.expression_attribute_names)
                .set_expression_attribute_values(put.expression_attribute_values)
                .build()
                .map_err(|error| ApiError::internal("put builder", error))?;
            builder = builder.put(put);
        }
        if let Some(update) = item.update {
            let update = aws_sdk_dynamodb::types::Update::builder()
                .table_name(&self.table)
                .set_key(Some(update.key))
                .update_expression(update.update_expression)
                .set_condition_expression(update.condition_expression)
                .set_expression_attribute_names(update.expression_attribute_names)
                .set_expression_attribute_values(update.expression_attribute_values)
                .build()
                .map_err(|error| ApiError::internal("update builder", error))?;
            builder = builder.update(update);
        }
        if let Some(delete) = item.delete {
            let delete = aws_sdk_dynamodb::types::Delete::builder()
                .table_name(&self.table)
                .set_key(Some(delete.key))
                .set_condition_expression(delete.condition_expression)
                .set_expression_attribute_names(delete.expression_attribute_names)
                .set_expression_attribute_values(delete.expression_attribute_values)
                .build()
                .map_err(|error| ApiError::internal("delete builder", error))?;
            builder = builder.delete(delete);
        }
        if let Some(check) = item.condition_check {
            let check = aws_sdk_dynamodb::types::ConditionCheck::builder()
                .table_name(&self.table)
                .set_key(Some(check.key))
                .condition_expression(check.condition_expression)
                .set_expression_attribute_names(check.expression_attribute_names)
                .set_expression_attribute_values(check.expression_attribute_values)
                .build()
                .map_err(|error| ApiError::internal("condition builder", error))?;
            builder = builder.condition_check(check);
        }
        Ok(builder.build())
    }
}

/// The partition key a transaction item writes or checks.
fn partition_key_of(item: &TransactWriteItem) -> Option<&str> {
    let key = if let Some(put) = &item.put {
        put.item.get(keys::PK)
    } else if let Some(update) = &item.update {
        update.key.get(keys::PK)
    } else if let Some(delete) = &item.delete {
        delete.key.get(keys::PK)
    } else {
        item.condition_check
            .as_ref()
            .and_then(|check| check.key.get(keys::PK))
    };
    key.and_then(|value| value.as_s().ok()).map(String::as_str)
}

/// An `Update` for a transaction.
pub fn update_tx(
    pk: &str,
    sk: &str,
    expression: &str,
    condition: Option<&str>,
    values: Item,
) -> ApiResult<Write> {
    let update = aws_sdk_dynamodb::types::Update::builder()
        .table_name("")
        .key(keys::PK, s(pk))
        .key(keys::SK, s(sk))
        .update_expression(expression)
        .set_condition_expression(condition.map(str::to_string))
        .set_expression_attribute_values(if values.is_empty() {
            None
        } else {
            Some(values)
        })
        .build()
        .map_err(|error| ApiError::internal("update builder", error))?;
    Ok(Write(TransactWriteItem::builder().update(update).build()))
}

/// A `Delete` for a transaction.
pub fn delete_tx(pk: &str, sk: &str, condition: Option<&str>) -> ApiResult<Write> {
    let delete = aws_sdk_dynamodb::types::Delete::builder()
        .table_name("")
        .key(keys::PK, s(pk))
        .key(keys::SK, s(sk))
        .set_condition_expression(condition.map(str::to_string))
        .build()
        .map_err(|error| ApiError::internal("delete builder", error))?;
    Ok(Write(TransactWriteItem::builder().delete(delete).build()))
}

/// A `Delete` for a transaction whose condition takes values.
pub fn delete_tx_with(pk: &str, sk: &str, condition: &str, values: Item) -> ApiResult<Write> {
    let delete = aws_sdk_dynamodb::types::Delete::builder()
        .table_name("")
        .key(keys::PK, s(pk))
        .key(keys::SK, s(sk))
        .condition_expression(condition)
        .set_expression_attribute_values(Some(values))
        .build()
        .map_err(|error| ApiError::internal("delete builder", error))?;
    Ok(Write(TransactWriteItem::builder().delete(delete).build()))
}

pub fn values(pairs: &[(&str, AttributeValue)]) -> Item {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), value.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_only_move_within_their_list() {
        let mut last = Item::new();
        last.insert(keys::PK.into(), s("FIRM"));
        last.insert(keys::SK.into(), s("CLIENT#01J"));
        let cursor = encode_cursor(Some(&last)).unwrap();
        assert_eq!(decode_cursor(&cursor, "CLIENT#").unwrap(), "CLIENT#01J");
        assert!(decode_cursor(&cursor, "CONTACT#").is_err());
        assert!(decode_cursor("!!!", "CLIENT#").is_err());
    }

    #[test]
    fn limits() {
        assert_eq!(page_limit(None, 20, 100).unwrap(), 20);
        assert_eq!(page_limit(Some("5".into()), 20, 100).unwrap(), 5);
        for bad in ["0", "101", "x", "-1"] {
            assert!(page_limit(Some(bad.into()), 20, 100).is_err());
        }
    }
}
