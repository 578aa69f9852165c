//! `GET /api/invoices/{invoice}/pdf` and `GET /api/clients/{id}/invoices/{invoice}/pdf`: a
//! five-minute download link for the invoice's PDF (its latest version). Audited.

use atrium_documents::data::Documents;
use atrium_documents::data::VersionStatus;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, path_id, RequestMeta};
use atrium_shared::objects::attachment_disposition;
use atrium_shared::objects::{presign_download, DOWNLOAD_URL_LIFETIME};
use atrium_shared::principal::Principal;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = crate::billing_scope(app, &principal, &req, true).await?;
    let invoice_id = path_id(&req, "invoice")?;
    let invoice = crate::invoice_for(app, &principal, &scope, &invoice_id).await?;
    let no_pdf = || {
        ApiError::new(
            http::StatusCode::NOT_FOUND,
            "not_found",
            "this invoice has no PDF",
        )
    };
    let document_id = invoice.document_id.as_deref().ok_or_else(no_pdf)?;
    let document = Documents::of(app.store.tenant(&scope))
        .get(document_id)
        .await?
        .ok_or_else(no_pdf)?;
    let version = Documents::of(app.store.tenant(&scope))
        .version(document_id, document.latest_version)
        .await?
        .filter(|version| version.status == VersionStatus::Confirmed)
        .ok_or_else(no_pdf)?;
    let file_name = format!("invoice-{}.pdf", invoice.number.replace('/', "-"));
    let url = presign_download(
        app,
        &version.object_key,
        &attachment_disposition(&file_name),
    )
    .await?;
    let entry = AuditEntry::by(
        &scope,
        &principal,
        "invoice.pdf_downloaded",
        &format!("invoice/{}", invoice.id),
        invoice.version,
        &RequestMeta::of(&req),
    );
    app.store.audit(&scope, &entry).await?;
    ok(&json!({
        "url": url,
        "file_name": file_name,
        "expires_in": DOWNLOAD_URL_LIFETIME.as_secs(),
    }))
}
