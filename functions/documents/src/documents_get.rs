//! `GET /api/documents/{document}` and `GET /api/clients/{id}/documents/{document}`: one
//! document with its confirmed versions, oldest first. Audited.

use crate::data::Documents;
use crate::view::{DocumentView, VersionView};
use atrium_shared::access::scope_for;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, path_id, RequestMeta};
use atrium_shared::principal::Principal;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    let document_id = path_id(&req, "document")?;
    let document = Documents::of(app.store.tenant(&scope))
        .get(&document_id)
        .await?
        .filter(|document| document.latest_version > 0 && crate::visible_to(&principal, document))
        .ok_or_else(ApiError::not_found)?;
    let versions = Documents::of(app.store.tenant(&scope))
        .versions(&document_id)
        .await?;
    let entry = AuditEntry::by(
        &scope,
        &principal,
        "document.viewed",
        &format!("document/{document_id}"),
        document.version,
        &RequestMeta::of(&req),
    );
    app.store.audit(&scope, &entry).await?;
    let mut view = DocumentView::from(document);
    view.versions = Some(versions.into_iter().map(VersionView::from).collect());
    ok(&view)
}
