//! The local AWS stack: what template.yaml declares, made in moto.

use atrium_shared::config::Config;
use aws_sdk_cognitoidentityprovider::types::{
    ExplicitAuthFlowsType, PasswordPolicyType, SoftwareTokenMfaConfigType, UserPoolMfaType,
    UserPoolPolicyType, UsernameAttributeType,
};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};

/// What the local portal and the tests are told about the firm.
#[derive(Debug, Clone)]
pub struct StackOptions {
    /// Unique per run, so parallel tests never share a resource.
    pub prefix: String,
    pub portal_origin: String,
    pub firm_name: String,
    pub mail_from_address: String,
    pub user_cache_seconds: u64,
    /// `ATRIUM_FIRST_ADMIN_EMAIL`: who becomes a firm admin at their first sign-in.
    pub first_admin_email: Option<String>,
    /// `ATRIUM_ORIGIN_SECRET`, as CloudFront would send it (tests of crate::edge only).
    pub origin_secret: Option<String>,
    /// Most clients onboarding takes (`ClientLimit` in the template).
    pub client_limit: u64,
    /// localstripe's address (`ATRIUM_STRIPE_API`); Stripe.js is served under it.
    pub stripe_endpoint: Option<String>,
}

impl StackOptions {
    pub fn new(prefix: &str, portal_origin: &str) -> Self {
        Self {
            prefix: prefix.to_string(),
            portal_origin: portal_origin.to_string(),
            firm_name: "Harbour & Pike LLP".to_string(),
            mail_from_address: "portal@harbourpike.example".to_string(),
            user_cache_seconds: 15,
            first_admin_email: None,
            origin_secret: None,
            client_limit: atrium_shared::config::DEFAULT_CLIENT_LIMIT,
            stripe_endpoint: None,
        }
    }
}

fn err(context: &str) -> impl Fn(String) -> String + '_ {
    move |message| format!("{context}: {message}")
}

/// Creates the table, documents bucket, staff pool and mail identity, and answers the config
/// every function would get from template.yaml's environment.
pub async fn provision(endpoint: &str, options: &StackOptions) -> Result<Config, String> {
    let mut config = Config {
        table: format!("{}-table", options.prefix),
        documents_bucket: format!("{}-documents", options.prefix.to_lowercase()),
        staff_pool_id: String::new(),
        staff_client_id: String::new(),
        portal_origin: options.portal_origin.clone(),
        mail_from: format!("{} <{}>", options.firm_name, options.mail_from_address),
        firm_name: options.firm_name.clone(),
        region: "us-east-1".to_string(),
        resource_prefix: options.prefix.clone(),
        aws_endpoint: Some(endpoint.to_string()),
        invite_ttl_hours: 72,
        user_cache_seconds: options.user_cache_seconds,
        session_idle_minutes: 30,
        session_hours: 12,
        max_upload_bytes: atrium_shared::config::DEFAULT_MAX_UPLOAD_BYTES,
        reminder_days: vec![3, 1],
        first_admin_email: options.first_admin_email.clone(),
        // Moto issues sessions for any role; the same code path as in AWS runs locally.
        tenant_role_arn: Some(format!(
            "arn:aws:iam::123456789012:role/{}-tenant-data",
            options.prefix
        )),
        origin_secret: options.origin_secret.clone(),
        client_limit: options.client_limit,
        stripe_api: options
            .stripe_endpoint
            .clone()
            .unwrap_or_else(|| atrium_shared::config::DEFAULT_STRIPE_API.to_string()),
        stripe_js_url: options.stripe_endpoint.as_ref().map_or_else(
            || atrium_shared::config::DEFAULT_STRIPE_JS_URL.to_string(),
            |endpoint| format!("{endpoint}/js.stripe.com/v3/"),
        ),
    };
    let sdk = atrium_shared::app::sdk_config(&config)?;
    create_table(&aws_sdk_dynamodb::Client::new(&sdk), &config.table)
        .await
        .map_err(err("table"))?;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket()
        .bucket(&config.documents_bucket)
        .send()
        .await
        .map_err(|error| format!("bucket: {error:?}"))?;
    allow_portal_uploads(&s3, &config.documents_bucket, &options.portal_origin)
        .await
        .map_err(err("bucket cors"))?;
    let cognito = aws_sdk_cognitoidentityprovider::Client::new(&sdk);
    let (pool_id, client_id) = create_staff_pool(&cognito, &format!("{}-staff", options.prefix))
        .await
        .map_err(err("staff pool"))?;
    config.staff_pool_id = pool_id;
    config.staff_client_id = client_id;
    create_seal_key(&aws_sdk_kms::Client::new(&sdk), &config.seal_key_alias())
        .await
        .map_err(err("seal key"))?;
    aws_sdk_sesv2::Client::new(&sdk)
        .create_email_identity()
        .email_identity(&options.mail_from_address)
        .send()
        .await
        .map_err(|error| format!("mail identity: {error:?}"))?;
    Ok(config)
}

