//! The test harness: one moto per test binary (started from the project's venv, gone when the
//! binary exits), a uniquely named stack per test, and helpers that speak HTTP to the local
//! gateway exactly as a browser or an API client would.

pub mod stripe;
pub mod tokens;

use atrium_local::events::IncomingRequest;
use atrium_local::gateway::Gateway;
use atrium_local::mailbox::{sent_mail, SentMail};
use atrium_local::moto::Moto;
use atrium_local::seed::create_staff_user;
use atrium_local::stack::{provision, StackOptions};
use atrium_shared::config::Config;
use atrium_shared::principal::Role;
use atrium_shared::App;
use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::{json, Value};
use std::sync::{Arc, OnceLock};

pub const ORIGIN: &str = "https://portal.test";
pub const STAFF_PASSWORD: &str = "Staff-Password-2026!";
pub const CONTACT_PASSWORD: &str = "Contact-Password-2026!";

static MOTO: OnceLock<Result<Moto, String>> = OnceLock::new();

/// The moto every test of this binary shares.
pub fn moto_endpoint() -> String {
    match MOTO.get_or_init(|| Moto::start(&atrium_local::project_root())) {
        Ok(moto) => moto.endpoint.clone(),
        Err(error) => panic!("moto: {error}"),
    }
}

/// A short name no other test of this run uses.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}{}", ulid::Ulid::new().to_string().to_lowercase())
}

pub struct TestEnv {
    pub gateway: Gateway,
    pub app: Arc<App>,
    pub config: Config,
    pub endpoint: String,
    /// Unique to this test; use it in email addresses so the shared mailbox can be filtered.
    pub tag: String,
}

impl TestEnv {
    pub async fn new() -> Self {
        Self::with_options(|_| {}).await
    }

    pub async fn with_options(adjust: impl FnOnce(&mut StackOptions)) -> Self {
        let endpoint = moto_endpoint();
        let tag = unique("t");
        let mut options = StackOptions::new(&tag, ORIGIN);
        options.user_cache_seconds = 0;
        adjust(&mut options);
        let config = provision(&endpoint, &options).await.expect("provision");
        let app = Arc::new(App::from_config(config.clone()).await.expect("app"));
        Self::from_app(app, config, endpoint, tag)
    }

    pub fn from_app(app: Arc<App>, config: Config, endpoint: String, tag: String) -> Self {
        let template = std::fs::read_to_string(atrium_local::project_root().join("template.yaml"))
            .expect("template.yaml");
        let gateway = Gateway::new(app.clone(), &template).expect("gateway");
        Self {
            gateway,
            app,
            config,
            endpoint,
            tag,
        }
    }

    pub fn email(&self, name: &str) -> String {
        format!("{name}.{}@example.com", self.tag)
    }

