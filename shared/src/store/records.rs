//! What the table holds. Keys are added by [`super::to_item`]; these are the attributes.

use crate::principal::Role;
use serde::{Deserialize, Serialize};

/// The firm's record of a client organisation (`FIRM` / `CLIENT#<tenant>`), including how far
/// onboarding got, so a failed onboarding can be resumed without doing anything twice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientRecord {
    pub tenant_id: String,
    pub name: String,
    pub slug: String,
    pub contact_name: String,
    pub contact_email: String,
    #[serde(default)]
    pub pool_id: Option<String>,
    #[serde(default)]
    pub app_client_id: Option<String>,
    #[serde(default)]
    pub contact_sub: Option<String>,
    pub mail_state: MailState,
    /// Hash of the invitation token written for the latest send attempt.
    #[serde(default)]
    pub invite_hash: Option<String>,
    pub invitation: InvitationStatus,
    #[serde(default)]
    pub mfa_required: bool,
    pub onboarding_complete: bool,
    /// Until when (epoch seconds) one onboarding request is working on this record: a resume
    /// before then is refused as concurrent, so two requests never make two pools. Released
    /// (0) when a request fails; a request that died frees it by running out.
    #[serde(default)]
    pub lease_until: i64,
    /// Written before the user pool is created. A resume that finds it set without a
    /// `pool_id` looks for a pool the earlier attempt may have made before it died: the only
    /// time onboarding lists the account's pools. Records older than the field may have one.
    #[serde(default = "earlier_attempts_may_have_a_pool")]
    pub pool_requested: bool,
    pub created_at: String,
    pub updated_at: String,
    pub version: u64,
}

fn earlier_attempts_may_have_a_pool() -> bool {
    true
}

/// Where the invitation email stands. `Sending` is written before SES is called; if the call
/// fails it goes back to `NotSent`, so a retry sends exactly once. If the record cannot be
/// updated after SES accepted the mail, `Sending` stays and a retry does not send again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailState {
    NotSent,
    Sending,
    Sent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    /// Onboarding has not sent it yet.
    Pending,
    Sent,
    Accepted,
}

/// `SLUG#<slug>`: which tenant a slug names, and where its users sign in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlugRecord {
    pub tenant_id: String,
    #[serde(default)]
    pub pool_id: Option<String>,
    #[serde(default)]
    pub app_client_id: Option<String>,
}

/// `ISSUER#<iss>`: the only issuers the authorizer trusts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerRecord {
    pub tenant_id: String,
    pub pool_id: String,
    pub app_client_id: String,
}

/// `INVITE#<sha256 of token>`: a single-use invitation. `expires_at` is the table's TTL and
/// is checked again on use, since TTL deletion can lag by days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteRecord {
    pub tenant_id: String,
    pub contact_sub: String,
    pub email: String,
    pub expires_at: i64,
    /// Epoch seconds of a claim in progress (a password being set), 0 when unclaimed.
    #[serde(default)]
    pub claimed_at: i64,
    /// An invitation into the firm's staff pool (`tenant_id` is then empty and `contact_sub`
    /// is the staff member's sub), instead of a client's.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub staff: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Invited,
    Active,
    Disabled,
}

/// A person who signs in: a client contact (`T#<tenant>` / `CONTACT#<sub>`) or a member of the
/// firm's staff (`STAFF` / `USER#<sub>`). The authorizer reads this on every request (cached
/// briefly) for roles, status and the sign-out mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRecord {
    pub sub: String,
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub status: UserStatus,
    #[serde(default)]
    pub mfa_enabled: bool,
    /// Tokens issued before this epoch second are refused (sign-out, removal).
    #[serde(default)]
    pub sessions_valid_after: i64,
    pub created_at: String,
    pub version: u64,
}

/// `T#<tenant>` / `PROFILE`: the client organisation as its own workspace shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileRecord {
    pub tenant_id: String,
    pub name: String,
    pub slug: String,
    pub created_at: String,
    pub version: u64,
}

/// `STRIPEPI#<payment intent>` / `STRIPEPI`: which tenant and invoice a Stripe PaymentIntent
/// was made for. Written in the tenant's own transaction when the portal creates the intent;
/// the webhook (which has no session) reads it to learn whose event it is, and refuses events
/// for intents the portal never made or whose metadata, amount or currency disagree with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentIntentRecord {
    pub payment_intent: String,
    pub tenant_id: String,
    pub invoice_id: String,
    /// The attempt (`PAYATTEMPT#<setup intent>`) that made it.
    pub attempt_id: String,
    pub amount_minor: i64,
    /// Lower-case ISO 4217, as Stripe writes it.
    pub currency: String,
}
