//! Runs one successful request of every function for real, against moto, through the same
//! pieces as the local gateway (template routes, the authorizer, payload-2.0 events), and keeps
//! for each function binary its event and the AWS calls it made. Those are what the warm
//! measurements replay and what the peak-RSS runs feed the binaries.

use crate::record::{AwsCall, Recorder};
use atrium_authorizer::Authorizer;
use atrium_local::events::{authorizer_event, http_event, IncomingRequest};
use atrium_local::gateway::match_routes;
use atrium_local::template::Route;
use atrium_shared::config::Config;
use atrium_shared::principal::Role;
use atrium_shared::runtime::{respond, Handler};
use atrium_shared::App;
use http::HeaderValue;
use lambda_http::Body;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

pub const ORIGIN: &str = "https://portal.bench";
const STAFF_PASSWORD: &str = "Bench-Staff-Pass-2026!";
const CONTACT_PASSWORD: &str = "Bench-Contact-Pass-2026!";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Http,
    Authorizer,
    Scheduled,
    /// An EventBridge delivery to a `Serve::Event` operation (scan verdicts, archive builds).
    Event,
}

/// One function's successful request: the event its binary receives and what it called.
#[derive(Debug, Clone)]
pub struct Recording {
    pub binary: String,
    pub kind: Kind,
    pub route: String,
    pub event: String,
    pub status: u16,
    pub calls: Vec<AwsCall>,
}

pub struct Rig {
    pub app: Arc<App>,
    pub config: Config,
    pub endpoint: String,
    pub(crate) recorder: Recorder,
    routes: Vec<(Route, Handler)>,
    pub recordings: BTreeMap<String, Recording>,
    pub problems: Vec<String>,
    record_authorizer: bool,
    /// Onboarding's AWS calls as the firm grows ([`Rig::onboarding_at_scale`]).
    pub onboarding_scale: Option<OnboardingScale>,
    /// Who the scenario signed in, for the measurements that follow it.
    pub session: Option<Session>,
}

/// The scenario's firm admin and client contact (access tokens) and the client's tenant.
#[derive(Debug, Clone)]
pub struct Session {
    pub staff: String,
    pub contact: String,
    pub tenant: String,
}

impl Session {
    /// The firm's routes for this client.
    pub fn base(&self) -> String {
        format!("/api/clients/{}", self.tenant)
    }
}

/// The AWS calls (operation names, in order) of one onboarding with few clients in the
/// account and again with many: equal lists mean onboarding costs the same as the firm grows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OnboardingScale {
    pub pools_before: usize,
    pub calls_before: Vec<String>,
    pub pools_after: usize,
    pub calls_after: Vec<String>,
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub json: Value,
    pub body: String,
    pub cookies: Vec<String>,
}

impl Reply {
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.iter().find_map(|line| {
            let (key, value) = line.split(';').next()?.split_once('=')?;
            (key == name).then(|| value.to_string())
        })
    }
}

pub(crate) fn text(value: &Value) -> Result<String, String> {
    value
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("expected a string, got {value}"))
}

pub async fn recording_app(config: &Config, recorder: &Recorder) -> Result<App, String> {
    let sdk = atrium_shared::app::sdk_config(config).map_err(|error| error.to_string())?;
    Ok(App::new(
        config.clone(),
        aws_sdk_dynamodb::Client::from_conf(
            aws_sdk_dynamodb::config::Builder::from(&sdk)
                .interceptor(recorder.clone())
                .build(),
        ),
        aws_sdk_cognitoidentityprovider::Client::from_conf(
            aws_sdk_cognitoidentityprovider::config::Builder::from(&sdk)
                .interceptor(recorder.clone())
                .build(),
        ),
        aws_sdk_sesv2::Client::from_conf(
            aws_sdk_sesv2::config::Builder::from(&sdk)
                .interceptor(recorder.clone())
                .build(),
        ),
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&sdk)
                .force_path_style(true)
                .interceptor(recorder.clone())
                .build(),
        ),
    ))
}

impl Rig {
    pub async fn new(endpoint: &str, config: Config, template: &str) -> Result<Self, String> {
        let recorder = Recorder::default();
        let app = Arc::new(recording_app(&config, &recorder).await?);
        Ok(Self {
            app,
            config,
            endpoint: endpoint.to_string(),
            recorder,
            routes: match_routes(template)?,
            recordings: BTreeMap::new(),
            problems: Vec::new(),
            record_authorizer: false,
            onboarding_scale: None,
            session: None,
        })
    }

    /// The calls since `recorder.start()`, each `GetObject` with the object's bytes, which
    /// streamed to the handler without passing the recorder (read again here, not recorded).
    pub(crate) async fn stop_recording(&self) -> Vec<AwsCall> {
        let mut calls = self.recorder.stop();
        for call in calls.iter_mut().filter(|call| call.status == 200) {
            let Some(object) = &call.object else {
                continue;
            };
            let read = self
                .app
                .s3
                .get_object()
                .bucket(&object.bucket)
                .key(&object.key)
                .set_range(object.range.clone())
                .send()
                .await;
            if let Ok(read) = read {
                if let Ok(bytes) = read.body.collect().await {
                    call.body = bytes.to_vec();
                    call.response_bytes = call.body.len();
                }
            }
        }
        calls
    }

