//! Brakes on guessing passwords and codes: five failures for an email in 15 minutes, fifty
//! from one address, then 429 with `Retry-After`, answered the same way for an email nobody
//! has as for a real one, before the password is looked at.

use atrium_shared::principal::Role;
use atrium_tests::{Reply, TestEnv, STAFF_PASSWORD};
use http::StatusCode;
use serde_json::json;

async fn sign_in(env: &TestEnv, email: &str, password: &str, from: &str) -> Reply {
    env.call("POST", "/api/auth/login")
        .from_address(from)
        .json(json!({ "email": email, "password": password, "mode": "bearer" }))
        .send()
        .await
}

fn retry_after(reply: &Reply) -> Option<i64> {
    reply
        .headers
        .get("retry-after")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
}

#[tokio::test]
async fn a_known_and_an_unknown_email_are_held_back_alike() {
    let env = TestEnv::new().await;
    let known = env.email("known");
    atrium_local::seed::create_staff_user(
        &env.app,
        &known,
        "Kim Known",
        vec![Role::Staff],
        STAFF_PASSWORD,
    )
    .await
    .unwrap();
    let unknown = env.email("nobody");
    let from = "198.51.100.20";

    let mut last = Vec::new();
    for email in [&known, &unknown] {
        for attempt in 1..=5 {
            let wrong = sign_in(&env, email, "Not-The-Password-1!", from).await;
            assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{email} #{attempt}");
        }
        // The sixth is held back, even with the right password, and says for how long.
        let held = sign_in(&env, email, STAFF_PASSWORD, from).await;
        assert_eq!(held.status, StatusCode::TOO_MANY_REQUESTS, "{}", held.body);
        assert_eq!(held.error_code(), "too_many_attempts");
        // 30 seconds from the fifth failure (a second may have passed since).
        let wait = retry_after(&held).unwrap();
        assert!((28..=30).contains(&wait), "{wait}");
        assert!(held
            .error_message()
            .starts_with("too many failed attempts; try again in"));
        let shape = held.json.as_object().map(|body| body.len());
        last.push((held.status, held.json["error"]["code"].clone(), shape));
    }
    assert_eq!(
        last[0], last[1],
        "the same answer for a real person and for nobody"
    );

    // Another person from the same address is not held back.
    let other = env.email("other");
    atrium_local::seed::create_staff_user(
        &env.app,
        &other,
        "Oli Other",
        vec![Role::Staff],
        STAFF_PASSWORD,
    )
    .await
    .unwrap();
    assert_eq!(
        sign_in(&env, &other, STAFF_PASSWORD, from).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_success_forgets_the_failures_and_an_address_gets_fifty() {
    let env = TestEnv::new().await;
    let email = env.email("forgetful");
    atrium_local::seed::create_staff_user(
        &env.app,
        &email,
        "Fay Forgetful",
        vec![Role::Staff],
        STAFF_PASSWORD,
    )
    .await
    .unwrap();
    for _ in 0..4 {
        sign_in(&env, &email, "Wrong-Password-11!", "198.51.100.30").await;
    }
    assert_eq!(
        sign_in(&env, &email, STAFF_PASSWORD, "198.51.100.30")
            .await
            .status,
        StatusCode::OK
    );
    for attempt in 1..=4 {
        let wrong = sign_in(&env, &email, "Wrong-Password-11!", "198.51.100.30").await;
        assert_eq!(
            wrong.status,
            StatusCode::UNAUTHORIZED,
            "#{attempt} after the success"
        );
    }

    // One address guessing many emails: fifty failures, then every email waits there.
    let from = "203.0.113.77";
    for index in 0..50 {
        let reply = sign_in(
            &env,
            &env.email(&format!("guess{index}")),
            "Guess-Password-1!",
            from,
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "#{index}");
    }
    let held = sign_in(&env, &email, STAFF_PASSWORD, from).await;
    assert_eq!(held.status, StatusCode::TOO_MANY_REQUESTS, "{}", held.body);
    assert!(retry_after(&held).is_some_and(|seconds| seconds > 0));
    // The same person from elsewhere signs in.
    assert_eq!(
        sign_in(&env, &email, STAFF_PASSWORD, "198.51.100.31")
            .await
            .status,
        StatusCode::OK
    );
}
