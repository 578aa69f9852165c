//! The demo firm: one staff admin, one client with one contact who has accepted the
//! invitation, a billing contact, and Stripe connected (localstripe). Made through the same code paths a person would use.

use crate::events::IncomingRequest;
use crate::gateway::Gateway;
use atrium_clients::onboard::{onboard, ContactInput, OnboardInput};
use atrium_shared::dates::days_from_today;
use atrium_shared::http::RequestMeta;
use atrium_shared::ids::now_rfc3339;
use atrium_shared::principal::{Principal, Role};
use atrium_shared::store::records::{UserRecord, UserStatus};
use atrium_shared::types::Email;
use atrium_shared::App;
use aws_sdk_cognitoidentityprovider::types::{AttributeType, MessageActionType};
use serde_json::{json, Value};

/// The demo firm's Stripe keys on localstripe (which accepts any key of the right form), and
/// the signing secret its webhook is registered with (`atrium-local`'s main).
pub const DEMO_STRIPE_SECRET_KEY: &str = "sk_test_atrium_local_demo";
pub const DEMO_STRIPE_PUBLISHABLE_KEY: &str = "pk_test_atrium_local_demo";
pub const DEMO_STRIPE_WEBHOOK_SECRET: &str = "whsec_atrium_local_demo";

pub struct DemoLogins {
    pub staff_email: String,
    pub staff_password: String,
    pub client_slug: String,
    pub contact_email: String,
    pub contact_password: String,
    /// A second contact of the same client who sees and pays its invoices only.
    pub billing_email: String,
    pub billing_password: String,
    /// A person who is a contact of two clients (Northwind and Fabrikam): one sign-in, a
    /// chooser, and a switcher in the header.
    pub two_org_email: String,
    pub two_org_password: String,
    pub second_client_name: String,
}

/// A staff user in the staff pool, with a password and the portal's record of them. The
/// deployed stack makes its first admin the same way (see docs/deploy.md).
pub async fn create_staff_user(
    app: &App,
    email: &str,
    name: &str,
    roles: Vec<Role>,
    password: &str,
) -> Result<String, String> {
    let attribute = |name: &str, value: &str| {
        AttributeType::builder()
            .name(name)
            .value(value)
            .build()
            .map_err(|error| error.to_string())
    };
    let created = app
        .cognito
        .admin_create_user()
        .user_pool_id(&app.config.staff_pool_id)
        .username(email)
        .user_attributes(attribute("email", email)?)
        .user_attributes(attribute("email_verified", "true")?)
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .map_err(|error| format!("staff user: {error:?}"))?;
    let sub = created
        .user
        .and_then(|user| user.attributes)
        .unwrap_or_default()
        .into_iter()
        .find(|attribute| attribute.name == "sub")
        .and_then(|attribute| attribute.value)
        .ok_or("staff user has no sub")?;
    app.cognito
        .admin_set_user_password()
        .user_pool_id(&app.config.staff_pool_id)
        .username(email)
        .password(password)
        .permanent(true)
        .send()
        .await
        .map_err(|error| format!("staff password: {error:?}"))?;
    app.store
        .put_staff_user(&UserRecord {
            sub: sub.clone(),
            email: email.to_string(),
            name: name.to_string(),
            roles,
            status: UserStatus::Active,
            mfa_enabled: false,
            sessions_valid_after: 0,
            created_at: now_rfc3339(),
            version: 1,
        })
        .await
        .map_err(|error| error.message)?;
    Ok(sub)
}

