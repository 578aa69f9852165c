//! The person's own sessions: `GET /api/auth/sessions`, `DELETE /api/auth/sessions/{session}`
//! and `POST /api/auth/sessions/end-others`. A session is found from the request's own access
//! token (its `origin_jti` names the gate, the gate the session), so a person only ever sees
//! and ends sessions of their own email.

use atrium_shared::cognito::origin_jti_of_token;
use atrium_shared::http::{access_token, ok, path_param, RequestMeta};
use atrium_shared::ids::{epoch_rfc3339, now_epoch};
use atrium_shared::principal::Principal;
use atrium_shared::store::sessions::SessionRecord;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Serialize)]
pub struct SessionView {
    pub id: String,
    pub current: bool,
    pub started_at: String,
    pub last_used_at: String,
    pub ip: String,
    pub browser: String,
    pub organisations: Vec<String>,
}

/// The session this request was made in (the authorizer has verified its token and gate).
pub async fn current_session(app: &App, req: &Request) -> ApiResult<SessionRecord> {
    let (token, _) = access_token(req.headers()).ok_or_else(ApiError::unauthorized)?;
    let origin_jti = origin_jti_of_token(&token).map_err(|_| ApiError::unauthorized())?;
    let gate = app
        .store
        .session_gate(&origin_jti)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    app.store
        .session(&gate.email, &gate.session_id)
        .await?
        .ok_or_else(ApiError::unauthorized)
}

pub async fn list(app: &App, req: Request) -> ApiResult<Response<Body>> {
    Principal::from_request(&req)?;
    let current = current_session(app, &req).await?;
    let now = now_epoch();
    let mut sessions = Vec::new();
    for record in app.store.live_sessions(&current.email, now).await? {
        let mut last_used = record.started_at;
        let mut live = false;
        for organisation in &record.organisations {
            if let Some(gate) = app.store.session_gate(&organisation.origin_jti).await? {
                last_used = last_used.max(gate.last_used);
                live |= gate.check(now).is_ok();
            }
        }
        // Idle sessions are over, though nobody has written so yet.
        if !live {
            continue;
        }
        sessions.push(SessionView {
            current: record.id == current.id,
            started_at: epoch_rfc3339(record.started_at),
            last_used_at: epoch_rfc3339(last_used),
            ip: record.ip.clone(),
            browser: record.browser.clone(),
            organisations: record
                .organisations
                .iter()
                .map(|organisation| organisation.name.clone())
                .collect(),
            id: record.id,
        });
    }
    ok(&json!({ "sessions": sessions }))
}

pub async fn end(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let current = current_session(app, &req).await?;
    let id = path_param(&req, "session")?;
    if !atrium_shared::ids::is_id(&id) {
        return Err(ApiError::not_found());
    }
    // Only the caller's own sessions are found: the partition is their email's.
    let record = app
        .store
        .session(&current.email, &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    app.store.end_session(&record, now_epoch()).await?;
    record_ended(app, &principal, 1, &RequestMeta::of(&req)).await;
    ok(&json!({ "status": "ended" }))
}

pub async fn end_others(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let current = current_session(app, &req).await?;
    let now = now_epoch();
    let mut ended = 0;
    for record in app.store.live_sessions(&current.email, now).await? {
        if record.id != current.id {
            app.store.end_session(&record, now).await?;
            ended += 1;
        }
    }
    record_ended(app, &principal, ended, &RequestMeta::of(&req)).await;
    ok(&json!({ "ended": ended }))
}

/// In the organisation's trail (the firm's log for staff): the person ended sessions.
async fn record_ended(app: &App, principal: &Principal, count: usize, meta: &RequestMeta) {
    if count == 0 {
        return;
    }
    match principal.own_tenant() {
        Ok(scope) => {
            let entry = atrium_shared::audit::AuditEntry::by(
                &scope,
                principal,
                "session.ended_elsewhere",
                &format!("contact/{}", principal.sub),
                0,
                meta,
            );
            if let Err(error) = app.store.audit(&scope, &entry).await {
                tracing::error!(?error, "ended sessions not recorded");
            }
        }
        Err(_) => {
            tracing::info!(actor = %principal.actor_label(), count, ip = %meta.ip, "staff ended sessions");
        }
    }
}