    /// A request as the API receives it: through CloudFront, whose origin header it carries
    /// when the stack has one (`StackOptions::origin_secret`).
    pub fn call(&self, method: &str, path: &str) -> Call<'_> {
        let call = self.call_direct(method, path);
        match &self.config.origin_secret {
            Some(secret) => call.header(atrium_shared::edge::ORIGIN_VERIFY_HEADER, secret),
            None => call,
        }
    }

    /// A request straight to the API's own address, past CloudFront.
    pub fn call_direct(&self, method: &str, path: &str) -> Call<'_> {
        Call {
            env: self,
            request: IncomingRequest::new(method, path),
        }
    }

    /// A staff user who signed in with a bearer token.
    pub async fn staff(&self, roles: Vec<Role>) -> Session {
        let email = self.email(&unique("staff"));
        create_staff_user(&self.app, &email, "Sam Staff", roles, STAFF_PASSWORD)
            .await
            .expect("staff user");
        self.sign_in(&email, STAFF_PASSWORD, None).await
    }

    pub async fn sign_in(&self, email: &str, password: &str, slug: Option<&str>) -> Session {
        let mut body = json!({ "email": email, "password": password, "mode": "bearer" });
        if let Some(slug) = slug {
            body["slug"] = json!(slug);
        }
        let response = self.call("POST", "/api/auth/login").json(body).send().await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "sign in: {}",
            response.body
        );
        Session::from_bearer(&response.json)
    }

    /// Onboards a client and accepts its invitation: the contact's signed-in session.
    pub async fn client(&self, staff: &Session, slug_hint: &str) -> Client {
        let slug = format!("{slug_hint}-{}", &self.tag[self.tag.len() - 8..]);
        let email = self.email(slug_hint);
        let response = self
            .call("POST", "/api/clients")
            .bearer(&staff.token)
            .json(json!({ "name": format!("{slug_hint} Ltd"), "slug": slug, "contact": { "name": "Casey Contact", "email": email } }))
            .send()
            .await;
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "onboard: {}",
            response.body
        );
        let tenant_id = response.json["id"].as_str().expect("id").to_string();
        let token = self.invitation_token(&email).await;
        let accepted = self
            .call("POST", "/api/auth/accept-invite")
            .json(json!({ "token": token, "password": CONTACT_PASSWORD, "mode": "bearer" }))
            .send()
            .await;
        assert_eq!(accepted.status, StatusCode::OK, "accept: {}", accepted.body);
        Client {
            tenant_id,
            slug,
            email,
            session: Session::from_bearer(&accepted.json),
        }
    }

    /// Another contact of `client`'s organisation with the given roles, signed in. (Inviting
    /// contacts through the API comes with roles management; here the pool user and the
    /// portal's record are made directly.)
    pub async fn contact_with_roles(
        &self,
        client: &Client,
        name: &str,
        roles: Vec<Role>,
    ) -> Session {
        use atrium_shared::store::records::{UserRecord, UserStatus};
        let record = self
            .app
            .store
            .client_record(&client.tenant_id)
            .await
            .unwrap()
            .unwrap();
        let pool_id = record.pool_id.unwrap();
        let email = self.email(name);
        let created = self
            .app
            .cognito
            .admin_create_user()
            .user_pool_id(&pool_id)
            .username(&email)
            .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
            .send()
            .await
            .unwrap();
        let sub = created
            .user
            .unwrap()
            .attributes
            .unwrap()
            .into_iter()
            .find(|attribute| attribute.name == "sub")
            .and_then(|attribute| attribute.value)
            .unwrap();
        self.app
            .cognito
            .admin_set_user_password()
            .user_pool_id(&pool_id)
            .username(&email)
            .password(CONTACT_PASSWORD)
            .permanent(true)
            .send()
            .await
            .unwrap();
        let scope = scope_of(client);
        let contact = UserRecord {
            sub,
            email: email.clone(),
            name: name.to_string(),
            roles,
            status: UserStatus::Active,
            mfa_enabled: false,
            sessions_valid_after: 0,
            created_at: atrium_shared::ids::now_rfc3339(),
            version: 1,
        };
        let items = vec![
            self.app.store.contact_tx(&scope, &contact).unwrap(),
            self.app
                .store
                .membership_tx(&atrium_shared::store::people::Membership::contact(
                    scope.tenant_id(),
                    &contact.sub,
                    &contact.email,
                ))
                .unwrap(),
        ];
        self.app.store.transact(items, "exists").await.unwrap();
        self.sign_in(&email, CONTACT_PASSWORD, Some(&client.slug))
            .await
    }

    /// Uploads `bytes` as a new document not tied to a request and confirms it, as a browser
    /// would: `POST {prefix}/documents` (`""` for a contact, `/api/clients/<id>` for staff),
    /// the PUT to the presigned URL, then the confirm. Answers the document's id.
    pub async fn upload_document(
        &self,
        token: &str,
        prefix: &str,
        file_name: &str,
        content_type: &str,
        extra: Value,
        bytes: &[u8],
    ) -> String {
        use base64::Engine;
        use sha2::Digest;
        let sha256 = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(bytes));
        let base = if prefix.is_empty() { "/api" } else { prefix };
        let mut body = json!({ "file_name": file_name, "content_type": content_type, "size": bytes.len(), "sha256": sha256 });
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        let started = self
            .call("POST", &format!("{base}/documents"))
            .bearer(token)
            .json(body)
            .send()
            .await;
        assert_eq!(
            started.status,
            StatusCode::CREATED,
            "upload: {}",
            started.body
        );
        let upload = &started.json["upload"];
        let mut put = reqwest::Client::new().put(upload["url"].as_str().expect("url"));
        for (name, value) in upload["headers"].as_object().expect("headers") {
            put = put.header(name.as_str(), value.as_str().unwrap_or_default());
        }
        let stored = put.body(bytes.to_vec()).send().await.expect("put");
        assert!(stored.status().is_success(), "put: {}", stored.status());
        let document_id = started.json["document_id"]
            .as_str()
            .expect("document_id")
            .to_string();
        let confirmed = self
            .call(
                "POST",
                &format!("{base}/documents/{document_id}/versions/1/confirm"),
            )
            .bearer(token)
            .send()
            .await;
        assert_eq!(
            confirmed.status,
            StatusCode::OK,
            "confirm: {}",
            confirmed.body
        );
        self.scanned(&document_id, 1).await;
        document_id
    }

    /// Waits until the malware scan (the local stack's stand-in for GuardDuty) has answered
    /// for a version, and answers its verdict (`clean`, `quarantined`, …).
    pub async fn scanned(&self, document_id: &str, number: u32) -> String {
        use atrium_documents::data::{Documents, ScanState};
        let started = std::time::Instant::now();
        loop {
            self.gateway.watcher().sweep().await;
            let clients = self
                .app
                .store
                .list_clients(100, None)
                .await
                .map(|page| page.items)
                .unwrap_or_default();
            for client in clients {
                let scope = atrium_shared::store::registry::registered_scope(&client);
                if let Ok(Some(version)) = Documents::of(self.app.store.tenant(&scope))
                    .version(document_id, number)
                    .await
                {
                    if version.scan != ScanState::BeingChecked {
                        return version.scan.as_str().to_string();
                    }
                }
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "the scan of {document_id} v{number} never answered"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    pub async fn mail_to(&self, address: &str) -> Vec<SentMail> {
        sent_mail(&self.endpoint)
            .await
            .expect("mailbox")
            .into_iter()
            .filter(|mail| mail.to.iter().any(|to| to == address))
            .collect()
    }

    /// The token of the one invitation mailed to `address`.
    pub async fn invitation_token(&self, address: &str) -> String {
        let mail = self.mail_to(address).await;
        assert_eq!(mail.len(), 1, "exactly one invitation to {address}");
        invitation_token_in(&mail[0].body).expect("a link with a token")
    }
}

/// Every entry of a client's trail as `(action, target)`, oldest first.
pub async fn trail_actions(env: &TestEnv, client: &Client) -> Vec<(String, String)> {
    let page = env
        .app
        .store
        .audit_entries(&scope_of(client), 1000, None, &Default::default())
        .await
        .expect("trail");
    page.items
        .into_iter()
        .map(|entry| (entry.action, entry.target))
        .collect()
}

/// The email of a signed-in staff member.
pub async fn staff_email_of(env: &TestEnv, staff: &Session) -> String {
    let sub = tokens::claims_of(&staff.token)["sub"]
        .as_str()
        .expect("sub")
        .to_string();
    env.app
        .store
        .staff_user(&sub)
        .await
        .expect("staff record")
        .expect("a staff member")
        .email
}

/// The `id` of every item of the list `list` in a JSON answer, in order.
pub fn ids_in(json: &Value, list: &str) -> Vec<String> {
    json[list]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The token of the invitation link in a mail body.
pub use atrium_local::mailbox::invitation_token_in;

#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub refresh: Option<String>,
}

impl Session {
    pub fn from_bearer(json: &Value) -> Self {
        Self {
            token: json["access_token"]
                .as_str()
                .expect("access_token")
                .to_string(),
            refresh: json["refresh_token"].as_str().map(str::to_string),
        }
    }
}

/// The scope of a test client's tenant, for checking the store directly.
pub fn scope_of(client: &Client) -> atrium_shared::principal::TenantScope {
    atrium_shared::principal::Principal::staff("test", vec![Role::Admin])
        .staff_scope(&client.tenant_id)
        .expect("scope")
}

#[derive(Debug, Clone)]
pub struct Client {
    pub tenant_id: String,
    pub slug: String,
    pub email: String,
    pub session: Session,
}

pub struct Call<'a> {
    env: &'a TestEnv,
    request: IncomingRequest,
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    pub json: Value,
}

impl Reply {
    pub fn error_code(&self) -> &str {
        self.json["error"]["code"].as_str().unwrap_or_default()
    }

    pub fn error_message(&self) -> &str {
        self.json["error"]["message"].as_str().unwrap_or_default()
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(http::header::SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok().map(str::to_string))
            .collect()
    }

    /// The value of a cookie this reply sets.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies().iter().find_map(|line| {
            let pair = line.split(';').next()?;
            let (key, value) = pair.split_once('=')?;
            (key == name).then(|| value.to_string())
        })
    }
}

