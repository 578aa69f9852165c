//! `POST /api/stripe/webhook` (public; Stripe calls it): reconciles payments with invoices.
//!
//! An event counts only when its `Stripe-Signature` matches the firm's signing secret and is
//! fresh (crate::signature); the portal then finds whose intent it is from its own marker
//! (`STRIPEPI#<id>`, written when it made the intent), never from the event alone, and refuses
//! (422) an event about an intent it did not make, or whose metadata, amount or currency
//! disagree with the marker (an event for another tenant's invoice). Each event's effects are
//! written in one transaction with a marker of the event, so a redelivery changes nothing and
//! a failure leaves nothing half-done for Stripe's retry.
//!
//! - `payment_intent.succeeded`: the payment is recorded in the client's partition, the
//!   invoice paid (or partly), the trail told; the payer gets a receipt, the firm a notice.
//! - `payment_intent.payment_failed` / `payment_intent.canceled`: the attempt is closed and
//!   the invoice freed; the payer is told.
//! - `charge.refunded`: the refunded total is recorded and the invoice owes it again.
//!
//! Other events are acknowledged and ignored.

use crate::data::{
    attempt_sk, event_sk, event_tx, payment_sk, AttemptRecord, AttemptStatus, EventRecord,
    PaymentRecord, PaymentSource, EVENT_MEMORY_SECONDS,
};
use crate::ledger;
use crate::secrets;
use crate::signature::{verify, SignatureProblem};
use atrium_invoices::data::{InvoiceRecord, Invoices};
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{header_str, ok, RequestMeta};
use atrium_shared::ids::{now_epoch, now_rfc3339};
use atrium_shared::principal::TenantScope;
use atrium_shared::store::records::PaymentIntentRecord;
use atrium_shared::store::registry::registered_scope;
use atrium_shared::store::Write;
use atrium_shared::{ApiError, ApiResult, App};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

/// Largest event accepted (Stripe's are a few kilobytes).
const MAX_EVENT_BYTES: usize = 256 * 1024;
/// Conflicting writes (the invoice changed meanwhile) are read and applied again this often.
const ATTEMPTS: usize = 4;

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: EventData,
}

#[derive(Deserialize)]
struct EventData {
    object: serde_json::Value,
}

#[derive(Deserialize)]
struct IntentObject {
    id: String,
    amount: i64,
    currency: String,
    #[serde(default)]
    metadata: HashMap<String, String>,
}

#[derive(Deserialize)]
struct ChargeObject {
    payment_intent: Option<String>,
    amount_refunded: i64,
    currency: String,
}

fn refused(status: StatusCode, code: &'static str, message: &str) -> ApiError {
    ApiError::new(status, code, message.to_string())
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let payload: &[u8] = match req.body() {
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => b"",
    };
    if payload.len() > MAX_EVENT_BYTES {
        return Err(ApiError::too_large("an event is at most 256 KB"));
    }
    let Some(keys) = secrets::keys(app).await? else {
        return Err(refused(
            StatusCode::BAD_REQUEST,
            "stripe_not_connected",
            "the firm has not connected Stripe",
        ));
    };
    let header = header_str(req.headers(), "stripe-signature");
    let now = now_epoch();
    let mut checked = verify(header, payload, &keys.webhook_secrets(), now);
    if checked == Err(SignatureProblem::Mismatch) {
        // The secret may have been replaced a moment ago in another sandbox.
        if let Some(fresh) = secrets::fresh_keys(app).await? {
            checked = verify(header, payload, &fresh.webhook_secrets(), now);
        }
    }
    if let Err(problem) = checked {
        tracing::warn!(?problem, "webhook signature refused");
        return Err(refused(
            StatusCode::BAD_REQUEST,
            "invalid_signature",
            problem.describe(),
        ));
    }
    let event: Event = serde_json::from_slice(payload).map_err(|_| {
        refused(
            StatusCode::BAD_REQUEST,
            "malformed_event",
            "the body is not a Stripe event (id, type, data.object)",
        )
    })?;
    let handled = match event.kind.as_str() {
        "payment_intent.succeeded" => succeeded(app, &event, &req).await?,
        "payment_intent.payment_failed" | "payment_intent.canceled" => {
            failed(app, &event, &req).await?
        }
        "charge.refunded" => refunded(app, &event, &req).await?,
        _ => false,
    };
    ok(&json!({ "received": true, "handled": handled }))
}

fn intent_of(event: &Event) -> ApiResult<IntentObject> {
    serde_json::from_value(event.data.object.clone()).map_err(|_| {
        refused(
            StatusCode::BAD_REQUEST,
            "malformed_event",
            "data.object is not a PaymentIntent",
        )
    })
}

