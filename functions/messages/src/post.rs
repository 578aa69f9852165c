//! `POST /api/threads/{thread}/messages` (a contact) and
//! `POST /api/clients/{id}/threads/{thread}/messages` (staff) `{body}`. A client's message is
//! mailed to the firm's staff, a staff message to the client's contacts; the mail says there is
//! a message and links to it, without its text.

use crate::data::Threads;
use atrium_shared::access::{require_can_act, scope_for};
use atrium_shared::http::{created, parse_json, RequestMeta};
use atrium_shared::mail::notice;
use atrium_shared::principal::{Principal, TenantScope};
use atrium_shared::store::records::UserStatus;
use atrium_shared::{ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PostBody {
    body: String,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    require_can_act(&principal)?;
    let thread = crate::thread(app, &scope, &req, &principal).await?;
    let body: PostBody = parse_json(&req)?;
    let (record, entry) = crate::compose(
        app,
        &scope,
        &principal,
        &thread,
        &body.body,
        "message.posted",
        &RequestMeta::of(&req),
    )
    .await?;
    app.store
        .transact_audited(
            vec![Threads::of(app.store.tenant(&scope)).post(&record)?],
            &scope,
            vec![entry],
            "message exists",
        )
        .await?;
    tell_the_other_side(app, &scope, &principal, &thread).await;
    created(&record)
}

async fn tell_the_other_side(app: &App, scope: &TenantScope, principal: &Principal, thread: &str) {
    let client_name = match app.store.profile(scope).await {
        Ok(Some(profile)) => profile.name,
        _ => "your client".to_string(),
    };
    let origin = app.config.portal_origin.trim_end_matches('/');
    let (recipients, link, subject) = if principal.is_staff() {
        let contacts = app.store.contacts(scope).await.unwrap_or_default();
        (
            contacts
                .into_iter()
                .filter(|user| user.status == UserStatus::Active)
                .map(|user| user.email)
                .collect::<Vec<_>>(),
            format!("{origin}/messages/{thread}"),
            format!("New message from {}", app.branding().await.firm_name),
        )
    } else {
        let staff = app.store.staff_users().await.unwrap_or_default();
        (
            staff
                .into_iter()
                .filter(|user| user.status == UserStatus::Active)
                .map(|user| user.email)
                .collect(),
            format!(
                "{origin}/staff/clients/{}/messages/{thread}",
                scope.tenant_id()
            ),
            format!("New message from {client_name}"),
        )
    };
    let mail = notice(
        &app.branding().await,
        &subject,
        "You have a new message",
        &["Sign in to read it and reply.".to_string()],
        "Sign in to read it and reply.",
        ("Read the message", &link),
    );
    for recipient in recipients {
        if let Err(error) = app.mailer.send(&recipient, &mail).await {
            tracing::warn!(?error, "message notice not sent");
        }
    }
}
