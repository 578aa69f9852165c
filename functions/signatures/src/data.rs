//! The signature requests' data, in the tenant's part of the table:
//! `T#<tenant>` / `SIGREQ#<id>` (the request: signers, fields, progress, the ceremony's steps),
//! `SIGFILL#<request>#<signer>` (what one signer filled in: the signature and initials images
//! and the text fields, kept apart because drawn images would crowd the request's 400 KB item),
//! and `SIGCODE#<request>#<signer>` (the step-up code a signer was mailed, as a salted hash).
//! A request in progress or being sealed is also in the firm's `SIGNING` index (GSI1), sorted
//! by the day its signers are next reminded, for the daily reminders.

use atrium_shared::keys;
use atrium_shared::principal::TenantScope;
use atrium_shared::store::{n, s, AttributeValue, Page, SortRange, Store, TenantStore, Write};
use atrium_shared::types::Sha256;
use atrium_shared::ApiResult;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Waiting for its signers, group by group.
    InProgress,
    /// Everyone signed; the signed PDF is being made (a retry finishes it).
    Sealing,
    Completed,
    /// A signer declined, with a reason; nobody else is asked.
    Declined,
    Cancelled,
}

impl RequestStatus {
    pub fn is_open(self) -> bool {
        matches!(self, RequestStatus::InProgress)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignerKind {
    /// A contact of the client.
    Contact,
    /// A member of the firm, countersigning.
    Staff,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignerState {
    /// A later group: not asked yet.
    Waiting,
    /// Their turn: mailed, may sign or decline.
    Signing,
    Signed,
    Declined,
}

/// How a signature was given: the evidence the certificate page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub typed_name: String,
    pub at: String,
    pub ip: String,
    pub user_agent: String,
    pub consent_version: String,
    pub consent_text: String,
    /// When the signer confirmed the code mailed to them (the step-up).
    pub code_confirmed_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signer {
    /// Stable for the request's life, also when the person is replaced.
    pub id: String,
    pub kind: SignerKind,
    pub sub: String,
    pub email: String,
    pub name: String,
    /// Signing order: every signer of group 1, then of group 2, … (one group = in parallel).
    pub group: u32,
    pub state: SignerState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asked_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminded_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed: Option<Evidence>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Signature,
    Initials,
    /// Filled with the day the signer signs.
    Date,
    Text,
}

/// A field placed on a page for one signer. Position and size are fractions of the page from
/// its top-left corner, as the browser places them over the rendered page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub id: String,
    pub signer: String,
    pub kind: FieldKind,
    pub page: u32,
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub required: bool,
}

/// One step of the ceremony, for the certificate page and the staff's view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub at: String,
    pub what: String,
    pub by: String,
}

/// Why a request ended without every signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ending {
    pub by: String,
    pub reason: String,
    pub at: String,
}

/// `T#<tenant>` / `SIGREQ#<id>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignatureRequest {
    pub id: String,
    pub tenant_id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub document_id: String,
    /// The original version; it never changes.
    pub document_version: u32,
    pub file_name: String,
    pub sha256: Sha256,
    pub pages: u32,
    /// Each page's width and height in PDF points, for placing the fields when sealing.
    pub page_sizes: Vec<[f32; 2]>,
    pub signers: Vec<Signer>,
    pub fields: Vec<Field>,
    pub status: RequestStatus,
    /// Days between reminders to whoever's turn it is (0: none).
    pub reminder_days: u32,
    /// The next day (`YYYY-MM-DD`) the reminders look at this request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_reminder: Option<String>,
    pub requested_by_sub: String,
    pub requested_by_email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<Ending>,
    /// The version number the signed PDF gets, reserved when the last signer signs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_version: Option<u32>,
    /// SHA-256 (hex) of the sealed PDF.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_sha256_hex: Option<String>,
    pub steps: Vec<Step>,
    pub created_at: String,
    pub updated_at: String,
    pub version: u64,
}

impl SignatureRequest {
    pub fn signer(&self, id: &str) -> Option<&Signer> {
        self.signers.iter().find(|signer| signer.id == id)
    }

    /// The signer this person is (a contact or a staff member, by their user id).
    pub fn signer_for(&self, kind: SignerKind, sub: &str) -> Option<&Signer> {
        self.signers
            .iter()
            .find(|signer| signer.kind == kind && signer.sub == sub)
    }

    /// The lowest group with someone who has not signed: whose turn it is.
    pub fn current_group(&self) -> Option<u32> {
        self.signers
            .iter()
            .filter(|signer| signer.state != SignerState::Signed)
            .map(|signer| signer.group)
            .min()
    }

    /// Moves the next group to its turn when everyone before it signed; answers the ids of the
    /// signers newly asked (to be mailed).
    pub fn advance(&mut self, now: &str) -> Vec<String> {
        let Some(group) = self.current_group() else {
            return Vec::new();
        };
        let mut asked = Vec::new();
        for signer in self
            .signers
            .iter_mut()
            .filter(|signer| signer.group == group && signer.state == SignerState::Waiting)
        {
            signer.state = SignerState::Signing;
            signer.asked_at = Some(now.to_string());
            asked.push(signer.id.clone());
        }
        asked
    }

    pub fn all_signed(&self) -> bool {
        self.signers
            .iter()
            .all(|signer| signer.state == SignerState::Signed)
    }

    pub fn step(&mut self, at: &str, what: impl Into<String>, by: &str) {
        self.steps.push(Step {
            at: at.to_string(),
            what: what.into(),
            by: by.to_string(),
        });
    }

    /// The fields of one signer.
    pub fn fields_of<'a>(&'a self, signer: &'a str) -> impl Iterator<Item = &'a Field> + 'a {
        self.fields
            .iter()
            .filter(move |field| field.signer == signer)
    }
}

