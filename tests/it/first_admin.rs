//! The stack's first admin: created in the staff pool by CloudFormation with a temporary
//! password (`FirstAdminEmail`), they sign in, choose their own password, and become the firm's
//! admin. A staff pool user who is not the first admin and has no record gets nothing.

use atrium_tests::{TestEnv, STAFF_PASSWORD};
use aws_sdk_cognitoidentityprovider::types::{AttributeType, MessageActionType};
use http::StatusCode;
use serde_json::json;

async fn pool_user_with_temporary_password(env: &TestEnv, email: &str) {
    env.app
        .cognito
        .admin_create_user()
        .user_pool_id(&env.config.staff_pool_id)
        .username(email)
        .temporary_password("Temporary-Pass-2026!")
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value(email)
                .build()
                .unwrap(),
        )
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn the_first_admin_chooses_a_password_and_becomes_admin() {
    let first = format!("founder.{}@example.com", atrium_tests::unique("f"));
    let env =
        TestEnv::with_options(|options| options.first_admin_email = Some(first.clone())).await;
    pool_user_with_temporary_password(&env, &first).await;
    let stranger = env.email("stranger");
    pool_user_with_temporary_password(&env, &stranger).await;

    let step = env
        .call("POST", "/api/auth/login")
        .json(json!({ "email": first, "password": "Temporary-Pass-2026!", "mode": "bearer" }))
        .send()
        .await;
    assert_eq!(step.status, StatusCode::OK, "{}", step.body);
    assert_eq!(step.json["challenge"], "new_password");
    let session = step.json["session"].as_str().unwrap().to_string();

    // A weak password is named; nothing else changes.
    let weak = env
        .call("POST", "/api/auth/login")
        .json(json!({ "email": first, "challenge": "new_password", "session": session, "new_password": "short", "mode": "bearer" }))
        .send()
        .await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST, "{}", weak.body);
    assert!(weak.error_message().starts_with("new_password:"));

    let step = env
        .call("POST", "/api/auth/login")
        .json(json!({ "email": first, "password": "Temporary-Pass-2026!", "mode": "bearer" }))
        .send()
        .await;
    let chosen = env
        .call("POST", "/api/auth/login")
        .json(json!({ "email": first, "challenge": "new_password", "session": step.json["session"], "new_password": STAFF_PASSWORD, "mode": "bearer" }))
        .send()
        .await;
    assert_eq!(chosen.status, StatusCode::OK, "{}", chosen.body);
    assert_eq!(chosen.json["status"], "signed_in");
    let token = chosen.json["access_token"].as_str().unwrap().to_string();
    let me = env.call("GET", "/api/me").bearer(&token).send().await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.json["roles"], json!(["admin"]));
    // As an admin they can onboard the first client.
    let onboard = env
        .call("POST", "/api/clients")
        .bearer(&token)
        .json(json!({ "name": "First Client Ltd", "slug": format!("first-{}", &env.tag[env.tag.len() - 8..]), "contact": { "name": "Casey", "email": env.email("casey") } }))
        .send()
        .await;
    assert_eq!(onboard.status, StatusCode::CREATED, "{}", onboard.body);

    // The record is made once: the next sign-in finds it.
    let again = env.sign_in(&first, STAFF_PASSWORD, None).await;
    let me = env.call("GET", "/api/me").bearer(&again.token).send().await;
    assert_eq!(me.json["roles"], json!(["admin"]));

    // Anyone else in the staff pool without a record is refused at once, with their right
    // temporary password, exactly as a wrong password: the portal does not know them, so it
    // never asks their pool.
    let refused = env
        .call("POST", "/api/auth/login")
        .json(json!({ "email": stranger, "password": "Temporary-Pass-2026!", "mode": "bearer" }))
        .send()
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    let wrong = env
        .call("POST", "/api/auth/login")
        .json(json!({ "email": first, "password": "Wrong-Pass-2026!", "mode": "bearer" }))
        .send()
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.json, wrong.json);
}
