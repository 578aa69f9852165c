//! Invoices. The firm records them per client (number unique across the firm, dates, currency,
//! lines or a total, an optional PDF and payment link) and moves them draft → sent → paid, or
//! voids them. A client's admins and billing contacts see sent, paid and overdue invoices and
//! download the PDF; other contacts do not learn that invoices exist. Amounts are integers in
//! the currency's minor units.

use crate::data::Invoices;
use atrium_shared::handler;
use atrium_shared::operation::prelude::*;

pub mod content;
pub mod create;
pub mod data;
pub mod firm_list;
pub mod get;
pub mod list;
pub mod money;
pub mod pdf;
pub mod update;
pub mod view;

use crate::data::InvoiceRecord;
use atrium_shared::access::scope_for;
use atrium_shared::mail::{escape_html, notice};
use atrium_shared::principal::{Principal, Role, TenantScope};
use atrium_shared::store::records::UserStatus;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::Request;

/// The scope for reading invoices. Contacts without billing are refused the list (403) and
/// get 404 for any invoice by id, so they learn nothing either way.
pub async fn billing_scope(
    app: &App,
    principal: &Principal,
    req: &Request,
    by_id: bool,
) -> ApiResult<TenantScope> {
    let scope = scope_for(app, principal, req).await?;
    if principal.sees_billing() {
        Ok(scope)
    } else if by_id {
        Err(ApiError::not_found())
    } else {
        Err(ApiError::forbidden(
            "invoices are for your organisation's admins and billing contacts",
        ))
    }
}

/// The invoice named in the path, as this caller may see it: clients never see drafts or
/// voided invoices.
pub async fn invoice_for(
    app: &App,
    principal: &Principal,
    scope: &TenantScope,
    invoice_id: &str,
) -> ApiResult<InvoiceRecord> {
    Invoices::of(app.store.tenant(scope))
        .get(invoice_id)
        .await?
        .filter(|invoice| principal.is_staff() || invoice.status.shown_to_clients())
        .ok_or_else(ApiError::not_found)
}

/// One mail to each active admin and billing contact when an invoice is sent. It names the
/// invoice and its due date and links to the portal; the PDF stays behind sign-in.
pub async fn tell_billing_contacts(app: &App, scope: &TenantScope, invoice: &InvoiceRecord) {
    let Ok(contacts) = app.store.contacts(scope).await else {
        tracing::warn!("invoice notice: contacts not read");
        return;
    };
    let link = format!(
        "{}/invoices/{}",
        app.config.portal_origin.trim_end_matches('/'),
        invoice.id
    );
    let branding = app.branding().await;
    let firm = &branding.firm_name;
    let mail = notice(
        &branding,
        &format!("Invoice {} from {firm}", invoice.number),
        "A new invoice is ready",
        &[format!(
            "Invoice <strong>{}</strong> is due on {}.",
            escape_html(&invoice.number),
            escape_html(&invoice.due_date)
        )],
        &format!("Invoice {} is due on {}.", invoice.number, invoice.due_date),
        ("View the invoice", &link),
    );
    for contact in contacts.into_iter().filter(|contact| {
        contact.status == UserStatus::Active
            && (contact.roles.contains(&Role::Admin) || contact.roles.contains(&Role::Billing))
    }) {
        if let Err(error) = app.mailer.send(&contact.email, &mail).await {
            tracing::warn!(?error, "invoice notice not sent");
        }
    }
}

/// This capability's operations: routes, who may call them, the AWS access each needs
/// (docs/architecture.md, "Adding an operation").
pub const OPERATIONS: &[Operation] = &[
    Operation::http("invoices-create", handler!(create::handle))
    .describe("Records an invoice for a client (number unique across the firm), as a draft or sent.")
    .routes(&[
        Route::new(Post, "/api/clients/{id}/invoices", FIRM),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_WRITE_QUERY,
        SEND_MAIL,
    ]),
    Operation::http("invoices-update", handler!(update::handle))
    .describe("Edits a draft invoice and moves its status (sent, paid, void).")
    .routes(&[
        Route::new(Patch, "/api/clients/{id}/invoices/{invoice}", FIRM),
    ])
    .grants(&[
        TENANT_SESSIONS,
        table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]).firm_keys_only(),
        SEND_MAIL,
    ]),
    Operation::http("invoices-list", handler!(list::handle))
    .describe("A client's invoices (admins and billing contacts; staff see drafts and voided ones too).")
    .routes(&[
        Route::new(Get, "/api/invoices", BILLING),
        Route::new(Get, "/api/clients/{id}/invoices", FIRM),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_READ_QUERY,
    ]),
    Operation::http("invoices-firm-list", handler!(firm_list::handle))
    .describe("The firm's invoices across clients, newest first, with totals per client (staff).")
    .routes(&[
        Route::new(Get, "/api/firm/invoices", FIRM),
    ])
    .grants(&[
        FIRM_READ,
        Grant::new(&["dynamodb:Query"], &[Resource::TableIndex("GSI2")]),
    ]),
    Operation::http("invoices-get", handler!(get::handle))
    .describe("One invoice (admins and billing contacts; 404 for anyone else).")
    .routes(&[
        Route::hidden(Get, "/api/invoices/{invoice}", BILLING),
        Route::new(Get, "/api/clients/{id}/invoices/{invoice}", FIRM),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_READ,
    ]),
    Operation::http("invoices-pdf", handler!(pdf::handle))
    .describe("A five-minute download link for an invoice's PDF; audited.")
    .routes(&[
        Route::hidden(Get, "/api/invoices/{invoice}/pdf", BILLING),
        Route::new(Get, "/api/clients/{id}/invoices/{invoice}/pdf", FIRM),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_WRITE,
    ]),
];
