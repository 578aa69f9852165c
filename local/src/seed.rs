//! The demo firm: one staff admin, one client with one contact who has accepted the
//! invitation. Made through the same code paths a person would use.

use crate::events::IncomingRequest;
use crate::gateway::Gateway;
use atrium_clients::onboard::{onboard, ContactInput, OnboardInput};
use atrium_shared::http::RequestMeta;
use atrium_shared::ids::now_rfc3339;
use atrium_shared::principal::{Principal, Role};
use atrium_shared::store::records::{UserRecord, UserStatus};
use atrium_shared::App;
use aws_sdk_cognitoidentityprovider::types::{AttributeType, MessageActionType};

pub struct DemoLogins {
    pub staff_email: String,
    pub staff_password: String,
    pub client_slug: String,
    pub contact_email: String,
    pub contact_password: String,
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
                email: logins.contact_email.clone(),
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
    Ok(logins)
}