pub async fn seed_demo(gateway: &Gateway) -> Result<DemoLogins, String> {
    let app = gateway.app();
    let logins = DemoLogins {
        staff_email: "admin@harbourpike.example".to_string(),
        staff_password: "Harbour-Admin-2026!".to_string(),
        client_slug: "northwind".to_string(),
        contact_email: "dana@northwind.example".to_string(),
        contact_password: "Northwind-Dana-2026!".to_string(),
        billing_email: "bea@northwind.example".to_string(),
        billing_password: "Northwind-Bea-2026!".to_string(),
        two_org_email: "sam@rivera-books.example".to_string(),
        two_org_password: "Rivera-Sam-2026!".to_string(),
        second_client_name: "Fabrikam Studio".to_string(),
    };
    let admin_sub = create_staff_user(
        app,
        &logins.staff_email,
        "Avery Harbour",
        vec![Role::Admin],
        &logins.staff_password,
    )
    .await?;
    let admin = Principal::staff(admin_sub, vec![Role::Admin]);
    let onboarded = onboard(
        app,
        &admin,
        OnboardInput {
            name: "Northwind Traders".to_string(),
            slug: logins.client_slug.clone(),
            contact: ContactInput {
                name: "Dana Whitfield".to_string(),
                email: Email::parse(&logins.contact_email)
                    .map_err(|problem| format!("demo contact email: {problem}"))?,
            },
        },
        &RequestMeta::default(),
    )
    .await
    .map_err(|error| error.message)?;
    let token = onboarded
        .invitation_token
        .ok_or("the demo invitation was not sent")?;
    let mut accept = IncomingRequest::new("POST", "/api/auth/accept-invite");
    accept.headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    accept.body = serde_json::json!({ "token": token, "password": logins.contact_password })
        .to_string()
        .into_bytes();
    let response = gateway.call(accept).await;
    if !response.status().is_success() {
        return Err(format!(
            "demo contact could not accept: {}",
            String::from_utf8_lossy(response.body())
        ));
    }
    seed_workspace(gateway, &logins, &onboarded.client.tenant_id).await?;
    seed_second_client(gateway, &admin, &logins, &onboarded.client.tenant_id).await?;
    Ok(logins)
}

/// A second client, Fabrikam Studio, whose first contact is Sam Rivera, an outside
/// bookkeeper; Northwind then invites Sam too. Sam accepts both invitations with the one
/// password (the second must be the password Sam already has), so one sign-in opens both.
async fn seed_second_client(
    gateway: &Gateway,
    admin: &Principal,
    logins: &DemoLogins,
    northwind: &str,
) -> Result<(), String> {
    let app = gateway.app();
    let onboarded = onboard(
        app,
        admin,
        OnboardInput {
            name: logins.second_client_name.clone(),
            slug: "fabrikam".to_string(),
            contact: ContactInput {
                name: "Sam Rivera".to_string(),
                email: Email::parse(&logins.two_org_email)
                    .map_err(|problem| format!("demo contact email: {problem}"))?,
            },
        },
        &RequestMeta::default(),
    )
    .await
    .map_err(|error| error.message)?;
    let token = onboarded
        .invitation_token
        .ok_or("the second demo invitation was not sent")?;
    accept_invitation(gateway, &token, &logins.two_org_password).await?;
    let signed_in = api(
        gateway,
        "POST",
        "/api/auth/login",
        None,
        json!({ "email": logins.staff_email, "password": logins.staff_password, "mode": "bearer" }),
    )
    .await?;
    let staff = signed_in["access_token"]
        .as_str()
        .ok_or("the demo admin got no token")?
        .to_string();
    api(
        gateway,
        "POST",
        &format!("/api/clients/{northwind}/contacts"),
        Some(&staff),
        json!({ "name": "Sam Rivera", "email": logins.two_org_email, "roles": ["member"] }),
    )
    .await?;
    let endpoint = app
        .config
        .aws_endpoint
        .clone()
        .ok_or("the demo needs the local stack")?;
    let token = crate::mailbox::sent_mail(&endpoint)
        .await?
        .into_iter()
        .rev()
        .find(|mail| mail.to.contains(&logins.two_org_email))
        .and_then(|mail| crate::mailbox::invitation_token_in(&mail.body))
        .ok_or("Sam's Northwind invitation was not mailed")?;
    accept_invitation(gateway, &token, &logins.two_org_password).await
}

async fn accept_invitation(gateway: &Gateway, token: &str, password: &str) -> Result<(), String> {
    api(
        gateway,
        "POST",
        "/api/auth/accept-invite",
        None,
        json!({ "token": token, "password": password, "mode": "bearer" }),
    )
    .await
    .map(|_| ())
}

