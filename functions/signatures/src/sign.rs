//! `POST /api/signature-requests/{request}/sign` (and the firm's route for a countersigner)
//! `{code, typed_name, consent?, signature_image, initials_image?, texts?}`: the signer whose
//! turn it is fills their fields and signs. `signature_image` (and `initials_image` when they
//! have initials fields) is a PNG, base64, drawn or typed in the browser; `texts` fills their
//! text fields by id; date fields take the day of signing. The code mailed to them
//! ([`crate::code`]) must match. The signature, the filled fields, the used code and the
//! request's next step are one transaction, so a retry or a second tab signs once. When
//! the last signer signs, the signed PDF is made ([`crate::seal`]).

use crate::code::{check, signer_in_turn};
use crate::data::{Evidence, FieldKind, Filled, RequestStatus, SignatureRequests, SignerState};
use atrium_approvals::data::{Approvals, ConsentRecord};
use atrium_approvals::{CONSENT_TEXT, CONSENT_VERSION};
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, parse_json_within, RequestMeta};
use atrium_shared::ids::now_rfc3339;
use atrium_shared::{validate, ApiError, ApiResult, App};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

/// The largest signature or initials image (a PNG), in bytes.
pub const MAX_IMAGE_BYTES: usize = 96 * 1024;
/// Two images in base64 and the rest, with room: a larger body is refused before parsing.
const MAX_BODY_BYTES: usize = 320 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignBody {
    code: String,
    typed_name: String,
    #[serde(default)]
    consent: bool,
    signature_image: String,
    #[serde(default)]
    initials_image: Option<String>,
    #[serde(default)]
    texts: BTreeMap<String, String>,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    // Signers of one group sign in any order, so two may sign in the same instant: the one
    // whose transaction lands second reads the request again, once, and signs on top of the
    // other (its code is not used up by the failed attempt). Anything that really conflicts
    // (the same signer in a second tab, a cancellation) answers the same the second time.
    let req = &req;
    atrium_shared::error::again_once_on_conflict(|| sign(app, req)).await
}

