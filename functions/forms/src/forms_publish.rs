//! `POST /api/forms/{form}/versions` `{fields, version}` (staff): publishes the next version of
//! a form. `version` is the form's version the caller read (409 when it moved). Earlier
//! versions, and every assignment and submission made on them, stay exactly as they were.

use crate::data::Forms;
use crate::data::{FormField, FormVersionRecord};
use crate::schema::check_fields;
use crate::{id_param, invalid, require_version, FormView, CHANGED};
use atrium_shared::http::{created, parse_json};
use atrium_shared::ids::now_rfc3339;
use atrium_shared::principal::Principal;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PublishBody {
    fields: Vec<FormField>,
    version: u64,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff()?;
    let form_id = id_param(&req, "form")?;
    let mut form = Forms::of(&app.store)
        .get(&form_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let body: PublishBody = parse_json(&req)?;
    let fields = check_fields(body.fields).map_err(invalid)?;
    require_version(form.version, body.version)?;
    let now = now_rfc3339();
    let actor = principal.actor_label();
    let read_version = form.version;
    form.latest_version += 1;
    form.version += 1;
    form.updated_at = now.clone();
    let published = FormVersionRecord {
        form_id: form.id.clone(),
        number: form.latest_version,
        fields,
        published_by: actor.clone(),
        published_at: now,
    };
    app.store
        .transact(
            vec![
                Forms::of(&app.store).save(&form, Some(read_version))?,
                Forms::of(&app.store).publish(&published)?,
            ],
            CHANGED,
        )
        .await?;
    tracing::info!(actor = %actor, form = %form.id, version = form.latest_version, "form.published");
    created(&FormView::new(form, published))
}