impl Call<'_> {
    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.request
            .headers
            .append(name, HeaderValue::from_str(value).expect("header value"));
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    pub fn cookie(self, pair: &str) -> Self {
        self.header("cookie", pair)
    }

    pub fn origin(self, origin: &str) -> Self {
        self.header("origin", origin)
    }

    /// The address the request comes from (API Gateway's `sourceIp`).
    pub fn from_address(mut self, ip: &str) -> Self {
        self.request.source_ip = ip.to_string();
        self
    }

    pub fn json(mut self, body: Value) -> Self {
        self.request.body = body.to_string().into_bytes();
        self.header("content-type", "application/json")
    }

    pub fn raw_body(mut self, body: &str) -> Self {
        self.request.body = body.as_bytes().to_vec();
        self.header("content-type", "application/json")
    }

    pub async fn send(self) -> Reply {
        let response = self.env.gateway.call(self.request).await;
        let (parts, body) = response.into_parts();
        let body = String::from_utf8_lossy(&body).into_owned();
        let json = serde_json::from_str(&body).unwrap_or(Value::Null);
        Reply {
            status: parts.status,
            headers: parts.headers,
            body,
            json,
        }
    }
}

/// A code the authenticator app would show now, for moto's fixed TOTP secret. Waits for a
/// fresh 30-second window when the current one is about to close.
pub async fn totp_code(secret: &str) -> String {
    use totp_rs::{Algorithm, Secret, TOTP};
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    if now % 30 > 26 {
        tokio::time::sleep(std::time::Duration::from_secs(31 - now % 30)).await;
    }
    let bytes = Secret::Encoded(secret.to_uppercase())
        .to_bytes()
        .expect("base32 secret");
    TOTP::new_unchecked(Algorithm::SHA1, 6, 0, 30, bytes)
        .generate_current()
        .expect("totp")
}

