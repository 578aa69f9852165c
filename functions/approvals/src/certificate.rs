//! `GET /api/approvals/{approval}/certificate` (and the staff route): the signing certificate
//! of a completed signature, as JSON or, with `?format=html`, as a page a person can read and
//! print. Anyone holding the signed file can check it: its SHA-256 must equal the one here.
//! Every view is audited.

use crate::data::Approvals;
use crate::data::{ApprovalRecord, ApprovalStatus, ApprovalSubject};
use atrium_shared::access::scope_for;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{json_response, path_id, query_param, RequestMeta};
use atrium_shared::mail::escape_html;
use atrium_shared::principal::Principal;
use atrium_shared::{ApiError, ApiResult, App};
use http::{header, HeaderValue, StatusCode};
use lambda_http::{Body, Request, Response};
use serde_json::{json, Value};

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    let approval_id = path_id(&req, "approval")?;
    let record = Approvals::of(app.store.tenant(&scope))
        .get(&approval_id)
        .await?
        .filter(|record| record.status == ApprovalStatus::Approved && record.signature.is_some());
    let record = crate::visible_approval(app, &scope, &principal, record)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let client_name = app
        .store
        .profile(&scope)
        .await?
        .map(|profile| profile.name)
        .unwrap_or_default();
    let consent = match &record.decision {
        Some(decision) => {
            Approvals::of(app.store.tenant(&scope))
                .consent(
                    &decision.by_sub,
                    &record
                        .signature
                        .as_ref()
                        .map(|s| s.consent_version.clone())
                        .unwrap_or_default(),
                )
                .await?
        }
        None => None,
    };
    let certificate = certificate(app, &record, &client_name, consent.map(|c| c.consent_text));
    let entry = AuditEntry::by(
        &scope,
        &principal,
        "certificate.viewed",
        &format!("approval/{}", record.id),
        record.version,
        &RequestMeta::of(&req),
    );
    app.store.audit(&scope, &entry).await?;
    if query_param(&req, "format").as_deref() == Some("html") {
        let mut response = Response::new(Body::Text(html(&certificate)));
        *response.status_mut() = StatusCode::OK;
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        response.headers_mut().insert(
            "content-security-policy",
            HeaderValue::from_static(
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
            ),
        );
        return Ok(response);
    }
    Ok(json_response(StatusCode::OK, &certificate))
}

fn certificate(
    app: &App,
    record: &ApprovalRecord,
    client_name: &str,
    consent_text: Option<String>,
) -> Value {
    let decision = record.decision.clone();
    let signature = record.signature.clone();
    let document = match &record.subject {
        ApprovalSubject::DocumentVersion {
            document_id,
            number,
            file_name,
            sha256,
        } => json!({
            "document_id": document_id,
            "version": number,
            "file_name": file_name,
            "sha256_base64": sha256,
            "sha256_hex": sha256.to_hex(),
        }),
        _ => Value::Null,
    };
    json!({
        "certificate": format!("{}-{}", record.tenant_id, record.id),
        "issuer": app.config.firm_name,
        "client": { "id": record.tenant_id, "name": client_name },
        "approval": { "id": record.id, "title": record.title, "subject": record.subject, "terms": record.terms },
        "document": document,
        "signer": {
            "typed_name": signature.as_ref().map(|s| s.typed_name.clone()),
            "email": decision.as_ref().map(|d| d.by_email.clone()),
            "user_id": decision.as_ref().map(|d| d.by_sub.clone()),
        },
        "signed_at": decision.as_ref().map(|d| d.at.clone()),
        "ip": decision.as_ref().map(|d| d.ip.clone()),
        "user_agent": decision.as_ref().map(|d| d.user_agent.clone()),
        "consent": {
            "version": signature.as_ref().map(|s| s.consent_version.clone()),
            "given_at": signature.as_ref().map(|s| s.consent_at.clone()),
            "text": consent_text,
        },
        "how_to_check": "Compute the SHA-256 of the file you hold (e.g. `sha256sum file`); it must equal document.sha256_hex.",
    })
}

fn html(certificate: &Value) -> String {
    let text = |value: &Value| escape_html(value.as_str().unwrap_or("—"));
    let row = |label: &str, value: &Value| {
        format!(
            "<tr><th scope=\"row\">{label}</th><td>{}</td></tr>",
            text(value)
        )
    };
    let rows = [
        row("Certificate", &certificate["certificate"]),
        row("Issued by", &certificate["issuer"]),
        row("Client", &certificate["client"]["name"]),
        row("Approval", &certificate["approval"]["title"]),
        row("Document", &certificate["document"]["file_name"]),
        row(
            "Version",
            &Value::String(certificate["document"]["version"].to_string()),
        ),
        row("SHA-256", &certificate["document"]["sha256_hex"]),
        row(
            "Signed by (typed name)",
            &certificate["signer"]["typed_name"],
        ),
        row("Signer's email", &certificate["signer"]["email"]),
        row("Signed at (UTC)", &certificate["signed_at"]),
        row("IP address", &certificate["ip"]),
        row("Browser", &certificate["user_agent"]),
        row(
            "Consent to sign electronically",
            &certificate["consent"]["text"],
        ),
        row("Consent given at", &certificate["consent"]["given_at"]),
    ]
    .join("");
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>Signing certificate</title><style>body{{font-family:system-ui,sans-serif;max-width:760px;margin:24px auto;padding:0 16px;color:#1f2933}}\
         table{{border-collapse:collapse;width:100%}}th,td{{text-align:left;padding:8px;border-bottom:1px solid #cbd2d9;vertical-align:top}}\
         th{{width:34%}}td{{word-break:break-word}}</style></head><body><h1>Signing certificate</h1><table>{rows}</table>\
         <h2>Terms agreed to</h2><p style=\"white-space:pre-wrap\">{terms}</p><p>{check}</p></body></html>",
        terms = text(&certificate["approval"]["terms"]),
        check = text(&certificate["how_to_check"]),
    )
}
