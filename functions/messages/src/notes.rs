//! `GET` and `POST /api/clients/{id}/threads/{thread}/notes`: the firm's internal notes on a
//! record. Staff only; nothing is mailed.

use crate::data::Threads;
use atrium_shared::access::scope_for;
use atrium_shared::http::{created, ok, parse_json, query_param, RequestMeta};
use atrium_shared::principal::Principal;
use atrium_shared::store::page_limit;
use atrium_shared::{ApiResult, App};
use http::Method;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteBody {
    body: String,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff()?;
    let scope = scope_for(app, &principal, &req).await?;
    let thread = crate::thread(app, &scope, &req, &principal).await?;
    if req.method() == Method::GET {
        let limit = page_limit(query_param(&req, "limit"), 50, 200)?;
        let page = Threads::of(app.store.tenant(&scope))
            .notes(&thread, limit, query_param(&req, "cursor").as_deref())
            .await?;
        return ok(
            &json!({ "thread": thread, "notes": page.items, "next_cursor": page.next_cursor }),
        );
    }
    let body: NoteBody = parse_json(&req)?;
    let (record, entry) = crate::compose(
        app,
        &scope,
        &principal,
        &thread,
        &body.body,
        "note.posted",
        &RequestMeta::of(&req),
    )
    .await?;
    app.store
        .transact_audited(
            vec![Threads::of(app.store.tenant(&scope)).note(&record)?],
            &scope,
            vec![entry],
            "note exists",
        )
        .await?;
    created(&record)
}
