//! Who is calling, as the authorizer established it, and the scope that unlocks tenant data.
//!
//! A [`TenantScope`] cannot be built from anything a caller sends: only from the authorizer's
//! context (a client's own tenant), from a staff principal naming a tenant (audited as staff),
//! or from the registry's record of a tenant (sign-in and invitations, before any session).

use crate::error::{ApiError, ApiResult};
use crate::types::TenantId;
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Staff,
    Client,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Staff => "staff",
            Kind::Client => "client",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "staff" => Some(Kind::Staff),
            "client" => Some(Kind::Client),
            _ => None,
        }
    }
}

/// Roles. Staff are `admin` or `staff`; client contacts are `admin`, `member`, `billing` or
/// `read_only` (a contact may hold member and billing together).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Staff,
    Member,
    Billing,
    ReadOnly,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Staff => "staff",
            Role::Member => "member",
            Role::Billing => "billing",
            Role::ReadOnly => "read_only",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "admin" => Some(Role::Admin),
            "staff" => Some(Role::Staff),
            "member" => Some(Role::Member),
            "billing" => Some(Role::Billing),
            "read_only" => Some(Role::ReadOnly),
            _ => None,
        }
    }

    /// Roles as the authorizer passes them: comma separated.
    pub fn join(roles: &[Role]) -> String {
        roles
            .iter()
            .map(|role| role.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn split(text: &str) -> Vec<Role> {
        text.split(',').filter_map(Role::parse).collect()
    }
}

/// The verified caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub kind: Kind,
    pub sub: String,
    pub roles: Vec<Role>,
    tenant_id: Option<TenantId>,
}

/// The keys of the authorizer's context, shared by the authorizer and every function.
pub mod context_keys {
    pub const TENANT_ID: &str = "tenant_id";
    pub const SUB: &str = "sub";
    pub const ROLE: &str = "role";
    pub const KIND: &str = "kind";
}

impl Principal {
    /// Reads the authorizer's context from a payload-2.0 request. Anything missing or odd is a
    /// 401: a route without the authorizer must never reach a handler that asks for a principal.
    pub fn from_request(req: &Request) -> ApiResult<Self> {
        let Some(RequestContext::ApiGatewayV2(context)) = req.request_context_ref() else {
            return Err(ApiError::unauthorized());
        };
        let fields = context
            .authorizer
            .as_ref()
            .map(|authorizer| &authorizer.fields)
            .ok_or_else(ApiError::unauthorized)?;
        Self::from_context(fields)
    }

    pub fn from_context(fields: &HashMap<String, serde_json::Value>) -> ApiResult<Self> {
        let text = |key: &str| fields.get(key).and_then(|value| value.as_str());
        let kind = text(context_keys::KIND)
            .and_then(Kind::parse)
            .ok_or_else(ApiError::unauthorized)?;
        let sub = text(context_keys::SUB)
            .filter(|sub| !sub.is_empty())
            .ok_or_else(ApiError::unauthorized)?
            .to_string();
        let roles = Role::split(text(context_keys::ROLE).unwrap_or_default());
        let tenant_id = match text(context_keys::TENANT_ID).filter(|tenant| !tenant.is_empty()) {
            Some(tenant) => Some(TenantId::parse(tenant).map_err(|_| ApiError::unauthorized())?),
            None => None,
        };
        if kind == Kind::Client && tenant_id.is_none() {
            return Err(ApiError::unauthorized());
        }
        Ok(Self {
            kind,
            sub,
            roles,
            tenant_id: if kind == Kind::Client {
                tenant_id
            } else {
                None
            },
        })
    }

    /// The context the authorizer hands to API Gateway for this principal.
    pub fn to_context(&self) -> HashMap<String, serde_json::Value> {
        let mut fields = HashMap::new();
        fields.insert(
            context_keys::TENANT_ID.to_string(),
            self.tenant_id
                .as_ref()
                .map(TenantId::as_str)
                .unwrap_or_default()
                .into(),
        );
        fields.insert(context_keys::SUB.to_string(), self.sub.clone().into());
        fields.insert(
            context_keys::ROLE.to_string(),
            Role::join(&self.roles).into(),
        );
        fields.insert(context_keys::KIND.to_string(), self.kind.as_str().into());
        fields
    }

