//! Sign-in and the signed-in person's own account. One module per operation; each exposes
//! `handle(&App, Request)`, which the Lambda binary and the local gateway both call.

use atrium_shared::operation::prelude::*;
use atrium_shared::{event_handler, handler};

pub mod accept_invite;
pub mod backfill;
pub mod everywhere;
pub mod login;
pub mod logout;
pub mod me;
pub mod mfa_associate;
pub mod mfa_disable;
pub mod mfa_verify;
pub mod open;
pub mod password_change;
pub mod reset;
pub mod session;
pub mod sessions;
pub mod signin;
pub mod switch;

pub use session::SignInResponse;

/// This capability's operations: routes, who may call them, the AWS access each needs
/// (docs/architecture.md, "Adding an operation").
pub const OPERATIONS: &[Operation] = &[
    Operation::http("auth-login", handler!(login::handle))
        .describe("Signs a person in and answers MFA challenges.")
        .routes(&[Route::public(Post, "/api/auth/login")])
        .grants(&[
            TENANT_SESSIONS,
            FIRM_WRITE_QUERY,
            table(&["dynamodb:DeleteItem"]).firm_keys_only(),
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
                "dynamodb:Query",
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
            FIRM_WRITE_QUERY,
            SEND_MAIL,
            Grant::new(
                &["cognito-idp:AdminSetUserPassword", "cognito-idp:AdminUserGlobalSignOut"],
                &[Resource::UserPools],
            ),
        ]),
    Operation::event(
        "people-index-backfill",
        event_handler!(backfill::handle),
        Trigger::Schedule {
            expression: "rate(30 minutes)",
            description: "Writes the person index for contacts and staff from before it; a single read once done.",
        },
    )
    .describe("Backfills the person index (email-only sign-in) for people who existed before it.")
    .timeout(900)
    .grants(&[
        TENANT_SESSIONS,
        FIRM_WRITE_QUERY,
    ]),
    Operation::http("auth-password-forgot", handler!(reset::forgot))
        .describe("Mails a single-use link to choose a new password (the same answer for every address).")
        .routes(&[Route::public(Post, "/api/auth/password/forgot")])
        .grants(&[
            TENANT_SESSIONS,
            FIRM_WRITE_QUERY,
            SEND_MAIL,
        ]),
    Operation::http("auth-password-reset", handler!(reset::reset))
        .describe("Sets a new password with a reset link in every organisation of the person and ends every session.")
        .routes(&[Route::public(Post, "/api/auth/password/reset")])
        .grants(&[
            TENANT_SESSIONS,
            FIRM_WRITE_QUERY,
            SEND_MAIL,
            Grant::new(
                &["cognito-idp:AdminSetUserPassword", "cognito-idp:AdminUserGlobalSignOut"],
                &[Resource::UserPools],
            ),
        ]),
    Operation::http("auth-refresh", handler!(switch::refresh))
        .describe("A new access token for the open organisation, from the session cookie.")
        .routes(&[Route::public(Post, "/api/auth/refresh")])
        .grants(&[
            FIRM_WRITE,
        ]),
    Operation::http("auth-switch", handler!(switch::switch))
        .describe("Opens another organisation of the same sign-in, without the password.")
        .routes(&[Route::public(Post, "/api/auth/switch")])
        .grants(&[
            FIRM_WRITE,
        ]),
    Operation::http("auth-sessions", handler!(sessions::list))
        .describe("Lists the signed-in person's live sessions.")
        .routes(&[Route::new(Get, "/api/auth/sessions", EVERYONE)])
        .grants(&[
            FIRM_READ_QUERY,
        ]),
    Operation::http("auth-session-end", handler!(sessions::end))
        .describe("Ends one of the person's sessions.")
        .routes(&[Route::new(Delete, "/api/auth/sessions/{session}", EVERYONE)])
        .grants(&[
            TENANT_SESSIONS,
            FIRM_WRITE,
        ]),
    Operation::http("auth-sessions-end-others", handler!(sessions::end_others))
        .describe("Ends every session of the person but this one.")
        .routes(&[Route::new(Post, "/api/auth/sessions/end-others", EVERYONE)])
        .grants(&[
            TENANT_SESSIONS,
            FIRM_WRITE_QUERY,
        ]),
];
