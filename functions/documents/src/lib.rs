//! Document collection, both sides: the firm asks for documents with deadlines and reviews
//! what comes back. The records live here (requests, documents, versions); moving the bytes
//! (uploads, the malware gate, previews, downloads, archives) is `atrium-files`. Every list
//! view is in the tenant's audit trail.

use atrium_shared::handler;
use atrium_shared::operation::prelude::*;

pub mod change;
pub mod data;
pub mod documents_get;
pub mod documents_list;
pub mod requests_cancel;
pub mod requests_create;
pub mod requests_list;
pub mod requests_review;
pub mod requests_update;
pub mod rules;
pub mod view;

use crate::data::DocumentRecord;
use atrium_shared::principal::Principal;

/// Billing documents (invoice PDFs) exist only for those who see billing.
pub fn visible_to(principal: &Principal, document: &DocumentRecord) -> bool {
    !document.billing_only || principal.sees_billing()
}

/// This capability's operations: routes, who may call them, the AWS access each needs
/// (docs/architecture.md, "Adding an operation").
pub const OPERATIONS: &[Operation] = &[
    Operation::http("requests-create", handler!(requests_create::handle))
        .describe("Asks a client for documents by a date (one or a checklist).")
        .routes(&[Route::new(Post, "/api/clients/{id}/requests", FIRM)])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE_QUERY, SEND_MAIL]),
    Operation::http("requests-update", handler!(requests_update::handle))
        .describe("Edits a document request.")
        .routes(&[Route::new(
            Patch,
            "/api/clients/{id}/requests/{request}",
            FIRM,
        )])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE]),
    Operation::http("requests-cancel", handler!(requests_cancel::handle))
        .describe("Cancels a document request.")
        .routes(&[Route::new(
            Post,
            "/api/clients/{id}/requests/{request}/cancel",
            FIRM,
        )])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE]),
    Operation::http("requests-review", handler!(requests_review::handle))
        .describe("Accepts a submission, or rejects it with a reason.")
        .routes(&[Route::new(
            Post,
            "/api/clients/{id}/requests/{request}/review",
            FIRM,
        )])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE]),
    Operation::http("requests-list", handler!(requests_list::handle))
        .describe(
            "Lists document requests (a client's own, one client's, or every client's by status).",
        )
        .routes(&[
            Route::new(Get, "/api/requests", EVERYONE),
            Route::new(Get, "/api/clients/{id}/requests", FIRM),
        ])
        .grants(&[
            TENANT_SESSIONS,
            Grant::new(
                &[
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:Query",
                    "dynamodb:BatchWriteItem",
                    "dynamodb:UpdateItem",
                ],
                &[Resource::Table, Resource::TableIndex("*")],
            )
            .firm_keys_only(),
        ]),
    Operation::http("documents-list", handler!(documents_list::handle))
        .describe("Lists a client's documents.")
        .routes(&[
            Route::new(Get, "/api/documents", CONTACTS),
            Route::new(Get, "/api/clients/{id}/documents", FIRM),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE_QUERY]),
    Operation::http("documents-get", handler!(documents_get::handle))
        .describe("One document with its versions.")
        .routes(&[
            Route::new(Get, "/api/documents/{document}", CONTACTS),
            Route::new(Get, "/api/clients/{id}/documents/{document}", FIRM),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE_QUERY]),
];
