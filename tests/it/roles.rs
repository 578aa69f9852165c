//! Every role against every authenticated route in template.yaml, table-driven: the firm's
//! admin and staff, and a client's admin, member, billing, member+billing and read-only
//! contacts. A role the route is not for gets 403 (404 where the route hides that the record
//! exists: invoices by id); a role it is for gets past the check (its GET answers 200; a write
//! with an empty body is refused for the body, never for the role). Real records fill every
//! path parameter, so a check can never hide behind a 404. A route missing from the table fails
//! the test, so a new route must state who may use it.

use atrium_local::template;
use atrium_shared::principal::Role;
use atrium_tests::{Session, TestEnv};
use http::StatusCode;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    FirmAdmin,
    FirmStaff,
    Admin,
    Member,
    Billing,
    MemberBilling,
    ReadOnly,
}
use Who::*;

const EVERYONE: &[Who] = &[
    FirmAdmin,
    FirmStaff,
    Admin,
    Member,
    Billing,
    MemberBilling,
    ReadOnly,
];
const FIRM: &[Who] = &[FirmAdmin, FirmStaff];
const FIRM_ADMIN: &[Who] = &[FirmAdmin];
const CONTACTS: &[Who] = &[Admin, Member, Billing, MemberBilling, ReadOnly];
const FIRM_AND_CONTACTS: &[Who] = EVERYONE;
const ACTORS: &[Who] = &[Admin, Member, MemberBilling];
const CLIENT_ADMIN: &[Who] = &[Admin];
const BILLING: &[Who] = &[Admin, Billing, MemberBilling];

/// Who may use each route, and how the others are refused.
#[derive(Clone, Copy)]
struct Rule {
    allowed: &'static [Who],
    /// Contacts are refused with 404 instead of 403: the record's existence is not revealed.
    hidden: bool,
}

const fn open_to(allowed: &'static [Who]) -> Rule {
    Rule {
        allowed,
        hidden: false,
    }
}

const fn hidden_from_others(allowed: &'static [Who]) -> Rule {
    Rule {
        allowed,
        hidden: true,
    }
}

