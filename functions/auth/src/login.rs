//! `POST /api/auth/login`: sign in with an email and a password, no organisation (`signin`),
//! then answer the codes asked; also the challenge an accepted invitation asks. Failed
//! passwords and codes are counted per email and per address (`store::throttle`): past the
//! free ones, the next attempt waits (429, `Retry-After`).

use crate::session::{finish, AuthStep, Mode};
use crate::signin;
use atrium_shared::cognito::{sign_in_error, PoolRef};
use atrium_shared::http::{check_origin, parse_json, RequestMeta};
use atrium_shared::ids::is_id;
use atrium_shared::ids::now_epoch;
use atrium_shared::store::people::STAFF_ORGANISATION;
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
    /// Only this client organisation (its slug); most sign-ins name none.
    #[serde(default)]
    slug: Option<String>,
    /// Only this organisation: a client's id, or `staff`.
    #[serde(default)]
    organisation: Option<String>,
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
    let answer = match body.session.as_deref() {
        Some(session) => match signin::pending_key(session) {
            Some(key) => {
                signin::answer(
                    app,
                    &key,
                    signin::Answer {
                        email: email.as_str(),
                        code: body.code.as_deref(),
                        new_password: body.new_password.as_deref(),
                    },
                    &meta,
                )
                .await
            }
            // Cognito's own session: the challenge an accepted invitation asked.
            None => invitation_challenge(app, &body, session, &meta).await,
        },
        None => {
            let password = body
                .password
                .as_deref()
                .filter(|password| !password.is_empty())
                .ok_or_else(|| ApiError::invalid("password", "is required"))?;
            if password.len() > 256 {
                count_failure(app, &brake).await;
                return Err(ApiError::bad_credentials());
            }
            let organisation = organisation_filter(app, &body).await?;
            signin::with_password(
                app,
                email.as_str(),
                password,
                organisation.as_deref(),
                body.mode,
                &meta,
            )
            .await
        }
    };
    match answer {
        Ok(response) => {
            if let Err(error) = app.store.clear_failures(&brake).await {
                tracing::warn!(?error, "sign-in failures not cleared");
            }
            Ok(response)
        }
        Err(error) => {
            if error.status == http::StatusCode::UNAUTHORIZED {
                count_failure(app, &brake).await;
            }
            Err(error)
        }
    }
}

/// Only one organisation, when the body names it (`organisation`, or a client's `slug`).
/// An unknown slug opens nothing, which answers exactly like a wrong password.
async fn organisation_filter(app: &App, body: &LoginBody) -> ApiResult<Option<String>> {
    if let Some(organisation) = body.organisation.as_deref() {
        if organisation != STAFF_ORGANISATION && !is_id(organisation) {
            return Err(ApiError::invalid(
                "organisation",
                "must be a client's id, or staff",
            ));
        }
        return Ok(Some(organisation.to_string()));
    }
    match body
        .slug
        .as_deref()
        .map(str::trim)
        .filter(|slug| !slug.is_empty())
    {
        None => Ok(None),
        Some(slug) => {
            let slug = validate::slug("slug", slug)?;
            Ok(Some(
                app.store
                    .slug_record(&slug)
                    .await?
                    .map(|record| record.tenant_id)
                    // Matches no membership: the same answer as a wrong password.
                    .unwrap_or_else(|| "unknown".to_string()),
            ))
        }
    }
}

/// The answer to a challenge Cognito asked after an invitation was accepted (its own
/// session; the body names the client's slug, or none for staff).
async fn invitation_challenge(
    app: &App,
    body: &LoginBody,
    session: &str,
    meta: &RequestMeta,
) -> ApiResult<Response<Body>> {
    let email = body.email.as_str();
    let pool = match body
        .slug
        .as_deref()
        .map(str::trim)
        .filter(|slug| !slug.is_empty())
    {
        None => app.staff_pool(),
        Some(slug) => {
            let slug = validate::slug("slug", slug)?;
            app.client_pool_by_slug(&slug)
                .await?
                .ok_or_else(ApiError::bad_credentials)?
        }
    };
    let step = if body.challenge.as_deref() == Some("new_password") {
        let password = body
            .new_password
            .as_deref()
            .filter(|password| !password.is_empty() && password.len() <= 256)
            .ok_or_else(|| {
                ApiError::invalid("new_password", atrium_shared::cognito::PASSWORD_RULES)
            })?;
        choose_password(app, &pool, email, session, password).await
    } else {
        let code = body
            .code
            .as_deref()
            .ok_or_else(|| ApiError::invalid("code", "is required with a session"))?;
        let code = validate::totp_code("code", code)?;
        answer_challenge(app, &pool, email, session, &code, body.challenge.as_deref()).await
    };
    let step = match step {
        Ok(step) => step,
        Err(error) => {
            if error.status == http::StatusCode::UNAUTHORIZED {
                signin::record_failure(app, &pool, email, meta).await;
            }
            return Err(error);
        }
    };
    finish(
        app,
        &pool,
        email,
        body.slug.as_deref(),
        body.mode,
        step,
        meta,
    )
    .await
}

/// A wrong password or code: one more failure for the email and the address. A counter that
/// cannot be written is logged, never a reason to refuse.
async fn count_failure(app: &App, brake: &Attempt) {
    if let Err(error) = app.store.record_failure(brake, now_epoch()).await {
        tracing::error!(?error, "failed sign-in not counted");
    }
}

/// Staff with a temporary password choose their own (Cognito's `NEW_PASSWORD_REQUIRED`).
pub async fn choose_password(
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

pub async fn answer_challenge(
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
