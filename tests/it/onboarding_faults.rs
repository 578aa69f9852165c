//! Onboarding is many AWS calls. A fault is injected into each of them in turn (an interceptor
//! on the real SDK clients fails that one call); the attempt fails with a 503, and calling
//! onboard again with the same slug finishes the job with one pool, one user and one email.

use atrium_clients::onboard::{onboard, ContactInput, OnboardInput};
use atrium_shared::http::RequestMeta;
use atrium_shared::principal::{Principal, Role};
use atrium_shared::store::records::{InvitationStatus, MailState};
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

async fn faulty_app(env: &TestEnv, fault: &FailOnce) -> App {
    let sdk = atrium_shared::app::sdk_config(&env.config).expect("sdk config");
    let dynamo = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&sdk)
            .interceptor(fault.clone())
            .build(),
    );
    let cognito = aws_sdk_cognitoidentityprovider::Client::from_conf(
        aws_sdk_cognitoidentityprovider::config::Builder::from(&sdk)
            .interceptor(fault.clone())
            .build(),
    );
    let ses = aws_sdk_sesv2::Client::from_conf(
        aws_sdk_sesv2::config::Builder::from(&sdk)
            .interceptor(fault.clone())
            .build(),
    );
    let s3 = atrium_shared::app::s3_client(&env.config, &sdk);
    App::new(env.config.clone(), dynamo, cognito, ses, s3)
}

/// Every AWS call onboarding makes, in order, with how many of the same came before it.
const STEPS: &[(&str, usize)] = &[
    ("TransactWriteItems", 0), // claim the slug
    ("ListUserPools", 0),
    ("CreateUserPool", 0),
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
        let app = faulty_app(&env, &fault).await;
        let slug = format!("fault-{index}-{}", &env.tag[1..7]);
        let email = env.email(&format!("contact{index}"));
        let input = || OnboardInput {
            name: format!("Fault {index} Ltd"),
            slug: slug.clone(),
            contact: ContactInput {
                name: "Fran Fault".to_string(),
                email: email.clone(),
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
        let pools = env
            .app
            .cognito
            .list_user_pools()
            .max_results(60)
            .send()
            .await
            .unwrap();
        let named = pools
            .user_pools()
            .iter()
            .filter(|pool| {
                pool.name()
                    .is_some_and(|name| name.ends_with(&record.tenant_id))
            })
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
