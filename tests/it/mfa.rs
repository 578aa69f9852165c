//! TOTP: enrol (associate, verify with a code), sign in through the MFA challenge, turn it off
//! with the password; staff make an authenticator required for a client's pool.

use atrium_shared::principal::Role;
use atrium_tests::{totp_code, TestEnv, CONTACT_PASSWORD};
use aws_sdk_cognitoidentityprovider::types::UserPoolMfaType;
use http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn enrol_sign_in_with_a_code_and_disable() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let client = env.client(&admin, "mfa").await;
    let token = &client.session.token;

    let associated = env
        .call("POST", "/api/auth/mfa/associate")
        .bearer(token)
        .send()
        .await;
    assert_eq!(associated.status, StatusCode::OK, "{}", associated.body);
    let secret = associated.json["secret"].as_str().unwrap().to_string();
    let uri = associated.json["otpauth_uri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/Harbour%20%26%20Pike%20LLP:"),
        "{uri}"
    );
    assert!(uri.contains(&format!("secret={secret}")));

    let malformed = env
        .call("POST", "/api/auth/mfa/verify")
        .bearer(token)
        .json(json!({ "code": "12ab" }))
        .send()
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert!(malformed.error_message().starts_with("code:"));
    let code = totp_code(&secret).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let mismatch = env
        .call("POST", "/api/auth/mfa/verify")
        .bearer(token)
        .json(json!({ "code": wrong }))
        .send()
        .await;
    assert_eq!(
        mismatch.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        mismatch.body
    );
    assert_eq!(mismatch.error_code(), "bad_code");

    let verified = env
        .call("POST", "/api/auth/mfa/verify")
        .bearer(token)
        .json(json!({ "code": totp_code(&secret).await }))
        .send()
        .await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    let me = env.call("GET", "/api/me").bearer(token).send().await;
    assert_eq!(me.json["mfa_enabled"], true);

    // Signing in now asks for a code.
    let login = json!({ "email": client.email, "password": CONTACT_PASSWORD, "slug": client.slug, "mode": "bearer" });
    let challenged = env
        .call("POST", "/api/auth/login")
        .json(login.clone())
        .send()
        .await;
    assert_eq!(challenged.status, StatusCode::OK, "{}", challenged.body);
    assert_eq!(challenged.json["status"], "challenge");
    assert_eq!(challenged.json["challenge"], "totp");
    // The challenge names who and for which organisation (a person in several answers one
    // code per organisation that asks).
    assert_eq!(challenged.json["email"], client.email.as_str());
    assert_eq!(
        challenged.json["organisation"]["id"],
        client.tenant_id.as_str()
    );
    assert_eq!(challenged.json["organisation"]["kind"], "client");
    assert!(challenged.json.get("access_token").is_none());
    let session = challenged.json["session"].as_str().unwrap().to_string();
    let answer = |code: String| json!({ "email": client.email, "slug": client.slug, "session": session, "code": code, "mode": "bearer" });
    let bad = env
        .call("POST", "/api/auth/login")
        .json(answer(wrong.to_string()))
        .send()
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    let missing_code = env
        .call("POST", "/api/auth/login")
        .json(json!({ "email": client.email, "slug": client.slug, "session": session }))
        .send()
        .await;
    assert_eq!(missing_code.status, StatusCode::BAD_REQUEST);
    assert!(missing_code.error_message().starts_with("code:"));
    let good = env
        .call("POST", "/api/auth/login")
        .json(answer(totp_code(&secret).await))
        .send()
        .await;
    assert_eq!(good.status, StatusCode::OK, "{}", good.body);
    assert_eq!(good.json["status"], "signed_in");
    let second_session = good.json["access_token"].as_str().unwrap().to_string();

    // Turning it off needs the password again.
    let refused = env
        .call("POST", "/api/auth/mfa/disable")
        .bearer(&second_session)
        .json(json!({ "password": "Not-The-Password-1!" }))
        .send()
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(refused.error_message().starts_with("password:"));
    let disabled = env
        .call("POST", "/api/auth/mfa/disable")
        .bearer(&second_session)
        .json(json!({ "password": CONTACT_PASSWORD }))
        .send()
        .await;
    assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.body);
    let plain = env.call("POST", "/api/auth/login").json(login).send().await;
    assert_eq!(plain.json["status"], "signed_in", "{}", plain.body);
}

