//! What happens after Cognito answers a sign-in: a session (cookies, or tokens for API use),
//! or the next challenge (a TOTP code, or setting up an authenticator).

use crate::open::{open_session, organisation_of, Opened, Organisation};
use atrium_shared::cognito::{scope_of_pool, sign_in_error, subject_of_fresh_token, PoolRef};
use atrium_shared::http::{json_response, RequestMeta};
use atrium_shared::principal::Role;
use atrium_shared::store::records::{UserRecord, UserStatus};
use atrium_shared::{ApiError, ApiResult, App};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, AuthenticationResultType, ChallengeNameType,
};
use http::StatusCode;
use lambda_http::{Body, Response};
use serde::{Deserialize, Serialize};

/// How the tokens travel back. Browsers get HttpOnly cookies; API integrations ask for
/// `"mode": "bearer"` and get the tokens in the body instead (and no cookies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    #[default]
    Cookie,
    Bearer,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SignInResponse {
    /// `signed_in`, `challenge`, or `choose` (several organisations opened; pick one).
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<i32>,
    /// `totp` (enter a code) or `mfa_setup` (enrol an authenticator, then enter its code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otpauth_uri: Option<String>,
    /// With a challenge: who is signing in and where (their organisation's slug), which the
    /// answer must name again. An invitation's challenge is the first time the page learns them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// With a challenge: the organisation it is for. Signed in: the one now open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<Organisation>,
    /// Every organisation this sign-in opened (`choose`, `signed_in`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisations: Option<Vec<Organisation>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// The first step of a password sign-in on `pool`: Cognito's tokens, or the challenge it asks.
pub async fn password_step(
    app: &App,
    pool: &PoolRef,
    email: &str,
    password: &str,
) -> ApiResult<AuthStep> {
    let output = app
        .cognito
        .initiate_auth()
        .client_id(&pool.app_client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", email)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .map_err(|error| sign_in_error("cognito initiate_auth", error))?;
    Ok(AuthStep {
        result: output.authentication_result,
        challenge: output.challenge_name,
        session: output.session,
    })
}

/// One step of Cognito's answer.
pub struct AuthStep {
    pub result: Option<AuthenticationResultType>,
    pub challenge: Option<ChallengeNameType>,
    pub session: Option<String>,
}

pub fn otpauth_uri(issuer: &str, account: &str, secret: &str) -> String {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|byte| match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (byte as char).to_string()
                }
                _ => format!("%{byte:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}",
        encode(issuer),
        encode(account),
        secret,
        encode(issuer)
    )
}

pub async fn finish(
    app: &App,
    pool: &PoolRef,
    email: &str,
    slug: Option<&str>,
    mode: Mode,
    step: AuthStep,
    meta: &RequestMeta,
) -> ApiResult<Response<Body>> {
    if let Some(result) = step.result {
        return signed_in(app, pool, email, mode, result, meta).await;
    }
    let session = step.session.unwrap_or_default();
    let mut body = SignInResponse {
        status: "challenge".to_string(),
        session: Some(session.clone()),
        email: Some(email.to_string()),
        slug: slug.map(str::to_string),
        ..SignInResponse::default()
    };
    match step.challenge {
        Some(ChallengeNameType::SoftwareTokenMfa) => {
            body.challenge = Some("totp".to_string());
        }
        Some(ChallengeNameType::MfaSetup) => {
            let output = app
                .cognito
                .associate_software_token()
                .session(session)
                .send()
                .await
                .map_err(|error| sign_in_error("cognito associate_software_token", error))?;
            let secret = output.secret_code.unwrap_or_default();
            body.challenge = Some("mfa_setup".to_string());
            body.session = output.session.or(body.session);
            body.otpauth_uri = Some(otpauth_uri(&app.config.firm_name, email, &secret));
            body.secret = Some(secret);
        }
        // The firm's first admin (and any staff member an operator creates in the console)
        // signs in with a temporary password and chooses their own.
        Some(ChallengeNameType::NewPasswordRequired) if pool.tenant_id.is_none() => {
            body.challenge = Some("new_password".to_string());
        }
        Some(ChallengeNameType::NewPasswordRequired) => {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invitation_pending",
                "finish setting your password from the invitation email first",
            ))
        }
        other => {
            return Err(ApiError::internal("unexpected cognito challenge", other));
        }
    }
    Ok(json_response(StatusCode::OK, &body))
}

async fn signed_in(
    app: &App,
    pool: &PoolRef,
    email: &str,
    mode: Mode,
    result: AuthenticationResultType,
    meta: &RequestMeta,
) -> ApiResult<Response<Body>> {
    let opened = opened(app, pool, email, result)
        .await?
        .ok_or_else(ApiError::bad_credentials)?;
    open_session(app, email, vec![opened], mode, meta).await
}

/// Cognito's tokens for one pool, if the portal knows the person there and they are active.
pub async fn opened(
    app: &App,
    pool: &PoolRef,
    email: &str,
    result: AuthenticationResultType,
) -> ApiResult<Option<Opened>> {
    let access = result
        .access_token
        .ok_or_else(|| ApiError::internal("cognito", "no access token"))?;
    let refresh = result
        .refresh_token
        .ok_or_else(|| ApiError::internal("cognito", "no refresh token"))?;
    let sub = subject_of_fresh_token(&access)?;
    let user: Option<UserRecord> = match scope_of_pool(pool) {
        None => match app.store.staff_user(&sub).await? {
            Some(user) => Some(user),
            None => first_admin(app, &sub, email).await?,
        },
        Some(scope) => app.store.contact(&scope, &sub).await?,
    };
    let Some(user) = user.filter(|user| user.status == UserStatus::Active) else {
        return Ok(None);
    };
    Ok(Some(Opened {
        organisation: organisation_of(app, pool).await?,
        user,
        pool: pool.clone(),
        access_token: access,
        refresh_token: refresh,
        expires_in: result.expires_in,
    }))
}

/// The stack's first admin has no record until their first sign-in; this makes it, once. Any
/// other staff member without a record is refused like a wrong password.
async fn first_admin(app: &App, sub: &str, email: &str) -> ApiResult<Option<UserRecord>> {
    let Some(first) = app.config.first_admin_email.as_deref() else {
        return Ok(None);
    };
    if !first.eq_ignore_ascii_case(email) {
        return Ok(None);
    }
    let record = UserRecord {
        sub: sub.to_string(),
        email: first.to_string(),
        name: first.split('@').next().unwrap_or(first).to_string(),
        roles: vec![Role::Admin],
        status: UserStatus::Active,
        mfa_enabled: false,
        sessions_valid_after: 0,
        created_at: atrium_shared::ids::now_rfc3339(),
        version: 1,
    };
    // Two first sign-ins at once: one writes, the other reads what it wrote.
    if app.store.put_staff_user(&record).await.is_err() {
        return app.store.staff_user(sub).await;
    }
    tracing::info!(
        sub,
        "the first admin signed in; their staff record was created"
    );
    Ok(Some(record))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn otpauth_uri_is_encoded() {
        let uri = otpauth_uri("Firm & Co", "ann@example.com", "ABC");
        assert_eq!(
            uri,
            "otpauth://totp/Firm%20%26%20Co:ann%40example.com?secret=ABC&issuer=Firm%20%26%20Co"
        );
    }
}
