//! The declaration of one portal operation: everything about it that is not its handler's
//! code, in one place next to that code.
//!
//! Each capability crate lists its operations in `OPERATIONS` (its `lib.rs`), and the portal
//! crate (`portal/`) gathers them. From those declarations come the template's function blocks
//! and `events/` (written by `make operations`, checked by `tests/it/routes.rs`), the local
//! gateway's handlers, the Lambda binaries' dispatch (`atrium_portal::serve`) and the role table that
//! `tests/it/roles.rs` proves against every route.
//!
//! ```
//! use atrium_shared::operation::{Operation, Route, Method::*, FIRM, table, TENANT_SESSIONS};
//! # async fn handle(_: &atrium_shared::App, _: lambda_http::Request)
//! #     -> atrium_shared::ApiResult<lambda_http::Response<lambda_http::Body>> {
//! #     Ok(lambda_http::Response::new(lambda_http::Body::Empty))
//! # }
//! const LIST: Operation = Operation::http("clients-list", atrium_shared::handler!(handle))
//!     .describe("Lists the firm's clients.")
//!     .routes(&[Route::new(Get, "/api/clients", FIRM)])
//!     .grants(&[TENANT_SESSIONS, table(&["dynamodb:Query"]).firm_keys_only()]);
//! # assert_eq!(LIST.logical_id(), "ClientsListFunction");
//! ```

use crate::runtime::Handler;
use std::future::Future;
use std::pin::Pin;

/// What a function's process runs: an HTTP handler behind API Gateway, or its own runtime
/// loop (the authorizer, the scheduled reminders), which never returns while it serves.
#[derive(Clone, Copy)]
pub enum Serve {
    Http(Handler),
    /// Events from an EventBridge rule ([`Trigger::ObjectCreated`], [`Trigger::MalwareScanResult`]).
    Event(crate::runtime::EventHandler),
    Runtime(fn() -> RuntimeFuture),
}

/// A function's whole life: serve events until the sandbox ends.
pub type RuntimeFuture = Pin<Box<dyn Future<Output = Result<(), lambda_http::Error>>>>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// A caller as the role table knows them: the firm's two kinds of staff and the client's
/// contacts by their roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Who {
    FirmAdmin,
    FirmStaff,
    ClientAdmin,
    Member,
    Billing,
    MemberBilling,
    ReadOnly,
}

use Who::*;

pub const EVERYONE: &[Who] = &[
    FirmAdmin,
    FirmStaff,
    ClientAdmin,
    Member,
    Billing,
    MemberBilling,
    ReadOnly,
];
pub const FIRM: &[Who] = &[FirmAdmin, FirmStaff];
pub const FIRM_ADMIN: &[Who] = &[FirmAdmin];
/// Every contact of the client, whatever their roles.
pub const CONTACTS: &[Who] = &[ClientAdmin, Member, Billing, MemberBilling, ReadOnly];
/// Contacts who may change things (not read-only, not billing-only).
pub const ACTORS: &[Who] = &[ClientAdmin, Member, MemberBilling];
pub const CLIENT_ADMIN: &[Who] = &[ClientAdmin];
/// Contacts who see invoices.
pub const BILLING: &[Who] = &[ClientAdmin, Billing, MemberBilling];

/// Who may use a route. The handler enforces it; `tests/it/roles.rs` proves it for every
/// caller against every route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// No session: the API's authorizer does not run (sign-in, invitations, branding).
    Public,
    /// Callers outside `allowed` get 403; with `hidden`, contacts get 404 instead (the
    /// record's existence is not revealed).
    Signed {
        allowed: &'static [Who],
        hidden: bool,
    },
}