#[tokio::test]
async fn staff_make_an_authenticator_required_for_a_client() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let client = env.client(&admin, "strict").await;
    let pool_id = env
        .app
        .store
        .client_record(&client.tenant_id)
        .await
        .unwrap()
        .unwrap()
        .pool_id
        .unwrap();
    let mfa_of_pool = || async {
        env.app
            .cognito
            .get_user_pool_mfa_config()
            .user_pool_id(&pool_id)
            .send()
            .await
            .unwrap()
            .mfa_configuration
    };
    assert_eq!(mfa_of_pool().await, Some(UserPoolMfaType::Optional));

    let path = format!("/api/clients/{}/mfa", client.tenant_id);
    let bad = env
        .call("PUT", &path)
        .bearer(&admin.token)
        .json(json!({ "required": "yes" }))
        .send()
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.error_message().starts_with("required:"), "{}", bad.body);

    let on = env
        .call("PUT", &path)
        .bearer(&admin.token)
        .json(json!({ "required": true }))
        .send()
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    assert_eq!(mfa_of_pool().await, Some(UserPoolMfaType::On));
    let listed = env
        .call("GET", "/api/clients")
        .bearer(&admin.token)
        .send()
        .await;
    assert_eq!(listed.json["clients"][0]["mfa_required"], true);

    let off = env
        .call("PUT", &path)
        .bearer(&admin.token)
        .json(json!({ "required": false }))
        .send()
        .await;
    assert_eq!(off.status, StatusCode::OK);
    assert_eq!(mfa_of_pool().await, Some(UserPoolMfaType::Optional));
}

#[tokio::test]
async fn staff_enrol_too() {
    let env = TestEnv::new().await;
    let staff = env.staff(vec![Role::Staff]).await;
    let associated = env
        .call("POST", "/api/auth/mfa/associate")
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(associated.status, StatusCode::OK, "{}", associated.body);
    let secret = associated.json["secret"].as_str().unwrap().to_string();
    let verified = env
        .call("POST", "/api/auth/mfa/verify")
        .bearer(&staff.token)
        .json(json!({ "code": totp_code(&secret).await }))
        .send()
        .await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    let me = env.call("GET", "/api/me").bearer(&staff.token).send().await;
    assert_eq!(me.json["kind"], "staff");
    assert_eq!(me.json["mfa_enabled"], true);
}

