//! An `App` whose four SDK clients are answered by aws-smithy-mocks with the HTTP responses
//! moto gave when the same request ran for real. The SDK does everything it does in Lambda
//! (endpoint resolution, SigV4 signing, retries' bookkeeping, deserialisation); only the
//! network is replaced. One rule per operation (`RuleMode::MatchAny`); a rule answers the
//! recorded response whose request is identical (`Debug` form), else the next one of that
//! operation in recorded order, so repeated and concurrent calls get the right answer.

use crate::record::AwsCall;
use atrium_shared::config::Config;
use atrium_shared::App;
use aws_smithy_mocks::{create_mock_http_client, mock, MockResponseInterceptor, Rule, RuleMode};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The recorded answers of one handler call, by (service, operation).
pub struct Tape {
    entries: HashMap<(String, String), Vec<AwsCall>>,
    cursors: Mutex<HashMap<(String, String), usize>>,
    /// Answers given so far: the round trips of the replayed requests.
    pub served: AtomicUsize,
}

impl Tape {
    pub fn new(calls: &[AwsCall]) -> Arc<Self> {
        let mut entries: HashMap<(String, String), Vec<AwsCall>> = HashMap::new();
        for call in calls {
            entries
                .entry((call.service.clone(), call.operation.clone()))
                .or_default()
                .push(call.clone());
        }
        Arc::new(Self {
            entries,
            cursors: Mutex::new(HashMap::new()),
            served: AtomicUsize::new(0),
        })
    }

    fn has(&self, service: &str, operation: &str) -> bool {
        self.entries
            .contains_key(&(service.to_string(), operation.to_string()))
    }

    fn several(&self, service: &str, operation: &str) -> bool {
        self.entries
            .get(&(service.to_string(), operation.to_string()))
            .is_some_and(|calls| calls.len() > 1)
    }

    /// The operations recorded, for checking every one has a rule.
    pub fn operations(&self) -> BTreeSet<(String, String)> {
        self.entries.keys().cloned().collect()
    }

    fn answer(&self, service: &str, operation: &str, fingerprint: Option<&str>) -> HttpResponse {
        self.served.fetch_add(1, Ordering::Relaxed);
        let key = (service.to_string(), operation.to_string());
        let calls = &self.entries[&key];
        // A poisoned lock only means another replay panicked; its cursors are still usable.
        let mut cursors = self
            .cursors
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let cursor = cursors.entry(key).or_insert(0);
        let start = *cursor % calls.len();
        let index = fingerprint
            .and_then(|fingerprint| {
                (0..calls.len())
                    .map(|offset| (start + offset) % calls.len())
                    .find(|&index| calls[index].fingerprint == fingerprint)
            })
            .unwrap_or_else(|| {
                if fingerprint.is_some() && std::env::var_os("ATRIUM_BENCH_DEBUG").is_some() {
                    eprintln!(
                        "no match for {fingerprint:?} among {:?}",
                        calls.iter().map(|c| &c.fingerprint).collect::<Vec<_>>()
                    );
                }
                start
            });
        *cursor = index + 1;
        let call = &calls[index];
        let mut response = HttpResponse::new(
            StatusCode::try_from(call.status)
                .unwrap_or_else(|_| StatusCode::from(http::StatusCode::INTERNAL_SERVER_ERROR)),
            SdkBody::from(call.body.clone()),
        );
        for (name, value) in &call.headers {
            response.headers_mut().append(name.clone(), value.clone());
        }
        response
    }
}

/// One rule per listed operation that the tape holds.
macro_rules! rules {
    ($tape:expr, $service:literal, $client:ident, [$($method:ident => $operation:literal),* $(,)?]) => {{
        let mut rules: Vec<Rule> = Vec::new();
        let known: Vec<&str> = vec![$($operation),*];
        $(
            if $tape.has($service, $operation) {
                let tape = $tape.clone();
                let several = tape.several($service, $operation);
                rules.push(mock!($client::$method).then_compute_response(move |input| {
                    let fingerprint =
                        several.then(|| crate::record::fingerprint(&format!("{input:?}")));
                    aws_smithy_mocks::MockResponse::Http(tape.answer(
                        $service,
                        $operation,
                        fingerprint.as_deref(),
                    ))
                }));
            }
        )*
        (rules, known)
    }};
}

fn interceptor(rules: &[Rule]) -> MockResponseInterceptor {
    // Presigning runs the interceptors without sending: let it through (it is no round trip).
    let mut interceptor = MockResponseInterceptor::new()
        .rule_mode(RuleMode::MatchAny)
        .allow_passthrough();
    for rule in rules {
        interceptor = interceptor.with_rule(rule);
    }
    interceptor
}

