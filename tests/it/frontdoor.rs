//! The front door (issue 15): sign-in with an email alone, one login for several
//! organisations, forgot and reset, sessions the person controls, and the brakes on it all.

use atrium_tests::{Client, Reply, Session, TestEnv, CONTACT_PASSWORD};
use http::StatusCode;
use serde_json::json;

const NEW_PASSWORD: &str = "Fresh-Start-Password-2026!";

fn refused(status: StatusCode) -> bool {
    matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
}

/// Onboards a second client whose first contact is `first`'s contact (the same email), and
/// accepts that invitation with the password the person already has.
async fn second_organisation(env: &TestEnv, staff: &Session, first: &Client, hint: &str) -> String {
    let slug = format!("{hint}-{}", &env.tag[env.tag.len() - 8..]);
    let onboarded = env
        .call("POST", "/api/clients")
        .bearer(&staff.token)
        .json(json!({ "name": format!("{hint} Studio"), "slug": slug, "contact": { "name": "Casey Contact", "email": first.email } }))
        .send()
        .await;
    assert_eq!(onboarded.status, StatusCode::CREATED, "{}", onboarded.body);
    let mail = env.mail_to(&first.email).await;
    let token = mail
        .iter()
        .rev()
        .find_map(|mail| atrium_tests::invitation_token_in(&mail.body))
        .expect("the second invitation");
    // An invitation cannot set a new password for a person who already has one.
    let other_password = env
        .call("POST", "/api/auth/accept-invite")
        .json(json!({ "token": token, "password": "Some-Other-Password-2026!", "mode": "bearer" }))
        .send()
        .await;
    assert_eq!(
        other_password.status,
        StatusCode::BAD_REQUEST,
        "{}",
        other_password.body
    );
    assert!(other_password.error_message().starts_with("password"));
    let accepted = env
        .call("POST", "/api/auth/accept-invite")
        .json(json!({ "token": token, "password": CONTACT_PASSWORD, "mode": "bearer" }))
        .send()
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    onboarded.json["id"].as_str().unwrap().to_string()
}

/// A browser's sign-in: no organisation, cookies.
async fn browser_sign_in(env: &TestEnv, email: &str, password: &str) -> Reply {
    env.call("POST", "/api/auth/login")
        .origin(&env.config.portal_origin)
        .json(json!({ "email": email, "password": password }))
        .send()
        .await
}

fn session_cookie(reply: &Reply) -> String {
    format!(
        "__Host-atrium_rt={}",
        reply.cookie("__Host-atrium_rt").expect("session cookie")
    )
}

async fn switch(env: &TestEnv, cookie: &str, organisation: &str) -> Reply {
    env.call("POST", "/api/auth/switch")
        .origin(&env.config.portal_origin)
        .cookie(cookie)
        .json(json!({ "organisation": organisation }))
        .send()
        .await
}

async fn workspace_name(env: &TestEnv, access: &str) -> Reply {
    env.call("GET", "/api/me").bearer(access).send().await
}

