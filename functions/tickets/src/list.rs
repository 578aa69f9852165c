//! - `GET /api/tickets`: a contact sees their client's tickets, newest first; a staff member
//!   sees the firm's queue across clients (GSI2), sorted by status then oldest change first;
//! - `GET /api/clients/{id}/tickets` (staff): one client's tickets.
//!
//! `?status=` filters (open, in_progress, waiting_on_client, resolved, closed); pages with
//! `?limit=` and `?cursor=`.

use crate::data::TicketStatus;
use crate::data::Tickets;
use crate::TicketView;
use atrium_shared::access::scope_for;
use atrium_shared::http::{ok, query_param};
use atrium_shared::principal::Principal;
use atrium_shared::store::page_limit;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let status = match query_param(&req, "status") {
        None => None,
        Some(text) => Some(TicketStatus::parse(&text).ok_or_else(|| {
            ApiError::invalid(
                "status",
                "must be open, in_progress, waiting_on_client, resolved or closed",
            )
        })?),
    };
    let limit = page_limit(query_param(&req, "limit"), 50, 100)?;
    let cursor = query_param(&req, "cursor");
    let names_a_client = req
        .path_parameters_ref()
        .is_some_and(|params| params.first("id").is_some());
    let page = if principal.is_staff() && !names_a_client {
        crate::data::queue(&app.store, status, limit, cursor.as_deref()).await?
    } else {
        let scope = scope_for(app, &principal, &req).await?;
        let mut page = Tickets::of(app.store.tenant(&scope))
            .page(limit, cursor.as_deref())
            .await?;
        // A client has tens of tickets; filtering the page keeps one list for every status.
        page.items
            .retain(|ticket| status.is_none_or(|status| ticket.status == status));
        page.items = crate::with_visible_attachments(app, &scope, &principal, page.items).await?;
        page
    };
    ok(&json!({
        "tickets": page.items.into_iter().map(TicketView::from).collect::<Vec<_>>(),
        "next_cursor": page.next_cursor,
    }))
}
