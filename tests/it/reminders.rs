//! Reminders: requests due in 3 days, in 1 day, overdue, not due a reminder, and already
//! submitted, across three clients. A run sends the right mails; a second run on the same day
//! sends none.

use atrium_shared::dates::add_days;
use atrium_shared::principal::Role;
use atrium_tests::{Client, Session, TestEnv};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http::StatusCode;
use serde_json::json;
use sha2::{Digest, Sha256};

async fn ask(env: &TestEnv, staff: &Session, client: &Client, title: &str, due: &str) -> String {
    let reply = env
        .call(
            "POST",
            &format!("/api/clients/{}/requests", client.tenant_id),
        )
        .bearer(&staff.token)
        .json(json!({ "title": title, "due_date": due }))
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json["requests"][0]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn submit(env: &TestEnv, client: &Client, request_id: &str) {
    let bytes = b"%PDF-1.7 submitted".to_vec();
    let started = env
        .call("POST", &format!("/api/requests/{request_id}/uploads"))
        .bearer(&client.session.token)
        .json(json!({ "file_name": "x.pdf", "content_type": "application/pdf", "size": bytes.len(), "sha256": STANDARD.encode(Sha256::digest(&bytes)) }))
        .send()
        .await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
    let upload = &started.json["upload"];
    let mut put = reqwest::Client::new().put(upload["url"].as_str().unwrap());
    for (name, value) in upload["headers"].as_object().unwrap() {
        put = put.header(name.as_str(), value.as_str().unwrap());
    }
    assert!(put.body(bytes).send().await.unwrap().status().is_success());
    let confirmed = env
        .call(
            "POST",
            &format!(
                "/api/documents/{}/versions/1/confirm",
                started.json["document_id"].as_str().unwrap()
            ),
        )
        .bearer(&client.session.token)
        .send()
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
}

async fn reminder_subjects(env: &TestEnv, client: &Client) -> Vec<String> {
    let mut subjects: Vec<String> = env
        .mail_to(&client.email)
        .await
        .into_iter()
        .map(|mail| mail.subject)
        .filter(|subject| subject.starts_with("Reminder:") || subject.starts_with("Overdue:"))
        .collect();
    subjects.sort();
    subjects
}

#[tokio::test]
async fn each_stage_is_mailed_once_and_a_second_run_sends_nothing() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let a = env.client(&admin, "alpha").await;
    let b = env.client(&admin, "bravo").await;
    let c = env.client(&admin, "charlie").await;

    // Deadlines must be in the future when asked, so the run is made "five days from now".
    let today = atrium_shared::dates::today();
    let day = |offset: i64| add_days(&today, offset).unwrap();
    let run_day = day(5);
    ask(&env, &admin, &a, "Alpha due in three days", &day(8)).await;
    ask(&env, &admin, &a, "Alpha overdue", &day(3)).await;
    ask(&env, &admin, &b, "Bravo due tomorrow", &day(6)).await;
    let submitted = ask(&env, &admin, &b, "Bravo already submitted", &day(6)).await;
    submit(&env, &b, &submitted).await;
    ask(&env, &admin, &c, "Charlie due in two days", &day(7)).await;
    ask(&env, &admin, &c, "Charlie due tomorrow", &day(6)).await;

    let first = atrium_reminders::run(&env.app, &run_day).await.unwrap();
    assert_eq!(first.reminded, 4, "{first:?}");
    assert_eq!(first.mails, 4);
    assert_eq!(
        reminder_subjects(&env, &a).await,
        [
            "Overdue: Alpha overdue".to_string(),
            format!("Reminder: Alpha due in three days is due on {}", day(8)),
        ]
    );
    assert_eq!(
        reminder_subjects(&env, &b).await,
        [format!("Reminder: Bravo due tomorrow is due on {}", day(6))]
    );
    assert_eq!(
        reminder_subjects(&env, &c).await,
        [format!(
            "Reminder: Charlie due tomorrow is due on {}",
            day(6)
        )]
    );

    let second = atrium_reminders::run(&env.app, &run_day).await.unwrap();
    assert_eq!(second.reminded, 0, "{second:?}");
    assert_eq!(second.mails, 0);
    assert_eq!(reminder_subjects(&env, &a).await.len(), 2);
    assert_eq!(reminder_subjects(&env, &b).await.len(), 1);
    assert_eq!(reminder_subjects(&env, &c).await.len(), 1);

    // The submitted request was never considered: it left the index when it was submitted.
    assert_eq!(first.considered, 5, "{first:?}");

    // The next day only Charlie's second request reaches a stage (due in one day); the overdue
    // one is not mailed again.
    let third = atrium_reminders::run(&env.app, &day(6)).await.unwrap();
    assert_eq!(third.reminded, 1, "{third:?}");
    assert!(reminder_subjects(&env, &c).await.contains(&format!(
        "Reminder: Charlie due in two days is due on {}",
        day(7)
    )));
    assert_eq!(reminder_subjects(&env, &a).await.len(), 2);
    let fourth = atrium_reminders::run(&env.app, &day(6)).await.unwrap();
    assert_eq!(fourth.reminded, 0, "{fourth:?}");

    // Each mailed stage is in the client's audit trail.
    let trail = env
        .app
        .store
        .dynamo()
        .query()
        .table_name(&env.config.table)
        .key_condition_expression("PK = :pk AND begins_with(SK, :audit)")
        .expression_attribute_values(":pk", atrium_shared::store::s(format!("T#{}", a.tenant_id)))
        .expression_attribute_values(":audit", atrium_shared::store::s("AUDIT#"))
        .send()
        .await
        .unwrap();
    let reminders = trail
        .items()
        .iter()
        .filter(|item| {
            item.get("action")
                .and_then(|action| action.as_s().ok())
                .map(String::as_str)
                == Some("reminder.sent")
        })
        .count();
    assert_eq!(reminders, 2);
}
