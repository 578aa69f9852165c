//! What the API answers about an invoice.

use crate::data::{InvoiceLine, InvoiceRecord, InvoiceStatus};
use crate::money::{decimal, minor_digits};
use atrium_shared::dates::today;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct InvoiceView {
    pub id: String,
    pub client_id: String,
    pub number: String,
    pub issue_date: String,
    pub due_date: String,
    pub currency: String,
    /// Digits after the decimal point for this currency (2 for EUR, 0 for JPY).
    pub minor_digits: u32,
    pub lines: Vec<InvoiceLine>,
    pub subtotal_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    /// The total as an exact decimal string, e.g. "1234.50".
    pub total: String,
    /// `draft`, `sent`, `paid`, `void`, or `overdue` (sent and past its due date).
    pub status: &'static str,
    pub overdue: bool,
    pub document_id: Option<String>,
    pub payment_url: Option<String>,
    pub note: String,
    pub sent_at: Option<String>,
    pub paid_at: Option<String>,
    pub voided_at: Option<String>,
    /// Settled payments less refunds, and what is left to pay (0 once paid, for drafts and
    /// for voided invoices).
    pub paid_minor: i64,
    pub balance_minor: i64,
    /// The balance as an exact decimal string.
    pub balance: String,
    /// `unpaid`, `partly_paid` or `paid`.
    pub payment_state: &'static str,
    pub created_at: String,
    pub updated_at: String,
    pub version: u64,
}

pub fn is_overdue(record: &InvoiceRecord) -> bool {
    record.status == InvoiceStatus::Sent && record.due_date < today()
}

/// The status people see: `overdue` is derived from the due date, never stored.
pub fn shown_status(record: &InvoiceRecord) -> &'static str {
    if is_overdue(record) {
        "overdue"
    } else {
        record.status.as_str()
    }
}

impl From<InvoiceRecord> for InvoiceView {
    fn from(record: InvoiceRecord) -> Self {
        let digits = minor_digits(&record.currency).unwrap_or(2);
        let balance_minor = record.balance_minor();
        Self {
            paid_minor: record.paid_minor,
            balance_minor,
            balance: decimal(balance_minor, digits),
            payment_state: record.payment_state(),
            status: shown_status(&record),
            overdue: is_overdue(&record),
            total: decimal(record.total_minor, digits),
            minor_digits: digits,
            id: record.id,
            client_id: record.tenant_id,
            number: record.number,
            issue_date: record.issue_date,
            due_date: record.due_date,
            currency: record.currency,
            lines: record.lines,
            subtotal_minor: record.subtotal_minor,
            tax_minor: record.tax_minor,
            total_minor: record.total_minor,
            document_id: record.document_id,
            payment_url: record.payment_url,
            note: record.note,
            sent_at: record.sent_at,
            paid_at: record.paid_at,
            voided_at: record.voided_at,
            created_at: record.created_at,
            updated_at: record.updated_at,
            version: record.version,
        }
    }
}
