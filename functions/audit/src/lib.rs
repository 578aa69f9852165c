//! The audit trail, for the firm (any client) and for a client's admins (their own).

pub mod export;
pub mod list;

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
