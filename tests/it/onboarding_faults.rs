//! Onboarding is many AWS calls. A fault is injected into each of them in turn (an interceptor
//! on the real SDK clients fails that one call); the attempt fails with a 503, and calling
//! onboard again with the same slug finishes the job with one pool, one user and one email.
//! An address Cognito refuses, and the firm's client limit, leave nothing behind; a first
//! attempt never lists the account's pools, so its cost does not grow with the firm.

use atrium_clients::onboard::{onboard, ContactInput, OnboardInput};
use atrium_shared::http::RequestMeta;
use atrium_shared::principal::{Principal, Role};
use atrium_shared::store::records::{InvitationStatus, MailState};
use atrium_shared::types::Email;
use atrium_shared::App;
use atrium_tests::{TestEnv, CONTACT_PASSWORD};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use http::StatusCode;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Fails the `nth` call (0-based) of one operation, once; every other call goes through.
#[derive(Debug, Clone)]
struct FailOnce {
    operation: &'static str,
    calls_left_before_fault: Arc<AtomicUsize>,
    fired: Arc<AtomicUsize>,
}

impl FailOnce {
    fn new(operation: &'static str, nth: usize) -> Self {
        Self {
            operation,
            calls_left_before_fault: Arc::new(AtomicUsize::new(nth)),
            fired: Arc::new(AtomicUsize::new(0)),
        }
    }
}

impl Intercept for FailOnce {
    fn name(&self) -> &'static str {
        "FailOnce"
    }

    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let is_target = cfg
            .load::<Metadata>()
            .is_some_and(|metadata| metadata.name() == self.operation);
        if !is_target || self.fired.load(Ordering::SeqCst) > 0 {
            return Ok(());
        }
        if self.calls_left_before_fault.load(Ordering::SeqCst) > 0 {
            self.calls_left_before_fault.fetch_sub(1, Ordering::SeqCst);
            return Ok(());
        }
        self.fired.fetch_add(1, Ordering::SeqCst);
        Err(format!("injected fault in {}", self.operation).into())
    }
}

/// The portal's clients with `interceptor` on the DynamoDB, Cognito and SES ones.
fn app_with<I: Intercept + Clone + 'static>(env: &TestEnv, interceptor: &I) -> App {
    let sdk = atrium_shared::app::sdk_config(&env.config).expect("sdk config");
    let dynamo = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&sdk)
            .interceptor(interceptor.clone())
            .build(),
    );
    let cognito = aws_sdk_cognitoidentityprovider::Client::from_conf(
        aws_sdk_cognitoidentityprovider::config::Builder::from(&sdk)
            .interceptor(interceptor.clone())
            .build(),
    );
    let ses = aws_sdk_sesv2::Client::from_conf(
        aws_sdk_sesv2::config::Builder::from(&sdk)
            .interceptor(interceptor.clone())
            .build(),
    );
    let s3 = atrium_shared::app::s3_client(&env.config, &sdk);
    App::new(env.config.clone(), dynamo, cognito, ses, s3)
}

/// The names of the account's user pools (the first 60: each test makes a few).
async fn pool_names(env: &TestEnv) -> Vec<String> {
    env.app
        .cognito
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .unwrap()
        .user_pools()
        .iter()
        .filter_map(|pool| pool.name().map(str::to_string))
        .collect()
}

/// Every AWS call onboarding makes, in order, with how many of the same came before it.
const STEPS: &[(&str, usize)] = &[
    ("TransactWriteItems", 0), // claim the slug, count the client
    ("CreateUserPool", 0),     // no ListUserPools: the claim says no pool exists yet
    ("SetUserPoolMfaConfig", 0),
    ("TransactWriteItems", 1), // record the pool
    ("ListUserPoolClients", 0),
    ("CreateUserPoolClient", 0),
    ("TransactWriteItems", 2), // record the app client, issuer and slug
    ("AdminCreateUser", 0),
    ("GetItem", 0),            // the audit trail's head
    ("TransactWriteItems", 3), // profile, contact, audit
    ("TransactWriteItems", 4), // the invitation, marked as being sent
    ("GetItem", 1),            // the firm's branding, for the mail (a fault: the defaults)
    ("SendEmail", 0),
    ("GetItem", 2),            // the audit trail's head
    ("TransactWriteItems", 5), // mark done, after SES accepted the mail
];

