//! Settings, read once from the environment when a sandbox starts.

use std::env;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The one DynamoDB table.
    pub table: String,
    /// The private documents bucket.
    pub documents_bucket: String,
    pub staff_pool_id: String,
    pub staff_client_id: String,
    /// `https://portal.firm.example`: links in mail, and the only origin allowed to change state.
    pub portal_origin: String,
    /// The SES identity mail is sent from.
    pub mail_from: String,
    pub firm_name: String,
    pub region: String,
    /// Prefix of the resources onboarding creates (client user pools).
    pub resource_prefix: String,
    /// Local stack only: where every AWS call goes (moto). Unset in AWS.
    pub aws_endpoint: Option<String>,
    pub invite_ttl_hours: i64,
    /// How long the authorizer trusts a cached user record (status, roles, sign-out mark).
    pub user_cache_seconds: u64,
    /// A session ends after this many minutes without a request (default 30).
    pub session_idle_minutes: i64,
    /// A session ends this many hours after sign-in, however busy (default 12).
    pub session_hours: i64,
    /// Largest upload accepted, in bytes (default 100 MB).
    pub max_upload_bytes: i64,
    /// Days before a due date on which contacts are reminded (default 3 and 1).
    pub reminder_days: Vec<i64>,
    /// The firm's first admin (the stack's `FirstAdminEmail`): when this person first signs in
    /// to the staff pool, they become a firm admin. Everyone else is added by an admin.
    pub first_admin_email: Option<String>,
    /// The role assumed per tenant for tenant data (`TenantDataRole`); see [`crate::tenancy`].
    pub tenant_role_arn: Option<String>,
    /// The value CloudFront adds to every API request (`OriginVerifySecret`); when set, a
    /// request without it is refused and the viewer's address comes from CloudFront
    /// ([`crate::edge`]). Unset on the local stack.
    pub origin_secret: Option<String>,
    /// Most clients the firm may onboard (`ClientLimit`): each has its own user pool, and the
    /// account's user-pool quota (1,000 by default, the staff pool included) is the ceiling.
    pub client_limit: u64,
    /// Stripe's API (`https://api.stripe.com`); on the local stack, localstripe.
    pub stripe_api: String,
    /// Where the web app loads Stripe.js from (`https://js.stripe.com/v3/`); on the local
    /// stack, localstripe's stand-in. The portal's CSP allows this origin.
    pub stripe_js_url: String,
}

pub const DEFAULT_STRIPE_API: &str = "https://api.stripe.com";
pub const DEFAULT_STRIPE_JS_URL: &str = "https://js.stripe.com/v3/";

/// The account's default user-pool quota (1,000) less the staff pool.
pub const DEFAULT_CLIENT_LIMIT: u64 = 999;

fn required(name: &str) -> Result<String, String> {
    env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
        .ok_or_else(|| format!("environment variable {name} is not set"))
}

fn optional(name: &str) -> Option<String> {
    env::var(name).ok().filter(|value| !value.trim().is_empty())
}

/// 5 GiB: files above one part (8 MiB) go up as resumable multipart uploads.
pub const DEFAULT_MAX_UPLOAD_BYTES: i64 = 5 * 1024 * 1024 * 1024;

/// `"3,1"` → `[3, 1]`; nonsense entries are dropped.
pub fn parse_days(text: &str) -> Vec<i64> {
    text.split(',')
        .filter_map(|day| day.trim().parse().ok())
        .filter(|day| (1..=60).contains(day))
        .collect()
}

