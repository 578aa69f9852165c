//! The firm's Stripe keys in Secrets Manager (`Config::stripe_secret_name`), never in the
//! table, never in an answer, never in a log (`Debug` shows only their last four characters).
//! A sandbox keeps what it read for a minute; the webhook reads again before refusing a
//! signature, so a secret replaced a moment ago is honoured at once.

use atrium_shared::{ApiError, ApiResult, App};
use aws_sdk_secretsmanager::operation::put_secret_value::PutSecretValueError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StripeKeys {
    pub secret_key: String,
    pub webhook_secret: String,
    /// The signing secret being replaced: still accepted until the next change, so events
    /// Stripe signed with it before the switch are not lost.
    #[serde(default)]
    pub previous_webhook_secret: Option<String>,
}

impl std::fmt::Debug for StripeKeys {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("StripeKeys")
            .field("secret_key", &format!("…{}", last4(&self.secret_key)))
            .field(
                "webhook_secret",
                &format!("…{}", last4(&self.webhook_secret)),
            )
            .finish_non_exhaustive()
    }
}

impl StripeKeys {
    pub fn webhook_secrets(&self) -> Vec<&str> {
        std::iter::once(self.webhook_secret.as_str())
            .chain(self.previous_webhook_secret.as_deref())
            .collect()
    }
}

/// The last four characters, all a screen ever shows of a key.
pub fn last4(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

const CACHE_FOR: Duration = Duration::from_secs(60);

type Cached = (Instant, Option<StripeKeys>);

/// Per secret (a test process runs many stacks): the client and the last read.
static CLIENTS: Mutex<Vec<(String, aws_sdk_secretsmanager::Client)>> = Mutex::new(Vec::new());
static CACHE: Mutex<Option<HashMap<String, Cached>>> = Mutex::new(None);

fn client(app: &App) -> ApiResult<aws_sdk_secretsmanager::Client> {
    let key = format!(
        "{}|{}",
        app.config.aws_endpoint.as_deref().unwrap_or("aws"),
        app.config.region
    );
    let mut clients = CLIENTS
        .lock()
        .map_err(|_| ApiError::internal("secrets", "client lock poisoned"))?;
    if let Some((_, client)) = clients.iter().find(|(name, _)| *name == key) {
        return Ok(client.clone());
    }
    let sdk = atrium_shared::app::sdk_config(&app.config)
        .map_err(|error| ApiError::internal("secrets", error))?;
    let client = aws_sdk_secretsmanager::Client::new(&sdk);
    clients.push((key, client.clone()));
    Ok(client)
}

fn remember(name: &str, keys: Option<StripeKeys>) {
    if let Ok(mut cache) = CACHE.lock() {
        cache
            .get_or_insert_with(HashMap::new)
            .insert(name.to_string(), (Instant::now(), keys));
    }
}

fn recalled(name: &str) -> Option<Option<StripeKeys>> {
    let cache = CACHE.lock().ok()?;
    let (read_at, keys) = cache.as_ref()?.get(name)?;
    (read_at.elapsed() < CACHE_FOR).then(|| keys.clone())
}

/// The keys, from this sandbox's last minute or from Secrets Manager.
pub async fn keys(app: &App) -> ApiResult<Option<StripeKeys>> {
    let name = app.config.stripe_secret_name();
    match recalled(&name) {
        Some(keys) => Ok(keys),
        None => fresh_keys(app).await,
    }
}

/// The keys as Secrets Manager holds them now. A secret without keys (never connected, or
/// disconnected) is `None`.
pub async fn fresh_keys(app: &App) -> ApiResult<Option<StripeKeys>> {
    let name = app.config.stripe_secret_name();
    let answer = client(app)?
        .get_secret_value()
        .secret_id(&name)
        .send()
        .await;
    let keys = match answer {
        Ok(output) => output
            .secret_string()
            .and_then(|text| serde_json::from_str::<StripeKeys>(text).ok())
            .filter(|keys| !keys.secret_key.is_empty()),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|error| error.is_resource_not_found_exception()) =>
        {
            None
        }
        Err(error) => return Err(ApiError::dependency("secretsmanager get", error)),
    };
    remember(&name, keys.clone());
    Ok(keys)
}

/// Stores the keys (the secret is made on first use).
pub async fn store(app: &App, keys: Option<&StripeKeys>) -> ApiResult<()> {
    let name = app.config.stripe_secret_name();
    let value = match keys {
        Some(keys) => serde_json::to_string(keys),
        None => serde_json::to_string(&serde_json::json!({"secret_key": "", "webhook_secret": ""})),
    }
    .map_err(|error| ApiError::internal("secrets", error))?;
    let client = client(app)?;
    let put = client
        .put_secret_value()
        .secret_id(&name)
        .secret_string(&value)
        .send()
        .await;
    match put {
        Ok(_) => {}
        Err(error) if is_missing(&error) => {
            client
                .create_secret()
                .name(&name)
                .description("The firm's Stripe keys (Atrium payments)")
                .secret_string(&value)
                .send()
                .await
                .map_err(|error| ApiError::dependency("secretsmanager create", error))?;
        }
        Err(error) => return Err(ApiError::dependency("secretsmanager put", error)),
    }
    remember(&name, keys.cloned());
    Ok(())
}

fn is_missing(
    error: &aws_sdk_secretsmanager::error::SdkError<PutSecretValueError, impl std::fmt::Debug>,
) -> bool {
    error
        .as_service_error()
        .is_some_and(|error| error.is_resource_not_found_exception())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_never_show_more_than_four_characters() {
        let keys = StripeKeys {
            secret_key: "sk_test_abcdefgh1234".into(),
            webhook_secret: "whsec_zyxwvuts9876".into(),
            previous_webhook_secret: None,
        };
        let shown = format!("{keys:?}");
        assert!(shown.contains("1234") && shown.contains("9876"), "{shown}");
        assert!(
            !shown.contains("abcdefgh") && !shown.contains("zyxwvuts"),
            "{shown}"
        );
        assert_eq!(last4("abc"), "abc");
        assert_eq!(last4("é1234"), "1234");
    }
}
