//! Approvals and e-signature consents.

use super::records::{ApprovalRecord, ApprovalStatus, ConsentRecord};
use super::{put_tx, to_item, values, Store};
use crate::error::{ApiError, ApiResult};
use crate::keys;
use crate::principal::TenantScope;
use aws_sdk_dynamodb::types::TransactWriteItem;

impl Store {
    pub async fn approval(
        &self,
        scope: &TenantScope,
        id: &str,
    ) -> ApiResult<Option<ApprovalRecord>> {
        self.get_record(&keys::tenant_pk(scope), &keys::approval_sk(id))
            .await
    }

    pub fn new_approval_tx(
        &self,
        scope: &TenantScope,
        record: &ApprovalRecord,
    ) -> ApiResult<TransactWriteItem> {
        put_tx(
            to_item(
                &keys::tenant_pk(scope),
                &keys::approval_sk(&record.id),
                record,
            )?,
            Some("attribute_not_exists(PK)"),
            None,
        )
    }

    /// The decided approval, written only if it is still pending: of two decisions racing,
    /// exactly one wins.
    pub fn decided_approval_tx(
        &self,
        scope: &TenantScope,
        record: &ApprovalRecord,
    ) -> ApiResult<TransactWriteItem> {
        let pending = serde_dynamo::to_attribute_value(ApprovalStatus::Pending)
            .map_err(|error| ApiError::internal("approval status", error))?;
        let mut item = put_tx(
            to_item(
                &keys::tenant_pk(scope),
                &keys::approval_sk(&record.id),
                record,
            )?,
            Some("#status = :pending"),
            Some(values(&[(":pending", pending)])),
        )?;
        if let Some(put) = item.put.as_mut() {
            put.expression_attribute_names =
                Some([("#status".to_string(), "status".to_string())].into());
        }
        Ok(item)
    }

    pub async fn approvals(&self, scope: &TenantScope) -> ApiResult<Vec<ApprovalRecord>> {
        self.query_all(&keys::tenant_pk(scope), keys::APPROVAL_PREFIX, false)
            .await
    }

    pub async fn consent(
        &self,
        scope: &TenantScope,
        sub: &str,
        version: &str,
    ) -> ApiResult<Option<ConsentRecord>> {
        self.get_record(&keys::tenant_pk(scope), &keys::consent_sk(sub, version))
            .await
    }

    /// A consent, recorded once: a second write of the same version keeps the first.
    pub fn consent_tx(
        &self,
        scope: &TenantScope,
        record: &ConsentRecord,
    ) -> ApiResult<TransactWriteItem> {
        put_tx(
            to_item(
                &keys::tenant_pk(scope),
                &keys::consent_sk(&record.sub, &record.consent_version),
                record,
            )?,
            Some("attribute_not_exists(PK)"),
            None,
        )
    }
}