/// Lands a rival write just before the first `TransactWriteItems` of the client it is installed
/// on: `rival` runs to completion on another thread (with its own runtime) while the
/// transaction waits. Races are driven this way because moto's transactions are not isolated
/// between its server threads, so truly concurrent requests against moto prove nothing.
pub struct CutIn {
    rival: std::sync::Mutex<Option<Box<dyn FnOnce() + Send>>>,
}

impl std::fmt::Debug for CutIn {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("CutIn")
    }
}

impl CutIn {
    /// `rival` gets a fresh `App` on the same stack.
    pub fn new<F, Fut>(config: Config, rival: F) -> Self
    where
        F: FnOnce(App) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()>,
    {
        let run = move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime
                .block_on(async move { rival(App::from_config(config).await.expect("app")).await });
        };
        Self {
            rival: std::sync::Mutex::new(Some(Box::new(run))),
        }
    }

    /// An `App` on the same stack whose table client has this cut-in installed (the other
    /// clients as usual).
    pub async fn app(self, config: &Config) -> App {
        let sdk = atrium_shared::app::sdk_config(config).expect("sdk config");
        App::new(
            config.clone(),
            self.dynamo(config).await,
            aws_sdk_cognitoidentityprovider::Client::new(&sdk),
            aws_sdk_sesv2::Client::new(&sdk),
            atrium_shared::app::s3_client(config, &sdk),
        )
    }

    /// The table client with this cut-in installed.
    pub async fn dynamo(self, config: &Config) -> aws_sdk_dynamodb::Client {
        let sdk = atrium_shared::app::sdk_config(config).expect("sdk config");
        aws_sdk_dynamodb::Client::from_conf(
            aws_sdk_dynamodb::config::Builder::from(&sdk)
                .interceptor(self)
                .build(),
        )
    }
}

impl aws_smithy_runtime_api::client::interceptors::Intercept for CutIn {
    fn name(&self) -> &'static str {
        "CutIn"
    }

    fn read_before_serialization(
        &self,
        _context: &aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef<'_>,
        _components: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        cfg: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        let is_transaction = cfg
            .load::<aws_smithy_runtime_api::client::orchestrator::Metadata>()
            .is_some_and(|metadata| metadata.name() == "TransactWriteItems");
        if !is_transaction {
            return Ok(());
        }
        let rival = self.rival.lock().ok().and_then(|mut slot| slot.take());
        match rival {
            Some(rival) => std::thread::spawn(rival)
                .join()
                .map_err(|_| "the rival write failed".into()),
            None => Ok(()),
        }
    }
}
