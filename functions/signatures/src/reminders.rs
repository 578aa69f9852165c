//! The daily run over the firm's `SIGNING` index: every request whose reminder day has come.
//! A request in progress reminds the signers whose turn it is (and moves its day on by its
//! `reminder_days`); a request everyone signed but whose sealing failed is sealed now. One
//! request's failure never costs the others their turn; the run then fails (for the alarm).

use crate::data::{
    requests_to_remind, RequestStatus, SignatureRequest, SignatureRequests, SignerState,
};
use atrium_shared::audit::AuditEntry;
use atrium_shared::dates::add_days;
use atrium_shared::http::RequestMeta;
use atrium_shared::ids::now_rfc3339;
use atrium_shared::principal::TenantScope;
use atrium_shared::{ApiError, ApiResult, App};

/// The day after `today` by `days` (none when reminders are off).
pub fn next_day(today: &str, days: u32) -> Option<String> {
    (days > 0)
        .then(|| add_days(today, i64::from(days)))
        .flatten()
}

#[derive(Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub considered: usize,
    pub reminded: usize,
    pub sealed: usize,
    pub failed: usize,
}

pub async fn run(app: &App, today: &str) -> ApiResult<Summary> {
    let mut summary = Summary::default();
    let mut cursor = None;
    loop {
        let page = requests_to_remind(&app.store, today, 100, cursor.as_deref()).await?;
        for (scope, indexed) in page.items {
            summary.considered += 1;
            // The index is eventually consistent: act on the request as it is now.
            let request = match SignatureRequests::of(app.store.tenant(&scope))
                .get(&indexed.id)
                .await
            {
                Ok(Some(request)) => request,
                Ok(None) => continue,
                Err(error) => {
                    tracing::error!(?error, request = %indexed.id, "reading a signature request failed");
                    summary.failed += 1;
                    continue;
                }
            };
            let outcome = match request.status {
                RequestStatus::Sealing => crate::seal::finish(app, &scope, &request)
                    .await
                    .map(|_| summary.sealed += 1),
                RequestStatus::InProgress
                    if request
                        .next_reminder
                        .as_deref()
                        .is_some_and(|day| day <= today) =>
                {
                    remind(app, &scope, &request, today)
                        .await
                        .map(|_| summary.reminded += 1)
                }
                _ => Ok(()),
            };
            if let Err(error) = outcome {
                tracing::error!(?error, request = %request.id, "signature reminder or sealing failed");
                summary.failed += 1;
            }
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    tracing::info!(?summary, "signature reminders run");
    if summary.failed > 0 {
        return Err(ApiError::dependency("signature reminders", &summary));
    }
    Ok(summary)
}

/// Moves the request's day on first (so a second run the same day finds nothing), then mails.
async fn remind(
    app: &App,
    scope: &TenantScope,
    request: &SignatureRequest,
    today: &str,
) -> ApiResult<()> {
    let now = now_rfc3339();
    let mut next = request.clone();
    next.next_reminder = next_day(today, request.reminder_days);
    let mut reminded = Vec::new();
    for signer in next
        .signers
        .iter_mut()
        .filter(|signer| signer.state == SignerState::Signing)
    {
        signer.reminded_at = Some(now.clone());
        reminded.push(signer.id.clone());
    }
    next.step(&now, "reminded the signers whose turn it is", "portal");
    next.version += 1;
    next.updated_at = now;
    let requests = SignatureRequests::of(app.store.tenant(scope));
    let entry = AuditEntry::new(
        scope,
        "system",
        "signatures",
        "signature_request.reminded",
        &format!("signature_request/{}", next.id),
        next.version,
        &RequestMeta::default(),
    );
    requests
        .tenant()
        .commit(
            vec![requests.save(&next, Some(request.version))?],
            vec![entry],
            "moved",
        )
        .await?;
    crate::mail::remind(app, &next, &reminded).await;
    Ok(())
}

/// Each scheduled event is one run for today; a failed run is a function error, which the
/// failed-run alarm watches.
pub async fn on_schedule(app: &App, _event: serde_json::Value) -> ApiResult<()> {
    run(app, &atrium_shared::dates::today()).await.map(|_| ())
}
