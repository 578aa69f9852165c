//! `GET /api/documents` (a contact: everything shared with or uploaded by their organisation)
//! and `GET /api/clients/{id}/documents` (staff). Only documents with a confirmed version are
//! listed. Each view is audited.

use crate::data::Documents;
use crate::view::DocumentView;
use atrium_shared::access::scope_for;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, query_param, RequestMeta};
use atrium_shared::principal::Principal;
use atrium_shared::store::page_limit;
use atrium_shared::{ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    let limit = page_limit(query_param(&req, "limit"), 50, 100)?;
    let cursor = query_param(&req, "cursor");
    let page = Documents::of(app.store.tenant(&scope))
        .page(limit, cursor.as_deref())
        .await?;
    let entry = AuditEntry::by(
        &scope,
        &principal,
        "documents.viewed",
        "documents",
        0,
        &RequestMeta::of(&req),
    );
    app.store.audit(&scope, &entry).await?;
    ok(&json!({
        "documents": page
            .items
            .into_iter()
            .filter(|document| document.latest_version > 0 && crate::visible_to(&principal, document))
            .map(DocumentView::from)
            .collect::<Vec<_>>(),
        "next_cursor": page.next_cursor,
    }))
}
