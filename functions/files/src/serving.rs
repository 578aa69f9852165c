//! The version a download or a preview is about: a confirmed version of a document the caller
//! may see (billing-only documents only for those who see billing), found only inside the
//! caller's tenant. Whether it may be served (the malware scan's verdict) is the caller's next
//! check, after its own (a preview first checks the type).

use atrium_documents::data::{Documents, VersionRecord, VersionStatus};
use atrium_shared::access::scope_for;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{path_id, path_param, RequestMeta};
use atrium_shared::principal::{Principal, TenantScope};
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::Request;

pub struct Served {
    pub principal: Principal,
    pub scope: TenantScope,
    pub version: VersionRecord,
}

pub async fn confirmed_version(app: &App, req: &Request) -> ApiResult<Served> {
    let principal = Principal::from_request(req)?;
    let scope = scope_for(app, &principal, req).await?;
    let document_id = path_id(req, "document")?;
    let number: u32 = path_param(req, "number")?
        .parse()
        .map_err(|_| ApiError::not_found())?;
    let documents = Documents::of(app.store.tenant(&scope));
    documents
        .get(&document_id)
        .await?
        .filter(|document| atrium_documents::visible_to(&principal, document))
        .ok_or_else(ApiError::not_found)?;
    let version = documents
        .version(&document_id, number)
        .await?
        .filter(|version| version.status == VersionStatus::Confirmed)
        .ok_or_else(ApiError::not_found)?;
    Ok(Served {
        principal,
        scope,
        version,
    })
}

impl Served {
    /// The trail's entry for handing the version out (`document.downloaded`, `document.viewed`).
    pub async fn record(&self, app: &App, action: &str, req: &Request) -> ApiResult<()> {
        let number = self.version.number;
        let entry = AuditEntry::by(
            &self.scope,
            &self.principal,
            action,
            &format!("document/{}/v{number}", self.version.document_id),
            u64::from(number),
            &RequestMeta::of(req),
        );
        app.store.audit(&self.scope, &entry).await
    }
}
