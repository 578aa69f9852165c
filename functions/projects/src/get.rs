//! `GET /api/projects/{project}` (a contact: the client's view) and
//! `GET /api/clients/{id}/projects/{project}` (staff: with the internal fields).

use crate::data::ProjectStatus;
use crate::data::Projects;
use crate::model::{ProjectView, StaffProjectView};
use atrium_shared::access::scope_for;
use atrium_shared::http::{ok, path_id};
use atrium_shared::principal::Principal;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    let project_id = path_id(&req, "project")?;
    let record = Projects::of(app.store.tenant(&scope))
        .get(&project_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if !principal.is_staff() {
        if record.status == ProjectStatus::Archived {
            return Err(ApiError::not_found());
        }
        return ok(&ProjectView::from(record));
    }
    let internal = Projects::of(app.store.tenant(&scope))
        .internal(&project_id)
        .await?;
    ok(&StaffProjectView {
        owner_email: record.owner_email.clone(),
        project: record.into(),
        internal,
    })
}
