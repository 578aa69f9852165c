//! `POST /api/clients/{id}/invoices` (staff) `{number, issue_date, due_date, currency,
//! lines | total_minor, tax_minor?, document_id?, payment_url?, note?, status?}`: records an
//! invoice as a draft, or sends it at once (`"status": "sent"`), which mails the client's admins
//! and billing contacts.

use crate::content::{apply, attach_pdf, ContentBody};
use crate::data::{number_holder, Invoices};
use crate::data::{InvoiceNumberRecord, InvoiceRecord, InvoiceStatus};
use crate::view::InvoiceView;
use atrium_shared::access::scope_for;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{created, parse_json, RequestMeta};
use atrium_shared::ids::{new_id, now_rfc3339};
use atrium_shared::principal::Principal;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff()?;
    let scope = scope_for(app, &principal, &req).await?;
    let content: ContentBody = parse_json(&req)?;
    let send = match content.status.as_deref() {
        None | Some("draft") => false,
        Some("sent") => true,
        Some(_) => return Err(ApiError::invalid("status", "must be draft or sent")),
    };
    let content = &content;
    for (field, given) in [
        ("number", content.number.is_some()),
        ("issue_date", content.issue_date.is_some()),
        ("due_date", content.due_date.is_some()),
        ("currency", content.currency.is_some()),
        (
            "lines",
            content.lines.is_some() || content.total_minor.is_some(),
        ),
    ] {
        if !given {
            return Err(ApiError::invalid(
                field,
                if field == "lines" {
                    "give lines or total_minor"
                } else {
                    "is required"
                },
            ));
        }
    }
    let now = now_rfc3339();
    let mut invoice = InvoiceRecord {
        id: new_id(),
        tenant_id: scope.tenant_id().to_string(),
        number: String::new(),
        issue_date: String::new(),
        due_date: String::new(),
        currency: String::new(),
        lines: Vec::new(),
        subtotal_minor: 0,
        tax_minor: 0,
        total_minor: 0,
        status: InvoiceStatus::Draft,
        document_id: None,
        payment_url: None,
        note: String::new(),
        created_by: principal.actor_label(),
        sent_at: None,
        paid_at: None,
        voided_at: None,
        paid_minor: 0,
        payment_lock: None,
        created_at: now.clone(),
        updated_at: now.clone(),
        version: 1,
    };
    apply(&mut invoice, content)?;
    let taken = || ApiError::conflict("number: another invoice of the firm already has it");
    if number_holder(&app.store, &invoice.number).await?.is_some() {
        return Err(taken());
    }
    let mut items = Vec::new();
    if let Some(document_id) = &content.document_id {
        items.extend(attach_pdf(app, &scope, &mut invoice, document_id).await?);
    }
    if send {
        invoice.status = InvoiceStatus::Sent;
        invoice.sent_at = Some(now);
    }
    let meta = RequestMeta::of(&req);
    let target = format!("invoice/{}", invoice.id);
    let mut entries = vec![AuditEntry::by(
        &scope,
        &principal,
        "invoice.created",
        &target,
        invoice.version,
        &meta,
    )];
    if send {
        entries.push(AuditEntry::by(
            &scope,
            &principal,
            "invoice.sent",
            &target,
            invoice.version,
            &meta,
        ));
    }
    let invoices = Invoices::of(app.store.tenant(&scope));
    items.push(invoices.save(&invoice, None)?);
    items.push(invoices.claim_number(&InvoiceNumberRecord {
        number: invoice.number.clone(),
        tenant_id: scope.tenant_id().to_string(),
        invoice_id: invoice.id.clone(),
    })?);
    app.store
        .transact_audited(
            items,
            &scope,
            entries,
            "number: another invoice of the firm already has it, or the PDF changed meanwhile",
        )
        .await?;
    if send {
        crate::tell_billing_contacts(app, &scope, &invoice).await;
    }
    created(&InvoiceView::from(invoice))
}