/// Steps whose fault onboarding rides out: the mail goes out in the default branding rather
/// than not at all.
const TOLERATED: &[(&str, usize)] = &[("GetItem", 1)];

#[tokio::test]
async fn a_fault_at_any_step_is_resumed_without_doing_anything_twice() {
    let env = TestEnv::new().await;
    let admin = Principal::staff("fault-admin", vec![Role::Admin]);
    for (index, (operation, nth)) in STEPS.iter().enumerate() {
        let fault = FailOnce::new(operation, *nth);
        let app = app_with(&env, &fault);
        let slug = format!("fault-{index}-{}", &env.tag[1..7]);
        let email = env.email(&format!("contact{index}"));
        let input = || OnboardInput {
            name: format!("Fault {index} Ltd"),
            slug: slug.clone(),
            contact: ContactInput {
                name: "Fran Fault".to_string(),
                email: Email::parse(&email).unwrap(),
            },
        };
        let first = onboard(&app, &admin, input(), &RequestMeta::default()).await;
        assert_eq!(
            fault.fired.load(Ordering::SeqCst),
            1,
            "{operation} #{nth} was reached"
        );
        if TOLERATED.contains(&(*operation, *nth)) {
            let record = first
                .unwrap_or_else(|error| panic!("{operation} #{nth} is ridden out: {error}"))
                .client;
            assert!(record.onboarding_complete);
            let mail = env.mail_to(&email).await;
            assert_eq!(
                mail.len(),
                1,
                "one email after a fault in {operation} #{nth}"
            );
            assert!(mail[0]
                .body
                .contains(&atrium_shared::mail::escape_html(&env.config.firm_name)));
            continue;
        }
        let error = first.expect_err(&format!("a fault in {operation} #{nth} fails the attempt"));
        assert_eq!(
            error.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{operation} #{nth}"
        );

        let second = onboard(&app, &admin, input(), &RequestMeta::default())
            .await
            .unwrap_or_else(|error| panic!("resume after {operation} #{nth}: {error}"));
        let record = second.client;
        assert!(record.onboarding_complete, "{operation} #{nth}");
        assert_eq!(record.invitation, InvitationStatus::Sent);
        assert_eq!(record.mail_state, MailState::Sent);

        // One pool for this tenant, one user in it, one email.
        let named = pool_names(&env)
            .await
            .iter()
            .filter(|name| name.ends_with(&record.tenant_id))
            .count();
        assert_eq!(named, 1, "one pool after a fault in {operation} #{nth}");
        let users = env
            .app
            .cognito
            .list_users()
            .user_pool_id(record.pool_id.clone().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(users.users().len(), 1, "one user after {operation} #{nth}");
        let mail = env.mail_to(&email).await;
        assert_eq!(
            mail.len(),
            1,
            "one email after a fault in {operation} #{nth}"
        );

        // The one invitation works. (After a fault in the last step, the mail went out with
        // the token of the first attempt; it is still the valid one.)
        let token = atrium_tests::invitation_token_in(&mail[0].body).unwrap();
        let accepted = env
            .call("POST", "/api/auth/accept-invite")
            .json(json!({ "token": token, "password": CONTACT_PASSWORD }))
            .send()
            .await;
        assert_eq!(
            accepted.status,
            StatusCode::OK,
            "{operation} #{nth}: {}",
            accepted.body
        );

        // A third call is an ordinary "slug taken".
        let third = onboard(&app, &admin, input(), &RequestMeta::default()).await;
        assert_eq!(third.unwrap_err().status, StatusCode::CONFLICT);
    }
}

/// Counts every AWS call by operation name (an interceptor on the real SDK clients).
#[derive(Debug, Clone, Default)]
struct CallCounter {
    calls: Arc<std::sync::Mutex<Vec<String>>>,
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }

    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(metadata) = cfg.load::<Metadata>() {
            self.calls.lock().unwrap().push(metadata.name().to_string());
        }
        Ok(())
    }
}

