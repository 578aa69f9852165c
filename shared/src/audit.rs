//! Audit entries. Each is written in the same `TransactWriteItems` as the change it records.

use crate::http::RequestMeta;
use crate::ids;
use crate::keys;
use crate::principal::TenantScope;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: String,
    pub tenant_id: String,
    /// `staff:<sub>`, `client:<sub>`, or `system` for work no person started.
    pub actor: String,
    pub role: String,
    pub action: String,
    pub target: String,
    pub version: u64,
    pub at: String,
    pub ip: String,
    pub user_agent: String,
}

impl AuditEntry {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        scope: &TenantScope,
        actor: &str,
        role: &str,
        action: &str,
        target: &str,
        version: u64,
        meta: &RequestMeta,
    ) -> Self {
        Self {
            id: ids::new_id(),
            tenant_id: scope.tenant_id().to_string(),
            actor: actor.to_string(),
            role: role.to_string(),
            action: action.to_string(),
            target: target.to_string(),
            version,
            at: ids::now_rfc3339(),
            ip: meta.ip.clone(),
            user_agent: meta.user_agent.clone(),
        }
    }

    pub fn keys(&self, scope: &TenantScope) -> (String, String) {
        (keys::tenant_pk(scope), keys::audit_sk(&self.id))
    }
}