/// Something to look at in the demo client's portal: a project with milestones and tasks,
/// two document requests, an approval that needs a signature, an intake form to fill in, a
/// message and an invoice. Made by the firm's admin through the API, as a person would.
async fn seed_workspace(
    gateway: &Gateway,
    logins: &DemoLogins,
    tenant: &str,
) -> Result<(), String> {
    let signed_in = api(
        gateway,
        "POST",
        "/api/auth/login",
        None,
        json!({ "email": logins.staff_email, "password": logins.staff_password, "mode": "bearer" }),
    )
    .await?;
    let token = signed_in["access_token"]
        .as_str()
        .ok_or("the demo admin got no token")?
        .to_string();
    let staff = Some(token.as_str());
    let client = |path: &str| format!("/api/clients/{tenant}/{path}");
    // The client's billing contact, invited by the firm and signed up through the link in the
    // mail, as a person would.
    api(
        gateway,
        "POST",
        &client("contacts"),
        staff,
        json!({ "name": "Bea Ledger", "email": logins.billing_email, "roles": ["billing"] }),
    )
    .await?;
    let endpoint = gateway
        .app()
        .config
        .aws_endpoint
        .clone()
        .ok_or("the demo needs the local stack")?;
    let token = crate::mailbox::sent_mail(&endpoint)
        .await?
        .into_iter()
        .rev()
        .find(|mail| mail.to.contains(&logins.billing_email))
        .and_then(|mail| crate::mailbox::invitation_token_in(&mail.body))
        .ok_or("the billing contact's invitation was not mailed")?;
    api(
        gateway,
        "POST",
        "/api/auth/accept-invite",
        None,
        json!({ "token": token, "password": logins.billing_password, "mode": "bearer" }),
    )
    .await?;
    // The firm takes card and bank-debit payments (on localstripe): the demo invoice has a Pay
    // button.
    api(
        gateway,
        "PUT",
        "/api/firm/stripe",
        staff,
        json!({
            "secret_key": DEMO_STRIPE_SECRET_KEY,
            "webhook_secret": DEMO_STRIPE_WEBHOOK_SECRET,
            "publishable_key": DEMO_STRIPE_PUBLISHABLE_KEY,
            "bank_debit": true
        }),
    )
    .await?;
    api(
        gateway,
        "POST",
        &client("projects"),
        staff,
        json!({
            "name": "Year-end accounts 2026",
            "description": "Statutory accounts and the corporation tax return for the year to 31 December.",
            "milestones": [
                { "title": "Records received", "status": "done", "estimated_date": days_from_today(-10), "actual_date": days_from_today(-9) },
                { "title": "Draft accounts for review", "status": "in_progress", "estimated_date": days_from_today(12) },
                { "title": "Accounts filed", "estimated_date": days_from_today(40) }
            ],
            "tasks": [
                { "title": "Send the bank statements for the year", "assignee": "client", "due_date": days_from_today(5) },
                { "title": "Reconcile the bank accounts", "assignee": "firm", "done": true },
                { "title": "Confirm the director's loan balance", "assignee": "client", "due_date": days_from_today(14) }
            ]
        }),
    )
    .await?;
    api(
        gateway,
        "POST",
        &client("requests"),
        staff,
        json!({
            "title": "Bank statements, January to December",
            "instructions": "PDF statements for every business account, all twelve months.",
            "due_date": days_from_today(5)
        }),
    )
    .await?;
    api(
        gateway,
        "POST",
        &client("requests"),
        staff,
        json!({
            "title": "Signed engagement letter",
            "instructions": "Please sign and upload the engagement letter we sent by email.",
            "due_date": days_from_today(2)
        }),
    )
    .await?;
    // A PDF of the firm's for Northwind to sign (the signature requests' demo and e2e).
    upload_pdf(
        gateway,
        &client("documents"),
        staff,
        "Engagement letter 2027.pdf",
        &crate::samples::letter_pdf("Engagement letter 2027", 2)?,
    )
    .await?;
    api(
        gateway,
        "POST",
        &client("approvals"),
        staff,
        json!({
            "title": "Scope of this year's engagement",
            "subject": { "kind": "statement", "text": "Harbour & Pike prepare the statutory accounts and the corporation tax return for 2026." },
            "signature": true,
            "terms": "By signing you confirm the scope above and our standard terms of business (version 2026-01)."
        }),
    )
    .await?;
    let form = api(
        gateway,
        "POST",
        "/api/forms",
        staff,
        json!({
            "name": "New client details",
            "description": "What we need to know to act for you.",
            "fields": [
                { "key": "legal_name", "type": "short_text", "label": "Registered company name", "required": true, "max_length": 120 },
                { "key": "company_number", "type": "short_text", "label": "Company number", "help": "Eight characters, as on the register", "pattern": "[A-Z0-9]{8}" },
                { "key": "year_end", "type": "date", "label": "Accounting year end", "required": true },
                { "key": "employees", "type": "number", "label": "Employees", "min": 0, "integer": true },
                { "key": "vat_registered", "type": "single_choice", "label": "VAT registered?", "required": true, "options": ["Yes", "No"] },
                { "key": "services", "type": "multiple_choice", "label": "Services you want from us", "options": ["Accounts", "Tax return", "Payroll", "Bookkeeping"], "min_selected": 1 },
                { "key": "confirm", "type": "checkbox", "label": "The answers are complete and true", "required": true }
            ]
        }),
    )
    .await?;
    let form_id = form["id"].as_str().ok_or("the demo form has no id")?;
    api(
        gateway,
        "POST",
        &client("intake"),
        staff,
        json!({ "form_id": form_id }),
    )
    .await?;
    api(
        gateway,
        "POST",
        &client("threads/general/messages"),
        staff,
        json!({ "body": "Welcome to your portal, Dana. Everything we need from you is on your home page." }),
    )
    .await?;
    api(
        gateway,
        "POST",
        &client("invoices"),
        staff,
        json!({
            "number": "HP-2026-001", "issue_date": days_from_today(-3), "due_date": days_from_today(27),
            "currency": "gbp", "tax_minor": 30_000,
            "lines": [{ "description": "Year-end accounts, first instalment", "quantity": 1, "unit_amount_minor": 150_000 }],
            "status": "sent"
        }),
    )
    .await?;
    Ok(())
}

