//! `PATCH /api/clients/{id}/invoices/{invoice}` (staff) `{version, status?, …content}`.
//! A draft's content can change (renumbering releases the old number); after sending, only
//! the payment link and the status. Status moves draft → sent → paid, paid → sent (a payment
//! recorded by mistake), and draft or sent → void; voided numbers stay taken. Sending mails the
//! client's admins and billing contacts.

use crate::content::{apply, attach_pdf, ContentBody};
use crate::data::{number_holder, Invoices};
use crate::data::{InvoiceNumberRecord, InvoiceStatus};
use crate::view::InvoiceView;
use atrium_shared::access::scope_for;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, parse_json, path_id, RequestMeta};
use atrium_shared::ids::now_rfc3339;
use atrium_shared::principal::Principal;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};

fn allowed(from: InvoiceStatus, to: InvoiceStatus) -> bool {
    use InvoiceStatus::*;
    matches!(
        (from, to),
        (Draft, Sent) | (Sent, Paid) | (Paid, Sent) | (Draft, Void) | (Sent, Void)
    )
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff()?;
    let scope = scope_for(app, &principal, &req).await?;
    let invoice_id = path_id(&req, "invoice")?;
    let content: ContentBody = parse_json(&req)?;
    let read_version = content
        .version
        .ok_or_else(|| ApiError::invalid("version", "is required: the version you read"))?;
    let target_status = match content.status.as_deref() {
        None => None,
        Some(text) => Some(
            InvoiceStatus::parse(text)
                .ok_or_else(|| ApiError::invalid("status", "must be draft, sent, paid or void"))?,
        ),
    };
    if target_status.is_none() && content.is_empty() {
        return Err(ApiError::invalid(
            "status",
            "give a status or fields to change",
        ));
    }
    let invoices = Invoices::of(app.store.tenant(&scope));
    let mut invoice = invoices
        .get(&invoice_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if invoice.version != read_version {
        return Err(ApiError::conflict(
            "version: the invoice changed since you read it; reload and try again",
        ));
    }
    let was = invoice.clone();
    let content = &content;
    let edits_beyond_link = content.changes_beyond_payment_link();
    if edits_beyond_link && was.status != InvoiceStatus::Draft {
        return Err(ApiError::conflict(
            "this invoice was sent; only its payment link and status can change",
        ));
    }
    apply(&mut invoice, content)?;
    let mut items = Vec::new();
    if let Some(document_id) = &content.document_id {
        items.extend(attach_pdf(app, &scope, &mut invoice, document_id).await?);
    }
    if invoice.number != was.number {
        if number_holder(&app.store, &invoice.number).await?.is_some() {
            return Err(ApiError::conflict(
                "number: another invoice of the firm already has it",
            ));
        }
        items.push(invoices.release_number(&was.number, &was.id)?);
        items.push(invoices.claim_number(&InvoiceNumberRecord {
            number: invoice.number.clone(),
            tenant_id: scope.tenant_id().to_string(),
            invoice_id: invoice.id.clone(),
        })?);
    }
    let now = now_rfc3339();
    let mut action = "invoice.updated";
    if let Some(to) = target_status.filter(|to| *to != was.status) {
        if !allowed(was.status, to) {
            return Err(ApiError::conflict(format!(
                "status: an invoice cannot go from {} to {}",
                was.status.as_str(),
                to.as_str()
            )));
        }
        invoice.status = to;
        match to {
            InvoiceStatus::Sent if was.status == InvoiceStatus::Draft => {
                invoice.sent_at = Some(now.clone());
                action = "invoice.sent";
            }
            InvoiceStatus::Sent => {
                invoice.paid_at = None;
                action = "invoice.unpaid";
            }
            InvoiceStatus::Paid => {
                invoice.paid_at = Some(now.clone());
                action = "invoice.paid";
            }
            InvoiceStatus::Void => {
                invoice.voided_at = Some(now.clone());
                action = "invoice.voided";
            }
            InvoiceStatus::Draft => {}
        }
    }
    invoice.version += 1;
    invoice.updated_at = now;
    items.push(invoices.save(&invoice, Some(was.version))?);
    let entry = AuditEntry::by(
        &scope,
        &principal,
        action,
        &format!("invoice/{}", invoice.id),
        invoice.version,
        &RequestMeta::of(&req),
    );
    app.store
        .transact_audited(
            items,
            &scope,
            vec![entry],
            "the invoice, its number or its PDF changed meanwhile; reload and try again",
        )
        .await?;
    if action == "invoice.sent" {
        crate::tell_billing_contacts(app, &scope, &invoice).await;
    }
    ok(&InvoiceView::from(invoice))
}
