//! The HTTP API Lambda authorizer (payload 2.0, simple responses).
//!
//! Order matters: the token's issuer is looked up in the registry first, and an unknown issuer
//! is refused before any key is fetched. Then the signature (RS256 only, the pool's published
//! keys, cached), `exp`, `token_use` and the app client are checked, and finally the user's own
//! record (status, roles, sign-out mark; cached briefly), and last the token's session gate
//! (`store::sessions`: ended, idle, past its end; read every time). The tenant comes from the
//! registry's record of the issuer, never from anything the caller wrote.

// lambda_runtime's service stack nests deeply enough to need a higher limit.
#![recursion_limit = "256"]

use atrium_shared::operation::prelude::*;

mod cache;
mod verify;

pub use verify::Denial;

use atrium_shared::http::{access_token, check_origin, TokenSource};
use atrium_shared::principal::{Kind, Principal};
use atrium_shared::store::records::UserStatus;
use atrium_shared::store::registry::registered_scope;
use atrium_shared::App;
use cache::TtlCache;
use http::{HeaderMap, HeaderValue, Method};
use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayV2CustomAuthorizerSimpleResponse, ApiGatewayV2CustomAuthorizerV2Request,
};
use std::sync::Arc;
use std::time::Duration;
use verify::{Keys, PoolTrust};

pub type AuthorizerEvent = ApiGatewayV2CustomAuthorizerV2Request;
pub type AuthorizerResponse = ApiGatewayV2CustomAuthorizerSimpleResponse<serde_json::Value>;

pub struct Authorizer {
    app: Arc<App>,
    keys: Keys,
    issuers: TtlCache<String, Option<PoolTrust>>,
    users: TtlCache<(Kind, String, String), Option<atrium_shared::store::records::UserRecord>>,
}

const ISSUER_CACHE: Duration = Duration::from_secs(300);

impl Authorizer {
    pub fn new(app: Arc<App>) -> Self {
        let user_cache = Duration::from_secs(app.config.user_cache_seconds);
        Self {
            keys: Keys::new(),
            issuers: TtlCache::new(ISSUER_CACHE),
            users: TtlCache::new(user_cache),
            app,
        }
    }

    pub async fn authorize(&self, event: &AuthorizerEvent) -> AuthorizerResponse {
        match self.principal(event).await {
            Ok(principal) => allow(&principal),
            Err(denial) => {
                tracing::info!(reason = ?denial, route = ?event.route_key, "denied");
                deny()
            }
        }
    }

    /// The verified principal, or why not.
    pub async fn principal(&self, event: &AuthorizerEvent) -> Result<Principal, Denial> {
        let headers = request_headers(event);
        let (token, source) = access_token(&headers).ok_or(Denial::NoToken)?;
        let method = Method::from_bytes(event.request_context.http.method.as_str().as_bytes())
            .unwrap_or(Method::POST);
        check_origin(
            &method,
            &headers,
            &self.app.config.portal_origin,
            source == TokenSource::Cookie,
        )
        .map_err(|_| Denial::ForeignOrigin)?;

        let issuer = verify::unverified_issuer(&token)?;
        let trust = self.trust_for(&issuer).await?;
        let claims = self.keys.verify(&self.app.config, &token, &trust).await?;
        let user = self.user(&trust, &claims.sub).await?;
        if user.status != UserStatus::Active {
            return Err(Denial::UserNotActive);
        }
        if claims.iat < user.sessions_valid_after {
            return Err(Denial::SignedOut);
        }
        self.session_is_live(claims.origin_jti.as_deref()).await?;
        Ok(match &trust.tenant {
            None => Principal::staff(claims.sub, user.roles),
            Some(tenant) => Principal::client(&registered_scope(tenant), claims.sub, user.roles),
        })
    }

    /// The token's session must be live: not ended, idle or past its end. Read on every
    /// request (never cached), so ending a session or signing out counts from the next
    /// request; "last used" is written at most once a minute.
    async fn session_is_live(&self, origin_jti: Option<&str>) -> Result<(), Denial> {
        let origin_jti = origin_jti.ok_or(Denial::NoSession)?;
        let gate = self
            .app
            .store
            .session_gate(origin_jti)
            .await
            .map_err(|_| Denial::Dependency)?
            .ok_or(Denial::NoSession)?;
        let now = atrium_shared::ids::now_epoch();
        gate.check(now).map_err(|_| Denial::SessionOver)?;
        if gate.wants_touch(now) {
            self.app.store.touch_gate(origin_jti, now).await;
        }
        Ok(())
    }

