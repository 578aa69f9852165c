//! Everything a handler needs, built once per sandbox and shared by every request.

use crate::config::Config;
use crate::error::ApiResult;
use crate::lazy::OnFirstUse;
use crate::mail::Mailer;
use crate::store::Store;
use crate::tenancy::{TenantAccess, TenantResources};
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region, SharedCredentialsProvider};
use aws_types::SdkConfig;
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

    /// Clients from [`sdk_config`]: the environment's credentials in Lambda; on the local stack
    /// every call goes to moto.
    /// DynamoDB is made now (every function reads the table); the others on first use.
    pub async fn from_config(config: Config) -> Result<Self, String> {
        let sdk = sdk_config(&config)?;
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
        Ok(match tenants {
            Some(tenants) => app.with_tenant_access(tenants),
            None => app,
        })
    }

    pub async fn from_env() -> Result<Self, String> {
        Self::from_config(Config::from_env()?).await
    }
}

/// The configuration every AWS client is made from: our own HTTPS client (crate::trust) and
/// credentials from the environment, without aws-config's default provider chain.
///
/// In Lambda the function's credentials are in its environment (`AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, valid for the sandbox's life), and on the
/// local stack they are fixed, so the `SdkConfig` is built directly; the clients add the SDK's
/// own defaults for what is left out (retries, timeouts, sleep, identity cache). The default
/// chain read two files and built a provider chain before the first request (about 0.3 ms of
/// every cold start), and its code (profiles, SSO, IMDS, web identity) was about 0.3 MB of
/// every binary that never ran it (`make bench`, docs/architecture.md "Release profile").
pub fn sdk_config(config: &Config) -> Result<SdkConfig, String> {
    let http = crate::trust::sdk_http_client()?;
    let (credentials, endpoint) = match &config.aws_endpoint {
        // The local stack (moto) accepts any key; fixed ones keep a developer's real AWS
        // credentials out of local runs altogether.
        Some(endpoint) => (
            Credentials::new("local", "local", None, None, "atrium-local"),
            Some(endpoint),
        ),
        None => (environment_credentials()?, None),
    };
    let mut builder = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(config.region.clone()))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .http_client(http);
    if let Some(endpoint) = endpoint {
        builder = builder.endpoint_url(endpoint);
    }
    Ok(builder.build())
}

/// The credentials Lambda puts in every function's environment.
fn environment_credentials() -> Result<Credentials, String> {
    let read = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    match (read("AWS_ACCESS_KEY_ID"), read("AWS_SECRET_ACCESS_KEY")) {
        (Some(key), Some(secret)) => Ok(Credentials::new(
            key,
            secret,
            read("AWS_SESSION_TOKEN"),
            None,
            "environment",
        )),
        _ => Err(
            "no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set \
                  (Lambda sets them; locally set ATRIUM_AWS_ENDPOINT)"
                .to_string(),
        ),
    }
}

/// S3 with path-style addresses on the local stack (moto answers on one host).
pub fn s3_client(config: &Config, sdk: &SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(config.aws_endpoint.is_some())
            .build(),
    )
}
