//! Who may see what an approval or a ticket points to: a billing-only document (an invoice
//! PDF) and everything that names it exist only for the client's admins and billing contacts.
//! Members and read-only contacts never see its name, id or checksum: not in the approvals
//! list, not by id, not on the dashboard, not among a ticket's attachments, and a member
//! cannot sign it. A document that becomes billing-only later takes its approvals with it.

use atrium_shared::dates::days_from_today;
use atrium_shared::principal::Role;
use atrium_tests::{Session, TestEnv};
use http::StatusCode;
use serde_json::{json, Value};

const PDF: &[u8] = b"%PDF-1.7\n% invoice 7\n";

async fn get(env: &TestEnv, session: &Session, path: &str) -> (StatusCode, Value, String) {
    let reply = env.call("GET", path).bearer(&session.token).send().await;
    (reply.status, reply.json, reply.body)
}

#[tokio::test]
async fn billing_only_subjects_stay_with_billing() {
    let env = TestEnv::new().await;
    let staff = env.staff(vec![Role::Admin]).await;
    let client = env.client(&staff, "audience").await;
    let member = env
        .contact_with_roles(&client, "mel", vec![Role::Member])
        .await;
    let reader = env
        .contact_with_roles(&client, "rita", vec![Role::ReadOnly])
        .await;
    let billing = env
        .contact_with_roles(&client, "bill", vec![Role::Member, Role::Billing])
        .await;
    let base = format!("/api/clients/{}", client.tenant_id);

    // The firm shares a PDF; an approval and a ticket point to it while it is an ordinary
    // document.
    let pdf = env
        .upload_document(
            &staff.token,
            &base,
            "INV-7.pdf",
            "application/pdf",
            json!({}),
            PDF,
        )
        .await;
    let approval = env
        .call("POST", &format!("{base}/approvals"))
        .bearer(&staff.token)
        .json(json!({ "title": "Approve invoice 7", "subject": { "kind": "document_version", "document_id": pdf, "version": 1 } }))
        .send()
        .await;
    assert_eq!(approval.status, StatusCode::CREATED, "{}", approval.body);
    let approval_id = approval.json["id"].as_str().unwrap().to_string();
    let ticket = env
        .call("POST", "/api/tickets")
        .bearer(&client.session.token)
        .json(json!({ "subject": "Question on invoice 7", "description": "Is the VAT right?", "attachments": [pdf] }))
        .send()
        .await;
    assert_eq!(ticket.status, StatusCode::CREATED, "{}", ticket.body);
    let ticket_id = ticket.json["id"].as_str().unwrap().to_string();
    let (_, before, _) = get(&env, &member, &format!("/api/tickets/{ticket_id}")).await;
    assert_eq!(
        before["attachments"],
        json!([pdf]),
        "visible while ordinary"
    );

    // It becomes the invoice's PDF: billing-only from now on.
    let invoice = env
        .call("POST", &format!("{base}/invoices"))
        .bearer(&staff.token)
        .json(json!({
            "number": format!("AUD-{}", env.tag), "issue_date": days_from_today(0),
            "due_date": days_from_today(30), "currency": "EUR", "total_minor": 10_000,
            "document_id": pdf, "status": "sent"
        }))
        .send()
        .await;
    assert_eq!(invoice.status, StatusCode::CREATED, "{}", invoice.body);

    for session in [&member, &reader] {
        let (status, list, body) = get(&env, session, "/api/approvals").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            !body.contains(&approval_id) && !body.contains(&pdf),
            "{body}"
        );
        assert!(!body.contains("INV-7.pdf"), "{body}");
        assert_eq!(list["approvals"], json!([]));
        let (status, _, body) = get(&env, session, &format!("/api/approvals/{approval_id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, _, body) = get(
            &env,
            session,
            &format!("/api/approvals/{approval_id}/certificate"),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, dashboard, body) = get(&env, session, "/api/workspace").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(dashboard["approvals"], json!([]), "{body}");
        assert!(!body.contains(&pdf), "{body}");
        let (status, shown, body) = get(&env, session, &format!("/api/tickets/{ticket_id}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(shown["attachments"], json!([]), "{body}");
        let (_, _, listed) = get(&env, session, "/api/tickets").await;
        assert!(
            listed.contains(&ticket_id) && !listed.contains(&pdf),
            "{listed}"
        );
    }
    // A member cannot sign it either: as if it did not exist.
    let signed = env
        .call("POST", &format!("/api/approvals/{approval_id}/decide"))
        .bearer(&member.token)
        .json(json!({ "decision": "approve" }))
        .send()
        .await;
    assert_eq!(signed.status, StatusCode::NOT_FOUND, "{}", signed.body);
    // Nor attach it to a ticket of their own.
    let attached = env
        .call("POST", "/api/tickets")
        .bearer(&member.token)
        .json(json!({ "subject": "Invoice", "description": "See attached", "attachments": [pdf] }))
        .send()
        .await;
    assert_eq!(
        attached.status,
        StatusCode::BAD_REQUEST,
        "{}",
        attached.body
    );

    // The client's admin and a billing contact see and decide it; staff see everything.
    for session in [&client.session, &billing] {
        let (_, list, body) = get(&env, session, "/api/approvals").await;
        assert_eq!(list["approvals"][0]["id"], approval_id.as_str(), "{body}");
        let (_, shown, _) = get(&env, session, &format!("/api/tickets/{ticket_id}")).await;
        assert_eq!(shown["attachments"], json!([pdf]));
        let (_, dashboard, _) = get(&env, session, "/api/workspace").await;
        assert_eq!(dashboard["approvals"][0]["id"], approval_id.as_str());
    }
    let (_, staff_view, _) = get(&env, &staff, &format!("{base}/approvals/{approval_id}")).await;
    assert_eq!(staff_view["approval"]["id"], approval_id.as_str());
    let decided = env
        .call("POST", &format!("/api/approvals/{approval_id}/decide"))
        .bearer(&billing.token)
        .json(json!({ "decision": "approve" }))
        .send()
        .await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);
}
