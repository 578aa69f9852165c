//! `POST /api/auth/mfa/verify` `{code}`: confirms the authenticator with its first code and
//! makes TOTP the person's sign-in second factor.

use atrium_shared::cognito::sign_in_error;
use atrium_shared::http::{access_token, ok, parse_json, RequestMeta};
use atrium_shared::principal::Principal;
use atrium_shared::{validate, ApiError, ApiResult, App};
use aws_sdk_cognitoidentityprovider::types::{
    SoftwareTokenMfaSettingsType, VerifySoftwareTokenResponseType,
};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyBody {
    code: String,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let body: VerifyBody = parse_json(&req)?;
    let code = validate::totp_code("code", &body.code)?;
    let (token, _) = access_token(req.headers()).ok_or_else(ApiError::unauthorized)?;
    let verified = app
        .cognito
        .verify_software_token()
        .access_token(&token)
        .user_code(code)
        .friendly_device_name("Authenticator")
        .send()
        .await
        .map_err(|error| sign_in_error("cognito verify_software_token", error))?;
    if verified.status != Some(VerifySoftwareTokenResponseType::Success) {
        return Err(ApiError::invalid("code", "that code did not match"));
    }
    set_totp_preference(app, &token, true).await?;
    app.store
        .set_user_mfa(&principal, true, &RequestMeta::of(&req))
        .await?;
    ok(&json!({ "mfa_enabled": true }))
}

pub(crate) async fn set_totp_preference(app: &App, token: &str, enabled: bool) -> ApiResult<()> {
    app.cognito
        .set_user_mfa_preference()
        .access_token(token)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(enabled)
                .preferred_mfa(enabled)
                .build(),
        )
        .send()
        .await
        .map(|_| ())
        .map_err(|error| sign_in_error("cognito set_user_mfa_preference", error))
}