impl Config {
    pub fn from_env() -> Result<Self, String> {
        Ok(Self {
            table: required("ATRIUM_TABLE")?,
            documents_bucket: required("ATRIUM_DOCUMENTS_BUCKET")?,
            staff_pool_id: required("ATRIUM_STAFF_POOL_ID")?,
            staff_client_id: required("ATRIUM_STAFF_CLIENT_ID")?,
            portal_origin: required("ATRIUM_PORTAL_ORIGIN")?,
            mail_from: required("ATRIUM_MAIL_FROM")?,
            firm_name: optional("ATRIUM_FIRM_NAME").unwrap_or_else(|| "Atrium".to_string()),
            region: optional("AWS_REGION").unwrap_or_else(|| "us-east-1".to_string()),
            resource_prefix: optional("ATRIUM_RESOURCE_PREFIX")
                .unwrap_or_else(|| "atrium".to_string()),
            aws_endpoint: optional("ATRIUM_AWS_ENDPOINT"),
            invite_ttl_hours: optional("ATRIUM_INVITE_TTL_HOURS")
                .and_then(|value| value.parse().ok())
                .unwrap_or(72),
            user_cache_seconds: optional("ATRIUM_USER_CACHE_SECONDS")
                .and_then(|value| value.parse().ok())
                .unwrap_or(15),
            session_idle_minutes: optional("ATRIUM_SESSION_IDLE_MINUTES")
                .and_then(|value| value.parse().ok())
                .filter(|minutes| (1..=24 * 60).contains(minutes))
                .unwrap_or(30),
            session_hours: optional("ATRIUM_SESSION_HOURS")
                .and_then(|value| value.parse().ok())
                .filter(|hours| (1..=24 * 30).contains(hours))
                .unwrap_or(12),
            max_upload_bytes: optional("ATRIUM_MAX_UPLOAD_BYTES")
                .and_then(|value| value.parse().ok())
                .unwrap_or(DEFAULT_MAX_UPLOAD_BYTES),
            reminder_days: optional("ATRIUM_REMINDER_DAYS")
                .map(|value| parse_days(&value))
                .unwrap_or_else(|| vec![3, 1]),
            first_admin_email: optional("ATRIUM_FIRST_ADMIN_EMAIL")
                .map(|email| email.trim().to_lowercase())
                .filter(|email| !email.is_empty()),
            tenant_role_arn: optional("ATRIUM_TENANT_ROLE_ARN"),
            origin_secret: optional("ATRIUM_ORIGIN_SECRET"),
            client_limit: optional("ATRIUM_CLIENT_LIMIT")
                .and_then(|value| value.parse().ok())
                .unwrap_or(DEFAULT_CLIENT_LIMIT),
            stripe_api: optional("ATRIUM_STRIPE_API")
                .unwrap_or_else(|| DEFAULT_STRIPE_API.to_string()),
            stripe_js_url: optional("ATRIUM_STRIPE_JS_URL")
                .unwrap_or_else(|| DEFAULT_STRIPE_JS_URL.to_string()),
        })
    }

    /// The Secrets Manager secret holding the firm's Stripe keys (`atrium-prod/stripe`); the
    /// template grants the payments functions this name only.
    pub fn stripe_secret_name(&self) -> String {
        format!("{}/stripe", self.resource_prefix)
    }

    /// The alias of the asymmetric KMS key that seals signed PDFs (`DocumentSealKey`):
    /// `alias/atrium-prod-document-seal`.
    pub fn seal_key_alias(&self) -> String {
        format!("alias/{}-document-seal", self.resource_prefix)
    }

    /// The issuer Cognito writes into tokens of a pool.
    pub fn issuer_for_pool(&self, pool_id: &str) -> String {
        format!(
            "https://cognito-idp.{}.amazonaws.com/{pool_id}",
            self.region
        )
    }

    /// Where a pool's signing keys are published. In AWS that is the issuer's well-known path;
    /// on the local stack moto serves them under its own address.
    pub fn jwks_url_for_pool(&self, pool_id: &str) -> String {
        match &self.aws_endpoint {
            Some(endpoint) => format!(
                "{}/{pool_id}/.well-known/jwks.json",
                endpoint.trim_end_matches('/')
            ),
            None => format!("{}/.well-known/jwks.json", self.issuer_for_pool(pool_id)),
        }
    }
}
