//! Tenant-scoped credentials: the IAM layer of tenant isolation.
//!
//! Tenant data is read and written with credentials of a role assumed for that one tenant:
//! the session carries the tag `tenant=<id>`, the role's policy allows DynamoDB items only
//! whose partition key is `T#${aws:PrincipalTag/tenant}` (and S3 objects only under
//! `tenants/${aws:PrincipalTag/tenant}/`), and the session policy built here narrows the same
//! way with the id written out, so either one alone keeps the session inside its tenant. A bug
//! that builds another tenant's key is then refused by AWS, not only by our code.
//!
//! Sessions are cached per tenant in the warm sandbox and renewed well before they expire (a
//! presigned URL stops working when the session that signed it ends).

use crate::error::{ApiError, ApiResult};
use aws_sdk_dynamodb::config::Credentials;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// The session tag the role's policy reads (`aws:PrincipalTag/tenant`).
pub const TENANT_TAG: &str = "tenant";

/// An hour, the most a role assumed from a Lambda role may last (role chaining).
pub const SESSION_SECONDS: i32 = 3600;

/// Renew a session when less than this remains: longer than any presigned URL (15 minutes).
pub const RENEW_BEFORE: Duration = Duration::from_secs(20 * 60);

/// Firm-level keys a tenant's session may also write, because one transaction writes them with
/// the tenant's items: invitation links (`INVITE#<hash>`), the firm-wide invoice-number
/// markers (`INVOICENO#<number>`), the person index (`PERSON#<email>`, written with the
/// contact it points to; see `store::people` for why that is safe) and which tenant a Stripe
/// PaymentIntent belongs to (`STRIPEPI#<id>`, read by the webhook).
pub const SHARED_PREFIXES: [&str; 4] = ["INVITE#", "INVOICENO#", "PERSON#", "STRIPEPI#"];

/// What to ask STS for one tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRequest {
    pub role_arn: String,
    pub session_name: String,
    pub tags: Vec<(String, String)>,
    /// The inline session policy (JSON).
    pub policy: Value,
    pub duration_seconds: i32,
}

/// The AWS resources a tenant session may touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantResources {
    pub table_arn: String,
    pub bucket_arn: String,
}

impl TenantResources {
    /// ARNs from names and the role's ARN (its partition and account).
    pub fn from_names(role_arn: &str, region: &str, table: &str, bucket: &str) -> Self {
        let parts: Vec<&str> = role_arn.split(':').collect();
        let partition = parts.get(1).copied().unwrap_or("aws");
        let account = parts.get(4).copied().unwrap_or("*");
        Self {
            table_arn: format!("arn:{partition}:dynamodb:{region}:{account}:table/{table}"),
            bucket_arn: format!("arn:{partition}:s3:::{bucket}"),
        }
    }
}

/// The request for `tenant_id`: its tag, and a session policy with the tenant written out.
/// No `Scan`, no PartiQL, no index queries: a tenant session reads its own partition only.
pub fn session_request(
    role_arn: &str,
    resources: &TenantResources,
    tenant_id: &str,
) -> SessionRequest {
    let mut leading_keys = vec![format!("T#{tenant_id}"), format!("T#{tenant_id}#*")];
    leading_keys.extend(SHARED_PREFIXES.iter().map(|prefix| format!("{prefix}*")));
    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OneTenantsItems",
                "Effect": "Allow",
                "Action": [
                    "dynamodb:GetItem",
                    "dynamodb:BatchGetItem",
                    "dynamodb:Query",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:ConditionCheckItem"
                ],
                "Resource": resources.table_arn,
                "Condition": {
                    "ForAllValues:StringLike": { "dynamodb:LeadingKeys": leading_keys }
                }
            },
            {
                "Sid": "OneTenantsObjects",
                "Effect": "Allow",
                "Action": [
                    "s3:GetObject",
                    "s3:PutObject",
                    "s3:PutObjectTagging",
                    "s3:AbortMultipartUpload",
                    "s3:ListMultipartUploadParts"
                ],
                "Resource": format!("{}/tenants/{tenant_id}/*", resources.bucket_arn)
            }
        ]
    });
    SessionRequest {
        role_arn: role_arn.to_string(),
        session_name: format!("tenant-{tenant_id}"),
        tags: vec![(TENANT_TAG.to_string(), tenant_id.to_string())],
        policy,
        duration_seconds: SESSION_SECONDS,
    }
}

