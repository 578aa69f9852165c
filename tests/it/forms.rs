//! Intake forms: staff define versioned schemas; a client fills in every field type, saves a
//! draft, comes back and submits; every constraint is enforced and every failing field named;
//! an assignment keeps answering the version it was given after a new one is published; staff
//! reopen for corrections and the earlier revision stays; exports; roles and isolation.

use atrium_shared::principal::Role;
use atrium_shared::store::tenant::AuditFilter;
use atrium_tests::{scope_of, Client, Reply, Session, TestEnv};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The firm shares a file with the client: a document of the tenant with a confirmed version.
async fn shared_document(env: &TestEnv, staff: &Session, client: &Client) -> String {
    let bytes = b"%PDF-1.7 commercial register extract".to_vec();
    let started = env
        .call("POST", &format!("/api/clients/{}/documents", client.tenant_id))
        .bearer(&staff.token)
        .json(json!({ "name": "Register extract", "file_name": "register.pdf", "content_type": "application/pdf", "size": bytes.len(), "sha256": STANDARD.encode(Sha256::digest(&bytes)) }))
        .send()
        .await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
    let upload = &started.json["upload"];
    let mut put = reqwest::Client::new().put(upload["url"].as_str().unwrap());
    for (name, value) in upload["headers"].as_object().unwrap() {
        put = put.header(name.as_str(), value.as_str().unwrap());
    }
    assert!(put.body(bytes).send().await.unwrap().status().is_success());
    let document = started.json["document_id"].as_str().unwrap().to_string();
    let confirmed = env
        .call(
            "POST",
            &format!(
                "/api/clients/{}/documents/{document}/versions/1/confirm",
                client.tenant_id
            ),
        )
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    document
}

fn every_type() -> Value {
    json!([
        { "key": "name", "type": "short_text", "label": "Full name", "help": "As in your passport", "required": true, "min_length": 2, "max_length": 80 },
        { "key": "vat", "type": "short_text", "label": "VAT number", "pattern": "[A-Z]{2}[0-9]{8,12}" },
        { "key": "about", "type": "long_text", "label": "About your business", "max_length": 500 },
        { "key": "staff", "type": "number", "label": "Employees", "required": true, "min": 1, "max": 5000, "integer": true },
        { "key": "turnover", "type": "number", "label": "Turnover (EUR)", "min": 0 },
        { "key": "founded", "type": "date", "label": "Founded", "min_date": "1900-01-01", "max_date": "2030-12-31" },
        { "key": "email", "type": "email", "label": "Email", "required": true },
        { "key": "phone", "type": "phone", "label": "Phone" },
        { "key": "entity", "type": "single_choice", "label": "Legal form", "required": true, "options": ["GmbH", "AG", "Sole trader"] },
        { "key": "services", "type": "multiple_choice", "label": "Services", "options": ["Tax", "Payroll", "Audit"], "min_selected": 1, "max_selected": 2 },
        { "key": "terms", "type": "checkbox", "label": "I confirm the answers are true", "required": true },
        { "key": "register", "type": "file", "label": "Commercial register extract", "required": true }
    ])
}

fn filled(document: &str) -> Value {
    json!({
        "name": "Ada Lovelace",
        "vat": "DE123456789",
        "about": "We build engines.\nAnalytical ones.",
        "staff": 42,
        "turnover": 1234567.89,
        "founded": "1999-12-31",
        "email": "ada@example.com",
        "phone": "+44 20 7946 0958",
        "entity": "GmbH",
        "services": ["Tax", "Audit"],
        "terms": true,
        "register": document
    })
}

async fn create_form(env: &TestEnv, staff: &Session, name: &str, fields: Value) -> Reply {
    env.call("POST", "/api/forms")
        .bearer(&staff.token)
        .json(json!({ "name": name, "description": "Tell us about you", "fields": fields }))
        .send()
        .await
}

async fn assign(env: &TestEnv, staff: &Session, client: &Client, body: Value) -> Reply {
    env.call("POST", &format!("/api/clients/{}/intake", client.tenant_id))
        .bearer(&staff.token)
        .json(body)
        .send()
        .await
}

