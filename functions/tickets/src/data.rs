//! Support tickets' data: `T#<tenant>` / `TICKET#<id>`, also in the firm's queue (GSI2
//! partition `TICKETS`, sorted by status then last change). Replies are the messages of thread
//! `ticket:<id>`, internal notes the firm's notes on it (`atrium_messages::data`).

use atrium_shared::store::{s, Page, SortRange, Store, TenantStore, Write};
use atrium_shared::{keys, ApiResult};
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

pub const TICKET_PREFIX: &str = "TICKET#";

pub fn ticket_sk(id: &str) -> String {
    format!("{TICKET_PREFIX}{id}")
}

/// The firm's queue across clients (GSI2).
pub const TICKETS_PARTITION: &str = "TICKETS";

/// `status#updated_at#tenant#id`: a status's tickets, oldest change first.
pub fn ticket_queue_key(status: &str, updated_at: &str, tenant_id: &str, id: &str) -> String {
    format!("{status}#{updated_at}#{tenant_id}#{id}")
}

/// A tenant's tickets.
pub struct Tickets<'a>(TenantStore<'a>);

impl<'a> Tickets<'a> {
    pub fn of(tenant: TenantStore<'a>) -> Self {
        Self(tenant)
    }

    pub async fn get(&self, id: &str) -> ApiResult<Option<TicketRecord>> {
        self.0.get(&ticket_sk(id)).await
    }

    /// The tenant's tickets, newest first, paged.
    pub async fn page(&self, limit: i32, cursor: Option<&str>) -> ApiResult<Page<TicketRecord>> {
        self.0.page(TICKET_PREFIX, limit, cursor, true).await
    }

    /// A new ticket (`read_version` none) or one read at `read_version`, placed in the firm's
    /// queue by its status and last change.
    pub fn save(&self, record: &TicketRecord, read_version: Option<u64>) -> ApiResult<Write> {
        let queue_key = ticket_queue_key(
            record.status.as_str(),
            &record.updated_at,
            self.0.scope().tenant_id(),
            &record.id,
        );
        self.0.save_indexed(
            &ticket_sk(&record.id),
            record,
            read_version,
            &[
                (keys::GSI2PK, s(TICKETS_PARTITION)),
                (keys::GSI2SK, s(queue_key)),
            ],
        )
    }
}

/// The firm's queue across clients: one status (oldest change first, so the longest waiting
/// come first) or every status.
pub async fn queue(
    store: &Store,
    status: Option<TicketStatus>,
    limit: i32,
    cursor: Option<&str>,
) -> ApiResult<Page<TicketRecord>> {
    store
        .query_index_range(
            "GSI2",
            keys::GSI2PK,
            keys::GSI2SK,
            TICKETS_PARTITION,
            status.map(|status| SortRange::BeginsWith(format!("{}#", status.as_str()))),
            limit,
            cursor,
        )
        .await
}
