//! Every DynamoDB key is built here, so the key design can be read in one place.
//!
//! Tenant data: `PK = T#<tenant>` (from a [`TenantScope`] only).
//! Firm-level registry (not tenant data; never reachable with a tenant's credentials):
//! `SLUG#<slug>`, `ISSUER#<iss>`, `INVITE#<sha256>`, `FIRM` (clients list), `STAFF`.

use crate::principal::TenantScope;

pub const PK: &str = "PK";
pub const SK: &str = "SK";
pub const GSI1PK: &str = "GSI1PK";
pub const GSI1SK: &str = "GSI1SK";
pub const EXPIRES_AT: &str = "expires_at";

pub fn tenant_pk(scope: &TenantScope) -> String {
    format!("T#{}", scope.tenant_id())
}

pub const PROFILE_SK: &str = "PROFILE";

pub fn contact_sk(sub: &str) -> String {
    format!("CONTACT#{sub}")
}

pub const CONTACT_PREFIX: &str = "CONTACT#";

pub fn latest_invite_sk(sub: &str) -> String {
    format!("INVITEOF#{sub}")
}

/// Audit entries sort by their position in the tenant's trail.
pub fn audit_sk(seq: u64) -> String {
    format!("AUDIT#{seq:012}")
}
pub const AUDIT_PREFIX: &str = "AUDIT#";
/// The trail's head: the last position and hash (`T#<tenant>` / `AUDITHEAD`).
pub const AUDIT_HEAD_SK: &str = "AUDITHEAD";

pub fn slug_pk(slug: &str) -> String {
    format!("SLUG#{slug}")
}
pub const SLUG_SK: &str = "SLUG";

pub fn issuer_pk(issuer: &str) -> String {
    format!("ISSUER#{issuer}")
}
pub const ISSUER_SK: &str = "ISSUER";

pub fn invite_pk(token_hash: &str) -> String {
    format!("INVITE#{token_hash}")
}
pub const INVITE_SK: &str = "INVITE";

pub const FIRM_PK: &str = "FIRM";
pub const CLIENT_PREFIX: &str = "CLIENT#";
/// The firm's count of clients (one user pool each), kept by onboarding against the limit.
pub const CLIENT_COUNT_SK: &str = "COUNT#CLIENTS";

pub fn client_sk(tenant_id: &str) -> String {
    format!("{CLIENT_PREFIX}{tenant_id}")
}

pub const STAFF_PK: &str = "STAFF";

pub fn staff_sk(sub: &str) -> String {
    format!("USER#{sub}")
}

/// The firm's own audit trail (branding, staff accounts): `FIRMAUDIT` / `AUDIT#<seq>` and its
/// head `FIRMAUDIT` / `AUDITHEAD`, chained exactly like a tenant's trail.
pub const FIRM_AUDIT_PK: &str = "FIRMAUDIT";

/// The firm's settings: `SETTINGS` / `BRANDING` (one item, read by every mail and the public
/// branding route) and `SETTINGS` / `LOGOUPLOAD#<id>` (a logo upload waiting for its confirm).
pub const SETTINGS_PK: &str = "SETTINGS";
/// The firm's Stripe connection (`SETTINGS` / `STRIPE`): the account, the keys' last four
/// characters, the publishable key; the secret keys live in Secrets Manager.
pub const STRIPE_SK: &str = "STRIPE";

/// Which tenant a Stripe PaymentIntent belongs to (a shared marker, see
/// [`crate::tenancy::SHARED_PREFIXES`]).
pub fn stripe_pi_pk(payment_intent: &str) -> String {
    format!("STRIPEPI#{payment_intent}")
}
pub const STRIPE_PI_SK: &str = "STRIPEPI";
pub const BRANDING_SK: &str = "BRANDING";

pub fn logo_upload_sk(id: &str) -> String {
    format!("LOGOUPLOAD#{id}")
}

/// Firm-level objects live under `firm/` (never `tenants/`), written with the function's own
/// role; the logo's key holds only an id the server made.
pub const BRANDING_OBJECT_PREFIX: &str = "firm/branding/";

pub fn logo_object_key(id: &str) -> String {
    format!("{BRANDING_OBJECT_PREFIX}logo/{id}")
}

/// `STAFF` / `ADMINGUARD`: moved with every change that takes a firm admin away, so two such
/// changes at once cannot leave the firm without one.
pub const STAFF_ADMIN_GUARD_SK: &str = "ADMINGUARD";

/// The index attributes of the second index (requests by status, tickets' queue, a form's
/// assignments across clients).
pub const GSI2PK: &str = "GSI2PK";
pub const GSI2SK: &str = "GSI2SK";

/// `THROTTLE#<kind>#<value>` / `THROTTLE`: failed attempts counted for one email (by its
/// SHA-256, so the table holds no address anybody typed) or one source address.
pub fn throttle_pk(kind: &str, value: &str) -> String {
    format!("THROTTLE#{kind}#{value}")
}
pub const THROTTLE_SK: &str = "THROTTLE";

/// `PERSON#<email>` / `ORG#<tenant>` or `STAFF`: the person index (`store::people`), a shared
/// prefix so a contact's membership is written in the transaction that creates the contact.
pub fn person_pk(email_lowercase: &str) -> String {
    format!("PERSON#{email_lowercase}")
}
pub fn person_org_sk(tenant_id: &str) -> String {
    format!("ORG#{tenant_id}")
}
pub const PERSON_STAFF_SK: &str = "STAFF";

/// `LOGIN#<email>` / `SESSION#<id>`: a person's sessions (`store::sessions`), listed with one
/// `Query`. Firm keys only: the tokens they hold are the person's, across organisations.
pub fn login_pk(email_lowercase: &str) -> String {
    format!("LOGIN#{email_lowercase}")
}
pub fn session_sk(id: &str) -> String {
    format!("SESSION#{id}")
}
pub const SESSION_PREFIX: &str = "SESSION#";

/// `SESSIONJTI#<origin_jti>` / `GATE`: what the authorizer reads for each access token (the
/// session it belongs to, whether it ended, when it idles out).
pub fn session_gate_pk(origin_jti: &str) -> String {
    format!("SESSIONJTI#{origin_jti}")
}
pub const SESSION_GATE_SK: &str = "GATE";

/// `SIGNIN#<sha256>` / `SIGNIN`: a sign-in waiting for authenticator codes (five minutes).
pub fn pending_sign_in_pk(token_hash: &str) -> String {
    format!("SIGNIN#{token_hash}")
}
pub const PENDING_SIGN_IN_SK: &str = "SIGNIN";

/// `RESET#<sha256>` / `RESET`: a password reset link (60 minutes, single use).
pub fn reset_pk(token_hash: &str) -> String {
    format!("RESET#{token_hash}")
}
pub const RESET_SK: &str = "RESET";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_keys_start_with_the_tenant() {
        let scope = TenantScope::from_registry("01JABCDEFGHJKMNPQRSTVWXYZ0");
        assert_eq!(tenant_pk(&scope), "T#01JABCDEFGHJKMNPQRSTVWXYZ0");
    }
}
