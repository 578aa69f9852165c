//! The projects' data: their records and keys, read and written through the tenant's part of
//! the table (`T#<tenant>` / `PROJ#<id>`, and the firm-only `INTERNAL#PROJ#<id>`).

use atrium_shared::store::{TenantStore, Write};
use atrium_shared::ApiResult;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    Active,
    OnHold,
    Completed,
    Archived,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneStatus {
    Planned,
    InProgress,
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub id: String,
    pub title: String,
    pub status: MilestoneStatus,
    #[serde(default)]
    pub estimated_date: Option<String>,
    #[serde(default)]
    pub actual_date: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assignee {
    Client,
    Firm,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: String,
    pub title: String,
    pub assignee: Assignee,
    #[serde(default)]
    pub due_date: Option<String>,
    pub done: bool,
    #[serde(default)]
    pub done_by: Option<String>,
    #[serde(default)]
    pub done_at: Option<String>,
}

/// `T#<tenant>` / `PROJ#<id>`: what the client sees of a project (milestones and tasks inside,
/// so the dashboard reads every project with one query).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectRecord {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub description: String,
    pub status: ProjectStatus,
    pub milestones: Vec<Milestone>,
    pub tasks: Vec<Task>,
    pub owner_sub: String,
    pub owner_email: String,
    /// The owner was told every task is done (once).
    #[serde(default)]
    pub completion_notified: bool,
    pub created_at: String,
    pub updated_at: String,
    pub version: u64,
}

/// `T#<tenant>` / `INTERNAL#PROJ#<id>`: the firm's own fields of a project. A separate item
/// type, under a prefix no client route queries, so no client response can contain it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectInternalRecord {
    pub project_id: String,
    /// In minor units (cents), never a float.
    #[serde(default)]
    pub budget_minor: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub internal_notes: String,
    #[serde(default)]
    pub internal_owner: Option<String>,
    pub version: u64,
}

pub const PROJECT_PREFIX: &str = "PROJ#";

pub fn project_sk(id: &str) -> String {
    format!("{PROJECT_PREFIX}{id}")
}

/// Firm-only items start with `INTERNAL#`; no client route ever reads under this prefix.
pub fn project_internal_sk(id: &str) -> String {
    format!("INTERNAL#PROJ#{id}")
}

/// A tenant's projects, and the firm's own fields on them.
pub struct Projects<'a>(TenantStore<'a>);

impl<'a> Projects<'a> {
    pub fn of(tenant: TenantStore<'a>) -> Self {
        Self(tenant)
    }

    pub async fn get(&self, id: &str) -> ApiResult<Option<ProjectRecord>> {
        self.0.get(&project_sk(id)).await
    }

    /// Every project of the tenant (a firm runs a handful per client), newest first.
    pub async fn all(&self) -> ApiResult<Vec<ProjectRecord>> {
        self.0.all(PROJECT_PREFIX, true).await
    }

    /// A new project (`read_version` none) or a project read at `read_version`.
    pub fn save(&self, record: &ProjectRecord, read_version: Option<u64>) -> ApiResult<Write> {
        match read_version {
            None => self.0.create(&project_sk(&record.id), record),
            Some(read) => self.0.replace(&project_sk(&record.id), record, read),
        }
    }

    /// The firm's own fields (only the firm's routes call these).
    pub async fn internal(&self, id: &str) -> ApiResult<Option<ProjectInternalRecord>> {
        self.0.get(&project_internal_sk(id)).await
    }

    pub fn save_internal(&self, record: &ProjectInternalRecord) -> ApiResult<Write> {
        self.0
            .put(&project_internal_sk(&record.project_id), record, None, &[])
    }
}
