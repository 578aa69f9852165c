//! Contacts of a client organisation: admins (and staff) invite with one email each, change
//! roles and remove; the last admin stays; a removed contact is refused at once (or within the
//! authorizer's cache window where it caches).

use atrium_shared::principal::Role;
use atrium_tests::{invitation_token_in, TestEnv, CONTACT_PASSWORD};
use http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn invite_change_roles_keep_the_last_admin_and_remove() {
    let env = TestEnv::new().await;
    let staff = env.staff(vec![Role::Admin]).await;
    let client = env.client(&staff, "team").await;
    let admin = &client.session.token;
    let mia_email = env.email("mia");

    for (roles, why) in [
        (json!(["owner"]), "unknown"),
        (json!(["read_only", "member"]), "combined"),
        (json!([]), "none"),
    ] {
        let reply = env
            .call("POST", "/api/contacts")
            .bearer(admin)
            .json(json!({ "name": "Mia", "email": mia_email, "roles": roles }))
            .send()
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{why}");
        assert!(
            reply.error_message().starts_with("roles:"),
            "{why}: {}",
            reply.body
        );
    }
    let invited = env
        .call("POST", "/api/contacts")
        .bearer(admin)
        .json(json!({ "name": "Mia Member", "email": mia_email, "roles": ["member", "billing"] }))
        .send()
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.body);
    assert_eq!(invited.json["status"], "invited");
    let again = env
        .call("POST", "/api/contacts")
        .bearer(admin)
        .json(json!({ "name": "Mia", "email": mia_email, "roles": ["member"] }))
        .send()
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.error_message().starts_with("email:"));

    // One invitation; Mia accepts it and has her roles.
    let mail = env.mail_to(&mia_email).await;
    assert_eq!(mail.len(), 1);
    let accepted = env
        .call("POST", "/api/auth/accept-invite")
        .json(json!({ "token": invitation_token_in(&mail[0].body).unwrap(), "password": CONTACT_PASSWORD, "mode": "bearer" }))
        .send()
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let mia = accepted.json["access_token"].as_str().unwrap().to_string();
    let me = env.call("GET", "/api/me").bearer(&mia).send().await;
    assert_eq!(me.json["roles"], json!(["member", "billing"]));
    let listed = env
        .call("GET", "/api/clients")
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(listed.json["clients"][0]["invitation"], "accepted");

    // A member cannot manage contacts.
    let refused = env
        .call("POST", "/api/contacts")
        .bearer(&mia)
        .json(json!({ "name": "X", "email": env.email("x"), "roles": ["member"] }))
        .send()
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // Roles: Mia becomes admin, the first admin steps down; Mia cannot leave no admin.
    let contacts = env.call("GET", "/api/contacts").bearer(admin).send().await;
    let find = |email: &str| {
        contacts.json["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["email"] == email)
            .cloned()
            .unwrap()
    };
    let mia_record = find(&mia_email);
    let first = find(&client.email);
    let promoted = env
        .call(
            "PATCH",
            &format!("/api/contacts/{}", mia_record["sub"].as_str().unwrap()),
        )
        .bearer(admin)
        .json(json!({ "version": mia_record["version"], "roles": ["admin"] }))
        .send()
        .await;
    assert_eq!(promoted.status, StatusCode::OK, "{}", promoted.body);
    let stepped_down = env
        .call(
            "PATCH",
            &format!("/api/contacts/{}", first["sub"].as_str().unwrap()),
        )
        .bearer(admin)
        .json(json!({ "version": first["version"], "roles": ["member"] }))
        .send()
        .await;
    assert_eq!(stepped_down.status, StatusCode::OK, "{}", stepped_down.body);
    let last = env
        .call(
            "PATCH",
            &format!("/api/contacts/{}", mia_record["sub"].as_str().unwrap()),
        )
        .bearer(&mia)
        .json(json!({ "version": promoted.json["version"], "roles": ["member"] }))
        .send()
        .await;
    assert_eq!(last.status, StatusCode::CONFLICT, "{}", last.body);
    let remove_last = env
        .call(
            "DELETE",
            &format!("/api/contacts/{}", mia_record["sub"].as_str().unwrap()),
        )
        .bearer(&mia)
        .send()
        .await;
    assert_eq!(remove_last.status, StatusCode::CONFLICT);

    // Staff remove the first contact: refused at once, and cannot sign in again.
    let removed = env
        .call(
            "DELETE",
            &format!(
                "/api/clients/{}/contacts/{}",
                client.tenant_id,
                first["sub"].as_str().unwrap()
            ),
        )
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    assert_eq!(removed.json["status"], "disabled");
    let gone = env.call("GET", "/api/workspace").bearer(admin).send().await;
    assert_eq!(gone.status, StatusCode::FORBIDDEN);
    let login = env
        .call("POST", "/api/auth/login")
        .json(json!({ "email": client.email, "password": CONTACT_PASSWORD, "slug": client.slug }))
        .send()
        .await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
    // Removing again only re-applies the pool's side.
    let twice = env
        .call(
            "DELETE",
            &format!(
                "/api/clients/{}/contacts/{}",
                client.tenant_id,
                first["sub"].as_str().unwrap()
            ),
        )
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(twice.status, StatusCode::OK);
    let trail = env
        .call("GET", "/api/audit?limit=200")
        .bearer(&mia)
        .send()
        .await;
    for action in [
        "contact.invited",
        "contact.roles_changed",
        "contact.removed",
    ] {
        assert!(trail.body.contains(action), "{action}");
    }
}

