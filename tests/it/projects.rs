//! Projects: the firm creates and updates projects with milestones, tasks and internal fields;
//! clients see the change, tick their own tasks, and never see an internal field on any route;
//! the onboarding template; one email to the owner when every task is done.

use atrium_local::template;
use atrium_shared::principal::Role;
use atrium_tests::TestEnv;
use http::StatusCode;
use serde_json::json;

const SECRET_NOTE: &str = "Client is price sensitive; do not discount";
const SECRET_OWNER: &str = "Morgan (partner)";

#[tokio::test]
async fn projects_milestones_tasks_and_internal_fields_stay_internal() {
    let env = TestEnv::new().await;
    let staff = env.staff(vec![Role::Staff]).await;
    let admin = env.staff(vec![Role::Admin]).await;
    let client = env.client(&admin, "proj").await;
    let base = format!("/api/clients/{}/projects", client.tenant_id);

    let bad = env
        .call("POST", &base)
        .bearer(&staff.token)
        .json(json!({ "name": "Audit 2025", "milestones": [{ "title": "Fieldwork", "estimated_date": "soon" }] }))
        .send()
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.error_message()
            .starts_with("milestones[0].estimated_date:"),
        "{}",
        bad.body
    );
    let bad = env
        .call("POST", &base)
        .bearer(&staff.token)
        .json(json!({ "name": "Audit 2025", "internal": { "budget_minor": 1.5 } }))
        .send()
        .await;
    assert_eq!(
        bad.status,
        StatusCode::BAD_REQUEST,
        "amounts are whole minor units: {}",
        bad.body
    );
    // A budget's currency is an ISO 4217 code, not any three letters.
    let unknown_currency = env
        .call("POST", &base)
        .bearer(&staff.token)
        .json(json!({ "name": "Audit", "internal": { "budget_minor": 100, "currency": "XYZ" } }))
        .send()
        .await;
    assert_eq!(
        unknown_currency.status,
        StatusCode::BAD_REQUEST,
        "{}",
        unknown_currency.body
    );
    assert!(
        unknown_currency
            .error_message()
            .starts_with("internal.currency:"),
        "{}",
        unknown_currency.body
    );

    let created = env
        .call("POST", &base)
        .bearer(&staff.token)
        .json(json!({
            "name": "Audit 2025",
            "description": "Year-end audit",
            "milestones": [
                { "title": "Fieldwork", "status": "in_progress", "estimated_date": "2026-12-10" },
                { "title": "Report", "estimated_date": "2027-01-15" }
            ],
            "tasks": [
                { "title": "Send the trial balance", "assignee": "client", "due_date": "2026-12-01" },
                { "title": "Plan fieldwork", "assignee": "firm" }
            ],
            "internal": { "budget_minor": 1250000, "currency": "eur", "notes": SECRET_NOTE, "owner": SECRET_OWNER }
        }))
        .send()
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.json["internal"]["budget_minor"], 1250000);
    assert_eq!(created.json["internal"]["currency"], "EUR");
    let project_id = created.json["id"].as_str().unwrap().to_string();
    let client_task = created.json["tasks"][0]["id"].as_str().unwrap().to_string();
    let firm_task = created.json["tasks"][1]["id"].as_str().unwrap().to_string();

    // The client sees the project with progress and the next milestone.
    let mine = env
        .call("GET", &format!("/api/projects/{project_id}"))
        .bearer(&client.session.token)
        .send()
        .await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert_eq!(
        mine.json["progress"],
        json!({ "done": 0, "total": 2, "percent": 0 })
    );
    assert_eq!(mine.json["next_milestone"]["title"], "Fieldwork");
    let dashboard = env
        .call("GET", "/api/workspace")
        .bearer(&client.session.token)
        .send()
        .await;
    assert_eq!(dashboard.json["projects"][0]["id"], project_id.as_str());
    assert_eq!(
        dashboard.json["projects"][0]["next_milestone"]["title"],
        "Fieldwork"
    );

    // The client ticks their task, not the firm's.
    let tick = |task: &str, done: bool| {
        env.call("POST", &format!("/api/projects/{project_id}/tasks/{task}"))
            .bearer(&client.session.token)
            .json(json!({ "done": done }))
    };
    assert_eq!(tick(&client_task, true).send().await.status, StatusCode::OK);
    assert_eq!(
        tick(&firm_task, true).send().await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        tick("01ARZ3NDEKTSV4RRFFQ69G5FAV", true).send().await.status,
        StatusCode::NOT_FOUND
    );

    // The firm updates; the client sees it on the next read. A stale version is refused.
    let staff_view = env
        .call("GET", &format!("{base}/{project_id}"))
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(staff_view.json["internal"]["internal_notes"], SECRET_NOTE);
    let version = staff_view.json["version"].clone();
    let updated = env
        .call("PATCH", &format!("{base}/{project_id}"))
        .bearer(&staff.token)
        .json(json!({ "version": version, "milestones": [
            { "id": staff_view.json["milestones"][0]["id"], "title": "Fieldwork", "status": "done", "actual_date": "2026-12-08" },
            { "id": staff_view.json["milestones"][1]["id"], "title": "Report", "estimated_date": "2027-01-15" }
        ] }))
        .send()
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    let stale = env
        .call("PATCH", &format!("{base}/{project_id}"))
        .bearer(&staff.token)
        .json(json!({ "version": version, "name": "Renamed" }))
        .send()
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let mine = env
        .call("GET", &format!("/api/projects/{project_id}"))
        .bearer(&client.session.token)
        .send()
        .await;
    assert_eq!(mine.json["next_milestone"]["title"], "Report");
    assert_eq!(
        mine.json["tasks"][0]["done"], true,
        "the client's tick survived the update"
    );

    // No client route's JSON carries an internal field.
    let text = std::fs::read_to_string(atrium_local::project_root().join("template.yaml")).unwrap();
    let client_reads: Vec<String> = template::routes(&text)
        .unwrap()
        .into_iter()
        .filter(|route| route.method == "GET" && !route.path.starts_with("/api/clients"))
        .map(|route| route.path.replace("{project}", &project_id))
        .collect();
    assert!(client_reads.len() >= 8);
    for path in client_reads {
        let reply = env
            .call("GET", &path)
            .bearer(&client.session.token)
            .send()
            .await;
        for secret in [SECRET_NOTE, SECRET_OWNER, "budget", "1250000", "internal"] {
            assert!(
                !reply.body.contains(secret),
                "{path} shows {secret}: {}",
                reply.body
            );
        }
    }
}

