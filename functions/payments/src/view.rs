//! What the API answers about a payment.

use crate::data::{PaymentRecord, PaymentSource};
use atrium_invoices::money::{decimal, minor_digits};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct PaymentView {
    pub id: String,
    pub invoice_id: String,
    pub amount_minor: i64,
    /// The amount as an exact decimal string.
    pub amount: String,
    pub currency: String,
    pub refunded_minor: i64,
    pub method: String,
    /// `stripe` or `offline` (recorded by staff).
    pub source: &'static str,
    /// `succeeded`, `partly_refunded` or `refunded`.
    pub status: &'static str,
    pub reference: Option<String>,
    pub card_last4: Option<String>,
    pub payer: Option<String>,
    pub received_on: String,
    pub recorded_at: String,
    pub recorded_by: Option<String>,
}

impl From<PaymentRecord> for PaymentView {
    fn from(record: PaymentRecord) -> Self {
        let digits = minor_digits(&record.currency).unwrap_or(2);
        let status = if record.refunded_minor <= 0 {
            "succeeded"
        } else if record.refunded_minor >= record.amount_minor {
            "refunded"
        } else {
            "partly_refunded"
        };
        Self {
            amount: decimal(record.amount_minor, digits),
            source: match record.source {
                PaymentSource::Stripe => "stripe",
                PaymentSource::Offline => "offline",
            },
            status,
            id: record.id,
            invoice_id: record.invoice_id,
            amount_minor: record.amount_minor,
            currency: record.currency,
            refunded_minor: record.refunded_minor,
            method: record.method,
            reference: record.reference,
            card_last4: record.card_last4,
            payer: record.payer,
            received_on: record.received_on,
            recorded_at: record.recorded_at,
            recorded_by: record.recorded_by,
        }
    }
}
