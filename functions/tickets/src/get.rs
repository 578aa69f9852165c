//! `GET /api/tickets/{ticket}` (any contact of the client) and
//! `GET /api/clients/{id}/tickets/{ticket}` (staff).

use crate::data::Tickets;
use crate::TicketView;
use atrium_shared::access::scope_for;
use atrium_shared::http::{ok, path_id};
use atrium_shared::principal::Principal;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    let ticket_id = path_id(&req, "ticket")?;
    let ticket = Tickets::of(app.store.tenant(&scope))
        .get(&ticket_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut visible =
        crate::with_visible_attachments(app, &scope, &principal, vec![ticket]).await?;
    let ticket = visible.pop().ok_or_else(ApiError::not_found)?;
    ok(&TicketView::from(ticket))
}
