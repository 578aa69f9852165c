//! `POST /api/auth/password/change` `{current_password, new_password}`: a signed-in person
//! changes their password. Cognito checks the current one (`ChangePassword` with the caller's
//! own access token), so a session left open on a shared computer cannot change it; wrong
//! current passwords count towards the sign-in brakes (`store::throttle`). The new password is
//! then set in every other organisation of the person (one password everywhere), every
//! session ends, this one included (the person signs in again with the new password), the
//! change is in each organisation's trail, and a mail tells them, so a change they did not
//! make does not go unnoticed.

use crate::everywhere::{active_members, end_everything, set_password};
use atrium_shared::cognito::{error_code, PASSWORD_RULES};
use atrium_shared::http::{
    access_token, clearing_cookies, json_response, parse_json, with_cookies, RequestMeta,
};
use atrium_shared::ids::now_epoch;
use atrium_shared::mail::notice;
use atrium_shared::principal::Principal;
use atrium_shared::store::throttle::Attempt;
use atrium_shared::{ApiError, ApiResult, App};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use serde_json::json;

/// Longer than any password Cognito takes; a longer one is refused before it is sent.
const MAX_PASSWORD_BYTES: usize = 256;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeBody {
    current_password: String,
    new_password: String,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let body: ChangeBody = parse_json(&req)?;
    if body.current_password.is_empty() || body.current_password.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::invalid("current_password", "is required"));
    }
    if body.new_password.is_empty() || body.new_password.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::invalid("new_password", PASSWORD_RULES));
    }
    if body.new_password == body.current_password {
        return Err(ApiError::invalid(
            "new_password",
            "must differ from your current password",
        ));
    }
    let user = app
        .store
        .user_of(&principal)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let meta = RequestMeta::of(&req);
    let brake = Attempt::sign_in(&user.email, &meta.ip);
    app.store.check_throttle(&brake, now_epoch()).await?;
    let (token, _) = access_token(req.headers()).ok_or_else(ApiError::unauthorized)?;
    let changed = app
        .cognito
        .change_password()
        .access_token(&token)
        .previous_password(&body.current_password)
        .proposed_password(&body.new_password)
        .send()
        .await;
    if let Err(error) = changed {
        return Err(match error_code(&error) {
            Some("NotAuthorizedException") => {
                if let Err(error) = app.store.record_failure(&brake, now_epoch()).await {
                    tracing::error!(?error, "failed password change not counted");
                }
                ApiError::invalid("current_password", "is not your current password")
            }
            Some("InvalidPasswordException") => ApiError::invalid("new_password", PASSWORD_RULES),
            Some("LimitExceededException" | "TooManyRequestsException") => ApiError::throttled(),
            _ => ApiError::dependency("cognito change_password", error),
        });
    }
    // The same password in every other organisation of the person, then every session ends.
    let members = active_members(app, &user.email).await?;
    let this_pool = app.pool_of(&principal).await?;
    set_password(app, &members, &body.new_password, Some(&this_pool)).await?;
    end_everything(
        app,
        &user.email,
        &members,
        "session.password_changed",
        &meta,
    )
    .await?;
    tell(app, &user.email).await;
    Ok(with_cookies(
        json_response(StatusCode::OK, &json!({ "status": "password_changed" })),
        clearing_cookies(),
    ))
}

async fn tell(app: &App, email: &str) {
    let link = app.config.portal_origin.trim_end_matches('/').to_string();
    let mail = notice(
        &app.branding().await,
        "Your password was changed",
        "Your password was changed",
        &["The password of your account was just changed, and every session was signed out. If you did not do this, contact us at once.".to_string()],
        "The password of your account was just changed, and every session was signed out. If you did not do this, contact us at once.",
        ("Sign in", &link),
    );
    if let Err(error) = app.mailer.send(email, &mail).await {
        tracing::warn!(?error, "password change notice not sent");
    }
}