/// moto never asks `USER_PASSWORD_AUTH` users to set up MFA when a pool requires it, so the
/// `MFA_SETUP` branch of sign-in is driven by Cognito answers from aws-smithy-mocks (the
/// table, the registry and the contact stay real, in moto).
#[tokio::test]
async fn sign_in_walks_a_contact_through_mandatory_authenticator_set_up() {
    use aws_sdk_cognitoidentityprovider::operation::{
        associate_software_token::AssociateSoftwareTokenOutput, initiate_auth::InitiateAuthOutput,
        respond_to_auth_challenge::RespondToAuthChallengeOutput,
        verify_software_token::VerifySoftwareTokenOutput,
    };
    use aws_sdk_cognitoidentityprovider::types::{
        AuthenticationResultType, ChallengeNameType, VerifySoftwareTokenResponseType,
    };
    use aws_sdk_cognitoidentityprovider::Client;
    use aws_smithy_mocks::{mock, mock_client};

    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let client = env.client(&admin, "setup").await;
    let real_token = client.session.token.clone();

    let initiate = mock!(Client::initiate_auth).then_output(|| {
        InitiateAuthOutput::builder()
            .challenge_name(ChallengeNameType::MfaSetup)
            .session("session-1")
            .build()
    });
    let associate = mock!(Client::associate_software_token)
        .match_requests(|request| request.session() == Some("session-1"))
        .then_output(|| {
            AssociateSoftwareTokenOutput::builder()
                .secret_code("JBSWY3DPEHPK3PXP")
                .session("session-2")
                .build()
        });
    let verify = mock!(Client::verify_software_token)
        .match_requests(|request| {
            request.session() == Some("session-2") && request.user_code() == Some("123456")
        })
        .then_output(|| {
            VerifySoftwareTokenOutput::builder()
                .status(VerifySoftwareTokenResponseType::Success)
                .session("session-3")
                .build()
        });
    let token_for_answer = real_token.clone();
    let respond = mock!(Client::respond_to_auth_challenge)
        .match_requests(|request| {
            request.challenge_name() == Some(&ChallengeNameType::MfaSetup)
                && request.session() == Some("session-3")
        })
        .then_output(move || {
            RespondToAuthChallengeOutput::builder()
                .authentication_result(
                    AuthenticationResultType::builder()
                        .access_token(token_for_answer.clone())
                        .refresh_token("refresh")
                        .expires_in(3600)
                        .build(),
                )
                .build()
        });
    let cognito = mock_client!(
        aws_sdk_cognitoidentityprovider,
        [&initiate, &associate, &verify, &respond]
    );
    let sdk = atrium_shared::app::sdk_config(&env.config).expect("sdk config");
    let app = atrium_shared::App::new(
        env.config.clone(),
        aws_sdk_dynamodb::Client::new(&sdk),
        cognito,
        aws_sdk_sesv2::Client::new(&sdk),
        atrium_shared::app::s3_client(&env.config, &sdk),
    );
    let mocked = TestEnv::from_app(
        std::sync::Arc::new(app),
        env.config.clone(),
        env.endpoint.clone(),
        env.tag.clone(),
    );

    let first = mocked
        .call("POST", "/api/auth/login")
        .json(json!({ "email": client.email, "password": CONTACT_PASSWORD, "slug": client.slug }))
        .send()
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.json["challenge"], "mfa_setup");
    assert_eq!(first.json["secret"], "JBSWY3DPEHPK3PXP");
    // The portal's pending sign-in, not Cognito's session, goes to the page.
    let pending = first.json["session"].as_str().unwrap().to_string();
    assert!(pending.starts_with("pending."), "{pending}");
    assert!(first.json["otpauth_uri"]
        .as_str()
        .unwrap()
        .contains("secret=JBSWY3DPEHPK3PXP"));
    assert!(
        first.set_cookies().is_empty(),
        "no session before the second factor"
    );

    let second = mocked
        .call("POST", "/api/auth/login")
        .json(json!({ "email": client.email, "challenge": "mfa_setup", "session": pending, "code": "123456" }))
        .send()
        .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(second.json["status"], "signed_in");
    assert_eq!(
        second.cookie("__Host-atrium_at").as_deref(),
        Some(real_token.as_str())
    );
    assert_eq!(
        initiate.num_calls() + associate.num_calls() + verify.num_calls() + respond.num_calls(),
        4
    );
}

/// A session the authorizer refuses (API Gateway answers its denial with 403).
fn refused(status: StatusCode) -> bool {
    status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN
}

/// Enrols an authenticator for the signed-in person; answers its secret.
async fn enrol(env: &TestEnv, token: &str) -> String {
    let associated = env
        .call("POST", "/api/auth/mfa/associate")
        .bearer(token)
        .send()
        .await;
    assert_eq!(associated.status, StatusCode::OK, "{}", associated.body);
    let secret = associated.json["secret"].as_str().unwrap().to_string();
    let verified = env
        .call("POST", "/api/auth/mfa/verify")
        .bearer(token)
        .json(json!({ "code": totp_code(&secret).await }))
        .send()
        .await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    secret
}

