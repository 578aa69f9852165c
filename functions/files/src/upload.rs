//! `POST /api/requests/{request}/uploads` `{file_name, content_type, size, sha256}`: a client
//! contact starts an upload for a request. The file goes straight to S3, never through the
//! portal, in one of two ways (`upload.kind`):
//!
//! - `single`: a presigned PUT (15 minutes) whose signature covers the type, the exact length
//!   and the SHA-256, for files of up to one part (8 MiB);
//! - `multipart`: an S3 multipart upload; the browser asks for each part's URL with the part's
//!   SHA-256 (`parts.rs`), may ask which parts arrived and resume, and confirms at the end.
//!
//! Nothing about the request changes until the upload is confirmed.

use crate::multipart;
use atrium_documents::data::Documents;
use atrium_documents::data::Requests;
use atrium_documents::data::{
    DocumentOrigin, DocumentRecord, MultipartUpload, ScanState, VersionRecord, VersionStatus,
};
use atrium_documents::rules;
use atrium_shared::access::require_can_act;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{created, parse_json, path_id, RequestMeta};
use atrium_shared::ids::now_rfc3339;
use atrium_shared::objects::{presign_upload, UPLOAD_URL_LIFETIME};
use atrium_shared::principal::{Principal, TenantScope};
use atrium_shared::types::{ContentType, Sha256};
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use serde_json::json;

/// A file as the browser declares it; the media type and checksum are parsed with the body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileBody {
    pub file_name: String,
    pub content_type: ContentType,
    pub size: i64,
    pub sha256: Sha256,
}

/// A declared file, checked against the limits before any URL is issued.
pub struct DeclaredFile {
    pub file_name: String,
    pub content_type: ContentType,
    pub size: i64,
    pub sha256: Sha256,
}

pub fn declared(app: &App, body: FileBody) -> ApiResult<DeclaredFile> {
    Ok(DeclaredFile {
        content_type: rules::content_type(body.content_type)?,
        size: rules::size(body.size, app.config.max_upload_bytes)?,
        sha256: body.sha256,
        file_name: rules::file_name(&body.file_name)?,
    })
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = principal.own_tenant()?;
    require_can_act(&principal)?;
    let request_id = path_id(&req, "request")?;
    let file = declared(app, parse_json(&req)?)?;
    let request = Requests::of(app.store.tenant(&scope))
        .get(&request_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if !request.status.awaits_client() {
        return Err(ApiError::conflict(
            "this request is not waiting for an upload (it was submitted, accepted or cancelled)",
        ));
    }
    // A request's uploads live in one document whose id is the request's.
    let existing = Documents::of(app.store.tenant(&scope))
        .get(&request.id)
        .await?;
    let now = now_rfc3339();
    let (document, read_version) = match existing {
        Some(document) => {
            let read = document.version;
            (document, Some(read))
        }
        None => (
            DocumentRecord {
                id: request.id.clone(),
                tenant_id: scope.tenant_id().to_string(),
                name: request.title.clone(),
                origin: DocumentOrigin::Client,
                request_id: Some(request.id.clone()),
                latest_version: 0,
                allocated_versions: 0,
                billing_only: false,
                created_at: now.clone(),
                updated_at: now.clone(),
                version: 0,
            },
            None,
        ),
    };
    start_upload(
        app,
        &principal,
        &scope,
        document,
        read_version,
        file,
        &RequestMeta::of(&req),
    )
    .await
}

/// Allocates the next version number (never reused, so no object is ever overwritten), records
/// the pending version and answers the presigned upload.
pub async fn start_upload(
    app: &App,
    principal: &Principal,
    scope: &TenantScope,
    mut document: DocumentRecord,
    read_version: Option<u64>,
    file: DeclaredFile,
    meta: &RequestMeta,
) -> ApiResult<Response<Body>> {
    document.allocated_versions += 1;
    document.version += 1;
    document.updated_at = now_rfc3339();
    let number = document.allocated_versions;
    let object_key = atrium_documents::data::object_key(scope, &document.id, number);
    let multipart = match multipart::plan(file.size) {
        None => None,
        Some((part_size, part_count)) => Some(MultipartUpload {
            upload_id: multipart::create(app, &object_key, &file.content_type).await?,
            part_size,
            part_count,
        }),
    };
    let version = VersionRecord {
        document_id: document.id.clone(),
        number,
        object_key: object_key.clone(),
        file_name: file.file_name,
        content_type: file.content_type.clone(),
        size: file.size,
        sha256: file.sha256.clone(),
        uploaded_by: principal.actor_label(),
        status: VersionStatus::Pending,
        created_at: now_rfc3339(),
        confirmed_at: None,
        scan: ScanState::BeingChecked,
        scanned_at: None,
        multipart: multipart.clone(),
        object_checksum: None,
    };
    let entry = AuditEntry::by(
        scope,
        principal,
        "document.upload_started",
        &format!("document/{}/v{number}", document.id),
        document.version,
        meta,
    );
    let items = vec![
        Documents::of(app.store.tenant(scope)).save(&document, read_version)?,
        Documents::of(app.store.tenant(scope)).save_version(&version, None)?,
    ];
    let recorded = app
        .store
        .transact_audited(
            items,
            scope,
            vec![entry],
            "another upload started at the same moment; try again",
        )
        .await;
    if let Err(error) = recorded {
        // Nothing points at the multipart upload: discard it now rather than leave it to
        // the bucket's lifecycle rule.
        if let Some(upload) = &multipart {
            let _ = multipart::abort(app, &object_key, &upload.upload_id).await;
        }
        return Err(error);
    }
    let upload = match &multipart {
        None => {
            let single = presign_upload(
                app,
                &object_key,
                &file.content_type,
                file.size,
                &file.sha256,
            )
            .await?;
            json!({
                "kind": "single",
                "method": single.method,
                "url": single.url,
                "headers": single.headers,
                "expires_in": single.expires_in,
            })
        }
        Some(upload) => json!({
            "kind": "multipart",
            "part_size": upload.part_size,
            "part_count": upload.part_count,
            "expires_in": UPLOAD_URL_LIFETIME.as_secs(),
        }),
    };
    created(&json!({
        "document_id": document.id,
        "version": number,
        "upload": upload,
    }))
}
