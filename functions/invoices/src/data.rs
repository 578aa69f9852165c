//! Invoices' data: `T#<tenant>` / `INV#<id>`, with a firm-wide marker per invoice number
//! (`INVOICENO#<NUMBER>`) that keeps numbers unique across all clients, written in the
//! invoice's own transaction.

use atrium_shared::keys;
use atrium_shared::store::SortRange;
use atrium_shared::store::{s, Page, Store, TenantStore, Write};
use atrium_shared::ApiResult;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Draft,
    Sent,
    Paid,
    Void,
}

impl InvoiceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Draft => "draft",
            InvoiceStatus::Sent => "sent",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Void => "void",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "draft" => Some(InvoiceStatus::Draft),
            "sent" => Some(InvoiceStatus::Sent),
            "paid" => Some(InvoiceStatus::Paid),
            "void" => Some(InvoiceStatus::Void),
            _ => None,
        }
    }

    /// Clients see invoices once sent, and keep seeing them paid; never drafts or voided ones.
    pub fn shown_to_clients(self) -> bool {
        matches!(self, InvoiceStatus::Sent | InvoiceStatus::Paid)
    }
}

/// One line; amounts in the currency's minor units (cents), never floats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    pub description: String,
    pub quantity: i64,
    pub unit_amount_minor: i64,
    pub amount_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceRecord {
    pub id: String,
    pub tenant_id: String,
    pub number: String,
    pub issue_date: String,
    pub due_date: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Empty when the invoice states only a total.
    pub lines: Vec<InvoiceLine>,
    pub subtotal_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub status: InvoiceStatus,
    /// The invoice PDF: a billing-only document of this tenant.
    #[serde(default)]
    pub document_id: Option<String>,
    /// A link to the firm's own payment provider.
    #[serde(default)]
    pub payment_url: Option<String>,
    #[serde(default)]
    pub note: String,
    pub created_by: String,
    #[serde(default)]
    pub sent_at: Option<String>,
    #[serde(default)]
    pub paid_at: Option<String>,
    #[serde(default)]
    pub voided_at: Option<String>,
    /// What payments (by card, bank debit or recorded by staff) have settled, less refunds.
    #[serde(default)]
    pub paid_minor: i64,
    /// A payment under way in the portal: no second one starts while it holds
    /// (functions/payments).
    #[serde(default)]
    pub payment_lock: Option<PaymentLock>,
    pub created_at: String,
    pub updated_at: String,
    pub version: u64,
}

/// The attempt that holds an invoice while its payment is under way, and since when (epoch
/// seconds): a lock older than [`PaymentLock::STALE_AFTER_SECONDS`] may be taken over once
/// Stripe says its payment went nowhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentLock {
    pub attempt_id: String,
    pub since: i64,
}

impl PaymentLock {
    pub const STALE_AFTER_SECONDS: i64 = 15 * 60;

    pub fn is_stale(&self, now: i64) -> bool {
        now.saturating_sub(self.since) > Self::STALE_AFTER_SECONDS
    }
}

impl InvoiceRecord {
    /// What is left to pay. An invoice marked paid by hand (before payments were recorded)
    /// owes nothing; drafts and voided invoices owe nothing either.
    pub fn balance_minor(&self) -> i64 {
        match self.status {
            InvoiceStatus::Sent => self.total_minor.saturating_sub(self.paid_minor).max(0),
            _ => 0,
        }
    }

    /// The attempt paying this invoice in the portal right now, if one holds it (a stale lock
    /// holds nothing).
    pub fn payment_under_way(&self, now: i64) -> Option<&PaymentLock> {
        self.payment_lock
            .as_ref()
            .filter(|lock| !lock.is_stale(now))
    }

    /// `paid`, `partly_paid` or `unpaid`.
    pub fn payment_state(&self) -> &'static str {
        if self.status == InvoiceStatus::Paid {
            "paid"
        } else if self.paid_minor > 0 {
            "partly_paid"
        } else {
            "unpaid"
        }
    }
}