fn rules() -> HashMap<&'static str, Rule> {
    HashMap::from([
        // Identity.
        ("GET /api/me", open_to(EVERYONE)),
        ("POST /api/auth/mfa/associate", open_to(EVERYONE)),
        ("POST /api/auth/mfa/verify", open_to(EVERYONE)),
        ("POST /api/auth/mfa/disable", open_to(EVERYONE)),
        // Signing out ends the session, so the table runs it last.
        ("POST /api/auth/logout", open_to(EVERYONE)),
        // Clients.
        ("GET /api/clients", open_to(FIRM)),
        ("POST /api/clients", open_to(FIRM_ADMIN)),
        ("PUT /api/clients/{id}/mfa", open_to(FIRM_ADMIN)),
        ("POST /api/clients/{id}/preview", open_to(FIRM)),
        ("GET /api/workspace", open_to(CONTACTS)),
        // Branding (reading it is public) and the firm's staff accounts.
        ("PUT /api/branding", open_to(FIRM_ADMIN)),
        ("POST /api/branding/logo", open_to(FIRM_ADMIN)),
        ("POST /api/branding/logo/confirm", open_to(FIRM_ADMIN)),
        ("GET /api/staff", open_to(FIRM_ADMIN)),
        ("POST /api/staff", open_to(FIRM_ADMIN)),
        ("PATCH /api/staff/{sub}", open_to(FIRM_ADMIN)),
        ("POST /api/staff/{sub}/invitation", open_to(FIRM_ADMIN)),
        // Requests and documents.
        ("GET /api/requests", open_to(FIRM_AND_CONTACTS)),
        ("GET /api/clients/{id}/requests", open_to(FIRM)),
        ("POST /api/clients/{id}/requests", open_to(FIRM)),
        ("PATCH /api/clients/{id}/requests/{request}", open_to(FIRM)),
        (
            "POST /api/clients/{id}/requests/{request}/cancel",
            open_to(FIRM),
        ),
        (
            "POST /api/clients/{id}/requests/{request}/review",
            open_to(FIRM),
        ),
        ("POST /api/requests/{request}/uploads", open_to(ACTORS)),
        ("POST /api/documents", open_to(ACTORS)),
        ("POST /api/clients/{id}/documents", open_to(FIRM)),
        (
            "POST /api/clients/{id}/documents/{document}/versions",
            open_to(FIRM),
        ),
        (
            "POST /api/documents/{document}/versions/{number}/confirm",
            open_to(ACTORS),
        ),
        (
            "POST /api/clients/{id}/documents/{document}/versions/{number}/confirm",
            open_to(FIRM),
        ),
        ("GET /api/documents", open_to(CONTACTS)),
        ("GET /api/documents/{document}", open_to(CONTACTS)),
        (
            "GET /api/documents/{document}/versions/{number}/download",
            open_to(CONTACTS),
        ),
        ("GET /api/clients/{id}/documents", open_to(FIRM)),
        ("GET /api/clients/{id}/documents/{document}", open_to(FIRM)),
        (
            "GET /api/clients/{id}/documents/{document}/versions/{number}/download",
            open_to(FIRM),
        ),
        // Projects.
        ("POST /api/clients/{id}/projects", open_to(FIRM)),
        ("PATCH /api/clients/{id}/projects/{project}", open_to(FIRM)),
        ("GET /api/clients/{id}/projects", open_to(FIRM)),
        ("GET /api/clients/{id}/projects/{project}", open_to(FIRM)),
        (
            "POST /api/clients/{id}/projects/{project}/tasks/{task}",
            open_to(FIRM),
        ),
        ("GET /api/projects", open_to(CONTACTS)),
        ("GET /api/projects/{project}", open_to(CONTACTS)),
        ("POST /api/projects/{project}/tasks/{task}", open_to(ACTORS)),
        // Approvals.
        ("POST /api/clients/{id}/approvals", open_to(FIRM)),
        ("GET /api/clients/{id}/approvals", open_to(FIRM)),
        ("GET /api/clients/{id}/approvals/{approval}", open_to(FIRM)),
        (
            "GET /api/clients/{id}/approvals/{approval}/certificate",
            open_to(FIRM),
        ),
        ("GET /api/approvals", open_to(CONTACTS)),
        ("GET /api/approvals/{approval}", open_to(CONTACTS)),
        (
            "GET /api/approvals/{approval}/certificate",
            open_to(CONTACTS),
        ),
        ("POST /api/approvals/{approval}/decide", open_to(ACTORS)),
        // Messages.
        ("GET /api/threads/{thread}/messages", open_to(CONTACTS)),
        ("POST /api/threads/{thread}/messages", open_to(ACTORS)),
        (
            "GET /api/clients/{id}/threads/{thread}/messages",
            open_to(FIRM),
        ),
        (
            "POST /api/clients/{id}/threads/{thread}/messages",
            open_to(FIRM),
        ),
        (
            "GET /api/clients/{id}/threads/{thread}/notes",
            open_to(FIRM),
        ),
        (
            "POST /api/clients/{id}/threads/{thread}/notes",
            open_to(FIRM),
        ),
        // Audit.
        ("GET /api/audit", open_to(CLIENT_ADMIN)),
        ("GET /api/audit/export", open_to(CLIENT_ADMIN)),
        ("GET /api/clients/{id}/audit", open_to(FIRM)),
        ("GET /api/clients/{id}/audit/export", open_to(FIRM)),
        // Contacts.
        ("GET /api/contacts", open_to(CONTACTS)),
        ("POST /api/contacts", open_to(CLIENT_ADMIN)),
        ("PATCH /api/contacts/{contact}", open_to(CLIENT_ADMIN)),
        ("DELETE /api/contacts/{contact}", open_to(CLIENT_ADMIN)),
        (
            "POST /api/contacts/{contact}/invitation",
            open_to(CLIENT_ADMIN),
        ),
        ("GET /api/clients/{id}/contacts", open_to(FIRM)),
        ("POST /api/clients/{id}/contacts", open_to(FIRM)),
        ("PATCH /api/clients/{id}/contacts/{contact}", open_to(FIRM)),
        ("DELETE /api/clients/{id}/contacts/{contact}", open_to(FIRM)),
        (
            "POST /api/clients/{id}/contacts/{contact}/invitation",
            open_to(FIRM),
        ),
        // Invoices.
        ("GET /api/invoices", open_to(BILLING)),
        ("GET /api/invoices/{invoice}", hidden_from_others(BILLING)),
        (
            "GET /api/invoices/{invoice}/pdf",
            hidden_from_others(BILLING),
        ),
        ("POST /api/clients/{id}/invoices", open_to(FIRM)),
        ("PATCH /api/clients/{id}/invoices/{invoice}", open_to(FIRM)),
        ("GET /api/clients/{id}/invoices", open_to(FIRM)),
        ("GET /api/clients/{id}/invoices/{invoice}", open_to(FIRM)),
        (
            "GET /api/clients/{id}/invoices/{invoice}/pdf",
            open_to(FIRM),
        ),
        // Tickets.
        ("POST /api/tickets", open_to(ACTORS)),
        ("GET /api/tickets", open_to(FIRM_AND_CONTACTS)),
        ("GET /api/tickets/{ticket}", open_to(CONTACTS)),
        ("PATCH /api/tickets/{ticket}", open_to(ACTORS)),
        ("POST /api/clients/{id}/tickets", open_to(FIRM)),
        ("GET /api/clients/{id}/tickets", open_to(FIRM)),
        ("GET /api/clients/{id}/tickets/{ticket}", open_to(FIRM)),
        ("PATCH /api/clients/{id}/tickets/{ticket}", open_to(FIRM)),
        // Forms (definitions are the firm's) and intake (a client's assigned forms).
        ("POST /api/forms", open_to(FIRM)),
        ("GET /api/forms", open_to(FIRM)),
        ("GET /api/forms/{form}", open_to(FIRM)),
        ("POST /api/forms/{form}/versions", open_to(FIRM)),
        ("GET /api/forms/{form}/assignments", open_to(FIRM)),
        ("POST /api/clients/{id}/intake", open_to(FIRM)),
        ("GET /api/clients/{id}/intake", open_to(FIRM)),
        ("GET /api/clients/{id}/intake/{assignment}", open_to(FIRM)),
        (
            "PUT /api/clients/{id}/intake/{assignment}/draft",
            open_to(FIRM),
        ),
        (
            "POST /api/clients/{id}/intake/{assignment}/submit",
            open_to(FIRM),
        ),
        (
            "POST /api/clients/{id}/intake/{assignment}/reopen",
            open_to(FIRM),
        ),
        (
            "GET /api/clients/{id}/intake/{assignment}/submissions",
            open_to(FIRM),
        ),
        (
            "GET /api/clients/{id}/intake/{assignment}/submissions/{revision}",
            open_to(FIRM),
        ),
        ("GET /api/intake", open_to(CONTACTS)),
        ("GET /api/intake/{assignment}", open_to(CONTACTS)),
        ("PUT /api/intake/{assignment}/draft", open_to(ACTORS)),
        ("POST /api/intake/{assignment}/submit", open_to(ACTORS)),
        (
            "GET /api/intake/{assignment}/submissions",
            open_to(CONTACTS),
        ),
        (
            "GET /api/intake/{assignment}/submissions/{revision}",
            open_to(CONTACTS),
        ),
    ])
}