fn input_for(env: &TestEnv, slug: &str, email: &str) -> OnboardInput {
    OnboardInput {
        name: format!("{slug} Ltd"),
        slug: format!("{slug}-{}", &env.tag[1..7]),
        contact: ContactInput {
            name: "Casey Contact".to_string(),
            email: Email::parse(email).unwrap(),
        },
    }
}

/// The same AWS calls, one for one, for the first client and for a firm that already has
/// clients (a ListUserPools would grow with every pool of the account).
#[tokio::test]
async fn an_onboarding_costs_the_same_calls_however_many_clients_exist() {
    let env = TestEnv::new().await;
    let admin = Principal::staff("counting-admin", vec![Role::Admin]);
    let mut per_onboarding = Vec::new();
    for index in 0..3 {
        let counter = CallCounter::default();
        let app = app_with(&env, &counter);
        let email = env.email(&format!("count{index}"));
        onboard(
            &app,
            &admin,
            input_for(&env, &format!("count{index}"), &email),
            &RequestMeta::default(),
        )
        .await
        .unwrap();
        per_onboarding.push(counter.calls.lock().unwrap().clone());
    }
    assert!(
        !per_onboarding[0].iter().any(|call| call == "ListUserPools"),
        "{:?}",
        per_onboarding[0]
    );
    assert_eq!(per_onboarding[0], per_onboarding[1]);
    assert_eq!(per_onboarding[1], per_onboarding[2]);
}

/// Cognito refuses an address the portal's own check lets through (moto, like Cognito, takes
/// no apostrophe in an email username): a 400 naming the field, and no client, slug, pool or
/// count left behind, so the same slug onboards at once with the corrected address.
#[tokio::test]
async fn an_address_cognito_refuses_leaves_nothing_behind() {
    let env = TestEnv::new().await;
    let staff = env.staff(vec![Role::Admin]).await;
    let before = env.app.store.client_count().await.unwrap();
    let slug = format!("refused-{}", &env.tag[1..7]);
    let onboard_with = |email: String| {
        env.call("POST", "/api/clients")
            .bearer(&staff.token)
            .json(json!({ "name": "Refused Ltd", "slug": slug, "contact": { "name": "Orla O'Brien", "email": email } }))
            .send()
    };
    let refused = onboard_with(format!("o'brien.{}@example.com", env.tag)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.error_message().starts_with("contact.email:"),
        "{}",
        refused.body
    );
    assert_eq!(env.app.store.client_count().await.unwrap(), before);
    assert!(env.app.store.slug_record(&slug).await.unwrap().is_none());
    let listed = env
        .call("GET", "/api/clients")
        .bearer(&staff.token)
        .send()
        .await;
    assert!(!listed.body.contains(&slug), "{}", listed.body);
    let client_pools = format!("{}-client-", env.config.resource_prefix);
    let leftover: Vec<String> = pool_names(&env)
        .await
        .into_iter()
        .filter(|name| name.starts_with(&client_pools))
        .collect();
    assert!(
        leftover.is_empty(),
        "the refused client's pool is deleted: {leftover:?}"
    );

    // Markup in an address never reaches Cognito: the portal's own check names the field.
    let markup = onboard_with("<script>@example.com".to_string()).await;
    assert_eq!(markup.status, StatusCode::BAD_REQUEST);
    assert!(
        markup.error_message().starts_with("contact.email:"),
        "{}",
        markup.body
    );

    let corrected = onboard_with(format!("obrien.{}@example.com", env.tag)).await;
    assert_eq!(corrected.status, StatusCode::CREATED, "{}", corrected.body);
    assert_eq!(env.app.store.client_count().await.unwrap(), before + 1);

    // Staff and contact invitations name the field the same way.
    let staff_invite = env
        .call("POST", "/api/staff")
        .bearer(&staff.token)
        .json(json!({ "name": "Orla", "email": format!("o'brien.{}@example.com", env.tag), "role": "staff" }))
        .send()
        .await;
    assert_eq!(
        staff_invite.status,
        StatusCode::BAD_REQUEST,
        "{}",
        staff_invite.body
    );
    assert!(
        staff_invite.error_message().starts_with("email:"),
        "{}",
        staff_invite.body
    );
}