/// An `App` answered from `tape`; fails when the tape holds an operation without a rule here.
pub async fn mocked_app(config: &Config, tape: &Arc<Tape>) -> Result<App, String> {
    use aws_sdk_cognitoidentityprovider::Client as Cognito;
    use aws_sdk_dynamodb::Client as Dynamo;
    use aws_sdk_s3::Client as S3;
    use aws_sdk_sesv2::Client as Ses;

    let sdk = atrium_shared::app::sdk_config(config)?;
    let (dynamo_rules, dynamo_known) = rules!(tape, "DynamoDB", Dynamo, [
        get_item => "GetItem",
        put_item => "PutItem",
        update_item => "UpdateItem",
        delete_item => "DeleteItem",
        query => "Query",
        scan => "Scan",
        batch_get_item => "BatchGetItem",
        batch_write_item => "BatchWriteItem",
        transact_write_items => "TransactWriteItems",
        transact_get_items => "TransactGetItems",
    ]);
    let (cognito_rules, cognito_known) = rules!(tape, "Cognito Identity Provider", Cognito, [
        initiate_auth => "InitiateAuth",
        respond_to_auth_challenge => "RespondToAuthChallenge",
        associate_software_token => "AssociateSoftwareToken",
        verify_software_token => "VerifySoftwareToken",
        set_user_mfa_preference => "SetUserMFAPreference",
        admin_set_user_mfa_preference => "AdminSetUserMFAPreference",
        admin_create_user => "AdminCreateUser",
        admin_set_user_password => "AdminSetUserPassword",
        admin_disable_user => "AdminDisableUser",
        admin_enable_user => "AdminEnableUser",
        admin_get_user => "AdminGetUser",
        admin_delete_user => "AdminDeleteUser",
        admin_user_global_sign_out => "AdminUserGlobalSignOut",
        admin_initiate_auth => "AdminInitiateAuth",
        global_sign_out => "GlobalSignOut",
        revoke_token => "RevokeToken",
        get_user => "GetUser",
        change_password => "ChangePassword",
        create_user_pool => "CreateUserPool",
        create_user_pool_client => "CreateUserPoolClient",
        describe_user_pool => "DescribeUserPool",
        update_user_pool => "UpdateUserPool",
        set_user_pool_mfa_config => "SetUserPoolMfaConfig",
        get_user_pool_mfa_config => "GetUserPoolMfaConfig",
        list_user_pools => "ListUserPools",
        list_user_pool_clients => "ListUserPoolClients",
        tag_resource => "TagResource",
    ]);
    let (ses_rules, ses_known) = rules!(tape, "SESv2", Ses, [
        send_email => "SendEmail",
    ]);
    let (s3_rules, s3_known) = rules!(tape, "S3", S3, [
        head_object => "HeadObject",
        get_object => "GetObject",
        put_object => "PutObject",
        delete_object => "DeleteObject",
        create_multipart_upload => "CreateMultipartUpload",
        upload_part => "UploadPart",
        list_parts => "ListParts",
        complete_multipart_upload => "CompleteMultipartUpload",
        abort_multipart_upload => "AbortMultipartUpload",
    ]);
    let known: BTreeSet<(&str, &str)> = [
        ("DynamoDB", dynamo_known),
        ("Cognito Identity Provider", cognito_known),
        ("SESv2", ses_known),
        ("S3", s3_known),
    ]
    .into_iter()
    .flat_map(|(service, operations)| operations.into_iter().map(move |op| (service, op)))
    .collect();
    let missing: Vec<String> = tape
        .operations()
        .into_iter()
        .filter(|(service, operation)| !known.contains(&(service.as_str(), operation.as_str())))
        .map(|(service, operation)| format!("{service}.{operation}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!("no mock rule for {}", missing.join(", ")));
    }

    let dynamo = Dynamo::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&sdk)
            .http_client(create_mock_http_client())
            .interceptor(interceptor(&dynamo_rules))
            .build(),
    );
    let cognito = Cognito::from_conf(
        aws_sdk_cognitoidentityprovider::config::Builder::from(&sdk)
            .http_client(create_mock_http_client())
            .interceptor(interceptor(&cognito_rules))
            .build(),
    );
    let ses = Ses::from_conf(
        aws_sdk_sesv2::config::Builder::from(&sdk)
            .http_client(create_mock_http_client())
            .interceptor(interceptor(&ses_rules))
            .build(),
    );
    let s3 = S3::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(config.aws_endpoint.is_some())
            .http_client(create_mock_http_client())
            .interceptor(interceptor(&s3_rules))
            .build(),
    );
    Ok(App::new(config.clone(), dynamo, cognito, ses, s3))
}
