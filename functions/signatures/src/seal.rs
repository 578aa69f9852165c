//! The signed PDF. When the last signer signs, the request reserves the document's next
//! version number (in the same transaction as the signature); then [`finish`] draws every
//! signer's fields onto the original's pages, adds the certificate page, seals the file with
//! the firm's KMS key (a PDF signature any reader checks, [`atrium_pdfseal`]), stores it as
//! that version and completes the request, with the file's SHA-256 in the trail.
//!
//! Retries converge: the object is written only if absent (`If-None-Match`), so of two
//! finishers one stores it and the other finds it, checks its seal, and records that one;
//! the version, the document and the request then move in one transaction.

use crate::data::{
    FieldKind, Filled, RequestStatus, SignatureRequest, SignatureRequests, SignerKind,
};
use atrium_documents::data::{
    document_sk, object_key, Documents, ScanState, VersionRecord, VersionStatus,
};
use atrium_pdfseal::{Certificate, CertificateSection, FieldValue, FilledField};
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::RequestMeta;
use atrium_shared::ids::now_rfc3339;
use atrium_shared::principal::TenantScope;
use atrium_shared::store::{n, s, Write};
use atrium_shared::types::{ContentType, Sha256};
use atrium_shared::{ApiError, ApiResult, App};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::Digest;
use tokio::sync::OnceCell;

/// The largest PDF the portal signs: the whole file is read into the function's memory.
pub const MAX_SIGNING_BYTES: i64 = 25 * 1024 * 1024;

/// The original version's bytes.
pub async fn original_pdf(app: &App, version: &VersionRecord) -> ApiResult<Vec<u8>> {
    if version.size > MAX_SIGNING_BYTES {
        return Err(ApiError::invalid(
            "version",
            format!(
                "is larger than {} MB, the most the portal signs",
                MAX_SIGNING_BYTES / 1024 / 1024
            ),
        ));
    }
    read_object(app, &version.object_key)
        .await?
        .ok_or_else(|| ApiError::conflict("version: the file is missing from storage"))
}

async fn read_object(app: &App, key: &str) -> ApiResult<Option<Vec<u8>>> {
    let output = app
        .s3_for(key)
        .await?
        .get_object()
        .bucket(&app.config.documents_bucket)
        .key(key)
        .send()
        .await;
    let output = match output {
        Ok(output) => output,
        Err(error) if error.as_service_error().is_some_and(|e| e.is_no_such_key()) => {
            return Ok(None)
        }
        Err(error) => return Err(ApiError::dependency("s3 get_object", error)),
    };
    let bytes = output
        .body
        .collect()
        .await
        .map_err(|error| ApiError::dependency("s3 get_object body", error))?;
    Ok(Some(bytes.into_bytes().to_vec()))
}

/// One signer's fields as they will be drawn.
fn drawn(request: &SignatureRequest, filled: &Filled) -> ApiResult<Vec<(String, FilledField)>> {
    let signature = STANDARD
        .decode(&filled.signature_png)
        .map_err(|error| ApiError::internal("stored signature image", error))?;
    let initials = filled
        .initials_png
        .as_ref()
        .map(|png| STANDARD.decode(png))
        .transpose()
        .map_err(|error| ApiError::internal("stored initials image", error))?;
    let mut fields = Vec::new();
    for field in request.fields_of(&filled.signer) {
        let (name, value) = match field.kind {
            FieldKind::Signature => (
                "signature_image".to_string(),
                FieldValue::Image(signature.clone()),
            ),
            FieldKind::Initials => match &initials {
                Some(png) => ("initials_image".to_string(), FieldValue::Image(png.clone())),
                None => continue,
            },
            FieldKind::Date => ("date".to_string(), FieldValue::Text(filled.date.clone())),
            FieldKind::Text => match filled.texts.get(&field.id) {
                Some(text) if !text.is_empty() => (
                    format!("texts.{}", field.id),
                    FieldValue::Text(text.clone()),
                ),
                _ => continue,
            },
        };
        fields.push((
            name,
            FilledField {
                page: field.page,
                x: field.x,
                y: field.y,
                width: field.width,
                height: field.height,
                value,
            },
        ));
    }
    Ok(fields)
}

/// What one signer filled in, checked as the sealing will use it: images that decode and are
/// not too large, text the PDF can show. The error names the input.
pub fn check_filled(request: &SignatureRequest, filled: &Filled) -> ApiResult<()> {
    let fields = drawn(request, filled)?;
    let sizes = page_sizes(request);
    let values: Vec<FilledField> = fields.iter().map(|(_, field)| field.clone()).collect();
    atrium_pdfseal::check_fields(&sizes, &values).map_err(|error| {
        let name = fields
            .get(error.index)
            .map_or("fields", |(name, _)| name.as_str());
        ApiError::invalid(name, error.reason)
    })
}

