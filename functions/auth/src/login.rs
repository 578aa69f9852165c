//! `POST /api/auth/login`: sign in with email and password (staff without a slug, client
//! contacts with their organisation's slug), then answer an MFA challenge if one comes. Failed
//! passwords and codes are counted per email and per address (`store::throttle`): past the
//! free ones, the next attempt waits (429, `Retry-After`).

use crate::session::{finish, password_step, AuthStep, Mode};
use atrium_shared::cognito::{sign_in_error, PoolRef};
use atrium_shared::http::{check_origin, parse_json, RequestMeta};
use atrium_shared::ids::now_epoch;
use atrium_shared::store::throttle::Attempt;
use atrium_shared::types::Email;
use atrium_shared::{validate, ApiError, ApiResult, App};
use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    email: Email,
    #[serde(default)]
    password: Option<String>,
    /// The client organisation's slug; absent for the firm's staff.
    #[serde(default)]
    slug: Option<String>,
    /// Answering a challenge: the session from the previous step and the authenticator's code.
    #[serde(default)]
    session: Option<String>,
    #[serde(default)]
    code: Option<String>,
    /// `totp` (default), `mfa_setup`, or `new_password` (staff with a temporary password).
    #[serde(default)]
    challenge: Option<String>,
    /// Answering `new_password`: the password the person chose.
    #[serde(default)]
    new_password: Option<String>,
    #[serde(default)]
    mode: Mode,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    check_origin(
        req.method(),
        req.headers(),
        &app.config.portal_origin,
        false,
    )?;
    let body: LoginBody = parse_json(&req)?;
    let email = body.email.clone();
    let meta = RequestMeta::of(&req);
    // Held back before anything about the person is looked at: the same for every email.
    let brake = Attempt::sign_in(email.as_str(), &meta.ip);
    app.store.check_throttle(&brake, now_epoch()).await?;
    let pool = match resolve_pool(app, body.slug.as_deref()).await {
        Ok(pool) => pool,
        Err(error) => {
            if error.status == http::StatusCode::UNAUTHORIZED {
                count_failure(app, &brake).await;
            }
            return Err(error);
        }
    };

    let attempt = async {
        Ok::<AuthStep, ApiError>(match (&body.session, &body.code) {
            (Some(session), _) if body.challenge.as_deref() == Some("new_password") => {
                let password = body
                    .new_password
                    .as_deref()
                    .filter(|password| !password.is_empty() && password.len() <= 256)
                    .ok_or_else(|| {
                        ApiError::invalid("new_password", atrium_shared::cognito::PASSWORD_RULES)
                    })?;
                choose_password(app, &pool, &email, session, password).await?
            }
            (Some(session), Some(code)) => {
                let code = validate::totp_code("code", code)?;
                answer_challenge(
                    app,
                    &pool,
                    &email,
                    session,
                    &code,
                    body.challenge.as_deref(),
                )
                .await?
            }
            (Some(_), None) => return Err(ApiError::invalid("code", "is required with a session")),
            (None, _) => {
                let password = body
                    .password
                    .filter(|password| !password.is_empty())
                    .ok_or_else(|| ApiError::invalid("password", "is required"))?;
                if password.len() > 256 {
                    return Err(ApiError::bad_credentials());
                }
                password_step(app, &pool, &email, &password).await?
            }
        })
    };
    let step = match attempt.await {
        Ok(step) => step,
        Err(error) => {
            if error.status == http::StatusCode::UNAUTHORIZED {
                record_failed_sign_in(app, &pool, &email, &meta).await;
                count_failure(app, &brake).await;
            }
            return Err(error);
        }
    };
    if let Err(error) = app.store.clear_failures(&brake).await {
        tracing::warn!(?error, "sign-in failures not cleared");
    }
    finish(
        app,
        &pool,
        &email,
        body.slug.as_deref(),
        body.mode,
        step,
        &meta,
    )
    .await
}

/// A wrong password, an unknown slug or a wrong code: one more failure for the email and the
/// address. A counter that cannot be written is logged, never a reason to refuse.
async fn count_failure(app: &App, brake: &Attempt) {
    if let Err(error) = app.store.record_failure(brake, now_epoch()).await {
        tracing::error!(?error, "failed sign-in not counted");
    }
}

