//! `GET /api/intake/{assignment}` (a contact, any role) and
//! `GET /api/clients/{id}/intake/{assignment}` (staff): one assignment with the schema it
//! answers and the saved draft.

use crate::{assignment, AssignmentView};
use atrium_shared::access::scope_for;
use atrium_shared::http::ok;
use atrium_shared::principal::Principal;
use atrium_shared::{ApiResult, App};
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    let record = assignment(app, &scope, &req).await?;
    ok(&AssignmentView::new(record, &principal))
}