#[tokio::test]
async fn a_person_in_two_organisations_signs_in_once_and_reads_each_with_its_own_token() {
    let env = TestEnv::new().await;
    let staff = env.staff(vec![atrium_shared::principal::Role::Admin]).await;
    let first = env.client(&staff, "north").await;
    let second = second_organisation(&env, &staff, &first, "fabrik").await;

    // One sign-in, no organisation named: the chooser, and no access token yet.
    let signed = browser_sign_in(&env, &first.email, CONTACT_PASSWORD).await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);
    assert_eq!(signed.json["status"], "choose");
    let ids: Vec<&str> = signed.json["organisations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|organisation| organisation["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&first.tenant_id.as_str()) && ids.contains(&second.as_str()));
    assert!(signed.cookie("__Host-atrium_at").is_none());
    let cookie = session_cookie(&signed);
    // The session cookie is HttpOnly, Secure, SameSite=Strict and lives as long as the session.
    let set = signed.set_cookies().join("\n");
    assert!(
        set.contains("HttpOnly")
            && set.contains("SameSite=Strict")
            && set.contains("Max-Age=43200"),
        "{set}"
    );

    // Each organisation opens without the password, with a token of its own pool.
    let opened_first = switch(&env, &cookie, &first.tenant_id).await;
    assert_eq!(opened_first.status, StatusCode::OK, "{}", opened_first.body);
    let first_token = opened_first.cookie("__Host-atrium_at").unwrap();
    let opened_second = switch(&env, &cookie, &second).await;
    assert_eq!(
        opened_second.status,
        StatusCode::OK,
        "{}",
        opened_second.body
    );
    let second_token = opened_second.cookie("__Host-atrium_at").unwrap();
    assert_ne!(first_token, second_token);

    let me_first = workspace_name(&env, &first_token).await;
    assert_eq!(me_first.json["client"]["id"], first.tenant_id.as_str());
    assert_eq!(
        me_first.json["organisation"]["id"],
        first.tenant_id.as_str()
    );
    assert_eq!(me_first.json["organisations"].as_array().unwrap().len(), 2);
    let me_second = workspace_name(&env, &second_token).await;
    assert_eq!(me_second.json["client"]["id"], second.as_str());

    // Never one organisation's data with the other's token: a token reads its own tenant, and
    // the other tenant's records are not found with it.
    let first_workspace = env
        .call("GET", "/api/workspace")
        .bearer(&first_token)
        .send()
        .await;
    let second_workspace = env
        .call("GET", "/api/workspace")
        .bearer(&second_token)
        .send()
        .await;
    assert_eq!(
        first_workspace.status,
        StatusCode::OK,
        "{}",
        first_workspace.body
    );
    assert_ne!(first_workspace.body, second_workspace.body);
    let document = env
        .upload_document(
            &first_token,
            "",
            "north.pdf",
            "application/pdf",
            json!({}),
            b"%PDF-1.4 north",
        )
        .await;
    let crossed = env
        .call("GET", &format!("/api/documents/{document}"))
        .bearer(&second_token)
        .send()
        .await;
    assert_eq!(crossed.status, StatusCode::NOT_FOUND, "{}", crossed.body);
    let own = env
        .call("GET", &format!("/api/documents/{document}"))
        .bearer(&first_token)
        .send()
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);

    // An organisation the person is not in is not theirs to open; nor is a made-up cookie.
    let stranger = env.client(&staff, "elsewhere").await;
    assert_eq!(
        switch(&env, &cookie, &stranger.tenant_id).await.status,
        StatusCode::NOT_FOUND
    );
    let forged = cookie.replace(&cookie[20..40], "AAAAAAAAAAAAAAAAAAAA");
    assert!(refused(
        switch(&env, &forged, &first.tenant_id).await.status
    ));
    let no_origin = env
        .call("POST", "/api/auth/switch")
        .cookie(&cookie)
        .json(json!({ "organisation": first.tenant_id }))
        .send()
        .await;
    assert!(refused(no_origin.status), "{}", no_origin.status);

    // An integration names the organisation; without one it is told to.
    let bearer = env
        .call("POST", "/api/auth/login")
        .json(json!({ "email": first.email, "password": CONTACT_PASSWORD, "mode": "bearer" }))
        .send()
        .await;
    assert_eq!(bearer.status, StatusCode::BAD_REQUEST, "{}", bearer.body);
    assert!(bearer.error_message().starts_with("organisation"));
    let named = env
        .call("POST", "/api/auth/login")
        .json(json!({ "email": first.email, "password": CONTACT_PASSWORD, "organisation": second, "mode": "bearer" }))
        .send()
        .await;
    assert_eq!(named.status, StatusCode::OK, "{}", named.body);
    assert_eq!(named.json["organisation"]["id"], second.as_str());
}

