//! Invoices: `T#<tenant>` / `INV#<id>`, with a firm-wide marker per invoice number
//! (`INVOICENO#<NUMBER>`) that keeps numbers unique across all clients.

use super::Write;
use super::{put_tx, s, to_item, values, Store};
use crate::error::ApiResult;
use crate::keys;
use crate::principal::TenantScope;
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
    pub created_at: String,
    pub updated_at: String,
    pub version: u64,
}

/// `INVOICENO#<NUMBER>` / `INVOICENO`: which invoice holds a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceNumberRecord {
    pub number: String,
    pub tenant_id: String,
    pub invoice_id: String,
}

impl Store {
    pub async fn invoice(&self, scope: &TenantScope, id: &str) -> ApiResult<Option<InvoiceRecord>> {
        self.get_record(&keys::tenant_pk(scope), &keys::invoice_sk(id))
            .await
    }

    /// Every invoice of a client, newest first (a client has tens to hundreds).
    pub async fn invoices(&self, scope: &TenantScope) -> ApiResult<Vec<InvoiceRecord>> {
        self.query_all(&keys::tenant_pk(scope), keys::INVOICE_PREFIX, false)
            .await
    }

    /// A new invoice (`read_version` none) or one read at `read_version`.
    pub fn invoice_tx(
        &self,
        scope: &TenantScope,
        record: &InvoiceRecord,
        read_version: Option<u64>,
    ) -> ApiResult<Write> {
        let item = to_item(
            &keys::tenant_pk(scope),
            &keys::invoice_sk(&record.id),
            record,
        )?;
        super::put_versioned(item, read_version)
    }

    /// Claims an invoice number for the firm; fails (409) when any client's invoice has it.
    pub fn claim_invoice_number_tx(&self, record: &InvoiceNumberRecord) -> ApiResult<Write> {
        put_tx(
            to_item(
                &keys::invoice_number_pk(&record.number),
                keys::INVOICE_NUMBER_SK,
                record,
            )?,
            Some("attribute_not_exists(PK)"),
            None,
        )
    }

    /// Gives a number back (a draft renumbered); only the invoice that holds it may.
    pub fn release_invoice_number_tx(&self, number: &str, invoice_id: &str) -> ApiResult<Write> {
        super::delete_tx_with(
            &keys::invoice_number_pk(number),
            keys::INVOICE_NUMBER_SK,
            "invoice_id = :invoice",
            values(&[(":invoice", s(invoice_id))]),
        )
    }

    /// Marks a document as billing-only, from the version the caller read.
    pub fn restrict_document_to_billing_tx(
        &self,
        scope: &TenantScope,
        document_id: &str,
        read_version: u64,
    ) -> ApiResult<Write> {
        super::update_tx(
            &keys::tenant_pk(scope),
            &keys::document_sk(document_id),
            "SET billing_only = :yes, version = :next",
            Some("version = :read"),
            values(&[
                (":yes", aws_sdk_dynamodb::types::AttributeValue::Bool(true)),
                (":next", super::n(read_version + 1)),
                (":read", super::n(read_version)),
            ]),
        )
    }
}

impl Store {
    /// Who holds an invoice number, if anyone.
    pub async fn invoice_number(&self, number: &str) -> ApiResult<Option<InvoiceNumberRecord>> {
        self.get_record(&keys::invoice_number_pk(number), keys::INVOICE_NUMBER_SK)
            .await
    }
}
