//! A small typed client over the few Stripe endpoints the portal uses (customers, setup and
//! payment intents, payment methods, the account and its balance), on the same HTTPS stack as
//! the AWS SDK's (hyper, rustls on *ring*). A full Stripe crate would bring every resource of
//! the API (megabytes of generated code) for eight calls.
//!
//! Requests are form-encoded as Stripe's API expects; every one that creates something carries
//! an `Idempotency-Key`, so a retry after a lost answer gets the first answer back instead of a
//! second object (a second charge, above all). The base URL is `Config::stripe_api`:
//! api.stripe.com in AWS, localstripe on the local stack.

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

/// Stripe answers within a few hundred milliseconds; a payment page should not hang longer.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// Stripe's objects are a few kilobytes.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;
/// The API version the answers below are read in (Stripe keeps old versions working).
const API_VERSION: &str = "2024-06-20";

type HttpsClient = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    Full<Bytes>,
>;

/// What a call to Stripe came to when it did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StripeError {
    /// Stripe answered and refused (a declined card is a 402 with `code: card_declined`).
    Refused {
        status: u16,
        code: Option<String>,
        message: String,
        /// The intent a refused confirmation left behind, if any.
        payment_intent: Option<String>,
    },
    /// Not reached, too slow, a 5xx, or an answer that is not Stripe's.
    Unavailable(String),
}

