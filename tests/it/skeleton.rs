//! The walking skeleton's story, end to end through the gateway with real payload-2.0
//! requests: a staff admin onboards a client with one call, the contact gets exactly one
//! invitation, sets a password through the link (once), signs in later with cookies, sees
//! their workspace and signs out.

use atrium_shared::principal::Role;
use atrium_tests::{invitation_token_in, TestEnv, CONTACT_PASSWORD, ORIGIN, STAFF_PASSWORD};
use http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn onboard_invite_accept_sign_in_workspace_sign_out() {
    let env = TestEnv::new().await;
    let staff = env.staff(vec![Role::Admin]).await;
    let contact_email = env.email("dana");

    // One call onboards the client.
    let onboarded = env
        .call("POST", "/api/clients")
        .bearer(&staff.token)
        .json(json!({
            "name": "Northwind Traders",
            "slug": format!("northwind-{}", &env.tag[1..9]),
            "contact": { "name": "Dana Whitfield", "email": contact_email.to_uppercase() }
        }))
        .send()
        .await;
    assert_eq!(onboarded.status, StatusCode::CREATED, "{}", onboarded.body);
    assert_eq!(onboarded.json["invitation"], "sent");
    assert_eq!(onboarded.json["onboarding_complete"], true);
    assert!(
        !onboarded.body.contains("token"),
        "the token travels only by mail"
    );
    let slug = onboarded.json["slug"].as_str().unwrap().to_string();
    let tenant_id = onboarded.json["id"].as_str().unwrap().to_string();

    // The client has its own pool, registered as a trusted issuer.
    let client = env
        .app
        .store
        .client_record(&tenant_id)
        .await
        .unwrap()
        .unwrap();
    let pool_id = client.pool_id.clone().unwrap();
    assert_ne!(pool_id, env.config.staff_pool_id);
    let issuer = env
        .app
        .store
        .issuer_record(&env.config.issuer_for_pool(&pool_id))
        .await
        .unwrap();
    assert_eq!(issuer.unwrap().tenant_id, tenant_id);
    let users = env
        .app
        .cognito
        .list_users()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        users.users().len(),
        1,
        "the contact is the pool's only user"
    );

    // Exactly one branded invitation, to the contact (addresses are stored lower-case).
    let mail = env.mail_to(&contact_email).await;
    assert_eq!(mail.len(), 1);
    assert!(mail[0].subject.contains("Harbour & Pike LLP"));
    assert!(mail[0].from.contains("Harbour & Pike LLP"));
    assert!(mail[0].body.contains("Dana Whitfield"));
    assert!(mail[0].body.contains(&format!("{ORIGIN}/invite#token=")));
    let token = invitation_token_in(&mail[0].body).unwrap();
    // Only the token's hash is stored.
    let hash = atrium_shared::secrets::token_hash(&token);
    let invite = env
        .app
        .store
        .invite(&hash)
        .await
        .unwrap()
        .expect("invite by hash");
    assert!(invite.expires_at > atrium_tests::tokens::now() + 71 * 3600);

    // The clients list shows the invitation as sent.
    let listed = env
        .call("GET", "/api/clients")
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.json["clients"][0]["invitation"], "sent");

    // Signing in before accepting does not work.
    let early = env
        .call("POST", "/api/auth/login")
        .json(json!({ "email": contact_email, "password": CONTACT_PASSWORD, "slug": slug }))
        .send()
        .await;
    assert_eq!(early.status, StatusCode::UNAUTHORIZED);

    // A weak password is refused, names the field, and leaves the link usable.
    let weak = env
        .call("POST", "/api/auth/accept-invite")
        .origin(ORIGIN)
        .json(json!({ "token": token, "password": "password" }))
        .send()
        .await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST, "{}", weak.body);
    assert!(
        weak.error_message().starts_with("password:"),
        "{}",
        weak.body
    );

    // A good one sets the password and signs the contact in with locked-down cookies.
    let accepted = env
        .call("POST", "/api/auth/accept-invite")
        .origin(ORIGIN)
        .json(json!({ "token": token, "password": CONTACT_PASSWORD }))
        .send()
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert_eq!(accepted.json["status"], "signed_in");
    assert!(
        accepted.json.get("access_token").is_none(),
        "cookie mode keeps tokens out of the body"
    );
    let cookies = accepted.set_cookies();
    assert_eq!(cookies.len(), 2);
    for cookie in &cookies {
        for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
            assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
        }
    }
    let access = accepted.cookie("__Host-atrium_at").unwrap();

    // The link works once.
    let again = env
        .call("POST", "/api/auth/accept-invite")
        .origin(ORIGIN)
        .json(json!({ "token": token, "password": CONTACT_PASSWORD }))
        .send()
        .await;
    assert_eq!(again.status, StatusCode::GONE, "{}", again.body);
    assert!(again.error_message().starts_with("token:"));

    // The accepted invitation shows in the clients list.
    let listed = env
        .call("GET", "/api/clients")
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(listed.json["clients"][0]["invitation"], "accepted");
    // And in the client's own record, which a client that does not exist does not have.
    let one = env
        .call("GET", &format!("/api/clients/{tenant_id}"))
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.body);
    assert_eq!(one.json, listed.json["clients"][0]);
    let unknown = env
        .call("GET", "/api/clients/01ARZ3NDEKTSV4RRFFQ69G5FAV")
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);

    // The session cookie opens the workspace, from the tenant's own partition.
    let workspace = env
        .call("GET", "/api/workspace")
        .cookie(&format!("__Host-atrium_at={access}"))
        .send()
        .await;
    assert_eq!(workspace.status, StatusCode::OK, "{}", workspace.body);
    assert_eq!(workspace.json["client"]["name"], "Northwind Traders");
    assert_eq!(workspace.json["client"]["id"], tenant_id);
    assert_eq!(workspace.json["contact"]["email"], contact_email);
    assert_eq!(workspace.json["contact"]["roles"], json!(["admin"]));
    for list in ["projects", "document_requests", "approvals", "messages"] {
        assert_eq!(workspace.json[list], json!([]), "{list}");
    }

    // Later: sign in with the slug, email and password.
    let login = env
        .call("POST", "/api/auth/login")
        .origin(ORIGIN)
        .json(json!({ "email": contact_email, "password": CONTACT_PASSWORD, "slug": slug }))
        .send()
        .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    assert_eq!(login.json["kind"], "client");
    let access = login.cookie("__Host-atrium_at").unwrap();
    let cookie = format!("__Host-atrium_at={access}");

    let me = env.call("GET", "/api/me").cookie(&cookie).send().await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json["kind"], "client");
    assert_eq!(me.json["client"]["slug"], slug.as_str());
    assert_eq!(me.json["firm"]["name"], "Harbour & Pike LLP");

    // The refresh cookie renews the access cookie; it needs the portal's origin.
    let refresh_cookie = format!(
        "__Host-atrium_rt={}",
        login.cookie("__Host-atrium_rt").unwrap()
    );
    let cross_site = env
        .call("POST", "/api/auth/refresh")
        .cookie(&refresh_cookie)
        .send()
        .await;
    assert_eq!(cross_site.status, StatusCode::FORBIDDEN);
    let renewed = env
        .call("POST", "/api/auth/refresh")
        .cookie(&refresh_cookie)
        .origin(ORIGIN)
        .send()
        .await;
    assert_eq!(renewed.status, StatusCode::OK, "{}", renewed.body);
    assert_eq!(
        renewed.set_cookies().len(),
        1,
        "only the access cookie is renewed"
    );
    let fresh = format!(
        "__Host-atrium_at={}",
        renewed.cookie("__Host-atrium_at").unwrap()
    );
    assert_eq!(
        env.call("GET", "/api/workspace")
            .cookie(&fresh)
            .send()
            .await
            .status,
        StatusCode::OK
    );
    for forged in [
        "__Host-atrium_rt=nonsense",
        "__Host-atrium_rt=staff~nonsense",
        "__Host-atrium_rt=01ARZ3NDEKTSV4RRFFQ69G5FAV~x",
    ] {
        let reply = env
            .call("POST", "/api/auth/refresh")
            .cookie(forged)
            .origin(ORIGIN)
            .send()
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{forged}: {}",
            reply.body
        );
    }

    // Bearer works for API use, with the same token.
    let me_bearer = env.call("GET", "/api/me").bearer(&access).send().await;
    assert_eq!(me_bearer.status, StatusCode::OK);

    // A state-changing cookie request must carry the portal's origin.
    let no_origin = env
        .call("POST", "/api/auth/logout")
        .cookie(&cookie)
        .send()
        .await;
    assert_eq!(no_origin.status, StatusCode::FORBIDDEN);
    let foreign = env
        .call("POST", "/api/auth/logout")
        .cookie(&cookie)
        .origin("https://evil.example")
        .send()
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);

    // Sign-out revokes the refresh token and ends the session at once.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let logout = env
        .call("POST", "/api/auth/logout")
        .cookie(&cookie)
        .origin(ORIGIN)
        .send()
        .await;
    assert_eq!(logout.status, StatusCode::OK, "{}", logout.body);
    assert!(logout.set_cookies().iter().all(|c| c.contains("Max-Age=0")));
    let after = env
        .call("GET", "/api/workspace")
        .cookie(&cookie)
        .send()
        .await;
    assert_eq!(after.status, StatusCode::FORBIDDEN);
    assert!(!after.body.contains("Northwind"));
    let refresh = login.cookie("__Host-atrium_rt").unwrap();
    let after_logout = env
        .call("POST", "/api/auth/refresh")
        .cookie(&format!("__Host-atrium_rt={refresh}"))
        .origin(ORIGIN)
        .send()
        .await;
    assert_eq!(
        after_logout.status,
        StatusCode::UNAUTHORIZED,
        "sign-out revoked it"
    );
    // The browser never held a Cognito token it could take elsewhere: the session cookie is
    // the portal's own key (Cognito's refresh token stays sealed with it in the session).
    assert_eq!(refresh.split('.').count(), 3, "{refresh}");
    let refreshed = env
        .app
        .cognito
        .initiate_auth()
        .client_id(client.app_client_id.clone().unwrap())
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &refresh)
        .send()
        .await;
    assert!(refreshed.is_err(), "not a Cognito refresh token");

    // Signing in again gives a fresh, working session.
    let relogin = env
        .sign_in(&contact_email, CONTACT_PASSWORD, Some(&slug))
        .await;
    let workspace = env
        .call("GET", "/api/workspace")
        .bearer(&relogin.token)
        .send()
        .await;
    assert_eq!(workspace.status, StatusCode::OK);
}