#[tokio::test]
async fn a_removed_contact_is_refused_within_the_cache_window() {
    let env = TestEnv::with_options(|options| options.user_cache_seconds = 1).await;
    let staff = env.staff(vec![Role::Admin]).await;
    let client = env.client(&staff, "cache").await;
    let reader = env
        .contact_with_roles(&client, "reader", vec![Role::ReadOnly])
        .await;
    assert_eq!(
        env.call("GET", "/api/workspace")
            .bearer(&reader.token)
            .send()
            .await
            .status,
        StatusCode::OK
    );
    let contacts = env
        .call("GET", "/api/contacts")
        .bearer(&client.session.token)
        .send()
        .await;
    let sub = contacts.json["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|contact| contact["roles"] == json!(["read_only"]))
        .unwrap()["sub"]
        .as_str()
        .unwrap()
        .to_string();
    let removed = env
        .call("DELETE", &format!("/api/contacts/{sub}"))
        .bearer(&client.session.token)
        .send()
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let refused = env
        .call("GET", "/api/workspace")
        .bearer(&reader.token)
        .send()
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_new_invitation_retires_the_old_link() {
    let env = TestEnv::new().await;
    let staff = env.staff(vec![Role::Admin]).await;
    let client = env.client(&staff, "resend").await;
    let admin = &client.session.token;
    let nina_email = env.email("nina");
    let invited = env
        .call("POST", "/api/contacts")
        .bearer(admin)
        .json(json!({ "name": "Nina", "email": nina_email, "roles": ["member"] }))
        .send()
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.body);
    let sub = invited.json["sub"].as_str().unwrap().to_string();
    let first_link = invitation_token_in(&env.mail_to(&nina_email).await[0].body).unwrap();

    // A member may not; an unknown contact is a 404.
    let member = env
        .contact_with_roles(&client, "max", vec![Role::Member])
        .await;
    let refused = env
        .call("POST", &format!("/api/contacts/{sub}/invitation"))
        .bearer(&member.token)
        .send()
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let unknown = env
        .call("POST", "/api/contacts/nobody/invitation")
        .bearer(admin)
        .send()
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    // Staff resend: one more mail; the first link no longer works, the new one does.
    let resent = env
        .call(
            "POST",
            &format!(
                "/api/clients/{}/contacts/{sub}/invitation",
                client.tenant_id
            ),
        )
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(resent.status, StatusCode::OK, "{}", resent.body);
    let mail = env.mail_to(&nina_email).await;
    assert_eq!(mail.len(), 2);
    let second_link = mail
        .iter()
        .filter_map(|m| invitation_token_in(&m.body))
        .find(|token| *token != first_link)
        .unwrap();
    let old = env
        .call("POST", "/api/auth/accept-invite")
        .json(json!({ "token": first_link, "password": CONTACT_PASSWORD, "mode": "bearer" }))
        .send()
        .await;
    assert_eq!(old.status, StatusCode::GONE, "{}", old.body);
    let new = env
        .call("POST", "/api/auth/accept-invite")
        .json(json!({ "token": second_link, "password": CONTACT_PASSWORD, "mode": "bearer" }))
        .send()
        .await;
    assert_eq!(new.status, StatusCode::OK, "{}", new.body);

    // Accepted: nothing to resend. The first contact (invited at onboarding) likewise.
    for path in [
        format!("/api/contacts/{sub}/invitation"),
        format!("/api/contacts/{}/invitation", me_sub(&env, admin).await),
    ] {
        let again = env.call("POST", &path).bearer(admin).send().await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{path}: {}", again.body);
    }
    let trail = env
        .call("GET", "/api/audit?action=contact.reinvited")
        .bearer(admin)
        .send()
        .await;
    assert_eq!(trail.json["entries"].as_array().unwrap().len(), 1);
}

async fn me_sub(env: &TestEnv, token: &str) -> String {
    let me = env.call("GET", "/api/me").bearer(token).send().await;
    me.json["sub"].as_str().unwrap().to_string()
}

/// The first contact's link comes from onboarding (its hash is on the client record); a new
/// invitation retires that one too.
#[tokio::test]
async fn a_new_invitation_for_the_first_contact_retires_the_onboarding_link() {
    let env = TestEnv::new().await;
    let staff = env.staff(vec![Role::Admin]).await;
    let email = env.email("first");
    let onboarded = env
        .call("POST", "/api/clients")
        .bearer(&staff.token)
        .json(json!({ "name": "Lost Mail Ltd", "slug": format!("lost-{}", &env.tag[env.tag.len() - 8..]), "contact": { "name": "Fay First", "email": email } }))
        .send()
        .await;
    assert_eq!(onboarded.status, StatusCode::CREATED, "{}", onboarded.body);
    let tenant = onboarded.json["id"].as_str().unwrap().to_string();
    let onboarding_link = invitation_token_in(&env.mail_to(&email).await[0].body).unwrap();
    let contacts = env
        .call("GET", &format!("/api/clients/{tenant}/contacts"))
        .bearer(&staff.token)
        .send()
        .await;
    let sub = contacts.json["contacts"][0]["sub"]
        .as_str()
        .unwrap()
        .to_string();
    let resent = env
        .call(
            "POST",
            &format!("/api/clients/{tenant}/contacts/{sub}/invitation"),
        )
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(resent.status, StatusCode::OK, "{}", resent.body);
    let mail = env.mail_to(&email).await;
    assert_eq!(mail.len(), 2);
    let new_link = mail
        .iter()
        .filter_map(|m| invitation_token_in(&m.body))
        .find(|token| *token != onboarding_link)
        .unwrap();
    let old = env
        .call("POST", "/api/auth/accept-invite")
        .json(json!({ "token": onboarding_link, "password": CONTACT_PASSWORD, "mode": "bearer" }))
        .send()
        .await;
    assert_eq!(old.status, StatusCode::GONE, "{}", old.body);
    let new = env
        .call("POST", "/api/auth/accept-invite")
        .json(json!({ "token": new_link, "password": CONTACT_PASSWORD, "mode": "bearer" }))
        .send()
        .await;
    assert_eq!(new.status, StatusCode::OK, "{}", new.body);
}
