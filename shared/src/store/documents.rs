//! Document requests, documents and their versions.

use super::records::*;
use super::Write;
use super::{n, put_tx, s, to_item, update_tx, values, Item, Page, Store};
use crate::error::{ApiError, ApiResult};
use crate::keys;
use crate::principal::TenantScope;

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
    pub fn new_request_tx(&self, scope: &TenantScope, record: &RequestRecord) -> ApiResult<Write> {
        super::put_versioned(request_item(scope, record)?, None)
    }

    /// Replaces a request read at `read_version` (the record carries the next version).
    pub fn request_tx(
        &self,
        scope: &TenantScope,
        record: &RequestRecord,
        read_version: u64,
    ) -> ApiResult<Write> {
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
    ) -> ApiResult<Write> {
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
    ) -> ApiResult<Write> {
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
                let item = put_tx(
                    item,
                    Some("#status = :expected"),
                    Some(values(&[(":expected", status)])),
                )?;
                Ok(item.with_names(&[("#status", "status")]))
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

    /// Marks a document as billing-only, from the version the caller read.
    pub fn restrict_document_to_billing_tx(
        &self,
        scope: &TenantScope,
        document_id: &str,
        read_version: u64,
    ) -> ApiResult<Write> {
        update_tx(
            &keys::tenant_pk(scope),
            &keys::document_sk(document_id),
            "SET billing_only = :yes, version = :next",
            Some("version = :read"),
            values(&[
                (":yes", aws_sdk_dynamodb::types::AttributeValue::Bool(true)),
                (":next", n(read_version + 1)),
                (":read", n(read_version)),
            ]),
        )
    }
}
