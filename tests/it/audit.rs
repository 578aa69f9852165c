//! The audit trail: every action of the skeleton and the documents in order, failed sign-ins
//! included; client admins read their own, staff any client's; filters and pages; the export
//! verifies offline, and tampering with one line is found; concurrent writes keep the chain.

use atrium_shared::audit::{verify, AuditEntry};
use atrium_shared::http::RequestMeta;
use atrium_shared::principal::Principal;
use atrium_shared::principal::Role;
use atrium_tests::TestEnv;
use http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_trail_records_in_order_and_its_export_verifies() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let a = env.client(&admin, "alpha").await;
    let b = env.client(&admin, "bravo").await;

    // A failed sign-in, then some reads and a request.
    let failed = env
        .call("POST", "/api/auth/login")
        .json(json!({ "email": a.email, "password": "Wrong-Password-1!", "slug": a.slug }))
        .send()
        .await;
    assert_eq!(failed.status, StatusCode::UNAUTHORIZED);
    env.call("GET", "/api/documents")
        .bearer(&a.session.token)
        .send()
        .await;
    let asked = env
        .call("POST", &format!("/api/clients/{}/requests", a.tenant_id))
        .bearer(&admin.token)
        .json(
            json!({ "title": "Statements", "due_date": atrium_shared::dates::days_from_today(4) }),
        )
        .send()
        .await;
    let request_id = asked.json["requests"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let trail = env
        .call("GET", "/api/audit?limit=200")
        .bearer(&a.session.token)
        .send()
        .await;
    assert_eq!(trail.status, StatusCode::OK, "{}", trail.body);
    let entries = trail.json["entries"].as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|entry| entry["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "client.onboarded",
            "invitation.sent",
            "invitation.accepted",
            "session.signed_in",
            "session.sign_in_failed",
            "documents.viewed",
            "request.created",
        ]
    );
    for (index, entry) in entries.iter().enumerate() {
        assert_eq!(entry["seq"], index as u64 + 1);
        for field in [
            "actor",
            "role",
            "tenant_id",
            "target",
            "at",
            "ip",
            "user_agent",
            "hash",
            "prev_hash",
        ] {
            assert!(entry.get(field).is_some(), "{field}");
        }
    }
    assert_eq!(entries[4]["target"], format!("email/{}", a.email));
    assert!(!trail.body.contains("Wrong-Password"), "never the password");
    assert!(entries[6]["actor"].as_str().unwrap().starts_with("staff:"));
    assert!(!trail.body.contains(&b.tenant_id), "only A's trail");

    // Filters and pages.
    let only = env
        .call("GET", "/api/audit?action=request.created")
        .bearer(&a.session.token)
        .send()
        .await;
    assert_eq!(only.json["entries"].as_array().unwrap().len(), 1);
    // A narrow filter on a small page still finds the entry deep in the trail: the server reads
    // on instead of answering an empty page with a cursor.
    let deep = env
        .call("GET", "/api/audit?action=request.created&limit=1")
        .bearer(&a.session.token)
        .send()
        .await;
    assert_eq!(
        deep.json["entries"][0]["action"], "request.created",
        "{}",
        deep.body
    );
    let rest = env
        .call(
            "GET",
            &format!(
                "/api/audit?action=request.created&limit=1&cursor={}",
                deep.json["next_cursor"].as_str().unwrap_or_default()
            ),
        )
        .bearer(&a.session.token)
        .send()
        .await;
    assert_eq!(rest.json["entries"], serde_json::json!([]), "{}", rest.body);
    let target = env
        .call("GET", &format!("/api/audit?target=request/{request_id}"))
        .bearer(&a.session.token)
        .send()
        .await;
    assert_eq!(target.json["entries"][0]["action"], "request.created");
    let first = env
        .call("GET", "/api/audit?limit=3")
        .bearer(&a.session.token)
        .send()
        .await;
    assert_eq!(first.json["entries"].as_array().unwrap().len(), 3);
    let cursor = first.json["next_cursor"].as_str().unwrap();
    let next = env
        .call("GET", &format!("/api/audit?limit=3&cursor={cursor}"))
        .bearer(&a.session.token)
        .send()
        .await;
    assert_eq!(next.json["entries"][0]["seq"], 4);

    // Staff read any client's trail; a client's admin only their own; other roles not at all.
    let staff_view = env
        .call("GET", &format!("/api/clients/{}/audit", a.tenant_id))
        .bearer(&admin.token)
        .send()
        .await;
    assert_eq!(staff_view.status, StatusCode::OK);
    assert!(staff_view.body.contains("session.sign_in_failed"));
    let foreign = env
        .call("GET", &format!("/api/clients/{}/audit", a.tenant_id))
        .bearer(&b.session.token)
        .send()
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    let reader = env
        .contact_with_roles(&a, "reader", vec![Role::Member])
        .await;
    let refused = env
        .call("GET", "/api/audit")
        .bearer(&reader.token)
        .send()
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // The export verifies; one changed line is found.
    let export = env
        .call("GET", "/api/audit/export")
        .bearer(&a.session.token)
        .send()
        .await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.body);
    assert_eq!(export.headers["content-type"], "application/x-ndjson");
    let count = verify(&export.body).expect("an intact chain");
    assert_eq!(count, 8, "seven above and the read-only contact's sign-in");
    let mut lines: Vec<String> = export.body.lines().map(str::to_string).collect();
    lines[4] = lines[4].replace("session.sign_in_failed", "session.signed_in");
    let broken = verify(&lines.join("\n")).unwrap_err();
    assert_eq!(broken.line, 5, "{broken}");
    let mut dropped: Vec<String> = export.body.lines().map(str::to_string).collect();
    dropped.remove(2);
    assert_eq!(verify(&dropped.join("\n")).unwrap_err().line, 3);

    let absurd = env
        .call("GET", "/api/audit/export?after=18446744073709551615")
        .bearer(&a.session.token)
        .send()
        .await;
    assert_eq!(absurd.status, StatusCode::BAD_REQUEST);
    assert!(absurd.error_message().starts_with("after:"));

    // The export itself was recorded, and the next export continues the same chain.
    let again = env
        .call(
            "GET",
            "/api/clients/{id}/audit/export"
                .replace("{id}", &a.tenant_id)
                .as_str(),
        )
        .bearer(&admin.token)
        .send()
        .await;
    assert!(again.body.contains("audit.exported"));
    assert!(verify(&again.body).is_ok());
}