#[tokio::test]
async fn the_onboarding_template_and_one_mail_when_every_task_is_done() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let client = env.client(&admin, "onb").await;
    let created = env
        .call(
            "POST",
            &format!("/api/clients/{}/projects", client.tenant_id),
        )
        .bearer(&admin.token)
        .json(json!({ "template": "onboarding" }))
        .send()
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let titles: Vec<&str> = created.json["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|task| task["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Complete the intake questionnaire",
            "Upload your current documentation",
            "Review and sign the data agreement",
            "Schedule the kickoff call",
        ]
    );
    let project_id = created.json["id"].as_str().unwrap().to_string();
    let owner = env
        .call("GET", "/api/me")
        .bearer(&admin.token)
        .send()
        .await
        .json["email"]
        .as_str()
        .unwrap()
        .to_string();
    let tasks: Vec<String> = created.json["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|task| task["id"].as_str().unwrap().to_string())
        .collect();
    let completion_mails = || async {
        env.mail_to(&owner)
            .await
            .into_iter()
            .filter(|mail| mail.subject.contains("is done"))
            .count()
    };
    for task in &tasks {
        assert_eq!(completion_mails().await, 0);
        let ticked = env
            .call("POST", &format!("/api/projects/{project_id}/tasks/{task}"))
            .bearer(&client.session.token)
            .json(json!({ "done": true }))
            .send()
            .await;
        assert_eq!(ticked.status, StatusCode::OK, "{}", ticked.body);
    }
    assert_eq!(completion_mails().await, 1);
    // Reopening and finishing again does not mail again.
    for done in [false, true] {
        env.call(
            "POST",
            &format!("/api/projects/{project_id}/tasks/{}", tasks[0]),
        )
        .bearer(&client.session.token)
        .json(json!({ "done": done }))
        .send()
        .await;
    }
    assert_eq!(completion_mails().await, 1);
    let mine = env
        .call("GET", &format!("/api/projects/{project_id}"))
        .bearer(&client.session.token)
        .send()
        .await;
    assert_eq!(mine.json["progress"]["percent"], 100);

    // An archived project is gone for the client: no page, no task, no thread.
    let archived = env
        .call(
            "PATCH",
            &format!("/api/clients/{}/projects/{project_id}", client.tenant_id),
        )
        .bearer(&admin.token)
        .json(json!({ "version": mine.json["version"], "status": "archived" }))
        .send()
        .await;
    assert_eq!(archived.status, StatusCode::OK, "{}", archived.body);
    for (method, path) in [
        ("GET", format!("/api/projects/{project_id}")),
        (
            "POST",
            format!("/api/projects/{project_id}/tasks/{}", tasks[0]),
        ),
        ("GET", format!("/api/threads/project:{project_id}/messages")),
    ] {
        let reply = env
            .call(method, &path)
            .bearer(&client.session.token)
            .json(json!({ "done": false }))
            .send()
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {path}");
    }
}

