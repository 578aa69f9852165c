//! Projects (milestones and tasks inside) and their firm-only fields.

use super::records::{ProjectInternalRecord, ProjectRecord};
use super::Write;
use super::{put_tx, to_item, Store};
use crate::error::ApiResult;
use crate::keys;
use crate::principal::TenantScope;

impl Store {
    pub async fn project(&self, scope: &TenantScope, id: &str) -> ApiResult<Option<ProjectRecord>> {
        self.get_record(&keys::tenant_pk(scope), &keys::project_sk(id))
            .await
    }

    /// A new project (`read_version` none) or a project read at `read_version`.
    pub fn project_tx(
        &self,
        scope: &TenantScope,
        record: &ProjectRecord,
        read_version: Option<u64>,
    ) -> ApiResult<Write> {
        let item = to_item(
            &keys::tenant_pk(scope),
            &keys::project_sk(&record.id),
            record,
        )?;
        super::put_versioned(item, read_version)
    }

    /// Every project of a tenant (a firm runs a handful per client), newest first.
    pub async fn projects(&self, scope: &TenantScope) -> ApiResult<Vec<ProjectRecord>> {
        self.query_all(&keys::tenant_pk(scope), keys::PROJECT_PREFIX, false)
            .await
    }

    pub async fn project_internal(
        &self,
        scope: &TenantScope,
        id: &str,
    ) -> ApiResult<Option<ProjectInternalRecord>> {
        self.get_record(&keys::tenant_pk(scope), &keys::project_internal_sk(id))
            .await
    }

    pub fn project_internal_tx(
        &self,
        scope: &TenantScope,
        record: &ProjectInternalRecord,
    ) -> ApiResult<Write> {
        put_tx(
            to_item(
                &keys::tenant_pk(scope),
                &keys::project_internal_sk(&record.project_id),
                record,
            )?,
            None,
            None,
        )
    }
}
