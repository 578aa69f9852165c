//! Isolation: every protected route refuses forged, expired, unsigned, foreign and misused
//! tokens without a byte of data, a client never reaches another client's data or the staff
//! routes, and the tenant comes only from the verified token.

use atrium_local::template;
use atrium_shared::principal::Role;
use atrium_tests::tokens::{claims_of, moto_pool_key, now, sign, stranger_key, tampered, unsigned};
use atrium_tests::{TestEnv, ORIGIN};
use http::StatusCode;
use serde_json::json;

fn protected_routes() -> Vec<template::Route> {
    let text = std::fs::read_to_string(atrium_local::project_root().join("template.yaml")).unwrap();
    template::routes(&text)
        .unwrap()
        .into_iter()
        .filter(|route| !route.public)
        .collect()
}

/// A concrete path for a route, with `{id}` filled in.
fn path_of(route: &template::Route, id: &str) -> String {
    route.path.replace("{id}", id)
}

#[tokio::test]
async fn every_protected_route_refuses_bad_tokens_without_data() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let a = env.client(&admin, "alpha").await;
    let b = env.client(&admin, "bravo").await;

    let real = claims_of(&a.session.token);
    let b_claims = claims_of(&b.session.token);
    let moto_key = moto_pool_key();
    let with = |changes: serde_json::Value| {
        let mut claims = real.clone();
        for (key, value) in changes.as_object().unwrap() {
            claims[key] = value.clone();
        }
        claims
    };
    let in_an_hour = now() + 3600;
    let attacks: Vec<(&str, String)> = vec![
        ("garbage", "not-a-token".to_string()),
        (
            "tampered payload",
            tampered(&a.session.token, &with(json!({ "sub": b_claims["sub"] }))),
        ),
        (
            "signed by a stranger",
            sign(&stranger_key(), &with(json!({ "exp": in_an_hour }))),
        ),
        ("alg none", unsigned(&with(json!({ "exp": in_an_hour })))),
        (
            "expired",
            sign(
                &moto_key,
                &with(json!({ "exp": now() - 60, "iat": now() - 3660 })),
            ),
        ),
        (
            "unknown issuer",
            sign(
                &moto_key,
                &with(
                    json!({ "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_unregistered" }),
                ),
            ),
        ),
        (
            "id token",
            sign(&moto_key, &with(json!({ "token_use": "id" }))),
        ),
        (
            "another app client",
            sign(
                &moto_key,
                &with(json!({ "client_id": "someoneelsesclient" })),
            ),
        ),
        (
            "B's app client under A's issuer",
            sign(
                &moto_key,
                &with(json!({ "client_id": b_claims["client_id"] })),
            ),
        ),
        (
            "B's user under A's issuer",
            sign(&moto_key, &with(json!({ "sub": b_claims["sub"] }))),
        ),
        (
            "unknown user",
            sign(
                &moto_key,
                &with(json!({ "sub": "00000000-0000-0000-0000-000000000000" })),
            ),
        ),
    ];

    let routes = protected_routes();
    assert!(routes.len() >= 9, "every protected route is attacked");
    for route in &routes {
        let path = path_of(route, &b.tenant_id);
        // No token at all.
        let reply = env
            .call(&route.method, &path)
            .origin(ORIGIN)
            .json(json!({}))
            .send()
            .await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{} without a token",
            route.key()
        );
        assert_eq!(reply.json, json!({ "message": "Forbidden" }));
        for (name, token) in &attacks {
            for as_cookie in [false, true] {
                let call = env
                    .call(&route.method, &path)
                    .origin(ORIGIN)
                    .json(json!({}));
                let call = if as_cookie {
                    call.cookie(&format!("__Host-atrium_at={token}"))
                } else {
                    call.bearer(token)
                };
                let reply = call.send().await;
                assert_eq!(
                    reply.status,
                    StatusCode::FORBIDDEN,
                    "{} with {name} (cookie: {as_cookie}) → {}",
                    route.key(),
                    reply.body
                );
                assert_eq!(reply.json, json!({ "message": "Forbidden" }), "{name}");
            }
        }
    }

    // The same claims, properly signed by A's pool, are accepted: the attacks above fail for
    // the reason each names, not by accident.
    let control = sign(&moto_key, &with(json!({ "exp": in_an_hour })));
    let reply = env
        .call("GET", "/api/workspace")
        .bearer(&control)
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn a_client_sees_only_its_own_tenant_and_no_staff_route() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let a = env.client(&admin, "alpha").await;
    let b = env.client(&admin, "bravo").await;
    let b_markers = [
        b.tenant_id.as_str(),
        b.slug.as_str(),
        b.email.as_str(),
        "bravo Ltd",
    ];

    // Sign-out is left out: it would end A's session for the rest of the test (it is covered by
    // the skeleton's story).
    for route in protected_routes()
        .into_iter()
        .filter(|route| route.path != "/api/auth/logout")
    {
        let path = path_of(&route, &b.tenant_id);
        let reply = env
            .call(&route.method, &path)
            .bearer(&a.session.token)
            .origin(ORIGIN)
            .json(json!({ "required": true, "code": "123456", "password": "x" }))
            .send()
            .await;
        for marker in b_markers {
            assert!(
                !reply.body.contains(marker),
                "{} leaked {marker}: {}",
                route.key(),
                reply.body
            );
        }
        // Staff routes refuse clients outright.
        if route.path.starts_with("/api/clients") {
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", route.key());
            assert_eq!(
                reply.error_code(),
                "forbidden",
                "{}: {}",
                route.key(),
                reply.body
            );
        }
    }

    // What A reads is A's.
    let workspace = env
        .call("GET", "/api/workspace")
        .bearer(&a.session.token)
        .send()
        .await;
    assert_eq!(workspace.json["client"]["id"], a.tenant_id.as_str());
    let me = env
        .call("GET", "/api/me")
        .bearer(&a.session.token)
        .send()
        .await;
    assert_eq!(me.json["client"]["id"], a.tenant_id.as_str());

    // B's pool did not change: A could not make MFA required for B.
    let b_record = env
        .app
        .store
        .client_record(&b.tenant_id)
        .await
        .unwrap()
        .unwrap();
    assert!(!b_record.mfa_required);

    // Staff have no workspace of their own.
    let staff_workspace = env
        .call("GET", "/api/workspace")
        .bearer(&admin.token)
        .send()
        .await;
    assert_eq!(staff_workspace.status, StatusCode::FORBIDDEN);

    // Staff without the admin role cannot change a client's MFA policy; unknown ids are 404.
    let staff = env.staff(vec![Role::Staff]).await;
    let reply = env
        .call("PUT", &format!("/api/clients/{}/mfa", b.tenant_id))
        .bearer(&staff.token)
        .json(json!({ "required": true }))
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    for unknown in ["01ARZ3NDEKTSV4RRFFQ69G5FAV", "not-an-id"] {
        let reply = env
            .call("PUT", &format!("/api/clients/{unknown}/mfa"))
            .bearer(&admin.token)
            .json(json!({ "required": true }))
            .send()
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{unknown}");
    }
}

