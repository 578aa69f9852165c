//! `GET /api/invoices/{invoice}` (admins and billing contacts; 404 for anyone else, and for
//! drafts and voided invoices) and `GET /api/clients/{id}/invoices/{invoice}` (staff).

use crate::view::InvoiceView;
use atrium_shared::http::{ok, path_id};
use atrium_shared::principal::Principal;
use atrium_shared::{ApiResult, App};
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = crate::billing_scope(app, &principal, &req, true).await?;
    let invoice_id = path_id(&req, "invoice")?;
    let invoice = crate::invoice_for(app, &principal, &scope, &invoice_id).await?;
    ok(&InvoiceView::from(invoice))
}
