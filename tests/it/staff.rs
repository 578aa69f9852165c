//! The firm's staff, managed by firm admins: invite (one mail, single-use link, no password in
//! it), accept, sign in, change roles, disable (tokens refused at once), re-enable, re-invite;
//! the last admin stays and nobody disables themselves. And the audited "view as client".

use atrium_shared::principal::Role;
use atrium_tests::{invitation_token_in, TestEnv, STAFF_PASSWORD};
use http::StatusCode;
use serde_json::json;

const NEW_PASSWORD: &str = "New-Staff-Password-2026!";

#[tokio::test]
async fn invite_accept_change_role_disable_and_enable() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let email = env.email("nora");

    for (body, field) in [
        (
            json!({ "name": "Nora", "email": email, "role": "owner" }),
            "role",
        ),
        (
            json!({ "name": "Nora", "email": "nope", "role": "staff" }),
            "email",
        ),
        (
            json!({ "name": "", "email": email, "role": "staff" }),
            "name",
        ),
        (json!({ "name": "Nora", "email": email }), "role"),
    ] {
        let reply = env
            .call("POST", "/api/staff")
            .bearer(&admin.token)
            .json(body)
            .send()
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
        assert!(reply.error_message().starts_with(field), "{}", reply.body);
    }
    let invited = env
        .call("POST", "/api/staff")
        .bearer(&admin.token)
        .json(json!({ "name": "Nora New", "email": email.to_uppercase(), "role": "staff" }))
        .send()
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.body);
    assert_eq!(invited.json["status"], "invited");
    assert_eq!(invited.json["email"], email.as_str());
    assert_eq!(invited.json["roles"], json!(["staff"]));
    let sub = invited.json["sub"].as_str().unwrap().to_string();
    let again = env
        .call("POST", "/api/staff")
        .bearer(&admin.token)
        .json(json!({ "name": "Nora", "email": email, "role": "admin" }))
        .send()
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.error_message().starts_with("email:"));

    // Not yet: an invited member cannot sign in.
    let listed = env
        .call("GET", "/api/staff")
        .bearer(&admin.token)
        .send()
        .await;
    assert_eq!(listed.status, StatusCode::OK);
    let row = listed.json["staff"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["sub"] == sub.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["status"], "invited");
    assert_eq!(row["mfa_enabled"], false);
    assert!(row["created_at"].is_string());

    // One mail, with a single-use link and no password in it.
    let mail = env.mail_to(&email).await;
    assert_eq!(mail.len(), 1);
    assert!(!mail[0].body.to_lowercase().contains("password:"));
    let token = invitation_token_in(&mail[0].body).unwrap();
    let weak = env
        .call("POST", "/api/auth/accept-invite")
        .json(json!({ "token": token, "password": "short", "mode": "bearer" }))
        .send()
        .await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST, "{}", weak.body);
    let accepted = env
        .call("POST", "/api/auth/accept-invite")
        .json(json!({ "token": token, "password": NEW_PASSWORD, "mode": "bearer" }))
        .send()
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert_eq!(accepted.json["kind"], "staff");
    let reused = env
        .call("POST", "/api/auth/accept-invite")
        .json(json!({ "token": token, "password": NEW_PASSWORD, "mode": "bearer" }))
        .send()
        .await;
    assert_eq!(reused.status, StatusCode::GONE);

    // She signs in like any staff member and works as staff, not as admin.
    let nora = env.sign_in(&email, NEW_PASSWORD, None).await;
    let me = env.call("GET", "/api/me").bearer(&nora.token).send().await;
    assert_eq!(me.json["kind"], "staff");
    assert_eq!(me.json["roles"], json!(["staff"]));
    let clients = env
        .call("GET", "/api/clients")
        .bearer(&nora.token)
        .send()
        .await;
    assert_eq!(clients.status, StatusCode::OK);
    let not_admin = env
        .call("GET", "/api/staff")
        .bearer(&nora.token)
        .send()
        .await;
    assert_eq!(not_admin.status, StatusCode::FORBIDDEN);

    // Promoted: the same token now carries admin (roles come from the record).
    let record = env.app.store.staff_user(&sub).await.unwrap().unwrap();
    assert_eq!(
        record.status,
        atrium_shared::store::records::UserStatus::Active
    );
    let stale = env
        .call("PATCH", &format!("/api/staff/{sub}"))
        .bearer(&admin.token)
        .json(json!({ "roles": ["admin"], "version": record.version - 1 }))
        .send()
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let promoted = env
        .call("PATCH", &format!("/api/staff/{sub}"))
        .bearer(&admin.token)
        .json(json!({ "roles": ["admin"], "version": record.version }))
        .send()
        .await;
    assert_eq!(promoted.status, StatusCode::OK, "{}", promoted.body);
    assert_eq!(promoted.json["roles"], json!(["admin"]));
    let as_admin = env
        .call("GET", "/api/staff")
        .bearer(&nora.token)
        .send()
        .await;
    assert_eq!(as_admin.status, StatusCode::OK);

    // Disabled: her token is refused at once, and she cannot sign in again.
    let version = promoted.json["version"].as_u64().unwrap();
    let disabled = env
        .call("PATCH", &format!("/api/staff/{sub}"))
        .bearer(&admin.token)
        .json(json!({ "status": "disabled", "version": version }))
        .send()
        .await;
    assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.body);
    assert_eq!(disabled.json["status"], "disabled");
    let refused = env.call("GET", "/api/me").bearer(&nora.token).send().await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let sign_in = env
        .call("POST", "/api/auth/login")
        .json(json!({ "email": email, "password": NEW_PASSWORD, "mode": "bearer" }))
        .send()
        .await;
    assert_eq!(sign_in.status, StatusCode::UNAUTHORIZED, "{}", sign_in.body);

    // Re-enabled: active again (she had accepted); old tokens stay refused, new sign-ins work.
    let enabled = env
        .call("PATCH", &format!("/api/staff/{sub}"))
        .bearer(&admin.token)
        .json(json!({ "status": "active", "version": disabled.json["version"] }))
        .send()
        .await;
    assert_eq!(enabled.status, StatusCode::OK, "{}", enabled.body);
    assert_eq!(enabled.json["status"], "active");
    let old = env.call("GET", "/api/me").bearer(&nora.token).send().await;
    assert_eq!(old.status, StatusCode::FORBIDDEN);
    // (A token from the very second of the disabling is refused too: `iat` has one-second
    // resolution.)
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let back = env.sign_in(&email, NEW_PASSWORD, None).await;
    let me = env.call("GET", "/api/me").bearer(&back.token).send().await;
    assert_eq!(me.status, StatusCode::OK);

    // Every step is in the firm's own trail.
    let actions: Vec<String> = env
        .app
        .store
        .firm_audit_entries(100, None)
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|entry| entry.target == format!("staff/{sub}"))
        .map(|entry| entry.action)
        .collect();
    assert_eq!(
        actions,
        [
            "staff.invited",
            "staff.invitation_accepted",
            "staff.roles_changed",
            "staff.disabled",
            "staff.enabled"
        ]
    );
}

