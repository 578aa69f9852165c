//! Changing one's password while signed in: the current one is required, the new one must
//! meet the policy, every session then ends, the old password no longer signs in, and a mail
//! and the trail say it happened.

use atrium_tests::{Reply, TestEnv, CONTACT_PASSWORD};
use http::StatusCode;
use serde_json::json;

const NEW_PASSWORD: &str = "Brand-New-Password-2026?";

async fn change(env: &TestEnv, token: &str, current: &str, new: &str) -> Reply {
    env.call("POST", "/api/auth/password/change")
        .bearer(token)
        .json(json!({ "current_password": current, "new_password": new }))
        .send()
        .await
}

#[tokio::test]
async fn a_contact_changes_their_password_and_every_session_ends() {
    let env = TestEnv::new().await;
    let staff = env.staff(vec![atrium_shared::principal::Role::Admin]).await;
    let client = env.client(&staff, "pw").await;
    let token = client.session.token.clone();
    let other = env
        .sign_in(&client.email, CONTACT_PASSWORD, Some(&client.slug))
        .await;

    for (current, new, field) in [
        ("Not-My-Password-1!", NEW_PASSWORD, "current_password"),
        (CONTACT_PASSWORD, "short", "new_password"),
        (CONTACT_PASSWORD, CONTACT_PASSWORD, "new_password"),
        ("", NEW_PASSWORD, "current_password"),
    ] {
        let refused = change(&env, &token, current, new).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
        assert!(
            refused.error_message().starts_with(field),
            "{}",
            refused.body
        );
    }
    // Nothing changed: the old password still signs in.
    env.sign_in(&client.email, CONTACT_PASSWORD, Some(&client.slug))
        .await;

    // Token times have one-second resolution and a token of the change's very second stays
    // valid (architecture.md, "Sign-out"): let the sessions above be a second old.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let changed = change(&env, &token, CONTACT_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.json["status"], "password_changed");

    // Every session is over, the other browser's too.
    for session in [&token, &other.token] {
        let me = env.call("GET", "/api/me").bearer(session).send().await;
        assert!(
            matches!(me.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN),
            "{}",
            me.status
        );
    }
    let old = env
        .call("POST", "/api/auth/login")
        .json(json!({ "email": client.email, "password": CONTACT_PASSWORD, "slug": client.slug, "mode": "bearer" }))
        .send()
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let fresh = env
        .sign_in(&client.email, NEW_PASSWORD, Some(&client.slug))
        .await;

    let mail = env.mail_to(&client.email).await;
    assert!(
        mail.iter()
            .any(|mail| mail.subject == "Your password was changed"),
        "{mail:?}"
    );
    let trail = env
        .call(
            "GET",
            &format!(
                "/api/clients/{}/audit?action=session.password_changed",
                client.tenant_id
            ),
        )
        .bearer(&staff.token)
        .send()
        .await;
    assert!(
        trail.body.contains("session.password_changed"),
        "{}",
        trail.body
    );
    // Without a session, nothing.
    let anonymous = env
        .call("POST", "/api/auth/password/change")
        .json(json!({ "current_password": NEW_PASSWORD, "new_password": "Another-Password-2026!" }))
        .send()
        .await;
    assert!(matches!(
        anonymous.status,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
    ));
    assert_eq!(
        change(&env, &fresh.token, NEW_PASSWORD, "Another-Password-2026!")
            .await
            .status,
        StatusCode::OK
    );
}
