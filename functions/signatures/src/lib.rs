//! Signature requests: a document version signed by several people, the client's contacts
//! and the firm's staff as countersigners, in order (groups one after another) or together
//! (everyone of a group at once). Each signer is mailed on their turn, reminded, fills the
//! fields placed for them on the PDF's pages, confirms a code mailed to them (the step-up),
//! and signs; when the last one signs, the portal makes a new version of the document: the
//! original pages with the fields drawn in, a certificate page, and a PDF signature made with
//! the firm's KMS key ([`atrium_pdfseal`]). A decline (with a reason) ends the request.
//!
//! The single-signer typed-name approval stays in `atrium-approvals` for quick cases.

use atrium_shared::operation::prelude::*;
use atrium_shared::{event_handler, handler};

pub mod code;
pub mod create;
pub mod data;
pub mod decide;
pub mod document;
pub mod mail;
pub mod manage;
pub mod placement;
pub mod read;
pub mod reminders;
pub mod seal;
pub mod sign;

use crate::data::{SignatureRequest, SignatureRequests, SignerKind};
use atrium_documents::data::Documents;
use atrium_shared::access::scope_for;
use atrium_shared::http::path_id;
use atrium_shared::principal::{Principal, Role, TenantScope};
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::Request;

/// Who is calling about a request, and the request, if they may know of it.
pub struct Seen {
    pub principal: Principal,
    pub scope: TenantScope,
    pub request: SignatureRequest,
}

impl Seen {
    /// The kind of signer the caller would be.
    pub fn kind(&self) -> SignerKind {
        if self.principal.is_staff() {
            SignerKind::Staff
        } else {
            SignerKind::Contact
        }
    }

    /// The caller's place among the signers, if they have one.
    pub fn signer(&self) -> Option<&data::Signer> {
        self.request.signer_for(self.kind(), &self.principal.sub)
    }
}

/// The request named in the path, for a caller who may know of it: staff (on the firm's
/// routes) see every request of the client; a contact sees the requests they sign, and a
/// client admin all of the client's, and only while the document is one they may see (a
/// billing-only document stays with admins and billing contacts). Anything else is a 404.
pub async fn seen(app: &App, req: &Request) -> ApiResult<Seen> {
    let principal = Principal::from_request(req)?;
    let scope = scope_for(app, &principal, req).await?;
    let id = path_id(req, "request")?;
    let request = SignatureRequests::of(app.store.tenant(&scope))
        .get(&id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if !may_see(app, &scope, &principal, &request).await? {
        return Err(ApiError::not_found());
    }
    Ok(Seen {
        principal,
        scope,
        request,
    })
}

/// As [`seen`], for a signer's own steps (a code, the signature, a decline): contacts whose
/// role may act (an admin or a member) only, whatever the request.
pub async fn seen_to_act(app: &App, req: &Request) -> ApiResult<Seen> {
    let principal = Principal::from_request(req)?;
    atrium_shared::access::require_can_act(&principal)?;
    seen(app, req).await
}

/// Whether this caller may know of the request ([`seen`]).
pub async fn may_see(
    app: &App,
    scope: &TenantScope,
    principal: &Principal,
    request: &SignatureRequest,
) -> ApiResult<bool> {
    if principal.is_staff() {
        return Ok(true);
    }
    let signs = request
        .signer_for(SignerKind::Contact, &principal.sub)
        .is_some();
    if !signs && !principal.has_role(Role::Admin) {
        return Ok(false);
    }
    let document = Documents::of(app.store.tenant(scope))
        .get(&request.document_id)
        .await?;
    Ok(document.is_some_and(|document| atrium_documents::visible_to(principal, &document)))
}

/// A staff member as the ceremony's steps name them: by email.
pub async fn staff_email(app: &App, principal: &Principal) -> ApiResult<String> {
    Ok(app
        .store
        .staff_user(&principal.sub)
        .await?
        .map_or_else(|| principal.actor_label(), |user| user.email))
}

/// Memory of the operations that hold a whole PDF (up to [`seal::MAX_SIGNING_BYTES`]) and the
/// copies made from it (the parsed document, the stamped and the sealed file): several times
/// the file, well over the other functions' 128 MB. Paid only while they run.
const SEALING_MEMORY: u32 = 512;

/// The firm's signing key, for the two operations that seal (`Resource::SealKey`).
const SEAL_KEY: Grant = Grant::new(&["kms:Sign", "kms:GetPublicKey"], &[Resource::SealKey]);

/// This capability's operations but those that touch the PDF ([`PDF_OPERATIONS`]): routes, who may
/// call them, the AWS access each needs (docs/architecture.md, "Adding an operation").
pub const OPERATIONS: &[Operation] = &[
    Operation::http("signatures-list", handler!(read::list))
        .describe("A client's signature requests (the ones a contact signs; a client admin sees all of them).")
        .routes(&[
            Route::new(Get, "/api/signature-requests", CONTACTS),
            Route::new(Get, "/api/clients/{id}/signature-requests", FIRM),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_READ_QUERY]),
    Operation::http("signatures-get", handler!(read::get))
        .describe("One signature request, with its signers and where each stands, the fields and the ceremony's steps.")
        .routes(&[
            Route::new(Get, "/api/signature-requests/{request}", CONTACTS),
            Route::new(Get, "/api/clients/{id}/signature-requests/{request}", FIRM),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_READ]),
    Operation::http("signatures-code", handler!(code::handle))
        .describe("Mails the signer whose turn it is a one-time code to confirm before signing.")
        .routes(&[
            Route::new(Post, "/api/signature-requests/{request}/code", ACTORS),
            Route::new(Post, "/api/clients/{id}/signature-requests/{request}/code", FIRM),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE, SEND_MAIL]),
    Operation::http("signatures-decline", handler!(decide::decline))
        .describe("A signer declines, with a reason; the request stops and the firm is told.")
        .routes(&[
            Route::new(Post, "/api/signature-requests/{request}/decline", ACTORS),
            Route::new(Post, "/api/clients/{id}/signature-requests/{request}/decline", FIRM),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE, SEND_MAIL]),
    Operation::http("signatures-remind", handler!(manage::remind))
        .describe("Reminds the signers whose turn it is.")
        .routes(&[Route::new(Post, "/api/clients/{id}/signature-requests/{request}/remind", FIRM)])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE, SEND_MAIL]),
    Operation::http("signatures-replace", handler!(manage::replace))
        .describe("Puts another person in place of a signer who has not signed.")
        .routes(&[Route::new(Post, "/api/clients/{id}/signature-requests/{request}/replace", FIRM)])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE, SEND_MAIL]),
    Operation::http("signatures-cancel", handler!(manage::cancel))
        .describe("Cancels a signature request that is not complete.")
        .routes(&[Route::new(Post, "/api/clients/{id}/signature-requests/{request}/cancel", FIRM)])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE, SEND_MAIL]),
];

