//! The firm's Stripe connection (firm admins):
//!
//! - `GET /api/firm/stripe`: connected or not, the account, the last four characters of each
//!   key, the publishable key, bank debit, and the webhook URL to give Stripe;
//! - `PUT /api/firm/stripe` `{secret_key, webhook_secret, publishable_key, bank_debit}`:
//!   checks the key with Stripe, stores both secrets in Secrets Manager and the rest in the
//!   table, in the firm's trail. The previous signing secret stays accepted until the next
//!   change, so events signed before a rotation still land;
//! - `DELETE /api/firm/stripe`: disconnects (invoices behave as before: no Pay button).
//!
//! No route ever answers a secret, and none is logged.

use crate::data::{settings, StripeSettingsRecord};
use crate::secrets::{self, last4, StripeKeys};
use crate::stripe::Stripe;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{ok, parse_json, RequestMeta};
use atrium_shared::ids::now_rfc3339;
use atrium_shared::keys;
use atrium_shared::principal::Principal;
use atrium_shared::store::delete_tx;
use atrium_shared::{ApiError, ApiResult, App};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
pub struct StripeSettingsView {
    pub connected: bool,
    pub account_id: Option<String>,
    pub account_name: Option<String>,
    pub secret_key_last4: Option<String>,
    pub webhook_secret_last4: Option<String>,
    pub publishable_key: Option<String>,
    pub bank_debit: bool,
    /// Where Stripe sends events: the portal's own origin (CloudFront forwards /api/*).
    pub webhook_url: String,
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
}

impl StripeSettingsView {
    fn of(app: &App, record: Option<StripeSettingsRecord>) -> Self {
        let webhook_url = format!(
            "{}/api/stripe/webhook",
            app.config.portal_origin.trim_end_matches('/')
        );
        match record {
            None => Self {
                connected: false,
                account_id: None,
                account_name: None,
                secret_key_last4: None,
                webhook_secret_last4: None,
                publishable_key: None,
                bank_debit: false,
                webhook_url,
                updated_at: None,
                updated_by: None,
            },
            Some(record) => Self {
                connected: true,
                account_id: record.account_id,
                account_name: record.account_name,
                secret_key_last4: Some(record.secret_key_last4),
                webhook_secret_last4: Some(record.webhook_secret_last4),
                publishable_key: Some(record.publishable_key),
                bank_debit: record.bank_debit,
                webhook_url,
                updated_at: Some(record.updated_at),
                updated_by: Some(record.updated_by),
            },
        }
    }
}

pub async fn get(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff_admin()?;
    ok(&StripeSettingsView::of(app, settings(app).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConnectBody {
    secret_key: String,
    webhook_secret: String,
    publishable_key: String,
    bank_debit: bool,
}

/// A key of the expected kind: one of `prefixes`, then letters, digits and underscores.
fn key_of_kind(
    field: &str,
    value: &str,
    prefixes: &[&str],
    problems: &mut Vec<(String, String)>,
) -> String {
    let value = value.trim();
    let plausible = value.len() <= 255
        && prefixes
            .iter()
            .any(|prefix| value.starts_with(prefix) && value.len() > prefix.len())
        && value
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_');
    if !plausible {
        problems.push((
            field.to_string(),
            format!(
                "must be a Stripe key starting {} (letters, digits and underscores, at most 255)",
                prefixes.join(" or ")
            ),
        ));
    }
    value.to_string()
}

pub async fn put(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff_admin()?;
    let body: ConnectBody = parse_json(&req)?;
    let mut problems = Vec::new();
    let secret_key = key_of_kind(
        "secret_key",
        &body.secret_key,
        &["sk_test_", "sk_live_", "rk_test_", "rk_live_"],
        &mut problems,
    );
    let webhook_secret = key_of_kind(
        "webhook_secret",
        &body.webhook_secret,
        &["whsec_"],
        &mut problems,
    );
    let publishable_key = key_of_kind(
        "publishable_key",
        &body.publishable_key,
        &["pk_test_", "pk_live_"],
        &mut problems,
    );
    if problems.is_empty() && secret_key.contains("_live_") != publishable_key.contains("_live_") {
        problems.push((
            "publishable_key".to_string(),
            "must be of the same mode (test or live) as the secret key".to_string(),
        ));
    }
    if !problems.is_empty() {
        return Err(ApiError::invalid_fields(problems));
    }

    let stripe = Stripe::new(&app.config.stripe_api, &secret_key).map_err(stripe_problem)?;
    stripe.check_key().await.map_err(|error| match error {
        crate::stripe::StripeError::Refused { .. } => {
            ApiError::invalid("secret_key", "was refused by Stripe")
        }
        unavailable => stripe_problem(unavailable),
    })?;
    let account = stripe.account().await.map_err(stripe_problem)?;

    let current = settings(app).await?;
    let previous_keys = secrets::fresh_keys(app).await?;
    let keys = StripeKeys {
        previous_webhook_secret: previous_keys
            .map(|keys| keys.webhook_secret)
            .filter(|previous| *previous != webhook_secret),
        secret_key,
        webhook_secret,
    };
    let read_version = current.as_ref().map(|record| record.version);
    let record = StripeSettingsRecord {
        account_id: account.as_ref().map(|account| account.id.clone()),
        account_name: account.as_ref().and_then(|account| account.display_name()),
        secret_key_last4: last4(&keys.secret_key),
        webhook_secret_last4: last4(&keys.webhook_secret),
        publishable_key,
        bank_debit: body.bank_debit,
        updated_at: now_rfc3339(),
        updated_by: principal.actor_label(),
        version: read_version.unwrap_or(0).saturating_add(1),
    };
    // The secret first: a connection recorded without its keys would offer a Pay button that
    // cannot work, while keys stored without the record are simply unused until a retry.
    secrets::store(app, Some(&keys)).await?;
    let entry = AuditEntry::firm(
        &principal,
        "stripe.connected",
        "stripe",
        record.version,
        &RequestMeta::of(&req),
    );
    app.store
        .transact_firm_audited(
            vec![app
                .store
                .firm_save(keys::SETTINGS_PK, keys::STRIPE_SK, &record, read_version)?],
            vec![entry],
            "the Stripe settings changed meanwhile; reload them and try again",
        )
        .await?;
    ok(&StripeSettingsView::of(app, Some(record)))
}

pub async fn delete(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff_admin()?;
    let Some(current) = settings(app).await? else {
        return Ok(no_content());
    };
    let entry = AuditEntry::firm(
        &principal,
        "stripe.disconnected",
        "stripe",
        current.version.saturating_add(1),
        &RequestMeta::of(&req),
    );
    app.store
        .transact_firm_audited(
            vec![delete_tx(keys::SETTINGS_PK, keys::STRIPE_SK, None)?],
            vec![entry],
            "the Stripe settings changed meanwhile; reload them and try again",
        )
        .await?;
    secrets::store(app, None).await?;
    Ok(no_content())
}

fn no_content() -> Response<Body> {
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

/// Stripe could not be asked: 502, nothing changed.
pub fn stripe_problem(error: crate::stripe::StripeError) -> ApiError {
    tracing::warn!(?error, "stripe call failed");
    ApiError::new(
        StatusCode::BAD_GATEWAY,
        "stripe_unavailable",
        "Stripe could not be reached; nothing was changed. Try again in a minute.",
    )
}
