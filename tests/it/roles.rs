//! Every role against every signed route, as each operation's declaration states who may use
//! it (`Route::new(…, FIRM)` and the like in the capability's `OPERATIONS`): the firm's admin
//! and staff, and a client's admin, member, billing, member+billing and read-only contacts. A
//! role the route is not for gets 403 (404 where the route hides that the record exists:
//! invoices by id); a role it is for gets past the check (its GET answers 200; a write with an
//! empty body is refused for the body, never for the role). Real records fill every path
//! parameter, so a check can never hide behind a 404. A route cannot be declared without saying
//! who may use it.

use atrium_shared::operation::{Access, Route, Who, CONTACTS};
use atrium_shared::principal::Role;
use atrium_tests::{Session, TestEnv};
use http::StatusCode;
use serde_json::json;
use std::collections::BTreeMap;
use Who::*;

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
        (ClientAdmin, &client.session),
        (Member, &member),
        (Billing, &billing),
        (MemberBilling, &member_billing),
        (ReadOnly, &read_only),
    ]);
    let ids = fixtures(&env, &firm_admin, &client, &member).await;

    let mut routes: Vec<&Route> = atrium_portal::operations()
        .flat_map(|operation| operation.route_list())
        .filter(|route| route.access != Access::Public)
        .collect();
    routes.sort_by_key(|route| route.path == "/api/auth/logout");
    let mut wrong = Vec::new();
    for route in &routes {
        let key = route.key();
        let Access::Signed { hidden, .. } = route.access else {
            continue;
        };
        let method = route.method.as_str();
        let mut path = route.path.to_string();
        // `{request}` names a document request, except under signature-requests.
        if let Some((_, signature_request)) = ids.iter().find(|(name, _)| name == SIGNATURE_REQUEST)
        {
            path = path.replace(
                "signature-requests/{request}",
                &format!("signature-requests/{signature_request}"),
            );
        }
        for (name, value) in &ids {
            path = path.replace(&format!("{{{name}}}"), value);
        }
        assert!(!path.contains('{'), "no fixture for a parameter of {key}");
        for (who, session) in &sessions {
            let mut call = env.call(method, &path).bearer(&session.token);
            if method != "GET" && method != "DELETE" {
                call = call.json(json!({}));
            }
            let reply = call.send().await;
            let allowed = route.access.allows(*who);
            let as_expected = if allowed {
                let past_the_check = !matches!(
                    reply.status,
                    StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
                );
                // A record only its creator reads (an archive, an upload in progress) is not
                // found by anyone else the route allows, and a finished upload has no parts;
                // tests/it/files.rs shows the creator reading each.
                let personal = PERSONAL.iter().any(|name| route.path.contains(name));
                let answered = method != "GET"
                    || reply.status == StatusCode::OK
                    || (personal
                        && matches!(reply.status, StatusCode::NOT_FOUND | StatusCode::CONFLICT));
                past_the_check && answered
            } else if hidden && CONTACTS.contains(who) {
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
    assert!(
        wrong.is_empty(),
        "{} unexpected answers:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The fixture of a signature request's `{request}`.
const SIGNATURE_REQUEST: &str = "signature request";

/// One of every record, so that every path parameter names something real.
/// Paths of records that belong to one person (or one upload), not to everyone the route
/// allows.
/// A signature request is its signers' (and the client admin's): other contacts get 404.
const PERSONAL: &[&str] = &["{archive}", "/parts", "/api/signature-requests/{request}"];

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
        json!({ "title": "Passport copy", "instructions": "", "due_date": atrium_shared::dates::days_from_today(7) }),
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
        json!({ "number": format!("M-{}", &client.tenant_id[20..]), "issue_date": atrium_shared::dates::days_from_today(0), "due_date": atrium_shared::dates::days_from_today(30), "currency": "EUR", "total_minor": 1000, "document_id": invoice_pdf, "status": "sent" }),
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
    let archive = post(format!("{base}/archives"), json!({})).await;
    // Signed by the client's admin, then the member.
    let letter = env
        .upload_document(
            &staff.token,
            &base,
            "engagement.pdf",
            "application/pdf",
            json!({}),
            &atrium_local::samples::letter_pdf("Engagement", 1).unwrap(),
        )
        .await;
    let sub_of = |session: &Session| {
        atrium_tests::tokens::claims_of(&session.token)["sub"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let box_for = |signer: usize| json!({ "signer": signer, "kind": "signature", "page": 1, "x": 0.1, "y": 0.1 + 0.2 * signer as f64, "width": 0.3, "height": 0.1 });
    let signature_request = post(
        format!("{base}/signature-requests"),
        json!({ "title": "Engagement", "document_id": letter, "version": 1,
                "signers": [{ "contact": sub_of(&client.session) }, { "contact": sub_of(member) }],
                "fields": [box_for(0), box_for(1)] }),
    )
    .await;
    let text = |value: &serde_json::Value| value.as_str().unwrap().to_string();
    vec![
        ("archive".into(), text(&archive["id"])),
        (
            SIGNATURE_REQUEST.into(),
            text(&signature_request["signature_request"]["id"]),
        ),
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
        // A session is its person's own: nobody here has this one, so every caller the route
        // allows is answered 404 past the role check (tests/it/frontdoor.rs ends real ones).
        ("session".into(), atrium_shared::ids::new_id()),
    ]
}
