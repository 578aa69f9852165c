//! The client's workspace.

use atrium_shared::handler;
use atrium_shared::operation::prelude::*;

pub mod get;

/// This capability's operations: routes, who may call them, the AWS access each needs
/// (docs/architecture.md, "Adding an operation").
pub const OPERATIONS: &[Operation] = &[Operation::http("workspace-get", handler!(get::handle))
    .describe("The client's dashboard.")
    .routes(&[Route::new(Get, "/api/workspace", CONTACTS)])
    .grants(&[
        TENANT_SESSIONS,
        table(&["dynamodb:BatchGetItem", "dynamodb:Query"]).firm_keys_only(),
    ])];
