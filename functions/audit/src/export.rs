//! `GET /api/audit/export` and `GET /api/clients/{id}/audit/export` (a client's trail) and
//! `GET /api/firm/audit/export` (the firm's own): the trail as JSON Lines, one entry a line
//! with its position and hashes, ready for `audit-verify`. Large trails come in parts of up
//! to 5,000 entries: `?after=<seq>` continues, and the `x-next-after` header says where the
//! next part starts. The export is itself recorded in the trail it exports.

use crate::trail::Trail;
use crate::trail_scope;
use atrium_shared::http::{query_param, RequestMeta};
use atrium_shared::keys;
use atrium_shared::principal::Principal;
use atrium_shared::store::cursor_for;
use atrium_shared::store::tenant::AuditFilter;
use atrium_shared::{audit::AuditEntry, ApiError, ApiResult, App};
use http::{header, HeaderValue, StatusCode};
use lambda_http::{Body, Request, Response};

const PART: usize = 5_000;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = trail_scope(app, &principal, &req).await?;
    let after = after(&req)?;
    let entry = |last_seq: u64| {
        AuditEntry::by(
            &scope,
            &principal,
            "audit.exported",
            &format!("audit/{}-{last_seq}", after + 1),
            last_seq,
            &RequestMeta::of(&req),
        )
    };
    export(app, &Trail::Client(scope.clone()), after, entry).await
}

/// `GET /api/firm/audit/export`: the firm's own trail, for firm admins.
pub async fn handle_firm(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff_admin()?;
    let after = after(&req)?;
    let entry = |last_seq: u64| {
        AuditEntry::firm(
            &principal,
            "audit.exported",
            &format!("audit/{}-{last_seq}", after + 1),
            last_seq,
            &RequestMeta::of(&req),
        )
    };
    export(app, &Trail::Firm, after, entry).await
}

fn after(req: &Request) -> ApiResult<u64> {
    let after: u64 = match query_param(req, "after") {
        None => 0,
        Some(text) => text
            .parse::<u64>()
            .ok()
            .filter(|after| after.checked_add(1).is_some())
            .ok_or_else(|| ApiError::invalid("after", "must be an entry's position"))?,
    };
    Ok(after)
}

async fn export(
    app: &App,
    trail: &Trail,
    after: u64,
    exported: impl Fn(u64) -> AuditEntry,
) -> ApiResult<Response<Body>> {
    let mut lines = String::new();
    let mut count = 0;
    let mut last_seq = after;
    let mut cursor = (after > 0).then(|| cursor_for(&keys::audit_sk(after)));
    let more = loop {
        let page = trail
            .page(app, 200, cursor.as_deref(), &AuditFilter::default())
            .await?;
        for entry in page.items {
            last_seq = entry.seq;
            lines.push_str(
                &serde_json::to_string(&entry)
                    .map_err(|error| ApiError::internal("export", error))?,
            );
            lines.push('\n');
            count += 1;
        }
        match page.next_cursor {
            Some(next) if count < PART => cursor = Some(next),
            Some(_) => break true,
            None => break false,
        }
    };
    // The export itself is an audited read.
    trail.record(app, exported(last_seq)).await?;
    let mut response = Response::new(Body::Text(lines));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-ndjson"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"audit-trail.jsonl\""),
    );
    if more {
        if let Ok(value) = HeaderValue::from_str(&last_seq.to_string()) {
            headers.insert("x-next-after", value);
        }
    }
    Ok(response)
}
