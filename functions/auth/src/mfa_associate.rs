//! `POST /api/auth/mfa/associate`: starts enrolling a TOTP authenticator for the signed-in
//! person. Answers the secret and an `otpauth://` address for a QR code.

use crate::session::otpauth_uri;
use atrium_shared::cognito::sign_in_error;
use atrium_shared::http::{access_token, ok};
use atrium_shared::principal::Principal;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let user = app
        .store
        .user_of(&principal)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let (token, _) = access_token(req.headers()).ok_or_else(ApiError::unauthorized)?;
    let output = app
        .cognito
        .associate_software_token()
        .access_token(token)
        .send()
        .await
        .map_err(|error| sign_in_error("cognito associate_software_token", error))?;
    let secret = output.secret_code.unwrap_or_default();
    ok(&json!({
        "secret": secret,
        "otpauth_uri": otpauth_uri(&app.config.firm_name, &user.email, &secret),
    }))
}
