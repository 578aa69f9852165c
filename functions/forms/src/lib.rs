//! Intake forms. Staff define forms without code: a schema of typed fields with labels, help,
//! a required flag and constraints, published in versions that never change. Assigning a form
//! to a client copies the published schema into the client's partition; contacts save drafts
//! and submit; the server checks a submission against the exact version it answers and names
//! every failing field. Each submission is a revision kept for good; staff can reopen a form
//! for corrections, and the corrected submission is the next revision.

use crate::data::Intakes;
use atrium_projects::data::Projects;
use atrium_shared::handler;
use atrium_shared::operation::prelude::*;

pub mod answers;
pub mod data;
pub mod forms_assignments;
pub mod forms_create;
pub mod forms_get;
pub mod forms_list;
pub mod forms_publish;
pub mod intake_assign;
pub mod intake_draft;
pub mod intake_export;
pub mod intake_get;
pub mod intake_list;
pub mod intake_reopen;
pub mod intake_submissions;
pub mod intake_submit;
pub mod schema;

use crate::data::{
    Answers, FormField, FormRecord, FormVersionRecord, IntakeRecord, IntakeStatus,
    SubmissionRecord, Submitter,
};
use atrium_projects::data::ProjectRecord;
use atrium_shared::http::path_param;
use atrium_shared::ids::is_id;
use atrium_shared::mail::{escape_html, notice};
use atrium_shared::principal::{Principal, TenantScope};
use atrium_shared::store::records::UserStatus;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::Request;
use serde::Serialize;

/// An id from the path; anything that is not an id we made is simply not found.
pub fn id_param(req: &Request, name: &str) -> ApiResult<String> {
    let id = path_param(req, name)?;
    if is_id(&id) {
        Ok(id)
    } else {
        Err(ApiError::not_found())
    }
}

/// The assignment named in the path, of the scope's tenant.
pub async fn assignment(app: &App, scope: &TenantScope, req: &Request) -> ApiResult<IntakeRecord> {
    let id = id_param(req, "assignment")?;
    Intakes::of(app.store.tenant(scope))
        .get(&id)
        .await?
        .ok_or_else(ApiError::not_found)
}

pub fn invalid(problems: schema::Problems) -> ApiError {
    ApiError::invalid_fields(problems)
}

/// Answers as JSON must stay within [`answers::MAX_ANSWERS_BYTES`].
pub fn check_size(answers: &Answers) -> ApiResult<()> {
    let size = serde_json::to_vec(answers)
        .map(|bytes| bytes.len())
        .unwrap_or(usize::MAX);
    if size > answers::MAX_ANSWERS_BYTES {
        return Err(ApiError::too_large(format!(
            "answers: must be at most {} bytes as JSON",
            answers::MAX_ANSWERS_BYTES
        )));
    }
    Ok(())
}

pub const CHANGED: &str = "the form changed meanwhile; reload it and try again";

/// The version the caller read must be the current one.
pub fn require_version(record_version: u64, given: u64) -> ApiResult<()> {
    if record_version == given {
        Ok(())
    } else {
        Err(ApiError::conflict(format!(
            "version: {CHANGED} (it is at version {record_version})"
        )))
    }
}

// ---------------------------------------------------------------- views

/// A form and one of its published versions.
#[derive(Debug, Serialize)]
pub struct FormView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub latest_version: u32,
    /// The published version shown here.
    pub form_version: u32,
    pub fields: Vec<FormField>,
    pub published_at: String,
    pub published_by: String,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    /// For optimistic concurrency when publishing the next version.
    pub version: u64,
}

impl FormView {
    pub fn new(form: FormRecord, published: FormVersionRecord) -> Self {
        Self {
            id: form.id,
            name: form.name,
            description: form.description,
            latest_version: form.latest_version,
            form_version: published.number,
            fields: published.fields,
            published_at: published.published_at,
            published_by: published.published_by,
            created_by: form.created_by,
            created_at: form.created_at,
            updated_at: form.updated_at,
            version: form.version,
        }
    }
}

/// An assignment in a list: no schema, no answers.
#[derive(Debug, Serialize)]
pub struct AssignmentSummary {
    pub id: String,
    pub client_id: String,
    pub client_name: String,
    pub form_id: String,
    pub form_name: String,
    pub form_version: u32,
    pub status: IntakeStatus,
    pub due_date: Option<String>,
    pub project_id: Option<String>,
    pub latest_revision: u32,
    pub draft_saved_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: u64,
}

