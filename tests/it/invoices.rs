//! Invoices: the firm records, sends, marks paid and voids them; numbers are unique across the
//! firm; amounts are exact integers; admins and billing contacts see sent, paid and overdue
//! invoices and download the PDF; members without billing and read-only contacts do not learn
//! that invoices exist (not in lists, not by id, not the PDF as a document).

use atrium_shared::dates::days_from_today;
use atrium_shared::principal::Role;
use atrium_tests::{ids_in, TestEnv};
use http::StatusCode;
use serde_json::{json, Value};

const PDF: &[u8] = b"%PDF-1.7\n% an invoice\n";

#[tokio::test]
async fn invoices_from_draft_to_paid_seen_only_by_billing() {
    let env = TestEnv::new().await;
    let staff = env.staff(vec![Role::Admin]).await;
    let client = env.client(&staff, "ledger").await;
    let other = env.client(&staff, "other").await;
    let member = env
        .contact_with_roles(&client, "mia", vec![Role::Member])
        .await;
    let billing = env
        .contact_with_roles(&client, "bea", vec![Role::Billing])
        .await;
    let both = env
        .contact_with_roles(&client, "bo", vec![Role::Member, Role::Billing])
        .await;
    let reader = env
        .contact_with_roles(&client, "rae", vec![Role::ReadOnly])
        .await;
    let staff_base = format!("/api/clients/{}", client.tenant_id);

    // The PDF is shared with the client first; attaching it makes it billing-only.
    let pdf = env
        .upload_document(
            &staff.token,
            &staff_base,
            "INV-001.pdf",
            "application/pdf",
            json!({}),
            PDF,
        )
        .await;
    let text_document = env
        .upload_document(
            &staff.token,
            &staff_base,
            "notes.txt",
            "text/plain",
            json!({}),
            b"notes",
        )
        .await;

    // Bad input names the field and records nothing.
    let good = json!({
        "number": "INV-001", "issue_date": days_from_today(0), "due_date": days_from_today(30),
        "currency": "eur", "tax_minor": 19_000,
        "lines": [
            { "description": "Advice", "quantity": 3, "unit_amount_minor": 33_333 },
            { "description": "Courtesy discount", "quantity": 1, "unit_amount_minor": -999 }
        ],
        "document_id": pdf, "payment_url": "https://pay.example/inv-001"
    });
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };
    let without = |field: &str| {
        let mut body = good.clone();
        body.as_object_mut().unwrap().remove(field);
        body
    };
    for (body, field) in [
        (without("number"), "number"),
        (without("lines"), "lines"),
        (with("number", json!("INV 001")), "number"),
        (with("currency", json!("EURO")), "currency"),
        (with("due_date", json!(days_from_today(-1))), "due_date"),
        (with("issue_date", json!("2026-02-30")), "issue_date"),
        (with("total_minor", json!(100)), "lines"),
        (
            with(
                "lines",
                json!([{ "description": "x", "quantity": 0, "unit_amount_minor": 1 }]),
            ),
            "lines[0].quantity",
        ),
        (
            with(
                "lines",
                json!([{ "description": "x", "quantity": 1, "unit_amount_minor": 1.5 }]),
            ),
            "lines[0].unit_amount_minor",
        ),
        (with("tax_minor", json!(-1)), "tax_minor"),
        // The integer limits: a 400 naming the line, never a crash or a wrapped total.
        (
            with(
                "lines",
                json!([{ "description": "x", "quantity": 1, "unit_amount_minor": i64::MIN }]),
            ),
            "lines[0].unit_amount_minor",
        ),
        (
            with(
                "lines",
                json!([{ "description": "x", "quantity": 1_000_000, "unit_amount_minor": 1_000_000_000_000_000_i64 }]),
            ),
            "lines[0].quantity",
        ),
        (with("tax_minor", json!(i64::MAX)), "tax_minor"),
        (with("number", json!("../../etc")), "number"),
        (with("number", json!("2026//1")), "number"),
        (
            with("payment_url", json!("javascript:alert(1)")),
            "payment_url",
        ),
        (with("document_id", json!(text_document)), "document_id"),
    ] {
        let reply = env
            .call("POST", &format!("{staff_base}/invoices"))
            .bearer(&staff.token)
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
            reply.error_message().starts_with(&format!("{field}:")),
            "{field}: {}",
            reply.body
        );
    }
    let listed = env
        .call("GET", &format!("{staff_base}/invoices"))
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(ids_in(&listed.json, "invoices").len(), 0);

    // A contact cannot record invoices, whatever their role.
    for token in [&client.session.token, &billing.token] {
        let refused = env
            .call("POST", &format!("{staff_base}/invoices"))
            .bearer(token)
            .json(good.clone())
            .send()
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }

    // A draft with exact totals.
    let draft = env
        .call("POST", &format!("{staff_base}/invoices"))
        .bearer(&staff.token)
        .json(good.clone())
        .send()
        .await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.body);
    assert_eq!(draft.json["status"], "draft");
    assert_eq!(draft.json["currency"], "EUR");
    assert_eq!(draft.json["subtotal_minor"], 99_000);
    assert_eq!(draft.json["total_minor"], 118_000);
    assert_eq!(draft.json["total"], "1180.00");
    assert_eq!(draft.json["lines"][0]["amount_minor"], 99_999);
    let invoice_id = draft.json["id"].as_str().unwrap().to_string();

    // Numbers are unique across the firm, whatever the case.
    let duplicate = env
        .call("POST", &format!("/api/clients/{}/invoices", other.tenant_id))
        .bearer(&staff.token)
        .json(json!({ "number": "inv-001", "issue_date": days_from_today(0), "due_date": days_from_today(1), "currency": "JPY", "total_minor": 1500 }))
        .send()
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT, "{}", duplicate.body);
    assert!(duplicate.error_message().starts_with("number:"));
    let yen = env
        .call("POST", &format!("/api/clients/{}/invoices", other.tenant_id))
        .bearer(&staff.token)
        .json(json!({ "number": "INV-900", "issue_date": days_from_today(0), "due_date": days_from_today(1), "currency": "JPY", "total_minor": 1500, "status": "sent" }))
        .send()
        .await;
    assert_eq!(yen.status, StatusCode::CREATED, "{}", yen.body);
    assert_eq!(yen.json["total"], "1500");
    assert_eq!(yen.json["minor_digits"], 0);

    // Drafts are the firm's: no client sees them, not even billing.
    let seen = env
        .call("GET", "/api/invoices")
        .bearer(&billing.token)
        .send()
        .await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
    assert!(ids_in(&seen.json, "invoices").is_empty());
    let by_id = env
        .call("GET", &format!("/api/invoices/{invoice_id}"))
        .bearer(&billing.token)
        .send()
        .await;
    assert_eq!(by_id.status, StatusCode::NOT_FOUND);

    // The attached PDF became billing-only: members and read-only contacts lose sight of it.
    for token in [&member.token, &reader.token] {
        let documents = env.call("GET", "/api/documents").bearer(token).send().await;
        assert!(
            !ids_in(&documents.json, "documents").contains(&pdf),
            "{}",
            documents.body
        );
        for path in [
            format!("/api/documents/{pdf}"),
            format!("/api/documents/{pdf}/versions/1/download"),
        ] {
            let reply = env.call("GET", &path).bearer(token).send().await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        }
    }
    let documents = env
        .call("GET", "/api/documents")
        .bearer(&billing.token)
        .send()
        .await;
    assert!(ids_in(&documents.json, "documents").contains(&pdf));

    // Sending mails the admins and billing contacts, once each; not the member.
    let stale = env
        .call("PATCH", &format!("{staff_base}/invoices/{invoice_id}"))
        .bearer(&staff.token)
        .json(json!({ "version": 0, "status": "sent" }))
        .send()
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let sent = env
        .call("PATCH", &format!("{staff_base}/invoices/{invoice_id}"))
        .bearer(&staff.token)
        .json(json!({ "version": draft.json["version"], "status": "sent" }))
        .send()
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert_eq!(sent.json["status"], "sent");
    let invoice_mail = |mail: Vec<atrium_local::mailbox::SentMail>| {
        mail.into_iter()
            .filter(|m| m.subject.starts_with("Invoice INV-001"))
            .count()
    };
    assert_eq!(invoice_mail(env.mail_to(&client.email).await), 1);
    assert_eq!(invoice_mail(env.mail_to(&env.email("bea")).await), 1);
    assert_eq!(invoice_mail(env.mail_to(&env.email("bo")).await), 1);
    assert_eq!(invoice_mail(env.mail_to(&env.email("mia")).await), 0);
    assert_eq!(invoice_mail(env.mail_to(&env.email("rae")).await), 0);

    // Admins and billing contacts see it and download the PDF.
    for token in [&client.session.token, &billing.token, &both.token] {
        let seen = env.call("GET", "/api/invoices").bearer(token).send().await;
        assert_eq!(ids_in(&seen.json, "invoices"), vec![invoice_id.clone()]);
        assert_eq!(seen.json["outstanding_minor"], 118_000);
        let one = env
            .call("GET", &format!("/api/invoices/{invoice_id}"))
            .bearer(token)
            .send()
            .await;
        assert_eq!(one.status, StatusCode::OK);
        assert_eq!(one.json["payment_url"], "https://pay.example/inv-001");
    }
    let link = env
        .call("GET", &format!("/api/invoices/{invoice_id}/pdf"))
        .bearer(&billing.token)
        .send()
        .await;
    assert_eq!(link.status, StatusCode::OK, "{}", link.body);
    let fetched = reqwest::get(link.json["url"].as_str().unwrap())
        .await
        .unwrap();
    assert!(fetched.status().is_success());
    assert_eq!(fetched.bytes().await.unwrap().as_ref(), PDF);

    // Members without billing and read-only contacts: refused the list, 404 by id.
    for token in [&member.token, &reader.token] {
        let list = env.call("GET", "/api/invoices").bearer(token).send().await;
        assert_eq!(list.status, StatusCode::FORBIDDEN);
        assert!(!list.body.contains(&invoice_id));
        for path in [
            format!("/api/invoices/{invoice_id}"),
            format!("/api/invoices/{invoice_id}/pdf"),
        ] {
            let reply = env.call("GET", &path).bearer(token).send().await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
            assert!(!reply.body.contains("INV-001"));
        }
    }

    // Another client's admin sees none of it.
    let elsewhere = env
        .call("GET", "/api/invoices")
        .bearer(&other.session.token)
        .send()
        .await;
    assert_eq!(
        ids_in(&elsewhere.json, "invoices"),
        vec![yen.json["id"].as_str().unwrap().to_string()]
    );
    for path in [
        format!("/api/invoices/{invoice_id}"),
        format!("/api/invoices/{invoice_id}/pdf"),
    ] {
        let reply = env
            .call("GET", &path)
            .bearer(&other.session.token)
            .send()
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
    }

    // Once sent, only the payment link and the status change.
    let edit = env
        .call("PATCH", &format!("{staff_base}/invoices/{invoice_id}"))
        .bearer(&staff.token)
        .json(json!({ "version": sent.json["version"], "total_minor": 1 }))
        .send()
        .await;
    assert_eq!(edit.status, StatusCode::CONFLICT, "{}", edit.body);
    let relinked = env
        .call("PATCH", &format!("{staff_base}/invoices/{invoice_id}"))
        .bearer(&staff.token)
        .json(json!({ "version": sent.json["version"], "payment_url": "https://pay.example/new" }))
        .send()
        .await;
    assert_eq!(relinked.status, StatusCode::OK, "{}", relinked.body);
    let paid = env
        .call("PATCH", &format!("{staff_base}/invoices/{invoice_id}"))
        .bearer(&staff.token)
        .json(json!({ "version": relinked.json["version"], "status": "paid" }))
        .send()
        .await;
    assert_eq!(paid.json["status"], "paid");
    assert!(paid.json["paid_at"].is_string());
    let voided = env
        .call("PATCH", &format!("{staff_base}/invoices/{invoice_id}"))
        .bearer(&staff.token)
        .json(json!({ "version": paid.json["version"], "status": "void" }))
        .send()
        .await;
    assert_eq!(voided.status, StatusCode::CONFLICT);
    assert!(voided.error_message().starts_with("status:"));

    // Overdue is derived from the due date; the filter uses it.
    let late = env
        .call("POST", &format!("{staff_base}/invoices"))
        .bearer(&staff.token)
        .json(json!({ "number": "INV-002", "issue_date": days_from_today(-40), "due_date": days_from_today(-10), "currency": "EUR", "total_minor": 50_000, "status": "sent" }))
        .send()
        .await;
    assert_eq!(late.status, StatusCode::CREATED, "{}", late.body);
    assert_eq!(late.json["status"], "overdue");
    let overdue = env
        .call("GET", "/api/invoices?status=overdue")
        .bearer(&billing.token)
        .send()
        .await;
    assert_eq!(
        ids_in(&overdue.json, "invoices"),
        vec![late.json["id"].as_str().unwrap().to_string()]
    );
    let bad_filter = env
        .call("GET", "/api/invoices?status=late")
        .bearer(&billing.token)
        .send()
        .await;
    assert_eq!(bad_filter.status, StatusCode::BAD_REQUEST);

    // A renumbered draft gives its number back; a voided invoice keeps its number.
    let spare = env
        .call("POST", &format!("{staff_base}/invoices"))
        .bearer(&staff.token)
        .json(json!({ "number": "DRAFT-1", "issue_date": days_from_today(0), "due_date": days_from_today(5), "currency": "EUR", "total_minor": 100 }))
        .send()
        .await;
    let spare_id = spare.json["id"].as_str().unwrap().to_string();
    let renumbered = env
        .call("PATCH", &format!("{staff_base}/invoices/{spare_id}"))
        .bearer(&staff.token)
        .json(json!({ "version": spare.json["version"], "number": "INV-003" }))
        .send()
        .await;
    assert_eq!(renumbered.status, StatusCode::OK, "{}", renumbered.body);
    let reused = env
        .call("POST", &format!("/api/clients/{}/invoices", other.tenant_id))
        .bearer(&staff.token)
        .json(json!({ "number": "DRAFT-1", "issue_date": days_from_today(0), "due_date": days_from_today(5), "currency": "EUR", "total_minor": 100 }))
        .send()
        .await;
    assert_eq!(reused.status, StatusCode::CREATED, "{}", reused.body);
    let void = env
        .call("PATCH", &format!("{staff_base}/invoices/{spare_id}"))
        .bearer(&staff.token)
        .json(json!({ "version": renumbered.json["version"], "status": "void" }))
        .send()
        .await;
    assert_eq!(void.json["status"], "void");
    let taken = env
        .call("POST", &format!("/api/clients/{}/invoices", other.tenant_id))
        .bearer(&staff.token)
        .json(json!({ "number": "INV-003", "issue_date": days_from_today(0), "due_date": days_from_today(5), "currency": "EUR", "total_minor": 100 }))
        .send()
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    let client_view = env
        .call("GET", "/api/invoices")
        .bearer(&billing.token)
        .send()
        .await;
    assert!(!ids_in(&client_view.json, "invoices").contains(&spare_id));
    let staff_view = env
        .call("GET", &format!("{staff_base}/invoices?status=void"))
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(ids_in(&staff_view.json, "invoices"), vec![spare_id.clone()]);

    // Every change is in the client's audit trail, as staff.
    let trail = env
        .call("GET", &format!("{staff_base}/audit?action=invoice.sent"))
        .bearer(&staff.token)
        .send()
        .await;
    assert!(trail.body.contains(&invoice_id), "{}", trail.body);
}
