//! Stripe's webhook signatures: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
//! "<t>.<raw body>" keyed with the endpoint's signing secret>` (several `v1` while Stripe rolls
//! a secret). An event is accepted only when one `v1` matches one of the portal's secrets (the
//! current one, and the previous one while it is being replaced) and `t` is within the
//! tolerance of now, so a captured delivery cannot be replayed later. The comparison is the
//! HMAC crate's own, in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Stripe's own libraries accept five minutes.
pub const TOLERANCE_SECONDS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureProblem {
    /// No header, or one without `t=` and a `v1=`.
    Missing,
    /// Signed, but by no secret the portal holds.
    Mismatch,
    /// Signed correctly, too long ago (or in the future).
    Stale,
}

impl SignatureProblem {
    pub fn describe(self) -> &'static str {
        match self {
            SignatureProblem::Missing => {
                "the Stripe-Signature header is missing or has no timestamp and v1 signature"
            }
            SignatureProblem::Mismatch => {
                "the Stripe-Signature does not match the webhook signing secret"
            }
            SignatureProblem::Stale => {
                "the Stripe-Signature timestamp is more than five minutes from now"
            }
        }
    }
}

/// Checks `payload` (the raw body, exactly as received) against the header.
pub fn verify(
    header: Option<&str>,
    payload: &[u8],
    secrets: &[&str],
    now: i64,
) -> Result<(), SignatureProblem> {
    let header = header.ok_or(SignatureProblem::Missing)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => {
                if let Ok(bytes) = hex::decode(value) {
                    signatures.push(bytes);
                }
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureProblem::Missing)?;
    if signatures.is_empty() {
        return Err(SignatureProblem::Missing);
    }
    let matches = secrets.iter().any(|secret| {
        signatures.iter().any(|signature| {
            let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
                return false;
            };
            mac.update(timestamp.to_string().as_bytes());
            mac.update(b".");
            mac.update(payload);
            mac.verify_slice(signature).is_ok()
        })
    });
    if !matches {
        return Err(SignatureProblem::Mismatch);
    }
    if now.abs_diff(timestamp) > TOLERANCE_SECONDS.unsigned_abs() {
        return Err(SignatureProblem::Stale);
    }
    Ok(())
}

/// The header Stripe would send for `payload` at `timestamp` (tests, and the local tools that
/// replay events).
pub fn sign(payload: &[u8], secret: &str, timestamp: i64) -> String {
    let digest = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(timestamp.to_string().as_bytes());
            mac.update(b".");
            mac.update(payload);
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    };
    format!("t={timestamp},v1={digest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;

    #[test]
    fn a_fresh_signature_by_a_known_secret_passes() {
        let header = sign(BODY, SECRET, 1_000);
        assert_eq!(verify(Some(&header), BODY, &[SECRET], 1_100), Ok(()));
        // The previous secret, during a rotation.
        assert_eq!(
            verify(Some(&header), BODY, &["whsec_new", SECRET], 1_000),
            Ok(())
        );
    }

    #[test]
    fn changed_bodies_other_secrets_and_old_timestamps_fail() {
        let header = sign(BODY, SECRET, 1_000);
        let mut changed = BODY.to_vec();
        changed[10] ^= 1;
        assert_eq!(
            verify(Some(&header), &changed, &[SECRET], 1_000),
            Err(SignatureProblem::Mismatch)
        );
        assert_eq!(
            verify(Some(&header), BODY, &["whsec_other"], 1_000),
            Err(SignatureProblem::Mismatch)
        );
        assert_eq!(
            verify(
                Some(&header),
                BODY,
                &[SECRET],
                1_000 + TOLERANCE_SECONDS + 1
            ),
            Err(SignatureProblem::Stale)
        );
        assert_eq!(
            verify(
                Some(&header),
                BODY,
                &[SECRET],
                1_000 - TOLERANCE_SECONDS - 1
            ),
            Err(SignatureProblem::Stale)
        );
    }

    #[test]
    fn malformed_headers_are_missing_signatures() {
        for header in ["", "t=1", "v1=00", "t=x,v1=zz", "garbage"] {
            assert_eq!(
                verify(Some(header), BODY, &[SECRET], 1),
                Err(SignatureProblem::Missing),
                "{header}"
            );
        }
        assert_eq!(
            verify(None, BODY, &[SECRET], 1),
            Err(SignatureProblem::Missing)
        );
        // An extreme timestamp neither overflows nor passes.
        let header = sign(BODY, SECRET, i64::MIN);
        assert_eq!(
            verify(Some(&header), BODY, &[SECRET], i64::MAX),
            Err(SignatureProblem::Stale)
        );
    }
}
