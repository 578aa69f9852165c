//! Payments: a firm connects its own Stripe account, and a client's admins and billing
//! contacts pay sent or overdue invoices in the portal by card (or SEPA bank debit where the
//! firm turns it on) through Stripe.js, so no card or bank detail ever reaches these functions
//! (PCI SAQ A). The invoice is marked paid only by Stripe's signed event, handled once
//! (crate::webhook); staff also record payments made outside the portal. Stripe's fees are the
//! firm's own: Atrium adds none.
//!
//! The flow, the data and the checks are in [`pay`], [`webhook`] and [`data`]; the keys live in
//! Secrets Manager ([`secrets`]); Stripe is reached through [`stripe`], a small typed client.

use atrium_shared::handler;
use atrium_shared::operation::prelude::*;

pub mod config;
pub mod data;
pub mod ledger;
pub mod list;
pub mod mails;
pub mod pay;
pub mod record;
pub mod secrets;
pub mod settings;
pub mod signature;
pub mod stripe;
pub mod view;
pub mod webhook;

const READ_KEYS: Grant = Grant::new(
    &["secretsmanager:GetSecretValue"],
    &[Resource::StripeSecret],
);
const WRITE_KEYS: Grant = Grant::new(
    &[
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:CreateSecret",
    ],
    &[Resource::StripeSecret],
);

/// This capability's operations: routes, who may call them, the AWS access each needs
/// (docs/architecture.md, "Adding an operation").
pub const OPERATIONS: &[Operation] = &[
    Operation::http("payments-settings-get", handler!(settings::get))
    .describe("The firm's Stripe connection (account, keys' last four characters, webhook URL) for firm admins.")
    .routes(&[
        Route::new(Get, "/api/firm/stripe", FIRM_ADMIN),
    ])
    .grants(&[
        FIRM_READ,
    ]),
    Operation::http("payments-settings-put", handler!(settings::put))
    .describe("Connects (or re-keys) the firm's Stripe account; the secrets go to Secrets Manager (firm admins).")
    .routes(&[
        Route::new(Put, "/api/firm/stripe", FIRM_ADMIN),
    ])
    .grants(&[
        FIRM_WRITE,
        WRITE_KEYS,
    ]),
    Operation::http("payments-settings-delete", handler!(settings::delete))
    .describe("Disconnects Stripe, so invoices show their payment details only (firm admins).")
    .routes(&[
        Route::new(Delete, "/api/firm/stripe", FIRM_ADMIN),
    ])
    .grants(&[
        table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]).firm_keys_only(),
        WRITE_KEYS,
    ]),
    Operation::http("payments-config", handler!(config::handle))
    .describe("Whether invoices can be paid in the portal, and the publishable key for Stripe.js.")
    .routes(&[
        Route::new(Get, "/api/payments/config", BILLING),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_READ,
    ]),
    Operation::http("payments-start", handler!(pay::start))
    .describe("Starts paying an invoice with a SetupIntent for Stripe.js to confirm with the card or account.")
    .routes(&[
        Route::hidden(Post, "/api/invoices/{invoice}/payments/start", BILLING),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_READ,
        READ_KEYS,
    ]),
    Operation::http("payments-confirm", handler!(pay::confirm))
    .describe("Charges the invoice's balance with the confirmed card or account (one charge per click, ever).")
    .routes(&[
        Route::hidden(Post, "/api/invoices/{invoice}/payments/confirm", BILLING),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_READ,
        READ_KEYS,
    ]),
    Operation::http("payments-list", handler!(list::handle))
    .describe("An invoice's payments and refunds.")
    .routes(&[
        Route::hidden(Get, "/api/invoices/{invoice}/payments", BILLING),
        Route::new(Get, "/api/clients/{id}/invoices/{invoice}/payments", FIRM),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_READ,
    ]),
    Operation::http("payments-record", handler!(record::handle))
    .describe("Records a payment made outside the portal (bank transfer, cheque, cash) against an invoice.")
    .routes(&[
        Route::new(Post, "/api/clients/{id}/invoices/{invoice}/payments", FIRM),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_READ,
    ]),
    Operation::http("payments-webhook", handler!(webhook::handle))
    .describe("Reconciles Stripe's signed events (payments, failures, refunds) with invoices, each once.")
    .routes(&[
        Route::public(Post, "/api/stripe/webhook"),
    ])
    .grants(&[
        TENANT_SESSIONS,
        FIRM_READ,
        READ_KEYS,
        SEND_MAIL,
    ]),
];