/// Whose intent it is, from the portal's own record; the event must agree with it.
async fn owner_of(
    app: &App,
    intent_id: &str,
    metadata: Option<&HashMap<String, String>>,
) -> ApiResult<(PaymentIntentRecord, TenantScope)> {
    let unknown = || {
        refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_payment_intent",
            "this PaymentIntent was not made by the portal, or the event disagrees with it",
        )
    };
    if !crate::stripe::is_stripe_id(intent_id, "pi_") {
        return Err(unknown());
    }
    let record = app
        .store
        .payment_intent_record(intent_id)
        .await?
        .ok_or_else(unknown)?;
    if let Some(metadata) = metadata {
        let agrees = metadata.get("tenant") == Some(&record.tenant_id)
            && metadata.get("invoice") == Some(&record.invoice_id);
        if !agrees {
            tracing::warn!(
                intent_id,
                "event metadata disagrees with the intent's owner"
            );
            return Err(unknown());
        }
    }
    let scope = registered_scope(&record);
    Ok((record, scope))
}

async fn seen(app: &App, scope: &TenantScope, event_id: &str) -> ApiResult<bool> {
    Ok(app
        .store
        .tenant(scope)
        .get::<EventRecord>(&event_sk(event_id))
        .await?
        .is_some())
}

fn event_record(event: &Event) -> EventRecord {
    EventRecord {
        event_type: event.kind.clone(),
        received_at: now_rfc3339(),
        expires_at: now_epoch().saturating_add(EVENT_MEMORY_SECONDS),
    }
}

fn stripe_entry(
    scope: &TenantScope,
    action: &str,
    invoice: &InvoiceRecord,
    req: &Request,
) -> AuditEntry {
    AuditEntry::new(
        scope,
        "stripe",
        "webhook",
        action,
        &format!("invoice/{}", invoice.id),
        invoice.version,
        &RequestMeta::of(req),
    )
}

/// Runs `build` on fresh reads until its transaction commits (its outcome), the event turns
/// out to be handled already or to change nothing (`None`), or the attempts run out (409:
/// Stripe delivers the event again later).
async fn apply<T, F, Fut>(
    app: &App,
    scope: &TenantScope,
    event_id: &str,
    mut build: F,
) -> ApiResult<Option<T>>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ApiResult<Option<(Vec<Write>, AuditEntry, T)>>>,
{
    for _ in 0..ATTEMPTS {
        if seen(app, scope, event_id).await? {
            return Ok(None);
        }
        let Some((writes, entry, outcome)) = build().await? else {
            return Ok(None);
        };
        match app
            .store
            .transact_audited(writes, scope, vec![entry], "changed meanwhile")
            .await
        {
            Ok(()) => return Ok(Some(outcome)),
            Err(error) if error.status == StatusCode::CONFLICT => continue,
            Err(error) => return Err(error),
        }
    }
    if seen(app, scope, event_id).await? {
        return Ok(None);
    }
    Err(ApiError::conflict(
        "the invoice kept changing; Stripe will deliver the event again",
    ))
}

async fn succeeded(app: &App, event: &Event, req: &Request) -> ApiResult<bool> {
    let intent = intent_of(event)?;
    let (owner, scope) = owner_of(app, &intent.id, Some(&intent.metadata)).await?;
    if intent.amount != owner.amount_minor || !intent.currency.eq_ignore_ascii_case(&owner.currency)
    {
        tracing::warn!(
            intent = intent.id,
            "amount or currency disagrees with the intent made"
        );
        return Err(refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_payment_intent",
            "the event's amount or currency disagrees with the PaymentIntent the portal made",
        ));
    }
    let tenant = app.store.tenant(&scope);
    let (owner_ref, intent_id, scope_ref) = (&owner, &intent.id, &scope);
    let paid = apply(app, &scope, &event.id, move || {
        let (tenant, owner, event_record) = (tenant.clone(), owner_ref, event_record(event));
        async move {
            let Some(mut invoice) = Invoices::of(tenant.clone()).get(&owner.invoice_id).await?
            else {
                return Ok(None);
            };
            if tenant
                .get::<PaymentRecord>(&payment_sk(&owner.invoice_id, intent_id))
                .await?
                .is_some()
            {
                // Recorded by an earlier event of the same intent.
                return Ok(None);
            }
            let Some(mut attempt) = tenant
                .get::<AttemptRecord>(&attempt_sk(&owner.attempt_id))
                .await?
            else {
                return Ok(None);
            };
            let payment = PaymentRecord {
                id: intent_id.clone(),
                invoice_id: owner.invoice_id.clone(),
                amount_minor: owner.amount_minor,
                currency: invoice.currency.clone(),
                refunded_minor: 0,
                method: attempt.method.clone(),
                source: PaymentSource::Stripe,
                reference: Some(intent_id.clone()),
                card_last4: attempt.card_last4.clone(),
                payer: Some(attempt.payer_email.clone()).filter(|email| !email.is_empty()),
                received_on: atrium_shared::dates::today(),
                recorded_at: now_rfc3339(),
                recorded_by: None,
                payment_intent: Some(intent_id.clone()),
                version: 1,
            };
            let mut writes = ledger::settle(
                tenant.clone(),
                &mut invoice,
                &payment,
                Some(&owner.attempt_id),
            )?;
            let attempt_version = attempt.version;
            attempt.status = AttemptStatus::Succeeded;
            attempt.version = attempt_version.saturating_add(1);
            writes.push(tenant.replace(&attempt_sk(&attempt.id), &attempt, attempt_version)?);
            writes.push(event_tx(&tenant, &event.id, &event_record)?);
            let entry = stripe_entry(scope_ref, "payment.received", &invoice, req);
            Ok(Some((writes, entry, (invoice, attempt))))
        }
    })
    .await?;
    let Some((invoice, attempt)) = paid else {
        return Ok(false);
    };
    if !attempt.payer_email.is_empty() {
        crate::mails::receipt(app, &attempt.payer_email, &invoice, owner.amount_minor).await;
    }
    crate::mails::tell_firm(app, &scope, &invoice, "paid", owner.amount_minor).await;
    Ok(true)
}

