//! `GET /api/staff/directory` (any member of staff): who at the firm can be named in work,
//! for instance as a countersigner of a signature request. Active members only, with the
//! name and address a signer list shows, and none of the sign-in state the admins' list
//! (`GET /api/staff`) carries.

use atrium_shared::http::ok;
use atrium_shared::principal::Principal;
use atrium_shared::store::records::UserStatus;
use atrium_shared::{ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use serde_json::json;

/// A colleague as the directory shows them.
#[derive(Debug, Serialize)]
pub struct Colleague {
    pub sub: String,
    pub name: String,
    pub email: String,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    Principal::from_request(&req)?.require_staff()?;
    let mut staff: Vec<Colleague> = app
        .store
        .staff_users()
        .await?
        .into_iter()
        .filter(|user| user.status == UserStatus::Active)
        .map(|user| Colleague {
            sub: user.sub,
            name: user.name,
            email: user.email,
        })
        .collect();
    staff.sort_by(|a, b| a.name.cmp(&b.name).then(a.sub.cmp(&b.sub)));
    ok(&json!({ "staff": staff }))
}
