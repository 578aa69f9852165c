//! `POST /api/forms` `{name, description?, fields}` (staff): a new form, published as version 1.
//! Form definitions are the firm's, not a client's, so they have no tenant trail: each change
//! is logged (like staff account changes); what a client is asked is audited when it is
//! assigned.

use crate::data::Forms;
use crate::data::{FormField, FormRecord, FormVersionRecord};
use crate::schema::check_fields;
use crate::{invalid, FormView};
use atrium_shared::http::{created, parse_json};
use atrium_shared::ids::{new_id, now_rfc3339};
use atrium_shared::principal::Principal;
use atrium_shared::validate::text;
use atrium_shared::{validate, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    name: String,
    #[serde(default)]
    description: String,
    fields: Vec<FormField>,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff()?;
    let body: CreateBody = parse_json(&req)?;
    let name = validate::name("name", &body.name, 200)?;
    let description = text("description", &body.description, 4000)?;
    let fields = check_fields(body.fields).map_err(invalid)?;
    let now = now_rfc3339();
    let actor = principal.actor_label();
    let form = FormRecord {
        id: new_id(),
        name,
        description,
        latest_version: 1,
        created_by: actor.clone(),
        created_at: now.clone(),
        updated_at: now.clone(),
        version: 1,
    };
    let published = FormVersionRecord {
        form_id: form.id.clone(),
        number: 1,
        fields,
        published_by: actor.clone(),
        published_at: now,
    };
    app.store
        .transact(
            vec![
                Forms::of(&app.store).save(&form, None)?,
                Forms::of(&app.store).publish(&published)?,
            ],
            "form exists",
        )
        .await?;
    tracing::info!(actor = %actor, form = %form.id, version = 1, "form.created");
    created(&FormView::new(form, published))
}
