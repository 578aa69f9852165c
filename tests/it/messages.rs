//! Messages on records and the firm's internal notes: both sides post and are told by mail
//! (without the text); notes reach no client route and no mail.

use atrium_local::template;
use atrium_shared::principal::Role;
use atrium_tests::TestEnv;
use http::StatusCode;
use serde_json::json;

const NOTE: &str = "Internal: the client is late paying; chase gently";
const CLIENT_TEXT: &str = "Can we move the kickoff to Tuesday?";
const STAFF_TEXT: &str = "Tuesday works, see you then.";

#[tokio::test]
async fn messages_both_ways_and_notes_only_for_the_firm() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let colleague = env.staff(vec![Role::Staff]).await;
    let client = env.client(&admin, "msg").await;
    let other = env.client(&admin, "other").await;
    let project = env
        .call(
            "POST",
            &format!("/api/clients/{}/projects", client.tenant_id),
        )
        .bearer(&admin.token)
        .json(json!({ "template": "onboarding" }))
        .send()
        .await;
    let thread = format!("project:{}", project.json["id"].as_str().unwrap());
    let staff_base = format!("/api/clients/{}/threads/{thread}", client.tenant_id);

    // The client writes on the general thread; every staff member is told, without the text.
    let posted = env
        .call("POST", "/api/threads/general/messages")
        .bearer(&client.session.token)
        .json(json!({ "body": CLIENT_TEXT }))
        .send()
        .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.body);
    for staff_email in [
        env.call("GET", "/api/me")
            .bearer(&admin.token)
            .send()
            .await
            .json["email"]
            .as_str()
            .unwrap()
            .to_string(),
        env.call("GET", "/api/me")
            .bearer(&colleague.token)
            .send()
            .await
            .json["email"]
            .as_str()
            .unwrap()
            .to_string(),
    ] {
        let mail = env.mail_to(&staff_email).await;
        assert!(
            mail.iter()
                .any(|m| m.subject.starts_with("New message from")),
            "{staff_email}"
        );
        assert!(mail.iter().all(|m| !m.body.contains(CLIENT_TEXT)));
    }

    // The firm answers on the project's thread and writes an internal note there.
    let answer = env
        .call("POST", &format!("{staff_base}/messages"))
        .bearer(&admin.token)
        .json(json!({ "body": STAFF_TEXT }))
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let note = env
        .call("POST", &format!("{staff_base}/notes"))
        .bearer(&colleague.token)
        .json(json!({ "body": NOTE }))
        .send()
        .await;

    // The client's dashboard shows the firm's answer (not the client's own message, never the
    // note); another client's dashboard shows nothing of it.
    let dashboard = env
        .call("GET", "/api/workspace")
        .bearer(&client.session.token)
        .send()
        .await;
    assert_eq!(dashboard.status, StatusCode::OK, "{}", dashboard.body);
    let recent = dashboard.json["messages"].as_array().unwrap();
    assert_eq!(recent.len(), 1, "{}", dashboard.body);
    assert_eq!(recent[0]["body"], STAFF_TEXT);
    assert_eq!(recent[0]["thread"], thread.as_str());
    assert!(!dashboard.body.contains(NOTE) && !dashboard.body.contains(CLIENT_TEXT));
    let elsewhere = env
        .call("GET", "/api/workspace")
        .bearer(&other.session.token)
        .send()
        .await;
    assert_eq!(elsewhere.json["messages"], json!([]));
    assert_eq!(note.status, StatusCode::CREATED, "{}", note.body);
    let notes = env
        .call("GET", &format!("{staff_base}/notes"))
        .bearer(&admin.token)
        .send()
        .await;
    assert_eq!(notes.json["notes"][0]["body"], NOTE);
    let contact_mail = env.mail_to(&client.email).await;
    assert!(contact_mail
        .iter()
        .any(|m| m.subject.starts_with("New message from")));

    // The client reads the thread: the answer, not the note.
    let thread_view = env
        .call("GET", &format!("/api/threads/{thread}/messages"))
        .bearer(&client.session.token)
        .send()
        .await;
    assert_eq!(thread_view.status, StatusCode::OK, "{}", thread_view.body);
    assert_eq!(thread_view.json["messages"][0]["body"], STAFF_TEXT);
    assert!(!thread_view.body.contains(NOTE));

    // No client route shows the note; the notes route refuses clients; no mail carries it.
    let text = std::fs::read_to_string(atrium_local::project_root().join("template.yaml")).unwrap();
    for route in template::routes(&text)
        .unwrap()
        .into_iter()
        .filter(|route| route.method == "GET")
    {
        let path = route
            .path
            .replace("{thread}", &thread)
            .replace("{id}", &client.tenant_id)
            .replace("{project}", project.json["id"].as_str().unwrap());
        let reply = env
            .call("GET", &path)
            .bearer(&client.session.token)
            .send()
            .await;
        assert!(!reply.body.contains(NOTE), "{path}: {}", reply.body);
    }
    let refused = env
        .call("POST", &format!("{staff_base}/notes"))
        .bearer(&client.session.token)
        .json(json!({ "body": "x" }))
        .send()
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let everyone = atrium_local::mailbox::sent_mail(&env.endpoint)
        .await
        .unwrap();
    assert!(everyone
        .iter()
        .all(|mail| !mail.body.contains(NOTE) && !mail.body.contains(STAFF_TEXT)));

    // Threads must be records of this client.
    for bad in [
        "nonsense",
        "project:not-an-id",
        "invoice:01ARZ3NDEKTSV4RRFFQ69G5FAV",
    ] {
        let reply = env
            .call("GET", &format!("/api/threads/{bad}/messages"))
            .bearer(&client.session.token)
            .send()
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{bad}");
    }
    let foreign = env
        .call("GET", &format!("/api/threads/{thread}/messages"))
        .bearer(&other.session.token)
        .send()
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let empty = env
        .call("POST", "/api/threads/general/messages")
        .bearer(&client.session.token)
        .json(json!({ "body": "  " }))
        .send()
        .await;
    assert!(empty.error_message().starts_with("body:"));
    let reader = env
        .contact_with_roles(&client, "reader", vec![Role::ReadOnly])
        .await;
    let read_only = env
        .call("POST", "/api/threads/general/messages")
        .bearer(&reader.token)
        .json(json!({ "body": "hi" }))
        .send()
        .await;
    assert_eq!(read_only.status, StatusCode::FORBIDDEN);
}