#[tokio::test]
async fn unknown_emails_wrong_passwords_and_removed_contacts_get_the_same_answer() {
    let env = TestEnv::new().await;
    let staff = env.staff(vec![atrium_shared::principal::Role::Admin]).await;
    let client = env.client(&staff, "same").await;
    let removed = env
        .contact_with_roles(
            &client,
            "gone",
            vec![atrium_shared::principal::Role::Member],
        )
        .await;
    let removed_email = env.email("gone");
    let sub = env
        .call("GET", "/api/me")
        .bearer(&removed.token)
        .send()
        .await
        .json["sub"]
        .as_str()
        .unwrap()
        .to_string();
    let removal = env
        .call(
            "DELETE",
            &format!("/api/clients/{}/contacts/{sub}", client.tenant_id),
        )
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(removal.status, StatusCode::OK, "{}", removal.body);

    let answers = [
        browser_sign_in(&env, &env.email("nobody"), CONTACT_PASSWORD).await,
        browser_sign_in(&env, &client.email, "Wrong-Password-2026!").await,
        browser_sign_in(&env, &removed_email, CONTACT_PASSWORD).await,
    ];
    for answer in &answers {
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.body);
        assert_eq!(answer.json, answers[0].json);
        assert!(answer.set_cookies().is_empty());
    }
    // The refused password is in the client's trail (the address tried, never the password).
    let trail = env
        .call(
            "GET",
            &format!(
                "/api/clients/{}/audit?action=session.sign_in_failed",
                client.tenant_id
            ),
        )
        .bearer(&staff.token)
        .send()
        .await;
    assert!(
        trail.body.contains("session.sign_in_failed"),
        "{}",
        trail.body
    );
    assert!(!trail.body.contains("Wrong-Password"));
}

