//! `POST /api/clients/{id}/signature-requests`
//! `{title, document_id, version, signers, fields, message?, reminder_days?}`: the firm asks
//! for signatures on one version of a PDF. `signers` name contacts of the client and staff
//! countersigners (`{contact}` or `{staff}`, with an optional `group`: equal groups sign in
//! parallel, lower groups first); `fields` place signature, initials, date and text fields
//! per signer on the pages. The first group is mailed at once.

use crate::data::{RequestStatus, SignatureRequest, SignatureRequests};
use crate::placement::{FieldInput, SignerInput};
use atrium_documents::data::Documents;
use atrium_shared::access::scope_for;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{created, parse_json, RequestMeta};
use atrium_shared::ids::{new_id, now_rfc3339};
use atrium_shared::principal::Principal;
use atrium_shared::types::RecordId;
use atrium_shared::validate::text;
use atrium_shared::{validate, ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

/// Days between reminders unless the firm says otherwise.
pub const DEFAULT_REMINDER_DAYS: u32 = 3;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    title: String,
    document_id: RecordId,
    version: u32,
    signers: Vec<SignerInput>,
    #[serde(default)]
    fields: Vec<FieldInput>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    reminder_days: Option<u32>,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff()?;
    let scope = scope_for(app, &principal, &req).await?;
    let body: CreateBody = parse_json(&req)?;
    let title = validate::name("title", &body.title, 200)?;
    let message = body
        .message
        .as_deref()
        .map(|message| text("message", message, 4000))
        .transpose()?
        .filter(|message| !message.is_empty());
    let reminder_days = body.reminder_days.unwrap_or(DEFAULT_REMINDER_DAYS);
    if reminder_days > 30 {
        return Err(ApiError::invalid(
            "reminder_days",
            "must be 0 (no reminders) to 30",
        ));
    }
    let documents = Documents::of(app.store.tenant(&scope));
    let document = documents
        .get(&body.document_id)
        .await?
        .ok_or_else(|| ApiError::invalid("document_id", "is not a document of this client"))?;
    let version = documents
        .version(&body.document_id, body.version)
        .await?
        .filter(|version| version.status == atrium_documents::data::VersionStatus::Confirmed)
        .ok_or_else(|| {
            ApiError::invalid("version", "is not a confirmed version of that document")
        })?;
    version
        .servable()
        .map_err(|reason| ApiError::conflict(format!("version: {reason}")))?;
    let original = crate::seal::original_pdf(app, &version).await?;
    let pages = atrium_pdfseal::page_sizes(&original).map_err(|_| {
        ApiError::invalid(
            "version",
            "is not a PDF the portal can read; fields and signatures need a PDF",
        )
    })?;
    let page_count = u32::try_from(pages.len()).unwrap_or(u32::MAX);
    let mut signers = crate::placement::signers(app, &scope, &document, &body.signers).await?;
    let fields = crate::placement::fields(&body.fields, &signers, page_count)?;
    let requester = app
        .store
        .staff_user(&principal.sub)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let now = now_rfc3339();
    let today = atrium_shared::dates::today();
    let mut request = SignatureRequest {
        id: new_id(),
        tenant_id: scope.tenant_id().to_string(),
        title,
        message,
        document_id: document.id.clone(),
        document_version: version.number,
        file_name: version.file_name.clone(),
        sha256: version.sha256.clone(),
        pages: page_count,
        page_sizes: pages.iter().map(|page| [page.width, page.height]).collect(),
        signers: Vec::new(),
        fields,
        status: RequestStatus::InProgress,
        reminder_days,
        next_reminder: None,
        requested_by_sub: principal.sub.clone(),
        requested_by_email: requester.email.clone(),
        ended: None,
        signed_version: None,
        signed_sha256_hex: None,
        steps: Vec::new(),
        created_at: now.clone(),
        updated_at: now.clone(),
        version: 1,
    };
    signers.sort_by_key(|signer| signer.group);
    request.signers = signers;
    request.next_reminder = crate::reminders::next_day(&today, reminder_days);
    request.step(&now, "requested signatures", &requester.email);
    let asked = request.advance(&now);
    let entry = AuditEntry::by(
        &scope,
        &principal,
        "signature_request.created",
        &format!("signature_request/{}", request.id),
        1,
        &RequestMeta::of(&req),
    );
    let write = SignatureRequests::of(app.store.tenant(&scope)).save(&request, None)?;
    app.store
        .tenant(&scope)
        .commit(vec![write], vec![entry], "this request exists")
        .await?;
    crate::mail::ask(app, &request, &asked).await;
    created(&crate::read::staff_view(&request))
}
