//! How payments and refunds move an invoice: the writes, for one transaction with the caller's
//! own (the payment record, the event marker, the audit entry). The invoice is replaced at the
//! version read, so two settlements of one invoice at once never both count on the same
//! balance: the second fails its condition and is read and applied again.

use crate::data::{payment_sk, PaymentRecord};
use atrium_invoices::data::{InvoiceRecord, InvoiceStatus, Invoices};
use atrium_shared::ids::now_rfc3339;
use atrium_shared::store::{TenantStore, Write};
use atrium_shared::ApiResult;

/// Adds a payment: the invoice's paid amount grows, it is paid once nothing is left, and the
/// lock of the attempt that paid (if any) is released.
pub fn settle(
    tenant: TenantStore<'_>,
    invoice: &mut InvoiceRecord,
    payment: &PaymentRecord,
    attempt_id: Option<&str>,
) -> ApiResult<Vec<Write>> {
    let read_version = invoice.version;
    invoice.paid_minor = invoice.paid_minor.saturating_add(payment.amount_minor);
    if invoice.status == InvoiceStatus::Sent && invoice.paid_minor >= invoice.total_minor {
        invoice.status = InvoiceStatus::Paid;
        invoice.paid_at = Some(now_rfc3339());
    }
    release_lock(invoice, attempt_id);
    touch(invoice);
    Ok(vec![
        tenant.create(&payment_sk(&payment.invoice_id, &payment.id), payment)?,
        Invoices::of(tenant).save(invoice, Some(read_version))?,
    ])
}

/// Records that `refunded_total` of the payment has now been refunded (Stripe reports the
/// running total, so a redelivered or reordered event converges). A paid invoice that owes
/// something again goes back to sent.
pub fn refund(
    tenant: TenantStore<'_>,
    invoice: &mut InvoiceRecord,
    payment: &mut PaymentRecord,
    refunded_total: i64,
) -> ApiResult<Option<Vec<Write>>> {
    let refunded_total = refunded_total.clamp(0, payment.amount_minor);
    let more = refunded_total.saturating_sub(payment.refunded_minor);
    if more <= 0 {
        return Ok(None);
    }
    let (invoice_version, payment_version) = (invoice.version, payment.version);
    payment.refunded_minor = refunded_total;
    payment.version = payment_version.saturating_add(1);
    invoice.paid_minor = invoice.paid_minor.saturating_sub(more).max(0);
    if invoice.status == InvoiceStatus::Paid && invoice.paid_minor < invoice.total_minor {
        invoice.status = InvoiceStatus::Sent;
        invoice.paid_at = None;
    }
    touch(invoice);
    Ok(Some(vec![
        tenant.replace(
            &payment_sk(&payment.invoice_id, &payment.id),
            payment,
            payment_version,
        )?,
        Invoices::of(tenant).save(invoice, Some(invoice_version))?,
    ]))
}

/// Frees the invoice for another payment when `attempt_id` holds it.
pub fn release_lock(invoice: &mut InvoiceRecord, attempt_id: Option<&str>) -> bool {
    let held = invoice
        .payment_lock
        .as_ref()
        .is_some_and(|lock| Some(lock.attempt_id.as_str()) == attempt_id);
    if held {
        invoice.payment_lock = None;
    }
    held
}

pub fn touch(invoice: &mut InvoiceRecord) {
    invoice.version = invoice.version.saturating_add(1);
    invoice.updated_at = now_rfc3339();
}
