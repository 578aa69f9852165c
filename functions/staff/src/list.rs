//! `GET /api/staff` (firm admin): every member of the firm's staff, oldest first, with roles,
//! status (`invited`, `active`, `disabled`) and whether they use an authenticator. Admins only:
//! the list carries everyone's address and sign-in state, which staff work does not need.

use crate::StaffView;
use atrium_shared::http::ok;
use atrium_shared::principal::Principal;
use atrium_shared::{ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff_admin()?;
    let mut staff: Vec<StaffView> = app
        .store
        .staff_users()
        .await?
        .into_iter()
        .map(StaffView::from)
        .collect();
    staff.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.sub.cmp(&b.sub)));
    ok(&json!({ "staff": staff }))
}
