//! Which tenant a request is about. Client routes carry no tenant (it is the caller's own);
//! the firm's routes name the client in the path (`/api/clients/{id}/…`), which only staff may
//! use, and the client must exist.

use crate::error::{ApiError, ApiResult};
use crate::http::path_param;
use crate::principal::{Principal, Role, TenantScope};
use crate::App;
use lambda_http::{Request, RequestExt};

/// The scope for this request: the staff member's chosen client, or the contact's own.
pub async fn scope_for(app: &App, principal: &Principal, req: &Request) -> ApiResult<TenantScope> {
    let names_a_client = req
        .path_parameters_ref()
        .is_some_and(|params| params.first("id").is_some());
    if names_a_client {
        let tenant_id = path_param(req, "id")?;
        let scope = principal.staff_scope(&tenant_id)?;
        app.store
            .client_record(&tenant_id)
            .await?
            .filter(|client| client.onboarding_complete)
            .ok_or_else(ApiError::not_found)?;
        Ok(scope)
    } else {
        principal.own_tenant()
    }
}

/// Contacts who may change things (not read-only, not billing-only). Staff always may.
pub fn require_can_act(principal: &Principal) -> ApiResult<()> {
    if principal.is_staff() || principal.has_role(Role::Admin) || principal.has_role(Role::Member) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "your role can see this but not change it",
        ))
    }
}