#[tokio::test]
async fn the_last_admin_stays_and_nobody_disables_themselves() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let me = env.call("GET", "/api/me").bearer(&admin.token).send().await;
    let my_sub = me.json["sub"].as_str().unwrap().to_string();
    let record = env.app.store.staff_user(&my_sub).await.unwrap().unwrap();

    let myself = env
        .call("PATCH", &format!("/api/staff/{my_sub}"))
        .bearer(&admin.token)
        .json(json!({ "status": "disabled", "version": record.version }))
        .send()
        .await;
    assert_eq!(myself.status, StatusCode::BAD_REQUEST, "{}", myself.body);
    assert!(myself.error_message().starts_with("status:"));
    let demote = env
        .call("PATCH", &format!("/api/staff/{my_sub}"))
        .bearer(&admin.token)
        .json(json!({ "roles": ["staff"], "version": record.version }))
        .send()
        .await;
    assert_eq!(demote.status, StatusCode::CONFLICT, "{}", demote.body);
    assert!(demote.error_message().contains("last active admin"));

    // An invited admin does not count: they cannot sign in yet.
    let invited = env
        .call("POST", "/api/staff")
        .bearer(&admin.token)
        .json(json!({ "name": "Ada", "email": env.email("ada"), "role": "admin" }))
        .send()
        .await;
    assert_eq!(invited.status, StatusCode::CREATED);
    let demote = env
        .call("PATCH", &format!("/api/staff/{my_sub}"))
        .bearer(&admin.token)
        .json(json!({ "roles": ["staff"], "version": record.version }))
        .send()
        .await;
    assert_eq!(demote.status, StatusCode::CONFLICT);

    // With a second active admin, either may step down, but not both.
    let second = env.staff(vec![Role::Admin]).await;
    let second_sub = env
        .call("GET", "/api/me")
        .bearer(&second.token)
        .send()
        .await
        .json["sub"]
        .as_str()
        .unwrap()
        .to_string();
    let demoted = env
        .call("PATCH", &format!("/api/staff/{my_sub}"))
        .bearer(&admin.token)
        .json(json!({ "roles": ["staff", "admin"], "version": record.version }))
        .send()
        .await;
    assert_eq!(demoted.status, StatusCode::OK, "{}", demoted.body);
    let second_record = env
        .app
        .store
        .staff_user(&second_sub)
        .await
        .unwrap()
        .unwrap();
    let stepped_down = env
        .call("PATCH", &format!("/api/staff/{my_sub}"))
        .bearer(&second.token)
        .json(json!({ "roles": ["staff"], "version": demoted.json["version"] }))
        .send()
        .await;
    assert_eq!(stepped_down.status, StatusCode::OK, "{}", stepped_down.body);
    let last = env
        .call("PATCH", &format!("/api/staff/{second_sub}"))
        .bearer(&admin.token)
        .json(json!({ "status": "disabled", "version": second_record.version }))
        .send()
        .await;
    assert_eq!(last.status, StatusCode::FORBIDDEN, "no longer an admin");
    let self_disable = env
        .call("PATCH", &format!("/api/staff/{second_sub}"))
        .bearer(&second.token)
        .json(json!({ "status": "disabled", "version": second_record.version }))
        .send()
        .await;
    assert_eq!(self_disable.status, StatusCode::BAD_REQUEST);
    let still = env
        .app
        .store
        .staff_user(&second_sub)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        still.status,
        atrium_shared::store::records::UserStatus::Active
    );
    assert!(still.roles.contains(&Role::Admin));

    // Bad input names the field; unknown members are 404.
    for (body, field) in [
        (json!({ "roles": ["owner"], "version": 1 }), "roles"),
        (json!({ "roles": [], "version": 1 }), "roles"),
        (json!({ "status": "gone", "version": 1 }), "status"),
        (json!({ "version": 1 }), "roles"),
        (json!({ "roles": ["staff"] }), "version"),
    ] {
        let reply = env
            .call("PATCH", &format!("/api/staff/{second_sub}"))
            .bearer(&second.token)
            .json(body)
            .send()
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
        assert!(reply.error_message().starts_with(field), "{}", reply.body);
    }
    let unknown = env
        .call("PATCH", "/api/staff/00000000-0000-0000-0000-000000000000")
        .bearer(&second.token)
        .json(json!({ "roles": ["staff"], "version": 1 }))
        .send()
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_new_invitation_retires_the_old_link_and_a_disabled_invite_stays_unusable() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let email = env.email("otto");
    let invited = env
        .call("POST", "/api/staff")
        .bearer(&admin.token)
        .json(json!({ "name": "Otto", "email": email, "role": "staff" }))
        .send()
        .await;
    let sub = invited.json["sub"].as_str().unwrap().to_string();
    let first = env.invitation_token(&email).await;
    let resent = env
        .call("POST", &format!("/api/staff/{sub}/invitation"))
        .bearer(&admin.token)
        .send()
        .await;
    assert_eq!(resent.status, StatusCode::OK, "{}", resent.body);
    let mail = env.mail_to(&email).await;
    assert_eq!(mail.len(), 2);
    let second = invitation_token_in(&mail[1].body).unwrap();
    let old = env
        .call("POST", "/api/auth/accept-invite")
        .json(json!({ "token": first, "password": NEW_PASSWORD, "mode": "bearer" }))
        .send()
        .await;
    assert_eq!(old.status, StatusCode::GONE);

    // Disabling an invited member retires their link; re-enabling brings back "invited".
    let disabled = env
        .call("PATCH", &format!("/api/staff/{sub}"))
        .bearer(&admin.token)
        .json(json!({ "status": "disabled", "version": invited.json["version"] }))
        .send()
        .await;
    assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.body);
    let refused = env
        .call("POST", "/api/auth/accept-invite")
        .json(json!({ "token": second, "password": NEW_PASSWORD, "mode": "bearer" }))
        .send()
        .await;
    assert_eq!(refused.status, StatusCode::GONE, "{}", refused.body);
    let enabled = env
        .call("PATCH", &format!("/api/staff/{sub}"))
        .bearer(&admin.token)
        .json(json!({ "status": "active", "version": disabled.json["version"] }))
        .send()
        .await;
    assert_eq!(enabled.json["status"], "invited", "{}", enabled.body);
    let resent = env
        .call("POST", &format!("/api/staff/{sub}/invitation"))
        .bearer(&admin.token)
        .send()
        .await;
    assert_eq!(resent.status, StatusCode::OK);
    let third = invitation_token_in(&env.mail_to(&email).await[2].body).unwrap();
    let accepted = env
        .call("POST", "/api/auth/accept-invite")
        .json(json!({ "token": third, "password": NEW_PASSWORD, "mode": "bearer" }))
        .send()
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let once_more = env
        .call("POST", &format!("/api/staff/{sub}/invitation"))
        .bearer(&admin.token)
        .send()
        .await;
    assert_eq!(once_more.status, StatusCode::CONFLICT);
    // A staff member (not admin) manages nobody.
    let staff = env.staff(vec![Role::Staff]).await;
    for (method, path) in [
        ("GET", "/api/staff".to_string()),
        ("POST", "/api/staff".to_string()),
        ("PATCH", format!("/api/staff/{sub}")),
        ("POST", format!("/api/staff/{sub}/invitation")),
    ] {
        let reply = env
            .call(method, &path)
            .bearer(&staff.token)
            .json(json!({ "name": "X", "email": env.email("x"), "role": "admin", "version": 1, "status": "disabled" }))
            .send()
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{method} {path}");
    }
    let _ = STAFF_PASSWORD;
}

