//! Message threads and the firm's internal notes on the same records.

use super::records::{MessageRecord, UserRecord};
use super::Write;
use super::{put_tx, to_item, Page, Store};
use crate::error::ApiResult;
use crate::keys;
use crate::principal::TenantScope;

impl Store {
    pub fn message_tx(&self, scope: &TenantScope, record: &MessageRecord) -> ApiResult<Write> {
        put_tx(
            to_item(
                &keys::tenant_pk(scope),
                &keys::message_sk(&record.thread, &record.id),
                record,
            )?,
            Some("attribute_not_exists(PK)"),
            None,
        )
    }

    pub async fn messages(
        &self,
        scope: &TenantScope,
        thread: &str,
        limit: i32,
        cursor: Option<&str>,
    ) -> ApiResult<Page<MessageRecord>> {
        self.query_prefix(
            &keys::tenant_pk(scope),
            &keys::messages_prefix(thread),
            limit,
            cursor,
            true,
        )
        .await
    }

    /// The newest `limit` messages of one thread, newest first (one Query, backwards).
    pub async fn latest_messages(
        &self,
        scope: &TenantScope,
        thread: &str,
        limit: i32,
    ) -> ApiResult<Vec<MessageRecord>> {
        Ok(self
            .query_prefix(
                &keys::tenant_pk(scope),
                &keys::messages_prefix(thread),
                limit,
                None,
                false,
            )
            .await?
            .items)
    }

    /// Internal notes: only the firm's routes call these.
    pub fn note_tx(&self, scope: &TenantScope, record: &MessageRecord) -> ApiResult<Write> {
        put_tx(
            to_item(
                &keys::tenant_pk(scope),
                &keys::note_sk(&record.thread, &record.id),
                record,
            )?,
            Some("attribute_not_exists(PK)"),
            None,
        )
    }

    pub async fn notes(
        &self,
        scope: &TenantScope,
        thread: &str,
        limit: i32,
        cursor: Option<&str>,
    ) -> ApiResult<Page<MessageRecord>> {
        self.query_prefix(
            &keys::tenant_pk(scope),
            &keys::notes_prefix(thread),
            limit,
            cursor,
            true,
        )
        .await
    }

    /// Every staff user (to tell the firm about a client's message).
    pub async fn staff_users(&self) -> ApiResult<Vec<UserRecord>> {
        self.query_all(keys::STAFF_PK, "USER#", true).await
    }
}