#[tokio::test]
async fn a_write_that_loses_the_head_is_chained_again() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let a = env.client(&admin, "busy").await;
    // Another writer moves the trail's head between our read of it and our transaction.
    let tenant_id = a.tenant_id.clone();
    let cut_in = atrium_tests::CutIn::new(env.config.clone(), move |app| async move {
        let scope = Principal::staff("other", vec![Role::Admin])
            .staff_scope(&tenant_id)
            .unwrap();
        let entry = AuditEntry::new(
            &scope,
            "staff:other",
            "admin",
            "cut.in",
            "test",
            0,
            &RequestMeta::default(),
        );
        app.store.audit(&scope, &entry).await.unwrap();
    });
    let dynamo = cut_in.dynamo(&env.config).await;
    let store = atrium_shared::store::Store::new(dynamo, env.config.table.clone());
    let scope = Principal::staff("me", vec![Role::Admin])
        .staff_scope(&a.tenant_id)
        .unwrap();
    let mine = AuditEntry::new(
        &scope,
        "staff:me",
        "admin",
        "mine",
        "test",
        0,
        &RequestMeta::default(),
    );
    store
        .audit(&scope, &mine)
        .await
        .expect("chained again after losing the head");

    let export = env
        .call("GET", "/api/audit/export")
        .bearer(&a.session.token)
        .send()
        .await;
    verify(&export.body).expect("an intact chain");
    let cut = export
        .body
        .find("\"cut.in\"")
        .expect("the other writer's entry");
    let own = export.body.find("\"mine\"").expect("our entry");
    assert!(
        cut < own,
        "the other writer got the head first; ours follows it"
    );
}

