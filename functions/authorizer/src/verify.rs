//! Token verification: issuer trust, the pool's keys, signature and claims.

use atrium_shared::config::Config;
use atrium_shared::store::records::IssuerRecord;
use http_body_util::{BodyExt, Limited};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Why a request was refused. Logged, never returned to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    NoToken,
    ForeignOrigin,
    Malformed,
    UnknownIssuer,
    WrongAlgorithm,
    UnknownKey,
    BadSignature,
    Expired,
    WrongTokenUse,
    WrongClient,
    UnknownUser,
    UserNotActive,
    SignedOut,
    /// No portal session stands behind the token (one Cognito issued without the portal).
    NoSession,
    /// Its session ended, idled out, or passed its absolute end.
    SessionOver,
    Dependency,
}

/// What the registry says about an issuer: its pool, its app client, and (for client pools)
/// the tenant. Staff pools have no tenant.
#[derive(Debug, Clone)]
pub struct PoolTrust {
    pub issuer: String,
    pub pool_id: String,
    pub app_client_id: String,
    pub tenant: Option<IssuerRecord>,
}

impl PoolTrust {
    pub fn staff(config: &Config) -> Self {
        Self {
            issuer: config.issuer_for_pool(&config.staff_pool_id),
            pool_id: config.staff_pool_id.clone(),
            app_client_id: config.staff_client_id.clone(),
            tenant: None,
        }
    }

    pub fn client(config: &Config, issuer: &str, record: IssuerRecord) -> Self {
        // The registry is keyed by the issuer Cognito writes, so the two always agree; the pool
        // id is taken from the record, not from the token.
        let _ = config;
        Self {
            issuer: issuer.to_string(),
            pool_id: record.pool_id.clone(),
            app_client_id: record.app_client_id.clone(),
            tenant: Some(record),
        }
    }
}

#[derive(Debug, Deserialize)]
struct UnverifiedClaims {
    iss: Option<String>,
}

/// The issuer a token claims, read before verification only to know whose keys to use.
pub fn unverified_issuer(token: &str) -> Result<String, Denial> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| Denial::Malformed)?;
    if header.alg != Algorithm::RS256 {
        return Err(Denial::WrongAlgorithm);
    }
    let claims: UnverifiedClaims =
        jsonwebtoken::dangerous::insecure_decode_claims(token).map_err(|_| Denial::Malformed)?;
    claims
        .iss
        .filter(|iss| !iss.is_empty())
        .ok_or(Denial::Malformed)
}

/// The claims of a verified Cognito access token that the portal relies on.
#[derive(Debug, Clone, Deserialize)]
pub struct AccessClaims {
    pub sub: String,
    pub token_use: String,
    pub client_id: String,
    pub iat: i64,
    /// The same for a sign-in and every refresh of it: names the portal's session gate.
    #[serde(default)]
    pub origin_jti: Option<String>,
}

/// Each pool's published keys, fetched once and again only when a token names a key we do not
/// have (key rotation), at most once a minute per pool.
pub struct Keys {
    http: Option<HttpsClient>,
    sets: Mutex<HashMap<String, (Instant, JwkSet)>>,
}

const REFETCH_AT_MOST_EVERY: Duration = Duration::from_secs(60);

impl Default for Keys {
    fn default() -> Self {
        Self::new()
    }
}

impl Keys {
    pub fn new() -> Self {
        // Cognito's JWKS endpoints present Amazon Trust Services chains: the same built-in
        // roots and TLS stack as the SDK (shared/src/trust.rs), so no certificate files are
        // read at start. Without a client every fetch is a dependency failure (503), never
        // an accepted token.
        let http = match atrium_shared::trust::rustls_client_config() {
            Ok(tls) => Some(https_client(tls)),
            Err(error) => {
                tracing::error!(%error, "no HTTPS client for the signing keys");
                None
            }
        };
        Self {
            http,
            sets: Mutex::new(HashMap::new()),
        }
    }

