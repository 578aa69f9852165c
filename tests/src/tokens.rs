//! Tokens for attacking the authorizer: signed with moto's own pool key (so only the claim
//! under test is wrong), with a key nobody trusts, or not signed at all.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::{BigUint, RsaPrivateKey};
use serde_json::Value;
use std::io::Read;

/// The private key moto signs every pool's tokens with (it ships in the moto package).
pub fn moto_pool_key() -> EncodingKey {
    let site_packages = std::fs::read_dir(atrium_local::project_root().join(".venv/lib"))
        .expect(".venv/lib")
        .filter_map(Result::ok)
        .map(|entry| entry.path().join("site-packages"))
        .find(|path| path.is_dir())
        .expect("site-packages");
    let gz = std::fs::read(site_packages.join("moto/cognitoidp/resources/jwks-private.json.gz"))
        .expect("moto's jwks-private.json.gz");
    let mut json = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut json)
        .expect("gunzip");
    let jwk: Value = serde_json::from_str(&json).expect("jwk json");
    let jwk = jwk.get("keys").and_then(|keys| keys.get(0)).unwrap_or(&jwk);
    let number = |name: &str| {
        BigUint::from_bytes_be(
            &URL_SAFE_NO_PAD
                .decode(jwk[name].as_str().expect("jwk component"))
                .expect("base64url"),
        )
    };
    let key = RsaPrivateKey::from_components(
        number("n"),
        number("e"),
        number("d"),
        vec![], // moto publishes n, e and d only; the primes are recovered from them
    )
    .expect("rsa key");
    let der = key.to_pkcs1_der().expect("der");
    EncodingKey::from_rsa_der(der.as_bytes())
}

/// A key of our own making, which no pool publishes.
pub fn stranger_key() -> EncodingKey {
    let key = RsaPrivateKey::new(&mut rand::thread_rng(), 1024).expect("rsa keygen");
    let der = key.to_pkcs1_der().expect("der");
    EncodingKey::from_rsa_der(der.as_bytes())
}

pub fn sign(key: &EncodingKey, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("dummy".to_string()); // the kid moto publishes
    jsonwebtoken::encode(&header, claims, key).expect("sign")
}

/// `alg: none`, no signature.
pub fn unsigned(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT","kid":"dummy"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.")
}

/// The claims of a real token (read without verification: the test already trusts it).
pub fn claims_of(token: &str) -> Value {
    jsonwebtoken::dangerous::insecure_decode_claims(token).expect("claims")
}

/// A real token with its payload swapped for `claims` and its original signature kept.
pub fn tampered(token: &str, claims: &Value) -> String {
    let mut parts = token.split('.');
    let header = parts.next().expect("header");
    let _payload = parts.next();
    let signature = parts.next().expect("signature");
    format!(
        "{header}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}
