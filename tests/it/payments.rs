//! Paying invoices in the portal, against localstripe: a billing contact pays by card through
//! the same calls Stripe.js makes, the signed webhook marks the invoice paid once, a second
//! click never charges twice, declines and Stripe outages change nothing, staff record offline
//! payments, and nothing crosses tenants or the billing audience.

use atrium_payments::signature::sign;
use atrium_shared::dates::days_from_today;
use atrium_shared::ids::now_epoch;
use atrium_shared::principal::Role;
use atrium_tests::stripe::{
    confirm_card_setup, localstripe, stripe_get, PaymentsEnv, DECLINED_AT_SETUP_CARD,
    DECLINED_CARD, GOOD_CARD,
};
use atrium_tests::{Client, Session, TestEnv};
use http::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// A sent invoice of `total_minor` (EUR) for the client; its id.
async fn sent_invoice(env: &TestEnv, staff: &Session, client: &Client, total_minor: i64) -> String {
    let created = env
        .call(
            "POST",
            &format!("/api/clients/{}/invoices", client.tenant_id),
        )
        .bearer(&staff.token)
        .json(json!({
            "number": format!("PAY-{}", atrium_tests::unique("")),
            "issue_date": days_from_today(0), "due_date": days_from_today(14),
            "currency": "EUR", "total_minor": total_minor, "status": "sent",
        }))
        .send()
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.json["id"].as_str().unwrap().to_string()
}

async fn invoice(env: &TestEnv, session: &Session, id: &str) -> Value {
    let reply = env
        .call("GET", &format!("/api/invoices/{id}"))
        .bearer(&session.token)
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json
}

