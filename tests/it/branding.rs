//! Branding: the public read (defaults first), a firm admin's changes (every field checked,
//! colours refused when white text on them is unreadable, versions), the logo (presigned
//! upload, confirm, public redirect to its bytes), and mail carrying what was set.

use atrium_shared::principal::Role;
use atrium_tests::TestEnv;
use base64::Engine;
use http::StatusCode;
use serde_json::json;
use sha2::Digest;

fn valid(version: u64) -> serde_json::Value {
    json!({
        "firm_name": "Harbour & Pike",
        "primary_colour": "#0F766E",
        "accent_colour": "#1d4ed8",
        "support_email": "Help@Harbour.example",
        "version": version,
    })
}

#[tokio::test]
async fn defaults_then_a_change_then_the_change() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;

    // Public: no session at all.
    let first = env.call("GET", "/api/branding").send().await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(
        first.json,
        json!({
            "firm_name": env.config.firm_name,
            "primary_colour": "#1d4ed8",
            "accent_colour": "#0f766e",
            "support_email": null,
            "logo_url": null,
            "version": 0,
        })
    );

    // The first write names version 0 (or none).
    let saved = env
        .call("PUT", "/api/branding")
        .bearer(&admin.token)
        .json(valid(0))
        .send()
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.json["version"], 1);
    assert_eq!(saved.json["primary_colour"], "#0f766e");
    assert_eq!(saved.json["support_email"], "help@harbour.example");
    let read = env.call("GET", "/api/branding").send().await;
    assert_eq!(read.json, saved.json);
    assert_eq!(read.json["firm_name"], "Harbour & Pike");

    // A stale version is a conflict and changes nothing.
    let stale = env
        .call("PUT", "/api/branding")
        .bearer(&admin.token)
        .json(json!({ "firm_name": "Someone Else", "primary_colour": "#000000", "accent_colour": "#000000", "version": 0 }))
        .send()
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(stale.error_message().starts_with("version:"));
    let again = env
        .call("PUT", "/api/branding")
        .bearer(&admin.token)
        .json(json!({ "firm_name": "Someone Else", "primary_colour": "#000000", "accent_colour": "#000000" }))
        .send()
        .await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "absent version = first write"
    );
    assert_eq!(
        env.call("GET", "/api/branding").send().await.json,
        saved.json
    );

    // The change is in the firm's own trail, chained.
    let trail = env.app.store.firm_audit_entries(100, None).await.unwrap();
    let updated: Vec<_> = trail
        .items
        .iter()
        .filter(|entry| entry.action == "branding.updated")
        .collect();
    assert_eq!(updated.len(), 1);
    assert_eq!(updated[0].tenant_id, "firm");
    assert!(updated[0].actor.starts_with("staff:"));
    let export: String = trail
        .items
        .iter()
        .map(|entry| serde_json::to_string(entry).unwrap() + "\n")
        .collect();
    assert_eq!(atrium_shared::audit::verify(&export), Ok(trail.items.len()));
}

