//! The table's generic reads: every item of a partition under a prefix (all pages, or one page
//! with an opaque cursor), and pages of an index partition. No `Scan` anywhere.

use super::{decode_cursor, encode_cursor, from_item, s, Item, Page, Store};
use crate::error::{ApiError, ApiResult};
use crate::keys;
use crate::principal::TenantScope;

impl Store {
    /// Every item of a partition under a prefix, all pages (for small collections).
    pub async fn query_all<T: serde::de::DeserializeOwned>(
        &self,
        pk: &str,
        prefix: &str,
        forward: bool,
    ) -> ApiResult<Vec<T>> {
        let mut all = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .query_prefix(pk, prefix, 100, cursor.as_deref(), forward)
                .await?;
            all.extend(page.items);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(all),
            }
        }
    }

    pub async fn query_prefix<T: serde::de::DeserializeOwned>(
        &self,
        pk: &str,
        prefix: &str,
        limit: i32,
        cursor: Option<&str>,
        forward: bool,
    ) -> ApiResult<Page<T>> {
        let mut query = self
            .client_for([pk])
            .await?
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
            .expression_attribute_values(":pk", s(pk))
            .expression_attribute_values(":prefix", s(prefix))
            .scan_index_forward(forward)
            .consistent_read(true)
            .limit(limit);
        if let Some(cursor) = cursor {
            query = query
                .exclusive_start_key(keys::PK, s(pk))
                .exclusive_start_key(keys::SK, s(decode_cursor(cursor, prefix)?));
        }
        let output = query
            .send()
            .await
            .map_err(|error| ApiError::dependency("dynamodb query", error))?;
        Ok(Page {
            next_cursor: encode_cursor(output.last_evaluated_key.as_ref()),
            items: output
                .items
                .unwrap_or_default()
                .into_iter()
                .map(from_item)
                .collect::<ApiResult<Vec<T>>>()?,
        })
    }

    /// A query on an index. Index cursors carry the index keys and the table keys, encoded
    /// together; they are checked to belong to the same index partition.
    #[allow(clippy::too_many_arguments)]
    pub async fn query_index<T: serde::de::DeserializeOwned>(
        &self,
        index: &str,
        pk_name: &str,
        sk_name: &str,
        partition: &str,
        sort_key_at_most: Option<&str>,
        limit: i32,
        cursor: Option<&str>,
    ) -> ApiResult<Page<T>> {
        let range = sort_key_at_most.map(|last| SortRange::AtMost(last.to_string()));
        self.query_index_range(index, pk_name, sk_name, partition, range, limit, cursor)
            .await
    }

    /// [`Self::query_index`] with any sort key range.
    #[allow(clippy::too_many_arguments)]
    pub async fn query_index_range<T: serde::de::DeserializeOwned>(
        &self,
        index: &str,
        pk_name: &str,
        sk_name: &str,
        partition: &str,
        range: Option<SortRange>,
        limit: i32,
        cursor: Option<&str>,
    ) -> ApiResult<Page<T>> {
        let page = self
            .query_index_items(index, pk_name, sk_name, partition, range, limit, cursor)
            .await?;
        Ok(Page {
            next_cursor: page.next_cursor,
            items: page
                .items
                .into_iter()
                .map(from_item)
                .collect::<ApiResult<Vec<T>>>()?,
        })
    }

    /// As [`Store::query_index_range`], each record with the scope of the tenant whose
    /// partition holds it (`T#<tenant>`, read from the item's own key): what the firm's
    /// cross-tenant indexes answer, for work done in each tenant afterwards (the reminders, the
    /// audit entries of the firm's request list).
    #[allow(clippy::too_many_arguments)]
    pub async fn query_index_in_tenants<T: serde::de::DeserializeOwned>(
        &self,
        index: &str,
        pk_name: &str,
        sk_name: &str,
        partition: &str,
        range: Option<SortRange>,
        limit: i32,
        cursor: Option<&str>,
    ) -> ApiResult<Page<(TenantScope, T)>> {
        let page = self
            .query_index_items(index, pk_name, sk_name, partition, range, limit, cursor)
            .await?;
        let mut items = Vec::with_capacity(page.items.len());
        for item in page.items {
            let tenant = item
                .get(keys::PK)
                .and_then(|pk| pk.as_s().ok())
                .and_then(|pk| pk.strip_prefix("T#"))
                .filter(|tenant| crate::ids::is_id(tenant))
                .ok_or_else(|| ApiError::internal("index item", "not in a tenant's partition"))?;
            let scope = TenantScope::from_registry(tenant);
            items.push((scope, from_item(item)?));
        }
        Ok(Page {
            next_cursor: page.next_cursor,
            items,
        })
    }

    #[allow(clippy::too_many_arguments)]
    async fn query_index_items(
        &self,
        index: &str,
        pk_name: &str,
        sk_name: &str,
        partition: &str,
        range: Option<SortRange>,
        limit: i32,
        cursor: Option<&str>,
    ) -> ApiResult<Page<Item>> {
        let condition = match &range {
            Some(SortRange::AtMost(_)) => format!("{pk_name} = :pk AND {sk_name} <= :sort"),
            Some(SortRange::BeginsWith(_)) => {
                format!("{pk_name} = :pk AND begins_with({sk_name}, :sort)")
            }
            None => format!("{pk_name} = :pk"),
        };
        let mut query = self
            .dynamo
            .query()
            .table_name(&self.table)
            .index_name(index)
            .key_condition_expression(condition)
            .expression_attribute_values(":pk", s(partition))
            .limit(limit);
        if let Some(SortRange::AtMost(value) | SortRange::BeginsWith(value)) = range {
            query = query.expression_attribute_values(":sort", s(value));
        }
        if let Some(cursor) = cursor {
            let start = index_cursor::decode(cursor)?;
            query = query
                .exclusive_start_key(pk_name, s(partition))
                .exclusive_start_key(sk_name, s(start.index_sort))
                .exclusive_start_key(keys::PK, s(start.pk))
                .exclusive_start_key(keys::SK, s(start.sk));
        }
        let output = query
            .send()
            .await
            .map_err(|error| ApiError::dependency("dynamodb query index", error))?;
        let next_cursor = output
            .last_evaluated_key
            .as_ref()
            .and_then(|key| index_cursor::encode(key, sk_name));
        Ok(Page {
            next_cursor,
            items: output.items.unwrap_or_default(),
        })
    }
}