/// The firm's invoices across clients (GSI2), newest issue date first.
pub const INVOICES_PARTITION: &str = "INVOICES";

/// `age#tenant#id`, where `age` counts down from the issue date (`99999999 - yyyymmdd`), so
/// the index's ascending order is newest first.
pub fn firm_list_key(record: &InvoiceRecord) -> String {
    let digits: String = record
        .issue_date
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let age = digits
        .parse::<u32>()
        .ok()
        .and_then(|date| 99_999_999u32.checked_sub(date))
        .unwrap_or(0);
    format!("{age:08}#{}#{}", record.tenant_id, record.id)
}

/// `INVOICENO#<NUMBER>` / `INVOICENO`: which invoice holds a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceNumberRecord {
    pub number: String,
    pub tenant_id: String,
    pub invoice_id: String,
}

pub const INVOICE_PREFIX: &str = "INV#";

pub fn invoice_sk(id: &str) -> String {
    format!("{INVOICE_PREFIX}{id}")
}

/// One marker per number across all clients (upper-cased, so `a-1` and `A-1` are one number).
pub fn invoice_number_pk(number: &str) -> String {
    format!("INVOICENO#{}", number.to_uppercase())
}
pub const INVOICE_NUMBER_SK: &str = "INVOICENO";

/// A tenant's invoices.
pub struct Invoices<'a>(TenantStore<'a>);

impl<'a> Invoices<'a> {
    pub fn of(tenant: TenantStore<'a>) -> Self {
        Self(tenant)
    }

    pub async fn get(&self, id: &str) -> ApiResult<Option<InvoiceRecord>> {
        self.0.get(&invoice_sk(id)).await
    }

    /// Every invoice of the client, newest first (a client has tens to hundreds).
    pub async fn all(&self) -> ApiResult<Vec<InvoiceRecord>> {
        self.0.all(INVOICE_PREFIX, true).await
    }

    /// A new invoice (`read_version` none) or one read at `read_version`, in the firm's list
    /// across clients too.
    pub fn save(&self, record: &InvoiceRecord, read_version: Option<u64>) -> ApiResult<Write> {
        self.0.save_indexed(
            &invoice_sk(&record.id),
            record,
            read_version,
            &[
                (keys::GSI2PK, s(INVOICES_PARTITION)),
                (keys::GSI2SK, s(firm_list_key(record))),
            ],
        )
    }

    /// Claims an invoice number for the firm; fails (409) when any client's invoice has it.
    pub fn claim_number(&self, record: &InvoiceNumberRecord) -> ApiResult<Write> {
        self.0.create_marker(
            &invoice_number_pk(&record.number),
            INVOICE_NUMBER_SK,
            record,
        )
    }

    /// Gives a number back (a draft renumbered); only the invoice that holds it may.
    pub fn release_number(&self, number: &str, invoice_id: &str) -> ApiResult<Write> {
        self.0.delete_marker(
            &invoice_number_pk(number),
            INVOICE_NUMBER_SK,
            "invoice_id = :invoice",
            &[(":invoice", s(invoice_id))],
        )
    }
}

/// The firm's invoices across clients, newest issue date first, paged.
pub async fn firm_page(
    store: &Store,
    limit: i32,
    cursor: Option<&str>,
) -> ApiResult<Page<InvoiceRecord>> {
    store
        .query_index_range(
            "GSI2",
            keys::GSI2PK,
            keys::GSI2SK,
            INVOICES_PARTITION,
            None::<SortRange>,
            limit,
            cursor,
        )
        .await
}

/// Who holds an invoice number, if anyone.
pub async fn number_holder(store: &Store, number: &str) -> ApiResult<Option<InvoiceNumberRecord>> {
    store
        .get_record(&invoice_number_pk(number), INVOICE_NUMBER_SK)
        .await
}
