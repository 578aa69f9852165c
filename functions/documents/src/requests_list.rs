//! Lists of document requests.
//!
//! - `GET /api/requests` (a client contact): their organisation's requests, newest first, with
//!   overdue flagged; cancelled ones are left out.
//! - `GET /api/clients/{id}/requests` (staff): one client's requests, cancelled included.
//! - `GET /api/requests?status=outstanding|submitted|accepted|rejected|overdue` (staff): across
//!   every client, by due date, from an index (no client-by-client reads).
//!
//! Every view is written to the audit trail of each client it showed.

use crate::data::Requests;
use crate::data::{requests_due_by, requests_in_status};
use crate::data::{RequestRecord, RequestStatus};
use crate::view::RequestView;
use atrium_shared::access::scope_for;
use atrium_shared::audit::AuditEntry;
use atrium_shared::dates::today;
use atrium_shared::http::{ok, query_param, RequestMeta};
use atrium_shared::principal::{Principal, TenantScope};
use atrium_shared::store::page_limit;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let limit = page_limit(query_param(&req, "limit"), 50, 100)?;
    let cursor = query_param(&req, "cursor");
    let meta = RequestMeta::of(&req);
    let names_client = req
        .path_parameters_ref()
        .is_some_and(|params| params.first("id").is_some());

    if principal.is_staff() && !names_client {
        return firm_wide(app, &principal, &req, limit, cursor.as_deref(), &meta).await;
    }
    let scope = scope_for(app, &principal, &req).await?;
    let page = Requests::of(app.store.tenant(&scope))
        .page(limit, cursor.as_deref())
        .await?;
    let mut items: Vec<RequestRecord> = page.items;
    if !principal.is_staff() {
        items.retain(|record| record.status != RequestStatus::Cancelled);
    }
    let entry = AuditEntry::by(&scope, &principal, "requests.viewed", "requests", 0, &meta);
    app.store.audit(&scope, &entry).await?;
    ok(&json!({
        "requests": items.into_iter().map(RequestView::from).collect::<Vec<_>>(),
        "next_cursor": page.next_cursor,
    }))
}

async fn firm_wide(
    app: &App,
    principal: &Principal,
    req: &Request,
    limit: i32,
    cursor: Option<&str>,
    meta: &RequestMeta,
) -> ApiResult<Response<Body>> {
    let status = query_param(req, "status").unwrap_or_else(|| "outstanding".to_string());
    let page = match status.as_str() {
        "overdue" => {
            let yesterday = atrium_shared::dates::days_from_today(-1);
            let mut page = requests_due_by(&app.store, &yesterday, limit, cursor).await?;
            page.items.retain(|(_, record)| record.due_date < today());
            page
        }
        other => {
            let status =
                match other {
                    "outstanding" => RequestStatus::Outstanding,
                    "submitted" => RequestStatus::Submitted,
                    "accepted" => RequestStatus::Accepted,
                    "rejected" => RequestStatus::Rejected,
                    "cancelled" => RequestStatus::Cancelled,
                    _ => return Err(ApiError::invalid(
                        "status",
                        "must be outstanding, submitted, accepted, rejected, cancelled or overdue",
                    )),
                };
            requests_in_status(&app.store, status, limit, cursor).await?
        }
    };
    // One audit entry in each client's trail whose requests this page showed.
    let mut scopes: Vec<TenantScope> = Vec::new();
    for (scope, _) in &page.items {
        if !scopes.contains(scope) {
            scopes.push(scope.clone());
        }
    }
    let entries: Vec<_> = scopes
        .into_iter()
        .map(|scope| {
            let entry = AuditEntry::by(&scope, principal, "requests.viewed", "requests", 0, meta);
            (scope, entry)
        })
        .collect();
    app.store.audit_reads(&entries).await?;
    ok(&json!({
        "requests": page
            .items
            .into_iter()
            .map(|(_, record)| RequestView::from(record))
            .collect::<Vec<_>>(),
        "next_cursor": page.next_cursor,
    }))
}