impl From<&IntakeRecord> for AssignmentSummary {
    fn from(record: &IntakeRecord) -> Self {
        Self {
            id: record.id.clone(),
            client_id: record.tenant_id.clone(),
            client_name: record.client_name.clone(),
            form_id: record.form_id.clone(),
            form_name: record.form_name.clone(),
            form_version: record.form_version,
            status: record.status,
            due_date: record.due_date.clone(),
            project_id: record.project_id.clone(),
            latest_revision: record.latest_revision,
            draft_saved_at: record.draft_saved_at.clone(),
            created_at: record.created_at.clone(),
            updated_at: record.updated_at.clone(),
            version: record.version,
        }
    }
}

/// One assignment in full: the schema it answers and the saved draft.
#[derive(Debug, Serialize)]
pub struct AssignmentView {
    #[serde(flatten)]
    pub summary: AssignmentSummary,
    pub form_description: String,
    pub fields: Vec<FormField>,
    pub draft: Answers,
    pub draft_saved_by: Option<String>,
    pub milestone_id: Option<String>,
    pub task_id: Option<String>,
    pub reopen_reason: Option<String>,
    pub reopened_at: Option<String>,
    /// The staff member told of submissions; only staff see who it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_email: Option<String>,
}

impl AssignmentView {
    pub fn new(record: IntakeRecord, principal: &Principal) -> Self {
        Self {
            summary: AssignmentSummary::from(&record),
            owner_email: principal.is_staff().then(|| record.owner_email.clone()),
            form_description: record.form_description,
            fields: record.fields,
            draft: record.draft,
            draft_saved_by: record.draft_saved_by,
            milestone_id: record.milestone_id,
            task_id: record.task_id,
            reopen_reason: record.reopen_reason,
            reopened_at: record.reopened_at,
        }
    }
}

/// One submitted revision.
#[derive(Debug, Serialize)]
pub struct SubmissionView {
    pub assignment_id: String,
    pub client_id: String,
    pub revision: u32,
    pub form_id: String,
    pub form_name: String,
    pub form_version: u32,
    pub answers: Answers,
    pub submitted_by: Submitter,
    pub submitted_at: String,
}

impl From<SubmissionRecord> for SubmissionView {
    fn from(record: SubmissionRecord) -> Self {
        Self {
            assignment_id: record.assignment_id,
            client_id: record.tenant_id,
            revision: record.revision,
            form_id: record.form_id,
            form_name: record.form_name,
            form_version: record.form_version,
            answers: record.answers,
            submitted_by: record.submitted_by,
            submitted_at: record.submitted_at,
        }
    }
}

// ---------------------------------------------------------------- project tasks

/// Ticks (or unticks) the assignment's project task; `None` when there is nothing to change
/// (no task, the project or the task gone, or already in that state). Answers the changed
/// project and the version it was read at.
pub async fn project_with_task(
    app: &App,
    scope: &TenantScope,
    record: &IntakeRecord,
    done: bool,
    actor: &str,
    now: &str,
) -> ApiResult<Option<(ProjectRecord, u64)>> {
    let (Some(project_id), Some(task_id)) = (&record.project_id, &record.task_id) else {
        return Ok(None);
    };
    let Some(mut project) = Projects::of(app.store.tenant(scope))
        .get(project_id)
        .await?
    else {
        return Ok(None);
    };
    let Some(task) = project.tasks.iter_mut().find(|task| &task.id == task_id) else {
        return Ok(None);
    };
    if task.done == done {
        return Ok(None);
    }
    task.done = done;
    task.done_by = done.then(|| actor.to_string());
    task.done_at = done.then(|| now.to_string());
    let read_version = project.version;
    project.version += 1;
    project.updated_at = now.to_string();
    Ok(Some((project, read_version)))
}

// ---------------------------------------------------------------- mail

/// One notice to each active contact of the client. A mail that fails is logged: the change
/// stands.
pub async fn tell_contacts(
    app: &App,
    scope: &TenantScope,
    subject: &str,
    heading: &str,
    line: &str,
    record: &IntakeRecord,
) {
    let Ok(contacts) = app.store.contacts(scope).await else {
        return;
    };
    let link = format!(
        "{}/intake/{}",
        app.config.portal_origin.trim_end_matches('/'),
        record.id
    );
    let mut paragraphs = vec![escape_html(line)];
    let mut text = line.to_string();
    if let Some(due) = &record.due_date {
        paragraphs.push(format!("Please complete it by {}.", escape_html(due)));
        text.push_str(&format!("\nPlease complete it by {due}."));
    }
    let mail = notice(
        &app.branding().await,
        subject,
        heading,
        &paragraphs,
        &text,
        ("Open the form", &link),
    );
    for contact in contacts
        .iter()
        .filter(|contact| contact.status == UserStatus::Active)
    {
        if let Err(error) = app.mailer.send(&contact.email, &mail).await {
            tracing::warn!(?error, "intake notice not sent");
        }
    }
}

