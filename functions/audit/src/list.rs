//! `GET /api/audit` (a client admin: their organisation) and `GET /api/clients/{id}/audit`
//! (staff): the trail in order, `?action=` (exact) and `?target=` (prefix) to narrow it,
//! `?limit=&cursor=` to page. `GET /api/firm/audit` (firm admins): the firm's own trail
//! (branding, staff, settings), paged the same way.

use crate::trail::Trail;
use crate::trail_scope;
use atrium_shared::http::{ok, query_param};
use atrium_shared::principal::Principal;
use atrium_shared::store::page_limit;
use atrium_shared::store::tenant::AuditFilter;
use atrium_shared::{ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = trail_scope(app, &principal, &req).await?;
    let limit = page_limit(query_param(&req, "limit"), 50, 200)?;
    let filter = AuditFilter {
        action: query_param(&req, "action").filter(|value| !value.is_empty()),
        target: query_param(&req, "target").filter(|value| !value.is_empty()),
    };
    let page = app
        .store
        .audit_entries(
            &scope,
            limit,
            query_param(&req, "cursor").as_deref(),
            &filter,
        )
        .await?;
    ok(&json!({ "entries": page.items, "next_cursor": page.next_cursor }))
}

pub async fn handle_firm(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff_admin()?;
    let limit = page_limit(query_param(&req, "limit"), 50, 200)?;
    let page = Trail::Firm
        .page(
            app,
            limit,
            query_param(&req, "cursor").as_deref(),
            &AuditFilter::default(),
        )
        .await?;
    ok(&json!({ "entries": page.items, "next_cursor": page.next_cursor }))
}
