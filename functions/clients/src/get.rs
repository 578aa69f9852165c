//! `GET /api/clients/{id}`: one client of the firm, as the clients list shows it (firm staff).
//! A client that does not exist is 404, like any record that is not the caller's to see.

use crate::list::ClientSummary;
use atrium_shared::http::{ok, path_param};
use atrium_shared::principal::Principal;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    Principal::from_request(&req)?.require_staff()?;
    let tenant_id = path_param(&req, "id")?;
    let client = app
        .store
        .client_record(&tenant_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    ok(&ClientSummary::from(client))
}