/// Waits for the webhook (localstripe sends it about a second after the charge).
async fn until_state(env: &TestEnv, session: &Session, id: &str, state: &str) -> Value {
    let started = Instant::now();
    loop {
        let current = invoice(env, session, id).await;
        if current["payment_state"] == state {
            return current;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the invoice stayed {} (wanted {state})",
            current["payment_state"]
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// `POST …/payments/start` with a method, as the pay screen does.
async fn start(env: &TestEnv, payer: &str, invoice_id: &str, method: &str) -> atrium_tests::Reply {
    env.call(
        "POST",
        &format!("/api/invoices/{invoice_id}/payments/start"),
    )
    .bearer(payer)
    .json(json!({ "method": method }))
    .send()
    .await
}

/// Start, then what Stripe.js does with the card: the confirmed SetupIntent's id.
async fn set_up_card(env: &PaymentsEnv, payer: &Session, invoice_id: &str, card: &str) -> String {
    let started = start(&env.env, &payer.token, invoice_id, "card").await;
    assert_eq!(started.status, StatusCode::OK, "start: {}", started.body);
    assert_eq!(
        started.json["publishable_key"],
        env.publishable_key.as_str()
    );
    assert!(started.json["stripe_js_url"]
        .as_str()
        .unwrap()
        .ends_with("/js.stripe.com/v3/"));
    let setup = confirm_card_setup(
        started.json["client_secret"].as_str().unwrap(),
        &env.publishable_key,
        card,
    )
    .await;
    setup["id"].as_str().unwrap().to_string()
}

async fn confirm(
    env: &PaymentsEnv,
    payer: &Session,
    invoice_id: &str,
    setup: &str,
) -> atrium_tests::Reply {
    env.env
        .call(
            "POST",
            &format!("/api/invoices/{invoice_id}/payments/confirm"),
        )
        .bearer(&payer.token)
        .json(json!({ "setup_intent": setup }))
        .send()
        .await
}

async fn payments(env: &TestEnv, session: &Session, invoice_id: &str) -> Vec<Value> {
    let reply = env
        .call("GET", &format!("/api/invoices/{invoice_id}/payments"))
        .bearer(&session.token)
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json["payments"].as_array().unwrap().clone()
}

async fn trail_actions(env: &TestEnv, staff: &Session, client: &Client) -> Vec<String> {
    let reply = env
        .call("GET", &format!("/api/clients/{}/audit", client.tenant_id))
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["action"].as_str().unwrap().to_string())
        .collect()
}

/// The signed event localstripe sent for this PaymentIntent, as Stripe keeps it.
async fn stripe_event(kind: &str, intent: &str) -> Value {
    let events = stripe_get(&format!("/v1/events?type={kind}&limit=100")).await;
    events["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|event| event["data"]["object"]["id"] == intent)
        .cloned()
        .unwrap_or_else(|| panic!("no {kind} event for {intent}"))
}

async fn deliver(env: &TestEnv, payload: &str, header: &str) -> atrium_tests::Reply {
    env.call("POST", "/api/stripe/webhook")
        .header("stripe-signature", header)
        .raw_body(payload)
        .send()
        .await
}

#[tokio::test]
async fn a_billing_contact_pays_by_card_and_the_signed_event_marks_it_paid() {
    let payments_env = PaymentsEnv::new().await;
    let env = &payments_env.env;
    let staff = &payments_env.admin;
    let client = env.client(staff, "payer").await;
    let billing = env
        .contact_with_roles(&client, "bill", vec![Role::Billing])
        .await;
    let invoice_id = sent_invoice(env, staff, &client, 125_000).await;

    let config = env
        .call("GET", "/api/payments/config")
        .bearer(&billing.token)
        .send()
        .await;
    assert_eq!(config.status, StatusCode::OK, "{}", config.body);
    assert_eq!(config.json["enabled"], true);
    assert_eq!(config.json["methods"], json!(["card", "sepa_debit"]));
    assert!(!config.body.contains("sk_test_") && !config.body.contains("whsec_"));

    let setup = set_up_card(&payments_env, &billing, &invoice_id, GOOD_CARD).await;
    let confirmed = confirm(&payments_env, &billing, &invoice_id, &setup).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert_eq!(confirmed.json["status"], "succeeded");
    assert_eq!(confirmed.json["amount_minor"], 125_000);
    let intent = confirmed.json["payment_intent"]
        .as_str()
        .unwrap()
        .to_string();

    // The charge Stripe made: the exact balance, in the invoice's currency, with its owner.
    let charged = stripe_get(&format!("/v1/payment_intents/{intent}")).await;
    assert_eq!(charged["amount"], 125_000);
    assert_eq!(charged["currency"], "eur");
    assert_eq!(charged["metadata"]["tenant"], client.tenant_id.as_str());
    assert_eq!(charged["metadata"]["invoice"], invoice_id.as_str());

    let paid = until_state(env, &billing, &invoice_id, "paid").await;
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["paid_minor"], 125_000);
    assert_eq!(paid["balance_minor"], 0);
    let recorded = payments(env, &billing, &invoice_id).await;
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0]["amount_minor"], 125_000);
    assert_eq!(recorded[0]["amount"], "1250.00");
    assert_eq!(recorded[0]["method"], "card");
    assert_eq!(recorded[0]["source"], "stripe");
    assert_eq!(recorded[0]["card_last4"], "4242");
    assert_eq!(recorded[0]["payer"], env.email("bill").as_str());

    let receipts = env.mail_to(&env.email("bill")).await;
    assert!(
        receipts
            .iter()
            .any(|mail| mail.subject.starts_with("Receipt for invoice PAY-")),
        "{:?}",
        receipts
            .iter()
            .map(|mail| &mail.subject)
            .collect::<Vec<_>>()
    );
    let actions = trail_actions(env, staff, &client).await;
    assert!(
        actions.contains(&"payment.started".to_string()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"payment.received".to_string()),
        "{actions:?}"
    );

    // The firm sees it paid in its list across clients, with the client's totals.
    let firm = env
        .call("GET", "/api/firm/invoices")
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(firm.status, StatusCode::OK, "{}", firm.body);
    let row = firm.json["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["id"] == invoice_id.as_str())
        .unwrap();
    assert_eq!(row["status"], "paid");
    assert_eq!(row["client_name"], "payer Ltd");
    let totals = firm.json["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["client_id"] == client.tenant_id.as_str())
        .unwrap();
    assert_eq!(totals["paid_minor"], 125_000);
    assert_eq!(totals["balance_minor"], 0);

    // Paid is paid: no second payment starts.
    let again = start(env, &billing.token, &invoice_id, "card").await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
}

#[tokio::test]
async fn a_second_click_or_a_second_tab_never_charges_twice() {
    let payments_env = PaymentsEnv::new().await;
    let env = &payments_env.env;
    let staff = &payments_env.admin;
    let client = env.client(staff, "twice").await;
    let invoice_id = sent_invoice(env, staff, &client, 9_900).await;
    let payer = &client.session;

    let first_tab = set_up_card(&payments_env, payer, &invoice_id, GOOD_CARD).await;
    let second_tab = set_up_card(&payments_env, payer, &invoice_id, GOOD_CARD).await;

    let (one, two) = tokio::join!(
        confirm(&payments_env, payer, &invoice_id, &first_tab),
        confirm(&payments_env, payer, &invoice_id, &first_tab)
    );
    let intents: Vec<&str> = [&one, &two]
        .iter()
        .filter(|reply| reply.status == StatusCode::OK)
        .map(|reply| reply.json["payment_intent"].as_str().unwrap())
        .collect();
    assert!(!intents.is_empty(), "{} / {}", one.body, two.body);
    for reply in [&one, &two] {
        assert!(
            reply.status == StatusCode::OK || reply.status == StatusCode::CONFLICT,
            "{}",
            reply.body
        );
    }
    // The same click again answers the same intent.
    let repeated = confirm(&payments_env, payer, &invoice_id, &first_tab).await;
    assert_eq!(repeated.status, StatusCode::OK, "{}", repeated.body);
    assert_eq!(repeated.json["payment_intent"], intents[0]);
    // The other tab finds the invoice taken.
    let other = confirm(&payments_env, payer, &invoice_id, &second_tab).await;
    assert_eq!(other.status, StatusCode::CONFLICT, "{}", other.body);

    until_state(env, payer, &invoice_id, "paid").await;
    let charged = stripe_get("/v1/payment_intents?limit=100").await;
    let for_invoice = charged["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|intent| intent["metadata"]["invoice"] == invoice_id.as_str())
        .count();
    assert_eq!(for_invoice, 1, "one intent, one charge");
    assert_eq!(payments(env, payer, &invoice_id).await.len(), 1);
}

#[tokio::test]
async fn a_declined_card_charges_nothing_and_frees_the_invoice() {
    let payments_env = PaymentsEnv::new().await;
    let env = &payments_env.env;
    let staff = &payments_env.admin;
    let client = env.client(staff, "declined").await;
    let invoice_id = sent_invoice(env, staff, &client, 5_000).await;
    let payer = &client.session;

    // Declined while setting up: Stripe.js shows it, and the portal never hears of a charge.
    let started = start(env, &payer.token, &invoice_id, "card").await;
    let refused = confirm_card_setup(
        started.json["client_secret"].as_str().unwrap(),
        &payments_env.publishable_key,
        DECLINED_AT_SETUP_CARD,
    )
    .await;
    assert!(refused["error"].is_object(), "{refused}");
    let setup_id = started.json["setup_intent"].as_str().unwrap();
    let not_set_up = confirm(&payments_env, payer, &invoice_id, setup_id).await;
    assert_eq!(
        not_set_up.status,
        StatusCode::CONFLICT,
        "{}",
        not_set_up.body
    );

    // Declined when charged: a 402 naming the decline, nothing recorded.
    let setup = set_up_card(&payments_env, payer, &invoice_id, DECLINED_CARD).await;
    let declined = confirm(&payments_env, payer, &invoice_id, &setup).await;
    assert_eq!(
        declined.status,
        StatusCode::PAYMENT_REQUIRED,
        "{}",
        declined.body
    );
    assert_eq!(declined.error_code(), "card_declined");
    let unchanged = invoice(env, payer, &invoice_id).await;
    assert_eq!(unchanged["payment_state"], "unpaid");
    assert_eq!(unchanged["balance_minor"], 5_000);
    assert!(payments(env, payer, &invoice_id).await.is_empty());
    // The same declined attempt stays declined.
    let again = confirm(&payments_env, payer, &invoice_id, &setup).await;
    assert_ne!(again.status, StatusCode::OK, "{}", again.body);

    // Another card goes through at once: the decline released the invoice.
    let setup = set_up_card(&payments_env, payer, &invoice_id, GOOD_CARD).await;
    let paid = confirm(&payments_env, payer, &invoice_id, &setup).await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    until_state(env, payer, &invoice_id, "paid").await;
    let actions = trail_actions(env, staff, &client).await;
    assert!(
        actions.contains(&"payment.declined".to_string()),
        "{actions:?}"
    );
}

#[tokio::test]
async fn webhooks_are_verified_handled_once_and_only_for_the_portals_own_intents() {
    let payments_env = PaymentsEnv::new().await;
    let env = &payments_env.env;
    let staff = &payments_env.admin;
    let secret = &payments_env.webhook_secret;
    let client = env.client(staff, "hooks").await;
    let other = env.client(staff, "elsewhere").await;
    let invoice_id = sent_invoice(env, staff, &client, 20_000).await;
    let other_invoice = sent_invoice(env, staff, &other, 20_000).await;
    let payer = &client.session;

    let setup = set_up_card(&payments_env, payer, &invoice_id, GOOD_CARD).await;
    let confirmed = confirm(&payments_env, payer, &invoice_id, &setup).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let intent = confirmed.json["payment_intent"]
        .as_str()
        .unwrap()
        .to_string();
    until_state(env, payer, &invoice_id, "paid").await;
    let event = stripe_event("payment_intent.succeeded", &intent).await;
    let payload = event.to_string();

    // A redelivery, correctly signed, changes nothing.
    let replay = deliver(
        env,
        &payload,
        &sign(payload.as_bytes(), secret, now_epoch()),
    )
    .await;
    assert_eq!(replay.status, StatusCode::OK, "{}", replay.body);
    assert_eq!(replay.json["handled"], false);
    assert_eq!(invoice(env, payer, &invoice_id).await["paid_minor"], 20_000);
    assert_eq!(payments(env, payer, &invoice_id).await.len(), 1);

    // Bad, foreign, old and missing signatures: 400, nothing read.
    let mut tampered = event.clone();
    tampered["data"]["object"]["amount"] = json!(1);
    let tampered = tampered.to_string();
    for (body, header) in [
        (
            payload.clone(),
            sign(payload.as_bytes(), "whsec_not_ours", now_epoch()),
        ),
        (
            payload.clone(),
            sign(payload.as_bytes(), secret, now_epoch() - 600),
        ),
        (
            tampered.clone(),
            sign(payload.as_bytes(), secret, now_epoch()),
        ),
        (payload.clone(), "t=1".to_string()),
    ] {
        let refused = deliver(env, &body, &header).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
        assert_eq!(refused.error_code(), "invalid_signature");
    }

    // The same intent claimed for another tenant's invoice, or an intent the portal never
    // made: refused (422), and the other invoice is untouched.
    let mut hijack = event.clone();
    hijack["id"] = json!(format!("evt_hijack_{}", env.tag));
    hijack["data"]["object"]["metadata"]["tenant"] = json!(other.tenant_id);
    hijack["data"]["object"]["metadata"]["invoice"] = json!(other_invoice);
    let hijack = hijack.to_string();
    let refused = deliver(env, &hijack, &sign(hijack.as_bytes(), secret, now_epoch())).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let untouched = invoice(env, &other.session, &other_invoice).await;
    assert_eq!(untouched["payment_state"], "unpaid");
    let mut unknown = event.clone();
    unknown["id"] = json!(format!("evt_unknown_{}", env.tag));
    unknown["data"]["object"]["id"] = json!("pi_never_made_by_the_portal");
    let unknown = unknown.to_string();
    let refused = deliver(
        env,
        &unknown,
        &sign(unknown.as_bytes(), secret, now_epoch()),
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(refused.error_code(), "unknown_payment_intent");

    // A partial refund: the invoice owes it again; delivered twice, counted once.
    let refund = json!({
        "id": format!("evt_refund_{}", env.tag),
        "object": "event",
        "type": "charge.refunded",
        "data": { "object": {
            "id": "ch_refunded", "object": "charge", "payment_intent": intent,
            "amount": 20_000, "amount_refunded": 5_000, "currency": "eur"
        } }
    })
    .to_string();
    for _ in 0..2 {
        let handled = deliver(env, &refund, &sign(refund.as_bytes(), secret, now_epoch())).await;
        assert_eq!(handled.status, StatusCode::OK, "{}", handled.body);
    }
    let owing = invoice(env, payer, &invoice_id).await;
    assert_eq!(owing["status"], "sent");
    assert_eq!(owing["payment_state"], "partly_paid");
    assert_eq!(owing["paid_minor"], 15_000);
    assert_eq!(owing["balance_minor"], 5_000);
    let listed = payments(env, payer, &invoice_id).await;
    assert_eq!(listed[0]["refunded_minor"], 5_000);
    assert_eq!(listed[0]["status"], "partly_refunded");
    let actions = trail_actions(env, staff, &client).await;
    assert_eq!(
        actions
            .iter()
            .filter(|action| *action == "payment.received")
            .count(),
        1
    );
    assert_eq!(
        actions
            .iter()
            .filter(|action| *action == "payment.refunded")
            .count(),
        1
    );
}

#[tokio::test]
async fn staff_record_offline_payments_and_bad_input_changes_nothing() {
    let payments_env = PaymentsEnv::new().await;
    let env = &payments_env.env;
    let staff = &payments_env.admin;
    let client = env.client(staff, "cheque").await;
    let invoice_id = sent_invoice(env, staff, &client, 10_000).await;
    let path = format!(
        "/api/clients/{}/invoices/{invoice_id}/payments",
        client.tenant_id
    );
    let record = |body: Value| {
        env.call("POST", &path)
            .bearer(&staff.token)
            .json(body)
            .send()
    };

    for (body, field) in [
        (
            json!({ "amount_minor": 0, "method": "cheque", "received_on": days_from_today(0) }),
            "amount_minor",
        ),
        (
            json!({ "amount_minor": 100, "method": "card", "received_on": days_from_today(0) }),
            "method",
        ),
        (
            json!({ "amount_minor": 100, "method": "cheque", "received_on": days_from_today(2) }),
            "received_on",
        ),
        (
            json!({ "amount_minor": 100, "method": "cheque", "received_on": "yesterday" }),
            "received_on",
        ),
        (
            json!({ "amount_minor": 100, "method": "cheque", "received_on": days_from_today(0), "reference": "a\r\nb" }),
            "reference",
        ),
        (
            json!({ "amount_minor": 100, "method": "cheque", "received_on": days_from_today(0), "reference": "x".repeat(101) }),
            "reference",
        ),
    ] {
        let refused = record(body).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
        assert!(
            refused.error_message().starts_with(field),
            "{}",
            refused.body
        );
    }
    let too_much = record(json!({ "amount_minor": 10_001, "method": "bank_transfer", "received_on": days_from_today(0) })).await;
    assert_eq!(too_much.status, StatusCode::CONFLICT, "{}", too_much.body);
    let client_call = env
        .call("POST", &path)
        .bearer(&client.session.token)
        .json(json!({ "amount_minor": 100, "method": "cheque", "received_on": days_from_today(0) }))
        .send()
        .await;
    assert_eq!(
        client_call.status,
        StatusCode::FORBIDDEN,
        "{}",
        client_call.body
    );
    assert_eq!(
        invoice(env, &client.session, &invoice_id).await["paid_minor"],
        0
    );

    let part = record(json!({ "amount_minor": 4_000, "method": "bank_transfer", "reference": "SEPA 2026-12", "received_on": days_from_today(-1) })).await;
    assert_eq!(part.status, StatusCode::CREATED, "{}", part.body);
    assert_eq!(part.json["source"], "offline");
    let partly = invoice(env, &client.session, &invoice_id).await;
    assert_eq!(partly["payment_state"], "partly_paid");
    assert_eq!(partly["balance"], "60.00");
    let rest = record(
        json!({ "amount_minor": 6_000, "method": "cheque", "received_on": days_from_today(0) }),
    )
    .await;
    assert_eq!(rest.status, StatusCode::CREATED, "{}", rest.body);
    let paid = invoice(env, &client.session, &invoice_id).await;
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["balance_minor"], 0);
    let listed = env.call("GET", &path).bearer(&staff.token).send().await;
    assert_eq!(listed.json["payments"].as_array().unwrap().len(), 2);
    let actions = trail_actions(env, staff, &client).await;
    assert_eq!(
        actions
            .iter()
            .filter(|action| *action == "payment.recorded")
            .count(),
        2
    );
}

#[tokio::test]
async fn connecting_stripe_keeps_its_secrets_and_only_admins_may() {
    let payments_env = PaymentsEnv::new().await;
    let env = &payments_env.env;
    let admin = &payments_env.admin;
    let staff = env.staff(vec![Role::Staff]).await;
    let client = env.client(admin, "keys").await;

    let shown = env
        .call("GET", "/api/firm/stripe")
        .bearer(&admin.token)
        .send()
        .await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert_eq!(shown.json["connected"], true);
    let tag_tail: String = env
        .tag
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert_eq!(shown.json["secret_key_last4"], tag_tail.as_str());
    assert!(!shown.body.contains(&format!("sk_test_{}", env.tag)));
    assert!(!shown.body.contains(&payments_env.webhook_secret));
    assert_eq!(
        shown.json["webhook_url"],
        "https://portal.test/api/stripe/webhook"
    );

    for session in [&staff, &client.session] {
        for (method, body) in [("GET", None), ("PUT", Some(json!({}))), ("DELETE", None)] {
            let mut call = env.call(method, "/api/firm/stripe").bearer(&session.token);
            if let Some(body) = body {
                call = call.json(body);
            }
            let refused = call.send().await;
            assert_eq!(
                refused.status,
                StatusCode::FORBIDDEN,
                "{method}: {}",
                refused.body
            );
        }
    }

    let good = json!({
        "secret_key": "sk_test_replacement1234", "webhook_secret": "whsec_replacement5678",
        "publishable_key": "pk_test_replacement", "bank_debit": false
    });
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };
    for (body, field) in [
        (with("secret_key", json!("pk_test_wrongkind")), "secret_key"),
        (
            with("secret_key", json!("sk_test_with spaces")),
            "secret_key",
        ),
        (with("webhook_secret", json!("secret")), "webhook_secret"),
        (
            with("publishable_key", json!("pk_live_mixedmodes")),
            "publishable_key",
        ),
        (
            with("secret_key", json!(format!("sk_test_{}", "a".repeat(300)))),
            "secret_key",
        ),
    ] {
        let refused = env
            .call("PUT", "/api/firm/stripe")
            .bearer(&admin.token)
            .json(body)
            .send()
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
        assert!(
            refused.error_message().starts_with(field),
            "{}",
            refused.body
        );
    }
    let unknown_field = env
        .call("PUT", "/api/firm/stripe")
        .bearer(&admin.token)
        .json(with("account", json!("x")))
        .send()
        .await;
    assert_eq!(unknown_field.status, StatusCode::BAD_REQUEST);
    let still = env
        .call("GET", "/api/firm/stripe")
        .bearer(&admin.token)
        .send()
        .await;
    assert_eq!(still.json["secret_key_last4"], tag_tail.as_str());

    // Rotation: the new signing secret is used at once, and the previous one still verifies
    // events Stripe signed before the switch.
    let rotated = env
        .call("PUT", "/api/firm/stripe")
        .bearer(&admin.token)
        .json(good.clone())
        .send()
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    assert_eq!(rotated.json["secret_key_last4"], "1234");
    assert_eq!(rotated.json["webhook_secret_last4"], "5678");
    let event =
        json!({ "id": "evt_other_kind", "type": "customer.created", "data": { "object": {} } })
            .to_string();
    for secret in [
        "whsec_replacement5678",
        payments_env.webhook_secret.as_str(),
    ] {
        let accepted = deliver(env, &event, &sign(event.as_bytes(), secret, now_epoch())).await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
        assert_eq!(accepted.json["handled"], false);
    }
    let audit = env
        .call("GET", "/api/firm/audit")
        .bearer(&admin.token)
        .send()
        .await;
    assert!(audit.body.contains("stripe.connected"), "{}", audit.body);
    assert!(!audit.body.contains("whsec_replacement"), "{}", audit.body);

    // Disconnected: no Pay button, and paying is refused; invoices are otherwise unchanged.
    let disconnected = env
        .call("DELETE", "/api/firm/stripe")
        .bearer(&admin.token)
        .send()
        .await;
    assert_eq!(
        disconnected.status,
        StatusCode::NO_CONTENT,
        "{}",
        disconnected.body
    );
    let config = env
        .call("GET", "/api/payments/config")
        .bearer(&client.session.token)
        .send()
        .await;
    assert_eq!(config.json["enabled"], false);
    let invoice_id = sent_invoice(env, admin, &client, 1_000).await;
    let refused = start(env, &client.session.token, &invoice_id, "card").await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
}

#[tokio::test]
async fn stripe_down_is_a_clear_503_and_changes_nothing() {
    // A stack whose Stripe is a closed port, connected (as if Stripe answered then) directly.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://127.0.0.1:{}", closed.local_addr().unwrap().port());
    drop(closed);
    let env = TestEnv::with_options(|options| options.stripe_endpoint = Some(dead)).await;
    let admin = env.staff(vec![Role::Admin]).await;
    let refused = env
        .call("PUT", "/api/firm/stripe")
        .bearer(&admin.token)
        .json(json!({ "secret_key": "sk_test_down", "webhook_secret": "whsec_down", "publishable_key": "pk_test_down", "bank_debit": false }))
        .send()
        .await;
    assert_eq!(refused.status, StatusCode::BAD_GATEWAY, "{}", refused.body);
    let settings = env
        .call("GET", "/api/firm/stripe")
        .bearer(&admin.token)
        .send()
        .await;
    assert_eq!(settings.json["connected"], false);

    // Connected while Stripe answered (written as the settings route writes it), then down.
    let live = PaymentsEnv::new().await;
    let client = live.env.client(&live.admin, "outage").await;
    let invoice_id = sent_invoice(&live.env, &live.admin, &client, 3_000).await;
    let mut app_config = live.env.config.clone();
    app_config.stripe_api = format!("http://127.0.0.1:{}", {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    });
    let app = std::sync::Arc::new(
        atrium_shared::App::from_config(app_config.clone())
            .await
            .unwrap(),
    );
    let outage = TestEnv::from_app(
        app,
        app_config,
        live.env.endpoint.clone(),
        live.env.tag.clone(),
    );
    let down = start(&outage, &client.session.token, &invoice_id, "card").await;
    assert_eq!(
        down.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        down.body
    );
    assert_eq!(down.error_code(), "stripe_unavailable");
    let unchanged = invoice(&live.env, &client.session, &invoice_id).await;
    assert_eq!(unchanged["payment_state"], "unpaid");
    assert!(unchanged["version"].as_u64().unwrap() == 1);
}

#[tokio::test]
async fn payments_stay_inside_the_tenant_and_the_billing_audience() {
    let payments_env = PaymentsEnv::new().await;
    let env = &payments_env.env;
    let staff = &payments_env.admin;
    let client = env.client(staff, "mine").await;
    let stranger = env.client(staff, "theirs").await;
    let member = env
        .contact_with_roles(&client, "mem", vec![Role::Member])
        .await;
    let reader = env
        .contact_with_roles(&client, "ro", vec![Role::ReadOnly])
        .await;
    let invoice_id = sent_invoice(env, staff, &client, 7_000).await;
    let draft = env
        .call(
            "POST",
            &format!("/api/clients/{}/invoices", client.tenant_id),
        )
        .bearer(&staff.token)
        .json(json!({
            "number": format!("DRAFT-{}", env.tag), "issue_date": days_from_today(0),
            "due_date": days_from_today(14), "currency": "EUR", "total_minor": 100
        }))
        .send()
        .await;
    let draft_id = draft.json["id"].as_str().unwrap().to_string();

    // Another tenant, a member or reader without billing, a draft: as if nothing existed.
    for (session, id) in [
        (&stranger.session, invoice_id.as_str()),
        (&member, invoice_id.as_str()),
        (&reader, invoice_id.as_str()),
        (&client.session, draft_id.as_str()),
    ] {
        let refused = start(env, &session.token, id, "card").await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
        let listed = env
            .call("GET", &format!("/api/invoices/{id}/payments"))
            .bearer(&session.token)
            .send()
            .await;
        assert_eq!(listed.status, StatusCode::NOT_FOUND, "{}", listed.body);
    }
    let forged = start(env, "not-a-token", &invoice_id, "card").await;
    assert!(
        forged.status == StatusCode::UNAUTHORIZED || forged.status == StatusCode::FORBIDDEN,
        "{}",
        forged.body
    );
    assert!(!forged.body.contains("client_secret"));

    // A SetupIntent made for this invoice cannot pay another tenant's invoice, nor can the
    // stranger use it here.
    let setup = set_up_card(&payments_env, &client.session, &invoice_id, GOOD_CARD).await;
    let stranger_invoice = sent_invoice(env, staff, &stranger, 7_000).await;
    let misused = confirm(&payments_env, &stranger.session, &stranger_invoice, &setup).await;
    assert_eq!(misused.status, StatusCode::BAD_REQUEST, "{}", misused.body);
    assert!(
        misused.error_message().starts_with("setup_intent"),
        "{}",
        misused.body
    );
    let misused = confirm(&payments_env, &stranger.session, &invoice_id, &setup).await;
    assert_eq!(misused.status, StatusCode::NOT_FOUND, "{}", misused.body);
    for bad in ["", "pi_123", "seti_../../v1/charges", "seti_ x"] {
        let refused = confirm(&payments_env, &client.session, &invoice_id, bad).await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            refused.body
        );
    }
    let wrong_method = start(env, &client.session.token, &invoice_id, "bitcoin").await;
    assert_eq!(
        wrong_method.status,
        StatusCode::BAD_REQUEST,
        "{}",
        wrong_method.body
    );
    assert!(wrong_method.error_message().starts_with("method"));
    assert_eq!(
        invoice(env, &stranger.session, &stranger_invoice).await["payment_state"],
        "unpaid"
    );
    // The firm-wide list is staff's only.
    let firm = env
        .call("GET", "/api/firm/invoices")
        .bearer(&client.session.token)
        .send()
        .await;
    assert_eq!(firm.status, StatusCode::FORBIDDEN, "{}", firm.body);
}

/// Start with SEPA Direct Debit, then what Stripe.js's IBAN element sends
/// (`confirmSepaDebitSetup`): the confirmed SetupIntent's id.
async fn sepa_set_up(env: &PaymentsEnv, payer: &Session, invoice_id: &str, iban: &str) -> String {
    let started = start(&env.env, &payer.token, invoice_id, "sepa_debit").await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    assert_eq!(started.json["method"], "sepa_debit");
    let setup_id = started.json["setup_intent"].as_str().unwrap().to_string();
    let set_up: Value = reqwest::Client::new()
        .post(format!(
            "{}/v1/setup_intents/{setup_id}/confirm",
            localstripe().endpoint
        ))
        .body(
            json!({
                "key": env.publishable_key, "use_stripe_sdk": true,
                "client_secret": started.json["client_secret"],
                "payment_method_data": {
                    "type": "sepa_debit", "sepa_debit": { "iban": iban },
                    "billing_details": { "name": "Casey Contact", "email": "casey@example.com" }
                }
            })
            .to_string(),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(set_up["status"], "succeeded", "{set_up}");
    setup_id
}

#[tokio::test]
async fn bank_debit_where_the_firm_enables_it() {
    let payments_env = PaymentsEnv::new().await;
    let env = &payments_env.env;
    let staff = &payments_env.admin;
    let client = env.client(staff, "debit").await;
    let invoice_id = sent_invoice(env, staff, &client, 45_000).await;
    let payer = &client.session;
    let setup_id = &sepa_set_up(&payments_env, payer, &invoice_id, "DE89370400440532013000").await;
    let confirmed = confirm(&payments_env, payer, &invoice_id, setup_id).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert!(
        ["processing", "succeeded"].contains(&confirmed.json["status"].as_str().unwrap()),
        "{}",
        confirmed.body
    );
    until_state(env, payer, &invoice_id, "paid").await;
    let recorded = payments(env, payer, &invoice_id).await;
    assert_eq!(recorded[0]["method"], "sepa_debit");
    assert_eq!(recorded[0]["card_last4"], "3000");

    // A debit the bank refuses later: the charge was accepted (processing), then Stripe's
    // payment_failed event frees the invoice, the trail records it, the payer is told.
    let second = sent_invoice(env, staff, &client, 2_500).await;
    let failing = sepa_set_up(&payments_env, payer, &second, "DE62370400440532013001").await;
    let accepted = confirm(&payments_env, payer, &second, &failing).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let started = Instant::now();
    while !trail_actions(env, staff, &client)
        .await
        .contains(&"payment.failed".to_string())
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no payment_failed event"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        invoice(env, payer, &second).await["payment_state"],
        "unpaid"
    );
    let told = env.mail_to(&env.email("debit")).await;
    assert!(
        told.iter()
            .any(|mail| mail.subject.contains("did not go through")),
        "{:?}",
        told.iter().map(|mail| &mail.subject).collect::<Vec<_>>()
    );
    let retry = sepa_set_up(&payments_env, payer, &second, "DE89370400440532013000").await;
    let retried = confirm(&payments_env, payer, &second, &retry).await;
    assert_eq!(
        retried.status,
        StatusCode::OK,
        "the lock was released: {}",
        retried.body
    );
    until_state(env, payer, &second, "paid").await;

    // A firm that does not offer it refuses the method, naming it.
    let other = PaymentsEnv::new().await;
    let off = other
        .env
        .call("PUT", "/api/firm/stripe")
        .bearer(&other.admin.token)
        .json(json!({
            "secret_key": "sk_test_cardsonly", "webhook_secret": other.webhook_secret,
            "publishable_key": other.publishable_key, "bank_debit": false
        }))
        .send()
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    let client = other.env.client(&other.admin, "cards").await;
    let invoice_id = sent_invoice(&other.env, &other.admin, &client, 1_000).await;
    let refused = start(&other.env, &client.session.token, &invoice_id, "sepa_debit").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.error_message().starts_with("method"),
        "{}",
        refused.body
    );
}
