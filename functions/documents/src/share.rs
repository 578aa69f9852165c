//! The firm shares a document with a client (a deliverable, a report, a contract):
//!
//! - `POST /api/clients/{id}/documents` `{name, file_name, content_type, size, sha256}`: a new
//!   document, version 1;
//! - `POST /api/clients/{id}/documents/{document}/versions` `{file_name, …}`: its next
//!   version; earlier versions stay.
//!
//! Both answer a presigned upload like the client's, confirmed the same way.

use crate::upload::{declared, start_upload, FileBody};
use atrium_shared::access::scope_for;
use atrium_shared::http::{parse_json, RequestMeta};
use atrium_shared::ids::{new_id, now_rfc3339};
use atrium_shared::principal::Principal;
use atrium_shared::store::records::{DocumentOrigin, DocumentRecord};
use atrium_shared::{validate, ApiError, ApiResult, App};
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Deserialize;

#[derive(Deserialize)]
struct ShareBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(flatten)]
    file: FileBody,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff()?;
    let scope = scope_for(app, &principal, &req).await?;
    let body: ShareBody = parse_json(&req)?;
    let meta = RequestMeta::of(&req);
    let existing_id = req
        .path_parameters_ref()
        .and_then(|params| params.first("document"))
        .map(str::to_string);
    match existing_id {
        Some(document_id) => {
            let document = app
                .store
                .document(&scope, &document_id)
                .await?
                .ok_or_else(ApiError::not_found)?;
            if document.origin != DocumentOrigin::Firm {
                return Err(ApiError::conflict(
                    "this document holds the client's uploads for a request; share your own document instead",
                ));
            }
            let read = document.version;
            let file = declared(app, body.file)?;
            start_upload(app, &principal, &scope, document, Some(read), file, &meta).await
        }
        None => {
            let file = declared(app, body.file)?;
            let name = match body.name {
                Some(name) => validate::name("name", &name, 200)?,
                None => file.file_name.clone(),
            };
            let now = now_rfc3339();
            let document = DocumentRecord {
                id: new_id(),
                tenant_id: scope.tenant_id().to_string(),
                name,
                origin: DocumentOrigin::Firm,
                request_id: None,
                latest_version: 0,
                allocated_versions: 0,
                created_at: now.clone(),
                updated_at: now,
                version: 0,
            };
            start_upload(app, &principal, &scope, document, None, file, &meta).await
        }
    }
}
