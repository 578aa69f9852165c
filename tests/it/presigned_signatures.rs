//! moto accepts any presigned request. These tests put the portal's presigned URLs in front of
//! an S3 server that verifies SigV4 query signatures and checksums (s3s-fs, in-process): the
//! honest upload and download work; a changed body, length, type, checksum, signature or
//! disposition, and an expired URL, are all refused.

use atrium_shared::config::Config;
use atrium_shared::objects::{
    presign_download, presign_upload, presign_upload_within, stored_object,
};
use atrium_shared::App;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// s3s-fs on a free loopback port, checking signatures made with the local stack's key.
async fn verifying_s3(root: &std::path::Path) -> String {
    let filesystem = s3s_fs::FileSystem::new(root).expect("s3s-fs");
    let mut builder = s3s::service::S3ServiceBuilder::new(filesystem);
    builder.set_auth(s3s::auth::SimpleAuth::from_single("local", "local"));
    let service = builder.build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let http = Builder::new(TokioExecutor::new());
        while let Ok((socket, _)) = listener.accept().await {
            let connection = http
                .serve_connection(TokioIo::new(socket), service.clone())
                .into_owned();
            tokio::spawn(async move {
                let _ = connection.await;
            });
        }
    });
    format!("http://{address}")
}

async fn app_on(endpoint: &str) -> App {
    let config = Config {
        table: "unused".into(),
        documents_bucket: "documents".into(),
        staff_pool_id: "unused".into(),
        staff_client_id: "unused".into(),
        portal_origin: "https://portal.test".into(),
        mail_from: "portal@example.com".into(),
        firm_name: "Firm".into(),
        region: "us-east-1".into(),
        resource_prefix: "atrium".into(),
        aws_endpoint: Some(endpoint.to_string()),
        invite_ttl_hours: 72,
        user_cache_seconds: 0,
        session_idle_minutes: 30,
        session_hours: 12,
        max_upload_bytes: 1_000_000,
        reminder_days: vec![3, 1],
        first_admin_email: None,
        tenant_role_arn: None,
        origin_secret: None,
        client_limit: atrium_shared::config::DEFAULT_CLIENT_LIMIT,
        stripe_api: atrium_shared::config::DEFAULT_STRIPE_API.to_string(),
        stripe_js_url: atrium_shared::config::DEFAULT_STRIPE_JS_URL.to_string(),
    };
    let app = App::from_config(config).await.expect("app");
    app.s3
        .create_bucket()
        .bucket("documents")
        .send()
        .await
        .expect("bucket");
    app
}

fn checksum(bytes: &[u8]) -> String {
    STANDARD.encode(Sha256::digest(bytes))
}

/// PUTs `body` with the presigned headers, after `tamper` had its way with them.
async fn put(
    upload: &Value,
    body: &[u8],
    tamper: impl FnOnce(&mut Vec<(String, String)>, &mut String),
) -> u16 {
    let mut url = upload["url"].as_str().unwrap().to_string();
    let mut headers: Vec<(String, String)> = upload["headers"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(name, _)| name.as_str() != "content-length") // the body sets it
        .map(|(name, value)| (name.clone(), value.as_str().unwrap().to_string()))
        .collect();
    tamper(&mut headers, &mut url);
    let mut request = reqwest::Client::new().put(&url);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    request
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn presigned_uploads_and_downloads_are_bound_to_what_was_declared() {
    let root = tempfile::tempdir().unwrap();
    let endpoint = verifying_s3(root.path()).await;
    let app = app_on(&endpoint).await;
    let key = "tenants/01ARZ3NDEKTSV4RRFFQ69G5FAV/documents/01JD3K7ZQ8M2V5X9T4R6N1B0CW/v1";
    let body = b"%PDF-1.7 the declared file".to_vec();
    let upload = presign_upload(
        &app,
        key,
        "application/pdf",
        body.len() as i64,
        &checksum(&body),
    )
    .await
    .unwrap();
    let upload = serde_json::to_value(upload).unwrap();

    let other = b"%PDF-1.7 a different file!".to_vec();
    assert_eq!(other.len(), body.len());
    assert_eq!(
        put(&upload, &other, |_, _| {}).await,
        400,
        "a body that is not the declared file"
    );
    assert_eq!(
        put(&upload, b"%PDF-1.7 longer than declared", |_, _| {}).await,
        403,
        "another length"
    );
    assert_eq!(
        put(&upload, &body, |headers, _| {
            for (name, value) in headers.iter_mut() {
                if name == "content-type" {
                    *value = "text/html".into();
                }
            }
        })
        .await,
        403,
        "another type"
    );
    assert_eq!(
        put(&upload, &other, |headers, _| {
            for (name, value) in headers.iter_mut() {
                if name == "x-amz-checksum-sha256" {
                    *value = checksum(&other);
                }
            }
        })
        .await,
        403,
        "a checksum swapped for the other file's"
    );
    assert_eq!(
        put(&upload, &body, |headers, _| headers
            .retain(|(name, _)| name != "x-amz-checksum-sha256"))
        .await,
        403,
        "no checksum"
    );
    assert_eq!(
        put(&upload, &body, |_, url| *url = url.replace("/v1?", "/v2?")).await,
        403,
        "another key"
    );
    assert_eq!(
        put(&upload, &body, |_, url| {
            let at = url.find("X-Amz-Signature=").unwrap() + "X-Amz-Signature=".len();
            url.replace_range(at..at + 4, "0000");
        })
        .await,
        403,
        "a forged signature"
    );

    // The honest upload is stored with the checksum confirm compares.
    assert_eq!(put(&upload, &body, |_, _| {}).await, 200);
    let stored = stored_object(&app, key).await.unwrap().expect("stored");
    assert_eq!(stored.size, body.len() as i64);
    assert_eq!(stored.sha256.as_deref(), Some(checksum(&body).as_str()));
    assert_eq!(stored.content_type.as_deref(), Some("application/pdf"));

    // Downloads: as an attachment under the given name; the disposition cannot be changed.
    let disposition = atrium_shared::objects::attachment_disposition("tax forms.pdf");
    let url = presign_download(&app, key, &disposition).await.unwrap();
    let response = reqwest::get(&url).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-disposition"],
        disposition.as_str()
    );
    assert_eq!(&response.bytes().await.unwrap()[..], &body[..]);
    let changed = url.replace("tax%20forms", "evil");
    assert_eq!(reqwest::get(&changed).await.unwrap().status(), 403);

    // An expired upload URL is refused.
    let short = presign_upload_within(
        &app,
        key,
        "application/pdf",
        body.len() as i64,
        &checksum(&body),
        Duration::from_secs(1),
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        put(&serde_json::to_value(short).unwrap(), &body, |_, _| {}).await,
        403,
        "expired"
    );
}
