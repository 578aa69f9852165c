//! The threads' data: messages both sides see (`T#<tenant>` / `MSG#<thread>#<id>`) and the
//! firm's internal notes on the same records (`INTERNAL#NOTE#<thread>#<id>`).

use atrium_shared::store::{Page, TenantStore, Write};
use atrium_shared::ApiResult;
use serde::{Deserialize, Serialize};

/// `T#<tenant>` / `MSG#<thread>#<id>` (a message both sides see) or
/// `T#<tenant>` / `INTERNAL#NOTE#<thread>#<id>` (a note only the firm sees).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageRecord {
    pub id: String,
    pub thread: String,
    pub author: String,
    pub author_name: String,
    pub body: String,
    pub created_at: String,
}

/// A thread is `general`, or `<project|request|document|ticket>:<id>` (checked by the caller).
pub fn messages_prefix(thread: &str) -> String {
    format!("MSG#{thread}#")
}

pub fn message_sk(thread: &str, id: &str) -> String {
    format!("MSG#{thread}#{id}")
}

pub fn notes_prefix(thread: &str) -> String {
    format!("INTERNAL#NOTE#{thread}#")
}

pub fn note_sk(thread: &str, id: &str) -> String {
    format!("INTERNAL#NOTE#{thread}#{id}")
}

/// A tenant's threads.
pub struct Threads<'a>(TenantStore<'a>);

impl<'a> Threads<'a> {
    pub fn of(tenant: TenantStore<'a>) -> Self {
        Self(tenant)
    }

    pub fn post(&self, record: &MessageRecord) -> ApiResult<Write> {
        self.0
            .create(&message_sk(&record.thread, &record.id), record)
    }

    /// One page of a thread, oldest first.
    pub async fn messages(
        &self,
        thread: &str,
        limit: i32,
        cursor: Option<&str>,
    ) -> ApiResult<Page<MessageRecord>> {
        self.0
            .page(&messages_prefix(thread), limit, cursor, false)
            .await
    }

    /// The newest `limit` messages of one thread, newest first (one Query, backwards).
    pub async fn latest(&self, thread: &str, limit: i32) -> ApiResult<Vec<MessageRecord>> {
        Ok(self
            .0
            .page(&messages_prefix(thread), limit, None, true)
            .await?
            .items)
    }

    /// Internal notes: only the firm's routes call these.
    pub fn note(&self, record: &MessageRecord) -> ApiResult<Write> {
        self.0.create(&note_sk(&record.thread, &record.id), record)
    }

    pub async fn notes(
        &self,
        thread: &str,
        limit: i32,
        cursor: Option<&str>,
    ) -> ApiResult<Page<MessageRecord>> {
        self.0
            .page(&notes_prefix(thread), limit, cursor, false)
            .await
    }
}
