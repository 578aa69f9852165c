//! `POST /api/auth/mfa/disable` `{password}`: turns TOTP off. The password is asked again so a
//! session left open on a shared computer cannot weaken the account.

use crate::mfa_verify::set_totp_preference;
use atrium_shared::cognito::sign_in_error;
use atrium_shared::http::{access_token, ok, parse_json, RequestMeta};
use atrium_shared::principal::Principal;
use atrium_shared::{ApiError, ApiResult, App};
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DisableBody {
    password: String,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let body: DisableBody = parse_json(&req)?;
    if body.password.is_empty() {
        return Err(ApiError::invalid("password", "is required"));
    }
    let user = app
        .store
        .user_of(&principal)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let pool = app.pool_of(&principal).await?;
    // A correct password answers with tokens or with the MFA challenge; a wrong one fails.
    app.cognito
        .initiate_auth()
        .client_id(&pool.app_client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", &user.email)
        .auth_parameters("PASSWORD", &body.password)
        .send()
        .await
        .map_err(
            |error| match sign_in_error("cognito initiate_auth", error) {
                e if e.status == http::StatusCode::UNAUTHORIZED => {
                    ApiError::invalid("password", "is not your current password")
                }
                e => e,
            },
        )?;
    let (token, _) = access_token(req.headers()).ok_or_else(ApiError::unauthorized)?;
    set_totp_preference(app, &token, false).await?;
    app.store
        .set_user_mfa(&principal, false, &RequestMeta::of(&req))
        .await?;
    ok(&json!({ "mfa_enabled": false }))
}
