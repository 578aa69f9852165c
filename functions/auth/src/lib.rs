//! Sign-in and the signed-in person's own account. One module per operation; each exposes
//! `handle(&App, Request)`, which the Lambda binary and the local gateway both call.

use atrium_shared::handler;
use atrium_shared::operation::prelude::*;

pub mod accept_invite;
pub mod login;
pub mod logout;
pub mod me;
pub mod mfa_associate;
pub mod mfa_disable;
pub mod mfa_verify;
pub mod password_change;
pub mod refresh;
pub mod session;

pub use session::SignInResponse;

/// This capability's operations: routes, who may call them, the AWS access each needs
/// (docs/architecture.md, "Adding an operation").
pub const OPERATIONS: &[Operation] = &[
    Operation::http("auth-login", handler!(login::handle))
        .describe("Signs a person in and answers MFA challenges.")
        .routes(&[Route::public(Post, "/api/auth/login")])
        .grants(&[
            TENANT_SESSIONS,
            FIRM_WRITE,
            Grant::new(
                &["cognito-idp:AssociateSoftwareToken", "cognito-idp:VerifySoftwareToken"],
                &[Resource::Any],
            ),
        ]),
    Operation::http("auth-accept-invite", handler!(accept_invite::handle))
        .describe(
            "Sets a new contact's (or staff member's) password from their single-use invitation and signs them in.",
        )
        .routes(&[Route::public(Post, "/api/auth/accept-invite")])
        .grants(&[
            TENANT_SESSIONS,
            table(&[
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:DeleteItem",
            ]),
            Grant::new(&["cognito-idp:AdminSetUserPassword"], &[Resource::UserPools]),
        ]),
    Operation::http("auth-logout", handler!(logout::handle))
        .describe("Ends the session (refresh tokens revoked, access tokens refused).")
        .routes(&[Route::new(Post, "/api/auth/logout", EVERYONE)])
        .grants(&[
            TENANT_SESSIONS,
            FIRM_WRITE,
        ]),
    Operation::http("auth-me", handler!(me::handle))
        .describe("Who is signed in.")
        .routes(&[Route::new(Get, "/api/me", EVERYONE)])
        .grants(&[
            TENANT_SESSIONS,
            table(&["dynamodb:GetItem", "dynamodb:BatchGetItem"]).firm_keys_only(),
        ]),
    Operation::http("auth-mfa-associate", handler!(mfa_associate::handle))
        .describe("Starts enrolling a TOTP authenticator.")
        .routes(&[Route::new(Post, "/api/auth/mfa/associate", EVERYONE)])
        .grants(&[
            TENANT_SESSIONS,
            FIRM_READ,
        ]),
    Operation::http("auth-mfa-verify", handler!(mfa_verify::handle))
        .describe("Confirms a TOTP authenticator and makes it the second factor.")
        .routes(&[Route::new(Post, "/api/auth/mfa/verify", EVERYONE)])
        .grants(&[
            TENANT_SESSIONS,
            FIRM_WRITE,
        ]),
    Operation::http("auth-mfa-disable", handler!(mfa_disable::handle))
        .describe("Turns TOTP off after the password is confirmed.")
        .routes(&[Route::new(Post, "/api/auth/mfa/disable", EVERYONE)])
        .grants(&[
            TENANT_SESSIONS,
            FIRM_WRITE,
        ]),
    Operation::http("auth-password-change", handler!(password_change::handle))
        .describe("Changes the signed-in person's password (the current one required) and ends every session.")
        .routes(&[Route::new(Post, "/api/auth/password/change", EVERYONE)])
        .grants(&[
            TENANT_SESSIONS,
            FIRM_WRITE,
            SEND_MAIL,
        ]),
    Operation::http("auth-refresh", handler!(refresh::handle))
        .describe("A new access token from the refresh cookie.")
        .routes(&[Route::public(Post, "/api/auth/refresh")])
        .grants(&[
            FIRM_READ,
        ]),
];
