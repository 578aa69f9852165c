//! Paying an invoice in the portal (a client's admins and billing contacts):
//!
//! 1. `POST /api/invoices/{invoice}/payments/start` `{method}`: the client's Stripe customer
//!    (made once per account) and a SetupIntent for it, whose secret the browser hands to
//!    Stripe.js with the card (or bank) details; those go from the browser to Stripe, never
//!    through the portal (PCI SAQ A).
//! 2. `POST /api/invoices/{invoice}/payments/confirm` `{setup_intent}`: once Stripe says the
//!    method is set up for this tenant and invoice, the portal takes the invoice's payment
//!    lock, makes the PaymentIntent for the balance in the invoice's currency (metadata: tenant,
//!    invoice, attempt; `Idempotency-Key` from the SetupIntent) and records whose intent it
//!    is. The answer is `succeeded`, `processing` (bank debits) or `requires_action` (3-D
//!    Secure: the browser finishes with Stripe.js). The invoice is marked paid only by the
//!    webhook's verified event, never here.
//!
//! A second click never makes a second charge: one SetupIntent makes at most one intent (its
//! attempt item, with a lease while the intent is being made, and Stripe's idempotency key),
//! and a second SetupIntent finds the invoice locked while the first payment is under way.

use crate::data::{
    attempt_sk, customer_sk, settings, AttemptRecord, AttemptStatus, CustomerRecord,
    StripeSettingsRecord,
};
use crate::ledger::release_lock;
use crate::secrets::{self, StripeKeys};
use crate::stripe::{is_stripe_id, NewPaymentIntent, PaymentIntent, Stripe, StripeError};
use atrium_invoices::data::{InvoiceRecord, InvoiceStatus, Invoices, PaymentLock};
use atrium_invoices::money::{decimal, minor_digits};
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, parse_json, path_id, RequestMeta};
use atrium_shared::ids::{new_id, now_epoch, now_rfc3339};
use atrium_shared::keys;
use atrium_shared::principal::{Principal, TenantScope};
use atrium_shared::store::records::PaymentIntentRecord;
use atrium_shared::{ApiError, ApiResult, App};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};

/// How long one caller may take to make the intent before another may try again.
const LEASE_SECONDS: i64 = 30;

/// Stripe could not be reached: nothing was charged, or the retry will find the same intent.
pub fn stripe_unavailable(error: StripeError) -> ApiError {
    tracing::warn!(?error, "stripe call failed");
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "stripe_unavailable",
        "Stripe could not be reached. Nothing was charged twice: try again in a minute.",
    )
}

fn not_payable(message: &str) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, "not_payable", message.to_string())
}

/// What every payment call needs: the caller (a client's admin or billing contact), the
/// invoice as they may see it, and the firm's connection.
struct Payable {
    principal: Principal,
    scope: TenantScope,
    invoice: InvoiceRecord,
    settings: StripeSettingsRecord,
    keys: StripeKeys,
}

async fn payable(app: &App, req: &Request) -> ApiResult<Payable> {
    let principal = Principal::from_request(req)?;
    if principal.is_staff() {
        return Err(ApiError::forbidden(
            "invoices are paid by the client's admins and billing contacts",
        ));
    }
    let scope = atrium_invoices::billing_scope(app, &principal, req, true).await?;
    let invoice_id = path_id(req, "invoice")?;
    let invoice = atrium_invoices::invoice_for(app, &principal, &scope, &invoice_id).await?;
    let (Some(settings), Some(keys)) = (settings(app).await?, secrets::keys(app).await?) else {
        return Err(not_payable(
            "the firm does not take payments in the portal; use the invoice's payment details",
        ));
    };
    Ok(Payable {
        principal,
        scope,
        invoice,
        settings,
        keys,
    })
}

fn require_balance(invoice: &InvoiceRecord) -> ApiResult<i64> {
    match invoice.status {
        InvoiceStatus::Paid => Err(not_payable("this invoice is already paid")),
        InvoiceStatus::Sent if invoice.balance_minor() > 0 => Ok(invoice.balance_minor()),
        InvoiceStatus::Sent => Err(not_payable("nothing is left to pay on this invoice")),
        _ => Err(not_payable("this invoice cannot be paid")),
    }
}