/// Behind CloudFront: the trail records the viewer's address the distribution reports, not the
/// edge's; a request that bypasses the distribution (no origin secret, or a wrong one) is
/// refused before any handler runs, with a valid session or without, and changes nothing.
#[tokio::test]
async fn behind_cloudfront_the_viewer_is_recorded_and_bypasses_are_refused() {
    use atrium_shared::edge::{ORIGIN_VERIFY_HEADER, VIEWER_ADDRESS_HEADER};
    let env = TestEnv::with_options(|options| {
        options.origin_secret = Some("origin-secret-only-the-stack-knows".to_string());
    })
    .await;
    let admin = env.staff(vec![Role::Admin]).await;
    let a = env.client(&admin, "alpha").await;

    let failed = env
        .call("POST", "/api/auth/login")
        .header(VIEWER_ADDRESS_HEADER, "203.0.113.45")
        .json(json!({ "email": a.email, "password": "Wrong-Password-1!", "slug": a.slug }))
        .send()
        .await;
    assert_eq!(failed.status, StatusCode::UNAUTHORIZED, "{}", failed.body);

    // Past CloudFront: the same sign-in attempt, a read with a valid session (claiming
    // another address), and a wrong secret; each is a 403 with no data.
    let bypasses = [
        env.call_direct("POST", "/api/auth/login")
            .header(VIEWER_ADDRESS_HEADER, "198.51.100.1")
            .json(json!({ "email": a.email, "password": "Wrong-Password-1!", "slug": a.slug }))
            .send()
            .await,
        env.call_direct("GET", "/api/audit")
            .header(VIEWER_ADDRESS_HEADER, "198.51.100.1")
            .bearer(&a.session.token)
            .send()
            .await,
        env.call_direct("GET", "/api/audit")
            .header(ORIGIN_VERIFY_HEADER, "origin-secret-only-the-stack-knowZ")
            .bearer(&a.session.token)
            .send()
            .await,
    ];
    for refused in &bypasses {
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        assert_eq!(refused.error_code(), "forbidden");
        assert!(refused.json.get("entries").is_none());
    }

    let trail = env
        .call("GET", "/api/audit?action=session.sign_in_failed")
        .bearer(&a.session.token)
        .send()
        .await;
    assert_eq!(trail.status, StatusCode::OK, "{}", trail.body);
    let failures = trail.json["entries"].as_array().unwrap();
    // One failed sign-in, not two: the bypassing one never reached the handler.
    assert_eq!(failures.len(), 1, "{}", trail.body);
    assert_eq!(failures[0]["ip"], "203.0.113.45");
}

/// The firm's own trail (branding, staff): firm admins list it and export it; the export
/// verifies offline like a client's and is itself recorded; nobody else reads it.
#[tokio::test]
async fn the_firm_trail_is_listed_exported_and_verified_by_firm_admins_only() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let staff = env.staff(vec![Role::Staff]).await;
    let client = env.client(&admin, "firmtrail").await;

    // Two firm-level changes: a staff invitation and a branding change.
    let invited = env
        .call("POST", "/api/staff")
        .bearer(&admin.token)
        .json(json!({ "name": "Nora New", "email": env.email("nora"), "role": "staff" }))
        .send()
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.body);
    let current = env.call("GET", "/api/branding").send().await;
    let rebranded = env
        .call("PUT", "/api/branding")
        .bearer(&admin.token)
        .json(json!({ "firm_name": "Harbour & Pike LLP", "primary_colour": "#1f3a5f", "accent_colour": "#b5472a", "version": current.json["version"] }))
        .send()
        .await;
    assert_eq!(rebranded.status, StatusCode::OK, "{}", rebranded.body);

    let listed = env
        .call("GET", "/api/firm/audit?limit=1")
        .bearer(&admin.token)
        .send()
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(listed.json["entries"].as_array().unwrap().len(), 1);
    let cursor = listed.json["next_cursor"].as_str().expect("more entries");
    let next = env
        .call("GET", &format!("/api/firm/audit?cursor={cursor}"))
        .bearer(&admin.token)
        .send()
        .await;
    let actions: Vec<&str> = listed.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .chain(next.json["entries"].as_array().unwrap())
        .map(|entry| entry["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"staff.invited"), "{actions:?}");
    assert!(actions.contains(&"branding.updated"), "{actions:?}");
    // No client's entries leak into it.
    assert!(!next.body.contains(&client.tenant_id), "{}", next.body);

    let export = env
        .call("GET", "/api/firm/audit/export")
        .bearer(&admin.token)
        .send()
        .await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.body);
    assert_eq!(export.headers["content-type"], "application/x-ndjson");
    let count = verify(&export.body).expect("an intact chain");
    assert_eq!(count, actions.len());
    let again = env
        .call("GET", "/api/firm/audit/export")
        .bearer(&admin.token)
        .send()
        .await;
    assert!(again.body.contains("audit.exported"));
    assert_eq!(verify(&again.body).unwrap(), count + 1);

    // Staff who are not admins, contacts, and no token (the gateway's own 403): refused,
    // nothing shown.
    for (token, expected) in [
        (Some(staff.token.as_str()), StatusCode::FORBIDDEN),
        (Some(client.session.token.as_str()), StatusCode::FORBIDDEN),
        (None, StatusCode::FORBIDDEN),
    ] {
        for path in ["/api/firm/audit", "/api/firm/audit/export"] {
            let mut call = env.call("GET", path);
            if let Some(token) = token {
                call = call.bearer(token);
            }
            let refused = call.send().await;
            assert_eq!(refused.status, expected, "{path}: {}", refused.body);
            assert!(!refused.body.contains("staff.invited"));
        }
    }
}
