//! Moving documents' bytes, both sides: uploads straight to S3 (one presigned PUT, or a
//! resumable multipart upload for files above 8 MiB), their confirmation, the malware gate
//! (GuardDuty's scan results: only clean versions are ever served), previews, downloads, and
//! "download all" archives built in S3. The records themselves (documents, versions,
//! requests) are `atrium-documents`'. Every upload, confirmation, preview and download is in
//! the tenant's audit trail.

use atrium_shared::operation::prelude::*;
use atrium_shared::{event_handler, handler};

pub mod abort;
pub mod archive_build;
pub mod archives;
pub mod confirm;
pub mod data;
pub mod download;
pub mod multipart;
pub mod parts;
pub mod pending;
pub mod preview;
pub mod scan;
pub mod serving;
pub mod share;
pub mod upload;

/// This capability's operations, in three Lambda binaries (`portal/src/lib.rs`): each S3 call a
/// binary makes costs it size (the SDK's request and response code), and all of them in one
/// binary came to 8.35 MB, over the 8 MB budget. Uploads (`atrium-uploads`), serving and
/// the malware gate (`atrium-files`), and archives (`atrium-archives`) each stay under it.
/// See docs/architecture.md, "One binary per capability".
pub const OPERATIONS: &[Operation] = &[
    Operation::http("documents-download", handler!(download::handle))
    .describe("A short-lived download link for one version.")
    .routes(&[
        Route::new(Get, "/api/documents/{document}/versions/{number}/download", CONTACTS),
        Route::new(Get, "/api/clients/{id}/documents/{document}/versions/{number}/download", FIRM),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_WRITE,
    ]),
    Operation::http("documents-preview", handler!(preview::handle))
    .describe("A short-lived link to show a clean PDF, image or text version in the page.")
    .routes(&[
        Route::new(Get, "/api/documents/{document}/versions/{number}/preview", CONTACTS),
        Route::new(Get, "/api/clients/{id}/documents/{document}/versions/{number}/preview", FIRM),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_WRITE,
    ]),
    Operation::event("documents-scan-result", event_handler!(scan::handle), Trigger::MalwareScanResult)
    .describe("Records GuardDuty's malware scan verdict on a document version (only clean ones are served).")
    .grants(&[
        TENANT_SESSIONS,
        FIRM_READ_QUERY,
        SEND_MAIL,
    ]),
];

/// Starting, sending, resuming, cancelling and confirming uploads (`atrium-uploads`).
pub const UPLOAD_OPERATIONS: &[Operation] = &[
    Operation::http("documents-upload", handler!(upload::handle))
    .describe("Starts a client's upload for a request (one presigned PUT, or a multipart upload for a large file).")
    .routes(&[
        Route::new(Post, "/api/requests/{request}/uploads", ACTORS),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_WRITE,
    ]),
    Operation::http("documents-share", handler!(share::handle))
    .describe("Starts the upload of a document not tied to a request (shared by the firm, or a contact's own), or a new version of a shared one.")
    .routes(&[
        Route::new(Post, "/api/documents", ACTORS),
        Route::new(Post, "/api/clients/{id}/documents", FIRM),
        Route::new(Post, "/api/clients/{id}/documents/{document}/versions", FIRM),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_WRITE,
    ]),
    Operation::http("uploads-parts", handler!(parts::presign))
    .describe("Presigned PUTs for parts of a multipart upload, each signed with its length and SHA-256.")
    .routes(&[
        Route::new(Post, "/api/documents/{document}/versions/{number}/parts", ACTORS),
        Route::new(Post, "/api/clients/{id}/documents/{document}/versions/{number}/parts", FIRM),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_READ,
    ]),
    Operation::http("uploads-parts-list", handler!(parts::list))
    .describe("The parts of a multipart upload that arrived, so an interrupted upload resumes.")
    .routes(&[
        Route::new(Get, "/api/documents/{document}/versions/{number}/parts", ACTORS),
        Route::new(Get, "/api/clients/{id}/documents/{document}/versions/{number}/parts", FIRM),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_READ,
    ]),
    Operation::http("uploads-abort", handler!(abort::handle))
    .describe("Cancels an upload that is not confirmed and discards its parts.")
    .routes(&[
        Route::new(Post, "/api/documents/{document}/versions/{number}/abort", ACTORS),
        Route::new(Post, "/api/clients/{id}/documents/{document}/versions/{number}/abort", FIRM),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_WRITE,
    ]),
    Operation::http("documents-confirm", handler!(confirm::handle))
    .describe("Checks an uploaded object against what was declared and records the version.")
    .routes(&[
        Route::new(Post, "/api/documents/{document}/versions/{number}/confirm", ACTORS),
        Route::new(Post, "/api/clients/{id}/documents/{document}/versions/{number}/confirm", FIRM),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_WRITE,
        SEND_MAIL,
    ]),
];

/// "Download all" archives (`atrium-archives`).
pub const ARCHIVE_OPERATIONS: &[Operation] = &[
    Operation::http("archives-create", handler!(archives::create))
        .describe("Asks for a zip of a request's, chosen or all documents, built in S3.")
        .routes(&[
            Route::new(Post, "/api/archives", CONTACTS),
            Route::new(Post, "/api/clients/{id}/archives", FIRM),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE]),
    Operation::http("archives-get", handler!(archives::get))
        .describe("A download-all archive's progress, and its link once ready.")
        .routes(&[
            Route::new(Get, "/api/archives/{archive}", CONTACTS),
            Route::new(Get, "/api/clients/{id}/archives/{archive}", FIRM),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE]),
    Operation::event(
        "archives-build",
        event_handler!(archive_build::handle),
        Trigger::ObjectCreated {
            suffix: data::REQUEST_SUFFIX,
        },
    )
    .describe("Builds a download-all zip in S3, streaming each file into a multipart upload.")
    .timeout(900)
    .grants(&[TENANT_SESSIONS, FIRM_READ]),
];