#[tokio::test]
async fn staff_sign_in_uses_the_staff_pool_and_lists_clients_in_pages() {
    let env = TestEnv::new().await;
    let staff = env.staff(vec![Role::Admin]).await;
    for index in 0..3 {
        env.client(&staff, &format!("page{index}")).await;
    }
    let first = env
        .call("GET", "/api/clients?limit=2")
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.json["clients"].as_array().unwrap().len(), 2);
    let cursor = first.json["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_string();
    let second = env
        .call("GET", &format!("/api/clients?limit=2&cursor={cursor}"))
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(second.status, StatusCode::OK);
    let mut names: Vec<String> = first.json["clients"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second.json["clients"].as_array().unwrap())
        .map(|client| client["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names.len(), 3, "every client once");
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 3);
    for client in first.json["clients"].as_array().unwrap() {
        assert_eq!(client["invitation"], "accepted");
    }

    let bad_limit = env
        .call("GET", "/api/clients?limit=0")
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(bad_limit.status, StatusCode::BAD_REQUEST);
    assert!(bad_limit.error_message().starts_with("limit:"));
    let bad_cursor = env
        .call("GET", "/api/clients?cursor=Q09OVEFDVCN4")
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(bad_cursor.status, StatusCode::BAD_REQUEST);
    assert!(bad_cursor.error_message().starts_with("cursor:"));

    // Wrong passwords and unknown slugs answer alike.
    let wrong = env
        .call("POST", "/api/auth/login")
        .json(json!({ "email": env.email("nobody"), "password": STAFF_PASSWORD }))
        .send()
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let unknown_slug = env
        .call("POST", "/api/auth/login")
        .json(json!({ "email": env.email("nobody"), "password": STAFF_PASSWORD, "slug": "no-such-client" }))
        .send()
        .await;
    assert_eq!(unknown_slug.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.json, unknown_slug.json);
}

#[tokio::test]
async fn bad_input_is_named_and_changes_nothing() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let existing = env.client(&admin, "taken").await;
    let onboard = |body: serde_json::Value| {
        env.call("POST", "/api/clients")
            .bearer(&admin.token)
            .json(body)
    };
    let contact = json!({ "name": "Ann", "email": env.email("ann") });
    let cases = [
        (json!({ "slug": "ok-slug", "contact": contact }), "name:"),
        (
            json!({ "name": " ", "slug": "ok-slug", "contact": contact }),
            "name:",
        ),
        (
            json!({ "name": "Ok", "slug": "Not A Slug", "contact": contact }),
            "slug:",
        ),
        (
            json!({ "name": "Ok", "slug": "ok-slug", "contact": { "name": "Ann", "email": "not-an-email" } }),
            "contact.email:",
        ),
        (
            json!({ "name": "Ok", "slug": "ok-slug", "contact": { "name": "", "email": env.email("ann") } }),
            "contact.name:",
        ),
        (
            json!({ "name": "Ok", "slug": "ok-slug", "contact": { "name": "Ann" } }),
            "contact.email:",
        ),
        (
            json!({ "name": 7, "slug": "ok-slug", "contact": contact }),
            "name:",
        ),
    ];
    for (body, field) in cases {
        let reply = onboard(body.clone()).send().await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{body} → {}",
            reply.body
        );
        assert_eq!(reply.error_code(), "invalid_input");
        assert!(
            reply.error_message().starts_with(field),
            "{body} → {}",
            reply.body
        );
    }
    let malformed = env
        .call("POST", "/api/clients")
        .bearer(&admin.token)
        .raw_body("{\"name\": ")
        .send()
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.error_code(), "malformed_request");

    // A slug in use is a conflict that names the slug.
    let taken = onboard(json!({ "name": "Other", "slug": existing.slug, "contact": contact }))
        .send()
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.body);
    assert!(taken.error_message().starts_with("slug:"));

    // Staff without the admin role cannot onboard; clients cannot either.
    let staff = env.staff(vec![Role::Staff]).await;
    let body = json!({ "name": "Ok", "slug": "ok-slug", "contact": contact });
    let as_staff = env
        .call("POST", "/api/clients")
        .bearer(&staff.token)
        .json(body.clone())
        .send()
        .await;
    assert_eq!(as_staff.status, StatusCode::FORBIDDEN);
    let as_client = env
        .call("POST", "/api/clients")
        .bearer(&existing.session.token)
        .json(body)
        .send()
        .await;
    assert_eq!(as_client.status, StatusCode::FORBIDDEN);

    // Nothing of all that was written: still one client, and no mail to Ann.
    let listed = env
        .call("GET", "/api/clients")
        .bearer(&admin.token)
        .send()
        .await;
    assert_eq!(listed.json["clients"].as_array().unwrap().len(), 1);
    assert!(env.mail_to(&env.email("ann")).await.is_empty());
    assert!(env
        .app
        .store
        .slug_record("ok-slug")
        .await
        .unwrap()
        .is_none());

    // Invitation tokens: nonsense, unknown and expired ones are refused clearly.
    let nonsense = env
        .call("POST", "/api/auth/accept-invite")
        .json(json!({ "token": "x", "password": "Whatever-2026!" }))
        .send()
        .await;
    assert_eq!(nonsense.status, StatusCode::BAD_REQUEST);
    assert!(nonsense.error_message().starts_with("token:"));
    let unknown = env
        .call("POST", "/api/auth/accept-invite")
        .json(json!({ "token": atrium_shared::secrets::new_token(), "password": "Whatever-2026!" }))
        .send()
        .await;
    assert_eq!(unknown.status, StatusCode::GONE);
}

