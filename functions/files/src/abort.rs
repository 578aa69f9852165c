//! `POST {base}/documents/{document}/versions/{number}/abort`: the uploader cancels an upload
//! that is not confirmed. Its parts are discarded in S3 (an abandoned one is removed by the
//! bucket's lifecycle rule a day later) and the version is marked aborted, audited.

use crate::multipart;
use crate::pending::upload_of;
use atrium_documents::data::{Documents, VersionStatus};
use atrium_documents::view::{DocumentView, VersionView};
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, RequestMeta};
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let mut found = upload_of(app, &req).await?;
    match found.version.status {
        VersionStatus::Pending => {}
        VersionStatus::Aborted => {
            // Already cancelled: the same answer again, nothing changes.
            let mut view = DocumentView::from(found.document);
            view.versions = Some(vec![VersionView::from(found.version)]);
            return ok(&view);
        }
        VersionStatus::Confirmed => {
            return Err(ApiError::conflict(
                "this version is already confirmed; it cannot be cancelled",
            ))
        }
    }
    if let Some(upload) = &found.version.multipart {
        multipart::abort(app, &found.version.object_key, &upload.upload_id).await?;
    }
    found.version.status = VersionStatus::Aborted;
    let entry = AuditEntry::by(
        &found.scope,
        &found.principal,
        "document.upload_cancelled",
        &format!("document/{}/v{}", found.document.id, found.version.number),
        u64::from(found.version.number),
        &RequestMeta::of(&req),
    );
    app.store
        .transact_audited(
            vec![Documents::of(app.store.tenant(&found.scope))
                .finish_version(&found.version, VersionStatus::Aborted)?],
            &found.scope,
            vec![entry],
            "the upload changed meanwhile; try again",
        )
        .await?;
    let mut view = DocumentView::from(found.document);
    view.versions = Some(vec![VersionView::from(found.version)]);
    ok(&view)
}
