//! Approvals: the firm asks a client to approve a document version, a milestone or a
//! statement, optionally as a signature; a contact decides. Signatures record the typed name,
//! the signer, time, address and browser, the consent to sign electronically, and for
//! documents the exact version and its SHA-256. Every completed signature has a certificate.

use atrium_shared::handler;
use atrium_shared::operation::prelude::*;

pub mod certificate;
pub mod create;
pub mod data;
pub mod decide;
pub mod get;
pub mod list;

use crate::data::{ApprovalRecord, ApprovalSubject};
use atrium_documents::data::Documents;
use atrium_shared::principal::{Principal, TenantScope};
use atrium_shared::{ApiResult, App};
use std::collections::BTreeMap;

/// An approval inherits the audience of its subject: one about a billing-only document (an
/// invoice PDF) exists only for the client's admins and billing contacts, as the document
/// does. Members and read-only contacts never learn of it (not listed, 404 by id, not on the
/// dashboard, not decidable). Read from the document each time, so a document that becomes
/// billing-only later (attached to an invoice) takes its approvals with it.
pub async fn visible_approvals(
    app: &App,
    scope: &TenantScope,
    principal: &Principal,
    approvals: Vec<ApprovalRecord>,
) -> ApiResult<Vec<ApprovalRecord>> {
    if principal.is_staff() || principal.sees_billing() {
        return Ok(approvals);
    }
    let documents = Documents::of(app.store.tenant(scope));
    let mut shown: BTreeMap<String, bool> = BTreeMap::new();
    let mut visible = Vec::with_capacity(approvals.len());
    for approval in approvals {
        if let ApprovalSubject::DocumentVersion { document_id, .. } = &approval.subject {
            if !shown.contains_key(document_id) {
                let document = documents.get(document_id).await?;
                let seen = document
                    .is_some_and(|document| atrium_documents::visible_to(principal, &document));
                shown.insert(document_id.clone(), seen);
            }
            if shown.get(document_id) != Some(&true) {
                continue;
            }
        }
        visible.push(approval);
    }
    Ok(visible)
}

/// The approval, if this caller may know of it ([`visible_approvals`]).
pub async fn visible_approval(
    app: &App,
    scope: &TenantScope,
    principal: &Principal,
    approval: Option<ApprovalRecord>,
) -> ApiResult<Option<ApprovalRecord>> {
    let Some(approval) = approval else {
        return Ok(None);
    };
    Ok(visible_approvals(app, scope, principal, vec![approval])
        .await?
        .pop())
}

/// The consent a contact gives, once per version of this text, before their first signature.
pub const CONSENT_VERSION: &str = "2026-11";
pub const CONSENT_TEXT: &str = "I agree to sign documents electronically. Typing my full name and choosing Sign has the same effect as my handwritten signature. I can ask for a paper copy of anything I sign.";

/// This capability's operations: routes, who may call them, the AWS access each needs
/// (docs/architecture.md, "Adding an operation").
pub const OPERATIONS: &[Operation] = &[
    Operation::http("approvals-create", handler!(create::handle))
        .describe(
            "Asks a client to approve or sign a document version, a milestone or a statement.",
        )
        .routes(&[Route::new(Post, "/api/clients/{id}/approvals", FIRM)])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE]),
    Operation::http("approvals-list", handler!(list::handle))
        .describe("A client's approvals.")
        .routes(&[
            Route::new(Get, "/api/approvals", CONTACTS),
            Route::new(Get, "/api/clients/{id}/approvals", FIRM),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_READ_QUERY]),
    Operation::http("approvals-get", handler!(get::handle))
        .describe("One approval with its terms and the consent text.")
        .routes(&[
            Route::new(Get, "/api/approvals/{approval}", CONTACTS),
            Route::new(Get, "/api/clients/{id}/approvals/{approval}", FIRM),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_READ]),
    Operation::http("approvals-decide", handler!(decide::handle))
        .describe("A contact approves (or signs), rejects or requests changes.")
        .routes(&[Route::new(Post, "/api/approvals/{approval}/decide", ACTORS)])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE]),
    Operation::http("approvals-certificate", handler!(certificate::handle))
        .describe("The signing certificate of a completed signature (JSON or HTML).")
        .routes(&[
            Route::new(Get, "/api/approvals/{approval}/certificate", CONTACTS),
            Route::new(
                Get,
                "/api/clients/{id}/approvals/{approval}/certificate",
                FIRM,
            ),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE]),
];