fn reset_token(mail_body: &str) -> Option<String> {
    let start = mail_body.find("/reset-password#token=")? + "/reset-password#token=".len();
    Some(
        mail_body[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect(),
    )
}

async fn forgot(env: &TestEnv, email: &str, ip: &str) -> Reply {
    env.call("POST", "/api/auth/password/forgot")
        .from_address(ip)
        .json(json!({ "email": email }))
        .send()
        .await
}

async fn reset(env: &TestEnv, token: &str, password: &str) -> Reply {
    env.call("POST", "/api/auth/password/reset")
        .json(json!({ "token": token, "password": password }))
        .send()
        .await
}

#[tokio::test]
async fn forgot_password_mails_a_single_use_link_that_resets_every_organisation_and_session() {
    let env = TestEnv::new().await;
    let staff = env.staff(vec![atrium_shared::principal::Role::Admin]).await;
    let first = env.client(&staff, "reset").await;
    let second = second_organisation(&env, &staff, &first, "reset2").await;
    let other_session = env
        .sign_in(&first.email, CONTACT_PASSWORD, Some(&first.slug))
        .await;

    // The same answer for an unknown address, and no mail to it.
    let unknown_email = env.email("nobody-here");
    let unknown = forgot(&env, &unknown_email, "198.51.100.20").await;
    let known = forgot(&env, &first.email, "198.51.100.21").await;
    assert_eq!(unknown.status, StatusCode::ACCEPTED, "{}", unknown.body);
    assert_eq!(known.status, StatusCode::ACCEPTED);
    assert_eq!(unknown.json, known.json);
    assert!(env.mail_to(&unknown_email).await.is_empty());
    let mails: Vec<_> = env
        .mail_to(&first.email)
        .await
        .into_iter()
        .filter(|mail| mail.subject.contains("Choose a new password"))
        .collect();
    assert_eq!(mails.len(), 1, "one mail: {mails:?}");
    let token = reset_token(&mails[0].body).expect("a link with a token");
    assert_eq!(token.len(), 43);

    // The policy is named; a refused password leaves the link usable.
    let weak = reset(&env, &token, "weak").await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST, "{}", weak.body);
    assert!(weak.error_message().starts_with("password"));
    let done = reset(&env, &token, NEW_PASSWORD).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.json["status"], "password_reset");

    // Used once: the second use is refused; a made-up token the same.
    assert_eq!(
        reset(&env, &token, "Another-Password-2026!").await.status,
        StatusCode::GONE
    );
    let madeup = reset(&env, &"A".repeat(43), NEW_PASSWORD).await;
    assert_eq!(madeup.status, StatusCode::GONE);
    assert_eq!(madeup.json, reset(&env, &token, NEW_PASSWORD).await.json);

    // Every session ended; the old password is refused; the new one opens both organisations.
    for session in [&first.session.token, &other_session.token] {
        assert!(refused(
            env.call("GET", "/api/me")
                .bearer(session)
                .send()
                .await
                .status
        ));
    }
    assert_eq!(
        browser_sign_in(&env, &first.email, CONTACT_PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let signed = browser_sign_in(&env, &first.email, NEW_PASSWORD).await;
    assert_eq!(signed.json["status"], "choose", "{}", signed.body);
    assert_eq!(signed.json["organisations"].as_array().unwrap().len(), 2);

    // In each organisation's trail, and a confirmation mail.
    for tenant in [&first.tenant_id, &second] {
        for action in ["session.password_reset_requested", "session.password_reset"] {
            let trail = env
                .call(
                    "GET",
                    &format!("/api/clients/{tenant}/audit?action={action}"),
                )
                .bearer(&staff.token)
                .send()
                .await;
            let quoted = format!("\"{action}\"");
            assert!(trail.body.contains(&quoted), "{action}: {}", trail.body);
        }
    }
    assert!(env
        .mail_to(&first.email)
        .await
        .iter()
        .any(|mail| mail.subject.contains("Your password was reset")));
}

#[tokio::test]
async fn an_expired_reset_link_is_refused_and_staff_reset_theirs_too() {
    let env = TestEnv::new().await;
    let member = env.email("staffer");
    let staff = env.staff(vec![atrium_shared::principal::Role::Admin]).await;
    let invited = env
        .call("POST", "/api/staff")
        .bearer(&staff.token)
        .json(json!({ "name": "Sam Staff", "email": member, "role": "staff" }))
        .send()
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.body);
    let token = env.invitation_token(&member).await;
    let accepted = env
        .call("POST", "/api/auth/accept-invite")
        .json(json!({ "token": token, "password": CONTACT_PASSWORD, "mode": "bearer" }))
        .send()
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);

    assert_eq!(
        forgot(&env, &member, "198.51.100.30").await.status,
        StatusCode::ACCEPTED
    );
    let link = env
        .mail_to(&member)
        .await
        .iter()
        .rev()
        .find_map(|mail| reset_token(&mail.body))
        .expect("a reset link");
    // An hour passes (the record's own expiry; the table's TTL deletes late).
    env.app
        .store
        .dynamo()
        .update_item()
        .table_name(env.app.store.table())
        .key(
            "PK",
            atrium_shared::store::AttributeValue::S(atrium_shared::keys::reset_pk(
                &atrium_shared::secrets::token_hash(&link),
            )),
        )
        .key(
            "SK",
            atrium_shared::store::AttributeValue::S("RESET".into()),
        )
        .update_expression("SET expires_at = :past")
        .expression_attribute_values(
            ":past",
            atrium_shared::store::AttributeValue::N(
                (atrium_shared::ids::now_epoch() - 1).to_string(),
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        reset(&env, &link, NEW_PASSWORD).await.status,
        StatusCode::GONE
    );

    assert_eq!(
        forgot(&env, &member, "198.51.100.31").await.status,
        StatusCode::ACCEPTED
    );
    let fresh = env
        .mail_to(&member)
        .await
        .iter()
        .rev()
        .find_map(|mail| reset_token(&mail.body))
        .expect("a second link");
    assert_ne!(fresh, link);
    assert_eq!(
        reset(&env, &fresh, NEW_PASSWORD).await.status,
        StatusCode::OK
    );
    let signed = env
        .call("POST", "/api/auth/login")
        .json(json!({ "email": member, "password": NEW_PASSWORD, "mode": "bearer" }))
        .send()
        .await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);
    assert_eq!(signed.json["kind"], "staff");
    // Staff resets go into the firm's own trail.
    let trail = env
        .call("GET", "/api/firm/audit")
        .bearer(&staff.token)
        .send()
        .await;
    assert!(
        trail.body.contains("session.password_reset"),
        "{}",
        trail.body
    );
}