#[tokio::test]
async fn another_tenant_and_a_read_only_contact_cannot_reach_projects_or_approvals() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let a = env.client(&admin, "alpha").await;
    let b = env.client(&admin, "bravo").await;
    let project = env
        .call("POST", &format!("/api/clients/{}/projects", a.tenant_id))
        .bearer(&admin.token)
        .json(json!({ "template": "onboarding" }))
        .send()
        .await;
    let project_id = project.json["id"].as_str().unwrap();
    let task_id = project.json["tasks"][0]["id"].as_str().unwrap();
    let approval = env
        .call("POST", &format!("/api/clients/{}/approvals", a.tenant_id))
        .bearer(&admin.token)
        .json(json!({ "title": "Scope", "subject": { "kind": "statement", "text": "Scope confirmed." } }))
        .send()
        .await;
    let approval_id = approval.json["id"].as_str().unwrap();

    for (method, path, body) in [
        ("GET", format!("/api/projects/{project_id}"), json!(null)),
        (
            "POST",
            format!("/api/projects/{project_id}/tasks/{task_id}"),
            json!({ "done": true }),
        ),
        ("GET", format!("/api/approvals/{approval_id}"), json!(null)),
        (
            "POST",
            format!("/api/approvals/{approval_id}/decide"),
            json!({ "decision": "approve" }),
        ),
        (
            "GET",
            format!("/api/approvals/{approval_id}/certificate"),
            json!(null),
        ),
    ] {
        let call = env.call(method, &path).bearer(&b.session.token);
        let call = if body.is_null() {
            call
        } else {
            call.json(body)
        };
        let reply = call.send().await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{method} {path}: {}",
            reply.body
        );
    }
    let listed = env
        .call("GET", "/api/projects")
        .bearer(&b.session.token)
        .send()
        .await;
    assert_eq!(listed.json["projects"], json!([]));
    let listed = env
        .call("GET", "/api/approvals")
        .bearer(&b.session.token)
        .send()
        .await;
    assert_eq!(listed.json["approvals"], json!([]));

    let reader = env
        .contact_with_roles(&a, "reader", vec![Role::ReadOnly])
        .await;
    let tick = env
        .call(
            "POST",
            &format!("/api/projects/{project_id}/tasks/{task_id}"),
        )
        .bearer(&reader.token)
        .json(json!({ "done": true }))
        .send()
        .await;
    assert_eq!(tick.status, StatusCode::FORBIDDEN);
    let seen = env
        .call("GET", &format!("/api/projects/{project_id}"))
        .bearer(&reader.token)
        .send()
        .await;
    assert_eq!(seen.status, StatusCode::OK);
}
