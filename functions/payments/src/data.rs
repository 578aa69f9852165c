//! Payments' data.
//!
//! Firm-level: `SETTINGS` / `STRIPE` (the connection: account, last four characters of each
//! key, publishable key, bank debit on or off; the keys themselves are in Secrets Manager) and
//! `STRIPEPI#<intent>` (whose intent it is; shared/src/store/records.rs).
//!
//! Per tenant (`T#<tenant>`): `STRIPECUSTOMER#<account>` (the client's Stripe customer),
//! `PAYATTEMPT#<setup intent>` (one press of Pay: the card set up, the intent made from it),
//! `PAY#<invoice>#<id>` (a settled payment, by Stripe or recorded by staff) and
//! `STRIPEEVENT#<event>` (an event handled, kept 30 days so a redelivery changes nothing).

use atrium_shared::keys;
use atrium_shared::store::{TenantStore, Write};
use atrium_shared::{ApiResult, App};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StripeSettingsRecord {
    /// `acct_…`, where Stripe reports it.
    pub account_id: Option<String>,
    pub account_name: Option<String>,
    pub secret_key_last4: String,
    pub webhook_secret_last4: String,
    pub publishable_key: String,
    /// SEPA Direct Debit offered beside cards.
    pub bank_debit: bool,
    pub updated_at: String,
    pub updated_by: String,
    pub version: u64,
}

impl StripeSettingsRecord {
    /// The customers made under one account are not valid under another.
    pub fn account_key(&self) -> &str {
        self.account_id.as_deref().unwrap_or("default")
    }

    pub fn methods(&self) -> Vec<&'static str> {
        if self.bank_debit {
            vec!["card", "sepa_debit"]
        } else {
            vec!["card"]
        }
    }
}

pub async fn settings(app: &App) -> ApiResult<Option<StripeSettingsRecord>> {
    app.store
        .get_record(keys::SETTINGS_PK, keys::STRIPE_SK)
        .await
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRecord {
    pub customer_id: String,
    pub created_at: String,
}

pub fn customer_sk(account_key: &str) -> String {
    format!("STRIPECUSTOMER#{account_key}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptStatus {
    /// Card set up; the intent is being made (or its making was interrupted).
    Pending,
    /// The intent exists and waits for the payer (3-D Secure) or the bank (debits).
    Open,
    Succeeded,
    Failed,
}

/// One press of Pay, named by the SetupIntent the browser confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptRecord {
    pub id: String,
    pub invoice_id: String,
    pub payer_sub: String,
    pub payer_email: String,
    pub method: String,
    pub amount_minor: i64,
    pub currency: String,
    #[serde(default)]
    pub payment_intent: Option<String>,
    #[serde(default)]
    pub card_last4: Option<String>,
    pub status: AttemptStatus,
    /// Epoch seconds until which the caller that set it is making the intent; another call
    /// for the same attempt waits it out instead of making a second one.
    pub lease_until: i64,
    pub created_at: String,
    pub version: u64,
}

pub fn attempt_sk(id: &str) -> String {
    format!("PAYATTEMPT#{id}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentSource {
    Stripe,
    Offline,
}

/// A settled payment of an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRecord {
    pub id: String,
    pub invoice_id: String,
    pub amount_minor: i64,
    pub currency: String,
    pub refunded_minor: i64,
    /// card, sepa_debit, bank_transfer, cheque, cash, other.
    pub method: String,
    pub source: PaymentSource,
    pub reference: Option<String>,
    pub card_last4: Option<String>,
    /// Who paid (the payer's email for Stripe payments).
    pub payer: Option<String>,
    pub received_on: String,
    pub recorded_at: String,
    /// The staff member who recorded an offline payment.
    pub recorded_by: Option<String>,
    #[serde(default)]
    pub payment_intent: Option<String>,
    pub version: u64,
}

pub const PAYMENT_PREFIX: &str = "PAY#";

pub fn payment_sk(invoice_id: &str, id: &str) -> String {
    format!("{PAYMENT_PREFIX}{invoice_id}#{id}")
}

pub fn payments_of_invoice_prefix(invoice_id: &str) -> String {
    format!("{PAYMENT_PREFIX}{invoice_id}#")
}

pub fn event_sk(event_id: &str) -> String {
    format!("STRIPEEVENT#{event_id}")
}

/// How long a handled event is remembered; Stripe retries a delivery for three days.
pub const EVENT_MEMORY_SECONDS: i64 = 30 * 24 * 3600;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecord {
    pub event_type: String,
    pub received_at: String,
    pub expires_at: i64,
}

/// The marker that the event was handled: written in the same transaction as its effects, so
/// a redelivery (or two deliveries at once) applies them once.
pub fn event_tx(
    tenant: &TenantStore<'_>,
    event_id: &str,
    record: &EventRecord,
) -> ApiResult<Write> {
    tenant.put(
        &event_sk(event_id),
        record,
        Some("attribute_not_exists(PK)"),
        &[],
    )
}
