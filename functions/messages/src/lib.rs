//! Messages and internal notes. A thread belongs to a project, a document request or a
//! document, or is the client's general thread. Clients and staff post messages; staff also
//! write internal notes on the same records, which are their own item type (`INTERNAL#…`) that
//! no client route reads and no mail carries.

pub mod list;
pub mod notes;
pub mod post;

use atrium_shared::http::path_param;
use atrium_shared::ids::is_id;
use atrium_shared::principal::TenantScope;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::Request;

/// The thread named in the path, checked to be a record of this tenant.
pub async fn thread(app: &App, scope: &TenantScope, req: &Request) -> ApiResult<String> {
    let thread = path_param(req, "thread")?;
    if thread == "general" {
        return Ok(thread);
    }
    let (kind, id) = thread.split_once(':').ok_or_else(ApiError::not_found)?;
    if !is_id(id) {
        return Err(ApiError::not_found());
    }
    let exists = match kind {
        "project" => app.store.project(scope, id).await?.is_some(),
        "request" => app.store.request(scope, id).await?.is_some(),
        "document" => app.store.document(scope, id).await?.is_some(),
        _ => false,
    };
    if exists {
        Ok(thread)
    } else {
        Err(ApiError::not_found())
    }
}
