//! Document collection end to end, with a real HTTP client doing the PUT to the presigned URL
//! and the GET from the download URL: request → upload → confirm → reject with a reason →
//! upload v2 → accept; the firm shares a document and the client downloads it; versions in
//! order; the audit entries; limits and bad input.

use atrium_shared::principal::Role;
use atrium_tests::{Client, Reply, Session, TestEnv};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

fn checksum(bytes: &[u8]) -> String {
    STANDARD.encode(Sha256::digest(bytes))
}

fn in_days(days: i64) -> String {
    atrium_shared::dates::days_from_today(days)
}

/// PUTs `bytes` to a presigned upload exactly as a browser would, with the headers it names.
async fn put_upload(upload: &Value, bytes: &[u8]) -> reqwest::StatusCode {
    let mut request = reqwest::Client::new().put(upload["url"].as_str().unwrap());
    for (name, value) in upload["headers"].as_object().unwrap() {
        request = request.header(name.as_str(), value.as_str().unwrap());
    }
    request.body(bytes.to_vec()).send().await.unwrap().status()
}

async fn start_upload(
    env: &TestEnv,
    client: &Client,
    request_id: &str,
    name: &str,
    bytes: &[u8],
) -> Reply {
    env.call("POST", &format!("/api/requests/{request_id}/uploads"))
        .bearer(&client.session.token)
        .json(json!({ "file_name": name, "content_type": "application/pdf", "size": bytes.len(), "sha256": checksum(bytes) }))
        .send()
        .await
}

async fn confirm(
    env: &TestEnv,
    token: &str,
    path_prefix: &str,
    document: &str,
    number: u64,
) -> Reply {
    env.call(
        "POST",
        &format!("{path_prefix}/documents/{document}/versions/{number}/confirm"),
    )
    .bearer(token)
    .send()
    .await
}

