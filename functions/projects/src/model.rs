//! Inputs, views and the rules of a project.

use crate::data::{
    Assignee, Milestone, MilestoneStatus, ProjectInternalRecord, ProjectRecord, ProjectStatus, Task,
};
use atrium_shared::dates::due_date;
use atrium_shared::ids::{is_id, new_id};
use atrium_shared::mail::{escape_html, notice};
use atrium_shared::principal::TenantScope;
use atrium_shared::validate::text;
use atrium_shared::{validate, ApiError, ApiResult, App};
use serde::{Deserialize, Serialize};

pub const MAX_MILESTONES: usize = 50;
pub const MAX_TASKS: usize = 100;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestoneInput {
    #[serde(default)]
    pub id: Option<String>,
    pub title: String,
    #[serde(default)]
    pub status: Option<MilestoneStatus>,
    #[serde(default)]
    pub estimated_date: Option<String>,
    #[serde(default)]
    pub actual_date: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    #[serde(default)]
    pub id: Option<String>,
    pub title: String,
    pub assignee: Assignee,
    #[serde(default)]
    pub due_date: Option<String>,
    #[serde(default)]
    pub done: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InternalInput {
    #[serde(default)]
    pub budget_minor: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
}

fn optional_date(field: &str, value: Option<&str>) -> ApiResult<Option<String>> {
    value
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(|value| due_date(field, value, true))
        .transpose()
}

fn kept_id(field: &str, id: Option<String>) -> ApiResult<String> {
    match id {
        Some(id) if is_id(&id) => Ok(id),
        Some(_) => Err(ApiError::invalid(
            field,
            "is not an id this project gave out",
        )),
        None => Ok(new_id()),
    }
}

pub fn milestones(inputs: Vec<MilestoneInput>) -> ApiResult<Vec<Milestone>> {
    if inputs.len() > MAX_MILESTONES {
        return Err(ApiError::invalid(
            "milestones",
            format!("at most {MAX_MILESTONES}"),
        ));
    }
    inputs
        .into_iter()
        .enumerate()
        .map(|(index, input)| {
            let field = |name: &str| format!("milestones[{index}].{name}");
            Ok(Milestone {
                id: kept_id(&field("id"), input.id)?,
                title: validate::name(&field("title"), &input.title, 200)?,
                status: input.status.unwrap_or(MilestoneStatus::Planned),
                estimated_date: optional_date(
                    &field("estimated_date"),
                    input.estimated_date.as_deref(),
                )?,
                actual_date: optional_date(&field("actual_date"), input.actual_date.as_deref())?,
            })
        })
        .collect()
}

/// Tasks from input; a task that keeps its id keeps its done state unless `done` is given.
pub fn tasks(inputs: Vec<TaskInput>, previous: &[Task]) -> ApiResult<Vec<Task>> {
    if inputs.len() > MAX_TASKS {
        return Err(ApiError::invalid("tasks", format!("at most {MAX_TASKS}")));
    }
    inputs
        .into_iter()
        .enumerate()
        .map(|(index, input)| {
            let field = |name: &str| format!("tasks[{index}].{name}");
            let id = kept_id(&field("id"), input.id)?;
            let before = previous.iter().find(|task| task.id == id);
            let done = input
                .done
                .unwrap_or_else(|| before.is_some_and(|task| task.done));
            Ok(Task {
                title: validate::name(&field("title"), &input.title, 200)?,
                assignee: input.assignee,
                due_date: optional_date(&field("due_date"), input.due_date.as_deref())?,
                done,
                done_by: if done {
                    before.and_then(|task| task.done_by.clone())
                } else {
                    None
                },
                done_at: if done {
                    before.and_then(|task| task.done_at.clone())
                } else {
                    None
                },
                id,
            })
        })
        .collect()
}

pub fn internal(
    project_id: &str,
    input: InternalInput,
    version: u64,
) -> ApiResult<ProjectInternalRecord> {
    if input.budget_minor.is_some_and(|budget| budget < 0) {
        return Err(ApiError::invalid(
            "internal.budget_minor",
            "must not be negative",
        ));
    }
    let currency = input
        .currency
        .map(|code| atrium_shared::currency::currency("internal.currency", &code))
        .transpose()?;
    Ok(ProjectInternalRecord {
        project_id: project_id.to_string(),
        budget_minor: input.budget_minor,
        currency,
        internal_notes: text(
            "internal.notes",
            input.notes.as_deref().unwrap_or_default(),
            10_000,
        )?,
        internal_owner: input
            .owner
            .map(|owner| owner.trim().to_string())
            .filter(|owner| !owner.is_empty()),
        version,
    })
}

/// The onboarding template: what every new client does first.
pub fn onboarding_tasks() -> Vec<Task> {
    [
        "Complete the intake questionnaire",
        "Upload your current documentation",
        "Review and sign the data agreement",
        "Schedule the kickoff call",
    ]
    .into_iter()
    .map(|title| Task {
        id: new_id(),
        title: title.to_string(),
        assignee: Assignee::Client,
        due_date: None,
        done: false,
        done_by: None,
        done_at: None,
    })
    .collect()
}

#[derive(Debug, Serialize)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    pub percent: u8,
}

