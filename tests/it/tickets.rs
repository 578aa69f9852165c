//! Tickets: a contact opens one with an attachment; the firm sees it in its queue, assigns it,
//! moves it through its statuses and replies on its thread (with an internal note the client
//! never sees); the opener is mailed at each status change made by someone else; contacts may
//! only close or reopen; another client sees nothing.

use atrium_shared::principal::Role;
use atrium_tests::{ids_in, TestEnv};
use http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn ticket_life_cycle_with_thread_and_status_mail() {
    let env = TestEnv::new().await;
    let staff = env.staff(vec![Role::Admin]).await;
    let assignee_email = env.email("asha");
    atrium_local::seed::create_staff_user(
        &env.app,
        &assignee_email,
        "Asha Agent",
        vec![Role::Staff],
        atrium_tests::STAFF_PASSWORD,
    )
    .await
    .unwrap();
    let assignee = env
        .sign_in(&assignee_email, atrium_tests::STAFF_PASSWORD, None)
        .await;
    let me = env
        .call("GET", "/api/me")
        .bearer(&assignee.token)
        .send()
        .await;
    let assignee_sub = me.json["sub"].as_str().unwrap().to_string();
    let client = env.client(&staff, "helpdesk").await;
    let other = env.client(&staff, "elsewhere").await;
    let opener = env
        .contact_with_roles(&client, "olga", vec![Role::Member])
        .await;
    let opener_email = env.email("olga");
    let reader = env
        .contact_with_roles(&client, "rae", vec![Role::ReadOnly])
        .await;
    let staff_base = format!("/api/clients/{}", client.tenant_id);

    let screenshot = env
        .upload_document(
            &opener.token,
            "",
            "error.png",
            "image/png",
            json!({}),
            b"\x89PNG fake",
        )
        .await;

    // Bad input is named and records nothing; read-only contacts cannot open tickets.
    let good = json!({ "subject": "Cannot download the engagement letter", "description": "The link says expired.", "category": "documents", "priority": "high", "attachments": [screenshot] });
    for (field, value) in [
        ("subject", json!("  ")),
        ("description", json!("")),
        ("category", json!("complaints")),
        ("priority", json!("asap")),
        ("attachments", json!(["01JABCDEFGHJKMNPQRSTVWXYZ0"])),
    ] {
        let mut body = good.clone();
        body[field] = value;
        let reply = env
            .call("POST", "/api/tickets")
            .bearer(&opener.token)
            .json(body)
            .send()
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{field}: {}",
            reply.body
        );
        assert!(
            reply.error_message().starts_with(field),
            "{field}: {}",
            reply.body
        );
    }
    let refused = env
        .call("POST", "/api/tickets")
        .bearer(&reader.token)
        .json(good.clone())
        .send()
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let none = env
        .call("GET", "/api/tickets")
        .bearer(&opener.token)
        .send()
        .await;
    assert!(ids_in(&none.json, "tickets").is_empty());

    let opened = env
        .call("POST", "/api/tickets")
        .bearer(&opener.token)
        .json(good.clone())
        .send()
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    assert_eq!(opened.json["status"], "open");
    assert_eq!(opened.json["attachments"], json!([screenshot]));
    let ticket_id = opened.json["id"].as_str().unwrap().to_string();
    let thread = opened.json["thread"].as_str().unwrap().to_string();
    assert_eq!(thread, format!("ticket:{ticket_id}"));
    let firm_mail = env.mail_to(&assignee_email).await;
    assert_eq!(
        firm_mail
            .iter()
            .filter(|m| m.subject.starts_with("New high ticket"))
            .count(),
        1
    );

    // Every contact of the client sees it; the firm sees it in its queue and per client.
    for token in [&opener.token, &reader.token, &client.session.token] {
        let listed = env.call("GET", "/api/tickets").bearer(token).send().await;
        assert_eq!(ids_in(&listed.json, "tickets"), vec![ticket_id.clone()]);
    }
    let queue = env
        .call("GET", "/api/tickets?status=open")
        .bearer(&staff.token)
        .send()
        .await;
    assert!(
        ids_in(&queue.json, "tickets").contains(&ticket_id),
        "{}",
        queue.body
    );
    let per_client = env
        .call("GET", &format!("{staff_base}/tickets"))
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(ids_in(&per_client.json, "tickets"), vec![ticket_id.clone()]);
    let bad_filter = env
        .call("GET", "/api/tickets?status=stuck")
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(bad_filter.status, StatusCode::BAD_REQUEST);

    // The firm assigns it and starts work: the opener is told.
    let status_mail = |mail: Vec<atrium_local::mailbox::SentMail>, status: &str| {
        mail.into_iter()
            .filter(|m| {
                m.subject.starts_with("Your request")
                    && m.subject.ends_with(&format!("is {status}"))
            })
            .count()
    };
    let bad_assignee = env
        .call("PATCH", &format!("{staff_base}/tickets/{ticket_id}"))
        .bearer(&staff.token)
        .json(json!({ "version": 1, "assignee": "not-a-staff-member" }))
        .send()
        .await;
    assert_eq!(bad_assignee.status, StatusCode::BAD_REQUEST);
    assert!(bad_assignee.error_message().starts_with("assignee:"));
    let working = env
        .call("PATCH", &format!("{staff_base}/tickets/{ticket_id}"))
        .bearer(&staff.token)
        .json(json!({ "version": 1, "assignee": assignee_sub, "status": "in_progress" }))
        .send()
        .await;
    assert_eq!(working.status, StatusCode::OK, "{}", working.body);
    assert_eq!(working.json["assignee"]["name"], "Asha Agent");
    assert_eq!(
        status_mail(env.mail_to(&opener_email).await, "in progress"),
        1
    );
    let stale = env
        .call("PATCH", &format!("{staff_base}/tickets/{ticket_id}"))
        .bearer(&staff.token)
        .json(json!({ "version": 1, "status": "resolved" }))
        .send()
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);

    // A reply on the ticket's thread and an internal note: the client sees the reply only.
    let reply = env
        .call("POST", &format!("{staff_base}/threads/{thread}/messages"))
        .bearer(&assignee.token)
        .json(json!({ "body": "We re-issued the link; please try again." }))
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let note = env
        .call("POST", &format!("{staff_base}/threads/{thread}/notes"))
        .bearer(&assignee.token)
        .json(json!({ "body": "S3 link expired after 5 minutes, as designed." }))
        .send()
        .await;
    assert_eq!(note.status, StatusCode::CREATED);
    let seen = env
        .call("GET", &format!("/api/threads/{thread}/messages"))
        .bearer(&opener.token)
        .send()
        .await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
    assert!(seen.body.contains("re-issued"));
    assert!(!seen.body.contains("as designed"));
    let answer = env
        .call("POST", &format!("/api/threads/{thread}/messages"))
        .bearer(&opener.token)
        .json(json!({ "body": "Works now, thank you." }))
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::CREATED);

    // Contacts may only close, or reopen once resolved; the firm's fields are the firm's.
    let waiting = env
        .call("PATCH", &format!("{staff_base}/tickets/{ticket_id}"))
        .bearer(&assignee.token)
        .json(json!({ "version": working.json["version"], "status": "waiting_on_client" }))
        .send()
        .await;
    assert_eq!(waiting.json["status"], "waiting_on_client");
    assert_eq!(
        status_mail(env.mail_to(&opener_email).await, "waiting on you"),
        1
    );
    let not_theirs = env
        .call("PATCH", &format!("/api/tickets/{ticket_id}"))
        .bearer(&opener.token)
        .json(json!({ "version": waiting.json["version"], "status": "in_progress" }))
        .send()
        .await;
    assert_eq!(not_theirs.status, StatusCode::CONFLICT);
    let priority = env
        .call("PATCH", &format!("/api/tickets/{ticket_id}"))
        .bearer(&opener.token)
        .json(json!({ "version": waiting.json["version"], "priority": "urgent" }))
        .send()
        .await;
    assert_eq!(priority.status, StatusCode::FORBIDDEN);
    let read_only = env
        .call("PATCH", &format!("/api/tickets/{ticket_id}"))
        .bearer(&reader.token)
        .json(json!({ "version": waiting.json["version"], "status": "closed" }))
        .send()
        .await;
    assert_eq!(read_only.status, StatusCode::FORBIDDEN);
    let resolved = env
        .call("PATCH", &format!("{staff_base}/tickets/{ticket_id}"))
        .bearer(&assignee.token)
        .json(json!({ "version": waiting.json["version"], "status": "resolved" }))
        .send()
        .await;
    assert_eq!(status_mail(env.mail_to(&opener_email).await, "resolved"), 1);
    let reopened = env
        .call("PATCH", &format!("/api/tickets/{ticket_id}"))
        .bearer(&opener.token)
        .json(json!({ "version": resolved.json["version"], "status": "open" }))
        .send()
        .await;
    assert_eq!(reopened.status, StatusCode::OK, "{}", reopened.body);
    // The opener changed it: no mail to themselves.
    assert_eq!(status_mail(env.mail_to(&opener_email).await, "open"), 0);
    let closed = env
        .call("PATCH", &format!("/api/tickets/{ticket_id}"))
        .bearer(&opener.token)
        .json(json!({ "version": reopened.json["version"], "status": "closed" }))
        .send()
        .await;
    assert_eq!(closed.json["status"], "closed");
    let queue = env
        .call("GET", "/api/tickets?status=closed")
        .bearer(&staff.token)
        .send()
        .await;
    assert!(ids_in(&queue.json, "tickets").contains(&ticket_id));
    let open_queue = env
        .call("GET", "/api/tickets?status=open")
        .bearer(&staff.token)
        .send()
        .await;
    assert!(!ids_in(&open_queue.json, "tickets").contains(&ticket_id));

    // Another client's contact: nothing by list, id, update or thread.
    let theirs = env
        .call("GET", "/api/tickets")
        .bearer(&other.session.token)
        .send()
        .await;
    assert!(ids_in(&theirs.json, "tickets").is_empty());
    for (method, path, body) in [
        ("GET", format!("/api/tickets/{ticket_id}"), None),
        (
            "PATCH",
            format!("/api/tickets/{ticket_id}"),
            Some(json!({ "version": closed.json["version"], "status": "closed" })),
        ),
        ("GET", format!("/api/threads/{thread}/messages"), None),
        (
            "POST",
            format!("/api/threads/{thread}/messages"),
            Some(json!({ "body": "hello" })),
        ),
    ] {
        let mut call = env.call(method, &path).bearer(&other.session.token);
        if let Some(body) = body {
            call = call.json(body);
        }
        let reply = call.send().await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{method} {path}: {}",
            reply.body
        );
    }

    // The trail has each step.
    let trail = env
        .call(
            "GET",
            &format!("{staff_base}/audit?target=ticket/{ticket_id}"),
        )
        .bearer(&staff.token)
        .send()
        .await;
    let actions: Vec<&str> = trail.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|entry| entry["action"].as_str())
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "ticket.status_changed")
            .count(),
        5,
        "{actions:?}"
    );
    assert!(actions.contains(&"ticket.opened"));
}
