//! `POST /api/signature-requests/{request}/code` (and the firm's route for a countersigner):
//! mails the signer whose turn it is a one-time code (6 digits, 10 minutes, 5 attempts), which
//! the signature must carry. It shows that whoever signs holds the signer's mailbox at that
//! moment, not only a session; the certificate page records when it was confirmed. A new code
//! replaces the one before, at most one every 30 seconds.

use crate::data::{SignatureRequest, SignatureRequests, Signer, SignerState, StepUpCode};
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{json_response, RequestMeta};
use atrium_shared::ids::now_epoch;
use atrium_shared::{ApiError, ApiResult, App};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use rand::Rng;
use serde_json::json;
use sha2::{Digest, Sha256};

pub const CODE_SECONDS: i64 = 10 * 60;
pub const CODE_ATTEMPTS: u32 = 5;
const RESEND_SECONDS: i64 = 30;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let seen = crate::seen_to_act(app, &req).await?;
    let signer = signer_in_turn(&seen.request, seen.signer())?.clone();
    let requests = SignatureRequests::of(app.store.tenant(&seen.scope));
    let now = now_epoch();
    if let Some(previous) = requests.code(&seen.request.id, &signer.id).await? {
        let wait = previous.sent_at + RESEND_SECONDS - now;
        if wait > 0 {
            return Err(ApiError {
                retry_after: Some(wait),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "code_recently_sent",
                    format!("a code was sent moments ago; ask for another in {wait} seconds"),
                )
            });
        }
    }
    let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000u32));
    let salt = hex::encode(rand::thread_rng().gen::<[u8; 16]>());
    let record = StepUpCode {
        hash: code_hash(&salt, &seen.request.id, &signer.id, &code),
        salt,
        sent_at: now,
        expires_at: now + CODE_SECONDS,
        attempts: 0,
    };
    let entry = AuditEntry::by(
        &seen.scope,
        &seen.principal,
        "signature.code_sent",
        &format!("signature_request/{}#{}", seen.request.id, signer.id),
        seen.request.version,
        &RequestMeta::of(&req),
    );
    app.store
        .tenant(&seen.scope)
        .commit(
            vec![requests.put_code(&seen.request.id, &signer.id, &record)?],
            vec![entry],
            "try again",
        )
        .await?;
    crate::mail::code(app, &seen.request, &signer, &code).await?;
    Ok(json_response(
        StatusCode::ACCEPTED,
        &json!({ "sent_to": signer.email, "expires_in": CODE_SECONDS, "attempts": CODE_ATTEMPTS }),
    ))
}

/// The caller's place among the signers while it is their turn; otherwise why not.
pub fn signer_in_turn<'a>(
    request: &SignatureRequest,
    signer: Option<&'a Signer>,
) -> ApiResult<&'a Signer> {
    let signer =
        signer.ok_or_else(|| ApiError::conflict("you are not a signer of this request"))?;
    if !request.status.is_open() {
        return Err(ApiError::conflict(
            "this request is no longer waiting for signatures",
        ));
    }
    match signer.state {
        SignerState::Signing => Ok(signer),
        SignerState::Waiting => Err(ApiError::conflict(
            "it is not your turn yet: you will get a mail when the signers before you have signed",
        )),
        SignerState::Signed => Err(ApiError::conflict("you have signed this already")),
        SignerState::Declined => Err(ApiError::conflict("you declined this request")),
    }
}

/// A code is kept only as a salted hash, bound to its request and signer.
pub fn code_hash(salt: &str, request: &str, signer: &str, code: &str) -> String {
    let mut digest = Sha256::new();
    for part in [salt, request, signer, code] {
        digest.update(part.as_bytes());
        digest.update([0u8]);
    }
    hex::encode(digest.finalize())
}

/// Checks a code against the one mailed: the right code, in time, within the attempts. A
/// wrong code counts an attempt (with `wrong`, its entry in the trail) before the answer, so
/// five tries are all anyone gets.
pub async fn check(
    requests: &SignatureRequests<'_>,
    request: &SignatureRequest,
    signer: &Signer,
    code: &str,
    wrong: AuditEntry,
) -> ApiResult<StepUpCode> {
    let code = code.trim();
    let shaped = code.len() == 6 && code.bytes().all(|byte| byte.is_ascii_digit());
    if !shaped {
        return Err(ApiError::invalid(
            "code",
            "must be the 6-digit code we mailed you",
        ));
    }
    let stored = requests
        .code(&request.id, &signer.id)
        .await?
        .ok_or_else(|| ApiError::invalid("code", "ask for a code first"))?;
    if stored.expires_at <= now_epoch() {
        return Err(ApiError::invalid("code", "has expired; ask for a new one"));
    }
    if stored.attempts >= CODE_ATTEMPTS {
        return Err(ApiError::invalid(
            "code",
            "was entered wrongly too often; ask for a new one",
        ));
    }
    if code_hash(&stored.salt, &request.id, &signer.id, code) != stored.hash {
        let counted = requests.count_attempt(&request.id, &signer.id, &stored)?;
        requests
            .tenant()
            .commit(vec![counted], vec![wrong], "try again")
            .await?;
        let left = CODE_ATTEMPTS.saturating_sub(stored.attempts + 1);
        return Err(if left == 0 {
            ApiError::invalid("code", "is not the code we sent; ask for a new one")
        } else {
            ApiError::invalid(
                "code",
                format!("is not the code we sent ({left} attempts left)"),
            )
        });
    }
    Ok(stored)
}