async fn request_of(env: &TestEnv, token: &str, id: &str) -> Value {
    let list = env.call("GET", "/api/requests").bearer(token).send().await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    list.json["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|request| request["id"] == id)
        .cloned()
        .expect("the request is listed")
}

async fn review(
    env: &TestEnv,
    staff: &Session,
    client: &Client,
    request: &Value,
    decision: &str,
    reason: Option<&str>,
) -> Reply {
    env.call(
        "POST",
        &format!(
            "/api/clients/{}/requests/{}/review",
            client.tenant_id,
            request["id"].as_str().unwrap()
        ),
    )
    .bearer(&staff.token)
    .json(json!({ "version": request["version"], "decision": decision, "reason": reason }))
    .send()
    .await
}

#[tokio::test]
async fn request_upload_reject_upload_again_accept_share_and_download() {
    let env = TestEnv::new().await;
    let staff = env.staff(vec![Role::Staff]).await;
    let admin = env.staff(vec![Role::Admin]).await;
    let client = env.client(&admin, "docs").await;

    // The firm asks.
    let created = env
        .call("POST", &format!("/api/clients/{}/requests", client.tenant_id))
        .bearer(&staff.token)
        .json(json!({ "title": "2025 tax forms", "instructions": "All of them, please.", "due_date": in_days(7) }))
        .send()
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let request_id = created.json["requests"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let notices = env.mail_to(&client.email).await;
    assert!(notices
        .iter()
        .any(|mail| mail.subject.contains("asks you for documents")
            && mail.body.contains("2025 tax forms")));

    // The client sees it on the dashboard and in the list, outstanding and not overdue.
    let dashboard = env
        .call("GET", "/api/workspace")
        .bearer(&client.session.token)
        .send()
        .await;
    assert_eq!(
        dashboard.json["document_requests"][0]["id"],
        request_id.as_str()
    );
    assert_eq!(
        dashboard.json["document_requests"][0]["due_date"],
        in_days(7)
    );
    let listed = request_of(&env, &client.session.token, &request_id).await;
    assert_eq!(listed["status"], "outstanding");
    assert_eq!(listed["overdue"], false);

    // Upload v1: the presigned PUT signs the type, the length and the checksum.
    let first = b"%PDF-1.7 first attempt".to_vec();
    // A name with a folder in it is refused, naming the field, and nothing is started.
    let pathy = start_upload(&env, &client, &request_id, "../scans/tax forms.pdf", &first).await;
    assert_eq!(pathy.status, StatusCode::BAD_REQUEST, "{}", pathy.body);
    assert!(
        pathy.error_message().starts_with("file_name:"),
        "{}",
        pathy.body
    );
    let started = start_upload(&env, &client, &request_id, "tax forms.pdf", &first).await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
    let document_id = started.json["document_id"].as_str().unwrap().to_string();
    assert_eq!(started.json["version"], 1);
    let upload = &started.json["upload"];
    let url = upload["url"].as_str().unwrap();
    assert!(
        url.contains(&format!(
            "/tenants/{}/documents/{document_id}/v1?",
            client.tenant_id
        )),
        "{url}"
    );
    let signed = url
        .split("X-Amz-SignedHeaders=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_lowercase();
    for header in ["content-type", "content-length", "x-amz-checksum-sha256"] {
        assert!(signed.contains(header), "{header} is signed: {signed}");
    }
    assert_eq!(upload["headers"]["x-amz-checksum-sha256"], checksum(&first));
    assert_eq!(upload["headers"]["content-type"], "application/pdf");

    // Confirming before the file arrived changes nothing; an unconfirmed upload leaves the
    // request as it was.
    let early = confirm(&env, &client.session.token, "/api", &document_id, 1).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    assert_eq!(
        request_of(&env, &client.session.token, &request_id).await["status"],
        "outstanding"
    );

    assert!(put_upload(upload, &first).await.is_success());
    let confirmed = confirm(&env, &client.session.token, "/api", &document_id, 1).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert_eq!(confirmed.json["versions"][0]["file_name"], "tax forms.pdf");
    let again = confirm(&env, &client.session.token, "/api", &document_id, 1).await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    // Submitted; the owner got exactly one mail.
    let request = request_of(&env, &client.session.token, &request_id).await;
    assert_eq!(request["status"], "submitted");
    let owner_mail = env
        .call("GET", "/api/me")
        .bearer(&staff.token)
        .send()
        .await
        .json["email"]
        .as_str()
        .unwrap()
        .to_string();
    let submitted = env.mail_to(&owner_mail).await;
    assert_eq!(submitted.len(), 1, "one mail per submission");
    assert!(submitted[0].subject.contains("submitted"));

    // The firm rejects with a reason; the client sees it and uploads again.
    let rejected = review(
        &env,
        &staff,
        &client,
        &request,
        "reject",
        Some("Page 2 is missing."),
    )
    .await;
    assert_eq!(rejected.status, StatusCode::OK, "{}", rejected.body);
    let request = request_of(&env, &client.session.token, &request_id).await;
    assert_eq!(request["status"], "rejected");
    assert_eq!(request["rejection_reason"], "Page 2 is missing.");
    let second = b"%PDF-1.7 complete, with page 2".to_vec();
    let started = start_upload(
        &env,
        &client,
        &request_id,
        "tax forms (all pages).pdf",
        &second,
    )
    .await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
    assert_eq!(started.json["version"], 2);
    assert!(put_upload(&started.json["upload"], &second)
        .await
        .is_success());
    let confirmed = confirm(&env, &client.session.token, "/api", &document_id, 2).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert_eq!(env.mail_to(&owner_mail).await.len(), 2);

    // A review racing another: the stale version loses.
    let request = request_of(&env, &client.session.token, &request_id).await;
    let accepted = review(&env, &staff, &client, &request, "accept", None).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let stale = review(&env, &staff, &client, &request, "reject", Some("late")).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(
        request_of(&env, &client.session.token, &request_id).await["status"],
        "accepted"
    );
    let dashboard = env
        .call("GET", "/api/workspace")
        .bearer(&client.session.token)
        .send()
        .await;
    assert_eq!(
        dashboard.json["document_requests"],
        json!([]),
        "accepted requests leave the dashboard"
    );

    // An accepted request takes no more uploads.
    let closed = start_upload(&env, &client, &request_id, "more.pdf", b"more").await;
    assert_eq!(closed.status, StatusCode::CONFLICT);

    // Both versions are kept, in order, and each downloads as what was uploaded, once the
    // malware scan found it clean.
    env.scanned(&document_id, 1).await;
    env.scanned(&document_id, 2).await;
    let document = env
        .call("GET", &format!("/api/documents/{document_id}"))
        .bearer(&client.session.token)
        .send()
        .await;
    assert_eq!(document.status, StatusCode::OK, "{}", document.body);
    let versions = document.json["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["number"], 1);
    assert_eq!(versions[1]["number"], 2);
    assert_eq!(versions[0]["sha256"], checksum(&first));
    for (number, bytes) in [(1, &first), (2, &second)] {
        let link = env
            .call(
                "GET",
                &format!("/api/documents/{document_id}/versions/{number}/download"),
            )
            .bearer(&client.session.token)
            .send()
            .await;
        assert_eq!(link.status, StatusCode::OK, "{}", link.body);
        let url = link.json["url"].as_str().unwrap();
        assert!(
            url.contains("response-content-disposition=attachment"),
            "{url}"
        );
        assert!(url.contains("X-Amz-Expires=300"), "{url}");
        let body = reqwest::get(url).await.unwrap().bytes().await.unwrap();
        assert_eq!(&body[..], &bytes[..], "v{number}");
    }

    // The firm shares a document; the client downloads it; a new version keeps the history.
    let letter = b"%PDF-1.7 engagement letter".to_vec();
    let shared = env
        .call("POST", &format!("/api/clients/{}/documents", client.tenant_id))
        .bearer(&staff.token)
        .json(json!({ "name": "Engagement letter", "file_name": "engagement.pdf", "content_type": "application/pdf", "size": letter.len(), "sha256": checksum(&letter) }))
        .send()
        .await;
    assert_eq!(shared.status, StatusCode::CREATED, "{}", shared.body);
    let letter_id = shared.json["document_id"].as_str().unwrap().to_string();
    // Not listed for the client until it is confirmed.
    let before = env
        .call("GET", "/api/documents")
        .bearer(&client.session.token)
        .send()
        .await;
    assert!(!before.body.contains(&letter_id));
    assert!(put_upload(&shared.json["upload"], &letter)
        .await
        .is_success());
    let staff_prefix = format!("/api/clients/{}", client.tenant_id);
    // A client cannot confirm the firm's upload.
    let not_theirs = confirm(&env, &client.session.token, "/api", &letter_id, 1).await;
    assert_eq!(not_theirs.status, StatusCode::NOT_FOUND);
    let confirmed = confirm(&env, &staff.token, &staff_prefix, &letter_id, 1).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let listed = env
        .call("GET", "/api/documents")
        .bearer(&client.session.token)
        .send()
        .await;
    assert!(listed.body.contains("Engagement letter"), "{}", listed.body);
    assert_eq!(env.scanned(&letter_id, 1).await, "clean");
    let link = env
        .call(
            "GET",
            &format!("/api/documents/{letter_id}/versions/1/download"),
        )
        .bearer(&client.session.token)
        .send()
        .await;
    let body = reqwest::get(link.json["url"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&body[..], &letter[..]);
    let signed_letter = b"%PDF-1.7 engagement letter, countersigned".to_vec();
    let next = env
        .call("POST", &format!("/api/clients/{}/documents/{letter_id}/versions", client.tenant_id))
        .bearer(&staff.token)
        .json(json!({ "file_name": "engagement-signed.pdf", "content_type": "application/pdf", "size": signed_letter.len(), "sha256": checksum(&signed_letter) }))
        .send()
        .await;
    assert_eq!(next.status, StatusCode::CREATED, "{}", next.body);
    assert_eq!(next.json["version"], 2);
    assert!(put_upload(&next.json["upload"], &signed_letter)
        .await
        .is_success());
    assert_eq!(
        confirm(&env, &staff.token, &staff_prefix, &letter_id, 2)
            .await
            .status,
        StatusCode::OK
    );
    let history = env
        .call("GET", &format!("/api/documents/{letter_id}"))
        .bearer(&client.session.token)
        .send()
        .await;
    let names: Vec<&str> = history.json["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["file_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["engagement.pdf", "engagement-signed.pdf"]);

    // The firm's lists: this client's requests, and every client's by status.
    let per_client = env
        .call(
            "GET",
            &format!("/api/clients/{}/requests", client.tenant_id),
        )
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(per_client.json["requests"].as_array().unwrap().len(), 1);
    let firm_wide = env
        .call("GET", "/api/requests?status=accepted")
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(firm_wide.status, StatusCode::OK, "{}", firm_wide.body);
    assert!(firm_wide.body.contains(&request_id));
    let outstanding = env
        .call("GET", "/api/requests?status=outstanding")
        .bearer(&staff.token)
        .send()
        .await;
    assert!(!outstanding.body.contains(&request_id));

    // Everything above is in the client's audit trail.
    let trail = audit_actions(&env, &client.tenant_id).await;
    for action in [
        "request.created",
        "requests.viewed",
        "document.upload_started",
        "document.confirmed",
        "request.submitted",
        "request.rejected",
        "request.accepted",
        "document.viewed",
        "document.downloaded",
        "documents.viewed",
    ] {
        assert!(
            trail.iter().any(|entry| entry == action),
            "audit has {action}: {trail:?}"
        );
    }
}

/// Puts an object straight into S3 under `key`, as a mistaken or tampered upload would.
async fn put_object(env: &TestEnv, key: &str, bytes: Vec<u8>, content_type: &str) {
    env.app
        .s3
        .put_object()
        .bucket(&env.config.documents_bucket)
        .key(key)
        .content_type(content_type)
        .checksum_algorithm(aws_sdk_s3::types::ChecksumAlgorithm::Sha256)
        .checksum_sha256(checksum(&bytes))
        .body(bytes.into())
        .send()
        .await
        .unwrap();
}

async fn audit_actions(env: &TestEnv, tenant_id: &str) -> Vec<String> {
    let output = env
        .app
        .store
        .dynamo()
        .query()
        .table_name(&env.config.table)
        .key_condition_expression("PK = :pk AND begins_with(SK, :audit)")
        .expression_attribute_values(":pk", atrium_shared::store::s(format!("T#{tenant_id}")))
        .expression_attribute_values(":audit", atrium_shared::store::s("AUDIT#"))
        .send()
        .await
        .unwrap();
    output
        .items()
        .iter()
        .filter_map(|item| item.get("action")?.as_s().ok().cloned())
        .collect()
}

#[tokio::test]
async fn limits_bad_input_and_mismatched_objects_change_nothing() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let client = env.client(&admin, "limits").await;
    let other = env.client(&admin, "other").await;

    // A shared document's body (its own fields and the file's): a wrong type is named by its
    // field, not "body", and a field the route does not take is refused by name.
    let file = json!({ "file_name": "a.pdf", "content_type": "application/pdf", "size": 3, "sha256": "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=" });
    for (change, field) in [
        (json!({ "size": "big" }), "size:"),
        (json!({ "content_type": 7 }), "content_type:"),
        (json!({ "name": ["x"] }), "name:"),
        (
            json!({ "audiense": "everyone" }),
            "audiense: is not a field",
        ),
    ] {
        let mut body = file.clone();
        for (key, value) in change.as_object().unwrap() {
            body[key] = value.clone();
        }
        for (path, token) in [
            ("/api/documents".to_string(), &client.session.token),
            (
                format!("/api/clients/{}/documents", client.tenant_id),
                &admin.token,
            ),
        ] {
            let refused = env
                .call("POST", &path)
                .bearer(token)
                .json(body.clone())
                .send()
                .await;
            assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{path} {body}");
            assert!(
                refused.error_message().starts_with(field),
                "{path}: {}",
                refused.body
            );
        }
    }

    let create = |tenant: &str, body: Value| {
        env.call("POST", &format!("/api/clients/{tenant}/requests"))
            .bearer(&admin.token)
            .json(body)
    };
    for (body, field) in [
        (json!({ "title": "", "due_date": in_days(3) }), "title:"),
        (
            json!({ "title": "x", "due_date": "31/12/2026" }),
            "due_date:",
        ),
        (
            json!({ "title": "x", "due_date": "2001-01-01" }),
            "due_date:",
        ),
        (
            json!({ "title": "x", "due_date": in_days(3), "items": [] }),
            "items:",
        ),
        (
            json!({ "title": "x", "due_date": in_days(3), "items": [{ "title": " " }] }),
            "items[0].title:",
        ),
        (
            json!({ "title": "x", "due_date": in_days(3), "project_id": "nope" }),
            "project_id:",
        ),
    ] {
        let reply = create(&client.tenant_id, body.clone()).send().await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            reply.body
        );
        assert!(
            reply.error_message().starts_with(field),
            "{body}: {}",
            reply.body
        );
    }
    // A linked project must be one of this client's.
    let elsewhere = env
        .call(
            "POST",
            &format!("/api/clients/{}/projects", other.tenant_id),
        )
        .bearer(&admin.token)
        .json(json!({ "name": "Other's project" }))
        .send()
        .await;
    let foreign_project = elsewhere.json["id"].as_str().unwrap().to_string();
    let reply = create(
        &client.tenant_id,
        json!({ "title": "x", "due_date": in_days(3), "project_id": foreign_project }),
    )
    .send()
    .await;
    assert!(
        reply.error_message().starts_with("project_id:"),
        "{}",
        reply.body
    );
    let own = env
        .call(
            "POST",
            &format!("/api/clients/{}/projects", client.tenant_id),
        )
        .bearer(&admin.token)
        .json(json!({ "name": "Own project" }))
        .send()
        .await;
    let linked = create(
        &client.tenant_id,
        json!({ "title": "Linked", "due_date": in_days(3), "project_id": own.json["id"] }),
    )
    .send()
    .await;
    assert_eq!(linked.status, StatusCode::CREATED, "{}", linked.body);
    assert_eq!(linked.json["requests"][0]["project_id"], own.json["id"]);

    // A checklist makes one request per item, grouped.
    let checklist = create(
        &client.tenant_id,
        json!({ "title": "Year-end pack", "due_date": in_days(10), "items": [{ "title": "Bank statements" }, { "title": "Payroll", "instructions": "All 12 months" }] }),
    )
    .send()
    .await;
    assert_eq!(checklist.status, StatusCode::CREATED, "{}", checklist.body);
    let items = checklist.json["requests"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["group_id"], items[1]["group_id"]);
    assert_eq!(items[1]["instructions"], "All 12 months");
    let request_id = items[0]["id"].as_str().unwrap().to_string();

    let upload = |token: String, request: String, body: Value| {
        let env = &env;
        async move {
            env.call("POST", &format!("/api/requests/{request}/uploads"))
                .bearer(&token)
                .json(body)
                .send()
                .await
        }
    };
    let good = json!({ "file_name": "a.pdf", "content_type": "application/pdf", "size": 10, "sha256": checksum(b"0123456789") });
    let with = |key: &str, value: Value| {
        let mut body = good.clone();
        body[key] = value;
        body
    };
    let exe = upload(
        client.session.token.clone(),
        request_id.clone(),
        with("content_type", json!("application/x-msdownload")),
    )
    .await;
    assert_eq!(exe.status, StatusCode::BAD_REQUEST);
    assert!(exe.error_message().starts_with("content_type:"));
    let huge = upload(
        client.session.token.clone(),
        request_id.clone(),
        with("size", json!(5 * 1024 * 1024 * 1024_i64 + 1)),
    )
    .await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(huge.error_message().starts_with("size:"));
    let bad_sum = upload(
        client.session.token.clone(),
        request_id.clone(),
        with("sha256", json!("abc")),
    )
    .await;
    assert_eq!(bad_sum.status, StatusCode::BAD_REQUEST);
    assert!(bad_sum.error_message().starts_with("sha256:"));
    // Another tenant's request is not found, and staff cannot upload as a client.
    let foreign = upload(
        other.session.token.clone(),
        request_id.clone(),
        good.clone(),
    )
    .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let as_staff = upload(admin.token.clone(), request_id.clone(), good.clone()).await;
    assert_eq!(as_staff.status, StatusCode::FORBIDDEN);
    // None of that started a document.
    assert!(env
        .app
        .store
        .tenant(&atrium_tests::scope_of(&client))
        .get::<atrium_documents::data::DocumentRecord>(&atrium_documents::data::document_sk(
            &request_id
        ))
        .await
        .unwrap()
        .is_none());

    // An object that does not match what was declared is refused at confirm.
    let declared = b"0123456789".to_vec();
    let started = upload(
        client.session.token.clone(),
        request_id.clone(),
        good.clone(),
    )
    .await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
    let key = started.json["upload"]["url"]
        .as_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .split(&format!("/{}/", env.config.documents_bucket))
        .nth(1)
        .unwrap()
        .to_string();
    put_object(&env, &key, b"0123456789abc".to_vec(), "application/pdf").await;
    let wrong_size = confirm(&env, &client.session.token, "/api", &request_id, 1).await;
    assert_eq!(wrong_size.status, StatusCode::CONFLICT);
    assert!(
        wrong_size.error_message().contains("bytes"),
        "{}",
        wrong_size.body
    );
    put_object(&env, &key, b"9876543210".to_vec(), "application/pdf").await;
    let wrong_sum = confirm(&env, &client.session.token, "/api", &request_id, 1).await;
    assert_eq!(wrong_sum.status, StatusCode::CONFLICT);
    assert!(
        wrong_sum.error_message().contains("SHA-256"),
        "{}",
        wrong_sum.body
    );
    put_object(&env, &key, declared.clone(), "text/plain").await;
    let wrong_type = confirm(&env, &client.session.token, "/api", &request_id, 1).await;
    assert_eq!(wrong_type.status, StatusCode::CONFLICT);
    let request = request_of(&env, &client.session.token, &request_id).await;
    assert_eq!(request["status"], "outstanding", "nothing was recorded");
    put_object(&env, &key, declared, "application/pdf").await;
    assert_eq!(
        confirm(&env, &client.session.token, "/api", &request_id, 1)
            .await
            .status,
        StatusCode::OK
    );

    // A cancelled request takes no upload and leaves the client's list.
    let second = items[1].clone();
    let cancelled = env
        .call(
            "POST",
            &format!(
                "/api/clients/{}/requests/{}/cancel",
                client.tenant_id,
                second["id"].as_str().unwrap()
            ),
        )
        .bearer(&admin.token)
        .json(json!({ "version": second["version"] }))
        .send()
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    let refused = upload(
        client.session.token.clone(),
        second["id"].as_str().unwrap().to_string(),
        good.clone(),
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    let mine = env
        .call("GET", "/api/requests")
        .bearer(&client.session.token)
        .send()
        .await;
    assert!(!mine.body.contains(second["id"].as_str().unwrap()));

    // Edits need the current version.
    let stale = env
        .call(
            "PATCH",
            &format!("/api/clients/{}/requests/{request_id}", client.tenant_id),
        )
        .bearer(&admin.token)
        .json(json!({ "version": 1, "title": "Renamed" }))
        .send()
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
}

#[tokio::test]
async fn another_tenant_and_a_read_only_contact_get_nothing_they_should_not() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let a = env.client(&admin, "alpha").await;
    let b = env.client(&admin, "bravo").await;

    // B has a request with a confirmed upload, and a shared document.
    let created = env
        .call("POST", &format!("/api/clients/{}/requests", b.tenant_id))
        .bearer(&admin.token)
        .json(json!({ "title": "Bravo secret", "due_date": in_days(5) }))
        .send()
        .await;
    let b_request = created.json["requests"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let bytes = b"%PDF-1.7 bravo".to_vec();
    let started = start_upload(&env, &b, &b_request, "bravo.pdf", &bytes).await;
    assert!(put_upload(&started.json["upload"], &bytes)
        .await
        .is_success());
    let b_document = started.json["document_id"].as_str().unwrap().to_string();
    assert_eq!(
        confirm(&env, &b.session.token, "/api", &b_document, 1)
            .await
            .status,
        StatusCode::OK
    );

    // A aims at B's ids: not found, every time, and nothing of B's in A's lists.
    let token = &a.session.token;
    for (method, path) in [
        ("GET", format!("/api/documents/{b_document}")),
        (
            "GET",
            format!("/api/documents/{b_document}/versions/1/download"),
        ),
        (
            "POST",
            format!("/api/documents/{b_document}/versions/1/confirm"),
        ),
    ] {
        let reply = env.call(method, &path).bearer(token).send().await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{method} {path}: {}",
            reply.body
        );
        assert!(!reply.body.contains("bravo"));
    }
    let upload = start_upload(&env, &a, &b_request, "x.pdf", b"x").await;
    assert_eq!(upload.status, StatusCode::NOT_FOUND);
    for path in ["/api/requests", "/api/documents"] {
        let reply = env.call("GET", path).bearer(token).send().await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(
            !reply.body.contains(&b_request) && !reply.body.contains("Bravo"),
            "{path}: {}",
            reply.body
        );
    }
    // A contact cannot use the firm's routes, for their own organisation or another.
    for tenant in [&a.tenant_id, &b.tenant_id] {
        let reply = env
            .call("GET", &format!("/api/clients/{tenant}/documents"))
            .bearer(token)
            .send()
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        let reply = env
            .call("POST", &format!("/api/clients/{tenant}/requests"))
            .bearer(token)
            .json(json!({ "title": "x", "due_date": in_days(3) }))
            .send()
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
    }

    // A read-only contact of B sees and downloads, but cannot upload or confirm.
    env.scanned(&b_document, 1).await;
    let reader = env
        .contact_with_roles(&b, "reader", vec![Role::ReadOnly])
        .await;
    let listed = env
        .call("GET", "/api/requests")
        .bearer(&reader.token)
        .send()
        .await;
    assert!(listed.body.contains(&b_request));
    let link = env
        .call(
            "GET",
            &format!("/api/documents/{b_document}/versions/1/download"),
        )
        .bearer(&reader.token)
        .send()
        .await;
    assert_eq!(link.status, StatusCode::OK);
    let second = env
        .call("POST", &format!("/api/clients/{}/requests", b.tenant_id))
        .bearer(&admin.token)
        .json(json!({ "title": "Another", "due_date": in_days(5) }))
        .send()
        .await;
    let second_id = second.json["requests"][0]["id"].as_str().unwrap();
    let reply = env
        .call("POST", &format!("/api/requests/{second_id}/uploads"))
        .bearer(&reader.token)
        .json(json!({ "file_name": "a.pdf", "content_type": "application/pdf", "size": 1, "sha256": checksum(b"a") }))
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    let reply = confirm(&env, &reader.token, "/api", &b_document, 1).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}
