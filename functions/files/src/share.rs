//! Documents not tied to a request:
//!
//! - `POST /api/clients/{id}/documents` `{name, file_name, content_type, size, sha256,
//!   audience}`: the firm shares a document (a deliverable, a report, an invoice PDF), version 1;
//!   `audience` is `everyone` (default) or `billing` (the client's admins and billing contacts
//!   only);
//! - `POST /api/clients/{id}/documents/{document}/versions` `{file_name, …}`: its next
//!   version; earlier versions stay;
//! - `POST /api/documents` `{name, file_name, …}`: a contact who can act uploads a document of
//!   their own (an attachment to a ticket, a file answer in a form), version 1.
//!
//! All answer a presigned upload like the client's, confirmed the same way.

use crate::upload::{declared, start_upload, FileBody};
use atrium_documents::data::Documents;
use atrium_documents::data::{DocumentOrigin, DocumentRecord};
use atrium_shared::access::{require_can_act, scope_for};
use atrium_shared::http::{parse_json, RequestMeta};
use atrium_shared::ids::{new_id, now_rfc3339};
use atrium_shared::principal::Principal;
use atrium_shared::types::{ContentType, Sha256};
use atrium_shared::{validate, ApiError, ApiResult, App};
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShareBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    audience: Option<String>,
    // The file's fields, named here rather than flattened from `FileBody`: serde's flatten
    // buffers the body first and loses each value's path, so a wrong type would be reported
    // against "body" instead of its field, and unknown fields could not be refused.
    file_name: String,
    content_type: ContentType,
    size: i64,
    sha256: Sha256,
}

impl ShareBody {
    fn file(&self) -> FileBody {
        FileBody {
            file_name: self.file_name.clone(),
            content_type: self.content_type.clone(),
            size: self.size,
            sha256: self.sha256.clone(),
        }
    }
}

/// Whether the document is for billing contacts only.
fn billing_only(principal: &Principal, audience: Option<&str>) -> ApiResult<bool> {
    match audience {
        None | Some("everyone") => Ok(false),
        Some("billing") if principal.is_staff() => Ok(true),
        Some("billing") => Err(ApiError::invalid(
            "audience",
            "only the firm shares billing documents",
        )),
        Some(_) => Err(ApiError::invalid("audience", "must be everyone or billing")),
    }
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    require_can_act(&principal)?;
    let body: ShareBody = parse_json(&req)?;
    let meta = RequestMeta::of(&req);
    let existing_id = req
        .path_parameters_ref()
        .and_then(|params| params.first("document"))
        .map(str::to_string);
    match existing_id {
        Some(document_id) => {
            principal.require_staff()?;
            let document = Documents::of(app.store.tenant(&scope))
                .get(&document_id)
                .await?
                .ok_or_else(ApiError::not_found)?;
            if document.origin != DocumentOrigin::Firm {
                return Err(ApiError::conflict(
                    "this document holds the client's uploads; share your own document instead",
                ));
            }
            let read = document.version;
            let file = declared(app, body.file())?;
            start_upload(app, &principal, &scope, document, Some(read), file, &meta).await
        }
        None => {
            let billing_only = billing_only(&principal, body.audience.as_deref())?;
            let file = declared(app, body.file())?;
            let name = match body.name {
                Some(name) => validate::name("name", &name, 200)?,
                None => file.file_name.clone(),
            };
            let now = now_rfc3339();
            let document = DocumentRecord {
                id: new_id(),
                tenant_id: scope.tenant_id().to_string(),
                name,
                origin: if principal.is_staff() {
                    DocumentOrigin::Firm
                } else {
                    DocumentOrigin::Client
                },
                request_id: None,
                latest_version: 0,
                allocated_versions: 0,
                billing_only,
                created_at: now.clone(),
                updated_at: now,
                version: 0,
            };
            start_upload(app, &principal, &scope, document, None, file, &meta).await
        }
    }
}