/// No other attempt is paying the invoice (the one named may hold it: a retried click).
fn lock_is_free(invoice: &InvoiceRecord, attempt_id: &str, now: i64) -> bool {
    invoice
        .payment_under_way(now)
        .is_none_or(|lock| lock.attempt_id == attempt_id)
}

const UNDER_WAY: &str =
    "a payment of this invoice is already under way; wait for it to finish (a few minutes at most)";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StartBody {
    method: String,
}

#[derive(Serialize)]
struct Started {
    setup_intent: String,
    client_secret: String,
    publishable_key: String,
    stripe_js_url: String,
    method: String,
    amount_minor: i64,
    amount: String,
    currency: String,
}

pub async fn start(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let call = payable(app, &req).await?;
    let body: StartBody = parse_json(&req)?;
    let methods = call.settings.methods();
    let Some(method) = methods.iter().find(|method| **method == body.method) else {
        return Err(ApiError::invalid(
            "method",
            format!("must be one of: {}", methods.join(", ")),
        ));
    };
    let amount_minor = require_balance(&call.invoice)?;
    if call.invoice.payment_under_way(now_epoch()).is_some() {
        return Err(not_payable(UNDER_WAY));
    }
    let stripe =
        Stripe::new(&app.config.stripe_api, &call.keys.secret_key).map_err(stripe_unavailable)?;
    let customer = customer_of(app, &call.scope, &call.settings, &stripe).await?;
    let tenant_id = call.scope.tenant_id().to_string();
    let setup = stripe
        .create_setup_intent(
            &customer,
            method,
            &[
                ("tenant", &tenant_id),
                ("invoice", &call.invoice.id),
                ("payer", &call.principal.sub),
                ("method", method),
            ],
            &format!("atrium-setup-{}", new_id()),
        )
        .await
        .map_err(stripe_unavailable)?;
    let client_secret = setup.client_secret.clone().ok_or_else(|| {
        stripe_unavailable(StripeError::Unavailable(
            "a SetupIntent without a client secret".into(),
        ))
    })?;
    let digits = minor_digits(&call.invoice.currency).unwrap_or(2);
    ok(&Started {
        setup_intent: setup.id,
        client_secret,
        publishable_key: call.settings.publishable_key,
        stripe_js_url: app.config.stripe_js_url.clone(),
        method: (*method).to_string(),
        amount_minor,
        amount: decimal(amount_minor, digits),
        currency: call.invoice.currency,
    })
}

