//! The mails a payment sends: a receipt to the payer, a notice to the staff member who issued
//! the invoice, and a note to the payer when a payment did not go through. Like every notice,
//! they say what happened and link to the portal.

use atrium_invoices::data::InvoiceRecord;
use atrium_invoices::money::{decimal, minor_digits};
use atrium_shared::mail::{escape_html, notice};
use atrium_shared::principal::TenantScope;
use atrium_shared::App;

fn money(amount_minor: i64, currency: &str) -> String {
    format!(
        "{} {}",
        currency.to_uppercase(),
        decimal(amount_minor, minor_digits(currency).unwrap_or(2))
    )
}

fn invoice_link(app: &App, invoice: &InvoiceRecord) -> String {
    format!(
        "{}/invoices/{}",
        app.config.portal_origin.trim_end_matches('/'),
        invoice.id
    )
}

pub async fn receipt(app: &App, to: &str, invoice: &InvoiceRecord, amount_minor: i64) {
    let branding = app.branding().await;
    let paid = money(amount_minor, &invoice.currency);
    let balance = invoice.balance_minor();
    let standing = if balance > 0 {
        format!("{} remains to be paid.", money(balance, &invoice.currency))
    } else {
        "The invoice is paid in full.".to_string()
    };
    let mail = notice(
        &branding,
        &format!("Receipt for invoice {}", invoice.number),
        "Thank you: your payment was received",
        &[
            format!(
                "We received <strong>{}</strong> for invoice <strong>{}</strong>.",
                escape_html(&paid),
                escape_html(&invoice.number)
            ),
            escape_html(&standing),
        ],
        &format!(
            "We received {paid} for invoice {}. {standing}",
            invoice.number
        ),
        ("View the invoice", &invoice_link(app, invoice)),
    );
    if let Err(error) = app.mailer.send(to, &mail).await {
        tracing::warn!(?error, "receipt not sent");
    }
}

pub async fn payment_failed(app: &App, to: &str, invoice: &InvoiceRecord) {
    let branding = app.branding().await;
    let mail = notice(
        &branding,
        &format!("Your payment of invoice {} did not go through", invoice.number),
        "Your payment did not go through",
        &[format!(
            "The payment of invoice <strong>{}</strong> was not completed and nothing was charged. You can try again with another card or account.",
            escape_html(&invoice.number)
        )],
        &format!(
            "The payment of invoice {} was not completed and nothing was charged. You can try again with another card or account.",
            invoice.number
        ),
        ("Pay the invoice", &invoice_link(app, invoice)),
    );
    if let Err(error) = app.mailer.send(to, &mail).await {
        tracing::warn!(?error, "payment failure note not sent");
    }
}

/// Tells the staff member who issued the invoice (its `created_by`).
pub async fn tell_firm(
    app: &App,
    scope: &TenantScope,
    invoice: &InvoiceRecord,
    what: &str,
    amount_minor: i64,
) {
    let Some(sub) = invoice.created_by.strip_prefix("staff:") else {
        return;
    };
    let Ok(Some(staff)) = app.store.staff_user(sub).await else {
        return;
    };
    let client = match app.store.profile(scope).await {
        Ok(Some(profile)) => profile.name,
        _ => "A client".to_string(),
    };
    let amount = money(amount_minor, &invoice.currency);
    let link = format!(
        "{}/staff/clients/{}/invoices",
        app.config.portal_origin.trim_end_matches('/'),
        scope.tenant_id()
    );
    let mail = notice(
        &app.branding().await,
        &format!("{client}: {amount} {what} on invoice {}", invoice.number),
        &format!("A payment was {what}"),
        &[format!(
            "{} — {} {} on invoice <strong>{}</strong>.",
            escape_html(&client),
            escape_html(&amount),
            escape_html(what),
            escape_html(&invoice.number)
        )],
        &format!("{client}: {amount} {what} on invoice {}.", invoice.number),
        ("Open the client's invoices", &link),
    );
    if let Err(error) = app.mailer.send(&staff.email, &mail).await {
        tracing::warn!(?error, "payment notice not sent");
    }
}