/// The asymmetric key that seals signed PDFs, as template.yaml's `DocumentSealKey`, under its
/// alias.
async fn create_seal_key(kms: &aws_sdk_kms::Client, alias: &str) -> Result<(), String> {
    use aws_sdk_kms::types::{KeySpec, KeyUsageType};
    let key = kms
        .create_key()
        .key_spec(KeySpec::EccNistP256)
        .key_usage(KeyUsageType::SignVerify)
        .description("Seals signed PDFs (local)")
        .send()
        .await
        .map_err(|error| format!("{error:?}"))?;
    let key_id = key
        .key_metadata()
        .map(|metadata| metadata.key_id().to_string())
        .ok_or("no key id")?;
    kms.create_alias()
        .alias_name(alias)
        .target_key_id(key_id)
        .send()
        .await
        .map_err(|error| format!("{error:?}"))?;
    Ok(())
}

/// The documents bucket's CORS rule, as template.yaml's `DocumentsBucket` has it: the portal's
/// origin may PUT (presigned uploads straight from the browser) and GET, with any header
/// (`content-type`, `x-amz-checksum-sha256`, `x-amz-sdk-checksum-algorithm`).
async fn allow_portal_uploads(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    portal_origin: &str,
) -> Result<(), String> {
    use aws_sdk_s3::types::{CorsConfiguration, CorsRule};
    let rule = CorsRule::builder()
        .allowed_origins(portal_origin.trim_end_matches('/'))
        .allowed_methods("GET")
        .allowed_methods("PUT")
        .allowed_headers("*")
        .max_age_seconds(3600)
        .build()
        .map_err(|error| error.to_string())?;
    let cors = CorsConfiguration::builder()
        .cors_rules(rule)
        .build()
        .map_err(|error| error.to_string())?;
    s3.put_bucket_cors()
        .bucket(bucket)
        .cors_configuration(cors)
        .send()
        .await
        .map_err(|error| format!("{error:?}"))?;
    Ok(())
}

async fn create_table(dynamo: &aws_sdk_dynamodb::Client, name: &str) -> Result<(), String> {
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .map_err(|error| error.to_string())
    };
    let key = |name: &str, key_type: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(key_type)
            .build()
            .map_err(|error| error.to_string())
    };
    let index = |name: &str| -> Result<GlobalSecondaryIndex, String> {
        GlobalSecondaryIndex::builder()
            .index_name(name)
            .key_schema(key(&format!("{name}PK"), KeyType::Hash)?)
            .key_schema(key(&format!("{name}SK"), KeyType::Range)?)
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::All)
                    .build(),
            )
            .build()
            .map_err(|error| error.to_string())
    };
    dynamo
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attribute("PK")?)
        .attribute_definitions(attribute("SK")?)
        .attribute_definitions(attribute("GSI1PK")?)
        .attribute_definitions(attribute("GSI1SK")?)
        .attribute_definitions(attribute("GSI2PK")?)
        .attribute_definitions(attribute("GSI2SK")?)
        .key_schema(key("PK", KeyType::Hash)?)
        .key_schema(key("SK", KeyType::Range)?)
        .global_secondary_indexes(index("GSI1")?)
        .global_secondary_indexes(index("GSI2")?)
        .send()
        .await
        .map_err(|error| format!("{error:?}"))?;
    dynamo
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .attribute_name("expires_at")
                .enabled(true)
                .build()
                .map_err(|error| error.to_string())?,
        )
        .send()
        .await
        .map_err(|error| format!("{error:?}"))?;
    Ok(())
}

async fn create_staff_pool(
    cognito: &aws_sdk_cognitoidentityprovider::Client,
    name: &str,
) -> Result<(String, String), String> {
    let policy = PasswordPolicyType::builder()
        .minimum_length(12)
        .require_uppercase(true)
        .require_lowercase(true)
        .require_numbers(true)
        .require_symbols(true)
        .build();
    let pool = cognito
        .create_user_pool()
        .pool_name(name)
        .username_attributes(UsernameAttributeType::Email)
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(policy)
                .build(),
        )
        .send()
        .await
        .map_err(|error| format!("{error:?}"))?;
    let pool_id = pool
        .user_pool
        .and_then(|pool| pool.id)
        .ok_or("no pool id")?;
    cognito
        .set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .mfa_configuration(UserPoolMfaType::Optional)
        .send()
        .await
        .map_err(|error| format!("{error:?}"))?;
    let client = cognito
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("portal")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .map_err(|error| format!("{error:?}"))?;
    let client_id = client
        .user_pool_client
        .and_then(|client| client.client_id)
        .ok_or("no client id")?;
    Ok((pool_id, client_id))
}