async fn failed(app: &App, event: &Event, req: &Request) -> ApiResult<bool> {
    let intent = intent_of(event)?;
    let (owner, scope) = owner_of(app, &intent.id, Some(&intent.metadata)).await?;
    let tenant = app.store.tenant(&scope);
    let (owner_ref, scope_ref) = (&owner, &scope);
    let told = apply(app, &scope, &event.id, move || {
        let (tenant, owner, event_record) = (tenant.clone(), owner_ref, event_record(event));
        async move {
            let Some(mut attempt) = tenant
                .get::<AttemptRecord>(&attempt_sk(&owner.attempt_id))
                .await?
            else {
                return Ok(None);
            };
            let Some(mut invoice) = Invoices::of(tenant.clone()).get(&owner.invoice_id).await?
            else {
                return Ok(None);
            };
            let mut writes = vec![event_tx(&tenant, &event.id, &event_record)?];
            if attempt.status != AttemptStatus::Succeeded {
                let read_version = attempt.version;
                attempt.status = AttemptStatus::Failed;
                attempt.version = read_version.saturating_add(1);
                writes.push(tenant.replace(&attempt_sk(&attempt.id), &attempt, read_version)?);
            }
            let invoice_version = invoice.version;
            if ledger::release_lock(&mut invoice, Some(&owner.attempt_id)) {
                ledger::touch(&mut invoice);
                writes.push(Invoices::of(tenant.clone()).save(&invoice, Some(invoice_version))?);
            }
            let entry = stripe_entry(scope_ref, "payment.failed", &invoice, req);
            Ok(Some((writes, entry, (invoice, attempt.payer_email))))
        }
    })
    .await?;
    let Some((invoice, payer)) = told else {
        return Ok(false);
    };
    if !payer.is_empty() {
        crate::mails::payment_failed(app, &payer, &invoice).await;
    }
    Ok(true)
}

async fn refunded(app: &App, event: &Event, req: &Request) -> ApiResult<bool> {
    let charge: ChargeObject = serde_json::from_value(event.data.object.clone()).map_err(|_| {
        refused(
            StatusCode::BAD_REQUEST,
            "malformed_event",
            "data.object is not a Charge",
        )
    })?;
    let intent_id = charge.payment_intent.clone().unwrap_or_default();
    let (owner, scope) = owner_of(app, &intent_id, None).await?;
    if !charge.currency.eq_ignore_ascii_case(&owner.currency) {
        return Err(refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_payment_intent",
            "the refund's currency disagrees with the PaymentIntent the portal made",
        ));
    }
    let tenant = app.store.tenant(&scope);
    let (owner_ref, intent_ref, scope_ref) = (&owner, &intent_id, &scope);
    let refunded_total = charge.amount_refunded;
    let refund = apply(app, &scope, &event.id, move || {
        let (tenant, owner, intent_id, event_record) =
            (tenant.clone(), owner_ref, intent_ref, event_record(event));
        async move {
            let Some(mut payment) = tenant
                .get::<PaymentRecord>(&payment_sk(&owner.invoice_id, intent_id))
                .await?
            else {
                // The payment's own event has not landed yet: Stripe will deliver this again.
                return Err(ApiError::conflict(
                    "the payment this refund belongs to is not recorded yet",
                ));
            };
            let Some(mut invoice) = Invoices::of(tenant.clone()).get(&owner.invoice_id).await?
            else {
                return Ok(None);
            };
            let before = payment.refunded_minor;
            let Some(mut writes) =
                ledger::refund(tenant.clone(), &mut invoice, &mut payment, refunded_total)?
            else {
                return Ok(None);
            };
            writes.push(event_tx(&tenant, &event.id, &event_record)?);
            let entry = stripe_entry(scope_ref, "payment.refunded", &invoice, req);
            let amount = payment.refunded_minor.saturating_sub(before);
            Ok(Some((writes, entry, (invoice, amount))))
        }
    })
    .await?;
    let Some((invoice, amount)) = refund else {
        return Ok(false);
    };
    crate::mails::tell_firm(app, &scope, &invoice, "refunded", amount).await;
    Ok(true)
}
