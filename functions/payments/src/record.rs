//! `POST /api/clients/{id}/invoices/{invoice}/payments` (firm staff)
//! `{amount_minor, method, reference?, received_on}`: a payment that reached the firm outside
//! the portal (bank transfer, cheque, cash). It counts like a card payment: the invoice is
//! paid once nothing is left, partly paid before. Not while a payment in the portal is under
//! way (it could pay the same balance twice), and never more than the balance.

use crate::data::{PaymentRecord, PaymentSource};
use crate::ledger;
use crate::view::PaymentView;
use atrium_invoices::data::{InvoiceStatus, Invoices};
use atrium_shared::access::scope_for;
use atrium_shared::audit::AuditEntry;
use atrium_shared::dates::{due_date, today};
use atrium_shared::http::{created, parse_json, path_id, RequestMeta};
use atrium_shared::ids::{new_id, now_epoch, now_rfc3339};
use atrium_shared::principal::Principal;
use atrium_shared::{validate, ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

pub const OFFLINE_METHODS: [&str; 4] = ["bank_transfer", "cheque", "cash", "other"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordBody {
    amount_minor: i64,
    method: String,
    #[serde(default)]
    reference: Option<String>,
    received_on: String,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff()?;
    let scope = scope_for(app, &principal, &req).await?;
    let invoice_id = path_id(&req, "invoice")?;
    let body: RecordBody = parse_json(&req)?;
    if body.amount_minor < 1 {
        return Err(ApiError::invalid(
            "amount_minor",
            "must be a positive whole number of minor units",
        ));
    }
    if !OFFLINE_METHODS.contains(&body.method.as_str()) {
        return Err(ApiError::invalid(
            "method",
            format!("must be one of: {}", OFFLINE_METHODS.join(", ")),
        ));
    }
    let reference = match body.reference.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(validate::name("reference", text, 100)?),
    };
    let received_on = due_date("received_on", body.received_on.trim(), true)?;
    if received_on > today() {
        return Err(ApiError::invalid("received_on", "cannot be in the future"));
    }

    let tenant = app.store.tenant(&scope);
    let mut invoice = Invoices::of(tenant.clone())
        .get(&invoice_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if invoice.status != InvoiceStatus::Sent {
        return Err(ApiError::conflict(
            "payments are recorded against sent (or overdue) invoices only",
        ));
    }
    if invoice.payment_under_way(now_epoch()).is_some() {
        return Err(ApiError::conflict(
            "the client is paying this invoice in the portal right now; record it once that payment has finished or failed",
        ));
    }
    let balance = invoice.balance_minor();
    if body.amount_minor > balance {
        return Err(ApiError::conflict(format!(
            "amount_minor: {} is more than the balance of {balance}",
            body.amount_minor
        )));
    }
    let payment = PaymentRecord {
        id: new_id(),
        invoice_id: invoice.id.clone(),
        amount_minor: body.amount_minor,
        currency: invoice.currency.clone(),
        refunded_minor: 0,
        method: body.method,
        source: PaymentSource::Offline,
        reference,
        card_last4: None,
        payer: None,
        received_on,
        recorded_at: now_rfc3339(),
        recorded_by: Some(principal.actor_label()),
        payment_intent: None,
        version: 1,
    };
    let writes = ledger::settle(tenant, &mut invoice, &payment, None)?;
    let entry = AuditEntry::by(
        &scope,
        &principal,
        "payment.recorded",
        &format!("invoice/{}", invoice.id),
        invoice.version,
        &RequestMeta::of(&req),
    );
    app.store
        .transact_audited(
            writes,
            &scope,
            vec![entry],
            "the invoice changed meanwhile; reload it and try again",
        )
        .await?;
    created(&PaymentView::from(payment))
}
