//! Sealing a session's refresh tokens with the session's own secret (AES-256-GCM, the key
//! derived with HKDF-SHA256). The secret lives only in the person's cookie (or, for API use,
//! with the integration); the table keeps its SHA-256 and the sealed tokens. Someone who can
//! read the table therefore holds nothing that signs anybody in, and a session's tokens are
//! opened only by a request that carries that session's secret.
//!
//! The place a token is kept (its session and organisation) is the AEAD's associated data,
//! so a sealed token copied to another session or organisation does not open.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::hkdf;
use ring::rand::{SecureRandom, SystemRandom};

const SALT: &[u8] = b"atrium session v1";

/// The AEAD key for one session secret.
fn key(secret: &[u8]) -> Option<LessSafeKey> {
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, SALT).extract(secret);
    let okm = prk.expand(&[b"refresh tokens"], &AES_256_GCM).ok()?;
    let mut bytes = [0u8; 32];
    okm.fill(&mut bytes).ok()?;
    UnboundKey::new(&AES_256_GCM, &bytes)
        .ok()
        .map(LessSafeKey::new)
}

/// `plaintext` sealed for `place` under `secret`: base64url of nonce ‖ ciphertext ‖ tag.
pub fn seal(secret: &[u8], place: &str, plaintext: &str) -> Option<String> {
    let key = key(secret)?;
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new().fill(&mut nonce).ok()?;
    let mut buffer = plaintext.as_bytes().to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(place.as_bytes()),
        &mut buffer,
    )
    .ok()?;
    let mut sealed = nonce.to_vec();
    sealed.extend_from_slice(&buffer);
    Some(URL_SAFE_NO_PAD.encode(sealed))
}

/// The plaintext, or `None` for the wrong secret, the wrong place or altered bytes.
pub fn open(secret: &[u8], place: &str, sealed: &str) -> Option<String> {
    let key = key(secret)?;
    let bytes = URL_SAFE_NO_PAD.decode(sealed).ok()?;
    if bytes.len() < NONCE_LEN {
        return None;
    }
    let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
    let mut buffer = ciphertext.to_vec();
    let plaintext = key
        .open_in_place(nonce, Aad::from(place.as_bytes()), &mut buffer)
        .ok()?;
    String::from_utf8(plaintext.to_vec()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_only_with_its_secret_and_place() {
        let secret = [7u8; 32];
        let sealed = seal(&secret, "s1/t1", "refresh-token").unwrap();
        assert_eq!(
            open(&secret, "s1/t1", &sealed).as_deref(),
            Some("refresh-token")
        );
        assert_eq!(open(&[8u8; 32], "s1/t1", &sealed), None);
        assert_eq!(open(&secret, "s1/t2", &sealed), None);
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 2;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            open(&secret, "s1/t1", &String::from_utf8(altered).unwrap()),
            None
        );
        assert_eq!(open(&secret, "s1/t1", "short"), None);
        // A fresh nonce each time: sealing twice never gives the same text.
        assert_ne!(seal(&secret, "s1/t1", "x"), seal(&secret, "s1/t1", "x"));
    }
}