    pub fn staff(sub: impl Into<String>, roles: Vec<Role>) -> Self {
        Self {
            kind: Kind::Staff,
            sub: sub.into(),
            roles,
            tenant_id: None,
        }
    }

    pub fn client(scope: &TenantScope, sub: impl Into<String>, roles: Vec<Role>) -> Self {
        Self {
            kind: Kind::Client,
            sub: sub.into(),
            roles,
            tenant_id: Some(scope.tenant_id.clone()),
        }
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Invoices are for the firm, a client's admins and its billing contacts; nobody else sees
    /// that they exist.
    pub fn sees_billing(&self) -> bool {
        self.is_staff() || self.has_role(Role::Admin) || self.has_role(Role::Billing)
    }

    pub fn is_staff(&self) -> bool {
        self.kind == Kind::Staff
    }

    pub fn require_staff(&self) -> ApiResult<()> {
        if self.is_staff() {
            Ok(())
        } else {
            Err(ApiError::forbidden("only the firm's staff can do this"))
        }
    }

    pub fn require_staff_admin(&self) -> ApiResult<()> {
        self.require_staff()?;
        if self.has_role(Role::Admin) {
            Ok(())
        } else {
            Err(ApiError::forbidden("only a firm admin can do this"))
        }
    }

    /// The scope of a client's own tenant.
    pub fn own_tenant(&self) -> ApiResult<TenantScope> {
        match (&self.kind, &self.tenant_id) {
            (Kind::Client, Some(tenant_id)) => Ok(TenantScope {
                tenant_id: tenant_id.clone(),
                as_staff: false,
            }),
            _ => Err(ApiError::forbidden("this is for client contacts")),
        }
    }

    /// Staff reach a tenant explicitly; every such scope is marked so its writes are audited as
    /// staff. The caller must still check the tenant exists (an unknown id is a 404).
    pub fn staff_scope(&self, tenant_id: &str) -> ApiResult<TenantScope> {
        self.require_staff()?;
        let tenant_id = TenantId::parse(tenant_id).map_err(|_| ApiError::not_found())?;
        Ok(TenantScope {
            tenant_id,
            as_staff: true,
        })
    }

    pub fn actor_label(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.sub)
    }
}

/// Proof that the holder may touch one tenant's data. Every tenant key starts from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantScope {
    tenant_id: TenantId,
    as_staff: bool,
}

impl TenantScope {
    /// Only the registry (sign-in, invitations, onboarding) builds scopes this way.
    pub(crate) fn from_registry(tenant_id: &str) -> Self {
        Self {
            tenant_id: TenantId::trusted(tenant_id),
            as_staff: false,
        }
    }

    pub fn tenant_id(&self) -> &TenantId {
        &self.tenant_id
    }

    pub fn as_staff(&self) -> bool {
        self.as_staff
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_round_trip_and_client_needs_a_tenant() {
        let scope = TenantScope::from_registry("01JABCDEFGHJKMNPQRSTVWXYZ0");
        let principal = Principal::client(&scope, "sub-1", vec![Role::Member, Role::Billing]);
        let back = Principal::from_context(&principal.to_context()).unwrap();
        assert_eq!(back, principal);
        assert_eq!(back.own_tenant().unwrap(), scope);

        let mut no_tenant = principal.to_context();
        no_tenant.insert(context_keys::TENANT_ID.into(), "".into());
        assert!(Principal::from_context(&no_tenant).is_err());
    }

    #[test]
    fn staff_have_no_own_tenant_and_clients_no_staff_scope() {
        let staff = Principal::staff("s", vec![Role::Staff]);
        assert!(staff.own_tenant().is_err());
        assert!(staff.staff_scope("not-an-id").is_err());
        let scope = staff.staff_scope("01JABCDEFGHJKMNPQRSTVWXYZ0").unwrap();
        assert!(scope.as_staff());
        let client = Principal::client(&scope, "c", vec![Role::Admin]);
        assert!(client.staff_scope("01JABCDEFGHJKMNPQRSTVWXYZ0").is_err());
    }
}
