//! Payments in the tests: one localstripe per test binary (like moto), and per test a stack
//! whose payments functions call it, with the firm's Stripe connected through the API and
//! localstripe's webhook delivered over HTTP to this stack's own API (a small server on a free
//! port running the same gateway), signed with this stack's secret, as Stripe would.

use crate::{Session, TestEnv};
use atrium_local::gateway::Gateway;
use atrium_local::server::Server;
use atrium_local::stripe::LocalStripe;
use atrium_shared::principal::Role;
use http::StatusCode;
use serde_json::{json, Value};
use std::sync::{Arc, OnceLock};

static LOCALSTRIPE: OnceLock<Result<LocalStripe, String>> = OnceLock::new();

/// The localstripe every test of this binary shares.
pub fn localstripe() -> &'static LocalStripe {
    match LOCALSTRIPE.get_or_init(|| LocalStripe::start(&atrium_local::project_root())) {
        Ok(stripe) => stripe,
        Err(error) => panic!("localstripe: {error}"),
    }
}

/// A test card that succeeds; one that Stripe accepts for setting up and then declines when
/// charged (a decline the portal sees); one declined already while setting up (in Stripe.js).
pub const GOOD_CARD: &str = "4242424242424242";
pub const DECLINED_CARD: &str = "4000000000000341";
pub const DECLINED_AT_SETUP_CARD: &str = "4000000000000002";

pub struct PaymentsEnv {
    pub env: TestEnv,
    pub admin: Session,
    pub webhook_secret: String,
    pub publishable_key: String,
}

impl PaymentsEnv {
    /// A stack with Stripe connected and its webhook delivered.
    pub async fn new() -> Self {
        let stripe = localstripe();
        let env = TestEnv::with_options(|options| {
            options.stripe_endpoint = Some(stripe.endpoint.clone());
        })
        .await;
        let admin = env.staff(vec![Role::Admin]).await;
        let webhook_secret = format!("whsec_{}", env.tag);
        let publishable_key = format!("pk_test_{}", env.tag);
        let url = serve_api(&env).await;
        stripe
            .register_webhook(
                &env.tag,
                &format!("{url}/api/stripe/webhook"),
                &webhook_secret,
            )
            .await
            .expect("webhook");
        let connected = env
            .call("PUT", "/api/firm/stripe")
            .bearer(&admin.token)
            .json(json!({
                "secret_key": format!("sk_test_{}", env.tag),
                "webhook_secret": webhook_secret,
                "publishable_key": publishable_key,
                "bank_debit": true,
            }))
            .send()
            .await;
        assert_eq!(
            connected.status,
            StatusCode::OK,
            "connect: {}",
            connected.body
        );
        Self {
            env,
            admin,
            webhook_secret,
            publishable_key,
        }
    }
}

/// Serves the stack's API on a free port of 127.0.0.1 for as long as the test runs.
async fn serve_api(env: &TestEnv) -> String {
    let template = std::fs::read_to_string(atrium_local::project_root().join("template.yaml"))
        .expect("template.yaml");
    let gateway = Arc::new(Gateway::new(env.app.clone(), &template).expect("gateway"));
    let server = Arc::new(Server {
        gateway,
        web_root: std::env::temp_dir(),
        moto_endpoint: env.endpoint.clone(),
    });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("listener");
    let port = listener.local_addr().expect("port").port();
    tokio::spawn(server.serve(listener));
    format!("http://127.0.0.1:{port}")
}

/// What Stripe.js does in the browser with a SetupIntent's secret and the card typed into its
/// element (`stripe.confirmCardSetup`): the card goes to Stripe with the publishable key, never
/// to the portal. Answers the SetupIntent as Stripe returns it.
pub async fn confirm_card_setup(client_secret: &str, publishable_key: &str, card: &str) -> Value {
    let setup_intent = client_secret.split("_secret_").next().expect("seti id");
    let answer = reqwest::Client::new()
        .post(format!(
            "{}/v1/setup_intents/{setup_intent}/confirm",
            localstripe().endpoint
        ))
        .body(
            json!({
                "key": publishable_key,
                "use_stripe_sdk": true,
                "client_secret": client_secret,
                "payment_method_data": {
                    "type": "card",
                    "card": { "number": card, "exp_month": "12", "exp_year": "2030", "cvc": "123" },
                    "billing_details": { "address": { "postal_code": "12345" } }
                }
            })
            .to_string(),
        )
        .send()
        .await
        .expect("confirm card setup");
    answer.json().await.expect("setup intent")
}

/// A secret-key call to localstripe, as a test looks behind the portal's back.
pub async fn stripe_get(path: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{}{path}", localstripe().endpoint))
        .header("authorization", "Bearer sk_test_tests")
        .send()
        .await
        .expect("stripe")
        .json()
        .await
        .expect("json")
}