#[tokio::test]
async fn reset_requests_are_braked_the_same_for_known_and_unknown_addresses() {
    let env = TestEnv::new().await;
    let staff = env.staff(vec![atrium_shared::principal::Role::Admin]).await;
    let client = env.client(&staff, "brake").await;
    let unknown = env.email("unknown-brake");
    let mut last = Vec::new();
    for email in [&client.email, &unknown] {
        let mut statuses = Vec::new();
        let mut answer = None;
        for attempt in 0..5 {
            let reply = forgot(&env, email, &format!("203.0.113.{attempt}")).await;
            statuses.push(reply.status);
            answer = Some(reply);
        }
        let answer = answer.unwrap();
        assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
        let wait: i64 = answer
            .headers
            .get("retry-after")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse().ok())
            .expect("a Retry-After in seconds");
        last.push((statuses, answer.json["error"]["code"].clone(), wait));
    }
    // The same statuses and error for both; the wait counts down from the first refusal, so
    // the second address (asked a moment later) may be a few seconds further on.
    assert_eq!((&last[0].0, &last[0].1), (&last[1].0, &last[1].1));
    assert!((last[0].2 - last[1].2).abs() <= 5, "{last:?}");
    // Three links at most reached the known address's mailbox.
    let links = env
        .mail_to(&client.email)
        .await
        .iter()
        .filter(|mail| mail.subject.contains("Choose a new password"))
        .count();
    assert_eq!(links, 3);
    // Asking for links never locks the person out of signing in.
    env.sign_in(&client.email, CONTACT_PASSWORD, Some(&client.slug))
        .await;
}

#[tokio::test]
async fn bad_input_is_named_and_changes_nothing() {
    let env = TestEnv::new().await;
    for (path, body, field) in [
        (
            "/api/auth/password/forgot",
            json!({ "email": "not-an-email" }),
            "email",
        ),
        (
            "/api/auth/password/forgot",
            json!({ "email": "a@b.example\r\nBcc: x@y.example" }),
            "email",
        ),
        (
            "/api/auth/password/forgot",
            json!({ "email": "a@b.example", "extra": 1 }),
            "extra",
        ),
        (
            "/api/auth/password/reset",
            json!({ "token": "x" }),
            "password",
        ),
        (
            "/api/auth/login",
            json!({ "email": "bad\r\n@x.example", "password": "x" }),
            "email",
        ),
        (
            "/api/auth/login",
            json!({ "email": "a@b.example", "password": "x", "organisation": "nope" }),
            "organisation",
        ),
        (
            "/api/auth/switch",
            json!({ "organisation": 7 }),
            "organisation",
        ),
    ] {
        let reply = env.call("POST", path).json(body).send().await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{path}: {}",
            reply.body
        );
        assert!(
            reply.error_message().contains(field),
            "{path}: {}",
            reply.body
        );
    }
    let oversize = env
        .call("POST", "/api/auth/password/forgot")
        .raw_body(&format!(
            "{{\"email\":\"{}@b.example\"}}",
            "a".repeat(2_000_000)
        ))
        .send()
        .await;
    assert!(oversize.status.is_client_error(), "{}", oversize.status);
}