#[tokio::test]
async fn preview_as_client_is_audited_in_that_clients_trail_only() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let staff = env.staff(vec![Role::Staff]).await;
    let a = env.client(&admin, "seen").await;
    let b = env.client(&admin, "other").await;
    let staff_sub = env
        .call("GET", "/api/me")
        .bearer(&staff.token)
        .send()
        .await
        .json["sub"]
        .as_str()
        .unwrap()
        .to_string();

    let preview = env
        .call("POST", &format!("/api/clients/{}/preview", a.tenant_id))
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(preview.json["client"]["id"], a.tenant_id.as_str());
    assert_eq!(preview.json["client"]["slug"], a.slug.as_str());
    assert_eq!(preview.json["client"]["name"], "seen Ltd");
    assert!(preview.json["started_at"].is_string());

    let trail = env
        .call(
            "GET",
            &format!(
                "/api/clients/{}/audit?action=staff.preview_started",
                a.tenant_id
            ),
        )
        .bearer(&admin.token)
        .send()
        .await;
    assert_eq!(trail.status, StatusCode::OK, "{}", trail.body);
    let entries = trail.json["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{}", trail.body);
    assert_eq!(entries[0]["actor"], format!("staff:{staff_sub}"));
    assert_eq!(entries[0]["target"], format!("client/{}", a.tenant_id));
    // The client's own admin sees it in their trail too.
    let own = env
        .call("GET", "/api/audit?action=staff.preview_started")
        .bearer(&a.session.token)
        .send()
        .await;
    assert_eq!(own.json["entries"].as_array().unwrap().len(), 1);

    // Not in the other client's trail, and the other client cannot see it.
    let other = env
        .call(
            "GET",
            &format!(
                "/api/clients/{}/audit?action=staff.preview_started",
                b.tenant_id
            ),
        )
        .bearer(&admin.token)
        .send()
        .await;
    assert_eq!(other.json["entries"].as_array().unwrap().len(), 0);
    let b_own = env
        .call("GET", "/api/audit")
        .bearer(&b.session.token)
        .send()
        .await;
    assert_eq!(b_own.status, StatusCode::OK);
    assert!(!b_own.body.contains("staff.preview_started"));
    assert!(!b_own.body.contains(&a.tenant_id));

    // Clients cannot start a preview; unknown clients are 404.
    let refused = env
        .call("POST", &format!("/api/clients/{}/preview", a.tenant_id))
        .bearer(&a.session.token)
        .send()
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    for unknown in ["01ARZ3NDEKTSV4RRFFQ69G5FAV", "not-an-id"] {
        let reply = env
            .call("POST", &format!("/api/clients/{unknown}/preview"))
            .bearer(&staff.token)
            .send()
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{unknown}");
    }
}