impl Access {
    pub fn allows(&self, who: Who) -> bool {
        match self {
            Access::Public => true,
            Access::Signed { allowed, .. } => allowed.contains(&who),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    pub method: Method,
    /// API Gateway's form: `/api/clients/{id}/mfa`.
    pub path: &'static str,
    pub access: Access,
}

impl Route {
    pub const fn new(method: Method, path: &'static str, allowed: &'static [Who]) -> Self {
        Route {
            method,
            path,
            access: Access::Signed {
                allowed,
                hidden: false,
            },
        }
    }

    /// Refused to contacts outside `allowed` with 404, as if the record did not exist.
    pub const fn hidden(method: Method, path: &'static str, allowed: &'static [Who]) -> Self {
        Route {
            method,
            path,
            access: Access::Signed {
                allowed,
                hidden: true,
            },
        }
    }

    pub const fn public(method: Method, path: &'static str) -> Self {
        Route {
            method,
            path,
            access: Access::Public,
        }
    }

    /// `GET /api/me`, as the roles table and the gateway name a route.
    pub fn key(&self) -> String {
        format!("{} {}", self.method.as_str(), self.path)
    }
}

/// What starts the function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    Routes(&'static [Route]),
    /// API Gateway's Lambda authorizer for every signed route.
    Authorizer,
    /// An EventBridge Scheduler expression (`cron(0 7 * * ? *)`).
    Schedule {
        expression: &'static str,
        description: &'static str,
    },
    /// S3's "Object Created" events (through EventBridge) for documents-bucket keys ending in
    /// `suffix`.
    ObjectCreated {
        suffix: &'static str,
    },
    /// GuardDuty Malware Protection for S3's scan results for the documents bucket.
    MalwareScanResult,
}

/// Something a policy statement names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    /// The role assumed per tenant for tenant data (shared/src/tenancy.rs).
    TenantDataRole,
    Table,
    /// An index of the table, or `*` for all of them.
    TableIndex(&'static str),
    /// Every SES identity of the account (the sender's domain or address).
    MailIdentities,
    /// Every Cognito user pool of the account (each client has its own).
    UserPools,
    StaffPool,
    /// Actions that take no resource (`cognito-idp:CreateUserPool`).
    Any,
    /// The firm's logo objects in the documents bucket.
    BrandingObjects,
    /// The Secrets Manager secret with the firm's Stripe keys (`Config::stripe_secret_name`).
    StripeSecret,
    /// Every object of the documents bucket (tenant objects are reached through the tenant's
    /// session instead; this is for the bucket-wide event handlers).
    DocumentObjects,
    /// The firm's asymmetric KMS key that seals signed PDFs (`DocumentSealKey`).
    SealKey,
}

/// One IAM statement of the function's own role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grant {
    pub actions: &'static [&'static str],
    pub resources: &'static [Resource],
    /// The table's firm-level items only: no key starting `T#` (tenant data goes through the
    /// tenant's own session instead).
    pub firm_keys_only: bool,
}

impl Grant {
    pub const fn new(actions: &'static [&'static str], resources: &'static [Resource]) -> Self {
        Grant {
            actions,
            resources,
            firm_keys_only: false,
        }
    }

    pub const fn firm_keys_only(self) -> Self {
        Grant {
            firm_keys_only: true,
            ..self
        }
    }
}

/// Table actions on the table itself.
pub const fn table(actions: &'static [&'static str]) -> Grant {
    Grant::new(actions, &[Resource::Table])
}

/// Assuming the tenant data role, which nearly every operation does for its tenant's data.
pub const TENANT_SESSIONS: Grant = Grant::new(
    &["sts:AssumeRole", "sts:TagSession"],
    &[Resource::TenantDataRole],
);

pub const SEND_MAIL: Grant = Grant::new(&["ses:SendEmail"], &[Resource::MailIdentities]);

// The function role's own table access, firm-level items only (tenant data goes through the
// tenant's session, [`TENANT_SESSIONS`]): the common sets, named once.

/// Reads single firm-level items (the registry, settings, a user's record).
pub const FIRM_READ: Grant = table(&["dynamodb:GetItem"]).firm_keys_only();
/// Reads firm-level items and lists (clients, staff, forms).
pub const FIRM_READ_QUERY: Grant = table(&["dynamodb:GetItem", "dynamodb:Query"]).firm_keys_only();
/// Reads and writes firm-level items.
pub const FIRM_WRITE: Grant = table(&[
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
])
.firm_keys_only();
/// Reads, lists and writes firm-level items.
pub const FIRM_WRITE_QUERY: Grant = table(&[
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
])
.firm_keys_only();

#[derive(Clone, Copy)]
pub struct Operation {
    /// `auth-login`: the function's `ATRIUM_OPERATION`, its `events/` file, its name in the
    /// bench; the template's logical id is derived from it (`AuthLoginFunction`).
    pub name: &'static str,
    pub description: &'static str,
    pub serve: Serve,
    pub trigger: Trigger,
    pub grants: &'static [Grant],
    /// Seconds; the template's global timeout when `None`.
    pub timeout: Option<u32>,
    /// Megabytes of memory; the template's global size (128) when `None`. Only for the few
    /// operations that hold a whole file (signing a PDF).
    pub memory: Option<u32>,
    /// Variables of this function only, as name and template value (`!Ref ReminderDays`).
    pub environment: &'static [(&'static str, &'static str)],
}

