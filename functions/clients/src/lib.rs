//! Client organisations, as the firm's staff see them.

use atrium_shared::handler;
use atrium_shared::operation::prelude::*;

pub mod get;
pub mod list;
pub mod onboard;
pub mod pools;
pub mod preview;
pub mod set_mfa;

/// This capability's operations: routes, who may call them, the AWS access each needs
/// (docs/architecture.md, "Adding an operation").
pub const OPERATIONS: &[Operation] = &[
    Operation::http("clients-onboard", handler!(onboard::handle))
        .describe(
            "Onboards a client organisation (its own user pool, its first contact, one invitation).",
        )
        .timeout(30)
        .environment(&[("ATRIUM_CLIENT_LIMIT", "!Ref ClientLimit")])
        .routes(&[Route::new(Post, "/api/clients", FIRM_ADMIN)])
        .grants(&[
            TENANT_SESSIONS,
            table(&[
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:DeleteItem",
                "dynamodb:UpdateItem",
            ]),
            Grant::new(
                &["cognito-idp:CreateUserPool", "cognito-idp:ListUserPools"],
                &[Resource::Any],
            ),
            Grant::new(
                &[
                    "cognito-idp:SetUserPoolMfaConfig",
                    "cognito-idp:CreateUserPoolClient",
                    "cognito-idp:ListUserPoolClients",
                    "cognito-idp:AdminCreateUser",
                    "cognito-idp:AdminGetUser",
                    // Taking back an onboarding whose contact's email Cognito refused.
                    "cognito-idp:UpdateUserPool",
                    "cognito-idp:DeleteUserPool",
                ],
                &[Resource::UserPools],
            ),
            SEND_MAIL,
        ]),
    Operation::http("clients-get", handler!(get::handle))
        .describe("One client of the firm, with where its invitation stands.")
        .routes(&[Route::new(Get, "/api/clients/{id}", FIRM)])
        .grants(&[FIRM_READ]),
    Operation::http("clients-list", handler!(list::handle))
        .describe("The firm's clients with their invitation status.")
        .routes(&[Route::new(Get, "/api/clients", FIRM)])
        .grants(&[
            table(&["dynamodb:Query"]).firm_keys_only(),
        ]),
    Operation::http("clients-set-mfa", handler!(set_mfa::handle))
        .describe("Makes an authenticator required or optional for one client's contacts.")
        .routes(&[Route::new(Put, "/api/clients/{id}/mfa", FIRM_ADMIN)])
        .grants(&[
            TENANT_SESSIONS,
            table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]),
            Grant::new(&["cognito-idp:SetUserPoolMfaConfig"], &[Resource::UserPools]),
        ]),
    Operation::http("clients-preview", handler!(preview::handle))
        .describe("Records that a staff member opened the client's view (audited preview).")
        .routes(&[Route::new(Post, "/api/clients/{id}/preview", FIRM)])
        .grants(&[
            TENANT_SESSIONS,
        ]),
];