/// This capability's operations: routes, who may call them, the AWS access each needs
/// (docs/architecture.md, "Adding an operation").
pub const OPERATIONS: &[Operation] = &[
    Operation::http("forms-create", handler!(forms_create::handle))
        .describe("Creates an intake form and publishes its first version.")
        .routes(&[Route::new(Post, "/api/forms", FIRM)])
        .grants(&[table(&["dynamodb:PutItem"]).firm_keys_only()]),
    Operation::http("forms-list", handler!(forms_list::handle))
        .describe("Lists the firm's intake forms.")
        .routes(&[Route::new(Get, "/api/forms", FIRM)])
        .grants(&[table(&["dynamodb:Query"]).firm_keys_only()]),
    Operation::http("forms-get", handler!(forms_get::handle))
        .describe("One intake form and the schema of one of its versions.")
        .routes(&[Route::new(Get, "/api/forms/{form}", FIRM)])
        .grants(&[FIRM_READ]),
    Operation::http("forms-publish", handler!(forms_publish::handle))
        .describe("Publishes the next version of an intake form.")
        .routes(&[Route::new(Post, "/api/forms/{form}/versions", FIRM)])
        .grants(&[table(&["dynamodb:GetItem", "dynamodb:PutItem"]).firm_keys_only()]),
    Operation::http("forms-assignments", handler!(forms_assignments::handle))
        .describe("Where an intake form is assigned, across every client.")
        .routes(&[Route::new(Get, "/api/forms/{form}/assignments", FIRM)])
        .grants(&[
            FIRM_READ,
            Grant::new(&["dynamodb:Query"], &[Resource::TableIndex("GSI2")]),
        ]),
    Operation::http("intake-assign", handler!(intake_assign::handle))
        .describe("Assigns an intake form to a client (optionally as a project task).")
        .routes(&[Route::new(Post, "/api/clients/{id}/intake", FIRM)])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE_QUERY, SEND_MAIL]),
    Operation::http("intake-list", handler!(intake_list::handle))
        .describe("Lists a client's assigned intake forms.")
        .routes(&[
            Route::new(Get, "/api/intake", CONTACTS),
            Route::new(Get, "/api/clients/{id}/intake", FIRM),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_READ_QUERY]),
    Operation::http("intake-get", handler!(intake_get::handle))
        .describe("One assigned intake form with its schema and draft.")
        .routes(&[
            Route::new(Get, "/api/intake/{assignment}", CONTACTS),
            Route::new(Get, "/api/clients/{id}/intake/{assignment}", FIRM),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_READ]),
    Operation::http("intake-draft", handler!(intake_draft::handle))
        .describe("Saves a draft of an intake form's answers.")
        .routes(&[
            Route::new(Put, "/api/intake/{assignment}/draft", ACTORS),
            Route::new(Put, "/api/clients/{id}/intake/{assignment}/draft", FIRM),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE]),
    Operation::http("intake-submit", handler!(intake_submit::handle))
        .describe("Submits an intake form, checked against the version it answers.")
        .routes(&[
            Route::new(Post, "/api/intake/{assignment}/submit", ACTORS),
            Route::new(Post, "/api/clients/{id}/intake/{assignment}/submit", FIRM),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE, SEND_MAIL]),
    Operation::http("intake-reopen", handler!(intake_reopen::handle))
        .describe("Reopens a submitted intake form for corrections.")
        .routes(&[Route::new(
            Post,
            "/api/clients/{id}/intake/{assignment}/reopen",
            FIRM,
        )])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE_QUERY, SEND_MAIL]),
    Operation::http("intake-submissions", handler!(intake_submissions::handle))
        .describe("Every submitted revision of an intake form (audited).")
        .routes(&[
            Route::new(Get, "/api/intake/{assignment}/submissions", CONTACTS),
            Route::new(
                Get,
                "/api/clients/{id}/intake/{assignment}/submissions",
                FIRM,
            ),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE_QUERY]),
    Operation::http("intake-export", handler!(intake_export::handle))
        .describe("One submitted revision as a JSON file (audited).")
        .routes(&[
            Route::new(
                Get,
                "/api/intake/{assignment}/submissions/{revision}",
                CONTACTS,
            ),
            Route::new(
                Get,
                "/api/clients/{id}/intake/{assignment}/submissions/{revision}",
                FIRM,
            ),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE]),
];