    /// API Gateway's part, then the handler; the first 2xx answer of each binary is kept.
    pub async fn send(&mut self, request: IncomingRequest) -> Result<Reply, String> {
        let (route, handler, params) = self
            .routes
            .iter()
            .find_map(|(route, handler)| {
                route
                    .matches(&request.method, &request.path)
                    .map(|params| (route.clone(), *handler, params))
            })
            .ok_or_else(|| format!("no route for {} {}", request.method, request.path))?;
        let mut context = None;
        if !route.public {
            let event_json = authorizer_event(&request, &route, &params);
            let event: atrium_authorizer::AuthorizerEvent =
                serde_json::from_value(event_json.clone()).map_err(|error| error.to_string())?;
            // A fresh authorizer: the recorded call is a cold one (issuer, keys, user).
            let recording = self.record_authorizer && !self.recordings.contains_key("authorizer");
            let authorizer = Authorizer::new(self.app.clone());
            if recording {
                self.recorder.start();
            }
            let answer = authorizer.authorize(&event).await;
            let calls = if recording {
                self.recorder.stop()
            } else {
                Vec::new()
            };
            if !answer.is_authorized {
                return Err(format!("{} refused by the authorizer", route.key()));
            }
            if recording {
                self.recordings.insert(
                    "authorizer".into(),
                    Recording {
                        binary: "authorizer".into(),
                        kind: Kind::Authorizer,
                        route: format!("(authorizer for {})", route.key()),
                        event: event_json.to_string(),
                        status: 200,
                        calls,
                    },
                );
            }
            context = Some(answer.context);
        }
        let event = http_event(&request, &route, &params, context.as_ref()).to_string();
        let lambda_request =
            lambda_http::request::from_str(&event).map_err(|error| error.to_string())?;
        self.recorder.start();
        let response = respond(handler, self.app.clone(), lambda_request).await;
        let calls = self.stop_recording().await;
        let (parts, body) = response.into_parts();
        let body = match body {
            Body::Text(text) => text,
            Body::Binary(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            _ => String::new(),
        };
        let status = parts.status.as_u16();
        if parts.status.is_success() && !self.recordings.contains_key(&route.operation) {
            self.recordings.insert(
                route.operation.clone(),
                Recording {
                    binary: route.operation.clone(),
                    kind: Kind::Http,
                    route: route.key(),
                    event,
                    status,
                    calls,
                },
            );
        }
        Ok(Reply {
            status,
            json: serde_json::from_str(&body).unwrap_or(Value::Null),
            cookies: parts
                .headers
                .get_all(http::header::SET_COOKIE)
                .iter()
                .filter_map(|value| value.to_str().ok().map(str::to_string))
                .collect(),
            body,
        })
    }

    fn request(
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> IncomingRequest {
        let mut request = IncomingRequest::new(method, path);
        let headers = &mut request.headers;
        headers.insert("origin", HeaderValue::from_static(ORIGIN));
        headers.insert(
            "user-agent",
            HeaderValue::from_static("Mozilla/5.0 (atrium-bench)"),
        );
        if let Some(token) = token {
            if let Ok(value) = HeaderValue::from_str(&format!("Bearer {token}")) {
                headers.insert("authorization", value);
            }
        }
        if let Some(body) = body {
            headers.insert("content-type", HeaderValue::from_static("application/json"));
            request.body = body.to_string().into_bytes();
        }
        request.source_ip = "203.0.113.10".to_string();
        request
    }

    /// A call that must succeed (2xx); its JSON answer.
    pub async fn ok(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let reply = self.send(Self::request(method, path, token, body)).await?;
        if !(200..300).contains(&reply.status) {
            return Err(format!(
                "{method} {path}: {} {}",
                reply.status,
                reply.body.chars().take(300).collect::<String>()
            ));
        }
        Ok(reply.json)
    }

    pub async fn get(&mut self, path: &str, token: &str) -> Result<Value, String> {
        self.ok("GET", path, Some(token), None).await
    }

    pub async fn post(&mut self, path: &str, token: &str, body: Value) -> Result<Value, String> {
        self.ok("POST", path, Some(token), Some(body)).await
    }

    async fn sign_in(
        &mut self,
        email: &str,
        password: &str,
        slug: Option<&str>,
    ) -> Result<Value, String> {
        let mut body = json!({ "email": email, "password": password, "mode": "bearer" });
        if let Some(slug) = slug {
            body["slug"] = json!(slug);
        }
        self.ok("POST", "/api/auth/login", None, Some(body)).await
    }

    async fn invitation_token(&self, address: &str) -> Result<String, String> {
        self.link_token(address, "/invite#token=").await
    }

    /// The token of the newest link starting `marker` mailed to `address`.
    async fn link_token(&self, address: &str, marker: &str) -> Result<String, String> {
        let mail = atrium_local::mailbox::sent_mail(&self.endpoint).await?;
        let body = mail
            .iter()
            .rev()
            .find(|mail| mail.to.iter().any(|to| to == address) && mail.body.contains(marker))
            .map(|mail| mail.body.clone())
            .ok_or_else(|| format!("no mail with {marker} to {address}"))?;
        let start = body.find(marker).ok_or("no link in the mail")? + marker.len();
        Ok(body[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect())
    }

    pub(crate) fn note<T>(&mut self, area: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.problems.push(format!("{area}: {error}"));
                None
            }
        }
    }

    /// Onboards one client, then fills the account with user pools up to `pools` (made
    /// directly: only their number could change what onboarding does) and onboards another,
    /// recording the AWS calls of both. The scenario's own recording of onboarding is kept.
    pub async fn onboarding_at_scale(&mut self, tag: &str, pools: usize) -> Result<(), String> {
        let kept_sign_in = self.recordings.get("auth-login").cloned();
        let staff = self
            .firm_admin(&format!("scale.{tag}@firm.example"), "Sam Scale")
            .await?;
        if let Some(kept_sign_in) = kept_sign_in {
            self.recordings.insert("auth-login".into(), kept_sign_in);
        }
        let kept = self.recordings.get("clients-onboard").cloned();
        let pools_before = self.pool_count().await?;
        let calls_before = self.onboard_and_count(&staff, tag, "few").await?;
        for index in self.pool_count().await?..pools {
            self.app
                .cognito
                .create_user_pool()
                .pool_name(format!("{tag}-filler-{index}"))
                .send()
                .await
                .map_err(|error| format!("filler pool: {error}"))?;
        }
        let pools_after = self.pool_count().await?;
        let calls_after = self.onboard_and_count(&staff, tag, "many").await?;
        if let Some(kept) = kept {
            self.recordings.insert("clients-onboard".into(), kept);
        }
        self.onboarding_scale = Some(OnboardingScale {
            pools_before,
            calls_before,
            pools_after,
            calls_after,
        });
        Ok(())
    }

    /// A firm admin made directly, signed in: their access token.
    async fn firm_admin(&mut self, email: &str, name: &str) -> Result<String, String> {
        atrium_local::seed::create_staff_user(
            &self.app,
            email,
            name,
            vec![Role::Admin],
            STAFF_PASSWORD,
        )
        .await?;
        let login = self.sign_in(email, STAFF_PASSWORD, None).await?;
        text(&login["access_token"])
    }

    /// Onboards a client and answers the operations of the AWS calls it made.
    async fn onboard_and_count(
        &mut self,
        staff: &str,
        tag: &str,
        name: &str,
    ) -> Result<Vec<String>, String> {
        let suffix = &tag[tag.len() - 8..];
        let body = json!({ "name": format!("Scale {name} Ltd"), "slug": format!("scale-{name}-{suffix}"), "contact": { "name": "Sky Scale", "email": format!("{name}.{tag}@client.example") } });
        self.post("/api/clients", staff, body).await?;
        Ok(self
            .recordings
            .get("clients-onboard")
            .map(|recording| {
                recording
                    .calls
                    .iter()
                    .map(|call| call.operation.clone())
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn pool_count(&self) -> Result<usize, String> {
        let mut count = 0;
        let mut next = None;
        loop {
            let page = self
                .app
                .cognito
                .list_user_pools()
                .max_results(60)
                .set_next_token(next)
                .send()
                .await
                .map_err(|error| format!("list pools: {error}"))?;
            count += page.user_pools().len();
            next = page.next_token.filter(|token| !token.is_empty());
            if next.is_none() {
                return Ok(count);
            }
        }
    }

    /// The whole story: every binary answers one request successfully.
    pub async fn run(&mut self, tag: &str) -> Result<(), String> {
        // Firm staff (made directly, signed in without recording: the recorded sign-in is a
        // client contact's, the one the cost model counts).
        let staff = self
            .firm_admin(&format!("admin.{tag}@firm.example"), "Avery Admin")
            .await?;
        self.recordings.remove("auth-login");

        // Onboarding and the contact's first sign-in.
        let slug = format!("bench-{}", &tag[tag.len() - 8..]);
        let contact_email = format!("casey.{tag}@client.example");
        let onboarded = self
            .post(
                "/api/clients",
                &staff,
                json!({ "name": "Bench Client Ltd", "slug": slug, "contact": { "name": "Casey Contact", "email": contact_email } }),
            )
            .await?;
        let tenant = text(&onboarded["id"])?;
        let base = format!("/api/clients/{tenant}");
        let token = self.invitation_token(&contact_email).await?;
        self.ok(
            "POST",
            "/api/auth/accept-invite",
            None,
            Some(json!({ "token": token, "password": CONTACT_PASSWORD, "mode": "bearer" })),
        )
        .await?;
        let login = self
            .sign_in(&contact_email, CONTACT_PASSWORD, Some(&slug))
            .await?;
        let contact = text(&login["access_token"])?;

        // A page view: the authorizer is recorded on this one.
        self.record_authorizer = true;
        let workspace = self.get("/api/workspace", &contact).await;
        self.record_authorizer = false;
        self.note("workspace", workspace);
        let me = self.get("/api/me", &contact).await;
        self.note("me", me);
        let listed = self.get("/api/clients", &staff).await;
        self.note("clients", listed);
        let mfa = self
            .ok(
                "PUT",
                &format!("{base}/mfa"),
                Some(&staff),
                Some(json!({ "required": false })),
            )
            .await;
        self.note("clients mfa", mfa);

        let result = self.documents(&staff, &contact, &base, &tenant).await;
        if let Some(clean) = self.note("documents", result) {
            let result = self.files(&staff, &contact, &base, &tenant, &clean).await;
            self.note("files", result);
        }
        let result = self.projects_and_approvals(&staff, &contact, &base).await;
        self.note("projects and approvals", result);
        let result = self.signatures(&staff, &contact, &base, &tenant).await;
        self.note("signatures", result);
        let result = self.messages(&staff, &contact, &base).await;
        self.note("messages", result);
        let result = self
            .invoices_and_tickets(&staff, &contact, &base, &tenant)
            .await;
        self.note("invoices and tickets", result);
        let result = self.forms(&staff, &contact, &base).await;
        self.note("forms", result);
        let result = self.contacts_and_mfa(&contact, tag).await;
        self.note("contacts and mfa", result);
        let result = self.audit(&contact).await;
        self.note("audit", result);
        let result = self.reminders().await;
        self.note("reminders", result);
        let result = self.firm_settings(&staff, &base, tag).await;
        self.note("branding, staff and preview", result);

        // Sessions last: refresh (cookie mode), then sign-out of that session.
        let result = self.sessions(&contact_email, &slug).await;
        self.note("sessions", result);
        self.session = Some(Session {
            staff,
            contact,
            tenant,
        });
        Ok(())
    }

    /// Requests, uploads and downloads; answers the two documents it made clean (each
    /// upload's malware verdict is delivered as GuardDuty would, `files.rs`).
    async fn documents(
        &mut self,
        staff: &str,
        contact: &str,
        base: &str,
        tenant: &str,
    ) -> Result<Vec<String>, String> {
        use base64::Engine;
        use sha2::Digest;
        let due = atrium_shared::dates::days_from_today(1);
        let created = self
            .post(
                &format!("{base}/requests"),
                staff,
                json!({ "title": "Passport copy", "instructions": "Both pages, please.", "due_date": due }),
            )
            .await?;
        let request = &created["requests"][0];
        let request_id = text(&request["id"])?;
        let updated = self
            .ok(
                "PATCH",
                &format!("{base}/requests/{request_id}"),
                Some(staff),
                Some(json!({ "version": request["version"], "title": "Passport copy (colour)" })),
            )
            .await;
        self.note("requests update", updated);
        let listed = self.get("/api/requests", contact).await;
        self.note("requests list", listed);

        let bytes = b"%PDF-1.4 bench passport".to_vec();
        let sha256 = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&bytes));
        let started = self
            .post(
                &format!("/api/requests/{request_id}/uploads"),
                contact,
                json!({ "file_name": "passport.pdf", "content_type": "application/pdf", "size": bytes.len(), "sha256": sha256 }),
            )
            .await?;
        let document = text(&started["document_id"])?;
        put_upload(&started["upload"], &bytes).await?;
        self.post(
            &format!("/api/documents/{document}/versions/1/confirm"),
            contact,
            json!({}),
        )
        .await?;
        self.scanned_clean(tenant, &document, 1).await?;
        let staff_list = self.get(&format!("{base}/requests"), staff).await?;
        let submitted = staff_list["requests"]
            .as_array()
            .and_then(|requests| requests.iter().find(|r| r["id"] == request_id.as_str()))
            .cloned()
            .ok_or("the request is not listed")?;
        self.post(
            &format!("{base}/requests/{request_id}/review"),
            staff,
            json!({ "version": submitted["version"], "decision": "accept" }),
        )
        .await?;
        // A second request, due tomorrow, for the reminders; a third to cancel.
        self.post(
            &format!("{base}/requests"),
            staff,
            json!({ "title": "Bank statement", "due_date": due }),
        )
        .await?;
        let third = self
            .post(
                &format!("{base}/requests"),
                staff,
                json!({ "title": "Old form", "due_date": atrium_shared::dates::days_from_today(9) }),
            )
            .await?;
        let third = &third["requests"][0];
        self.post(
            &format!("{base}/requests/{}/cancel", text(&third["id"])?),
            staff,
            json!({ "version": third["version"] }),
        )
        .await?;

        // The firm shares a document; the client lists, opens and downloads it.
        let letter = b"%PDF-1.4 bench engagement letter".to_vec();
        let letter_sha =
            base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&letter));
        let shared = self
            .post(
                &format!("{base}/documents"),
                staff,
                json!({ "file_name": "engagement.pdf", "content_type": "application/pdf", "size": letter.len(), "sha256": letter_sha }),
            )
            .await?;
        let letter_id = text(&shared["document_id"])?;
        put_upload(&shared["upload"], &letter).await?;
        self.post(
            &format!("{base}/documents/{letter_id}/versions/1/confirm"),
            staff,
            json!({}),
        )
        .await?;
        self.scanned_clean(tenant, &letter_id, 1).await?;
        self.get("/api/documents", contact).await?;
        self.get(&format!("/api/documents/{letter_id}"), contact)
            .await?;
        self.get(
            &format!("/api/documents/{letter_id}/versions/1/download"),
            contact,
        )
        .await?;
        Ok(vec![letter_id, document])
    }

    async fn projects_and_approvals(
        &mut self,
        staff: &str,
        contact: &str,
        base: &str,
    ) -> Result<(), String> {
        let project = self
            .post(
                &format!("{base}/projects"),
                staff,
                json!({ "template": "onboarding" }),
            )
            .await?;
        let project_id = text(&project["id"])?;
        let task = text(&project["tasks"][0]["id"])?;
        let updated = self
            .ok(
                "PATCH",
                &format!("{base}/projects/{project_id}"),
                Some(staff),
                Some(json!({ "version": project["version"], "name": "Onboarding (2026)" })),
            )
            .await?;
        let _ = updated;
        self.get("/api/projects", contact).await?;
        self.get(&format!("/api/projects/{project_id}"), contact)
            .await?;
        self.post(
            &format!("{base}/projects/{project_id}/tasks/{task}"),
            staff,
            json!({ "done": true }),
        )
        .await?;

        let approval = self
            .post(
                &format!("{base}/approvals"),
                staff,
                json!({ "title": "Scope of work", "signature": true, "terms": "I agree to the scope.", "subject": { "kind": "statement", "text": "The scope is agreed." } }),
            )
            .await?;
        let approval_id = text(&approval["id"])?;
        self.get("/api/approvals", contact).await?;
        self.get(&format!("/api/approvals/{approval_id}"), contact)
            .await?;
        self.post(
            &format!("/api/approvals/{approval_id}/decide"),
            contact,
            json!({ "decision": "approve", "typed_name": "Casey Contact", "consent": true }),
        )
        .await?;
        self.get(
            &format!("/api/approvals/{approval_id}/certificate"),
            contact,
        )
        .await?;
        Ok(())
    }

    /// A two-page PDF signed by the contact alone: the last signature stamps, seals (KMS) and
    /// stores the signed version, so `signatures-sign` is measured at its heaviest.
    async fn signatures(
        &mut self,
        staff: &str,
        contact: &str,
        base: &str,
        tenant: &str,
    ) -> Result<(), String> {
        use base64::Engine;
        use sha2::Digest;
        let letter = atrium_local::samples::letter_pdf("Bench engagement letter", 2)?;
        let sha256 =
            base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&letter));
        let shared = self
            .post(
                &format!("{base}/documents"),
                staff,
                json!({ "file_name": "engagement-2027.pdf", "content_type": "application/pdf", "size": letter.len(), "sha256": sha256 }),
            )
            .await?;
        let document = text(&shared["document_id"])?;
        put_upload(&shared["upload"], &letter).await?;
        self.post(
            &format!("{base}/documents/{document}/versions/1/confirm"),
            staff,
            json!({}),
        )
        .await?;
        self.scanned_clean(tenant, &document, 1).await?;
        let me = self.get("/api/me", contact).await?;
        let signer = text(&me["sub"])?;
        let created = self
            .post(
                &format!("{base}/signature-requests"),
                staff,
                json!({
                    "title": "Engagement letter 2027", "document_id": document, "version": 1,
                    "signers": [{ "contact": signer }],
                    "fields": [
                        { "signer": 0, "kind": "signature", "page": 2, "x": 0.1, "y": 0.75, "width": 0.35, "height": 0.08 },
                        { "signer": 0, "kind": "date", "page": 2, "x": 0.55, "y": 0.75, "width": 0.25, "height": 0.05 }
                    ]
                }),
            )
            .await?;
        let id = text(&created["signature_request"]["id"])?;
        self.get("/api/signature-requests", contact).await?;
        self.get(&format!("/api/signature-requests/{id}"), contact)
            .await?;
        self.get(&format!("/api/signature-requests/{id}/document"), contact)
            .await?;
        self.ok(
            "POST",
            &format!("/api/signature-requests/{id}/code"),
            Some(contact),
            None,
        )
        .await?;
        let code = self.mailed_code(&text(&me["email"])?).await?;
        self.post(
            &format!("/api/signature-requests/{id}/sign"),
            contact,
            json!({ "code": code, "typed_name": "Casey Contact", "consent": true, "signature_image": SIGNATURE_PNG }),
        )
        .await?;

