//! Signature requests end to end on the local stack: signers in order with a staff
//! countersigner, a parallel group (two of it signing in the same instant), a decline,
//! reminders, a replaced signer, a cancellation, the step-up code (wrong, expired, used up),
//! the sealed PDF (it verifies; one changed byte does not), and bad input.

use atrium_shared::principal::Role;
use atrium_tests::tokens::claims_of;
use atrium_tests::{scope_of, Client, Session, TestEnv};
use http::StatusCode;
use serde_json::{json, Value};

/// A 1×1 PNG, as the browser's canvas would send a (very small) signature.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

fn sub(session: &Session) -> String {
    claims_of(&session.token)["sub"]
        .as_str()
        .unwrap()
        .to_string()
}

struct Scene {
    env: TestEnv,
    staff: Session,
    client: Client,
    base: String,
    document: String,
}

async fn scene(pages: usize) -> Scene {
    let env = TestEnv::new().await;
    let staff = env.staff(vec![Role::Admin]).await;
    let client = env.client(&staff, "signing").await;
    let base = format!("/api/clients/{}", client.tenant_id);
    let pdf = atrium_local::samples::letter_pdf("Engagement letter", pages).unwrap();
    let document = env
        .upload_document(
            &staff.token,
            &base,
            "Engagement letter.pdf",
            "application/pdf",
            json!({}),
            &pdf,
        )
        .await;
    Scene {
        env,
        staff,
        client,
        base,
        document,
    }
}

fn field(signer: usize, kind: &str, page: u32, y: f64) -> Value {
    json!({ "signer": signer, "kind": kind, "page": page, "x": 0.1, "y": y, "width": 0.3, "height": 0.06 })
}

impl Scene {
    async fn create(&self, body: Value) -> (StatusCode, Value, String) {
        let mut body = body;
        body["document_id"] = json!(self.document);
        body.as_object_mut()
            .unwrap()
            .entry("version")
            .or_insert(json!(1));
        body.as_object_mut()
            .unwrap()
            .entry("title")
            .or_insert(json!("Engagement letter"));
        let reply = self
            .env
            .call("POST", &format!("{}/signature-requests", self.base))
            .bearer(&self.staff.token)
            .json(body)
            .send()
            .await;
        (reply.status, reply.json, reply.body)
    }

    /// `/api/signature-requests/<id>` for a contact, the firm's route for staff.
    fn path(&self, staff: bool, id: &str, tail: &str) -> String {
        if staff {
            format!("{}/signature-requests/{id}{tail}", self.base)
        } else {
            format!("/api/signature-requests/{id}{tail}")
        }
    }

    /// Asks for a code as `session` and answers the code from the newest mail to `email`.
    async fn code(&self, session: &Session, staff: bool, id: &str, email: &str) -> String {
        let sent = self
            .env
            .call("POST", &self.path(staff, id, "/code"))
            .bearer(&session.token)
            .send()
            .await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
        let mail = self.env.mail_to(email).await;
        let subject = mail
            .iter()
            .rev()
            .find_map(|mail| mail.subject.strip_prefix("Your signing code: "))
            .expect("a code mail")
            .to_string();
        assert_eq!(subject.len(), 6);
        subject
    }

    async fn sign(
        &self,
        session: &Session,
        staff: bool,
        id: &str,
        body: Value,
    ) -> (StatusCode, Value, String) {
        let reply = self
            .env
            .call("POST", &self.path(staff, id, "/sign"))
            .bearer(&session.token)
            .json(body)
            .send()
            .await;
        (reply.status, reply.json, reply.body)
    }

    async fn get(&self, session: &Session, path: &str) -> (StatusCode, Value, String) {
        let reply = self
            .env
            .call("GET", path)
            .bearer(&session.token)
            .send()
            .await;
        (reply.status, reply.json, reply.body)
    }

    /// Signs as `session` with a fresh code (consent given on the way).
    async fn code_and_sign(
        &self,
        session: &Session,
        staff: bool,
        id: &str,
        email: &str,
        extra: Value,
    ) -> Value {
        let code = self.code(session, staff, id, email).await;
        let mut body = json!({ "code": code, "typed_name": "A Signer", "consent": true, "signature_image": PNG });
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        let (status, json, text) = self.sign(session, staff, id, body).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        json
    }

