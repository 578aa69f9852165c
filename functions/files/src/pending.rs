//! The upload a parts, abort or confirm request is about: a version of a document on the
//! caller's own side (clients their uploads, the firm what it shares), found only inside the
//! caller's tenant.

use atrium_documents::data::{DocumentOrigin, DocumentRecord, Documents, VersionRecord};
use atrium_shared::access::{require_can_act, scope_for};
use atrium_shared::http::{path_id, path_param};
use atrium_shared::principal::{Principal, TenantScope};
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::Request;

pub struct Upload {
    pub principal: Principal,
    pub scope: TenantScope,
    pub document: DocumentRecord,
    pub version: VersionRecord,
}

pub async fn upload_of(app: &App, req: &Request) -> ApiResult<Upload> {
    let principal = Principal::from_request(req)?;
    let scope = scope_for(app, &principal, req).await?;
    require_can_act(&principal)?;
    let document_id = path_id(req, "document")?;
    let number: u32 = path_param(req, "number")?
        .parse()
        .map_err(|_| ApiError::not_found())?;
    let document = Documents::of(app.store.tenant(&scope))
        .get(&document_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let own_side = match document.origin {
        DocumentOrigin::Client => !principal.is_staff(),
        DocumentOrigin::Firm => principal.is_staff(),
    };
    if !own_side {
        return Err(ApiError::not_found());
    }
    let version = Documents::of(app.store.tenant(&scope))
        .version(&document_id, number)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Upload {
        principal,
        scope,
        document,
        version,
    })
}
