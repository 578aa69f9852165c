//! The KMS signer against moto (started here from the project's venv, stopped on drop).

// Test helpers, like the tests themselves (clippy.toml), may unwrap and panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use atrium_pdfseal::{seal, stamp, verify, Certificate, KmsSigner, SealError, SignatureAlgorithm};
use aws_sdk_kms::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_kms::types::{KeySpec, KeyUsageType};
use common::*;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use time::macros::datetime;

/// moto_server on a free port; killed when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto_server() -> PathBuf {
    let candidates = [
        std::env::var("PDFSEAL_MOTO_SERVER").ok().map(PathBuf::from),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/moto_server")),
        Some(PathBuf::from("/tmp/pdfseal-venv/bin/moto_server")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|path| path.exists())
        .expect("moto_server: run scripts/setup (.venv) or set PDFSEAL_MOTO_SERVER")
}

fn start_moto() -> Moto {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(moto_server())
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moto_server");
    let moto = Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "moto did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    moto
}

fn client(endpoint: &str) -> aws_sdk_kms::Client {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    aws_sdk_kms::Client::from_conf(
        aws_sdk_kms::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-1"))
            .credentials_provider(Credentials::new("test", "test", None, None, "test"))
            .endpoint_url(endpoint)
            .http_client(http)
            .build(),
    )
}

async fn key(client: &aws_sdk_kms::Client, spec: KeySpec) -> String {
    client
        .create_key()
        .key_spec(spec)
        .key_usage(KeyUsageType::SignVerify)
        .description("pdfseal test")
        .send()
        .await
        .unwrap()
        .key_metadata()
        .unwrap()
        .key_id()
        .to_string()
}

#[tokio::test]
async fn kms_keys_seal_pdfs_that_verify() {
    let moto = start_moto();
    let client = client(&moto.endpoint);
    let stamped = stamp(
        &three_pages(),
        &[],
        &Certificate {
            title: "Certificate of completion".into(),
            lines: vec![("Document".into(), "Test".into())],
            sections: vec![],
        },
    )
    .unwrap();
    let at = datetime!(2025-06-01 12:00:00 UTC);

    for (spec, algorithm) in [
        (KeySpec::Rsa2048, SignatureAlgorithm::RsaPkcs1Sha256),
        (KeySpec::EccNistP256, SignatureAlgorithm::EcdsaP256Sha256),
    ] {
        let key_id = key(&client, spec.clone()).await;
        let signer = KmsSigner::new(client.clone(), key_id.clone(), "Example LLP")
            .await
            .unwrap();
        // The future is Send (a handler may run it on any worker thread).
        let sealing = seal(&stamped, &signer, at, "Signed by all parties");
        fn assert_send<T: Send>(_: &T) {}
        assert_send(&sealing);
        let sealed = sealing.await.unwrap();
        keep_sample(&format!("sealed-kms-{}.pdf", spec.as_str()), &sealed);
        let report = verify(&sealed).unwrap();
        assert_eq!(report.algorithm, algorithm, "{spec:?}");
        assert_eq!(report.common_name.as_deref(), Some("Example LLP"));
        assert_eq!(report.sealed_at, Some(at));
        assert!(report.self_signed);

        // A signer rebuilt from the kept certificate seals with the same certificate and key.
        let again = KmsSigner::with_certificate(
            client.clone(),
            key_id,
            atrium_pdfseal::DigestSigner::certificate_der(&signer).to_vec(),
        )
        .unwrap();
        let resealed = seal(&stamped, &again, at, "Again").await.unwrap();
        let second = verify(&resealed).unwrap();
        assert_eq!(second.certificate_sha256, report.certificate_sha256);
        assert_eq!(second.public_key_sha256, report.public_key_sha256);
    }
}

#[tokio::test]
async fn a_key_that_cannot_sign_is_refused() {
    let moto = start_moto();
    let client = client(&moto.endpoint);
    let symmetric = client
        .create_key()
        .send()
        .await
        .unwrap()
        .key_metadata()
        .unwrap()
        .key_id()
        .to_string();
    let error = KmsSigner::new(client, symmetric, "Example LLP")
        .await
        .unwrap_err();
    assert!(
        matches!(error, SealError::Kms(_) | SealError::UnsupportedKey(_)),
        "{error:?}"
    );
}