/// The client's Stripe customer under the connected account, made on first payment. Two first
/// payments at once may each make one; the first recorded is kept.
async fn customer_of(
    app: &App,
    scope: &TenantScope,
    settings: &StripeSettingsRecord,
    stripe: &Stripe<'_>,
) -> ApiResult<String> {
    let tenant = app.store.tenant(scope);
    let sk = customer_sk(settings.account_key());
    if let Some(record) = tenant.get::<CustomerRecord>(&sk).await? {
        return Ok(record.customer_id);
    }
    let name = app
        .store
        .profile(scope)
        .await?
        .map(|profile| profile.name)
        .unwrap_or_default();
    let tenant_id = scope.tenant_id().to_string();
    let customer = stripe
        .create_customer(
            &name,
            &tenant_id,
            &format!("atrium-customer-{tenant_id}-{}", settings.account_key()),
        )
        .await
        .map_err(stripe_unavailable)?;
    let record = CustomerRecord {
        customer_id: customer.id,
        created_at: now_rfc3339(),
    };
    let write = tenant.put(&sk, &record, Some("attribute_not_exists(PK)"), &[])?;
    match app.store.transact(vec![write], "customer recorded").await {
        Ok(()) => Ok(record.customer_id),
        Err(_) => tenant
            .get::<CustomerRecord>(&sk)
            .await?
            .map(|record| record.customer_id)
            .ok_or_else(|| ApiError::internal("customer", "neither written nor found")),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfirmBody {
    setup_intent: String,
}

#[derive(Serialize)]
struct Confirmed {
    /// `succeeded`, `processing` or `requires_action`.
    status: &'static str,
    payment_intent: String,
    /// For Stripe.js to finish 3-D Secure (only with `requires_action`).
    client_secret: Option<String>,
    amount_minor: i64,
    currency: String,
}

pub async fn confirm(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let call = payable(app, &req).await?;
    let body: ConfirmBody = parse_json(&req)?;
    if !is_stripe_id(&body.setup_intent, "seti_") {
        return Err(ApiError::invalid(
            "setup_intent",
            "must be the id of the SetupIntent that start answered (seti_…)",
        ));
    }
    let stripe =
        Stripe::new(&app.config.stripe_api, &call.keys.secret_key).map_err(stripe_unavailable)?;
    let tenant = app.store.tenant(&call.scope);
    let attempt_id = body.setup_intent.clone();
    let now = now_epoch();

    let existing = tenant
        .get::<AttemptRecord>(&attempt_sk(&attempt_id))
        .await?;
    // The attempt, the client's customer and the card or account set up: read once each.
    let (attempt, customer, payment_method) = match existing {
        Some(attempt) if attempt.invoice_id != call.invoice.id => {
            return Err(ApiError::invalid(
                "setup_intent",
                "was set up for another invoice",
            ));
        }
        Some(attempt) => {
            if let Some(intent_id) = &attempt.payment_intent {
                // A repeated confirm: the intent this attempt already made, as Stripe has it.
                let intent = stripe
                    .payment_intent(intent_id)
                    .await
                    .map_err(stripe_unavailable)?;
                return answer(app, &call, &attempt, &intent, &req).await;
            }
            if attempt.status == AttemptStatus::Failed {
                return Err(not_payable(
                    "this payment was declined; start again with another card or account",
                ));
            }
            if attempt.lease_until > now {
                return Err(not_payable(UNDER_WAY));
            }
            let attempt = take_lease(app, &call.scope, attempt, now).await?;
            let customer = customer_of(app, &call.scope, &call.settings, &stripe).await?;
            let payment_method = attempt_payment_method(&stripe, &attempt_id).await?;
            (attempt, customer, payment_method)
        }
        None => begin(app, &call, &stripe, &attempt_id, now).await?,
    };

    let card_last4 = stripe
        .payment_method(&payment_method)
        .await
        .ok()
        .and_then(|method| method.last4());
    let tenant_id = call.scope.tenant_id().to_string();
    let currency = attempt.currency.to_lowercase();
    let made = stripe
        .create_payment_intent(
            &NewPaymentIntent {
                amount_minor: attempt.amount_minor,
                currency: &currency,
                customer: &customer,
                payment_method: &payment_method,
                metadata: &[
                    ("tenant", &tenant_id),
                    ("invoice", &attempt.invoice_id),
                    ("attempt", &attempt.id),
                ],
            },
            &format!("atrium-pay-{tenant_id}-{attempt_id}"),
        )
        .await;
    let intent = match made {
        Ok(intent) => intent,
        Err(error @ StripeError::Unavailable(_)) => return Err(stripe_unavailable(error)),
        Err(StripeError::Refused { code, message, .. }) => {
            fail(app, &call, attempt, &req, "payment.declined").await?;
            return Err(declined(code, &message));
        }
    };
    let attempt = record_intent(app, &call, attempt, &intent, card_last4, &req).await?;
    answer(app, &call, &attempt, &intent, &req).await
}

fn declined(code: Option<String>, message: &str) -> ApiError {
    let code = code.unwrap_or_else(|| "card_declined".to_string());
    ApiError::new(
        StatusCode::PAYMENT_REQUIRED,
        "card_declined",
        format!("The payment was declined ({code}): {message} Nothing was charged."),
    )
}

/// A new attempt: the SetupIntent must be this tenant's, for this invoice, set up; then the
/// attempt is recorded and the invoice locked, in one transaction. Answers the attempt, the
/// client's customer and the payment method set up.
async fn begin(
    app: &App,
    call: &Payable,
    stripe: &Stripe<'_>,
    attempt_id: &str,
    now: i64,
) -> ApiResult<(AttemptRecord, String, String)> {
    let amount_minor = require_balance(&call.invoice)?;
    let setup = match stripe.setup_intent(attempt_id).await {
        Ok(setup) => setup,
        Err(error) if error.is_not_found() => {
            return Err(ApiError::invalid("setup_intent", "is not known to Stripe"));
        }
        Err(error) => return Err(stripe_unavailable(error)),
    };
    let tenant_id = call.scope.tenant_id().to_string();
    let customer = customer_of(app, &call.scope, &call.settings, stripe).await?;
    let ours = setup.metadata.get("tenant") == Some(&tenant_id)
        && setup.metadata.get("invoice") == Some(&call.invoice.id)
        && setup.customer.as_deref() == Some(customer.as_str());
    if !ours {
        return Err(ApiError::invalid(
            "setup_intent",
            "was not set up for this invoice",
        ));
    }
    let payment_method = match (setup.status.as_str(), &setup.payment_method) {
        ("succeeded", Some(method)) => method.clone(),
        _ => {
            return Err(not_payable(
                "the card or account was not confirmed with Stripe yet; enter it and try again",
            ))
        }
    };
    if !lock_is_free(&call.invoice, attempt_id, now) {
        return Err(not_payable(UNDER_WAY));
    }
    let payer_email = app
        .store
        .contact(&call.scope, &call.principal.sub)
        .await?
        .map(|contact| contact.email)
        .unwrap_or_default();
    let attempt = AttemptRecord {
        id: attempt_id.to_string(),
        invoice_id: call.invoice.id.clone(),
        payer_sub: call.principal.sub.clone(),
        payer_email,
        method: setup
            .metadata
            .get("method")
            .cloned()
            .unwrap_or_else(|| "card".to_string()),
        amount_minor,
        currency: call.invoice.currency.clone(),
        payment_intent: None,
        card_last4: None,
        status: AttemptStatus::Pending,
        lease_until: now.saturating_add(LEASE_SECONDS),
        created_at: now_rfc3339(),
        version: 1,
    };
    let mut invoice = call.invoice.clone();
    let read_version = invoice.version;
    invoice.payment_lock = Some(PaymentLock {
        attempt_id: attempt_id.to_string(),
        since: now,
    });
    crate::ledger::touch(&mut invoice);
    let tenant = app.store.tenant(&call.scope);
    let writes = vec![
        tenant.put(
            &attempt_sk(attempt_id),
            &attempt,
            Some("attribute_not_exists(PK)"),
            &[],
        )?,
        Invoices::of(tenant).save(&invoice, Some(read_version))?,
    ];
    app.store
        .transact(writes, UNDER_WAY)
        .await
        .map_err(|_| not_payable(UNDER_WAY))?;
    Ok((attempt, customer, payment_method))
}

/// Takes over an attempt whose maker stopped before recording an intent (its lease ran out).
async fn take_lease(
    app: &App,
    scope: &TenantScope,
    mut attempt: AttemptRecord,
    now: i64,
) -> ApiResult<AttemptRecord> {
    let read_version = attempt.version;
    attempt.lease_until = now.saturating_add(LEASE_SECONDS);
    attempt.version = read_version.saturating_add(1);
    let write =
        app.store
            .tenant(scope)
            .replace(&attempt_sk(&attempt.id), &attempt, read_version)?;
    app.store
        .transact(vec![write], UNDER_WAY)
        .await
        .map_err(|_| not_payable(UNDER_WAY))?;
    Ok(attempt)
}

async fn attempt_payment_method(stripe: &Stripe<'_>, attempt_id: &str) -> ApiResult<String> {
    stripe
        .setup_intent(attempt_id)
        .await
        .map_err(stripe_unavailable)?
        .payment_method
        .ok_or_else(|| not_payable("the card or account was not confirmed with Stripe"))
}

/// Whose intent it is (the marker the webhook reads), in the attempt, and in the trail.
async fn record_intent(
    app: &App,
    call: &Payable,
    mut attempt: AttemptRecord,
    intent: &PaymentIntent,
    card_last4: Option<String>,
    req: &Request,
) -> ApiResult<AttemptRecord> {
    let tenant = app.store.tenant(&call.scope);
    let read_version = attempt.version;
    attempt.payment_intent = Some(intent.id.clone());
    attempt.card_last4 = card_last4;
    attempt.status = AttemptStatus::Open;
    attempt.lease_until = 0;
    attempt.version = read_version.saturating_add(1);
    let marker = PaymentIntentRecord {
        payment_intent: intent.id.clone(),
        tenant_id: call.scope.tenant_id().to_string(),
        invoice_id: attempt.invoice_id.clone(),
        attempt_id: attempt.id.clone(),
        amount_minor: attempt.amount_minor,
        currency: attempt.currency.to_lowercase(),
    };
    let writes = vec![
        tenant.create_marker(&keys::stripe_pi_pk(&intent.id), keys::STRIPE_PI_SK, &marker)?,
        tenant.replace(&attempt_sk(&attempt.id), &attempt, read_version)?,
    ];
    let entry = AuditEntry::by(
        &call.scope,
        &call.principal,
        "payment.started",
        &format!("invoice/{}", attempt.invoice_id),
        attempt.version,
        &RequestMeta::of(req),
    );
    app.store
        .transact_audited(writes, &call.scope, vec![entry], UNDER_WAY)
        .await?;
    Ok(attempt)
}

/// The attempt failed: it is closed and the invoice freed for another try.
async fn fail(
    app: &App,
    call: &Payable,
    mut attempt: AttemptRecord,
    req: &Request,
    action: &str,
) -> ApiResult<()> {
    let tenant = app.store.tenant(&call.scope);
    let read_version = attempt.version;
    attempt.status = AttemptStatus::Failed;
    attempt.lease_until = 0;
    attempt.version = read_version.saturating_add(1);
    let mut writes = vec![tenant.replace(&attempt_sk(&attempt.id), &attempt, read_version)?];
    let Some(mut invoice) = Invoices::of(tenant.clone())
        .get(&attempt.invoice_id)
        .await?
    else {
        return Err(ApiError::not_found());
    };
    let invoice_version = invoice.version;
    if release_lock(&mut invoice, Some(&attempt.id)) {
        crate::ledger::touch(&mut invoice);
        writes.push(Invoices::of(tenant).save(&invoice, Some(invoice_version))?);
    }
    let entry = AuditEntry::by(
        &call.scope,
        &call.principal,
        action,
        &format!("invoice/{}", attempt.invoice_id),
        attempt.version,
        &RequestMeta::of(req),
    );
    app.store
        .transact_audited(writes, &call.scope, vec![entry], UNDER_WAY)
        .await
}

async fn answer(
    app: &App,
    call: &Payable,
    attempt: &AttemptRecord,
    intent: &PaymentIntent,
    req: &Request,
) -> ApiResult<Response<Body>> {
    let status = match intent.status.as_str() {
        "succeeded" => "succeeded",
        "processing" | "requires_capture" => "processing",
        "requires_action" | "requires_confirmation" => "requires_action",
        _ => {
            if attempt.status != AttemptStatus::Failed {
                fail(app, call, attempt.clone(), req, "payment.declined").await?;
            }
            return Err(declined(None, "the card or account was not charged."));
        }
    };
    ok(&Confirmed {
        status,
        payment_intent: intent.id.clone(),
        client_secret: (status == "requires_action")
            .then(|| intent.client_secret.clone())
            .flatten(),
        amount_minor: intent.amount,
        currency: attempt.currency.clone(),
    })
}