#[tokio::test]
async fn every_role_against_every_route() {
    let env = TestEnv::new().await;
    let firm_admin = env.staff(vec![Role::Admin]).await;
    let firm_staff = env.staff(vec![Role::Staff]).await;
    let client = env.client(&firm_admin, "matrix").await;
    let member = env
        .contact_with_roles(&client, "mia", vec![Role::Member])
        .await;
    let billing = env
        .contact_with_roles(&client, "bea", vec![Role::Billing])
        .await;
    let member_billing = env
        .contact_with_roles(&client, "bo", vec![Role::Member, Role::Billing])
        .await;
    let read_only = env
        .contact_with_roles(&client, "rae", vec![Role::ReadOnly])
        .await;
    let sessions: BTreeMap<Who, &Session> = BTreeMap::from([
        (FirmAdmin, &firm_admin),
        (FirmStaff, &firm_staff),
        (Admin, &client.session),
        (Member, &member),
        (Billing, &billing),
        (MemberBilling, &member_billing),
        (ReadOnly, &read_only),
    ]);
    let ids = fixtures(&env, &firm_admin, &client, &member).await;

    let text = std::fs::read_to_string(atrium_local::project_root().join("template.yaml")).unwrap();
    let mut routes: Vec<template::Route> = template::routes(&text)
        .unwrap()
        .into_iter()
        .filter(|route| !route.public)
        .collect();
    routes.sort_by_key(|route| route.path == "/api/auth/logout");
    let rules = rules();
    let mut unstated = Vec::new();
    let mut wrong = Vec::new();
    for route in &routes {
        let key = format!("{} {}", route.method, route.path);
        let Some(rule) = rules.get(key.as_str()) else {
            unstated.push(key);
            continue;
        };
        let mut path = route.path.clone();
        for (name, value) in &ids {
            path = path.replace(&format!("{{{name}}}"), value);
        }
        assert!(!path.contains('{'), "no fixture for a parameter of {key}");
        for (who, session) in &sessions {
            let mut call = env.call(&route.method, &path).bearer(&session.token);
            if route.method != "GET" && route.method != "DELETE" {
                call = call.json(json!({}));
            }
            let reply = call.send().await;
            let allowed = rule.allowed.contains(who);
            let as_expected = if allowed {
                let past_the_check = !matches!(
                    reply.status,
                    StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
                );
                let answered = route.method != "GET" || reply.status == StatusCode::OK;
                past_the_check && answered
            } else if rule.hidden && CONTACTS.contains(who) {
                reply.status == StatusCode::NOT_FOUND
            } else {
                reply.status == StatusCode::FORBIDDEN
            };
            if !as_expected {
                wrong.push(format!(
                    "{key} as {who:?}: {} {}",
                    reply.status,
                    reply.body.chars().take(160).collect::<String>()
                ));
            }
            if !allowed {
                // A refusal carries no data: no record ids of the client.
                for (name, value) in &ids {
                    if name != "id" && name != "number" && name != "revision" {
                        assert!(
                            !reply.body.contains(value.as_str()),
                            "{key} as {who:?} leaked {name}"
                        );
                    }
                }
            }
        }
    }
    assert!(unstated.is_empty(), "routes with no rule: {unstated:#?}");
    assert!(
        wrong.is_empty(),
        "{} unexpected answers:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    let stated: Vec<&str> = rules
        .keys()
        .copied()
        .filter(|key| {
            !routes
                .iter()
                .any(|route| format!("{} {}", route.method, route.path) == *key)
        })
        .collect();
    assert!(
        stated.is_empty(),
        "rules for routes that do not exist: {stated:?}"
    );
}

/// One of every record, so that every path parameter names something real.
async fn fixtures(
    env: &TestEnv,
    staff: &Session,
    client: &atrium_tests::Client,
    member: &Session,
) -> Vec<(String, String)> {
    let base = format!("/api/clients/{}", client.tenant_id);
    let post = |path: String, body: serde_json::Value| async move {
        let reply = env
            .call("POST", &path)
            .bearer(&staff.token)
            .json(body)
            .send()
            .await;
        assert!(reply.status.is_success(), "{path}: {}", reply.body);
        reply.json
    };
    let request = post(
        format!("{base}/requests"),
        json!({ "title": "Passport copy", "instructions": "", "due_date": atrium_documents::rules::days_from_today(7) }),
    )
    .await;
    let document = env
        .upload_document(
            &staff.token,
            &base,
            "letter.pdf",
            "application/pdf",
            json!({}),
            b"%PDF letter",
        )
        .await;
    let project = post(
        format!("{base}/projects"),
        json!({ "template": "onboarding" }),
    )
    .await;
    let approval = post(
        format!("{base}/approvals"),
        json!({ "title": "Scope", "signature": true, "terms": "I agree.", "subject": { "kind": "statement", "text": "The scope is agreed." } }),
    )
    .await;
    let approval_id = approval["id"].as_str().unwrap().to_string();
    let decided = env
        .call("POST", &format!("/api/approvals/{approval_id}/decide"))
        .bearer(&member.token)
        .json(json!({ "decision": "approve", "typed_name": "mia", "consent": true }))
        .send()
        .await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);
    let invoice_pdf = env
        .upload_document(
            &staff.token,
            &base,
            "inv.pdf",
            "application/pdf",
            json!({}),
            b"%PDF invoice",
        )
        .await;
    let invoice = post(
        format!("{base}/invoices"),
        json!({ "number": format!("M-{}", &client.tenant_id[20..]), "issue_date": atrium_documents::rules::days_from_today(0), "due_date": atrium_documents::rules::days_from_today(30), "currency": "EUR", "total_minor": 1000, "document_id": invoice_pdf, "status": "sent" }),
    )
    .await;
    let ticket = env
        .call("POST", "/api/tickets")
        .bearer(&member.token)
        .json(json!({ "subject": "Help", "description": "Please." }))
        .send()
        .await;
    assert_eq!(ticket.status, StatusCode::CREATED, "{}", ticket.body);
    let form = post(
        "/api/forms".to_string(),
        json!({ "name": "Details", "fields": [{ "key": "name", "type": "short_text", "label": "Name", "required": true }] }),
    )
    .await;
    let form_id = form["id"].as_str().unwrap().to_string();
    let assignment = post(format!("{base}/intake"), json!({ "form_id": form_id })).await;
    let assignment_id = assignment["id"].as_str().unwrap().to_string();
    let submitted = env
        .call("POST", &format!("/api/intake/{assignment_id}/submit"))
        .bearer(&member.token)
        .json(json!({ "answers": { "name": "Mia" }, "form_version": 1, "version": assignment["version"] }))
        .send()
        .await;
    assert_eq!(submitted.status, StatusCode::CREATED, "{}", submitted.body);
    // A contact of its own: the admin's DELETE in the table really removes them.
    let removable = env
        .contact_with_roles(client, "tim", vec![Role::Member])
        .await;
    let me = env
        .call("GET", "/api/me")
        .bearer(&removable.token)
        .send()
        .await;
    let someone = me.json["sub"].as_str().unwrap().to_string();
    // A staff member still invited: the admin's PATCH and re-invitation act on them.
    let invited = post(
        "/api/staff".to_string(),
        json!({ "name": "Ivy Invited", "email": env.email("ivy"), "role": "staff" }),
    )
    .await;
    let text = |value: &serde_json::Value| value.as_str().unwrap().to_string();
    vec![
        ("id".into(), client.tenant_id.clone()),
        ("request".into(), text(&request["requests"][0]["id"])),
        ("document".into(), document),
        ("number".into(), "1".into()),
        ("project".into(), text(&project["id"])),
        ("task".into(), text(&project["tasks"][0]["id"])),
        ("approval".into(), text(&approval["id"])),
        ("thread".into(), "general".into()),
        ("contact".into(), someone),
        ("invoice".into(), text(&invoice["id"])),
        ("ticket".into(), text(&ticket.json["id"])),
        ("form".into(), form_id),
        ("assignment".into(), assignment_id),
        ("revision".into(), "1".into()),
        ("sub".into(), text(&invited["sub"])),
    ]
}