/// A failed sign-in of a client's contact goes into that client's audit trail (the attempted
/// address, never the password). Staff sign-ins have no tenant trail; they are logged.
async fn record_failed_sign_in(app: &App, pool: &PoolRef, email: &str, meta: &RequestMeta) {
    let Some(scope) = atrium_shared::cognito::scope_of_pool(pool) else {
        tracing::warn!(email, ip = %meta.ip, "staff sign-in failed");
        return;
    };
    let entry = atrium_shared::audit::AuditEntry::new(
        &scope,
        "anonymous",
        "",
        "session.sign_in_failed",
        &format!("email/{email}"),
        0,
        meta,
    );
    if let Err(error) = app.store.audit(&scope, &entry).await {
        tracing::error!(?error, "failed sign-in not recorded");
    }
}

/// Unknown slugs answer exactly like a wrong password, so slugs cannot be probed.
async fn resolve_pool(app: &App, slug: Option<&str>) -> ApiResult<PoolRef> {
    match slug.map(str::trim).filter(|slug| !slug.is_empty()) {
        None => Ok(app.staff_pool()),
        Some(slug) => {
            let slug = validate::slug("slug", slug)?;
            app.client_pool_by_slug(&slug)
                .await?
                .ok_or_else(ApiError::bad_credentials)
        }
    }
}

/// Staff with a temporary password choose their own (Cognito's `NEW_PASSWORD_REQUIRED`).
async fn choose_password(
    app: &App,
    pool: &PoolRef,
    email: &str,
    session: &str,
    password: &str,
) -> ApiResult<AuthStep> {
    if pool.tenant_id.is_some() {
        return Err(ApiError::invalid(
            "challenge",
            "contacts set their password from the invitation",
        ));
    }
    if session.len() > 4096 {
        return Err(ApiError::invalid("session", "is not a sign-in session"));
    }
    let output = app
        .cognito
        .respond_to_auth_challenge()
        .client_id(&pool.app_client_id)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(session)
        .challenge_responses("USERNAME", email)
        .challenge_responses("NEW_PASSWORD", password)
        .send()
        .await
        .map_err(
            |error| match sign_in_error("cognito respond_to_auth_challenge", error) {
                refused if refused.message.starts_with("password:") => {
                    ApiError::invalid("new_password", atrium_shared::cognito::PASSWORD_RULES)
                }
                other => other,
            },
        )?;
    Ok(AuthStep {
        result: output.authentication_result,
        challenge: output.challenge_name,
        session: output.session,
    })
}

async fn answer_challenge(
    app: &App,
    pool: &PoolRef,
    email: &str,
    session: &str,
    code: &str,
    challenge: Option<&str>,
) -> ApiResult<AuthStep> {
    if session.len() > 4096 {
        return Err(ApiError::invalid("session", "is not a sign-in session"));
    }
    let (challenge_name, session, code_parameter) = match challenge.unwrap_or("totp") {
        "totp" => (
            ChallengeNameType::SoftwareTokenMfa,
            session.to_string(),
            Some("SOFTWARE_TOKEN_MFA_CODE"),
        ),
        "mfa_setup" => {
            let verified = app
                .cognito
                .verify_software_token()
                .session(session)
                .user_code(code)
                .friendly_device_name("Authenticator")
                .send()
                .await
                .map_err(|error| sign_in_error("cognito verify_software_token", error))?;
            (
                ChallengeNameType::MfaSetup,
                verified.session.unwrap_or_else(|| session.to_string()),
                None,
            )
        }
        _ => return Err(ApiError::invalid("challenge", "must be totp or mfa_setup")),
    };
    let mut request = app
        .cognito
        .respond_to_auth_challenge()
        .client_id(&pool.app_client_id)
        .challenge_name(challenge_name)
        .session(session)
        .challenge_responses("USERNAME", email);
    if let Some(parameter) = code_parameter {
        request = request.challenge_responses(parameter, code);
    }
    let output = request
        .send()
        .await
        .map_err(|error| sign_in_error("cognito respond_to_auth_challenge", error))?;
    Ok(AuthStep {
        result: output.authentication_result,
        challenge: output.challenge_name,
        session: output.session,
    })
}