fn page_sizes(request: &SignatureRequest) -> Vec<atrium_pdfseal::PageSize> {
    request
        .page_sizes
        .iter()
        .map(|[width, height]| atrium_pdfseal::PageSize {
            width: *width,
            height: *height,
        })
        .collect()
}

/// Reserves the document's next version number for the signed PDF: the write goes into the
/// last signature's transaction.
pub async fn reserve_version(
    app: &App,
    scope: &TenantScope,
    request: &SignatureRequest,
) -> ApiResult<(Write, u32)> {
    let document = Documents::of(app.store.tenant(scope))
        .get(&request.document_id)
        .await?
        .ok_or_else(|| ApiError::conflict("the document was removed"))?;
    let number = document
        .allocated_versions
        .checked_add(1)
        .ok_or_else(|| ApiError::conflict("the document has no version numbers left"))?;
    let write = app.store.tenant(scope).update(
        &document_sk(&document.id),
        "SET allocated_versions = :number, version = version + :one",
        Some("allocated_versions = :read"),
        &[
            (":number", n(number)),
            (":one", n(1)),
            (":read", n(document.allocated_versions)),
        ],
    )?;
    Ok((write, number))
}

/// The firm's sealing key, made ready once per sandbox (its certificate is built from the
/// key's public half on first use).
static SEALER: OnceCell<atrium_pdfseal::KmsSigner> = OnceCell::const_new();

async fn sealer(app: &App) -> ApiResult<&'static atrium_pdfseal::KmsSigner> {
    SEALER
        .get_or_try_init(|| async {
            let sdk = atrium_shared::app::sdk_config(&app.config)
                .map_err(|error| ApiError::internal("sdk config", error))?;
            let kms = aws_sdk_kms::Client::new(&sdk);
            atrium_pdfseal::KmsSigner::new(kms, app.config.seal_key_alias(), &app.config.firm_name)
                .await
                .map_err(|error| ApiError::dependency("kms signing key", error))
        })
        .await
}

/// Makes, stores and records the signed PDF of a request everyone signed (status `sealing`),
/// and tells everyone. Answers the completed request.
pub async fn finish(
    app: &App,
    scope: &TenantScope,
    request: &SignatureRequest,
) -> ApiResult<SignatureRequest> {
    if request.status != RequestStatus::Sealing {
        return Err(ApiError::conflict(
            "this request is not waiting to be sealed",
        ));
    }
    let number = request
        .signed_version
        .ok_or_else(|| ApiError::internal("sealing", "no version reserved"))?;
    let documents = Documents::of(app.store.tenant(scope));
    let original = documents
        .version(&request.document_id, request.document_version)
        .await?
        .ok_or_else(|| ApiError::conflict("the original version is gone"))?;
    let key = object_key(scope, &request.document_id, number);
    let sealed = match read_object(app, &key).await? {
        // A finisher before this one stored it: record that one, if its seal holds.
        Some(stored) if atrium_pdfseal::verify(&stored).is_ok() => stored,
        _ => {
            let sealed = make(app, scope, request, &original).await?;
            store(app, &key, &sealed).await?;
            sealed
        }
    };
    let digest = sha2::Sha256::digest(&sealed);
    let sha256 = Sha256::parse(&STANDARD.encode(digest))
        .map_err(|error| ApiError::internal("sha256", error))?;
    let hex = hex::encode(digest);
    let now = now_rfc3339();
    let version = VersionRecord {
        document_id: request.document_id.clone(),
        number,
        object_key: key.clone(),
        file_name: signed_name(&original.file_name),
        content_type: ContentType::parse("application/pdf")
            .map_err(|error| ApiError::internal("content type", error))?,
        size: i64::try_from(sealed.len()).unwrap_or(i64::MAX),
        sha256,
        uploaded_by: "system:signatures".to_string(),
        status: VersionStatus::Confirmed,
        created_at: now.clone(),
        confirmed_at: Some(now.clone()),
        // Made by the portal from a version the scan cleared and images it checked; the
        // scanner's own verdict on the object, when it comes, is recorded over this.
        scan: ScanState::Clean,
        scanned_at: None,
        multipart: None,
        object_checksum: Some(STANDARD.encode(digest)),
    };
    let mut writes = vec![documents.save_version(&version, None)?];
    let document = documents
        .get(&request.document_id)
        .await?
        .ok_or_else(|| ApiError::conflict("the document was removed"))?;
    if document.latest_version < number {
        writes.push(app.store.tenant(scope).update(
            &document_sk(&document.id),
            "SET latest_version = :number, version = version + :one, updated_at = :now",
            Some("latest_version = :read"),
            &[
                (":number", n(number)),
                (":one", n(1)),
                (":read", n(document.latest_version)),
                (":now", s(&now)),
            ],
        )?);
    }
    let mut done = request.clone();
    done.status = RequestStatus::Completed;
    done.signed_sha256_hex = Some(hex.clone());
    done.next_reminder = None;
    done.step(
        &now,
        format!("sealed the signed PDF as version {number}"),
        "portal",
    );
    done.version += 1;
    done.updated_at = now;
    let requests = SignatureRequests::of(app.store.tenant(scope));
    writes.push(requests.save(&done, Some(request.version))?);
    let entry = AuditEntry::new(
        scope,
        "system",
        "signatures",
        "signature_request.completed",
        &format!("document/{}/v{number}#sha256:{hex}", request.document_id),
        done.version,
        &RequestMeta::default(),
    );
    requests
        .tenant()
        .commit(writes, vec![entry], "the signed PDF was recorded meanwhile")
        .await?;
    crate::mail::completed(app, &done).await;
    Ok(done)
}

