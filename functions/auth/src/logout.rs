//! `POST /api/auth/logout`: ends the session everywhere it matters. Cognito's refresh tokens are
//! revoked (`GlobalSignOut`), the user's sign-out mark makes the authorizer refuse access tokens
//! issued before now, and the cookies are cleared.

use atrium_shared::cognito::error_code;
use atrium_shared::http::{
    access_token, clearing_cookies, json_response, with_cookies, RequestMeta,
};
use atrium_shared::ids::now_epoch;
use atrium_shared::principal::Principal;
use atrium_shared::{ApiResult, App};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    app.store
        .end_sessions(&principal, now_epoch(), &RequestMeta::of(&req))
        .await?;
    // The session is already over for the portal (the mark above); revoking the refresh
    // tokens is the second lock, and its failure must not keep the cookies in the browser.
    if let Some((token, _)) = access_token(req.headers()) {
        revoke_refresh_tokens(app, &token).await;
    }
    Ok(with_cookies(
        json_response(StatusCode::OK, &json!({ "status": "signed_out" })),
        clearing_cookies(),
    ))
}

/// Revokes every refresh token of the access token's user (`GlobalSignOut`). Callers have
/// already ended the sessions for the portal (`sessions_valid_after`), so this is the second
/// lock: a failure is logged, never a reason to keep the cookies. A token Cognito no longer
/// accepts has nothing left to revoke.
pub async fn revoke_refresh_tokens(app: &App, access_token: &str) {
    if let Err(error) = app
        .cognito
        .global_sign_out()
        .access_token(access_token)
        .send()
        .await
    {
        if error_code(&error) != Some("NotAuthorizedException") {
            tracing::error!(?error, "refresh tokens not revoked");
        }
    }
}