impl Operation {
    /// An HTTP operation; `routes`, `grants` and `describe` fill in the rest.
    pub const fn http(name: &'static str, handler: Handler) -> Self {
        Operation {
            name,
            description: "",
            serve: Serve::Http(handler),
            trigger: Trigger::Routes(&[]),
            grants: &[],
            timeout: None,
            memory: None,
            environment: &[],
        }
    }

    /// A function that handles the events of `trigger` with `handler`.
    pub const fn event(
        name: &'static str,
        handler: crate::runtime::EventHandler,
        trigger: Trigger,
    ) -> Self {
        Operation {
            name,
            description: "",
            serve: Serve::Event(handler),
            trigger,
            grants: &[],
            timeout: None,
            memory: None,
            environment: &[],
        }
    }

    /// A function that runs its own runtime loop (`serve`) for `trigger`.
    pub const fn runtime(
        name: &'static str,
        serve: fn() -> RuntimeFuture,
        trigger: Trigger,
    ) -> Self {
        Operation {
            name,
            description: "",
            serve: Serve::Runtime(serve),
            trigger,
            grants: &[],
            timeout: None,
            memory: None,
            environment: &[],
        }
    }

    pub const fn describe(self, description: &'static str) -> Self {
        Operation {
            description,
            ..self
        }
    }

    pub const fn routes(self, routes: &'static [Route]) -> Self {
        Operation {
            trigger: Trigger::Routes(routes),
            ..self
        }
    }

    pub const fn grants(self, grants: &'static [Grant]) -> Self {
        Operation { grants, ..self }
    }

    pub const fn timeout(self, seconds: u32) -> Self {
        Operation {
            timeout: Some(seconds),
            ..self
        }
    }

    pub const fn memory(self, megabytes: u32) -> Self {
        Operation {
            memory: Some(megabytes),
            ..self
        }
    }

    pub const fn environment(self, environment: &'static [(&'static str, &'static str)]) -> Self {
        Operation {
            environment,
            ..self
        }
    }

    pub fn route_list(&self) -> &'static [Route] {
        match self.trigger {
            Trigger::Routes(routes) => routes,
            _ => &[],
        }
    }

    /// The template's logical id: `auth-mfa-verify` → `AuthMfaVerifyFunction`.
    pub fn logical_id(&self) -> String {
        let mut id: String = self
            .name
            .split('-')
            .map(|word| {
                let mut chars = word.chars();
                match chars.next() {
                    Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                    None => String::new(),
                }
            })
            .collect();
        id.push_str("Function");
        id
    }
}

/// What a capability's `OPERATIONS` declaration needs in scope.
pub mod prelude {
    pub use super::Method::{Delete, Get, Patch, Post, Put};
    pub use super::{
        table, Grant, Operation, Resource, Route, RuntimeFuture, Trigger, ACTORS, BILLING,
        CLIENT_ADMIN, CONTACTS, EVERYONE, FIRM, FIRM_ADMIN, FIRM_READ, FIRM_READ_QUERY, FIRM_WRITE,
        FIRM_WRITE_QUERY, SEND_MAIL, TENANT_SESSIONS,
    };
}

/// The variable that tells the portal's one binary which operation this function is.
pub const OPERATION_VARIABLE: &str = "ATRIUM_OPERATION";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_ids_are_the_names_in_camel_case() {
        let operation = Operation::runtime(
            "auth-mfa-verify",
            || Box::pin(async { Ok(()) }),
            Trigger::Authorizer,
        );
        assert_eq!(operation.logical_id(), "AuthMfaVerifyFunction");
    }

    #[test]
    fn access_names_who_may_call() {
        let route = Route::hidden(Method::Get, "/api/invoices/{invoice}", BILLING);
        assert!(route.access.allows(Who::Billing));
        assert!(!route.access.allows(Who::Member));
        assert!(Route::public(Method::Post, "/api/auth/login")
            .access
            .allows(Who::ReadOnly));
        assert_eq!(route.key(), "GET /api/invoices/{invoice}");
    }
}
