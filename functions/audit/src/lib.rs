//! The audit trail, for the firm (any client) and for a client's admins (their own).

use atrium_shared::handler;
use atrium_shared::operation::prelude::*;

pub mod export;
pub mod list;
pub mod trail;

use atrium_shared::access::scope_for;
use atrium_shared::principal::{Principal, Role, TenantScope};
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::Request;

/// Staff read any client's trail (`/api/clients/{id}/audit…`); a contact reads their own only
/// if they are one of their organisation's admins.
pub async fn trail_scope(
    app: &App,
    principal: &Principal,
    req: &Request,
) -> ApiResult<TenantScope> {
    if !principal.is_staff() && !principal.has_role(Role::Admin) {
        return Err(ApiError::forbidden(
            "only your organisation's admins can read its audit trail",
        ));
    }
    scope_for(app, principal, req).await
}

/// This capability's operations: routes, who may call them, the AWS access each needs
/// (docs/architecture.md, "Adding an operation").
pub const OPERATIONS: &[Operation] = &[
    Operation::http("audit-list", handler!(list::handle))
        .describe("A client's audit trail, filtered and paged.")
        .routes(&[
            Route::new(Get, "/api/audit", CLIENT_ADMIN),
            Route::new(Get, "/api/clients/{id}/audit", FIRM),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_READ_QUERY]),
    Operation::http("audit-export", handler!(export::handle))
        .describe("A client's audit trail as JSON Lines, for offline verification.")
        .timeout(30)
        .routes(&[
            Route::new(Get, "/api/audit/export", CLIENT_ADMIN),
            Route::new(Get, "/api/clients/{id}/audit/export", FIRM),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE_QUERY]),
    Operation::http("audit-firm-list", handler!(list::handle_firm))
        .describe("The firm's own audit trail (branding, staff, settings), paged.")
        .routes(&[Route::new(Get, "/api/firm/audit", FIRM_ADMIN)])
        .grants(&[FIRM_READ_QUERY]),
    Operation::http("audit-firm-export", handler!(export::handle_firm))
        .describe("The firm's own audit trail as JSON Lines, for offline verification.")
        .timeout(30)
        .routes(&[Route::new(Get, "/api/firm/audit/export", FIRM_ADMIN)])
        .grants(&[FIRM_WRITE_QUERY]),
];