/// A project as a client sees it. Built only from [`ProjectRecord`], which has no internal field.
#[derive(Debug, Serialize)]
pub struct ProjectView {
    pub id: String,
    pub client_id: String,
    pub name: String,
    pub description: String,
    pub status: ProjectStatus,
    pub milestones: Vec<Milestone>,
    pub tasks: Vec<Task>,
    pub progress: Progress,
    pub next_milestone: Option<Milestone>,
    pub created_at: String,
    pub updated_at: String,
    pub version: u64,
}

pub fn progress(record: &ProjectRecord) -> Progress {
    let total = record.tasks.len();
    let done = record.tasks.iter().filter(|task| task.done).count();
    let percent = (done * 100).checked_div(total).unwrap_or(0) as u8;
    Progress {
        done,
        total,
        percent,
    }
}

/// The first milestone not done, by estimated date (undated ones last, in their order).
pub fn next_milestone(record: &ProjectRecord) -> Option<Milestone> {
    let mut open: Vec<&Milestone> = record
        .milestones
        .iter()
        .filter(|milestone| milestone.status != MilestoneStatus::Done)
        .collect();
    open.sort_by_key(|milestone| {
        milestone
            .estimated_date
            .clone()
            .unwrap_or_else(|| "9999".to_string())
    });
    open.first().map(|milestone| (*milestone).clone())
}

impl From<ProjectRecord> for ProjectView {
    fn from(record: ProjectRecord) -> Self {
        Self {
            progress: progress(&record),
            next_milestone: next_milestone(&record),
            id: record.id,
            client_id: record.tenant_id,
            name: record.name,
            description: record.description,
            status: record.status,
            milestones: record.milestones,
            tasks: record.tasks,
            created_at: record.created_at,
            updated_at: record.updated_at,
            version: record.version,
        }
    }
}

/// A project as the firm sees it: the client's view plus the owner and the internal fields.
#[derive(Debug, Serialize)]
pub struct StaffProjectView {
    #[serde(flatten)]
    pub project: ProjectView,
    pub owner_email: String,
    pub internal: Option<ProjectInternalRecord>,
}

pub fn all_done(record: &ProjectRecord) -> bool {
    !record.tasks.is_empty() && record.tasks.iter().all(|task| task.done)
}

/// One mail to the project's owner when every task is done. It names the project only.
pub async fn tell_owner_done(app: &App, scope: &TenantScope, record: &ProjectRecord) {
    let client_name = match app.store.profile(scope).await {
        Ok(Some(profile)) => profile.name,
        _ => "A client".to_string(),
    };
    let link = format!(
        "{}/staff/clients/{}/projects/{}",
        app.config.portal_origin.trim_end_matches('/'),
        scope.tenant_id(),
        record.id
    );
    let mail = notice(
        &app.branding().await,
        &format!("Every task of \u{201c}{}\u{201d} is done", record.name),
        "All tasks are done",
        &[format!(
            "Every task of \u{201c}{}\u{201d} for {} is done.",
            escape_html(&record.name),
            escape_html(&client_name)
        )],
        &format!(
            "Every task of \"{}\" for {client_name} is done.",
            record.name
        ),
        ("Open the project", &link),
    );
    if let Err(error) = app.mailer.send(&record.owner_email, &mail).await {
        tracing::warn!(?error, "project completion notice not sent");
    }
}