/// Past the firm's client limit (one user pool each) onboarding is refused before anything
/// is made, with a message saying what to raise.
#[tokio::test]
async fn onboarding_past_the_client_limit_makes_nothing() {
    let env = TestEnv::with_options(|options| options.client_limit = 2).await;
    let staff = env.staff(vec![Role::Admin]).await;
    env.client(&staff, "first").await;
    env.client(&staff, "second").await;
    let third = env
        .call("POST", "/api/clients")
        .bearer(&staff.token)
        .json(json!({ "name": "Third Ltd", "slug": format!("third-{}", &env.tag[1..7]), "contact": { "name": "Tess Third", "email": env.email("third") } }))
        .send()
        .await;
    assert_eq!(third.status, StatusCode::CONFLICT, "{}", third.body);
    assert_eq!(third.error_code(), "client_limit_reached");
    assert!(
        third.error_message().contains("ClientLimit"),
        "{}",
        third.body
    );
    assert_eq!(env.app.store.client_count().await.unwrap(), 2);
    let listed = env
        .call("GET", "/api/clients")
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(
        listed.json["clients"].as_array().unwrap().len(),
        2,
        "{}",
        listed.body
    );
    assert!(env.mail_to(&env.email("third")).await.is_empty());
}

/// Inviting a contact is a Cognito user, a transaction and a mail. When the mail fails after
/// the contact is written, the answer says so and names the way on: sending the invitation
/// again, which ends with one working link (the contact is not made twice).
#[tokio::test]
async fn a_contact_invitation_whose_mail_failed_is_resumed_by_sending_it_again() {
    let env = TestEnv::new().await;
    let staff = env.staff(vec![Role::Admin]).await;
    let client = env.client(&staff, "retry").await;
    let fault = FailOnce::new("SendEmail", 0);
    let faulty = TestEnv::from_app(
        Arc::new(app_with(&env, &fault)),
        env.config.clone(),
        env.endpoint.clone(),
        env.tag.clone(),
    );
    let email = env.email("mia");
    let base = format!("/api/clients/{}/contacts", client.tenant_id);
    let failed = faulty
        .call("POST", &base)
        .bearer(&staff.token)
        .json(json!({ "name": "Mia Member", "email": email, "roles": ["member"] }))
        .send()
        .await;
    assert_eq!(
        failed.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        failed.body
    );
    assert_eq!(failed.error_code(), "invitation_not_sent");
    assert!(
        failed.error_message().contains("/invitation"),
        "{}",
        failed.body
    );
    assert!(env.mail_to(&email).await.is_empty());
    let twice = env
        .call("POST", &base)
        .bearer(&staff.token)
        .json(json!({ "name": "Mia Member", "email": email, "roles": ["member"] }))
        .send()
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);

    let listed = env.call("GET", &base).bearer(&staff.token).send().await;
    let mia = listed.json["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|contact| contact["email"] == email.as_str())
        .cloned()
        .expect("the contact was written once");
    let resent = env
        .call(
            "POST",
            &format!("{base}/{}/invitation", mia["sub"].as_str().unwrap()),
        )
        .bearer(&staff.token)
        .send()
        .await;
    assert_eq!(resent.status, StatusCode::OK, "{}", resent.body);
    let token = env.invitation_token(&email).await;
    let accepted = env
        .call("POST", "/api/auth/accept-invite")
        .json(json!({ "token": token, "password": CONTACT_PASSWORD }))
        .send()
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
}