impl StripeError {
    pub fn is_card_error(&self) -> bool {
        matches!(self, StripeError::Refused { status: 402, .. })
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, StripeError::Refused { status: 404, .. })
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Account {
    pub id: String,
    #[serde(default)]
    pub business_profile: Option<BusinessProfile>,
    #[serde(default)]
    pub settings: Option<AccountSettings>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BusinessProfile {
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AccountSettings {
    #[serde(default)]
    pub dashboard: Option<Dashboard>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Dashboard {
    #[serde(default)]
    pub display_name: Option<String>,
}

impl Account {
    /// The name the firm's Stripe dashboard shows.
    pub fn display_name(&self) -> Option<String> {
        self.settings
            .as_ref()
            .and_then(|settings| settings.dashboard.as_ref())
            .and_then(|dashboard| dashboard.display_name.clone())
            .or_else(|| {
                self.business_profile
                    .as_ref()
                    .and_then(|profile| profile.name.clone())
            })
            .filter(|name| !name.trim().is_empty())
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Customer {
    pub id: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SetupIntent {
    pub id: String,
    pub client_secret: Option<String>,
    pub status: String,
    #[serde(default)]
    pub customer: Option<String>,
    #[serde(default)]
    pub payment_method: Option<String>,
    #[serde(default)]
    pub metadata: HashMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PaymentIntent {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    pub status: String,
    #[serde(default)]
    pub client_secret: Option<String>,
    #[serde(default)]
    pub metadata: HashMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PaymentMethod {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub card: Option<Last4>,
    #[serde(default)]
    pub sepa_debit: Option<Last4>,
    #[serde(default)]
    pub us_bank_account: Option<Last4>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Last4 {
    #[serde(default)]
    pub last4: Option<String>,
}

impl PaymentMethod {
    pub fn last4(&self) -> Option<String> {
        [&self.card, &self.sepa_debit, &self.us_bank_account]
            .into_iter()
            .flatten()
            .find_map(|details| details.last4.clone())
    }
}

/// What a new PaymentIntent is made of.
pub struct NewPaymentIntent<'a> {
    pub amount_minor: i64,
    /// Lower-case ISO 4217.
    pub currency: &'a str,
    pub customer: &'a str,
    pub payment_method: &'a str,
    pub metadata: &'a [(&'a str, &'a str)],
}

/// One Stripe account, reached with its secret key.
pub struct Stripe<'a> {
    http: &'static HttpsClient,
    base: &'a str,
    secret_key: &'a str,
}

static HTTP: OnceLock<Result<HttpsClient, String>> = OnceLock::new();

fn http() -> Result<&'static HttpsClient, StripeError> {
    HTTP.get_or_init(|| {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| format!("TLS versions: {error}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            // Plain HTTP for localstripe; api.stripe.com is always https.
            .https_or_http()
            .enable_http1()
            .build();
        Ok(
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build(connector),
        )
    })
    .as_ref()
    .map_err(|error| StripeError::Unavailable(error.clone()))
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        serializer.append_pair(name, value);
    }
    serializer.finish()
}

#[derive(Deserialize)]
struct ErrorAnswer {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    payment_intent: Option<IdOnly>,
}

#[derive(Deserialize)]
struct IdOnly {
    id: String,
}

impl<'a> Stripe<'a> {
    pub fn new(base: &'a str, secret_key: &'a str) -> Result<Self, StripeError> {
        Ok(Self {
            http: http()?,
            base: base.trim_end_matches('/'),
            secret_key,
        })
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: http::Method,
        path: &str,
        pairs: &[(&str, &str)],
        idempotency_key: Option<&str>,
    ) -> Result<T, StripeError> {
        let body = if method == http::Method::GET {
            Bytes::new()
        } else {
            Bytes::from(form(pairs))
        };
        let mut request = http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("authorization", format!("Bearer {}", self.secret_key))
            .header("stripe-version", API_VERSION)
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(key) = idempotency_key {
            request = request.header("idempotency-key", key);
        }
        let request = request
            .body(Full::new(body))
            .map_err(|error| StripeError::Unavailable(format!("request: {error}")))?;
        let answer = tokio::time::timeout(CALL_TIMEOUT, async {
            let response = self
                .http
                .request(request)
                .await
                .map_err(|error| StripeError::Unavailable(format!("not reached: {error}")))?;
            let status = response.status();
            let bytes = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
                .collect()
                .await
                .map_err(|error| StripeError::Unavailable(format!("answer: {error}")))?
                .to_bytes();
            Ok::<_, StripeError>((status, bytes))
        })
        .await
        .map_err(|_| StripeError::Unavailable("no answer within 10 s".into()))??;
        let (status, bytes) = answer;
        if status.is_success() {
            return serde_json::from_slice(&bytes)
                .map_err(|error| StripeError::Unavailable(format!("unreadable answer: {error}")));
        }
        if status.is_server_error() {
            return Err(StripeError::Unavailable(format!(
                "Stripe answered {status}"
            )));
        }
        let detail = serde_json::from_slice::<ErrorAnswer>(&bytes).ok();
        Err(StripeError::Refused {
            status: status.as_u16(),
            code: detail.as_ref().and_then(|answer| answer.error.code.clone()),
            message: detail
                .as_ref()
                .and_then(|answer| answer.error.message.clone())
                .unwrap_or_else(|| format!("Stripe answered {status}")),
            payment_intent: detail
                .and_then(|answer| answer.error.payment_intent)
                .map(|intent| intent.id),
        })
    }

    /// Proves the key works (every key may read the balance).
    pub async fn check_key(&self) -> Result<(), StripeError> {
        self.call::<serde_json::Value>(http::Method::GET, "/v1/balance", &[], None)
            .await
            .map(|_| ())
    }

    /// The account the key belongs to; `None` where the endpoint is not served (localstripe).
    pub async fn account(&self) -> Result<Option<Account>, StripeError> {
        match self.call(http::Method::GET, "/v1/account", &[], None).await {
            Ok(account) => Ok(Some(account)),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(error),
        }
    }

    pub async fn create_customer(
        &self,
        name: &str,
        tenant_id: &str,
        idempotency_key: &str,
    ) -> Result<Customer, StripeError> {
        self.call(
            http::Method::POST,
            "/v1/customers",
            &[("name", name), ("metadata[tenant]", tenant_id)],
            Some(idempotency_key),
        )
        .await
    }

    /// A SetupIntent the browser confirms with Stripe.js (the card or bank details go from the
    /// browser to Stripe, never through the portal), attaching the payment method to the
    /// client's customer for the charge the portal then makes.
    pub async fn create_setup_intent(
        &self,
        customer: &str,
        method: &str,
        metadata: &[(&str, &str)],
        idempotency_key: &str,
    ) -> Result<SetupIntent, StripeError> {
        let mut pairs = vec![
            ("customer", customer),
            ("payment_method_types[]", method),
            ("usage", "on_session"),
        ];
        let keys: Vec<String> = metadata
            .iter()
            .map(|(name, _)| format!("metadata[{name}]"))
            .collect();
        pairs.extend(
            keys.iter()
                .zip(metadata)
                .map(|(key, (_, value))| (key.as_str(), *value)),
        );
        self.call(
            http::Method::POST,
            "/v1/setup_intents",
            &pairs,
            Some(idempotency_key),
        )
        .await
    }

    pub async fn setup_intent(&self, id: &str) -> Result<SetupIntent, StripeError> {
        self.call(
            http::Method::GET,
            &format!("/v1/setup_intents/{id}"),
            &[],
            None,
        )
        .await
    }

    /// Creates and confirms the charge at once.
    pub async fn create_payment_intent(
        &self,
        new: &NewPaymentIntent<'_>,
        idempotency_key: &str,
    ) -> Result<PaymentIntent, StripeError> {
        let amount = new.amount_minor.to_string();
        let mut pairs = vec![
            ("amount", amount.as_str()),
            ("currency", new.currency),
            ("customer", new.customer),
            ("payment_method", new.payment_method),
            ("confirm", "true"),
        ];
        let keys: Vec<String> = new
            .metadata
            .iter()
            .map(|(name, _)| format!("metadata[{name}]"))
            .collect();
        pairs.extend(
            keys.iter()
                .zip(new.metadata)
                .map(|(key, (_, value))| (key.as_str(), *value)),
        );
        self.call(
            http::Method::POST,
            "/v1/payment_intents",
            &pairs,
            Some(idempotency_key),
        )
        .await
    }

    pub async fn payment_intent(&self, id: &str) -> Result<PaymentIntent, StripeError> {
        self.call(
            http::Method::GET,
            &format!("/v1/payment_intents/{id}"),
            &[],
            None,
        )
        .await
    }

    pub async fn cancel_payment_intent(&self, id: &str) -> Result<PaymentIntent, StripeError> {
        self.call(
            http::Method::POST,
            &format!("/v1/payment_intents/{id}/cancel"),
            &[],
            None,
        )
        .await
    }

    pub async fn payment_method(&self, id: &str) -> Result<PaymentMethod, StripeError> {
        self.call(
            http::Method::GET,
            &format!("/v1/payment_methods/{id}"),
            &[],
            None,
        )
        .await
    }
}

/// Stripe ids are short ASCII words (`seti_…`, `pi_…`); anything else never reaches a URL.
pub fn is_stripe_id(text: &str, prefix: &str) -> bool {
    text.len() <= 255
        && text.starts_with(prefix)
        && text.len() > prefix.len()
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_encoded_as_stripe_reads_them() {
        assert_eq!(
            form(&[("metadata[tenant]", "a b&c"), ("amount", "100")]),
            "metadata%5Btenant%5D=a+b%26c&amount=100"
        );
    }

    #[test]
    fn only_plain_ids_pass() {
        assert!(is_stripe_id("seti_123abc", "seti_"));
        assert!(!is_stripe_id("seti_", "seti_"));
        assert!(!is_stripe_id("pi_123", "seti_"));
        assert!(!is_stripe_id("seti_../../v1/charges", "seti_"));
        assert!(!is_stripe_id(&format!("seti_{}", "a".repeat(300)), "seti_"));
    }
}