/// The operations that touch the PDF itself (reading its pages to place fields, showing it,
/// and making the signed one: the last signature and the daily run that retries a failed
/// sealing), in a binary of their own (`atrium-signature-pdfs`). S3, lopdf, the stamping and
/// sealing and KMS together cost about 2.7 MB: the whole capability in one binary measured
/// 9.9 MB (x86_64), over the 8 MB budget; apart, the rest stays under it and this binary does
/// not (docs/architecture.md, "Speed, size and cost").
pub const PDF_OPERATIONS: &[Operation] = &[
    Operation::http("signatures-create", handler!(create::handle))
        .describe("Asks signers (contacts of the client and staff countersigners) to sign a PDF version, in order or in parallel groups, with fields placed on its pages.")
        .routes(&[Route::new(Post, "/api/clients/{id}/signature-requests", FIRM)])
        .memory(SEALING_MEMORY)
        .grants(&[TENANT_SESSIONS, FIRM_WRITE, SEND_MAIL]),
    Operation::http("signatures-document", handler!(document::handle))
        .describe("A short-lived link to the PDF being signed, to show its pages.")
        .routes(&[
            Route::new(Get, "/api/signature-requests/{request}/document", CONTACTS),
            Route::new(Get, "/api/clients/{id}/signature-requests/{request}/document", FIRM),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE]),
    Operation::http("signatures-sign", handler!(sign::handle))
        .describe("A signer fills their fields and signs, with the code mailed to them; the last signature seals the signed PDF.")
        .routes(&[
            Route::new(Post, "/api/signature-requests/{request}/sign", ACTORS),
            Route::new(Post, "/api/clients/{id}/signature-requests/{request}/sign", FIRM),
        ])
        .timeout(60)
        .memory(SEALING_MEMORY)
        .grants(&[TENANT_SESSIONS, FIRM_WRITE, SEND_MAIL, SEAL_KEY]),
    Operation::event(
        "signatures-reminders",
        event_handler!(reminders::on_schedule),
        Trigger::Schedule {
            expression: "cron(0 8 * * ? *)",
            description: "Reminds signers whose turn it is and finishes signed PDFs a failure left unsealed.",
        },
    )
    .describe("Daily reminders to signers, and the retry of any sealing that failed.")
    .timeout(300)
    .memory(SEALING_MEMORY)
    .grants(&[
        TENANT_SESSIONS,
        Grant::new(
            &["dynamodb:Query", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            &[Resource::Table, Resource::TableIndex("GSI1")],
        )
        .firm_keys_only(),
        SEND_MAIL,
        SEAL_KEY,
    ]),
];
