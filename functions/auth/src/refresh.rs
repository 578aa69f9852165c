//! `POST /api/auth/refresh`: a new access token from the refresh cookie, before the current one
//! expires (the web client calls it when it warns about the session ending). Cognito checks the
//! refresh token, which a sign-out revokes; the user's own record must still be active.

use crate::session::{REFRESH_SEPARATOR, STAFF_HINT};
use atrium_shared::cognito::{scope_of_pool, subject_of_fresh_token, PoolRef};
use atrium_shared::http::{
    check_origin, cookie_value, json_response, session_cookies, with_cookies, REFRESH_COOKIE,
};
use atrium_shared::ids::is_id;
use atrium_shared::store::records::UserStatus;
use atrium_shared::{ApiError, ApiResult, App};
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    check_origin(req.method(), req.headers(), &app.config.portal_origin, true)?;
    let value = cookie_value(req.headers(), REFRESH_COOKIE).ok_or_else(ApiError::unauthorized)?;
    let (hint, token) = value
        .split_once(REFRESH_SEPARATOR)
        .ok_or_else(ApiError::unauthorized)?;
    let pool: PoolRef = if hint == STAFF_HINT {
        app.staff_pool()
    } else if is_id(hint) {
        app.client_pool_by_tenant(hint)
            .await?
            .ok_or_else(ApiError::unauthorized)?
    } else {
        return Err(ApiError::unauthorized());
    };
    let output = app
        .cognito
        .initiate_auth()
        .client_id(&pool.app_client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", token)
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
    let user = match scope_of_pool(&pool) {
        None => app.store.staff_user(&sub).await?,
        Some(scope) => app.store.contact(&scope, &sub).await?,
    };
    if !user.is_some_and(|user| user.status == UserStatus::Active) {
        return Err(ApiError::unauthorized());
    }
    // The refresh cookie stays as it is; only the access cookie is renewed.
    let cookies = session_cookies(&access, i64::from(result.expires_in), None);
    Ok(with_cookies(
        json_response(
            StatusCode::OK,
            &json!({ "status": "signed_in", "expires_in": result.expires_in }),
        ),
        cookies,
    ))
}