    pub async fn verify(
        &self,
        config: &Config,
        token: &str,
        trust: &PoolTrust,
    ) -> Result<AccessClaims, Denial> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| Denial::Malformed)?;
        let kid = header.kid.ok_or(Denial::UnknownKey)?;
        let key = self.key(config, trust, &kid).await?;

        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[trust.issuer.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.validate_aud = false; // access tokens carry client_id, checked below
        validation.leeway = 5;
        let data =
            jsonwebtoken::decode::<AccessClaims>(token, &key, &validation).map_err(|error| {
                match error.kind() {
                    jsonwebtoken::errors::ErrorKind::ExpiredSignature => Denial::Expired,
                    jsonwebtoken::errors::ErrorKind::InvalidSignature => Denial::BadSignature,
                    jsonwebtoken::errors::ErrorKind::InvalidAlgorithm => Denial::WrongAlgorithm,
                    _ => Denial::Malformed,
                }
            })?;
        let claims = data.claims;
        if claims.token_use != "access" {
            return Err(Denial::WrongTokenUse);
        }
        if claims.client_id != trust.app_client_id {
            return Err(Denial::WrongClient);
        }
        Ok(claims)
    }

    async fn key(
        &self,
        config: &Config,
        trust: &PoolTrust,
        kid: &str,
    ) -> Result<DecodingKey, Denial> {
        let cached = self.cached(&trust.pool_id);
        if let Some((_, set)) = &cached {
            if let Some(jwk) = set.find(kid) {
                return DecodingKey::from_jwk(jwk).map_err(|_| Denial::UnknownKey);
            }
        }
        if let Some((fetched_at, _)) = &cached {
            if fetched_at.elapsed() < REFETCH_AT_MOST_EVERY {
                return Err(Denial::UnknownKey);
            }
        }
        let set = self
            .fetch(&config.jwks_url_for_pool(&trust.pool_id))
            .await?;
        let key = set
            .find(kid)
            .map(|jwk| DecodingKey::from_jwk(jwk).map_err(|_| Denial::UnknownKey));
        if let Ok(mut sets) = self.sets.lock() {
            sets.insert(trust.pool_id.clone(), (Instant::now(), set));
        }
        key.unwrap_or(Err(Denial::UnknownKey))
    }

    fn cached(&self, pool_id: &str) -> Option<(Instant, JwkSet)> {
        self.sets.lock().ok()?.get(pool_id).cloned()
    }

    async fn fetch(&self, url: &str) -> Result<JwkSet, Denial> {
        let http = self.http.as_ref().ok_or(Denial::Dependency)?;
        let uri = url.parse::<http::Uri>().map_err(|_| Denial::Dependency)?;
        let fetched = tokio::time::timeout(FETCH_TIMEOUT, async {
            let response = http.get(uri).await.ok()?;
            if !response.status().is_success() {
                return None;
            }
            let body = Limited::new(response.into_body(), MAX_KEY_SET_BYTES);
            body.collect()
                .await
                .ok()
                .map(|collected| collected.to_bytes())
        })
        .await;
        match fetched {
            Ok(Some(bytes)) => serde_json::from_slice(&bytes).map_err(|_| Denial::Dependency),
            _ => Err(Denial::Dependency),
        }
    }
}

type HttpsClient = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    http_body_util::Empty<bytes::Bytes>,
>;

/// A whole fetch of a key set, connection included.
const FETCH_TIMEOUT: Duration = Duration::from_secs(3);
/// A pool's key set is two keys, under 2 KB; anything far larger is not one.
const MAX_KEY_SET_BYTES: usize = 64 * 1024;

/// HTTPS with the given TLS settings; plain HTTP too, for the local stack's moto.
fn https_client(tls: rustls::ClientConfig) -> HttpsClient {
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .build();
    hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build(connector)
}

#[cfg(test)]
mod tests {
    use super::*;
    use atrium_shared::tls_test_server;

    /// Signing keys come only from servers with an Amazon Trust Services chain: the same server
    /// answers a client that trusts its certificate, and the authorizer's own client refuses it.
    #[tokio::test]
    async fn keys_are_fetched_only_from_amazon_trust_services_chains() {
        let port = tls_test_server::serve(r#"{"keys":[]}"#).await;
        let url = format!("https://localhost:{port}/.well-known/jwks.json");

        let control = Keys {
            http: Some(https_client(tls_test_server::trusting_client_config())),
            sets: Mutex::new(HashMap::new()),
        };
        let set = control.fetch(&url).await.expect("the server answers");
        assert!(set.keys.is_empty());

        assert_eq!(
            Keys::new().fetch(&url).await.err(),
            Some(Denial::Dependency)
        );
    }
}