/// Sessions: listed, one ended from another (refused at its next request), every other one
/// ended, sign-out at once, and idle sessions refused.
#[tokio::test]
async fn a_person_lists_and_ends_their_sessions_and_each_takes_effect_at_the_next_request() {
    let env = TestEnv::new().await;
    let staff = env.staff(vec![atrium_shared::principal::Role::Admin]).await;
    let client = env.client(&staff, "sessions").await;
    let laptop = client.session.token.clone();
    let phone = env
        .sign_in(&client.email, CONTACT_PASSWORD, Some(&client.slug))
        .await
        .token;
    let tablet = env
        .sign_in(&client.email, CONTACT_PASSWORD, Some(&client.slug))
        .await
        .token;

    let listed = env
        .call("GET", "/api/auth/sessions")
        .bearer(&laptop)
        .send()
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let sessions = listed.json["sessions"].as_array().unwrap().clone();
    assert_eq!(sessions.len(), 3, "{}", listed.body);
    assert_eq!(
        sessions
            .iter()
            .filter(|session| session["current"] == true)
            .count(),
        1
    );
    let phone_id = env
        .call("GET", "/api/auth/sessions")
        .bearer(&phone)
        .send()
        .await
        .json["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|session| session["current"] == true)
        .map(|session| session["id"].as_str().unwrap().to_string())
        .unwrap();

    // Another person cannot end it (their own partition holds no such session).
    let stranger = env.client(&staff, "stranger").await;
    let foreign = env
        .call("DELETE", &format!("/api/auth/sessions/{phone_id}"))
        .bearer(&stranger.session.token)
        .send()
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!(
        env.call("GET", "/api/me")
            .bearer(&phone)
            .send()
            .await
            .status,
        StatusCode::OK
    );

    let ended = env
        .call("DELETE", &format!("/api/auth/sessions/{phone_id}"))
        .bearer(&laptop)
        .send()
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
    assert!(refused(
        env.call("GET", "/api/me")
            .bearer(&phone)
            .send()
            .await
            .status
    ));
    assert_eq!(
        env.call("GET", "/api/me")
            .bearer(&laptop)
            .send()
            .await
            .status,
        StatusCode::OK
    );

    let others = env
        .call("POST", "/api/auth/sessions/end-others")
        .bearer(&laptop)
        .send()
        .await;
    assert_eq!(others.json["ended"], 1, "{}", others.body);
    assert!(refused(
        env.call("GET", "/api/me")
            .bearer(&tablet)
            .send()
            .await
            .status
    ));

    // Sign-out counts from the very next request (no cache window), and only for this session.
    let desk = env
        .sign_in(&client.email, CONTACT_PASSWORD, Some(&client.slug))
        .await
        .token;
    let out = env
        .call("POST", "/api/auth/logout")
        .bearer(&laptop)
        .send()
        .await;
    assert_eq!(out.status, StatusCode::OK);
    assert!(refused(
        env.call("GET", "/api/me")
            .bearer(&laptop)
            .send()
            .await
            .status
    ));
    assert_eq!(
        env.call("GET", "/api/me").bearer(&desk).send().await.status,
        StatusCode::OK
    );

    // Idle past its limit: refused, though the token has not expired.
    let origin_jti = atrium_shared::cognito::origin_jti_of_token(&desk).unwrap();
    env.app
        .store
        .dynamo()
        .update_item()
        .table_name(env.app.store.table())
        .key(
            "PK",
            atrium_shared::store::AttributeValue::S(atrium_shared::keys::session_gate_pk(
                &origin_jti,
            )),
        )
        .key("SK", atrium_shared::store::AttributeValue::S("GATE".into()))
        .update_expression("SET last_used = :long_ago")
        .expression_attribute_values(
            ":long_ago",
            atrium_shared::store::AttributeValue::N(
                (atrium_shared::ids::now_epoch() - 31 * 60).to_string(),
            ),
        )
        .send()
        .await
        .unwrap();
    assert!(refused(
        env.call("GET", "/api/me").bearer(&desk).send().await.status
    ));

    // A token Cognito issued without the portal (no session behind it) is refused.
    let pool = env
        .app
        .client_pool_by_tenant(&client.tenant_id)
        .await
        .unwrap()
        .unwrap();
    let direct = env
        .app
        .cognito
        .initiate_auth()
        .client_id(&pool.app_client_id)
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", &client.email)
        .auth_parameters("PASSWORD", CONTACT_PASSWORD)
        .send()
        .await
        .unwrap();
    let direct_token = direct.authentication_result.unwrap().access_token.unwrap();
    assert!(refused(
        env.call("GET", "/api/me")
            .bearer(&direct_token)
            .send()
            .await
            .status
    ));
}

/// A stack from before the person index: its people are found again by the scheduled
/// backfill, and sign-in without an organisation works for them.
#[tokio::test]
async fn the_backfill_indexes_people_from_before_the_person_index() {
    let env = TestEnv::new().await;
    let staff = env.staff(vec![atrium_shared::principal::Role::Admin]).await;
    let client = env.client(&staff, "older").await;
    let person = atrium_shared::store::people::person_key(&client.email);
    env.app
        .store
        .dynamo()
        .delete_item()
        .table_name(env.app.store.table())
        .key("PK", atrium_shared::store::AttributeValue::S(person))
        .key(
            "SK",
            atrium_shared::store::AttributeValue::S(format!("ORG#{}", client.tenant_id)),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        browser_sign_in(&env, &client.email, CONTACT_PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let written = atrium_auth::backfill::run(&env.app).await.unwrap();
    assert!(written >= 2, "the contact and the staff member: {written}");
    let signed = browser_sign_in(&env, &client.email, CONTACT_PASSWORD).await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);
    assert_eq!(signed.json["organisation"]["id"], client.tenant_id.as_str());
    // Done once: the next run reads its marker and writes nothing.
    assert_eq!(atrium_auth::backfill::run(&env.app).await.unwrap(), 0);
}