/// `T#<tenant>` / `SIGFILL#<request>#<signer>`: what one signer filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filled {
    pub request_id: String,
    pub signer: String,
    /// PNG, base64.
    pub signature_png: String,
    /// PNG, base64 (when the signer has initials fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initials_png: Option<String>,
    /// Text fields by field id.
    #[serde(default)]
    pub texts: BTreeMap<String, String>,
    /// The day the signer signed (date fields), `YYYY-MM-DD`.
    pub date: String,
}

/// `T#<tenant>` / `SIGCODE#<request>#<signer>`: the step-up code mailed to a signer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepUpCode {
    pub salt: String,
    /// Hex SHA-256 of salt, request, signer and code.
    pub hash: String,
    pub sent_at: i64,
    pub expires_at: i64,
    pub attempts: u32,
}

pub const REQUEST_PREFIX: &str = "SIGREQ#";
/// The firm's index of requests someone still has to act on (GSI1).
pub const SIGNING_PARTITION: &str = "SIGNING";

pub fn request_sk(id: &str) -> String {
    format!("{REQUEST_PREFIX}{id}")
}

pub fn filled_sk(request: &str, signer: &str) -> String {
    format!("SIGFILL#{request}#{signer}")
}

pub fn code_sk(request: &str, signer: &str) -> String {
    format!("SIGCODE#{request}#{signer}")
}

/// A tenant's signature requests.
pub struct SignatureRequests<'a>(TenantStore<'a>);

impl<'a> SignatureRequests<'a> {
    pub fn of(tenant: TenantStore<'a>) -> Self {
        Self(tenant)
    }

    pub fn tenant(&self) -> &TenantStore<'a> {
        &self.0
    }

    pub async fn get(&self, id: &str) -> ApiResult<Option<SignatureRequest>> {
        self.0.get(&request_sk(id)).await
    }

    /// Every request of the tenant, newest first.
    pub async fn all(&self) -> ApiResult<Vec<SignatureRequest>> {
        self.0.all(REQUEST_PREFIX, true).await
    }

    /// Creates the request (`read_version` none) or replaces the one read at `read_version`.
    /// While someone still has to act it is in the `SIGNING` index under its next reminder
    /// day; a whole-item put drops it from the index once it ends.
    pub fn save(&self, record: &SignatureRequest, read_version: Option<u64>) -> ApiResult<Write> {
        let mut index: Vec<(&str, AttributeValue)> = Vec::new();
        let waiting = matches!(
            record.status,
            RequestStatus::InProgress | RequestStatus::Sealing
        );
        if let (true, Some(day)) = (waiting, &record.next_reminder) {
            index.push((keys::GSI1PK, s(SIGNING_PARTITION)));
            index.push((
                keys::GSI1SK,
                s(format!(
                    "{day}#{}#{}",
                    self.0.scope().tenant_id(),
                    record.id
                )),
            ));
        }
        self.0
            .save_indexed(&request_sk(&record.id), record, read_version, &index)
    }

    pub async fn filled(&self, request: &str, signer: &str) -> ApiResult<Option<Filled>> {
        self.0.get(&filled_sk(request, signer)).await
    }

    pub fn create_filled(&self, record: &Filled) -> ApiResult<Write> {
        self.0
            .create(&filled_sk(&record.request_id, &record.signer), record)
    }

    pub async fn code(&self, request: &str, signer: &str) -> ApiResult<Option<StepUpCode>> {
        self.0.get(&code_sk(request, signer)).await
    }

    /// A new code replaces the one before (its attempts start again).
    pub fn put_code(&self, request: &str, signer: &str, code: &StepUpCode) -> ApiResult<Write> {
        self.0.put(&code_sk(request, signer), code, None, &[])
    }

    /// Counts a wrong attempt, only on the code as read (a new code meanwhile is untouched).
    pub fn count_attempt(
        &self,
        request: &str,
        signer: &str,
        code: &StepUpCode,
    ) -> ApiResult<Write> {
        self.0
            .update(
                &code_sk(request, signer),
                "SET attempts = attempts + :one",
                Some("#hash = :hash AND attempts = :read"),
                &[
                    (":one", n(1)),
                    (":hash", s(&code.hash)),
                    (":read", n(code.attempts)),
                ],
            )
            .map(|write| write.with_names(&[("#hash", "hash")]))
    }

    /// Uses the code up: only the code as read, so it signs once.
    pub fn use_code(&self, request: &str, signer: &str, code: &StepUpCode) -> ApiResult<Write> {
        Ok(self
            .0
            .delete_with(
                &code_sk(request, signer),
                "#hash = :hash AND attempts = :read",
                &[(":hash", s(&code.hash)), (":read", n(code.attempts))],
            )?
            .with_names(&[("#hash", "hash")]))
    }

    /// Drops a signer's code (the signer was replaced).
    pub fn drop_code(&self, request: &str, signer: &str) -> ApiResult<Write> {
        self.0.delete(&code_sk(request, signer), None)
    }
}

/// Requests someone has to act on whose next reminder day is `day` or earlier (GSI1), each
/// with its tenant's scope.
pub async fn requests_to_remind(
    store: &Store,
    day: &str,
    limit: i32,
    cursor: Option<&str>,
) -> ApiResult<Page<(TenantScope, SignatureRequest)>> {
    store
        .query_index_in_tenants(
            "GSI1",
            keys::GSI1PK,
            keys::GSI1SK,
            SIGNING_PARTITION,
            Some(SortRange::AtMost(format!("{day}~"))),
            limit,
            cursor,
        )
        .await
}
