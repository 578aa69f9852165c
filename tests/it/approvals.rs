//! Approvals and e-signatures: terms first, consent once per contact, the typed name, the
//! exact document version and its SHA-256; a certificate anyone can check against the file;
//! two racing decisions, exactly one wins.

use atrium_approvals::data::Approvals;
use atrium_shared::principal::Role;
use atrium_tests::{Client, Session, TestEnv};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The firm shares a file with the client; answers (document id, the bytes).
async fn shared_document(env: &TestEnv, staff: &Session, client: &Client, bytes: &[u8]) -> String {
    let started = env
        .call("POST", &format!("/api/clients/{}/documents", client.tenant_id))
        .bearer(&staff.token)
        .json(json!({ "name": "Engagement letter", "file_name": "engagement.pdf", "content_type": "application/pdf", "size": bytes.len(), "sha256": STANDARD.encode(Sha256::digest(bytes)) }))
        .send()
        .await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
    let upload = &started.json["upload"];
    let mut put = reqwest::Client::new().put(upload["url"].as_str().unwrap());
    for (name, value) in upload["headers"].as_object().unwrap() {
        put = put.header(name.as_str(), value.as_str().unwrap());
    }
    assert!(put
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap()
        .status()
        .is_success());
    let document = started.json["document_id"].as_str().unwrap().to_string();
    let confirmed = env
        .call(
            "POST",
            &format!(
                "/api/clients/{}/documents/{document}/versions/1/confirm",
                client.tenant_id
            ),
        )
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    // Approvals are asked only on files the malware scan cleared.
    assert_eq!(env.scanned(&document, 1).await, "clean");
    document
}

async fn ask(env: &TestEnv, staff: &Session, client: &Client, body: Value) -> atrium_tests::Reply {
    env.call(
        "POST",
        &format!("/api/clients/{}/approvals", client.tenant_id),
    )
    .bearer(&staff.token)
    .json(body)
    .send()
    .await
}