#[tokio::test]
async fn unreadable_colours_and_bad_fields_are_refused_by_name() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;

    let yellow = env
        .call("PUT", "/api/branding")
        .bearer(&admin.token)
        .json(
            json!({ "firm_name": "Firm", "primary_colour": "#facc15", "accent_colour": "#1d4ed8" }),
        )
        .send()
        .await;
    assert_eq!(yellow.status, StatusCode::BAD_REQUEST, "{}", yellow.body);
    let message = yellow.error_message();
    assert!(message.starts_with("primary_colour:"), "{message}");
    assert!(message.contains("1.53:1"), "{message}");
    assert!(message.contains("4.5:1"), "{message}");
    assert!(yellow.json["error"]["fields"]["primary_colour"].is_string());

    let accent = env
        .call("PUT", "/api/branding")
        .bearer(&admin.token)
        .json(
            json!({ "firm_name": "Firm", "primary_colour": "#1d4ed8", "accent_colour": "#777777" }),
        )
        .send()
        .await;
    assert_eq!(accent.status, StatusCode::BAD_REQUEST);
    assert!(
        accent.error_message().starts_with("accent_colour:"),
        "{}",
        accent.body
    );

    let everything = env
        .call("PUT", "/api/branding")
        .bearer(&admin.token)
        .json(json!({ "firm_name": " ", "primary_colour": "blue", "accent_colour": "#ffffff", "support_email": "nope" }))
        .send()
        .await;
    assert_eq!(everything.status, StatusCode::BAD_REQUEST);
    let fields = everything.json["error"]["fields"].as_object().unwrap();
    for field in [
        "firm_name",
        "primary_colour",
        "accent_colour",
        "support_email",
    ] {
        assert!(fields.contains_key(field), "{field}: {}", everything.body);
    }
    let missing = env
        .call("PUT", "/api/branding")
        .bearer(&admin.token)
        .json(json!({ "firm_name": "Firm", "primary_colour": "#1d4ed8" }))
        .send()
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert!(
        missing.error_message().starts_with("accent_colour"),
        "{}",
        missing.body
    );

    // Nothing changed, and nothing was audited.
    let read = env.call("GET", "/api/branding").send().await;
    assert_eq!(read.json["version"], 0);
    assert_eq!(read.json["primary_colour"], "#1d4ed8");
    let trail = env.app.store.firm_audit_entries(100, None).await.unwrap();
    assert!(trail
        .items
        .iter()
        .all(|entry| entry.action != "branding.updated"));
}

#[tokio::test]
async fn only_a_firm_admin_changes_branding() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let staff = env.staff(vec![Role::Staff]).await;
    let client = env.client(&admin, "brand").await;
    for token in [&staff.token, &client.session.token] {
        for (method, path) in [
            ("PUT", "/api/branding"),
            ("POST", "/api/branding/logo"),
            ("POST", "/api/branding/logo/confirm"),
        ] {
            let reply = env
                .call(method, path)
                .bearer(token)
                .json(valid(0))
                .send()
                .await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{method} {path}");
        }
    }
    assert_eq!(
        env.call("GET", "/api/branding").send().await.json["version"],
        0
    );
}

