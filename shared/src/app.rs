//! Everything a handler needs, built once per sandbox and shared by every request.

use crate::config::Config;
use crate::error::ApiResult;
use crate::mail::Mailer;
use crate::store::Store;
use crate::tenancy::{TenantAccess, TenantResources};
use aws_config::BehaviorVersion;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct App {
    pub config: Config,
    pub store: Store,
    pub cognito: aws_sdk_cognitoidentityprovider::Client,
    pub s3: aws_sdk_s3::Client,
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
            _ => Ok(self.s3.clone()),
        }
    }

    /// Clients from the default provider chain; on the local stack every call goes to moto.
    pub async fn from_config(config: Config) -> Self {
        let sdk = sdk_config(&config).await;
        let s3 = s3_client(&config, &sdk);
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
        let app = Self::new(
            config,
            aws_sdk_dynamodb::Client::new(&sdk),
            aws_sdk_cognitoidentityprovider::Client::new(&sdk),
            aws_sdk_sesv2::Client::new(&sdk),
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

pub async fn sdk_config(config: &Config) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new(config.region.clone()));
    // Only Amazon Trust Services roots, built in: no certificate files read at start-up.
    if let Some(client) = crate::trust::sdk_http_client() {
        loader = loader.http_client(client);
    }
    if let Some(endpoint) = &config.aws_endpoint {
        // The local stack (moto) accepts any key; fixed ones keep a developer's real AWS
        // credentials out of local runs altogether.
        loader = loader.endpoint_url(endpoint).credentials_provider(
            aws_sdk_dynamodb::config::Credentials::new(
                "local",
                "local",
                None,
                None,
                "atrium-local",
            ),
        );
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
