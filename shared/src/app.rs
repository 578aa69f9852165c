//! Everything a handler needs, built once per sandbox and shared by every request.

use crate::config::Config;
use crate::error::ApiResult;
use crate::lazy::OnFirstUse;
use crate::mail::Mailer;
use crate::store::Store;
use crate::tenancy::{TenantAccess, TenantResources};
use aws_config::BehaviorVersion;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct App {
    pub config: Config,
    pub store: Store,
    /// Made on first use, like S3 and SES: most functions never call them (crate::lazy).
    pub cognito: OnFirstUse<aws_sdk_cognitoidentityprovider::Client>,
    pub s3: OnFirstUse<aws_sdk_s3::Client>,
    pub mailer: Mailer,
    /// Tenant-scoped sessions (shared with the store); `None` on mocked clients.
    pub tenants: Option<Arc<TenantAccess>>,
    /// The firm's branding as mail last read it ([`App::branding`]).
    pub branding_cache: Arc<crate::branding::BrandingCache>,
}

impl App {
    pub fn new(
        config: Config,
        dynamo: aws_sdk_dynamodb::Client,
        cognito: aws_sdk_cognitoidentityprovider::Client,
        ses: aws_sdk_sesv2::Client,
        s3: aws_sdk_s3::Client,
    ) -> Self {
        Self::with_clients(
            config,
            dynamo,
            OnFirstUse::ready(cognito),
            OnFirstUse::ready(ses),
            OnFirstUse::ready(s3),
        )
    }

    /// The same, with clients that may not be made yet.
    pub fn with_clients(
        config: Config,
        dynamo: aws_sdk_dynamodb::Client,
        cognito: OnFirstUse<aws_sdk_cognitoidentityprovider::Client>,
        ses: OnFirstUse<aws_sdk_sesv2::Client>,
        s3: OnFirstUse<aws_sdk_s3::Client>,
    ) -> Self {
        Self {
            s3,
            store: Store::new(dynamo, config.table.clone()),
            mailer: Mailer::new(ses, config.mail_from.clone()),
            cognito,
            config,
            tenants: None,
            branding_cache: Arc::default(),
        }
    }

    /// Tenant data through sessions assumed per tenant (every deployed and local stack).
    pub fn with_tenant_access(mut self, tenants: Arc<TenantAccess>) -> Self {
        self.store = self.store.with_tenant_access(tenants.clone());
        self.tenants = Some(tenants);
        self
    }

    /// S3 for an object key: a tenant's objects (`tenants/<id>/…`) with that tenant's session.
    pub async fn s3_for(&self, object_key: &str) -> ApiResult<aws_sdk_s3::Client> {
        let tenant = object_key
            .strip_prefix("tenants/")
            .and_then(|rest| rest.split('/').next())
            .filter(|tenant| !tenant.is_empty());
        match (tenant, &self.tenants) {
            (Some(tenant), Some(tenants)) => tenants.s3(tenant).await,
            _ => Ok((*self.s3).clone()),
        }
    }

    /// Clients from the default provider chain; on the local stack every call goes to moto.
    /// DynamoDB is made now (every function reads the table); the others on first use.
    pub async fn from_config(config: Config) -> Self {
        let sdk = sdk_config(&config).await;
        let s3 = {
            let (config, sdk) = (config.clone(), sdk.clone());
            OnFirstUse::new(move || s3_client(&config, &sdk))
        };
        let cognito = {
            let sdk = sdk.clone();
            OnFirstUse::new(move || aws_sdk_cognitoidentityprovider::Client::new(&sdk))
        };
        let ses = {
            let sdk = sdk.clone();
            OnFirstUse::new(move || aws_sdk_sesv2::Client::new(&sdk))
        };
        let tenants = config.tenant_role_arn.as_ref().map(|role_arn| {
            let resources = TenantResources::from_names(
                role_arn,
                &config.region,
                &config.table,
                &config.documents_bucket,
            );
            Arc::new(TenantAccess::new(
                &sdk,
                role_arn,
                resources,
                config.aws_endpoint.is_some(),
            ))
        });
        let app = Self::with_clients(
            config,
            aws_sdk_dynamodb::Client::new(&sdk),
            cognito,
            ses,
            s3,
        );
        match tenants {
            Some(tenants) => app.with_tenant_access(tenants),
            None => app,
        }
    }

    pub async fn from_env() -> Result<Self, String> {
        Ok(Self::from_config(Config::from_env()?).await)
    }
}

/// The configuration every AWS client is made from: our own HTTPS client (crate::trust) and
/// credentials without the default provider chain where the environment already has them.
///
/// `aws_config::defaults(…).load()` reads the shared config and credentials files and builds a
/// provider chain before the first request: about 0.3 ms of every cold start (`make bench`).
/// In Lambda the function's credentials are in its environment, and on the local stack they
/// are fixed, so both build the `SdkConfig` directly; the clients add the SDK's own defaults
/// for what is left out (retries, timeouts, sleep, identity cache). Anywhere else (a person's
/// machine talking to AWS) gets the default chain.
pub async fn sdk_config(config: &Config) -> aws_config::SdkConfig {
    use aws_sdk_dynamodb::config::{Credentials, SharedCredentialsProvider};
    let region = aws_config::Region::new(config.region.clone());
    let http = crate::trust::sdk_http_client();
    let direct = |credentials: SharedCredentialsProvider| {
        let mut builder = aws_config::SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(region.clone())
            .credentials_provider(credentials);
        if let Some(client) = http.clone() {
            builder = builder.http_client(client);
        }
        builder
    };
    if let Some(endpoint) = &config.aws_endpoint {
        // The local stack (moto) accepts any key; fixed ones keep a developer's real AWS
        // credentials out of local runs altogether.
        let local = Credentials::new("local", "local", None, None, "atrium-local");
        return direct(SharedCredentialsProvider::new(local))
            .endpoint_url(endpoint)
            .build();
    }
    let in_lambda = std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some();
    if in_lambda && std::env::var_os("AWS_ACCESS_KEY_ID").is_some() {
        let environment = aws_config::environment::EnvironmentVariableCredentialsProvider::new();
        return direct(SharedCredentialsProvider::new(environment)).build();
    }
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).region(region);
    if let Some(client) = http {
        loader = loader.http_client(client);
    }
    loader.load().await
}

/// S3 with path-style addresses on the local stack (moto answers on one host).
pub fn s3_client(config: &Config, sdk: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(config.aws_endpoint.is_some())
            .build(),
    )
}
