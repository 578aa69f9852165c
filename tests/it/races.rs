//! Races judged from outside: for each conditional write path, several requests at once
//! through the gateway (each on its own task of a multi-threaded runtime, so their AWS calls
//! really overlap), then exactly one winner, the rest 409, one mail and one trail entry.
//!
//! This speaks for the code only because the local DynamoDB is atomic: moto serves DynamoDB
//! calls one at a time (scripts/moto_server.py), as DynamoDB applies each call whole. The
//! interceptor tests (approvals.rs, onboarding_faults.rs) stay for the interleavings these
//! cannot force: a rival landing between one request's read and its write.

use atrium_local::seed::create_staff_user;
use atrium_shared::principal::Role;
use atrium_shared::store::tenant::AuditFilter;
use atrium_tests::{scope_of, Client, Reply, TestEnv, STAFF_PASSWORD};
use http::StatusCode;
use serde_json::{json, Value};
use std::future::Future;
use std::sync::Arc;

const RIVALS: usize = 20;

/// Runs `RIVALS` requests made by `request` at once and answers their replies.
async fn at_once<F, Fut>(env: &Arc<TestEnv>, request: F) -> Vec<Reply>
where
    F: Fn(Arc<TestEnv>, usize) -> Fut,
    Fut: Future<Output = Reply> + Send + 'static,
{
    let start = Arc::new(tokio::sync::Barrier::new(RIVALS));
    let mut racing = tokio::task::JoinSet::new();
    for rival in 0..RIVALS {
        let start = start.clone();
        let request = request(env.clone(), rival);
        racing.spawn(async move {
            start.wait().await;
            request.await
        });
    }
    racing.join_all().await
}

/// Exactly one reply has `winner`; every other one is a 409 with a JSON error.
fn one_winner(replies: &[Reply], winner: StatusCode) {
    let statuses: Vec<StatusCode> = replies.iter().map(|reply| reply.status).collect();
    let winners = statuses.iter().filter(|status| **status == winner).count();
    assert_eq!(winners, 1, "one {winner} among {statuses:?}");
    for reply in replies.iter().filter(|reply| reply.status != winner) {
        assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
        assert_eq!(reply.error_code(), "conflict", "{}", reply.body);
    }
}

async fn trail_count(env: &TestEnv, client: &Client, action: &str) -> usize {
    env.app
        .store
        .audit_entries(&scope_of(client), 500, None, &AuditFilter::default())
        .await
        .unwrap()
        .items
        .iter()
        .filter(|entry| entry.action == action)
        .count()
}