/// Which credentials a DynamoDB operation needs, from its items' partition keys and the scope
/// it runs in: `Some(tenant)` when every key is that tenant's (or a shared prefix), `None` for
/// the firm's own keys. Keys of two tenants in one operation are a bug, refused here.
pub fn tenant_of_keys<'a>(
    partition_keys: impl IntoIterator<Item = &'a str>,
    scope_tenant: Option<&'a str>,
) -> ApiResult<Option<&'a str>> {
    let mut tenant = scope_tenant;
    let mut firm_keys = false;
    for key in partition_keys {
        if let Some(rest) = key.strip_prefix("T#") {
            let id = rest.split('#').next().unwrap_or(rest);
            match tenant {
                Some(known) if known != id => {
                    return Err(ApiError::internal(
                        "tenancy",
                        format!("one operation for two tenants ({known}, {id})"),
                    ))
                }
                _ => tenant = Some(id),
            }
        } else if !SHARED_PREFIXES.iter().any(|prefix| key.starts_with(prefix)) {
            firm_keys = true;
        }
    }
    Ok(if firm_keys { None } else { tenant })
}

struct Session {
    dynamo: aws_sdk_dynamodb::Client,
    s3: aws_sdk_s3::Client,
    expires: SystemTime,
}

/// Assumes the tenant role per tenant and keeps the clients while the session is fresh.
pub struct TenantAccess {
    sts: crate::lazy::OnFirstUse<aws_sdk_sts::Client>,
    sdk: aws_types::SdkConfig,
    role_arn: String,
    resources: TenantResources,
    path_style_s3: bool,
    sessions: Mutex<HashMap<String, Session>>,
}

impl std::fmt::Debug for TenantAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantAccess")
            .field("role_arn", &self.role_arn)
            .finish_non_exhaustive()
    }
}

impl TenantAccess {
    pub fn new(
        sdk: &aws_types::SdkConfig,
        role_arn: &str,
        resources: TenantResources,
        path_style_s3: bool,
    ) -> Self {
        Self {
            sts: {
                let sdk = sdk.clone();
                crate::lazy::OnFirstUse::new(move || aws_sdk_sts::Client::new(&sdk))
            },
            sdk: sdk.clone(),
            role_arn: role_arn.to_string(),
            resources,
            path_style_s3,
            sessions: Mutex::new(HashMap::new()),
        }
    }

    fn cached<T>(&self, tenant_id: &str, pick: impl Fn(&Session) -> T) -> Option<T> {
        let sessions = self.sessions.lock().ok()?;
        let session = sessions.get(tenant_id)?;
        let left = session.expires.duration_since(SystemTime::now()).ok()?;
        (left > RENEW_BEFORE).then(|| pick(session))
    }

    /// Whether a fresh session for this tenant is cached (for tests and diagnostics).
    pub fn has_session(&self, tenant_id: &str) -> bool {
        self.cached(tenant_id, |_| ()).is_some()
    }

    pub async fn dynamo(&self, tenant_id: &str) -> ApiResult<aws_sdk_dynamodb::Client> {
        self.session(tenant_id, |session| session.dynamo.clone())
            .await
    }

    pub async fn s3(&self, tenant_id: &str) -> ApiResult<aws_sdk_s3::Client> {
        self.session(tenant_id, |session| session.s3.clone()).await
    }

    /// The cached session's client, assuming the role first when none is fresh.
    async fn session<T>(&self, tenant_id: &str, pick: impl Fn(&Session) -> T) -> ApiResult<T> {
        if let Some(client) = self.cached(tenant_id, &pick) {
            return Ok(client);
        }
        self.assume(tenant_id).await?;
        self.cached(tenant_id, &pick)
            .ok_or_else(|| ApiError::internal("tenancy", "a session that expires at once"))
    }