#[tokio::test]
async fn a_disabled_contact_is_refused_at_once() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let a = env.client(&admin, "alpha").await;
    let ok = env
        .call("GET", "/api/workspace")
        .bearer(&a.session.token)
        .send()
        .await;
    assert_eq!(ok.status, StatusCode::OK);

    let claims = claims_of(&a.session.token);
    let sub = claims["sub"].as_str().unwrap();
    env.app
        .store
        .dynamo()
        .update_item()
        .table_name(&env.config.table)
        .key("PK", atrium_shared::store::s(format!("T#{}", a.tenant_id)))
        .key(
            "SK",
            atrium_shared::store::s(atrium_shared::keys::contact_sk(sub)),
        )
        .update_expression("SET #status = :disabled")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":disabled", atrium_shared::store::s("disabled"))
        .send()
        .await
        .unwrap();
    let refused = env
        .call("GET", "/api/workspace")
        .bearer(&a.session.token)
        .send()
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

/// The IAM layer's code path runs locally too: a client's reads and writes and its presigned
/// URLs use a session assumed for that client (temporary credentials), and no other client's
/// session is made on its behalf.
#[tokio::test]
async fn tenant_data_goes_through_a_session_for_that_tenant() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let a = env.client(&admin, "sessions").await;
    let tenants = env
        .app
        .tenants
        .clone()
        .expect("tenant sessions are on in every stack");
    assert!(
        tenants.has_session(&a.tenant_id),
        "onboarding wrote through the tenant session"
    );

    let b = env.client(&admin, "others").await;
    let document = env
        .upload_document(
            &admin.token,
            &format!("/api/clients/{}", b.tenant_id),
            "letter.pdf",
            "application/pdf",
            json!({}),
            b"%PDF b",
        )
        .await;
    let link = env
        .call(
            "GET",
            &format!("/api/documents/{document}/versions/1/download"),
        )
        .bearer(&b.session.token)
        .send()
        .await;
    assert_eq!(link.status, StatusCode::OK, "{}", link.body);
    // Signed with a session's temporary credentials, not the function's.
    assert!(link.json["url"]
        .as_str()
        .unwrap()
        .contains("X-Amz-Security-Token"));
    assert!(tenants.has_session(&b.tenant_id));
    assert!(!tenants.has_session("01JZZZZZZZZZZZZZZZZZZZZZZZ"));
}