    /// A request for the client's admin and a new member ("spouse"), one group signing in
    /// parallel: the spouse's session and the request's id.
    async fn parallel_pair(&self, title: &str) -> (Session, String) {
        let spouse = self
            .env
            .contact_with_roles(&self.client, "spouse", vec![Role::Member])
            .await;
        let (status, created, body) = self
            .create(json!({
                "title": title,
                "signers": [{ "contact": sub(&self.client.session), "group": 1 }, { "contact": sub(&spouse), "group": 1 }],
                "fields": [field(0, "signature", 1, 0.7), field(1, "signature", 1, 0.8)],
            }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(
            created["signature_request"]["signers"][1]["state"],
            "signing"
        );
        let id = created["signature_request"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        (spouse, id)
    }

    async fn download(&self, number: u32) -> Vec<u8> {
        let (status, link, body) = self
            .get(
                &self.staff,
                &format!(
                    "{}/documents/{}/versions/{number}/download",
                    self.base, self.document
                ),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        reqwest::get(link["url"].as_str().unwrap())
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .to_vec()
    }
}

#[tokio::test]
async fn two_client_signers_in_order_then_a_staff_countersigner_seal_a_new_version() {
    let scene = scene(2).await;
    let env = &scene.env;
    let admin = &scene.client.session;
    let member = env
        .contact_with_roles(&scene.client, "mia", vec![Role::Member])
        .await;
    let bystander = env
        .contact_with_roles(&scene.client, "bo", vec![Role::Member])
        .await;
    let partner_email = env.email("partner");
    let partner = {
        atrium_local::seed::create_staff_user(
            &env.app,
            &partner_email,
            "Pat Partner",
            vec![Role::Staff],
            atrium_tests::STAFF_PASSWORD,
        )
        .await
        .unwrap();
        env.sign_in(&partner_email, atrium_tests::STAFF_PASSWORD, None)
            .await
    };
    let (status, created, body) = scene
        .create(json!({
            "signers": [{ "contact": sub(admin) }, { "contact": sub(&member) }, { "staff": sub(&partner) }],
            "fields": [
                field(0, "signature", 2, 0.7), field(0, "initials", 1, 0.9), field(0, "date", 2, 0.78),
                field(1, "signature", 2, 0.6), field(1, "text", 2, 0.5),
                field(2, "signature", 2, 0.85),
            ],
        }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let request = &created["signature_request"];
    let id = request["id"].as_str().unwrap().to_string();
    assert_eq!(request["status"], "in_progress");
    assert_eq!(request["pages"], 2);
    assert_eq!(request["signers"][0]["state"], "signing");
    assert_eq!(request["signers"][1]["state"], "waiting");
    let text_field = request["fields"][4]["id"].as_str().unwrap().to_string();
    // Only the first signer was asked.
    assert!(env
        .mail_to(&scene.client.email)
        .await
        .iter()
        .any(|mail| mail.subject.starts_with("Please sign")));
    assert!(env.mail_to(&env.email("mia")).await.is_empty());

    // Out of turn: the second signer can neither get a code nor sign.
    let early = env
        .call("POST", &scene.path(false, &id, "/code"))
        .bearer(&member.token)
        .send()
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    assert!(early.body.contains("not your turn"), "{}", early.body);
    // A contact who does not sign does not see it at all; the admin and the member do.
    let (status, _, _) = scene.get(&bystander, &scene.path(false, &id, "")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Nor can they sign it in anyone's place.
    let (status, _, body) = scene
        .sign(&bystander, false, &id, json!({ "code": "123456", "typed_name": "Bo", "consent": true, "signature_image": PNG }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (_, listed, _) = scene.get(&bystander, "/api/signature-requests").await;
    assert_eq!(listed["signature_requests"], json!([]));
    let (_, seen, body) = scene.get(&member, &scene.path(false, &id, "")).await;
    assert_eq!(seen["me"]["my_turn"], false, "{body}");

    // The first signer: a wrong code is refused and counted, then the right one signs.
    let code = scene.code(admin, false, &id, &scene.client.email).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (status, _, body) = scene
        .sign(admin, false, &id, json!({ "code": wrong, "typed_name": "Ada Admin", "consent": true, "signature_image": PNG, "initials_image": PNG }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.contains("code") && body.contains("4 attempts left"),
        "{body}"
    );
    // Initials fields need initials.
    let (status, _, body) = scene
        .sign(admin, false, &id, json!({ "code": code, "typed_name": "Ada Admin", "consent": true, "signature_image": PNG }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("initials_image"), "{body}");
    let (status, signed, body) = scene
        .sign(admin, false, &id, json!({ "code": code, "typed_name": "Ada Admin", "consent": true, "signature_image": PNG, "initials_image": PNG }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(signed["status"], "in_progress");
    // The code is used up, and signing twice is refused.
    let (status, _, body) = scene
        .sign(admin, false, &id, json!({ "code": code, "typed_name": "Ada Admin", "signature_image": PNG, "initials_image": PNG }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // Now the member's turn (mailed); a required text field must be filled.
    assert!(env
        .mail_to(&env.email("mia"))
        .await
        .iter()
        .any(|mail| mail.subject.starts_with("Please sign")));
    let code = scene.code(&member, false, &id, &env.email("mia")).await;
    let (status, _, body) = scene
        .sign(&member, false, &id, json!({ "code": code, "typed_name": "Mia Member", "consent": true, "signature_image": PNG }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains(&format!("texts.{text_field}")), "{body}");
    // Text the signed PDF's font cannot draw is refused naming the field (a drawn signature
    // can be in any script; a text field cannot).
    let (status, _, body) = scene
        .sign(&member, false, &id, json!({ "code": code, "typed_name": "Mia Member", "consent": true, "signature_image": PNG, "texts": { text_field.clone(): "李小龙" } }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains(&format!("texts.{text_field}")), "{body}");
    let (status, _, body) = scene
        .sign(&member, false, &id, json!({ "code": code, "typed_name": "Mia Member", "consent": true, "signature_image": PNG, "texts": { text_field.clone(): "Mia Member, director" } }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The firm's countersignature completes it: version 2 is the sealed PDF.
    let done = scene
        .code_and_sign(
            &partner,
            true,
            &id,
            &partner_email,
            json!({ "typed_name": "Pat Partner" }),
        )
        .await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["signed_version"], 2);
    let sealed = scene.download(2).await;
    let report = atrium_pdfseal::verify(&sealed).expect("the seal verifies");
    assert!(!format!("{report:?}").is_empty());
    let pages = atrium_pdfseal::page_sizes(&sealed).unwrap().len();
    assert!(
        pages >= 3,
        "the two pages and the certificate's page(s): {pages}"
    );
    let digest = {
        use sha2::Digest;
        hex_of(&sha2::Sha256::digest(&sealed))
    };
    assert_eq!(done["signed_sha256_hex"], digest.as_str());
    // One changed byte anywhere in the signed content is detected.
    let mut changed = sealed.clone();
    let middle = changed.len() / 3;
    changed[middle] ^= 0x01;
    assert!(atrium_pdfseal::verify(&changed).is_err());
    // The original is untouched, and the trail holds the sealed file's hash.
    let original = scene.download(1).await;
    assert_eq!(
        original,
        atrium_local::samples::letter_pdf("Engagement letter", 2).unwrap()
    );
    let trail = atrium_tests::trail_actions(env, &scene.client).await;
    for action in [
        "signature_request.created",
        "signature.code_sent",
        "signature.code_refused",
        "esign.consent_given",
        "signature.signed",
        "signature_request.completed",
    ] {
        assert!(
            trail.iter().any(|(name, _)| name == action),
            "{action} in {trail:?}"
        );
    }
    assert!(
        trail
            .iter()
            .any(|(name, target)| name == "signature_request.completed"
                && target.ends_with(&format!("sha256:{digest}"))),
        "{trail:?}"
    );
    // Everyone hears it is done; the signers see it completed.
    assert!(env
        .mail_to(&env.email("mia"))
        .await
        .iter()
        .any(|mail| mail.subject.starts_with("Signed:")));
    let (_, seen, _) = scene.get(&member, &scene.path(false, &id, "")).await;
    assert_eq!(seen["signature_request"]["status"], "completed");
    // A contact sees only their own evidence (no other signer's address).
    assert!(seen["signature_request"]["signers"][0]["evidence"].is_null());
    assert!(!seen["signature_request"]["signers"][1]["evidence"].is_null());
}

/// Moves every ask and reminder of the request `seconds` into the past, as if that much time
/// had gone by since.
async fn asked_earlier(env: &TestEnv, client: &Client, id: &str, seconds: i64) {
    use atrium_shared::ids::{epoch_rfc3339, now_epoch};
    let scope = scope_of(client);
    let requests = atrium_signatures::data::SignatureRequests::of(env.app.store.tenant(&scope));
    let mut request = requests.get(id).await.unwrap().unwrap();
    let earlier = epoch_rfc3339(now_epoch() - seconds);
    for signer in &mut request.signers {
        for at in [&mut signer.asked_at, &mut signer.reminded_at] {
            if at.is_some() {
                *at = Some(earlier.clone());
            }
        }
    }
    let read = request.version;
    request.version += 1;
    let write = requests.save(&request, Some(read)).unwrap();
    env.app.store.transact(vec![write], "moved").await.unwrap();
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[tokio::test]
async fn a_parallel_group_signs_in_any_order() {
    let scene = scene(1).await;
    let env = &scene.env;
    let admin = &scene.client.session;
    let (spouse, id) = scene.parallel_pair("Tax authorisation").await;
    // The second named signs first.
    let first = scene
        .code_and_sign(&spouse, false, &id, &env.email("spouse"), json!({}))
        .await;
    assert_eq!(first["status"], "in_progress");
    let last = scene
        .code_and_sign(admin, false, &id, &scene.client.email, json!({}))
        .await;
    assert_eq!(last["status"], "completed", "{last}");
    atrium_pdfseal::verify(&scene.download(2).await).expect("sealed");
}

/// Two signers of one group sign in the same instant: the spouse's signature lands between the
/// admin's read and the admin's transaction (forced with a cut-in; moto's transactions are not
/// isolated between its threads, so real concurrency would prove nothing). The admin's
/// signature still goes through (read again once), and being the last it seals.
#[tokio::test]
async fn two_signers_of_a_group_signing_at_once_both_sign() {
    let scene = scene(1).await;
    let env = &scene.env;
    let admin = &scene.client.session;
    let (spouse, id) = scene.parallel_pair("Engagement letter").await;
    let admin_code = scene.code(admin, false, &id, &scene.client.email).await;
    let spouse_code = scene.code(&spouse, false, &id, &env.email("spouse")).await;

    let (config, endpoint, tag) = (env.config.clone(), env.endpoint.clone(), env.tag.clone());
    let (spouse_token, path) = (spouse.token.clone(), scene.path(false, &id, "/sign"));
    let rival = atrium_tests::CutIn::new(env.config.clone(), move |app| async move {
        let rival = TestEnv::from_app(std::sync::Arc::new(app), config, endpoint, tag);
        let signed = rival
            .call("POST", &path)
            .bearer(&spouse_token)
            .json(json!({ "code": spouse_code, "typed_name": "Sam Spouse", "consent": true, "signature_image": PNG }))
            .send()
            .await;
        assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);
        assert_eq!(signed.json["status"], "in_progress");
    });
    let racing = TestEnv::from_app(
        std::sync::Arc::new(rival.app(&env.config).await),
        env.config.clone(),
        env.endpoint.clone(),
        env.tag.clone(),
    );
    let signed = racing
        .call("POST", &scene.path(false, &id, "/sign"))
        .bearer(&admin.token)
        .json(json!({ "code": admin_code, "typed_name": "Ada Admin", "consent": true, "signature_image": PNG }))
        .send()
        .await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);
    assert_eq!(signed.json["status"], "completed", "{}", signed.body);
    let (_, shown, _) = scene.get(admin, &scene.path(false, &id, "")).await;
    let states: Vec<&str> = shown["signature_request"]["signers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|signer| signer["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["signed", "signed"], "{shown}");
    atrium_pdfseal::verify(&scene.download(2).await).expect("sealed");
}

#[tokio::test]
async fn a_decline_stops_the_request_and_tells_the_firm() {
    let scene = scene(1).await;
    let env = &scene.env;
    let admin = &scene.client.session;
    let member = env
        .contact_with_roles(&scene.client, "mo", vec![Role::Member])
        .await;
    let (_, created, _) = scene
        .create(json!({
            "signers": [{ "contact": sub(admin) }, { "contact": sub(&member) }],
            "fields": [field(0, "signature", 1, 0.7), field(1, "signature", 1, 0.8)],
        }))
        .await;
    let id = created["signature_request"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let decline = |reason: &str| {
        env.call("POST", &scene.path(false, &id, "/decline"))
            .bearer(&member.token)
            .json(json!({ "reason": reason }))
            .send()
    };
    let empty = decline("  ").await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST, "{}", empty.body);
    assert!(empty.body.contains("reason"));
    // A later signer may decline before their turn: nobody is asked further.
    let declined = decline("The fee in clause 4 is not what we agreed").await;
    assert_eq!(declined.status, StatusCode::OK, "{}", declined.body);
    assert_eq!(declined.json["status"], "declined");
    let (_, seen, _) = scene.get(&scene.staff, &scene.path(true, &id, "")).await;
    assert_eq!(
        seen["signature_request"]["ended"]["reason"],
        "The fee in clause 4 is not what we agreed"
    );
    let told = env
        .mail_to(&atrium_tests::staff_email_of(env, &scene.staff).await)
        .await;
    assert!(
        told.iter()
            .any(|mail| mail.subject.starts_with("Declined:") && mail.body.contains("clause 4")),
        "{told:?}"
    );
    let late = env
        .call("POST", &scene.path(false, &id, "/code"))
        .bearer(&admin.token)
        .send()
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
}

#[tokio::test]
async fn staff_remind_replace_and_cancel_and_the_daily_reminders_run() {
    let scene = scene(1).await;
    let env = &scene.env;
    let admin = &scene.client.session;
    let member = env
        .contact_with_roles(&scene.client, "max", vec![Role::Member])
        .await;
    let other = env
        .contact_with_roles(&scene.client, "nia", vec![Role::Member])
        .await;
    let (_, created, body) = scene
        .create(json!({
            "signers": [{ "contact": sub(&member) }, { "contact": sub(admin) }],
            "fields": [field(0, "signature", 1, 0.7), field(1, "signature", 1, 0.8)],
            "reminder_days": 2,
        }))
        .await;
    let id = created["signature_request"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let first_signer = created["signature_request"]["signers"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let staff_call = |tail: &str, body: Value| {
        env.call("POST", &scene.path(true, &id, tail))
            .bearer(&scene.staff.token)
            .json(body)
            .send()
    };
    // Asked moments ago: a reminder now is too soon.
    let soon = staff_call("/remind", json!({})).await;
    assert_eq!(soon.status, StatusCode::TOO_MANY_REQUESTS, "{}", soon.body);
    assert!(soon.headers.get("retry-after").is_some());
    // An hour later the firm may remind them (the ask is moved an hour back here), once an hour.
    asked_earlier(env, &scene.client, &id, 3601).await;
    let before = env.mail_to(&env.email("max")).await.len();
    let reminded = staff_call("/remind", json!({})).await;
    assert_eq!(reminded.status, StatusCode::OK, "{}", reminded.body);
    assert_eq!(reminded.json["reminded"], 1, "{}", reminded.body);
    let mail = env.mail_to(&env.email("max")).await;
    assert_eq!(mail.len(), before + 1);
    assert!(
        mail.last()
            .unwrap()
            .subject
            .starts_with("Reminder: please sign"),
        "{mail:?}"
    );
    let again = staff_call("/remind", json!({})).await;
    assert_eq!(
        again.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        again.body
    );
    // The daily run reminds on the request's day, once.
    let day = atrium_shared::dates::days_from_today(2);
    let before = env.mail_to(&env.email("max")).await.len();
    let summary = atrium_signatures::reminders::run(&env.app, &day)
        .await
        .unwrap();
    assert!(summary.reminded >= 1, "{summary:?}");
    assert_eq!(env.mail_to(&env.email("max")).await.len(), before + 1);
    let again = atrium_signatures::reminders::run(&env.app, &day)
        .await
        .unwrap();
    assert_eq!(again.reminded, 0, "{again:?}");
    // A code the first signer got is void once they are replaced.
    let _ = scene.code(&member, false, &id, &env.email("max")).await;
    let replaced = staff_call(
        "/replace",
        json!({ "signer": first_signer, "contact": sub(&other) }),
    )
    .await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.body);
    assert_eq!(
        replaced.json["signature_request"]["signers"][0]["email"],
        env.email("nia")
    );
    assert!(env
        .mail_to(&env.email("nia"))
        .await
        .iter()
        .any(|mail| mail.subject.starts_with("Please sign")));
    let (status, _, _) = scene.get(&member, &scene.path(false, &id, "")).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the replaced member no longer sees it"
    );
    // Replacing with someone already signing, or a stranger id, is refused naming the field.
    let twice = staff_call(
        "/replace",
        json!({ "signer": first_signer, "contact": sub(admin) }),
    )
    .await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST, "{}", twice.body);
    assert!(
        twice.body.contains("\"contact: is already a signer"),
        "{}",
        twice.body
    );
    let stranger = staff_call(
        "/replace",
        json!({ "signer": first_signer, "contact": "nobody-here" }),
    )
    .await;
    assert_eq!(
        stranger.status,
        StatusCode::BAD_REQUEST,
        "{}",
        stranger.body
    );
    assert!(
        stranger
            .body
            .contains("\"contact: is not an active contact"),
        "{}",
        stranger.body
    );
    // Cancelled: nobody can sign any more, and the signer asked is told.
    let cancelled = staff_call("/cancel", json!({ "reason": "Sent the wrong draft" })).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert!(env
        .mail_to(&env.email("nia"))
        .await
        .iter()
        .any(|mail| mail.subject.starts_with("Cancelled:")));
    let late = env
        .call("POST", &scene.path(false, &id, "/code"))
        .bearer(&other.token)
        .send()
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    let _ = body;
}

#[tokio::test]
async fn the_step_up_code_expires_and_five_wrong_tries_use_it_up() {
    let scene = scene(1).await;
    let env = &scene.env;
    let admin = &scene.client.session;
    let (_, created, _) = scene
        .create(json!({ "signers": [{ "contact": sub(admin) }], "fields": [field(0, "signature", 1, 0.7)] }))
        .await;
    let id = created["signature_request"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let signer = created["signature_request"]["signers"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let sign = |code: String| {
        scene.sign(admin, false, &id, json!({ "code": code, "typed_name": "Ada Admin", "consent": true, "signature_image": PNG }))
    };
    // No code asked for yet.
    let (status, _, body) = sign("123456".to_string()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // A second code within 30 seconds is refused with Retry-After.
    let code = scene.code(admin, false, &id, &scene.client.email).await;
    let again = env
        .call("POST", &scene.path(false, &id, "/code"))
        .bearer(&admin.token)
        .send()
        .await;
    assert_eq!(
        again.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        again.body
    );
    // Expired: moved ten minutes into the past in the store.
    let scope = scope_of(&scene.client);
    let tenant = env.app.store.tenant(&scope);
    let write = tenant
        .update(
            &atrium_signatures::data::code_sk(&id, &signer),
            "SET expires_at = :past, sent_at = :past",
            None,
            &[(
                ":past",
                atrium_shared::store::n(atrium_shared::ids::now_epoch() - 601),
            )],
        )
        .unwrap();
    tenant.commit(vec![write], vec![], "x").await.unwrap();
    let (status, _, body) = sign(code.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("expired"), "{body}");
    // A new code; five wrong tries use it up, and then the right one is refused too.
    let code = scene.code(admin, false, &id, &scene.client.email).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let (status, _, _) = sign(wrong.to_string()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    let (status, _, body) = sign(code).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("ask for a new one"), "{body}");
    let (_, seen, _) = scene.get(admin, &scene.path(false, &id, "")).await;
    assert_eq!(seen["signature_request"]["status"], "in_progress");
}

#[tokio::test]
async fn bad_input_is_refused_naming_the_field_and_changes_nothing() {
    let scene = scene(1).await;
    let env = &scene.env;
    let admin = &scene.client.session;
    let reader = env
        .contact_with_roles(&scene.client, "rex", vec![Role::ReadOnly])
        .await;
    let signers = json!([{ "contact": sub(admin) }]);
    for (body, field_name) in [
        (
            json!({ "signers": signers, "fields": [{ "signer": 0, "kind": "signature", "page": 1, "x": 0.8, "y": 0.1, "width": 0.3, "height": 0.1 }] }),
            "fields[0].x",
        ),
        (
            json!({ "signers": signers, "fields": [{ "signer": 0, "kind": "signature", "page": 2, "x": 0.1, "y": 0.1, "width": 0.3, "height": 0.1 }] }),
            "fields[0].page",
        ),
        (json!({ "signers": signers, "fields": [] }), "fields"),
        (json!({ "signers": [], "fields": [] }), "signers"),
        (
            json!({ "signers": [{ "contact": sub(&reader) }], "fields": [field(0, "signature", 1, 0.5)] }),
            "signers[0].contact",
        ),
        (
            json!({ "signers": [{ "contact": "someone-else" }], "fields": [field(0, "signature", 1, 0.5)] }),
            "signers[0].contact",
        ),
        (
            json!({ "signers": [{ "contact": sub(admin), "staff": sub(&scene.staff) }], "fields": [field(0, "signature", 1, 0.5)] }),
            "signers[0]",
        ),
        (
            json!({ "signers": signers, "fields": [field(0, "signature", 1, 0.5)], "version": 7 }),
            "version",
        ),
        (
            json!({ "signers": signers, "fields": [field(0, "signature", 1, 0.5)], "title": "Line\r\nBreak" }),
            "title",
        ),
    ] {
        let (status, _, text) = scene.create(body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field_name}: {text}");
        assert!(text.contains(field_name), "{field_name}: {text}");
    }
    // A document that is not a PDF cannot carry fields.
    let notes = env
        .upload_document(
            &scene.staff.token,
            &scene.base,
            "notes.txt",
            "text/plain",
            json!({}),
            b"plain words",
        )
        .await;
    let reply = env
        .call("POST", &format!("{}/signature-requests", scene.base))
        .bearer(&scene.staff.token)
        .json(json!({ "title": "Notes", "document_id": notes, "version": 1, "signers": signers, "fields": [field(0, "signature", 1, 0.5)] }))
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(
        reply.body.contains("version") && reply.body.contains("PDF"),
        "{}",
        reply.body
    );
    let (_, listed, _) = scene
        .get(&scene.staff, &format!("{}/signature-requests", scene.base))
        .await;
    assert_eq!(
        listed["signature_requests"],
        json!([]),
        "nothing was created"
    );

    // Signing: an oversize or non-PNG drawing, a name the PDF cannot show; a unicode name it can.
    let (_, created, _) = scene
        .create(json!({ "signers": signers, "fields": [field(0, "signature", 1, 0.5)] }))
        .await;
    let id = created["signature_request"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let code = scene.code(admin, false, &id, &scene.client.email).await;
    use base64::Engine;
    let huge = base64::engine::general_purpose::STANDARD.encode(vec![0u8; 200 * 1024]);
    let gif = base64::engine::general_purpose::STANDARD.encode(b"GIF89a....");
    for (image, name) in [(huge, "signature_image"), (gif, "signature_image")] {
        let (status, _, text) = scene
            .sign(admin, false, &id, json!({ "code": code, "typed_name": "Ada", "consent": true, "signature_image": image }))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
        assert!(text.contains(name), "{text}");
    }
    let (status, done, text) = scene
        .sign(admin, false, &id, json!({ "code": code, "typed_name": "Zoë Łukasz-Ørsted", "consent": true, "signature_image": PNG }))
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(done["status"], "completed", "{done}");
}
