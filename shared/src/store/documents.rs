//! Document requests, documents and their versions.

use super::records::*;
use super::{
    decode_cursor, encode_cursor, from_item, put_tx, s, to_item, values, Item, Page, Store,
};
use crate::error::{ApiError, ApiResult};
use crate::keys;
use crate::principal::TenantScope;
use aws_sdk_dynamodb::types::TransactWriteItem;

/// A request as an item. Its index keys follow its status: it is in the reminders index (GSI1)
/// only while it waits for the client, and in the status index (GSI2) under its status. A
/// whole-item put therefore adds and removes index entries with no separate step.
pub fn request_item(scope: &TenantScope, record: &RequestRecord) -> ApiResult<Item> {
    let mut item = to_item(
        &keys::tenant_pk(scope),
        &keys::request_sk(&record.id),
        record,
    )?;
    let order = keys::due_sort_key(&record.due_date, scope.tenant_id(), &record.id);
    if record.status.awaits_client() {
        item.insert(keys::GSI1PK.to_string(), s(keys::DUE_PARTITION));
        item.insert(keys::GSI1SK.to_string(), s(&order));
    }
    item.insert(
        keys::GSI2PK.to_string(),
        s(keys::status_partition(record.status.as_str())),
    );
    item.insert(keys::GSI2SK.to_string(), s(order));
    Ok(item)
}

impl Store {
    pub fn new_request_tx(
        &self,
        scope: &TenantScope,
        record: &RequestRecord,
    ) -> ApiResult<TransactWriteItem> {
        super::put_versioned(request_item(scope, record)?, None)
    }

    /// Replaces a request read at `read_version` (the record carries the next version).
    pub fn request_tx(
        &self,
        scope: &TenantScope,
        record: &RequestRecord,
        read_version: u64,
    ) -> ApiResult<TransactWriteItem> {
        super::put_versioned(request_item(scope, record)?, Some(read_version))
    }

    pub async fn request(&self, scope: &TenantScope, id: &str) -> ApiResult<Option<RequestRecord>> {
        self.get_record(&keys::tenant_pk(scope), &keys::request_sk(id))
            .await
    }

    /// A tenant's requests, newest first (ids are ULIDs).
    pub async fn requests(
        &self,
        scope: &TenantScope,
        limit: i32,
        cursor: Option<&str>,
    ) -> ApiResult<Page<RequestRecord>> {
        self.query_prefix(
            &keys::tenant_pk(scope),
            keys::REQUEST_PREFIX,
            limit,
            cursor,
            false,
        )
        .await
    }

    /// Requests of every client in one status (GSI2), by due date.
    pub async fn requests_in_status(
        &self,
        status: RequestStatus,
        limit: i32,
        cursor: Option<&str>,
    ) -> ApiResult<Page<RequestRecord>> {
        self.query_index(
            "GSI2",
            keys::GSI2PK,
            keys::GSI2SK,
            &keys::status_partition(status.as_str()),
            None,
            limit,
            cursor,
        )
        .await
    }

    /// Requests waiting for clients and due on or before `last_day` (GSI1), by due date.
    pub async fn requests_due_by(
        &self,
        last_day: &str,
        limit: i32,
        cursor: Option<&str>,
    ) -> ApiResult<Page<RequestRecord>> {
        // `~` sorts after every character a key holds, so the whole last day is included.
        self.query_index(
            "GSI1",
            keys::GSI1PK,
            keys::GSI1SK,
            keys::DUE_PARTITION,
            Some(&format!("{last_day}~")),
            limit,
            cursor,
        )
        .await
    }

    pub async fn document(
        &self,
        scope: &TenantScope,
        id: &str,
    ) -> ApiResult<Option<DocumentRecord>> {
        self.get_record(&keys::tenant_pk(scope), &keys::document_sk(id))
            .await
    }

    pub fn document_tx(
        &self,
        scope: &TenantScope,
        record: &DocumentRecord,
        read_version: Option<u64>,
    ) -> ApiResult<TransactWriteItem> {
        let item = to_item(
            &keys::tenant_pk(scope),
            &keys::document_sk(&record.id),
            record,
        )?;
        super::put_versioned(item, read_version)
    }

    pub async fn documents(
        &self,
        scope: &TenantScope,
        limit: i32,
        cursor: Option<&str>,
    ) -> ApiResult<Page<DocumentRecord>> {
        self.query_prefix(
            &keys::tenant_pk(scope),
            keys::DOCUMENT_PREFIX,
            limit,
            cursor,
            false,
        )
        .await
    }

    pub async fn version(
        &self,
        scope: &TenantScope,
        document_id: &str,
        number: u32,
    ) -> ApiResult<Option<VersionRecord>> {
        self.get_record(
            &keys::tenant_pk(scope),
            &keys::version_sk(document_id, number),
        )
        .await
    }

    pub fn version_tx(
        &self,
        scope: &TenantScope,
        record: &VersionRecord,
        expected: Option<VersionStatus>,
    ) -> ApiResult<TransactWriteItem> {
        let item = to_item(
            &keys::tenant_pk(scope),
            &keys::version_sk(&record.document_id, record.number),
            record,
        )?;
        match expected {
            None => put_tx(item, Some("attribute_not_exists(PK)"), None),
            Some(status) => {
                let status = serde_dynamo::to_attribute_value(status)
                    .map_err(|error| ApiError::internal("version status", error))?;
                let mut item = put_tx(
                    item,
                    Some("#status = :expected"),
                    Some(values(&[(":expected", status)])),
                )?;
                if let Some(put) = item.put.as_mut() {
                    put.expression_attribute_names =
                        Some([("#status".to_string(), "status".to_string())].into());
                }
                Ok(item)
            }
        }
    }

    /// Confirmed versions of a document, oldest first (pending uploads are left out).
    pub async fn versions(
        &self,
        scope: &TenantScope,
        document_id: &str,
    ) -> ApiResult<Vec<VersionRecord>> {
        let all: Vec<VersionRecord> = self
            .query_all(
                &keys::tenant_pk(scope),
                &keys::versions_prefix(document_id),
                true,
            )
            .await?;
        Ok(all
            .into_iter()
            .filter(|version| version.status == VersionStatus::Confirmed)
            .collect())
    }

    /// Active contacts of a tenant (for reminders).
    pub async fn contacts(&self, scope: &TenantScope) -> ApiResult<Vec<UserRecord>> {
        self.query_all(&keys::tenant_pk(scope), keys::CONTACT_PREFIX, true)
            .await
    }

    /// Every item of a partition under a prefix, all pages (for small collections).
    pub(crate) async fn query_all<T: serde::de::DeserializeOwned>(
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

    pub(crate) async fn query_prefix<T: serde::de::DeserializeOwned>(
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
    pub(crate) async fn query_index<T: serde::de::DeserializeOwned>(
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
    pub(crate) async fn query_index_range<T: serde::de::DeserializeOwned>(
        &self,
        index: &str,
        pk_name: &str,
        sk_name: &str,
        partition: &str,
        range: Option<SortRange>,
        limit: i32,
        cursor: Option<&str>,
    ) -> ApiResult<Page<T>> {
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
            items: output
                .items
                .unwrap_or_default()
                .into_iter()
                .map(from_item)
                .collect::<ApiResult<Vec<T>>>()?,
        })
    }
}

/// A range of an index partition's sort keys.
pub(crate) enum SortRange {
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