#[tokio::test]
async fn a_logo_is_uploaded_confirmed_and_served_publicly() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let none = env.call("GET", "/api/branding/logo").send().await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);

    let bytes = b"\x89PNG\r\n\x1a\n a tiny logo".to_vec();
    let sha256 = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&bytes));
    for (body, field, status) in [
        (
            json!({ "content_type": "image/svg+xml", "size": 10, "sha256": sha256 }),
            "content_type",
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({ "content_type": "image/png", "size": 600 * 1024, "sha256": sha256 }),
            "size",
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            json!({ "content_type": "image/png", "size": 0, "sha256": sha256 }),
            "size",
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({ "content_type": "image/png", "size": 10, "sha256": "abc" }),
            "sha256",
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let reply = env
            .call("POST", "/api/branding/logo")
            .bearer(&admin.token)
            .json(body)
            .send()
            .await;
        assert_eq!(reply.status, status, "{}", reply.body);
        assert!(reply.error_message().starts_with(field), "{}", reply.body);
    }

    let started = env
        .call("POST", "/api/branding/logo")
        .bearer(&admin.token)
        .json(json!({ "content_type": "image/png", "size": bytes.len(), "sha256": sha256 }))
        .send()
        .await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
    let key = started.json["key"].as_str().unwrap().to_string();
    assert!(key.starts_with("firm/branding/logo/"), "{key}");
    let upload = &started.json["upload"];
    let headers = upload["headers"].as_object().unwrap();
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["x-amz-checksum-sha256"], sha256.as_str());

    // Confirming before the upload: nothing there yet.
    let early = env
        .call("POST", "/api/branding/logo/confirm")
        .bearer(&admin.token)
        .json(json!({ "key": key, "version": 0 }))
        .send()
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);

    let mut put = reqwest::Client::new().put(upload["url"].as_str().unwrap());
    for (name, value) in headers {
        put = put.header(name.as_str(), value.as_str().unwrap());
    }
    let stored = put.body(bytes.clone()).send().await.unwrap();
    assert!(stored.status().is_success(), "put: {}", stored.status());

    for bad in ["tenants/x/documents/y/v1", "firm/branding/logo/not-an-id"] {
        let reply = env
            .call("POST", "/api/branding/logo/confirm")
            .bearer(&admin.token)
            .json(json!({ "key": bad, "version": 0 }))
            .send()
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(reply.error_message().starts_with("key:"));
    }
    let stale = env
        .call("POST", "/api/branding/logo/confirm")
        .bearer(&admin.token)
        .json(json!({ "key": key, "version": 3 }))
        .send()
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let confirmed = env
        .call("POST", "/api/branding/logo/confirm")
        .bearer(&admin.token)
        .json(json!({ "key": key, "version": 0 }))
        .send()
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert_eq!(confirmed.json["version"], 1);
    let logo_url = confirmed.json["logo_url"].as_str().unwrap().to_string();
    let id = key.rsplit('/').next().unwrap();
    assert_eq!(
        logo_url,
        format!("{}/api/branding/logo?v={id}", atrium_tests::ORIGIN)
    );
    // Used up: the same upload cannot be confirmed twice.
    let twice = env
        .call("POST", "/api/branding/logo/confirm")
        .bearer(&admin.token)
        .json(json!({ "key": key, "version": 1 }))
        .send()
        .await;
    assert_eq!(twice.status, StatusCode::NOT_FOUND);

    // Public, without a session: a short-cached redirect to a URL that serves the bytes.
    let public = env.call("GET", "/api/branding/logo").send().await;
    assert_eq!(public.status, StatusCode::FOUND, "{}", public.body);
    assert_eq!(public.headers["cache-control"], "public, max-age=60");
    let location = public.headers["location"].to_str().unwrap();
    let fetched = reqwest::get(location).await.unwrap();
    assert!(fetched.status().is_success());
    assert_eq!(fetched.bytes().await.unwrap().to_vec(), bytes);
    assert_eq!(
        env.call("GET", "/api/branding").send().await.json["logo_url"],
        logo_url.as_str()
    );

    // Taking it away.
    let removed = env
        .call("PUT", "/api/branding")
        .bearer(&admin.token)
        .json(json!({ "firm_name": "Firm", "primary_colour": "#1d4ed8", "accent_colour": "#0f766e", "remove_logo": true, "version": 1 }))
        .send()
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    assert_eq!(removed.json["logo_url"], json!(null));
    assert_eq!(
        env.call("GET", "/api/branding/logo").send().await.status,
        StatusCode::NOT_FOUND
    );
    let actions: Vec<String> = env
        .app
        .store
        .firm_audit_entries(100, None)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|entry| entry.action)
        .collect();
    assert_eq!(
        actions,
        [
            "branding.logo_upload_started",
            "branding.logo_changed",
            "branding.updated"
        ]
    );
}

#[tokio::test]
async fn mail_after_a_change_carries_the_branding() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let saved = env
        .call("PUT", "/api/branding")
        .bearer(&admin.token)
        .json(json!({ "firm_name": "Harbour <Pike>", "primary_colour": "#0f766e", "accent_colour": "#1d4ed8", "support_email": "help@harbour.example" }))
        .send()
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);

    // Onboarding's invitation, and a staff invitation, go out in the new colours and name.
    let client = env.client(&admin, "mailed").await;
    let mail = env.mail_to(&client.email).await;
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0].subject.starts_with("Harbour <Pike> invited you"),
        "{}",
        mail[0].subject
    );
    let html = &mail[0].body;
    assert!(html.contains("Harbour &lt;Pike&gt;"), "{html}");
    assert!(html.contains("background:#0f766e"));
    assert!(!html.contains("#1d4ed8;color"), "the old colour is gone");
    assert!(html.contains("mailto:help@harbour.example"));

    let email = env.email("newbie");
    let invited = env
        .call("POST", "/api/staff")
        .bearer(&admin.token)
        .json(json!({ "name": "New Bie", "email": email, "role": "staff" }))
        .send()
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.body);
    let mail = env.mail_to(&email).await;
    assert_eq!(mail.len(), 1);
    assert!(mail[0].body.contains("background:#0f766e"));
    assert!(mail[0].subject.contains("Harbour <Pike>"));
}
