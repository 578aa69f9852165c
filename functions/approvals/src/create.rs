//! `POST /api/clients/{id}/approvals` `{title, subject, signature?, terms?}`: the firm asks for
//! an approval. `subject` is `{kind: "document_version", document_id, version}`,
//! `{kind: "milestone", project_id, milestone_id}` or `{kind: "statement", text}`. A signature
//! needs terms, shown to the client before they sign.

use crate::data::Approvals;
use crate::data::{ApprovalRecord, ApprovalStatus, ApprovalSubject};
use atrium_documents::data::Documents;
use atrium_documents::data::VersionStatus;
use atrium_projects::data::Projects;
use atrium_shared::access::scope_for;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{created, parse_json, RequestMeta};
use atrium_shared::ids::{new_id, now_rfc3339};
use atrium_shared::principal::Principal;
use atrium_shared::validate::text;
use atrium_shared::{validate, ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "snake_case")]
enum SubjectInput {
    DocumentVersion {
        document_id: String,
        version: u32,
    },
    Milestone {
        project_id: String,
        milestone_id: String,
    },
    Statement {
        text: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    title: String,
    subject: SubjectInput,
    #[serde(default)]
    signature: bool,
    #[serde(default)]
    terms: Option<String>,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    principal.require_staff()?;
    let scope = scope_for(app, &principal, &req).await?;
    let body: CreateBody = parse_json(&req)?;
    let title = validate::name("title", &body.title, 200)?;
    let subject = match body.subject {
        SubjectInput::DocumentVersion {
            document_id,
            version,
        } => {
            let found = Documents::of(app.store.tenant(&scope))
                .version(&document_id, version)
                .await?
                .filter(|found| found.status == VersionStatus::Confirmed)
                .ok_or_else(|| {
                    ApiError::invalid(
                        "subject.version",
                        "is not a confirmed version of that document",
                    )
                })?;
            // Nobody is asked to approve a file the malware scan has not cleared.
            found
                .servable()
                .map_err(|reason| ApiError::conflict(format!("subject.version: {reason}")))?;
            ApprovalSubject::DocumentVersion {
                document_id,
                number: version,
                file_name: found.file_name,
                sha256: found.sha256,
            }
        }
        SubjectInput::Milestone {
            project_id,
            milestone_id,
        } => {
            let project = Projects::of(app.store.tenant(&scope))
                .get(&project_id)
                .await?
                .ok_or_else(|| {
                    ApiError::invalid("subject.project_id", "is not a project of this client")
                })?;
            let milestone = project
                .milestones
                .iter()
                .find(|milestone| milestone.id == milestone_id)
                .ok_or_else(|| {
                    ApiError::invalid("subject.milestone_id", "is not a milestone of that project")
                })?;
            ApprovalSubject::Milestone {
                title: milestone.title.clone(),
                project_id,
                milestone_id,
            }
        }
        SubjectInput::Statement { text: statement } => {
            let statement = text("subject.text", &statement, 4000)?;
            if statement.is_empty() {
                return Err(ApiError::invalid("subject.text", "must not be empty"));
            }
            ApprovalSubject::Statement { text: statement }
        }
    };
    let terms = match (body.signature, body.terms) {
        (true, Some(terms)) if !terms.trim().is_empty() => Some(text("terms", &terms, 20_000)?),
        (true, _) => {
            return Err(ApiError::invalid(
                "terms",
                "a signature needs the terms the client agrees to",
            ))
        }
        (false, terms) => terms
            .map(|terms| text("terms", &terms, 20_000))
            .transpose()?,
    };
    let requester = app
        .store
        .staff_user(&principal.sub)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let now = now_rfc3339();
    let record = ApprovalRecord {
        id: new_id(),
        tenant_id: scope.tenant_id().to_string(),
        title,
        subject,
        signature_required: body.signature,
        terms,
        status: ApprovalStatus::Pending,
        decision: None,
        signature: None,
        requested_by_email: requester.email,
        created_at: now.clone(),
        updated_at: now,
        version: 1,
    };
    let entry = AuditEntry::by(
        &scope,
        &principal,
        "approval.requested",
        &format!("approval/{}", record.id),
        1,
        &RequestMeta::of(&req),
    );
    app.store
        .transact_audited(
            vec![Approvals::of(app.store.tenant(&scope)).create(&record)?],
            &scope,
            vec![entry],
            "approval exists",
        )
        .await?;
    created(&record)
}