/// A range of an index partition's sort keys.
pub enum SortRange {
    AtMost(String),
    BeginsWith(String),
}

mod index_cursor {
    use super::Item;
    use crate::error::{ApiError, ApiResult};
    use crate::keys;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    pub struct Start {
        pub index_sort: String,
        pub pk: String,
        pub sk: String,
    }

    pub fn encode(key: &Item, sk_name: &str) -> Option<String> {
        let text = |name: &str| key.get(name)?.as_s().ok().cloned();
        let joined = format!(
            "{}\n{}\n{}",
            text(sk_name)?,
            text(keys::PK)?,
            text(keys::SK)?
        );
        Some(URL_SAFE_NO_PAD.encode(joined))
    }

    pub fn decode(cursor: &str) -> ApiResult<Start> {
        let invalid = || ApiError::invalid("cursor", "is not a cursor this list gave out");
        let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let mut parts = text.split('\n');
        let (Some(index_sort), Some(pk), Some(sk), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        // Index cursors are only for the firm's own lists; they still may not point into a
        // partition that is not a tenant's.
        if !pk.starts_with("T#") {
            return Err(invalid());
        }
        Ok(Start {
            index_sort: index_sort.to_string(),
            pk: pk.to_string(),
            sk: sk.to_string(),
        })
    }
}
