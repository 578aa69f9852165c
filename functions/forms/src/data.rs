//! Intake forms' data. Definitions are the firm's: `FORMS` / `FORM#<id>` (name, latest version) and
//! `FORMS` / `FORMV#<id>#<n>` (each published schema, never changed). Assigning a form to a
//! client copies the published schema into the tenant's partition (`T#<tenant>` /
//! `INTAKE#<id>`), so client routes never read a firm-level item and a later version never
//! changes what an assignment asks. Each submission is a revision of its own
//! (`T#<tenant>` / `INTAKESUB#<assignment>#<n>`), never overwritten.

use atrium_shared::store::{s, Page, Store, TenantStore, Write};
use atrium_shared::{keys, ApiResult};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Answers by field key, stored as they were sent (numbers, strings, booleans, lists).
pub type Answers = Map<String, Value>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    ShortText,
    LongText,
    Number,
    Date,
    Email,
    Phone,
    SingleChoice,
    MultipleChoice,
    Checkbox,
    /// A document of the client's, uploaded through the documents flow: the answer is its id.
    File,
}

impl FieldType {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::ShortText => "short_text",
            FieldType::LongText => "long_text",
            FieldType::Number => "number",
            FieldType::Date => "date",
            FieldType::Email => "email",
            FieldType::Phone => "phone",
            FieldType::SingleChoice => "single_choice",
            FieldType::MultipleChoice => "multiple_choice",
            FieldType::Checkbox => "checkbox",
            FieldType::File => "file",
        }
    }
}

/// One question of a form, as staff define it and as it is stored. Constraints apply only to
/// the types that take them (checked when a version is published).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormField {
    pub key: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(default)]
    pub required: bool,
    /// Text types (short and long text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Short text only: the whole answer must match (the `regex` crate's syntax).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub integer: bool,
    /// Dates (`YYYY-MM-DD`, inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_date: Option<String>,
    /// Single and multiple choice.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Multiple choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_selected: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_selected: Option<u32>,
}

/// `FORMS` / `FORM#<id>`: a form and the number of its newest published version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormRecord {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub latest_version: u32,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub version: u64,
}

/// `FORMS` / `FORMV#<id>#<n>`: one published schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormVersionRecord {
    pub form_id: String,
    pub number: u32,
    pub fields: Vec<FormField>,
    pub published_by: String,
    pub published_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntakeStatus {
    /// Waiting for the client; nothing saved yet.
    Assigned,
    /// The client saved answers but has not submitted.
    Draft,
    Submitted,
    /// The firm asked for corrections; the next submission is a new revision.
    Reopened,
}

impl IntakeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            IntakeStatus::Assigned => "assigned",
            IntakeStatus::Draft => "draft",
            IntakeStatus::Submitted => "submitted",
            IntakeStatus::Reopened => "reopened",
        }
    }
}

/// `T#<tenant>` / `INTAKE#<id>`: a form assigned to a client, with the schema of the version it
/// answers copied in, the working draft and where the submissions stand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntakeRecord {
    pub id: String,
    pub tenant_id: String,
    pub client_name: String,
    pub form_id: String,
    pub form_name: String,
    #[serde(default)]
    pub form_description: String,
    pub form_version: u32,
    pub fields: Vec<FormField>,
    pub status: IntakeStatus,
    #[serde(default)]
    pub due_date: Option<String>,
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub milestone_id: Option<String>,
    /// The project task "Complete <form>" made with the assignment; ticked on submit.
    #[serde(default)]
    pub task_id: Option<String>,
    /// The staff member who assigned the form, told by mail of every submission.
    pub owner_sub: String,
    pub owner_email: String,
    #[serde(default)]
    pub draft: Answers,
    #[serde(default)]
    pub draft_saved_at: Option<String>,
    #[serde(default)]
    pub draft_saved_by: Option<String>,
    /// The newest submitted revision (0 before the first submission).
    #[serde(default)]
    pub latest_revision: u32,
    #[serde(default)]
    pub reopen_reason: Option<String>,
    #[serde(default)]
    pub reopened_at: Option<String>,
    #[serde(default)]
    pub reopened_by: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: u64,
}

/// Who submitted a revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submitter {
    /// `client:<sub>` or `staff:<sub>`.
    pub actor: String,
    pub name: String,
    pub email: String,
}

/// `T#<tenant>` / `INTAKESUB#<assignment>#<n>`: one submission, kept as it was submitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionRecord {
    pub assignment_id: String,
    pub tenant_id: String,
    pub revision: u32,
    pub form_id: String,
    pub form_name: String,
    pub form_version: u32,
    pub answers: Answers,
    pub submitted_by: Submitter,
    pub submitted_at: String,
}

/// Form definitions are the firm's (not tenant data).
pub const FORMS_PK: &str = "FORMS";
pub const FORM_PREFIX: &str = "FORM#";