#[tokio::test]
async fn a_signature_with_consent_and_a_certificate_that_checks_against_the_file() {
    let env = TestEnv::new().await;
    let staff = env.staff(vec![Role::Admin]).await;
    let client = env.client(&staff, "sign").await;
    let file = b"%PDF-1.7 engagement letter, final".to_vec();
    let document = shared_document(&env, &staff, &client, &file).await;

    let no_terms = ask(&env, &staff, &client, json!({ "title": "Sign", "signature": true, "subject": { "kind": "document_version", "document_id": document, "version": 1 } })).await;
    assert_eq!(no_terms.status, StatusCode::BAD_REQUEST);
    assert!(no_terms.error_message().starts_with("terms:"));
    let no_version = ask(&env, &staff, &client, json!({ "title": "Sign", "subject": { "kind": "document_version", "document_id": document, "version": 2 } })).await;
    assert!(
        no_version.error_message().starts_with("subject.version:"),
        "{}",
        no_version.body
    );

    let created = ask(
        &env,
        &staff,
        &client,
        json!({ "title": "Sign the engagement letter", "signature": true, "terms": "I accept the engagement terms.", "subject": { "kind": "document_version", "document_id": document, "version": 1 } }),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let approval = created.json["id"].as_str().unwrap().to_string();

    // The dashboard lists it as waiting; terms and the consent text come first.
    let dashboard = env
        .call("GET", "/api/workspace")
        .bearer(&client.session.token)
        .send()
        .await;
    assert_eq!(dashboard.json["approvals"][0]["id"], approval.as_str());
    let shown = env
        .call("GET", &format!("/api/approvals/{approval}"))
        .bearer(&client.session.token)
        .send()
        .await;
    assert_eq!(
        shown.json["approval"]["terms"],
        "I accept the engagement terms."
    );
    assert_eq!(shown.json["consent"]["given"], false);
    assert!(shown.json["consent"]["text"]
        .as_str()
        .unwrap()
        .contains("electronically"));

    let decide = |body: Value| {
        env.call("POST", &format!("/api/approvals/{approval}/decide"))
            .bearer(&client.session.token)
            .header("user-agent", "Mozilla/5.0 (iPhone) Signer")
            .json(body)
    };
    let nameless = decide(json!({ "decision": "approve", "consent": true }))
        .send()
        .await;
    assert!(
        nameless.error_message().starts_with("typed_name:"),
        "{}",
        nameless.body
    );
    let no_consent = decide(json!({ "decision": "approve", "typed_name": "Casey Contact" }))
        .send()
        .await;
    assert!(
        no_consent.error_message().starts_with("consent:"),
        "{}",
        no_consent.body
    );

    let signed =
        decide(json!({ "decision": "approve", "typed_name": "Casey Contact", "consent": true }))
            .send()
            .await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);
    let decided = env
        .call("GET", &format!("/api/approvals/{approval}"))
        .bearer(&client.session.token)
        .send()
        .await;
    assert_eq!(decided.json["approval"]["status"], "approved");
    // The certificate: JSON and HTML, and the SHA-256 of the very file.
    let certificate = env
        .call("GET", &format!("/api/approvals/{approval}/certificate"))
        .bearer(&client.session.token)
        .send()
        .await;
    assert_eq!(certificate.status, StatusCode::OK, "{}", certificate.body);
    let expected = format!("{:x}", Sha256::digest(&file));
    assert_eq!(
        certificate.json["document"]["sha256_hex"],
        expected.as_str()
    );
    assert_eq!(certificate.json["document"]["version"], 1);
    assert_eq!(certificate.json["signer"]["typed_name"], "Casey Contact");
    assert_eq!(certificate.json["signer"]["email"], client.email.as_str());
    assert_eq!(
        certificate.json["user_agent"],
        "Mozilla/5.0 (iPhone) Signer"
    );
    assert!(certificate.json["consent"]["text"]
        .as_str()
        .unwrap()
        .contains("electronically"));
    let page = env
        .call(
            "GET",
            &format!(
                "/api/clients/{}/approvals/{approval}/certificate?format=html",
                client.tenant_id
            ),
        )
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(page.body.contains(&expected) && page.body.contains("Casey Contact"));
    let trail = env
        .call("GET", "/api/audit?limit=200")
        .bearer(&client.session.token)
        .send()
        .await;
    for action in [
        "approval.requested",
        "esign.consent_given",
        "approval.signed",
        "certificate.viewed",
    ] {
        assert!(trail.body.contains(action), "{action}");
    }

    // Consent is given once: the next signature needs only the typed name.
    let second = ask(
        &env,
        &staff,
        &client,
        json!({ "title": "Sign again", "signature": true, "terms": "Terms.", "subject": { "kind": "statement", "text": "The scope is confirmed." } }),
    )
    .await;
    let second_id = second.json["id"].as_str().unwrap();
    let signed = env
        .call("POST", &format!("/api/approvals/{second_id}/decide"))
        .bearer(&client.session.token)
        .json(json!({ "decision": "approve", "typed_name": "Casey Contact", "consent": true }))
        .send()
        .await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);
    let third = ask(
        &env,
        &staff,
        &client,
        json!({ "title": "And again", "signature": true, "terms": "Terms.", "subject": { "kind": "statement", "text": "Agreed." } }),
    )
    .await;
    let third_id = third.json["id"].as_str().unwrap();
    let shown = env
        .call("GET", &format!("/api/approvals/{third_id}"))
        .bearer(&client.session.token)
        .send()
        .await;
    assert_eq!(shown.json["consent"]["given"], true);
    let signed = env
        .call("POST", &format!("/api/approvals/{third_id}/decide"))
        .bearer(&client.session.token)
        .json(json!({ "decision": "approve", "typed_name": "Casey Contact" }))
        .send()
        .await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);

    // Two decisions race: another decision lands between our read and our write (injected
    // just before our transaction; moto's transactions are not isolated between its threads, so
    // real concurrency against moto would prove nothing). Exactly one wins.
    let raced = ask(
        &env,
        &staff,
        &client,
        json!({ "title": "Race", "subject": { "kind": "statement", "text": "Race." } }),
    )
    .await;
    let approval = raced.json["id"].as_str().unwrap().to_string();
    let (tenant_id, raced_id) = (client.tenant_id.clone(), approval.clone());
    let rival = atrium_tests::CutIn::new(env.config.clone(), move |app| async move {
        use atrium_approvals::data::{ApprovalStatus, Decision};
        let scope = atrium_shared::principal::Principal::staff("x", vec![Role::Admin])
            .staff_scope(&tenant_id)
            .unwrap();
        let mut record = Approvals::of(app.store.tenant(&scope))
            .get(&raced_id)
            .await
            .unwrap()
            .unwrap();
        record.status = ApprovalStatus::Rejected;
        record.decision = Some(Decision {
            status: ApprovalStatus::Rejected,
            comment: "Not like this.".into(),
            by_sub: "rival".into(),
            by_email: "rival@example.com".into(),
            at: atrium_shared::ids::now_rfc3339(),
            ip: String::new(),
            user_agent: String::new(),
        });
        record.version += 1;
        let item = Approvals::of(app.store.tenant(&scope))
            .decide(&record)
            .unwrap();
        app.store.transact(vec![item], "decided").await.unwrap();
    });
    let racing = TestEnv::from_app(
        Arc::new(rival.app(&env.config).await),
        env.config.clone(),
        env.endpoint.clone(),
        env.tag.clone(),
    );
    let lost = racing
        .call("POST", &format!("/api/approvals/{approval}/decide"))
        .bearer(&client.session.token)
        .json(json!({ "decision": "approve" }))
        .send()
        .await;
    assert_eq!(lost.status, StatusCode::CONFLICT, "{}", lost.body);
    let final_state = env
        .call("GET", &format!("/api/approvals/{approval}"))
        .bearer(&client.session.token)
        .send()
        .await;
    assert_eq!(
        final_state.json["approval"]["status"], "rejected",
        "the first decision stands"
    );
}

