//! `GET /api/firm/invoices` (firm staff): the firm's invoices across clients, newest issue
//! date first (GSI2), paged with `?limit=` (default 50, at most 100) and `?cursor=`, each with
//! its client's name, and per client and currency the totals of the page: invoiced, paid,
//! still owed and overdue. One index query and one read per client on the page, whatever the
//! number of clients.

use crate::data::{firm_page, InvoiceStatus};
use crate::view::{is_overdue, InvoiceView};
use atrium_shared::http::{ok, query_param};
use atrium_shared::principal::Principal;
use atrium_shared::store::page_limit;
use atrium_shared::{ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
struct FirmInvoice {
    #[serde(flatten)]
    invoice: InvoiceView,
    client_name: String,
}

/// One client's invoices of one currency on the page.
#[derive(Serialize, Default)]
struct ClientTotals {
    client_id: String,
    client_name: String,
    currency: String,
    count: u32,
    invoiced_minor: i64,
    paid_minor: i64,
    balance_minor: i64,
    overdue_minor: i64,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff()?;
    let limit = page_limit(query_param(&req, "limit"), 50, 100)?;
    let cursor = query_param(&req, "cursor");
    let page = firm_page(&app.store, limit, cursor.as_deref()).await?;

    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for invoice in &page.items {
        if !names.contains_key(&invoice.tenant_id) {
            let name = app
                .store
                .client_record(&invoice.tenant_id)
                .await?
                .map(|client| client.name)
                .unwrap_or_default();
            names.insert(invoice.tenant_id.clone(), name);
        }
    }

    let mut totals: BTreeMap<(String, String), ClientTotals> = BTreeMap::new();
    for invoice in page
        .items
        .iter()
        .filter(|invoice| !matches!(invoice.status, InvoiceStatus::Draft | InvoiceStatus::Void))
    {
        let client_name = names.get(&invoice.tenant_id).cloned().unwrap_or_default();
        let row = totals
            .entry((invoice.tenant_id.clone(), invoice.currency.clone()))
            .or_insert_with(|| ClientTotals {
                client_id: invoice.tenant_id.clone(),
                client_name,
                currency: invoice.currency.clone(),
                ..ClientTotals::default()
            });
        let balance = invoice.balance_minor();
        row.count = row.count.saturating_add(1);
        row.invoiced_minor = row.invoiced_minor.saturating_add(invoice.total_minor);
        row.paid_minor = row
            .paid_minor
            .saturating_add(invoice.total_minor.saturating_sub(balance));
        row.balance_minor = row.balance_minor.saturating_add(balance);
        if is_overdue(invoice) {
            row.overdue_minor = row.overdue_minor.saturating_add(balance);
        }
    }

    let invoices: Vec<FirmInvoice> = page
        .items
        .into_iter()
        .map(|invoice| FirmInvoice {
            client_name: names.get(&invoice.tenant_id).cloned().unwrap_or_default(),
            invoice: InvoiceView::from(invoice),
        })
        .collect();
    ok(&serde_json::json!({
        "invoices": invoices,
        "clients": totals.into_values().collect::<Vec<_>>(),
        "next_cursor": page.next_cursor,
    }))
}
