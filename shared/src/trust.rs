//! Which certificate authorities the portal's own HTTPS clients trust: the five roots of
//! Amazon Trust Services, built into the binary (`amazon_trust_services.pem`).
//!
//! Why not the system's store: the default clients read and parse every certificate under
//! `/etc/ssl/certs` before the first request (about 150 files, once per client), which was
//! most of a function's cold start beyond a hello-world binary (`make bench`, docs/costs.md).
//! The portal only ever talks to AWS endpoints (DynamoDB, S3, STS, Cognito, SES and Cognito's
//! JWKS), and every one of them presents an Amazon Trust Services chain: DynamoDB and the
//! others migrated by 2018, CloudFront in June 2021, S3's default endpoints on 2 June 2022.
//! Trusting only those roots is also the narrower promise.
//!
//! The local stack talks plain HTTP to moto, so these roots are exercised only in AWS; the
//! tests below check the bundle itself, and that both clients refuse a server whose
//! certificate another authority issued (crate::tls_test_server).

use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use aws_smithy_http_client::Builder;
use aws_smithy_runtime_api::client::http::SharedHttpClient;

/// Amazon Root CA 1–4 and Starfield Services Root CA G2 (the cross-signing root), PEM.
pub const AMAZON_TRUST_SERVICES_PEM: &[u8] = include_bytes!("amazon_trust_services.pem");

/// The SDK's HTTP client trusting only [`AMAZON_TRUST_SERVICES_PEM`], with rustls on *ring*.
///
/// Why ring and not the SDK's default aws-lc: the same TLS 1.2/1.3 suites AWS endpoints offer,
/// in about 0.5 MB less of every binary (aws-lc's tables and its post-quantum key exchange,
/// which no AWS endpoint the portal calls needs); `make bench` measures the sizes.
pub fn sdk_http_client() -> Result<SharedHttpClient, String> {
    let trust = TrustStore::empty()
        .with_native_roots(false)
        .with_pem_certificate(AMAZON_TRUST_SERVICES_PEM);
    let context = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .map_err(|error| format!("TLS settings: {error}"))?;
    Ok(Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .tls_context(context)
        .build_https())
}

/// A rustls client configuration for HTTPS calls outside the SDK (the authorizer's fetch of
/// Cognito's signing keys): the same provider and the same roots.
pub fn rustls_client_config() -> Result<rustls::ClientConfig, String> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::CertificateDer;
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_slice_iter(AMAZON_TRUST_SERVICES_PEM) {
        let certificate = certificate.map_err(|error| format!("trust bundle: {error}"))?;
        roots
            .add(certificate)
            .map_err(|error| format!("trust bundle: {error}"))?;
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| format!("TLS versions: {error}"))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls_test_server;
    use aws_sdk_dynamodb::config::retry::RetryConfig;
    use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
    use aws_sdk_dynamodb::error::SdkError;

    fn dynamo_at(endpoint: &str, http: SharedHttpClient) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::from_conf(
            aws_sdk_dynamodb::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new("eu-west-1"))
                .credentials_provider(Credentials::new("key", "secret", None, None, "test"))
                .endpoint_url(endpoint)
                .retry_config(RetryConfig::disabled())
                .http_client(http)
                .build(),
        )
    }

    /// The SDK's client reaches only servers with an Amazon Trust Services chain: the same
    /// server answers a client that trusts its certificate; ours fails before sending.
    #[tokio::test]
    async fn the_sdk_reaches_only_amazon_trust_services_chains() {
        let port = tls_test_server::serve(r#"{"TableNames":[]}"#).await;
        let endpoint = format!("https://localhost:{port}");

        let trust = TrustStore::empty()
            .with_native_roots(false)
            .with_pem_certificate(tls_test_server::CERT);
        let context = TlsContext::builder()
            .with_trust_store(trust)
            .build()
            .expect("context");
        let trusting = Builder::new()
            .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
            .tls_context(context)
            .build_https();
        let listed = dynamo_at(&endpoint, trusting)
            .list_tables()
            .send()
            .await
            .expect("the server answers");
        assert!(listed.table_names().is_empty());

        let ours = sdk_http_client().expect("client");
        let refused = dynamo_at(&endpoint, ours)
            .list_tables()
            .send()
            .await
            .expect_err("an untrusted certificate");
        assert!(
            matches!(refused, SdkError::DispatchFailure(_)),
            "{refused:?}"
        );
    }

    fn certificates(pem: &[u8]) -> Vec<String> {
        let text = String::from_utf8_lossy(pem);
        text.split("-----BEGIN CERTIFICATE-----")
            .skip(1)
            .filter_map(|block| block.split("-----END CERTIFICATE-----").next())
            .map(|body| body.split_whitespace().collect())
            .collect()
    }

    #[test]
    fn the_bundle_holds_the_five_amazon_trust_services_roots() {
        assert_eq!(certificates(AMAZON_TRUST_SERVICES_PEM).len(), 5);
        assert!(sdk_http_client().is_ok());
        let config = rustls_client_config().expect("rustls config");
        assert!(config.enable_sni);
    }

    /// The embedded certificates are byte for byte the ones the operating system's store
    /// ships under the same names (Debian's ca-certificates, where present).
    #[test]
    fn the_bundle_matches_the_system_copies() {
        let names = [
            "Amazon_Root_CA_1",
            "Amazon_Root_CA_2",
            "Amazon_Root_CA_3",
            "Amazon_Root_CA_4",
            "Starfield_Services_Root_Certificate_Authority_-_G2",
        ];
        let embedded = certificates(AMAZON_TRUST_SERVICES_PEM);
        for (name, ours) in names.iter().zip(&embedded) {
            let Ok(system) = std::fs::read(format!("/etc/ssl/certs/{name}.pem")) else {
                continue;
            };
            assert_eq!(certificates(&system).first(), Some(ours), "{name}");
        }
    }
}