#[tokio::test]
async fn an_expired_invitation_is_refused_even_before_ttl_deletes_it() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let email = env.email("late");
    let reply = env
        .call("POST", "/api/clients")
        .bearer(&admin.token)
        .json(json!({ "name": "Late Ltd", "slug": format!("late-{}", &env.tag[1..9]), "contact": { "name": "Lee", "email": email } }))
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let token = env.invitation_token(&email).await;
    let hash = atrium_shared::secrets::token_hash(&token);
    // TTL deletion can lag by days; the expiry is checked on use.
    env.app
        .store
        .dynamo()
        .update_item()
        .table_name(&env.config.table)
        .key(
            "PK",
            atrium_shared::store::s(atrium_shared::keys::invite_pk(&hash)),
        )
        .key(
            "SK",
            atrium_shared::store::s(atrium_shared::keys::INVITE_SK),
        )
        .update_expression("SET expires_at = :past")
        .expression_attribute_values(
            ":past",
            atrium_shared::store::n(atrium_tests::tokens::now() - 1),
        )
        .send()
        .await
        .unwrap();
    let expired = env
        .call("POST", "/api/auth/accept-invite")
        .json(json!({ "token": token, "password": CONTACT_PASSWORD }))
        .send()
        .await;
    assert_eq!(expired.status, StatusCode::GONE, "{}", expired.body);
    assert!(expired.error_message().contains("expired"));
    // Nothing changed: the contact still cannot sign in.
    let tenant_id = reply.json["id"].as_str().unwrap();
    let record = env
        .app
        .store
        .client_record(tenant_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        record.invitation,
        atrium_shared::store::records::InvitationStatus::Sent
    );
}
