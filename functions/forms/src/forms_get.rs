//! `GET /api/forms/{form}` (staff), `?version=n` for an earlier version (default the latest):
//! the form and that version's schema.

use crate::data::Forms;
use crate::{id_param, FormView};
use atrium_shared::http::{ok, query_param};
use atrium_shared::principal::Principal;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff()?;
    let form_id = id_param(&req, "form")?;
    let form = Forms::of(&app.store)
        .get(&form_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let number = match query_param(&req, "version") {
        None => form.latest_version,
        Some(text) => match text.parse::<u32>() {
            Ok(number) if (1..=form.latest_version).contains(&number) => number,
            _ => {
                return Err(ApiError::invalid(
                    "version",
                    format!("must be a published version, 1 to {}", form.latest_version),
                ))
            }
        },
    };
    let published = Forms::of(&app.store)
        .version(&form.id, number)
        .await?
        .ok_or_else(|| ApiError::internal("form version", &form.id))?;
    ok(&FormView::new(form, published))
}