        // A second request, reminded by the firm and declined by the contact; a third, whose
        // signer the firm replaces with one of its own, then cancels.
        let one_signature = json!({
            "document_id": document, "version": 1,
            "signers": [{ "contact": signer }],
            "fields": [{ "signer": 0, "kind": "signature", "page": 1, "x": 0.1, "y": 0.7, "width": 0.35, "height": 0.08 }]
        });
        let mut declined = one_signature.clone();
        declined["title"] = json!("Tax authorisation");
        let declined = self
            .post(&format!("{base}/signature-requests"), staff, declined)
            .await?;
        let declined = text(&declined["signature_request"]["id"])?;
        self.asked_an_hour_ago(tenant, &declined).await?;
        self.post(
            &format!("{base}/signature-requests/{declined}/remind"),
            staff,
            json!({}),
        )
        .await?;
        self.post(
            &format!("/api/signature-requests/{declined}/decline"),
            contact,
            json!({ "reason": "The fee is not the one we agreed." }),
        )
        .await?;
        let mut replaced = one_signature;
        replaced["title"] = json!("Board minutes");
        let replaced = self
            .post(&format!("{base}/signature-requests"), staff, replaced)
            .await?;
        let first_signer = text(&replaced["signature_request"]["signers"][0]["id"])?;
        let replaced = text(&replaced["signature_request"]["id"])?;
        let colleagues = self.get("/api/staff/directory", staff).await?;
        let colleague = text(&colleagues["staff"][0]["sub"])?;
        self.post(
            &format!("{base}/signature-requests/{replaced}/replace"),
            staff,
            json!({ "signer": first_signer, "staff": colleague }),
        )
        .await?;
        self.post(
            &format!("{base}/signature-requests/{replaced}/cancel"),
            staff,
            json!({ "reason": "Sent by mistake." }),
        )
        .await?;
        Ok(())
    }

    /// Moves a signature request's asks an hour back, so the firm may remind its signers (at
    /// most once an hour) without the bench waiting for it.
    async fn asked_an_hour_ago(&self, tenant: &str, id: &str) -> Result<(), String> {
        use atrium_shared::ids::{epoch_rfc3339, now_epoch};
        let scope = atrium_shared::principal::Principal::staff("bench", vec![Role::Admin])
            .staff_scope(tenant)
            .map_err(|error| error.message)?;
        let requests =
            atrium_signatures::data::SignatureRequests::of(self.app.store.tenant(&scope));
        let mut request = requests
            .get(id)
            .await
            .map_err(|error| error.message)?
            .ok_or("the signature request is gone")?;
        let earlier = epoch_rfc3339(now_epoch() - 3601);
        for signer in &mut request.signers {
            if signer.asked_at.is_some() {
                signer.asked_at = Some(earlier.clone());
            }
        }
        let read = request.version;
        request.version += 1;
        let write = requests
            .save(&request, Some(read))
            .map_err(|error| error.message)?;
        self.app
            .store
            .transact(vec![write], "moved")
            .await
            .map_err(|error| error.message)
    }

    /// The newest signing code mailed to `address`.
    async fn mailed_code(&self, address: &str) -> Result<String, String> {
        let mail = atrium_local::mailbox::sent_mail(&self.endpoint).await?;
        mail.iter()
            .rev()
            .filter(|mail| mail.to.iter().any(|to| to == address))
            .find_map(|mail| mail.subject.strip_prefix("Your signing code: "))
            .map(str::to_string)
            .ok_or_else(|| format!("no signing code mailed to {address}"))
    }

    async fn messages(&mut self, staff: &str, contact: &str, base: &str) -> Result<(), String> {
        self.post(
            "/api/threads/general/messages",
            contact,
            json!({ "body": "Could you confirm the deadline?" }),
        )
        .await?;
        self.get("/api/threads/general/messages", contact).await?;
        self.post(
            &format!("{base}/threads/general/notes"),
            staff,
            json!({ "body": "Call them on Monday." }),
        )
        .await?;
        Ok(())
    }

    async fn invoices_and_tickets(
        &mut self,
        staff: &str,
        contact: &str,
        base: &str,
        tenant: &str,
    ) -> Result<(), String> {
        use base64::Engine;
        use sha2::Digest;
        let pdf = b"%PDF-1.4 bench invoice".to_vec();
        let sha = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&pdf));
        let shared = self
            .post(
                &format!("{base}/documents"),
                staff,
                json!({ "file_name": "invoice.pdf", "content_type": "application/pdf", "size": pdf.len(), "sha256": sha }),
            )
            .await?;
        let pdf_id = text(&shared["document_id"])?;
        put_upload(&shared["upload"], &pdf).await?;
        self.post(
            &format!("{base}/documents/{pdf_id}/versions/1/confirm"),
            staff,
            json!({}),
        )
        .await?;
        let today = atrium_shared::dates::days_from_today(0);
        let invoice = self
            .post(
                &format!("{base}/invoices"),
                staff,
                json!({ "number": format!("B-{}", &tenant[16..]), "issue_date": today, "due_date": atrium_shared::dates::days_from_today(30), "currency": "EUR", "lines": [{ "description": "Advice", "quantity": 2, "unit_amount_minor": 50000 }], "tax_minor": 19000, "document_id": pdf_id, "status": "sent" }),
            )
            .await?;
        let invoice_id = text(&invoice["id"])?;
        self.get("/api/invoices", contact).await?;
        self.get(&format!("/api/invoices/{invoice_id}"), contact)
            .await?;
        self.get(&format!("/api/invoices/{invoice_id}/pdf"), contact)
            .await?;
        // Payments without Stripe's API in the request: the connection, the client's view of
        // it, a bank transfer staff record, the invoice's payments, the firm's list. (Start,
        // confirm and the webhook call Stripe, which the replay cannot answer: docs, "Speed,
        // size and cost".)
        self.get("/api/firm/stripe", staff).await?;
        self.get("/api/payments/config", contact).await?;
        self.post(
            &format!("{base}/invoices/{invoice_id}/payments"),
            staff,
            json!({ "amount_minor": 1000, "method": "bank_transfer", "reference": "Bench transfer", "received_on": today }),
        )
        .await?;
        self.get(&format!("/api/invoices/{invoice_id}/payments"), contact)
            .await?;
        self.get("/api/firm/invoices", staff).await?;
        let invoice = self
            .get(&format!("/api/invoices/{invoice_id}"), contact)
            .await?;
        self.ok(
            "PATCH",
            &format!("{base}/invoices/{invoice_id}"),
            Some(staff),
            Some(json!({ "version": invoice["version"], "status": "paid" })),
        )
        .await?;

        let ticket = self
            .post(
                "/api/tickets",
                contact,
                json!({ "subject": "Cannot find the letter", "description": "Where is the engagement letter?", "category": "documents", "priority": "normal" }),
            )
            .await?;
        let ticket_id = text(&ticket["id"])?;
        self.get("/api/tickets", contact).await?;
        self.get(&format!("/api/tickets/{ticket_id}"), contact)
            .await?;
        self.ok(
            "PATCH",
            &format!("{base}/tickets/{ticket_id}"),
            Some(staff),
            Some(json!({ "version": ticket["version"], "status": "resolved" })),
        )
        .await?;
        Ok(())
    }

    async fn forms(&mut self, staff: &str, contact: &str, base: &str) -> Result<(), String> {
        let fields = json!([
            { "key": "name", "type": "short_text", "label": "Full name", "required": true },
            { "key": "email", "type": "email", "label": "Email", "required": true },
            { "key": "start", "type": "date", "label": "Start date", "required": false },
        ]);
        let form = self
            .post(
                "/api/forms",
                staff,
                json!({ "name": "Client details", "fields": fields }),
            )
            .await?;
        let form_id = text(&form["id"])?;
        self.get("/api/forms", staff).await?;
        self.get(&format!("/api/forms/{form_id}"), staff).await?;
        let mut more = fields.as_array().cloned().unwrap_or_default();
        more.push(json!({ "key": "phone", "type": "phone", "label": "Phone", "required": false }));
        let published = self
            .post(
                &format!("/api/forms/{form_id}/versions"),
                staff,
                json!({ "fields": more, "version": form["version"] }),
            )
            .await?;
        let _ = published;
        let assignment = self
            .post(
                &format!("{base}/intake"),
                staff,
                json!({ "form_id": form_id }),
            )
            .await?;
        let assignment_id = text(&assignment["id"])?;
        self.get(&format!("/api/forms/{form_id}/assignments"), staff)
            .await?;
        self.get("/api/intake", contact).await?;
        let current = self
            .get(&format!("/api/intake/{assignment_id}"), contact)
            .await?;
        let version = current
            .get("version")
            .or_else(|| current.pointer("/assignment/version"))
            .cloned()
            .unwrap_or(json!(1));
        let form_version = current
            .get("form_version")
            .or_else(|| current.pointer("/assignment/form_version"))
            .cloned()
            .unwrap_or(json!(2));
        let answers = json!({ "name": "Casey Contact", "email": "casey@client.example", "start": "2026-09-01" });
        let drafted = self
            .ok(
                "PUT",
                &format!("/api/intake/{assignment_id}/draft"),
                Some(contact),
                Some(json!({ "answers": { "name": "Casey" }, "version": version })),
            )
            .await?;
        let version = drafted.get("version").cloned().unwrap_or(json!(2));
        let submitted = self
            .post(
                &format!("/api/intake/{assignment_id}/submit"),
                contact,
                json!({ "answers": answers, "form_version": form_version, "version": version }),
            )
            .await?;
        let _ = submitted;
        self.get(&format!("/api/intake/{assignment_id}/submissions"), contact)
            .await?;
        self.get(
            &format!("/api/intake/{assignment_id}/submissions/1"),
            contact,
        )
        .await?;
        let current = self
            .get(&format!("{base}/intake/{assignment_id}"), staff)
            .await?;
        let version = current
            .get("version")
            .or_else(|| current.pointer("/assignment/version"))
            .cloned()
            .unwrap_or(json!(3));
        self.post(
            &format!("{base}/intake/{assignment_id}/reopen"),
            staff,
            json!({ "reason": "Please add your phone number.", "version": version }),
        )
        .await?;
        Ok(())
    }

    async fn contacts_and_mfa(&mut self, admin: &str, tag: &str) -> Result<(), String> {
        self.get("/api/contacts", admin).await?;
        let mia_email = format!("mia.{tag}@client.example");
        self.post(
            "/api/contacts",
            admin,
            json!({ "name": "Mia Member", "email": mia_email, "roles": ["member"] }),
        )
        .await?;
        let token = self.invitation_token(&mia_email).await?;
        let accepted = self
            .ok(
                "POST",
                "/api/auth/accept-invite",
                None,
                Some(json!({ "token": token, "password": CONTACT_PASSWORD, "mode": "bearer" })),
            )
            .await?;
        let mia = text(&accepted["access_token"])?;

        let tim = self
            .post(
                "/api/contacts",
                admin,
                json!({ "name": "Tim Temp", "email": format!("tim.{tag}@client.example"), "roles": ["member"] }),
            )
            .await?;
        let tim_sub = text(&tim["sub"])?;
        let updated = self
            .ok(
                "PATCH",
                &format!("/api/contacts/{tim_sub}"),
                Some(admin),
                Some(json!({ "version": tim["version"], "roles": ["member", "billing"] })),
            )
            .await?;
        let _ = updated;
        self.post(
            &format!("/api/contacts/{tim_sub}/invitation"),
            admin,
            json!({}),
        )
        .await?;
        self.ok(
            "DELETE",
            &format!("/api/contacts/{tim_sub}"),
            Some(admin),
            None,
        )
        .await?;

        // TOTP for Mia: enrol, confirm with a code, turn off with the password.
        let associated = self
            .post("/api/auth/mfa/associate", &mia, json!({}))
            .await?;
        let secret = text(&associated["secret"])?;
        self.post(
            "/api/auth/mfa/verify",
            &mia,
            json!({ "code": totp_code(&secret).await? }),
        )
        .await?;
        self.post(
            "/api/auth/mfa/disable",
            &mia,
            json!({ "password": CONTACT_PASSWORD }),
        )
        .await?;
        Ok(())
    }

    async fn audit(&mut self, admin: &str) -> Result<(), String> {
        self.get("/api/audit", admin).await?;
        self.get("/api/audit/export", admin).await?;
        Ok(())
    }

    async fn reminders(&mut self) -> Result<(), String> {
        let today = atrium_shared::dates::today();
        self.recorder.start();
        let summary = atrium_reminders::run(&self.app, &today).await;
        let calls = self.stop_recording().await;
        let summary = summary.map_err(|error| error.message)?;
        self.recordings.insert(
            "reminders".into(),
            Recording {
                binary: "reminders".into(),
                kind: Kind::Scheduled,
                route: "(schedule, one request due tomorrow)".into(),
                event: json!({ "version": "0", "id": "bench", "detail-type": "Scheduled Event", "source": "aws.scheduler", "time": "2026-01-01T07:00:00Z", "detail": {} }).to_string(),
                status: 200,
                calls,
            },
        );
        let summary = serde_json::to_value(&summary).unwrap_or(Value::Null);
        if summary["mails"] == json!(0) {
            return Err(format!("the reminders sent nothing: {summary}"));
        }
        Ok(())
    }

    async fn sessions(&mut self, email: &str, slug: &str) -> Result<(), String> {
        let login = self
            .send(Self::request(
                "POST",
                "/api/auth/login",
                None,
                Some(json!({ "email": email, "password": CONTACT_PASSWORD, "slug": slug })),
            ))
            .await?;
        let refresh = login
            .cookie("__Host-atrium_rt")
            .ok_or_else(|| format!("no refresh cookie: {}", login.body))?;
        let mut request = Self::request("POST", "/api/auth/refresh", None, None);
        if let Ok(value) = HeaderValue::from_str(&format!("__Host-atrium_rt={refresh}")) {
            request.headers.insert("cookie", value);
        }
        let renewed = self.send(request).await?;
        if renewed.status != 200 {
            return Err(format!("refresh: {} {}", renewed.status, renewed.body));
        }
        // Opening an organisation of the session (this person has one; the cost is the same).
        let organisation = text(&renewed.json["organisation"]["id"])?;
        let mut request = Self::request(
            "POST",
            "/api/auth/switch",
            None,
            Some(json!({ "organisation": organisation })),
        );
        if let Ok(value) = HeaderValue::from_str(&format!("__Host-atrium_rt={refresh}")) {
            request.headers.insert("cookie", value);
        }
        let switched = self.send(request).await?;
        if switched.status != 200 {
            return Err(format!("switch: {} {}", switched.status, switched.body));
        }
        // The sessions list, ending one other session, then every other one.
        let bearer = self.sign_in(email, CONTACT_PASSWORD, Some(slug)).await?;
        let token = text(&bearer["access_token"])?;
        let listed = self.get("/api/auth/sessions", &token).await?;
        let other = listed["sessions"]
            .as_array()
            .and_then(|sessions| sessions.iter().find(|session| session["current"] == false))
            .map(|session| text(&session["id"]))
            .ok_or("no other session listed")??;
        self.ok(
            "DELETE",
            &format!("/api/auth/sessions/{other}"),
            Some(&token),
            None,
        )
        .await?;
        self.sign_in(email, CONTACT_PASSWORD, Some(slug)).await?;
        self.post("/api/auth/sessions/end-others", &token, json!({}))
            .await?;
        self.ok("POST", "/api/auth/logout", Some(&token), None)
            .await?;
        // Forgot and reset last: a reset ends every session of the person.
        self.ok(
            "POST",
            "/api/auth/password/forgot",
            None,
            Some(json!({ "email": email })),
        )
        .await?;
        let link = self.link_token(email, "/reset-password#token=").await?;
        self.ok(
            "POST",
            "/api/auth/password/reset",
            None,
            Some(json!({ "token": link, "password": CONTACT_PASSWORD })),
        )
        .await?;
        Ok(())
    }
}