async fn sign(app: &App, req: &Request) -> ApiResult<Response<Body>> {
    let req = req.clone();
    let seen = crate::seen_to_act(app, &req).await?;
    let signer = signer_in_turn(&seen.request, seen.signer())?.clone();
    let body: SignBody = parse_json_within(&req, MAX_BODY_BYTES)?;
    let typed_name = validate::name("typed_name", &body.typed_name, 200)?;
    let meta = RequestMeta::of(&req);
    let now = now_rfc3339();
    let today = atrium_shared::dates::today();
    let request = &seen.request;

    // What this signer fills in, checked before anything is written.
    let signature_png = image("signature_image", &body.signature_image)?;
    let has_initials = request
        .fields_of(&signer.id)
        .any(|field| field.kind == FieldKind::Initials);
    let initials_png = match (&body.initials_image, has_initials) {
        (Some(encoded), true) => Some(image("initials_image", encoded)?),
        (None, true) => {
            return Err(ApiError::invalid(
                "initials_image",
                "draw or type your initials for the initials fields",
            ))
        }
        (Some(_), false) => {
            return Err(ApiError::invalid(
                "initials_image",
                "you have no initials fields",
            ))
        }
        (None, false) => None,
    };
    let mut texts = BTreeMap::new();
    for (id, value) in &body.texts {
        let field = request
            .fields_of(&signer.id)
            .find(|field| &field.id == id && field.kind == FieldKind::Text)
            .ok_or_else(|| {
                ApiError::invalid(&format!("texts.{id}"), "is not a text field of yours")
            })?;
        let value = validate::text(&format!("texts.{}", field.id), value, 200)?;
        if value.contains('\n') {
            return Err(ApiError::invalid(
                &format!("texts.{id}"),
                "must be one line",
            ));
        }
        texts.insert(field.id.clone(), value);
    }
    if let Some(missing) = request.fields_of(&signer.id).find(|field| {
        field.kind == FieldKind::Text
            && field.required
            && texts.get(&field.id).is_none_or(|value| value.is_empty())
    }) {
        return Err(ApiError::invalid(
            &format!("texts.{}", missing.id),
            format!(
                "fill in {}",
                missing.label.as_deref().unwrap_or("this field")
            ),
        ));
    }
    let filled = Filled {
        request_id: request.id.clone(),
        signer: signer.id.clone(),
        signature_png: STANDARD.encode(&signature_png),
        initials_png: initials_png.as_ref().map(|png| STANDARD.encode(png)),
        texts,
        date: today.clone(),
    };
    // The same checks the sealing makes (images that decode, text the PDF can show), now,
    // while the signer can still correct them.
    crate::seal::check_filled(request, &filled)?;

    let requests = SignatureRequests::of(app.store.tenant(&seen.scope));
    let mut writes = Vec::new();
    let mut entries = Vec::new();
    let approvals = Approvals::of(app.store.tenant(&seen.scope));
    let consent = match approvals
        .consent(&seen.principal.sub, CONSENT_VERSION)
        .await?
    {
        Some(consent) => consent,
        None if body.consent => {
            let consent = ConsentRecord {
                sub: seen.principal.sub.clone(),
                email: signer.email.clone(),
                consent_version: CONSENT_VERSION.to_string(),
                consent_text: CONSENT_TEXT.to_string(),
                at: now.clone(),
                ip: meta.ip.clone(),
                user_agent: meta.user_agent.clone(),
            };
            writes.push(approvals.record_consent(&consent)?);
            entries.push(AuditEntry::by(
                &seen.scope,
                &seen.principal,
                "esign.consent_given",
                &format!("consent/{CONSENT_VERSION}"),
                0,
                &meta,
            ));
            consent
        }
        None => {
            return Err(ApiError::invalid(
                "consent",
                "agree to sign electronically before your first signature",
            ))
        }
    };
    let wrong = AuditEntry::by(
        &seen.scope,
        &seen.principal,
        "signature.code_refused",
        &format!("signature_request/{}#{}", request.id, signer.id),
        request.version,
        &meta,
    );
    let code = check(&requests, request, &signer, &body.code, wrong).await?;

    let mut next = request.clone();
    if let Some(place) = next.signers.iter_mut().find(|each| each.id == signer.id) {
        place.state = SignerState::Signed;
        place.signed = Some(Evidence {
            typed_name,
            at: now.clone(),
            ip: meta.ip.clone(),
            user_agent: meta.user_agent.clone(),
            consent_version: consent.consent_version,
            consent_text: consent.consent_text,
            code_confirmed_at: now.clone(),
        });
    }
    next.step(&now, "confirmed the emailed code and signed", &signer.email);
    let asked = next.advance(&now);
    if next.all_signed() {
        next.status = RequestStatus::Sealing;
        next.next_reminder = Some(today.clone());
        let (reservation, number) = crate::seal::reserve_version(app, &seen.scope, &next).await?;
        next.signed_version = Some(number);
        writes.push(reservation);
    }
    next.version += 1;
    next.updated_at = now.clone();
    writes.push(requests.use_code(&request.id, &signer.id, &code)?);
    writes.push(requests.create_filled(&filled)?);
    writes.push(requests.save(&next, Some(request.version))?);
    entries.push(AuditEntry::by(
        &seen.scope,
        &seen.principal,
        "signature.signed",
        &format!("signature_request/{}#{}", request.id, signer.id),
        next.version,
        &meta,
    ));
    requests
        .tenant()
        .commit(
            writes,
            entries,
            "this request changed meanwhile (another signature, or a new code); reload and try again",
        )
        .await?;
    crate::mail::ask(app, &next, &asked).await;
    if next.status == RequestStatus::Sealing {
        match crate::seal::finish(app, &seen.scope, &next).await {
            Ok(done) => next = done,
            // Signed, but not sealed yet: the daily run (or the next signer's retry) seals it.
            Err(error) => {
                tracing::error!(?error, request = %next.id, "sealing failed; it will be retried")
            }
        }
    }
    ok(&json!({
        "status": next.status,
        "signed_version": next.signed_version,
        "signed_sha256_hex": next.signed_sha256_hex,
    }))
}

/// A PNG from the browser, base64; at most [`MAX_IMAGE_BYTES`].
fn image(field: &str, encoded: &str) -> ApiResult<Vec<u8>> {
    let encoded = encoded
        .strip_prefix("data:image/png;base64,")
        .unwrap_or(encoded);
    if encoded.len() > MAX_IMAGE_BYTES.div_ceil(3) * 4 + 4 {
        return Err(ApiError::invalid(
            field,
            format!("is too large: at most {} KB", MAX_IMAGE_BYTES / 1024),
        ));
    }
    let bytes = STANDARD
        .decode(encoded.trim())
        .map_err(|_| ApiError::invalid(field, "must be a PNG image, base64"))?;
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(ApiError::invalid(
            field,
            format!("is too large: at most {} KB", MAX_IMAGE_BYTES / 1024),
        ));
    }
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(ApiError::invalid(field, "must be a PNG image"));
    }
    Ok(bytes)
}
