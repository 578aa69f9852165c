//! `GET /api/projects` (a contact) and `GET /api/clients/{id}/projects` (staff): projects with
//! progress and the next milestone. Archived projects are left out for clients.

use crate::data::ProjectStatus;
use crate::data::Projects;
use crate::model::ProjectView;
use atrium_shared::access::scope_for;
use atrium_shared::http::ok;
use atrium_shared::principal::Principal;
use atrium_shared::{ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    let projects: Vec<ProjectView> = Projects::of(app.store.tenant(&scope))
        .all()
        .await?
        .into_iter()
        .filter(|project| principal.is_staff() || project.status != ProjectStatus::Archived)
        .map(ProjectView::from)
        .collect();
    ok(&json!({ "projects": projects }))
}