    /// Which pool, app client and tenant an issuer stands for; unknown issuers are refused here,
    /// before anything is fetched from them.
    async fn trust_for(&self, issuer: &str) -> Result<PoolTrust, Denial> {
        let config = &self.app.config;
        if issuer == config.issuer_for_pool(&config.staff_pool_id) {
            return Ok(PoolTrust::staff(config));
        }
        if let Some(cached) = self.issuers.get(&issuer.to_string()) {
            return cached.ok_or(Denial::UnknownIssuer);
        }
        let record = self
            .app
            .store
            .issuer_record(issuer)
            .await
            .map_err(|_| Denial::Dependency)?;
        let trust = record.map(|record| PoolTrust::client(config, issuer, record));
        self.issuers.put(issuer.to_string(), trust.clone());
        trust.ok_or(Denial::UnknownIssuer)
    }

    async fn user(
        &self,
        trust: &PoolTrust,
        sub: &str,
    ) -> Result<atrium_shared::store::records::UserRecord, Denial> {
        let tenant_id = trust
            .tenant
            .as_ref()
            .map(|tenant| tenant.tenant_id.clone())
            .unwrap_or_default();
        let kind = if trust.tenant.is_some() {
            Kind::Client
        } else {
            Kind::Staff
        };
        let cache_key = (kind, tenant_id, sub.to_string());
        if let Some(cached) = self.users.get(&cache_key) {
            return cached.ok_or(Denial::UnknownUser);
        }
        let store = &self.app.store;
        let record = match &trust.tenant {
            None => store.staff_user(sub).await,
            Some(tenant) => store.contact(&registered_scope(tenant), sub).await,
        }
        .map_err(|_| Denial::Dependency)?;
        self.users.put(cache_key, record.clone());
        record.ok_or(Denial::UnknownUser)
    }
}

/// API Gateway passes cookies separately from headers; put them back where the helpers look.
fn request_headers(event: &AuthorizerEvent) -> HeaderMap {
    let mut headers = event.headers.clone();
    if !event.cookies.is_empty() {
        if let Ok(value) = HeaderValue::from_str(&event.cookies.join("; ")) {
            headers.insert(http::header::COOKIE, value);
        }
    }
    headers
}

fn allow(principal: &Principal) -> AuthorizerResponse {
    let mut response = AuthorizerResponse::default();
    response.is_authorized = true;
    response.context = serde_json::to_value(principal.to_context()).unwrap_or_default();
    response
}

fn deny() -> AuthorizerResponse {
    let mut response = AuthorizerResponse::default();
    response.is_authorized = false;
    response.context = serde_json::Value::Object(Default::default());
    response
}

/// This capability's operations: routes, who may call them, the AWS access each needs
/// (docs/architecture.md, "Adding an operation").
/// The authorizer's process: the clients built once, then every API Gateway authorization.
fn serve() -> RuntimeFuture {
    Box::pin(async {
        atrium_shared::runtime::init_tracing();
        let authorizer = Arc::new(Authorizer::new(Arc::new(App::from_env().await?)));
        lambda_runtime::run(lambda_runtime::service_fn(
            move |event: lambda_runtime::LambdaEvent<AuthorizerEvent>| {
                let authorizer = authorizer.clone();
                async move {
                    Ok::<AuthorizerResponse, lambda_runtime::Error>(
                        authorizer.authorize(&event.payload).await,
                    )
                }
            },
        ))
        .await
    })
}

pub const OPERATIONS: &[Operation] =
    &[Operation::runtime("authorizer", serve, Trigger::Authorizer)
        .describe("Verifies the Cognito token and finds the tenant from its issuer.")
        .grants(&[
            TENANT_SESSIONS,
            table(&["dynamodb:GetItem", "dynamodb:UpdateItem"]).firm_keys_only(),
        ])];