impl Rig {
    /// Branding (read, change, logo), staff accounts and the audited preview. The public logo
    /// redirect answers 302, which is not recorded (only 2xx answers are).
    async fn firm_settings(&mut self, staff: &str, base: &str, tag: &str) -> Result<(), String> {
        use base64::Engine;
        use sha2::Digest;
        self.ok("GET", "/api/branding", None, None).await?;
        let saved = self
            .ok(
                "PUT",
                "/api/branding",
                Some(staff),
                Some(json!({ "firm_name": "Bench & Co", "primary_colour": "#0f766e", "accent_colour": "#1d4ed8", "version": 0 })),
            )
            .await?;
        let bytes = b"\x89PNG bench logo".to_vec();
        let sha256 = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&bytes));
        let started = self
            .post(
                "/api/branding/logo",
                staff,
                json!({ "content_type": "image/png", "size": bytes.len(), "sha256": sha256 }),
            )
            .await?;
        put_upload(&started["upload"], &bytes).await?;
        self.post(
            "/api/branding/logo/confirm",
            staff,
            json!({ "key": started["key"], "version": saved["version"] }),
        )
        .await?;
        self.get("/api/staff", staff).await?;
        let invited = self
            .post(
                "/api/staff",
                staff,
                json!({ "name": "Sam Staff", "email": format!("sam.{tag}@firm.example"), "role": "staff" }),
            )
            .await?;
        let sub = text(&invited["sub"])?;
        self.post(&format!("/api/staff/{sub}/invitation"), staff, json!({}))
            .await?;
        self.ok(
            "PATCH",
            &format!("/api/staff/{sub}"),
            Some(staff),
            Some(json!({ "roles": ["admin"], "version": invited["version"] })),
        )
        .await?;
        self.post(&format!("{base}/preview"), staff, json!({}))
            .await?;
        Ok(())
    }
}

/// A small signature drawing (a 1×1 PNG), as the browser's canvas would send one.
const SIGNATURE_PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

pub(crate) async fn put_upload(upload: &Value, bytes: &[u8]) -> Result<(), String> {
    let body = hyper::body::Bytes::copy_from_slice(bytes);
    crate::transfer::put_presigned(&reqwest::Client::new(), upload, body).await
}

/// The code an authenticator shows now (moto uses one secret for everyone).
async fn totp_code(secret: &str) -> Result<String, String> {
    use totp_rs::{Algorithm, Secret, TOTP};
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|error| error.to_string())?
        .as_secs();
    if now % 30 > 26 {
        tokio::time::sleep(std::time::Duration::from_secs(31 - now % 30)).await;
    }
    let bytes = Secret::Encoded(secret.to_uppercase())
        .to_bytes()
        .map_err(|error| format!("{error:?}"))?;
    TOTP::new_unchecked(Algorithm::SHA1, 6, 0, 30, bytes)
        .generate_current()
        .map_err(|error| error.to_string())
}