/// `Engagement letter.pdf` → `Engagement letter (signed).pdf`.
fn signed_name(original: &str) -> String {
    let stem = original
        .strip_suffix(".pdf")
        .or_else(|| original.strip_suffix(".PDF"))
        .unwrap_or(original);
    format!("{stem} (signed).pdf")
}

async fn make(
    app: &App,
    scope: &TenantScope,
    request: &SignatureRequest,
    original: &VersionRecord,
) -> ApiResult<Vec<u8>> {
    let bytes = original_pdf(app, original).await?;
    let requests = SignatureRequests::of(app.store.tenant(scope));
    let mut fields = Vec::new();
    for signer in &request.signers {
        let filled = requests
            .filled(&request.id, &signer.id)
            .await?
            .ok_or_else(|| ApiError::internal("sealing", "a signer's fields are missing"))?;
        fields.extend(drawn(request, &filled)?.into_iter().map(|(_, field)| field));
    }
    let client = app
        .store
        .profile(scope)
        .await?
        .map(|profile| profile.name)
        .unwrap_or_default();
    let certificate = certificate(app, request, &client);
    let stamped = atrium_pdfseal::stamp(&bytes, &fields, &certificate)
        .map_err(|error| ApiError::internal("stamping the signed PDF", error))?;
    let sealer = sealer(app).await?;
    atrium_pdfseal::seal(
        &stamped,
        sealer,
        time::OffsetDateTime::now_utc(),
        &format!(
            "Signed by every signer of \u{201c}{}\u{201d}",
            request.title
        ),
    )
    .await
    .map_err(|error| ApiError::dependency("sealing the signed PDF", error))
}

async fn store(app: &App, key: &str, sealed: &[u8]) -> ApiResult<()> {
    let checksum = STANDARD.encode(sha2::Sha256::digest(sealed));
    app.s3_for(key)
        .await?
        .put_object()
        .bucket(&app.config.documents_bucket)
        .key(key)
        .content_type("application/pdf")
        .checksum_sha256(checksum)
        .if_none_match("*")
        .body(sealed.to_vec().into())
        .send()
        .await
        .map_err(|error| ApiError::dependency("s3 put_object (signed PDF)", error))?;
    Ok(())
}

/// The certificate page: who signed, when, from where, under which consent, after which code;
/// the original's SHA-256; every step of the ceremony.
fn certificate(app: &App, request: &SignatureRequest, client: &str) -> Certificate {
    let lines = vec![
        ("Issued by".to_string(), app.config.firm_name.clone()),
        ("Client".to_string(), client.to_string()),
        (
            "Request".to_string(),
            format!("{} ({})", request.title, request.id),
        ),
        (
            "Original document".to_string(),
            format!(
                "{}, version {}",
                request.file_name, request.document_version
            ),
        ),
        ("Original SHA-256".to_string(), request.sha256.to_hex()),
    ];
    let mut sections = Vec::new();
    for (index, signer) in request.signers.iter().enumerate() {
        let role = match signer.kind {
            SignerKind::Contact => "client contact",
            SignerKind::Staff => "countersigner for the firm",
        };
        let mut lines = vec![
            ("Name".to_string(), signer.name.clone()),
            ("Email".to_string(), signer.email.clone()),
            (
                "Role".to_string(),
                format!("{role}, signing group {}", signer.group),
            ),
        ];
        if let Some(evidence) = &signer.signed {
            lines.extend([
                ("Typed name".to_string(), evidence.typed_name.clone()),
                ("Signed at (UTC)".to_string(), evidence.at.clone()),
                (
                    "Emailed code confirmed at".to_string(),
                    evidence.code_confirmed_at.clone(),
                ),
                ("Address".to_string(), evidence.ip.clone()),
                ("Browser".to_string(), evidence.user_agent.clone()),
                (
                    format!("Consent accepted ({})", evidence.consent_version),
                    evidence.consent_text.clone(),
                ),
            ]);
        }
        sections.push(CertificateSection {
            heading: format!("Signer {}", index + 1),
            lines,
        });
    }
    sections.push(CertificateSection {
        heading: "The ceremony".to_string(),
        lines: request
            .steps
            .iter()
            .map(|step| (step.at.clone(), format!("{}: {}", step.by, step.what)))
            .collect(),
    });
    Certificate {
        title: "Certificate of signature".to_string(),
        lines,
        sections,
    }
}