/// Shares a PDF as a browser would: the upload's start, the presigned PUT, the confirm. The
/// malware scan's stand-in clears it shortly after.
async fn upload_pdf(
    gateway: &Gateway,
    documents: &str,
    token: Option<&str>,
    file_name: &str,
    bytes: &[u8],
) -> Result<(), String> {
    use base64::Engine;
    use sha2::Digest;
    let sha256 = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(bytes));
    let started = api(
        gateway,
        "POST",
        documents,
        token,
        json!({ "file_name": file_name, "content_type": "application/pdf", "size": bytes.len(), "sha256": sha256 }),
    )
    .await?;
    let upload = &started["upload"];
    let mut put = reqwest::Client::new().put(upload["url"].as_str().ok_or("no upload url")?);
    for (name, value) in upload["headers"].as_object().ok_or("no upload headers")? {
        put = put.header(name.as_str(), value.as_str().unwrap_or_default());
    }
    let stored = put
        .body(bytes.to_vec())
        .send()
        .await
        .map_err(|error| format!("demo data: upload {file_name}: {error}"))?;
    if !stored.status().is_success() {
        return Err(format!(
            "demo data: upload {file_name}: {}",
            stored.status()
        ));
    }
    let document = started["document_id"].as_str().ok_or("no document id")?;
    api(
        gateway,
        "POST",
        &format!("{documents}/{document}/versions/1/confirm"),
        token,
        json!({}),
    )
    .await?;
    Ok(())
}

/// One API call through the local gateway; anything but success stops the seed with the
/// server's answer.
async fn api(
    gateway: &Gateway,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> Result<Value, String> {
    let mut request = IncomingRequest::new(method, path);
    request.headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    if let Some(token) = token {
        let value = http::HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|error| error.to_string())?;
        request.headers.insert(http::header::AUTHORIZATION, value);
    }
    request.body = body.to_string().into_bytes();
    let response = gateway.call(request).await;
    let text = String::from_utf8_lossy(response.body()).to_string();
    if !response.status().is_success() {
        return Err(format!(
            "demo data: {method} {path}: {} {text}",
            response.status()
        ));
    }
    serde_json::from_str(&text).map_err(|error| format!("demo data: {method} {path}: {error}"))
}
