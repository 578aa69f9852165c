//! `POST /api/auth/logout`: ends this session, and only this one (the person's other devices
//! stay signed in; Settings → Sessions ends those). The session and its gates are marked in
//! one transaction, so every organisation's access token of this sign-in is refused from the
//! next request, and the refresh tokens it kept sealed can no longer be opened by anybody.
//! The cookies are cleared.

use crate::sessions::current_session;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{clearing_cookies, json_response, with_cookies, RequestMeta};
use atrium_shared::ids::now_epoch;
use atrium_shared::principal::Principal;
use atrium_shared::{ApiResult, App};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let session = current_session(app, &req).await?;
    app.store.end_session(&session, now_epoch()).await?;
    let meta = RequestMeta::of(&req);
    match principal.own_tenant() {
        Ok(scope) => {
            let entry = AuditEntry::by(
                &scope,
                &principal,
                "session.signed_out",
                &format!("contact/{}", principal.sub),
                0,
                &meta,
            );
            app.store.audit(&scope, &entry).await?;
        }
        Err(_) => {
            tracing::info!(actor = %principal.actor_label(), ip = %meta.ip, "staff signed out");
        }
    }
    Ok(with_cookies(
        json_response(StatusCode::OK, &json!({ "status": "signed_out" })),
        clearing_cookies(),
    ))
}
