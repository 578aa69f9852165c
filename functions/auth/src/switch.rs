//! `POST /api/auth/refresh` and `POST /api/auth/switch {organisation}`: a new access token for
//! one organisation of the session, from the refresh token the session keeps sealed. The
//! session cookie is the credential (HttpOnly, `SameSite=Strict`, and the request must come
//! from the portal's origin); Cognito checks the refresh token itself, the person's record
//! there must still be active, and the session must be live (not ended, idle or past its end).

use crate::open::{access_cookie, Organisation, SessionCookie};
use crate::session::SignInResponse;
use crate::signin::pool_of;
use atrium_shared::cognito::{origin_jti_of_token, scope_of_pool, subject_of_fresh_token};
use atrium_shared::http::{
    check_origin, cookie_value, json_response, parse_json, with_cookies, REFRESH_COOKIE,
};
use atrium_shared::ids::now_epoch;
use atrium_shared::sealed;
use atrium_shared::store::records::UserStatus;
use atrium_shared::store::sessions::SessionRecord;
use atrium_shared::{ApiError, ApiResult, App};
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SwitchBody {
    organisation: String,
}

/// `POST /api/auth/refresh`: the organisation open now, renewed.
pub async fn refresh(app: &App, req: Request) -> ApiResult<Response<Body>> {
    renew(app, &req, None).await
}

/// `POST /api/auth/switch`: another organisation of the same sign-in, without a password.
pub async fn switch(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let body: SwitchBody = parse_json(&req)?;
    if body.organisation.len() > 64 {
        return Err(ApiError::invalid("organisation", "is not one of yours"));
    }
    renew(app, &req, Some(&body.organisation)).await
}

async fn renew(app: &App, req: &Request, target: Option<&str>) -> ApiResult<Response<Body>> {
    check_origin(req.method(), req.headers(), &app.config.portal_origin, true)?;
    let now = now_epoch();
    let cookie = cookie_value(req.headers(), REFRESH_COOKIE)
        .and_then(|value| SessionCookie::parse(&value))
        .ok_or_else(ApiError::unauthorized)?;
    let record = app
        .store
        .session_of_key(&cookie.email, &cookie.key, now)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let wanted = target.unwrap_or(&record.open_organisation);
    let organisation = record
        .organisation(wanted)
        .ok_or_else(ApiError::not_found)?
        .clone();
    // Idle or ended: the session is over for every organisation.
    let gate = app
        .store
        .session_gate(&organisation.origin_jti)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    if target.is_none() && gate.check(now).is_err() {
        return Err(ApiError::unauthorized());
    }
    if target.is_some() && !still_active(app, &record, now).await? {
        return Err(ApiError::unauthorized());
    }
    let refresh_token = sealed::open(
        cookie.key.secret.as_bytes(),
        &cookie.key.place(&organisation.id),
        &organisation.refresh,
    )
    .ok_or_else(ApiError::unauthorized)?;
    let pool = pool_of(app, &organisation.id).await?;
    let output = app
        .cognito
        .initiate_auth()
        .client_id(&pool.app_client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", refresh_token)
        .send()
        .await
        .map_err(|error| match atrium_shared::cognito::error_code(&error) {
            Some("NotAuthorizedException" | "UserNotFoundException") => ApiError::unauthorized(),
            _ => ApiError::dependency("cognito refresh", error),
        })?;
    let result = output
        .authentication_result
        .ok_or_else(ApiError::unauthorized)?;
    let access = result.access_token.ok_or_else(ApiError::unauthorized)?;
    let sub = subject_of_fresh_token(&access)?;
    if sub != organisation.sub || origin_jti_of_token(&access)? != organisation.origin_jti {
        return Err(ApiError::unauthorized());
    }
    let user = match scope_of_pool(&pool) {
        None => app.store.staff_user(&sub).await?,
        Some(scope) => app.store.contact(&scope, &sub).await?,
    };
    if !user.is_some_and(|user| user.status == UserStatus::Active) {
        return Err(ApiError::unauthorized());
    }
    if target.is_some() {
        app.store
            .switch_session(&record, &organisation, now)
            .await?;
    } else {
        app.store.touch_gate(&organisation.origin_jti, now).await;
    }
    let body = SignInResponse {
        status: "signed_in".to_string(),
        kind: Some(organisation.kind.clone()),
        expires_in: Some(result.expires_in),
        organisation: Some(Organisation::of(&organisation)),
        organisations: Some(record.organisations.iter().map(Organisation::of).collect()),
        ..SignInResponse::default()
    };
    Ok(with_cookies(
        json_response(StatusCode::OK, &body),
        vec![access_cookie(&access, i64::from(result.expires_in))],
    ))
}

/// A switch is allowed while the session has been used within its idle time in any of its
/// organisations (the person was working in the one they switch from).
async fn still_active(app: &App, record: &SessionRecord, now: i64) -> ApiResult<bool> {
    for organisation in &record.organisations {
        if let Some(gate) = app.store.session_gate(&organisation.origin_jti).await? {
            if gate.check(now).is_ok() {
                return Ok(true);
            }
        }
    }
    Ok(false)
}