#[tokio::test]
async fn changes_need_a_comment_and_read_only_contacts_cannot_decide() {
    let env = TestEnv::new().await;
    let staff = env.staff(vec![Role::Admin]).await;
    let client = env.client(&staff, "plain").await;
    let created = ask(
        &env,
        &staff,
        &client,
        json!({ "title": "Scope", "subject": { "kind": "statement", "text": "Scope confirmed." } }),
    )
    .await;
    let approval = created.json["id"].as_str().unwrap().to_string();
    let reader = env
        .contact_with_roles(&client, "reader", vec![Role::ReadOnly])
        .await;
    let refused = env
        .call("POST", &format!("/api/approvals/{approval}/decide"))
        .bearer(&reader.token)
        .json(json!({ "decision": "approve" }))
        .send()
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let silent = env
        .call("POST", &format!("/api/approvals/{approval}/decide"))
        .bearer(&client.session.token)
        .json(json!({ "decision": "request_changes" }))
        .send()
        .await;
    assert!(
        silent.error_message().starts_with("comment:"),
        "{}",
        silent.body
    );
    let changes = env
        .call("POST", &format!("/api/approvals/{approval}/decide"))
        .bearer(&client.session.token)
        .json(json!({ "decision": "request_changes", "comment": "Add the second site." }))
        .send()
        .await;
    assert_eq!(changes.status, StatusCode::OK);
    assert_eq!(changes.json["status"], "changes_requested");
    // A decided approval stays decided, and has no certificate (it was no signature).
    let again = env
        .call("POST", &format!("/api/approvals/{approval}/decide"))
        .bearer(&client.session.token)
        .json(json!({ "decision": "approve" }))
        .send()
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let none = env
        .call("GET", &format!("/api/approvals/{approval}/certificate"))
        .bearer(&client.session.token)
        .send()
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    // A milestone can be approved too.
    let project = env
        .call(
            "POST",
            &format!("/api/clients/{}/projects", client.tenant_id),
        )
        .bearer(&staff.token)
        .json(json!({ "name": "Site", "milestones": [{ "title": "Design signed off" }] }))
        .send()
        .await;
    let milestone = ask(
        &env,
        &staff,
        &client,
        json!({ "title": "Design", "subject": { "kind": "milestone", "project_id": project.json["id"], "milestone_id": project.json["milestones"][0]["id"] } }),
    )
    .await;
    assert_eq!(milestone.status, StatusCode::CREATED, "{}", milestone.body);
    assert_eq!(milestone.json["subject"]["title"], "Design signed off");
}