    async fn assume(&self, tenant_id: &str) -> ApiResult<()> {
        let request = session_request(&self.role_arn, &self.resources, tenant_id);
        let mut call = self
            .sts
            .assume_role()
            .role_arn(&request.role_arn)
            .role_session_name(&request.session_name)
            .policy(request.policy.to_string())
            .duration_seconds(request.duration_seconds);
        for (key, value) in &request.tags {
            call = call.tags(
                aws_sdk_sts::types::Tag::builder()
                    .key(key)
                    .value(value)
                    .build()
                    .map_err(|error| ApiError::internal("sts tag", error))?,
            );
        }
        let output = call
            .send()
            .await
            .map_err(|error| ApiError::dependency("sts assume_role", error))?;
        let credentials = output
            .credentials
            .ok_or_else(|| ApiError::internal("sts", "no credentials"))?;
        let expires = SystemTime::try_from(credentials.expiration)
            .map_err(|error| ApiError::internal("sts expiration", error))?;
        let provider = Credentials::new(
            credentials.access_key_id,
            credentials.secret_access_key,
            Some(credentials.session_token),
            Some(expires),
            "atrium-tenant-session",
        );
        let dynamo = aws_sdk_dynamodb::Client::from_conf(
            aws_sdk_dynamodb::config::Builder::from(&self.sdk)
                .credentials_provider(provider.clone())
                .build(),
        );
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&self.sdk)
                .credentials_provider(provider)
                .force_path_style(self.path_style_s3)
                .build(),
        );
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.insert(
                tenant_id.to_string(),
                Session {
                    dynamo,
                    s3,
                    expires,
                },
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLE: &str = "arn:aws:iam::123456789012:role/atrium-prod-TenantDataRole-ABC";
    const TENANT: &str = "01JABCDEFGHJKMNPQRSTVWXYZ0";

    #[test]
    fn the_session_is_tagged_and_limited_to_one_tenant() {
        let resources = TenantResources::from_names(ROLE, "eu-west-1", "atrium-table", "docs");
        assert_eq!(
            resources.table_arn,
            "arn:aws:dynamodb:eu-west-1:123456789012:table/atrium-table"
        );
        let request = session_request(ROLE, &resources, TENANT);
        assert_eq!(
            request.tags,
            vec![("tenant".to_string(), TENANT.to_string())]
        );
        assert_eq!(request.role_arn, ROLE);
        assert_eq!(request.session_name, format!("tenant-{TENANT}"));
        assert!(request.duration_seconds <= 3600);

        let statements = request.policy["Statement"].as_array().unwrap();
        let items = &statements[0];
        assert_eq!(items["Resource"], resources.table_arn);
        let keys = &items["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"];
        assert_eq!(
            keys,
            &json!([
                format!("T#{TENANT}"),
                format!("T#{TENANT}#*"),
                "INVITE#*",
                "INVOICENO#*",
                "PERSON#*",
                "STRIPEPI#*"
            ])
        );
        let actions: Vec<&str> = items["Action"]
            .as_array()
            .unwrap()
            .iter()
            .map(|action| action.as_str().unwrap())
            .collect();
        assert!(!actions.iter().any(|action| action.contains("Scan")
            || action.contains("PartiQL")
            || action.contains("*")));
        // No index in the resource: a tenant session cannot read the firm's cross-tenant lists.
        assert!(!items["Resource"].as_str().unwrap().contains("/index"));
        assert_eq!(
            statements[1]["Resource"],
            format!("arn:aws:s3:::docs/tenants/{TENANT}/*")
        );
        assert_eq!(statements.len(), 2);
        // Nothing in the policy names any other tenant or a wildcard tenant.
        let text = request.policy.to_string();
        assert!(!text.contains("T#*"));
        assert!(!text.contains("tenants/*"));
    }

    #[test]
    fn keys_pick_the_tenant_or_the_firm() {
        let a = "T#01JAAAAAAAAAAAAAAAAAAAAAAA";
        let b = "T#01JBBBBBBBBBBBBBBBBBBBBBBB";
        assert_eq!(
            tenant_of_keys([a, a], None).unwrap(),
            Some("01JAAAAAAAAAAAAAAAAAAAAAAA")
        );
        assert_eq!(
            tenant_of_keys([a, "INVITE#abc"], None).unwrap(),
            Some("01JAAAAAAAAAAAAAAAAAAAAAAA")
        );
        assert_eq!(tenant_of_keys(["FIRM", "SLUG#x"], None).unwrap(), None);
        assert_eq!(tenant_of_keys([a, "FIRM"], None).unwrap(), None);
        assert!(tenant_of_keys([a, b], None).is_err());
        assert!(tenant_of_keys([b], Some("01JAAAAAAAAAAAAAAAAAAAAAAA")).is_err());
    }
}