async fn staff_with_email(env: &TestEnv, name: &str) -> (atrium_tests::Session, String) {
    let email = env.email(name);
    create_staff_user(
        &env.app,
        &email,
        "Sam Staff",
        vec![Role::Admin],
        STAFF_PASSWORD,
    )
    .await
    .unwrap();
    (env.sign_in(&email, STAFF_PASSWORD, None).await, email)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_decision_wins_an_approval() {
    let env = Arc::new(TestEnv::new().await);
    let staff = env.staff(vec![Role::Admin]).await;
    let client = env.client(&staff, "decide").await;
    let created = env
        .call("POST", &format!("/api/clients/{}/approvals", client.tenant_id))
        .bearer(&staff.token)
        .json(json!({ "title": "Approve the plan", "subject": { "kind": "statement", "text": "The plan for 2027." } }))
        .send()
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let approval = created.json["id"].as_str().unwrap().to_string();
    let token = client.session.token.clone();
    let replies = at_once(&env, |env, rival| {
        let (approval, token) = (approval.clone(), token.clone());
        let decision = if rival % 2 == 0 { "approve" } else { "reject" };
        async move {
            env.call("POST", &format!("/api/approvals/{approval}/decide"))
                .bearer(&token)
                .json(json!({ "decision": decision, "comment": format!("rival {rival}") }))
                .send()
                .await
        }
    })
    .await;
    one_winner(&replies, StatusCode::OK);
    let decided = trail_count(&env, &client, "approval.approved").await
        + trail_count(&env, &client, "approval.rejected").await;
    assert_eq!(decided, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_submission_wins_an_intake() {
    let env = Arc::new(TestEnv::new().await);
    let (staff, staff_email) = staff_with_email(&env, "owner").await;
    let client = env.client(&staff, "intake").await;
    let form = env
        .call("POST", "/api/forms")
        .bearer(&staff.token)
        .json(json!({ "name": "KYC", "fields": [{ "key": "name", "type": "short_text", "label": "Name", "required": true }] }))
        .send()
        .await;
    assert_eq!(form.status, StatusCode::CREATED, "{}", form.body);
    let assigned = env
        .call("POST", &format!("/api/clients/{}/intake", client.tenant_id))
        .bearer(&staff.token)
        .json(json!({ "form_id": form.json["id"] }))
        .send()
        .await;
    assert_eq!(assigned.status, StatusCode::CREATED, "{}", assigned.body);
    let assignment = assigned.json["id"].as_str().unwrap().to_string();
    let token = client.session.token.clone();
    let replies = at_once(&env, |env, rival| {
        let (assignment, token) = (assignment.clone(), token.clone());
        async move {
            env.call("POST", &format!("/api/intake/{assignment}/submit"))
                .bearer(&token)
                .json(json!({ "answers": { "name": format!("Rival {rival}") }, "form_version": 1, "version": 1 }))
                .send()
                .await
        }
    })
    .await;
    one_winner(&replies, StatusCode::CREATED);
    let told = env.mail_to(&staff_email).await;
    assert_eq!(
        told.len(),
        1,
        "one mail to the staff member who assigned it"
    );
    assert_eq!(trail_count(&env, &client, "intake.submitted").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_onboarding_wins_a_slug() {
    let env = Arc::new(TestEnv::new().await);
    let staff = env.staff(vec![Role::Admin]).await;
    let slug = format!("race-{}", &env.tag[env.tag.len() - 8..]);
    let email = env.email("racer");
    let (token, body) = (
        staff.token.clone(),
        json!({ "name": "Race Ltd", "slug": slug, "contact": { "name": "Rae Racer", "email": email } }),
    );
    let replies = at_once(&env, |env, _| {
        let (token, body) = (token.clone(), body.clone());
        async move {
            env.call("POST", "/api/clients")
                .bearer(&token)
                .json(body)
                .send()
                .await
        }
    })
    .await;
    one_winner(&replies, StatusCode::CREATED);
    assert_eq!(env.mail_to(&email).await.len(), 1, "one invitation");
    let listed = env
        .call("GET", "/api/clients")
        .bearer(&staff.token)
        .send()
        .await;
    let holders = listed.json["clients"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|client| client["slug"] == slug.as_str())
        .count();
    assert_eq!(holders, 1, "{}", listed.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_invoice_gets_a_number() {
    let env = Arc::new(TestEnv::new().await);
    let staff = env.staff(vec![Role::Admin]).await;
    let client = env.client(&staff, "numbers").await;
    let (token, tenant) = (staff.token.clone(), client.tenant_id.clone());
    let today = atrium_shared::dates::today();
    let replies = at_once(&env, |env, rival| {
        let (token, tenant, today) = (token.clone(), tenant.clone(), today.clone());
        async move {
            env.call("POST", &format!("/api/clients/{tenant}/invoices"))
                .bearer(&token)
                .json(json!({ "number": "RACE-1", "issue_date": today, "due_date": today, "currency": "EUR", "total_minor": 100 + rival }))
                .send()
                .await
        }
    })
    .await;
    one_winner(&replies, StatusCode::CREATED);
    let listed = env
        .call("GET", &format!("/api/clients/{tenant}/invoices"))
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(
        listed.json["invoices"].as_array().unwrap().len(),
        1,
        "{}",
        listed.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_update_wins_a_ticket_version() {
    let env = Arc::new(TestEnv::new().await);
    let staff = env.staff(vec![Role::Admin]).await;
    let client = env.client(&staff, "tickets").await;
    let opened = env
        .call("POST", "/api/tickets")
        .bearer(&client.session.token)
        .json(json!({ "subject": "The portal shows last year's invoice", "description": "Please look." }))
        .send()
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    let ticket = opened.json["id"].as_str().unwrap().to_string();
    let (token, tenant) = (staff.token.clone(), client.tenant_id.clone());
    let replies = at_once(&env, |env, rival| {
        let (token, tenant, ticket) = (token.clone(), tenant.clone(), ticket.clone());
        let status = ["in_progress", "waiting_on_client", "resolved"][rival % 3];
        async move {
            env.call("PATCH", &format!("/api/clients/{tenant}/tickets/{ticket}"))
                .bearer(&token)
                .json(json!({ "version": 1, "status": status }))
                .send()
                .await
        }
    })
    .await;
    one_winner(&replies, StatusCode::OK);
    let told = env
        .mail_to(&client.email)
        .await
        .into_iter()
        .filter(|mail| mail.subject.starts_with("Your request"))
        .count();
    assert_eq!(told, 1, "one status mail to the opener");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_admins_demoting_each_other_leave_one_admin() {
    let env = Arc::new(TestEnv::new().await);
    let staff = env.staff(vec![Role::Admin]).await;
    let client = env.client(&staff, "admins").await;
    let second = env
        .contact_with_roles(&client, "second", vec![Role::Admin])
        .await;
    let listed = env
        .call("GET", "/api/contacts")
        .bearer(&client.session.token)
        .send()
        .await;
    let contacts: Vec<Value> = listed.json["contacts"].as_array().unwrap().clone();
    assert_eq!(contacts.len(), 2, "{}", listed.body);
    let first_email = client.email.clone();
    let other_of = |email: &str| {
        contacts
            .iter()
            .find(|contact| contact["email"] != email)
            .cloned()
            .unwrap()
    };
    // Each admin demotes the other, at once, several times over.
    let sessions = [client.session.token.clone(), second.token.clone()];
    let targets = [other_of(&first_email), other_of(&env.email("second"))];
    let replies = at_once(&env, |env, rival| {
        let token = sessions[rival % 2].clone();
        let target = targets[rival % 2].clone();
        async move {
            env.call(
                "PATCH",
                &format!("/api/contacts/{}", target["sub"].as_str().unwrap()),
            )
            .bearer(&token)
            .json(json!({ "version": target["version"], "roles": ["member"] }))
            .send()
            .await
        }
    })
    .await;
    let won = replies
        .iter()
        .filter(|reply| reply.status == StatusCode::OK)
        .count();
    assert_eq!(
        won,
        1,
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    // The loser may be refused as stale (409) or, once demoted, as no longer an admin (403).
    for reply in replies
        .iter()
        .filter(|reply| reply.status != StatusCode::OK)
    {
        assert!(
            [
                StatusCode::CONFLICT,
                StatusCode::FORBIDDEN,
                StatusCode::UNAUTHORIZED
            ]
            .contains(&reply.status),
            "{}",
            reply.body
        );
    }
    let after = env
        .call(
            "GET",
            &format!("/api/clients/{}/contacts", client.tenant_id),
        )
        .bearer(&staff.token)
        .send()
        .await;
    let admins = after.json["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|contact| {
            contact["roles"]
                .as_array()
                .is_some_and(|roles| roles.contains(&json!("admin")))
        })
        .count();
    assert_eq!(admins, 1, "{}", after.body);
}
