//! `POST /api/documents/{document}/versions/{number}/confirm` (the client's uploads) and
//! `POST /api/clients/{id}/documents/{document}/versions/{number}/confirm` (the firm's):
//! completes a multipart upload once all its parts arrived, checks that S3 holds the object
//! with exactly the declared length and type (and, for a single PUT, SHA-256), then records the
//! version (being checked for malware until the scan answers), and for a request's upload moves the request to submitted, all in one
//! transaction with its audit entry. The request's owner gets one email per submission.

use crate::multipart;
use crate::pending::{upload_of, Upload};
use atrium_documents::data::Documents;
use atrium_documents::data::Requests;
use atrium_documents::data::{
    MultipartUpload, RequestRecord, RequestStatus, ScanState, VersionRecord, VersionStatus,
};
use atrium_documents::view::{DocumentView, VersionView};
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, RequestMeta};
use atrium_shared::ids::now_rfc3339;
use atrium_shared::mail::{escape_html, notice};
use atrium_shared::principal::TenantScope;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    // The malware scan may record its verdict between this confirm's read and its write (the
    // write is conditional on the verdict it read): read again once, so a quarantine is never
    // lost and the person does not see a conflict they did not cause.
    let req = &req;
    atrium_shared::error::again_once_on_conflict(|| confirm(app, req)).await
}

async fn confirm(app: &App, req: &Request) -> ApiResult<Response<Body>> {
    let req = req.clone();
    // Clients confirm their own uploads; the firm confirms what it shares.
    let Upload {
        principal,
        scope,
        mut document,
        mut version,
    } = upload_of(app, &req).await?;
    let number = version.number;
    if version.status == VersionStatus::Confirmed {
        return Err(ApiError::conflict("this version is already confirmed"));
    }

    if version.status == VersionStatus::Aborted {
        return Err(ApiError::conflict(
            "this upload was cancelled; start a new one",
        ));
    }
    if let Some(upload) = &version.multipart {
        assemble(app, &version, upload).await?;
    }
    let stored = atrium_shared::objects::stored_object(app, &version.object_key)
        .await?
        .ok_or_else(|| {
            ApiError::conflict("upload: the file has not arrived yet; upload it, then confirm")
        })?;
    if stored.size != version.size {
        return Err(ApiError::conflict(format!(
            "upload: the stored file has {} bytes, not the {} declared; upload it again",
            stored.size, version.size
        )));
    }
    // A single PUT's checksum is the file's SHA-256, which S3 verified against the declared one.
    // A multipart object's is S3's checksum of its parts' checksums, each verified on arrival.
    if version.multipart.is_none() && stored.sha256.as_deref() != Some(version.sha256.as_str()) {
        return Err(ApiError::conflict(
            "upload: the stored file's SHA-256 does not match the one declared; upload it again",
        ));
    }
    if stored.content_type.as_deref() != Some(version.content_type.as_str()) {
        return Err(ApiError::conflict(
            "upload: the stored file's type does not match the one declared; upload it again",
        ));
    }
    version.object_checksum = stored.sha256.clone();

    let meta = RequestMeta::of(&req);
    let now = now_rfc3339();
    version.status = VersionStatus::Confirmed;
    version.confirmed_at = Some(now.clone());
    let read_document = document.version;
    document.version += 1;
    document.latest_version = document.latest_version.max(number);
    document.updated_at = now.clone();
    let target = format!("document/{}/v{number}", document.id);
    let mut items = vec![
        Documents::of(app.store.tenant(&scope))
            .finish_version(&version, VersionStatus::Confirmed)?,
        Documents::of(app.store.tenant(&scope)).save(&document, Some(read_document))?,
    ];
    let mut entries = vec![AuditEntry::by(
        &scope,
        &principal,
        "document.confirmed",
        &target,
        document.version,
        &meta,
    )];
    let mut submitted = None;
    if let Some(request_id) = &document.request_id {
        let mut request = Requests::of(app.store.tenant(&scope))
            .get(request_id)
            .await?
            .ok_or_else(ApiError::not_found)?;
        if !request.status.awaits_client() {
            return Err(ApiError::conflict(
                "this request is no longer waiting for an upload; nothing was recorded",
            ));
        }
        let read_request = request.version;
        request.document_id = Some(document.id.clone());
        request.version += 1;
        request.updated_at = now;
        // Scanned and quarantined before it was confirmed: the request waits for the client
        // again, as it would had the verdict come after.
        let action = if version.scan == ScanState::Quarantined {
            request.status = RequestStatus::Rejected;
            request.rejection_reason = Some(crate::scan::quarantine_reason(&version.file_name));
            request.reminders_sent.clear();
            "request.rejected"
        } else {
            request.status = RequestStatus::Submitted;
            "request.submitted"
        };
        items.push(Requests::of(app.store.tenant(&scope)).replace(&request, read_request)?);
        entries.push(AuditEntry::by(
            &scope,
            &principal,
            action,
            &format!("request/{}", request.id),
            request.version,
            &meta,
        ));
        if request.status == RequestStatus::Submitted {
            submitted = Some(request);
        }
    }
    app.store
        .transact_audited(
            items,
            &scope,
            entries,
            "the document changed meanwhile; confirm again",
        )
        .await?;
    if let Some(request) = &submitted {
        tell_owner(app, &scope, request).await;
    }
    let mut view = DocumentView::from(document);
    view.versions = Some(vec![VersionView::from(version)]);
    ok(&view)
}

/// Completes a multipart upload once every part has arrived with its length. A confirm retried
/// after S3 completed it (S3 no longer knows the upload) goes on to check the object itself.
async fn assemble(app: &App, version: &VersionRecord, upload: &MultipartUpload) -> ApiResult<()> {
    let Some(parts) = multipart::stored_parts(app, &version.object_key, &upload.upload_id).await?
    else {
        return Ok(());
    };
    if let Some(problem) =
        multipart::missing(&parts, version.size, upload.part_size, upload.part_count)
    {
        return Err(ApiError::conflict(problem));
    }
    let wanted: Vec<_> = parts
        .into_iter()
        .filter(|part| part.number <= upload.part_count)
        .collect();
    multipart::complete(app, &version.object_key, &upload.upload_id, &wanted).await
}

/// One mail to the staff member who asked. It names the request, not the file's content.
async fn tell_owner(app: &App, scope: &TenantScope, request: &RequestRecord) {
    let client_name = match app.store.profile(scope).await {
        Ok(Some(profile)) => profile.name,
        _ => "A client".to_string(),
    };
    let link = format!(
        "{}/staff/clients/{}/requests/{}",
        app.config.portal_origin.trim_end_matches('/'),
        scope.tenant_id(),
        request.id
    );
    let mail = notice(
        &app.branding().await,
        &format!("{client_name} submitted \u{201c}{}\u{201d}", request.title),
        "A document was submitted",
        &[format!(
            "{} uploaded a document for \u{201c}{}\u{201d}. It is ready for your review.",
            escape_html(&client_name),
            escape_html(&request.title)
        )],
        &format!(
            "{client_name} uploaded a document for \"{}\". It is ready for your review.",
            request.title
        ),
        ("Review it", &link),
    );
    if let Err(error) = app.mailer.send(&request.owner_email, &mail).await {
        tracing::warn!(?error, "submission notice not sent");
    }
}