/// Any member of staff reads the directory (to name a countersigner, say): active colleagues by
/// name and address, nobody invited or disabled, and none of the sign-in state the admins'
/// list carries. Clients' contacts are refused.
#[tokio::test]
async fn every_member_of_staff_reads_the_directory_of_active_colleagues() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let member = env.staff(vec![Role::Staff]).await;
    let invited = env.email("ivy");
    let reply = env
        .call("POST", "/api/staff")
        .bearer(&admin.token)
        .json(json!({ "name": "Ivy Invited", "email": invited, "role": "staff" }))
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);

    // The admins' list stays theirs.
    let listed = env
        .call("GET", "/api/staff")
        .bearer(&member.token)
        .send()
        .await;
    assert_eq!(listed.status, StatusCode::FORBIDDEN, "{}", listed.body);

    let directory = env
        .call("GET", "/api/staff/directory")
        .bearer(&member.token)
        .send()
        .await;
    assert_eq!(directory.status, StatusCode::OK, "{}", directory.body);
    let staff = directory.json["staff"].as_array().unwrap();
    let emails: Vec<&str> = staff
        .iter()
        .map(|colleague| colleague["email"].as_str().unwrap())
        .collect();
    assert_eq!(staff.len(), 2, "{emails:?}");
    assert!(!emails.contains(&invited.as_str()), "{emails:?}");
    for colleague in staff {
        let mut fields: Vec<&str> = colleague
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        fields.sort_unstable();
        assert_eq!(fields, ["email", "name", "sub"], "{colleague}");
    }

    let client = env.client(&admin, "directory").await;
    let refused = env
        .call("GET", "/api/staff/directory")
        .bearer(&client.session.token)
        .send()
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.json.get("staff").is_none());
}
