//! Support tickets: `T#<tenant>` / `TICKET#<id>`, also in the firm's queue (GSI2 partition
//! `TICKETS`, sorted by status then last change). Replies are the messages of thread
//! `ticket:<id>`, internal notes the firm's notes on it.

use super::SortRange;
use super::Write;
use super::{s, to_item, Item, Page, Store};
use crate::error::ApiResult;
use crate::keys;
use crate::principal::TenantScope;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    Open,
    InProgress,
    WaitingOnClient,
    Resolved,
    Closed,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 5] = [
        TicketStatus::Open,
        TicketStatus::InProgress,
        TicketStatus::WaitingOnClient,
        TicketStatus::Resolved,
        TicketStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Open => "open",
            TicketStatus::InProgress => "in_progress",
            TicketStatus::WaitingOnClient => "waiting_on_client",
            TicketStatus::Resolved => "resolved",
            TicketStatus::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    /// How people read it in mail.
    pub fn label(self) -> &'static str {
        match self {
            TicketStatus::Open => "open",
            TicketStatus::InProgress => "in progress",
            TicketStatus::WaitingOnClient => "waiting on you",
            TicketStatus::Resolved => "resolved",
            TicketStatus::Closed => "closed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketAssignee {
    pub sub: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketRecord {
    pub id: String,
    pub tenant_id: String,
    pub subject: String,
    pub description: String,
    pub category: String,
    pub priority: String,
    pub status: TicketStatus,
    /// Actor label of whoever opened it (`client:<sub>` or `staff:<sub>`).
    pub opened_by: String,
    pub opener_name: String,
    pub opener_email: String,
    #[serde(default)]
    pub assignee: Option<TicketAssignee>,
    /// Documents of this tenant attached when the ticket was opened.
    #[serde(default)]
    pub attachments: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: u64,
}

fn ticket_item(scope: &TenantScope, record: &TicketRecord) -> ApiResult<Item> {
    let mut item = to_item(
        &keys::tenant_pk(scope),
        &keys::ticket_sk(&record.id),
        record,
    )?;
    item.insert(keys::GSI2PK.to_string(), s(keys::TICKETS_PARTITION));
    item.insert(
        keys::GSI2SK.to_string(),
        s(keys::ticket_queue_key(
            record.status.as_str(),
            &record.updated_at,
            scope.tenant_id(),
            &record.id,
        )),
    );
    Ok(item)
}

impl Store {
    pub async fn ticket(&self, scope: &TenantScope, id: &str) -> ApiResult<Option<TicketRecord>> {
        self.get_record(&keys::tenant_pk(scope), &keys::ticket_sk(id))
            .await
    }

    /// A client's tickets, newest first, paged.
    pub async fn tickets(
        &self,
        scope: &TenantScope,
        limit: i32,
        cursor: Option<&str>,
    ) -> ApiResult<Page<TicketRecord>> {
        self.query_prefix(
            &keys::tenant_pk(scope),
            keys::TICKET_PREFIX,
            limit,
            cursor,
            false,
        )
        .await
    }

    /// The firm's queue across clients: one status (oldest change first, so the longest
    /// waiting come first) or every status.
    pub async fn ticket_queue(
        &self,
        status: Option<TicketStatus>,
        limit: i32,
        cursor: Option<&str>,
    ) -> ApiResult<Page<TicketRecord>> {
        self.query_index_range(
            "GSI2",
            keys::GSI2PK,
            keys::GSI2SK,
            keys::TICKETS_PARTITION,
            status.map(|status| SortRange::BeginsWith(format!("{}#", status.as_str()))),
            limit,
            cursor,
        )
        .await
    }

    /// A new ticket (`read_version` none) or one read at `read_version`.
    pub fn ticket_tx(
        &self,
        scope: &TenantScope,
        record: &TicketRecord,
        read_version: Option<u64>,
    ) -> ApiResult<Write> {
        super::put_versioned(ticket_item(scope, record)?, read_version)
    }
}
