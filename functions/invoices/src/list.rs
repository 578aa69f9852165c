//! `GET /api/invoices` (a client's admins and billing contacts: sent, paid and overdue) and
//! `GET /api/clients/{id}/invoices` (staff: every invoice of the client). `?status=` filters
//! by the status people see (`overdue` included). Newest first.

use crate::data::Invoices;
use crate::view::{shown_status, InvoiceView};
use atrium_shared::http::{ok, query_param};
use atrium_shared::principal::Principal;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde_json::json;

const STATUSES: [&str; 5] = ["draft", "sent", "paid", "void", "overdue"];

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = crate::billing_scope(app, &principal, &req, false).await?;
    let wanted = query_param(&req, "status");
    if let Some(status) = wanted.as_deref() {
        if !STATUSES.contains(&status) {
            return Err(ApiError::invalid(
                "status",
                "must be draft, sent, paid, void or overdue",
            ));
        }
    }
    let invoices = Invoices::of(app.store.tenant(&scope))
        .all()
        .await?
        .into_iter()
        .filter(|invoice| principal.is_staff() || invoice.status.shown_to_clients())
        .filter(|invoice| {
            wanted
                .as_deref()
                .is_none_or(|want| shown_status(invoice) == want)
        })
        .map(InvoiceView::from)
        .collect::<Vec<_>>();
    let outstanding_minor: i64 = invoices
        .iter()
        .filter(|invoice| invoice.status == "sent" || invoice.status == "overdue")
        .map(|invoice| invoice.total_minor)
        .sum();
    ok(&json!({ "invoices": invoices, "outstanding_minor": outstanding_minor }))
}
