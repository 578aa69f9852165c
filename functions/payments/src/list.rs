//! `GET /api/invoices/{invoice}/payments` (a client's admins and billing contacts; 404 for
//! anyone else) and `GET /api/clients/{id}/invoices/{invoice}/payments` (staff): the
//! invoice's payments, oldest first.

use crate::data::{payments_of_invoice_prefix, PaymentRecord};
use crate::view::PaymentView;
use atrium_shared::http::{ok, path_id};
use atrium_shared::principal::Principal;
use atrium_shared::{ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = atrium_invoices::billing_scope(app, &principal, &req, true).await?;
    let invoice_id = path_id(&req, "invoice")?;
    let invoice = atrium_invoices::invoice_for(app, &principal, &scope, &invoice_id).await?;
    let payments: Vec<PaymentView> = app
        .store
        .tenant(&scope)
        .all::<PaymentRecord>(&payments_of_invoice_prefix(&invoice.id), false)
        .await?
        .into_iter()
        .map(PaymentView::from)
        .collect();
    ok(&json!({ "payments": payments }))
}