async fn submit(env: &TestEnv, token: &str, assignment: &str, body: Value) -> Reply {
    env.call("POST", &format!("/api/intake/{assignment}/submit"))
        .bearer(token)
        .json(body)
        .send()
        .await
}

async fn get(env: &TestEnv, token: &str, path: &str) -> Reply {
    env.call("GET", path).bearer(token).send().await
}

async fn audit_actions(env: &TestEnv, client: &Client) -> Vec<String> {
    env.app
        .store
        .audit_entries(&scope_of(client), 200, None, &AuditFilter::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|entry| entry.action)
        .collect()
}

fn field_names(reply: &Reply) -> Vec<String> {
    let mut names: Vec<String> = reply.json["error"]["fields"]
        .as_object()
        .map(|fields| fields.keys().cloned().collect())
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn every_field_type_drafted_submitted_reopened_and_exported() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let client = env.client(&admin, "intake").await;
    // The staff member who assigns the form is the one told of submissions.
    let staff = env.staff(vec![Role::Staff]).await;
    let staff_email = {
        let me = get(&env, &staff.token, "/api/me").await;
        me.json["email"].as_str().unwrap().to_string()
    };
    let contact = &client.session.token;
    let document = shared_document(&env, &staff, &client).await;

    // The form, published as version 1; lists and reads.
    let form = create_form(&env, &staff, "Client intake", every_type()).await;
    assert_eq!(form.status, StatusCode::CREATED, "{}", form.body);
    assert_eq!(form.json["latest_version"], 1);
    assert_eq!(form.json["fields"].as_array().unwrap().len(), 12);
    assert_eq!(
        form.json["fields"][1]["max_length"], 200,
        "defaults made explicit"
    );
    let form_id = form.json["id"].as_str().unwrap().to_string();
    let listed = get(&env, &staff.token, "/api/forms").await;
    assert!(listed.json["forms"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == form_id.as_str() && f["latest_version"] == 1));
    let read = get(&env, &staff.token, &format!("/api/forms/{form_id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json["fields"], form.json["fields"]);

    // Assigned as a task of a project, with a due date; the contact is told.
    let project = env
        .call(
            "POST",
            &format!("/api/clients/{}/projects", client.tenant_id),
        )
        .bearer(&staff.token)
        .json(json!({ "name": "Onboarding", "milestones": [{ "title": "Kickoff" }], "tasks": [] }))
        .send()
        .await;
    assert_eq!(project.status, StatusCode::CREATED, "{}", project.body);
    let project_id = project.json["id"].as_str().unwrap().to_string();
    let milestone_id = project.json["milestones"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let bad_milestone = assign(&env, &staff, &client, json!({ "form_id": form_id, "project_id": project_id, "milestone_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV" })).await;
    assert_eq!(bad_milestone.status, StatusCode::BAD_REQUEST);
    assert!(bad_milestone.error_message().starts_with("milestone_id:"));
    let unknown_form = assign(
        &env,
        &staff,
        &client,
        json!({ "form_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV" }),
    )
    .await;
    assert!(unknown_form.error_message().starts_with("form_id:"));
    let past = assign(
        &env,
        &staff,
        &client,
        json!({ "form_id": form_id, "due_date": "2001-01-01" }),
    )
    .await;
    assert!(past.error_message().starts_with("due_date:"));
    let assigned = assign(
        &env,
        &staff,
        &client,
        json!({ "form_id": form_id, "due_date": "2999-01-31", "project_id": project_id, "milestone_id": milestone_id }),
    )
    .await;
    assert_eq!(assigned.status, StatusCode::CREATED, "{}", assigned.body);
    assert_eq!(assigned.json["status"], "assigned");
    assert_eq!(assigned.json["form_version"], 1);
    let assignment = assigned.json["id"].as_str().unwrap().to_string();
    let task_id = assigned.json["task_id"].as_str().unwrap().to_string();
    let task_of = |project: &Reply| {
        project.json["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|task| task["id"] == task_id.as_str())
            .cloned()
            .unwrap()
    };
    let project_path = format!("/api/projects/{project_id}");
    let task = task_of(&get(&env, contact, &project_path).await);
    assert_eq!(task["title"], "Complete Client intake");
    assert_eq!(task["done"], false);
    let told = env.mail_to(&client.email).await;
    assert!(
        told.iter()
            .any(|mail| mail.subject.contains("fill in a form") && mail.body.contains("2999-01-31")),
        "{told:?}"
    );

    // The contact lists it, saves half of it, comes back to it.
    let mine = get(&env, contact, "/api/intake").await;
    assert_eq!(mine.json["assignments"].as_array().unwrap().len(), 1);
    assert_eq!(mine.json["assignments"][0]["status"], "assigned");
    assert!(mine.json["assignments"][0].get("fields").is_none());
    let draft_path = format!("/api/intake/{assignment}/draft");
    let half =
        json!({ "name": "A", "staff": 999999, "services": [], "terms": false, "email": null });
    let wrong_shape = env
        .call("PUT", &draft_path)
        .bearer(contact)
        .json(json!({ "answers": { "staff": "many", "nope": 1 }, "version": 1 }))
        .send()
        .await;
    assert_eq!(
        wrong_shape.status,
        StatusCode::BAD_REQUEST,
        "{}",
        wrong_shape.body
    );
    assert_eq!(
        field_names(&wrong_shape),
        vec!["answers.nope", "answers.staff"]
    );
    let saved = env
        .call("PUT", &draft_path)
        .bearer(contact)
        .json(json!({ "answers": half, "version": 1 }))
        .send()
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.json["status"], "draft");
    let stale = env
        .call("PUT", &draft_path)
        .bearer(contact)
        .json(json!({ "answers": half, "version": 1 }))
        .send()
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let back = get(&env, contact, &format!("/api/intake/{assignment}")).await;
    assert_eq!(
        back.json["draft"],
        json!({ "name": "A", "staff": 999999, "services": [], "terms": false })
    );
    assert_eq!(back.json["fields"], form.json["fields"]);
    assert!(
        back.json.get("owner_email").is_none(),
        "clients do not see the owner"
    );
    let version = back.json["version"].as_u64().unwrap();
    assert_eq!(version, 2);

    // Each constraint, broken alone, names its field.
    let cases = [
        ("name", json!("A")),
        ("name", json!("x".repeat(81))),
        ("name", json!("")),
        ("vat", json!("de123")),
        ("about", json!("x".repeat(501))),
        ("staff", json!(0)),
        ("staff", json!(5001)),
        ("staff", json!(2.5)),
        ("staff", json!("42")),
        ("turnover", json!(-1)),
        ("founded", json!("1899-12-31")),
        ("founded", json!("2031-01-01")),
        ("founded", json!("31.12.1999")),
        ("email", json!("ada@")),
        ("phone", json!("12")),
        ("entity", json!("Ltd")),
        ("services", json!(["Tax", "Payroll", "Audit"])),
        ("services", json!(["Cooking"])),
        ("terms", json!(false)),
        ("register", json!("01ARZ3NDEKTSV4RRFFQ69G5FAV")),
        ("register", json!("not-an-id")),
        ("unknown", json!("x")),
    ];
    for (key, value) in cases {
        let mut answers = filled(&document);
        answers[key] = value.clone();
        let reply = submit(
            &env,
            contact,
            &assignment,
            json!({ "answers": answers, "form_version": 1, "version": version }),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{key} = {value}: {}",
            reply.body
        );
        assert_eq!(
            field_names(&reply),
            vec![format!("answers.{key}")],
            "{key} = {value}"
        );
        assert!(reply
            .error_message()
            .starts_with(&format!("answers.{key}:")));
    }
    // Several at once: all are named.
    let mut answers = filled(&document);
    answers["email"] = json!("nope");
    answers["staff"] = json!(-3);
    answers.as_object_mut().unwrap().remove("name");
    answers["terms"] = json!(false);
    let several = submit(
        &env,
        contact,
        &assignment,
        json!({ "answers": answers, "form_version": 1, "version": version }),
    )
    .await;
    assert_eq!(several.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        field_names(&several),
        vec![
            "answers.email",
            "answers.name",
            "answers.staff",
            "answers.terms"
        ]
    );
    assert_eq!(
        several.json["error"]["fields"]["answers.name"],
        "is required"
    );
    assert_eq!(
        several.json["error"]["fields"]["answers.terms"],
        "must be checked"
    );

    // Wrong form version or a stale read: 409.
    let wrong_form = submit(
        &env,
        contact,
        &assignment,
        json!({ "answers": filled(&document), "form_version": 2, "version": version }),
    )
    .await;
    assert_eq!(wrong_form.status, StatusCode::CONFLICT);
    assert!(wrong_form.error_message().starts_with("form_version:"));
    let stale = submit(
        &env,
        contact,
        &assignment,
        json!({ "answers": filled(&document), "form_version": 1, "version": 1 }),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let no_version = submit(
        &env,
        contact,
        &assignment,
        json!({ "answers": filled(&document), "form_version": 1 }),
    )
    .await;
    assert_eq!(no_version.status, StatusCode::BAD_REQUEST);
    assert!(no_version.error_message().starts_with("version:"));
    assert!(
        env.mail_to(&staff_email).await.is_empty(),
        "nothing was submitted yet"
    );

    // The real submission: revision 1, answers exactly as sent, the task ticked, one mail.
    let submitted = submit(
        &env,
        contact,
        &assignment,
        json!({ "answers": filled(&document), "form_version": 1, "version": version }),
    )
    .await;
    assert_eq!(submitted.status, StatusCode::CREATED, "{}", submitted.body);
    assert_eq!(submitted.json["revision"], 1);
    assert_eq!(submitted.json["form_version"], 1);
    assert_eq!(submitted.json["answers"], filled(&document));
    assert_eq!(
        submitted.json["submitted_by"]["email"],
        client.email.as_str()
    );
    assert!(submitted.json["submitted_by"]["actor"]
        .as_str()
        .unwrap()
        .starts_with("client:"));
    let after = get(&env, contact, &format!("/api/intake/{assignment}")).await;
    assert_eq!(after.json["status"], "submitted");
    assert_eq!(after.json["latest_revision"], 1);
    assert_eq!(after.json["draft"], json!({}));
    assert_eq!(
        task_of(&get(&env, contact, &project_path).await)["done"],
        true
    );
    let (mail, other): (Vec<_>, Vec<_>) = env
        .mail_to(&staff_email)
        .await
        .into_iter()
        .partition(|mail| mail.subject.contains(" submitted "));
    assert_eq!(mail.len(), 1, "one mail per submission");
    // Ticking the project's last task also tells its owner (the projects' own rule), once.
    assert_eq!(other.len(), 1);
    assert!(
        other[0].subject.contains("Every task"),
        "{}",
        other[0].subject
    );
    assert!(mail[0].subject.contains("Client intake"));
    assert!(mail[0].body.contains("intake Ltd"));
    assert!(!mail[0].body.contains("Ada Lovelace") && !mail[0].body.contains("DE123456789"));
    let again = submit(&env, contact, &assignment, json!({ "answers": filled(&document), "form_version": 1, "version": after.json["version"] })).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let late_draft = env
        .call("PUT", &draft_path)
        .bearer(contact)
        .json(json!({ "answers": {}, "version": after.json["version"] }))
        .send()
        .await;
    assert_eq!(late_draft.status, StatusCode::CONFLICT);

    // Staff read it per client and per form, and export it.
    let staff_path = format!("/api/clients/{}/intake/{assignment}", client.tenant_id);
    let listed = get(
        &env,
        &staff.token,
        &format!("/api/clients/{}/intake", client.tenant_id),
    )
    .await;
    assert_eq!(listed.json["assignments"][0]["status"], "submitted");
    let staff_view = get(&env, &staff.token, &staff_path).await;
    assert_eq!(staff_view.json["owner_email"], staff_email.as_str());
    let revisions = get(&env, &staff.token, &format!("{staff_path}/submissions")).await;
    assert_eq!(revisions.status, StatusCode::OK, "{}", revisions.body);
    assert_eq!(revisions.json["submissions"].as_array().unwrap().len(), 1);
    let export = get(&env, &staff.token, &format!("{staff_path}/submissions/1")).await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.body);
    assert_eq!(
        export.headers["content-disposition"],
        format!(
            "attachment; filename=\"client-intake-{}-r1.json\"",
            client.slug
        )
        .as_str()
    );
    assert_eq!(export.json["submission"]["answers"], filled(&document));
    assert_eq!(export.json["form"]["version"], 1);
    assert_eq!(export.json["client"]["id"], client.tenant_id.as_str());
    assert_eq!(export.json["questions"][0]["label"], "Full name");
    for missing in ["2", "0", "x"] {
        let reply = get(
            &env,
            &staff.token,
            &format!("{staff_path}/submissions/{missing}"),
        )
        .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{missing}");
    }

    // Reopened for corrections: the client is told, the task is open again, the draft holds
    // the last answers; the correction is revision 2 and revision 1 stays as it was.
    let reopen_path = format!("{staff_path}/reopen");
    let current = staff_view.json["version"].clone();
    let no_reason = env
        .call("POST", &reopen_path)
        .bearer(&staff.token)
        .json(json!({ "reason": " ", "version": current }))
        .send()
        .await;
    assert!(no_reason.error_message().starts_with("reason:"));
    let by_client = env
        .call("POST", &reopen_path)
        .bearer(contact)
        .json(json!({ "reason": "mine", "version": current }))
        .send()
        .await;
    assert_eq!(by_client.status, StatusCode::FORBIDDEN);
    let mail_before = env.mail_to(&client.email).await.len();
    let reopened = env
        .call("POST", &reopen_path)
        .bearer(&staff.token)
        .json(json!({ "reason": "Please correct the email address", "version": current }))
        .send()
        .await;
    assert_eq!(reopened.status, StatusCode::OK, "{}", reopened.body);
    assert_eq!(reopened.json["status"], "reopened");
    assert_eq!(
        reopened.json["reopen_reason"],
        "Please correct the email address"
    );
    assert_eq!(reopened.json["draft"], filled(&document));
    assert_eq!(env.mail_to(&client.email).await.len(), mail_before + 1);
    assert_eq!(
        task_of(&get(&env, contact, &project_path).await)["done"],
        false
    );
    let twice = env
        .call("POST", &reopen_path)
        .bearer(&staff.token)
        .json(json!({ "reason": "again", "version": reopened.json["version"] }))
        .send()
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let mut corrected = filled(&document);
    corrected["email"] = json!("ada@lovelace.example");
    let revision_two = submit(
        &env,
        contact,
        &assignment,
        json!({ "answers": corrected, "form_version": 1, "version": reopened.json["version"] }),
    )
    .await;
    assert_eq!(
        revision_two.status,
        StatusCode::CREATED,
        "{}",
        revision_two.body
    );
    assert_eq!(revision_two.json["revision"], 2);
    let submitted_mail = env
        .mail_to(&staff_email)
        .await
        .into_iter()
        .filter(|mail| mail.subject.contains(" submitted "))
        .count();
    assert_eq!(submitted_mail, 2, "one mail per submission");
    let revisions = get(
        &env,
        contact,
        &format!("/api/intake/{assignment}/submissions"),
    )
    .await;
    let all = revisions.json["submissions"].as_array().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["revision"], 1);
    assert_eq!(all[0]["answers"]["email"], "ada@example.com");
    assert_eq!(all[1]["answers"]["email"], "ada@lovelace.example");
    let first = get(
        &env,
        contact,
        &format!("/api/intake/{assignment}/submissions/1"),
    )
    .await;
    assert_eq!(first.json["submission"]["answers"], filled(&document));
    assert_eq!(
        task_of(&get(&env, contact, &project_path).await)["done"],
        true
    );

    // Per form, across clients.
    let per_form = get(
        &env,
        &staff.token,
        &format!("/api/forms/{form_id}/assignments"),
    )
    .await;
    assert_eq!(per_form.status, StatusCode::OK, "{}", per_form.body);
    let rows = per_form.json["assignments"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["client_id"], client.tenant_id.as_str());
    assert_eq!(rows[0]["status"], "submitted");
    assert_eq!(rows[0]["latest_revision"], 2);

    // Every step is in the client's trail.
    let actions = audit_actions(&env, &client).await;
    for action in [
        "intake.assigned",
        "task.added",
        "intake.draft_saved",
        "intake.submitted",
        "task.done",
        "intake.submissions_viewed",
        "intake.exported",
        "intake.reopened",
        "task.reopened",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
    assert_eq!(
        actions.iter().filter(|a| *a == "intake.submitted").count(),
        2
    );
}

#[tokio::test]
async fn an_assignment_keeps_its_version_after_a_new_one_is_published() {
    let env = TestEnv::new().await;
    let staff = env.staff(vec![Role::Admin]).await;
    let client = env.client(&staff, "versions").await;
    let contact = &client.session.token;

    // Schema errors are named by path, all at once, at create and at publish.
    let bad = create_form(
        &env,
        &staff,
        "Broken",
        json!([
            { "key": "Bad Key", "type": "short_text", "label": "A" },
            { "key": "b", "type": "single_choice", "label": "B", "options": [] },
            { "key": "c", "type": "short_text", "label": "C", "pattern": "(unclosed" },
            { "key": "d", "type": "number", "label": "D", "min": 10, "max": 1 }
        ]),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert_eq!(
        field_names(&bad),
        vec![
            "fields[0].key",
            "fields[1].options",
            "fields[2].pattern",
            "fields[3].min"
        ]
    );
    let unknown_type = create_form(
        &env,
        &staff,
        "X",
        json!([{ "key": "a", "type": "colour", "label": "A" }]),
    )
    .await;
    assert!(
        unknown_type.error_message().starts_with("fields[0].type:"),
        "{}",
        unknown_type.body
    );
    let typo = create_form(
        &env,
        &staff,
        "X",
        json!([{ "key": "a", "type": "short_text", "label": "A", "maxlength": 3 }]),
    )
    .await;
    assert!(
        typo.error_message().starts_with("fields[0]"),
        "{}",
        typo.body
    );
    let no_fields = create_form(&env, &staff, "X", json!([])).await;
    assert!(no_fields.error_message().starts_with("fields:"));

    let v1 = create_form(
        &env,
        &staff,
        "KYC",
        json!([{ "key": "name", "type": "short_text", "label": "Name", "required": true }]),
    )
    .await;
    assert_eq!(v1.status, StatusCode::CREATED, "{}", v1.body);
    let form_id = v1.json["id"].as_str().unwrap().to_string();
    let old = assign(&env, &staff, &client, json!({ "form_id": form_id })).await;
    assert_eq!(old.status, StatusCode::CREATED, "{}", old.body);
    let old_id = old.json["id"].as_str().unwrap().to_string();

    let v2_fields = json!([
        { "key": "name", "type": "short_text", "label": "Name", "required": true },
        { "key": "tax_id", "type": "short_text", "label": "Tax id", "required": true, "pattern": "[0-9]{11}" }
    ]);
    let publish = |fields: Value, version: Value| {
        env.call("POST", &format!("/api/forms/{form_id}/versions"))
            .bearer(&staff.token)
            .json(json!({ "fields": fields, "version": version }))
            .send()
    };
    let stale = publish(v2_fields.clone(), json!(7)).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let invalid = publish(
        json!([{ "key": "name", "type": "short_text", "label": "Name" }, { "key": "name", "type": "date", "label": "Again" }]),
        json!(1),
    )
    .await;
    assert_eq!(field_names(&invalid), vec!["fields[1].key"]);
    let v2 = publish(v2_fields, v1.json["version"].clone()).await;
    assert_eq!(v2.status, StatusCode::CREATED, "{}", v2.body);
    assert_eq!(v2.json["latest_version"], 2);
    assert_eq!(v2.json["form_version"], 2);
    let reads_v1 = get(
        &env,
        &staff.token,
        &format!("/api/forms/{form_id}?version=1"),
    )
    .await;
    assert_eq!(reads_v1.json["fields"].as_array().unwrap().len(), 1);
    let reads_latest = get(&env, &staff.token, &format!("/api/forms/{form_id}")).await;
    assert_eq!(reads_latest.json["fields"].as_array().unwrap().len(), 2);
    let no_such = get(
        &env,
        &staff.token,
        &format!("/api/forms/{form_id}?version=3"),
    )
    .await;
    assert_eq!(no_such.status, StatusCode::BAD_REQUEST);

    // The old assignment still asks version 1: submitting without the new field works.
    let old_view = get(&env, contact, &format!("/api/intake/{old_id}")).await;
    assert_eq!(old_view.json["form_version"], 1);
    assert_eq!(old_view.json["fields"].as_array().unwrap().len(), 1);
    let as_v2 = submit(
        &env,
        contact,
        &old_id,
        json!({ "answers": { "name": "Ada" }, "form_version": 2, "version": 1 }),
    )
    .await;
    assert_eq!(as_v2.status, StatusCode::CONFLICT);
    let with_new_field = submit(&env, contact, &old_id, json!({ "answers": { "name": "Ada", "tax_id": "12345678901" }, "form_version": 1, "version": 1 })).await;
    assert_eq!(field_names(&with_new_field), vec!["answers.tax_id"]);
    let on_v1 = submit(
        &env,
        contact,
        &old_id,
        json!({ "answers": { "name": "Ada" }, "form_version": 1, "version": 1 }),
    )
    .await;
    assert_eq!(on_v1.status, StatusCode::CREATED, "{}", on_v1.body);
    assert_eq!(on_v1.json["form_version"], 1);

    // A new assignment pins version 2 and requires the new field.
    let new = assign(&env, &staff, &client, json!({ "form_id": form_id })).await;
    assert_eq!(new.json["form_version"], 2);
    let new_id = new.json["id"].as_str().unwrap().to_string();
    let missing = submit(
        &env,
        contact,
        &new_id,
        json!({ "answers": { "name": "Ada" }, "form_version": 2, "version": 1 }),
    )
    .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(field_names(&missing), vec!["answers.tax_id"]);
    let on_v2 = submit(&env, contact, &new_id, json!({ "answers": { "name": "Ada", "tax_id": "12345678901" }, "form_version": 2, "version": 1 })).await;
    assert_eq!(on_v2.status, StatusCode::CREATED, "{}", on_v2.body);
    assert_eq!(on_v2.json["form_version"], 2);

    // The first submission is still exactly what it was.
    let first = get(
        &env,
        contact,
        &format!("/api/intake/{old_id}/submissions/1"),
    )
    .await;
    assert_eq!(
        first.json["submission"]["answers"],
        json!({ "name": "Ada" })
    );
    assert_eq!(first.json["form"]["version"], 1);
    let per_form = get(
        &env,
        &staff.token,
        &format!("/api/forms/{form_id}/assignments"),
    )
    .await;
    assert_eq!(per_form.json["assignments"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn roles_and_other_tenants() {
    let env = TestEnv::new().await;
    let admin = env.staff(vec![Role::Admin]).await;
    let a = env.client(&admin, "alpha").await;
    let b = env.client(&admin, "bravo").await;
    let staff = env.staff(vec![Role::Staff]).await;
    let reader = env
        .contact_with_roles(&a, "reader", vec![Role::ReadOnly])
        .await;
    let billing = env
        .contact_with_roles(&a, "payer", vec![Role::Billing])
        .await;
    let member = env
        .contact_with_roles(&a, "member", vec![Role::Member])
        .await;

    let form = create_form(
        &env,
        &staff,
        "Alpha secrets",
        json!([{ "key": "secret", "type": "long_text", "label": "Secret" }]),
    )
    .await;
    let form_id = form.json["id"].as_str().unwrap().to_string();
    let assigned = assign(&env, &staff, &a, json!({ "form_id": form_id })).await;
    let id = assigned.json["id"].as_str().unwrap().to_string();
    let by_member = submit(
        &env,
        &member.token,
        &id,
        json!({ "answers": { "secret": "alpha-only answer" }, "form_version": 1, "version": 1 }),
    )
    .await;
    assert_eq!(by_member.status, StatusCode::CREATED, "{}", by_member.body);

    // Read-only and billing contacts see it but cannot draft or submit.
    for viewer in [&reader, &billing] {
        for path in [
            "/api/intake".to_string(),
            format!("/api/intake/{id}"),
            format!("/api/intake/{id}/submissions"),
            format!("/api/intake/{id}/submissions/1"),
        ] {
            let reply = get(&env, &viewer.token, &path).await;
            assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        }
        let draft = env
            .call("PUT", &format!("/api/intake/{id}/draft"))
            .bearer(&viewer.token)
            .json(json!({ "answers": {}, "version": 2 }))
            .send()
            .await;
        assert_eq!(draft.status, StatusCode::FORBIDDEN);
        let sent = submit(
            &env,
            &viewer.token,
            &id,
            json!({ "answers": {}, "form_version": 1, "version": 2 }),
        )
        .await;
        assert_eq!(sent.status, StatusCode::FORBIDDEN);
    }

    // Form definitions and the staff routes are the firm's.
    let contact = &a.session.token;
    for (method, path) in [
        ("POST", "/api/forms".to_string()),
        ("GET", "/api/forms".to_string()),
        ("GET", format!("/api/forms/{form_id}")),
        ("POST", format!("/api/forms/{form_id}/versions")),
        ("GET", format!("/api/forms/{form_id}/assignments")),
        ("POST", format!("/api/clients/{}/intake", a.tenant_id)),
        ("GET", format!("/api/clients/{}/intake", a.tenant_id)),
        (
            "POST",
            format!("/api/clients/{}/intake/{id}/reopen", a.tenant_id),
        ),
    ] {
        let reply = env
            .call(method, &path)
            .bearer(contact)
            .json(json!({ "name": "x", "fields": [], "version": 1, "form_id": form_id }))
            .send()
            .await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{method} {path}: {}",
            reply.body
        );
        assert!(!reply.body.contains("Alpha secrets"));
    }

    // Another tenant's contact: an empty list, and 404 for A's assignment on every route.
    let stranger = &b.session.token;
    let theirs = get(&env, stranger, "/api/intake").await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert_eq!(theirs.json["assignments"], json!([]));
    for (method, path) in [
        ("GET", format!("/api/intake/{id}")),
        ("PUT", format!("/api/intake/{id}/draft")),
        ("POST", format!("/api/intake/{id}/submit")),
        ("GET", format!("/api/intake/{id}/submissions")),
        ("GET", format!("/api/intake/{id}/submissions/1")),
    ] {
        let reply = env
            .call(method, &path)
            .bearer(stranger)
            .json(json!({ "answers": { "secret": "x" }, "form_version": 1, "version": 2 }))
            .send()
            .await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{method} {path}: {}",
            reply.body
        );
        for marker in ["alpha-only answer", "Alpha secrets", a.tenant_id.as_str()] {
            assert!(!reply.body.contains(marker), "{path} leaked {marker}");
        }
    }
    // Staff naming the wrong client, or ids that are not ids, find nothing.
    for path in [
        format!("/api/clients/{}/intake/{id}", b.tenant_id),
        format!("/api/clients/{}/intake/{id}/submissions/1", b.tenant_id),
        format!("/api/clients/{}/intake/not-an-id", a.tenant_id),
        "/api/forms/not-an-id".to_string(),
        "/api/forms/01ARZ3NDEKTSV4RRFFQ69G5FAV".to_string(),
    ] {
        let reply = get(&env, &staff.token, &path).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            reply.body
        );
    }
    let b_list = get(
        &env,
        &staff.token,
        &format!("/api/clients/{}/intake", b.tenant_id),
    )
    .await;
    assert_eq!(b_list.json["assignments"], json!([]));
}
