//! Everything a handler needs, built once per sandbox and shared by every request.

use crate::config::Config;
use crate::mail::Mailer;
use crate::store::Store;
use aws_config::BehaviorVersion;

#[derive(Clone, Debug)]
pub struct App {
    pub config: Config,
    pub store: Store,
    pub cognito: aws_sdk_cognitoidentityprovider::Client,
    pub s3: aws_sdk_s3::Client,
    pub mailer: Mailer,
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
        }
    }

    /// Clients from the default provider chain; on the local stack every call goes to moto.
    pub async fn from_config(config: Config) -> Self {
        let sdk = sdk_config(&config).await;
        let s3 = s3_client(&config, &sdk);
        Self::new(
            config,
            aws_sdk_dynamodb::Client::new(&sdk),
            aws_sdk_cognitoidentityprovider::Client::new(&sdk),
            aws_sdk_sesv2::Client::new(&sdk),
            s3,
        )
    }

    pub async fn from_env() -> Result<Self, String> {
        Ok(Self::from_config(Config::from_env()?).await)
    }
}

pub async fn sdk_config(config: &Config) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new(config.region.clone()));
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