#[tokio::test]
async fn a_lost_authenticator_is_reset_by_an_admin_and_the_person_enrols_again() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let staff = env.staff(vec![Role::Staff]).await;
    let client = env.client(&admin, "lost").await;
    let other = env.client(&admin, "elsewhere").await;
    let member = env
        .contact_with_roles(&client, "milo", vec![Role::Member])
        .await;
    let me = env
        .call("GET", "/api/me")
        .bearer(&member.token)
        .send()
        .await;
    let sub = me.json["sub"].as_str().unwrap().to_string();
    enrol(&env, &member.token).await;
    let login = json!({ "email": env.email("milo"), "password": CONTACT_PASSWORD, "slug": client.slug, "mode": "bearer" });
    let challenged = env
        .call("POST", "/api/auth/login")
        .json(login.clone())
        .send()
        .await;
    assert_eq!(challenged.json["challenge"], "totp", "{}", challenged.body);

    // Who may not: the person's peers without the admin role, another client's admin, a
    // forged token; nothing changes.
    let path = format!("/api/contacts/{sub}/mfa/reset");
    for (token, wanted) in [
        (member.token.as_str(), StatusCode::FORBIDDEN),
        (other.session.token.as_str(), StatusCode::NOT_FOUND),
    ] {
        let refused = env.call("POST", &path).bearer(token).send().await;
        assert_eq!(refused.status, wanted, "{}", refused.body);
    }
    let forged = env.call("POST", &path).bearer("forged").send().await;
    assert!(refused(forged.status), "{}", forged.body);
    let still = env
        .call("GET", "/api/me")
        .bearer(&member.token)
        .send()
        .await;
    assert_eq!(still.json["mfa_enabled"], true);

    // The client's admin resets it: the old session ends at once, the person is mailed. (A
    // token issued in the very second of a reset stays valid, as at sign-out; the wait keeps
    // this test's token out of that second.)
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let reset = env
        .call("POST", &path)
        .bearer(&client.session.token)
        .send()
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    assert_eq!(reset.json["mfa_enabled"], false);
    let old = env
        .call("GET", "/api/me")
        .bearer(&member.token)
        .send()
        .await;
    assert!(refused(old.status), "{}", old.body);
    let mail = env.mail_to(&env.email("milo")).await;
    assert!(
        mail.iter()
            .any(|mail| mail.subject.ends_with("your authenticator was reset")),
        "{:?}",
        mail.iter().map(|mail| &mail.subject).collect::<Vec<_>>()
    );
    let trail = env
        .call("GET", "/api/audit")
        .bearer(&client.session.token)
        .send()
        .await;
    assert!(trail.body.contains("contact.mfa_reset"), "{}", trail.body);

    // The password alone signs in now, and the person sets up a new authenticator.
    let signed_in = env
        .call("POST", "/api/auth/login")
        .json(login.clone())
        .send()
        .await;
    assert_eq!(signed_in.json["status"], "signed_in", "{}", signed_in.body);
    let token = signed_in.json["access_token"].as_str().unwrap().to_string();
    enrol(&env, &token).await;
    let asked = env.call("POST", "/api/auth/login").json(login).send().await;
    assert_eq!(asked.json["challenge"], "totp", "{}", asked.body);

    // Firm staff may reset any contact's; a removed contact has nothing to reset.
    let by_staff = env
        .call(
            "POST",
            &format!("/api/clients/{}/contacts/{sub}/mfa/reset", client.tenant_id),
        )
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(by_staff.status, StatusCode::OK, "{}", by_staff.body);

    // Staff accounts: firm admins only.
    let staff_me = env.call("GET", "/api/me").bearer(&staff.token).send().await;
    let staff_sub = staff_me.json["sub"].as_str().unwrap().to_string();
    enrol(&env, &staff.token).await;
    let staff_path = format!("/api/staff/{staff_sub}/mfa/reset");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let not_admin = env
        .call("POST", &staff_path)
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(
        not_admin.status,
        StatusCode::FORBIDDEN,
        "{}",
        not_admin.body
    );
    let by_admin = env
        .call("POST", &staff_path)
        .bearer(&admin.token)
        .send()
        .await;
    assert_eq!(by_admin.status, StatusCode::OK, "{}", by_admin.body);
    assert_eq!(by_admin.json["mfa_enabled"], false);
    let ended = env.call("GET", "/api/me").bearer(&staff.token).send().await;
    assert!(refused(ended.status), "{}", ended.body);
    let firm_trail = env
        .call("GET", "/api/firm/audit")
        .bearer(&admin.token)
        .send()
        .await;
    assert!(
        firm_trail.body.contains("staff.mfa_reset"),
        "{}",
        firm_trail.body
    );
}