pub fn form_sk(id: &str) -> String {
    format!("{FORM_PREFIX}{id}")
}

pub fn form_version_sk(form_id: &str, number: u32) -> String {
    format!("FORMV#{form_id}#{number:06}")
}

/// A form assigned to a client, with its schema snapshot and the draft.
pub fn intake_sk(id: &str) -> String {
    format!("{INTAKE_PREFIX}{id}")
}
pub const INTAKE_PREFIX: &str = "INTAKE#";

pub fn intake_submission_sk(assignment_id: &str, revision: u32) -> String {
    format!("INTAKESUB#{assignment_id}#{revision:04}")
}

pub fn intake_submissions_prefix(assignment_id: &str) -> String {
    format!("INTAKESUB#{assignment_id}#")
}

/// GSI2: a form's assignments across every client.
pub fn intake_form_partition(form_id: &str) -> String {
    format!("INTAKE#{form_id}")
}

pub fn intake_form_sort_key(tenant_id: &str, assignment_id: &str) -> String {
    format!("{tenant_id}#{assignment_id}")
}

/// The firm's form definitions.
pub struct Forms<'a>(&'a Store);

impl<'a> Forms<'a> {
    pub fn of(store: &'a Store) -> Self {
        Self(store)
    }

    pub async fn get(&self, id: &str) -> ApiResult<Option<FormRecord>> {
        self.0.get_record(FORMS_PK, &form_sk(id)).await
    }

    /// The firm's forms, newest first.
    pub async fn page(&self, limit: i32, cursor: Option<&str>) -> ApiResult<Page<FormRecord>> {
        self.0
            .query_prefix(FORMS_PK, FORM_PREFIX, limit, cursor, false)
            .await
    }

    /// A new form (`read_version` none) or a form read at `read_version`.
    pub fn save(&self, record: &FormRecord, read_version: Option<u64>) -> ApiResult<Write> {
        self.0
            .firm_save(FORMS_PK, &form_sk(&record.id), record, read_version)
    }

    pub async fn version(
        &self,
        form_id: &str,
        number: u32,
    ) -> ApiResult<Option<FormVersionRecord>> {
        self.0
            .get_record(FORMS_PK, &form_version_sk(form_id, number))
            .await
    }

    /// A published version is written once.
    pub fn publish(&self, record: &FormVersionRecord) -> ApiResult<Write> {
        self.0.firm_save(
            FORMS_PK,
            &form_version_sk(&record.form_id, record.number),
            record,
            None,
        )
    }

    /// A form's assignments across every client (GSI2), by client.
    pub async fn assignments(
        &self,
        form_id: &str,
        limit: i32,
        cursor: Option<&str>,
    ) -> ApiResult<Page<IntakeRecord>> {
        self.0
            .query_index(
                "GSI2",
                keys::GSI2PK,
                keys::GSI2SK,
                &intake_form_partition(form_id),
                None,
                limit,
                cursor,
            )
            .await
    }
}

/// A tenant's assigned forms and their submissions.
pub struct Intakes<'a>(TenantStore<'a>);

impl<'a> Intakes<'a> {
    pub fn of(tenant: TenantStore<'a>) -> Self {
        Self(tenant)
    }

    pub async fn get(&self, id: &str) -> ApiResult<Option<IntakeRecord>> {
        self.0.get(&intake_sk(id)).await
    }

    /// The tenant's assignments, newest first.
    pub async fn all(&self) -> ApiResult<Vec<IntakeRecord>> {
        self.0.all(INTAKE_PREFIX, true).await
    }

    /// A new assignment (`read_version` none) or one read at `read_version`; in GSI2 under its
    /// form, so the firm lists a form's assignments across every client with one query.
    pub fn save(&self, record: &IntakeRecord, read_version: Option<u64>) -> ApiResult<Write> {
        self.0.save_indexed(
            &intake_sk(&record.id),
            record,
            read_version,
            &[
                (keys::GSI2PK, s(intake_form_partition(&record.form_id))),
                (
                    keys::GSI2SK,
                    s(intake_form_sort_key(self.0.scope().tenant_id(), &record.id)),
                ),
            ],
        )
    }

    pub async fn submission(
        &self,
        assignment_id: &str,
        revision: u32,
    ) -> ApiResult<Option<SubmissionRecord>> {
        self.0
            .get(&intake_submission_sk(assignment_id, revision))
            .await
    }

    /// Every revision of an assignment, oldest first.
    pub async fn submissions(&self, assignment_id: &str) -> ApiResult<Vec<SubmissionRecord>> {
        self.0
            .all(&intake_submissions_prefix(assignment_id), false)
            .await
    }

    /// A revision is written once.
    pub fn submit(&self, record: &SubmissionRecord) -> ApiResult<Write> {
        self.0.create(
            &intake_submission_sk(&record.assignment_id, record.revision),
            record,
        )
    }
}
