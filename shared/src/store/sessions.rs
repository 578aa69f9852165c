//! Sessions the person controls. A sign-in makes one session: `LOGIN#<email>` /
//! `SESSION#<id>` (when and where it started, the absolute end, and for each organisation it
//! opened the person's `sub` there, its Cognito `origin_jti` and its refresh token sealed with
//! the session's secret, [`crate::sealed`]). Each organisation's access tokens carry that
//! `origin_jti` through every refresh, and `SESSIONJTI#<origin_jti>` / `GATE` is what the
//! authorizer reads on every request: ended, idle for too long or past its end, the token is
//! refused at once. Ending a session marks the record and all its gates in one transaction.
//!
//! The secret is 256 random bits that only the person's cookie holds (`<id>.<secret>`); the
//! table keeps its SHA-256, as for invitation links.

use super::{
    delete_tx, from_item, put_tx, s, to_item, update_tx, values, AttributeValue, Store, Write,
};
use crate::error::{ApiError, ApiResult};
use crate::keys;
use crate::secrets::{is_plausible_token, new_token, token_hash};
use serde::{Deserialize, Serialize};

/// "Last used" is written at most this often, so reads do not all become writes.
pub const TOUCH_EVERY_SECONDS: i64 = 60;

/// What the person's cookie holds: the session's id and its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionKey {
    pub id: String,
    pub secret: String,
}

impl SessionKey {
    pub fn new() -> Self {
        Self {
            id: ulid::Ulid::new().to_string(),
            secret: new_token(),
        }
    }

    /// `<id>.<secret>` as the cookie (or an integration) sends it back; anything else is `None`.
    pub fn parse(text: &str) -> Option<Self> {
        let (id, secret) = text.split_once('.')?;
        (crate::ids::is_id(id) && is_plausible_token(secret)).then(|| Self {
            id: id.to_string(),
            secret: secret.to_string(),
        })
    }

    pub fn to_cookie(&self) -> String {
        format!("{}.{}", self.id, self.secret)
    }

    /// Where a sealed refresh token of this session and organisation belongs (the AEAD's
    /// associated data).
    pub fn place(&self, organisation: &str) -> String {
        format!("{}/{organisation}", self.id)
    }
}

impl Default for SessionKey {
    fn default() -> Self {
        Self::new()
    }
}

/// One organisation a session opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionOrganisation {
    /// The tenant id, or `staff`.
    pub id: String,
    pub name: String,
    /// `client` or `staff`.
    pub kind: String,
    pub sub: String,
    pub origin_jti: String,
    /// The refresh token, sealed with the session's secret for `SessionKey::place(id)`.
    pub refresh: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub id: String,
    pub email: String,
    pub secret_hash: String,
    pub started_at: i64,
    pub ip: String,
    pub browser: String,
    pub absolute_end: i64,
    pub idle_seconds: i64,
    /// The organisation whose access token the person holds now.
    pub open_organisation: String,
    pub organisations: Vec<SessionOrganisation>,
    /// Absent while live (a condition tests `attribute_not_exists(ended_at)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<i64>,
    /// The table's TTL: a day after the absolute end.
    pub expires_at: i64,
}

impl SessionRecord {
    pub fn organisation(&self, id: &str) -> Option<&SessionOrganisation> {
        self.organisations
            .iter()
            .find(|organisation| organisation.id == id)
    }

    /// Neither ended nor past its absolute end.
    pub fn is_live(&self, now: i64) -> bool {
        self.ended_at.is_none() && now < self.absolute_end
    }
}

/// What the authorizer reads for one access token's `origin_jti`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionGate {
    pub session_id: String,
    pub email: String,
    pub absolute_end: i64,
    pub idle_seconds: i64,
    pub last_used: i64,
    /// The session ended (signed out, ended from another, a password reset).
    #[serde(default)]
    pub revoked: bool,
    pub expires_at: i64,
}

/// Why a gate refuses a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateRefusal {
    Ended,
    Expired,
    Idle,
}

impl SessionGate {
    pub fn check(&self, now: i64) -> Result<(), GateRefusal> {
        if self.revoked {
            Err(GateRefusal::Ended)
        } else if now >= self.absolute_end {
            Err(GateRefusal::Expired)
        } else if now - self.last_used > self.idle_seconds {
            Err(GateRefusal::Idle)
        } else {
            Ok(())
        }
    }

    /// Whether this request should write "last used" (at most once a minute).
    pub fn wants_touch(&self, now: i64) -> bool {
        now - self.last_used >= TOUCH_EVERY_SECONDS
    }
}

/// A sign-in waiting for authenticator codes: the organisations already signed in (their
/// tokens sealed with the pending sign-in's own key, which only the person holds) and those
/// still asking, one after the other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSignIn {
    pub email: String,
    pub done: Vec<SealedTokens>,
    pub waiting: Vec<WaitingOrganisation>,
    /// `cookie` or `bearer`.
    pub mode: String,
    pub expires_at: i64,
}

/// One organisation's tokens, sealed for `SessionKey::place(organisation)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedTokens {
    pub organisation: String,
    pub access: String,
    pub refresh: String,
    pub expires_in: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingOrganisation {
    pub id: String,
    pub name: String,
    pub kind: String,
    /// `totp`, `mfa_setup` or `new_password`.
    pub challenge: String,
    pub cognito_session: String,
}

/// How long a pending sign-in waits for its codes (Cognito's own challenge sessions last
/// three minutes by default).
pub const PENDING_SECONDS: i64 = 5 * 60;

fn login_pk(email: &str) -> String {
    keys::login_pk(&email.trim().to_lowercase())
}

impl Store {
    /// Writes a new session and a gate for each of its organisations, all or nothing.
    pub async fn create_session(&self, record: &SessionRecord, now: i64) -> ApiResult<()> {
        let mut items = vec![put_tx(
            to_item(
                &login_pk(&record.email),
                &keys::session_sk(&record.id),
                record,
            )?,
            Some("attribute_not_exists(PK)"),
            None,
        )?];
        for organisation in &record.organisations {
            items.push(self.gate_tx(record, &organisation.origin_jti, now)?);
        }
        self.transact(items, "session exists").await
    }

    fn gate_tx(&self, record: &SessionRecord, origin_jti: &str, now: i64) -> ApiResult<Write> {
        let gate = SessionGate {
            session_id: record.id.clone(),
            email: record.email.clone(),
            absolute_end: record.absolute_end,
            idle_seconds: record.idle_seconds,
            last_used: now,
            revoked: false,
            expires_at: record.expires_at,
        };
        put_tx(
            to_item(
                &keys::session_gate_pk(origin_jti),
                keys::SESSION_GATE_SK,
                &gate,
            )?,
            None,
            None,
        )
    }

    pub async fn session(&self, email: &str, id: &str) -> ApiResult<Option<SessionRecord>> {
        self.get_record(&login_pk(email), &keys::session_sk(id))
            .await
    }

    /// The session a cookie names, if its secret matches and it is live.
    pub async fn session_of_key(
        &self,
        email: &str,
        key: &SessionKey,
        now: i64,
    ) -> ApiResult<Option<SessionRecord>> {
        Ok(self
            .session(email, &key.id)
            .await?
            .filter(|record| record.secret_hash == token_hash(&key.secret) && record.is_live(now)))
    }

    pub async fn session_gate(&self, origin_jti: &str) -> ApiResult<Option<SessionGate>> {
        self.get_record(&keys::session_gate_pk(origin_jti), keys::SESSION_GATE_SK)
            .await
    }

    /// Marks the gate used now, unless another request did within the minute or it ended.
    /// A lost race or a failed write only means "last used" is a little older.
    pub async fn touch_gate(&self, origin_jti: &str, now: i64) {
        let result = self
            .dynamo
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::session_gate_pk(origin_jti)))
            .key(keys::SK, s(keys::SESSION_GATE_SK))
            .update_expression("SET last_used = :now")
            .condition_expression("attribute_exists(PK) AND last_used <= :stale AND revoked = :no")
            .expression_attribute_values(":now", AttributeValue::N(now.to_string()))
            .expression_attribute_values(
                ":stale",
                AttributeValue::N((now - TOUCH_EVERY_SECONDS).to_string()),
            )
            .expression_attribute_values(":no", AttributeValue::Bool(false))
            .send()
            .await;
        if let Err(error) = result {
            if !matches!(
                error.as_service_error(),
                Some(error) if error.is_conditional_check_failed_exception()
            ) {
                tracing::warn!(?error, "session gate not touched");
            }
        }
    }

    /// The organisation the session shows now (switching), and its gate used now, so a
    /// switch after a long while in another organisation does not find it idle.
    pub async fn switch_session(
        &self,
        record: &SessionRecord,
        organisation: &SessionOrganisation,
        now: i64,
    ) -> ApiResult<()> {
        let items = vec![
            update_tx(
                &login_pk(&record.email),
                &keys::session_sk(&record.id),
                "SET open_organisation = :open",
                Some("attribute_exists(PK) AND attribute_not_exists(ended_at)"),
                values(&[(":open", s(&organisation.id))]),
            )?,
            update_tx(
                &keys::session_gate_pk(&organisation.origin_jti),
                keys::SESSION_GATE_SK,
                "SET last_used = :now",
                Some("attribute_exists(PK) AND revoked = :no"),
                values(&[
                    (":now", AttributeValue::N(now.to_string())),
                    (":no", AttributeValue::Bool(false)),
                ]),
            )?,
        ];
        self.transact(items, "session: this session has ended")
            .await
    }

    /// Ends one session: the record and every gate, together. Ending an ended session is
    /// a no-op.
    pub async fn end_session(&self, record: &SessionRecord, now: i64) -> ApiResult<()> {
        if record.ended_at.is_some() {
            return Ok(());
        }
        let mut items = vec![update_tx(
            &login_pk(&record.email),
            &keys::session_sk(&record.id),
            "SET ended_at = :now",
            Some("attribute_exists(PK)"),
            values(&[(":now", AttributeValue::N(now.to_string()))]),
        )?];
        for organisation in &record.organisations {
            items.push(update_tx(
                &keys::session_gate_pk(&organisation.origin_jti),
                keys::SESSION_GATE_SK,
                "SET revoked = :yes",
                None,
                values(&[(":yes", AttributeValue::Bool(true))]),
            )?);
        }
        self.transact(items, "session changed meanwhile").await
    }

    /// The person's live sessions, newest first (ended and expired ones are left out).
    pub async fn live_sessions(&self, email: &str, now: i64) -> ApiResult<Vec<SessionRecord>> {
        let mut found = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .dynamo
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
                .expression_attribute_values(":pk", s(login_pk(email)))
                .expression_attribute_values(":prefix", s(keys::SESSION_PREFIX))
                .scan_index_forward(false)
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|error| ApiError::dependency("dynamodb query", error))?;
            for item in output.items.unwrap_or_default() {
                let record: SessionRecord = from_item(item)?;
                if record.is_live(now) {
                    found.push(record);
                }
            }
            start = output.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        Ok(found)
    }

    /// Ends every live session of the person (a password reset or change). Answers how many.
    pub async fn end_all_sessions(&self, email: &str, now: i64) -> ApiResult<usize> {
        let sessions = self.live_sessions(email, now).await?;
        for record in &sessions {
            self.end_session(record, now).await?;
        }
        Ok(sessions.len())
    }

    /// A pending sign-in under the hash of its token, for five minutes.
    pub async fn put_pending_sign_in(
        &self,
        token_hash: &str,
        pending: &PendingSignIn,
    ) -> ApiResult<()> {
        let item = put_tx(
            to_item(
                &keys::pending_sign_in_pk(token_hash),
                keys::PENDING_SIGN_IN_SK,
                pending,
            )?,
            None,
            None,
        )?;
        self.transact(vec![item], "sign-in exists").await
    }

    pub async fn pending_sign_in(
        &self,
        token_hash: &str,
        now: i64,
    ) -> ApiResult<Option<PendingSignIn>> {
        Ok(self
            .get_record::<PendingSignIn>(
                &keys::pending_sign_in_pk(token_hash),
                keys::PENDING_SIGN_IN_SK,
            )
            .await?
            .filter(|pending| pending.expires_at > now))
    }

    pub async fn forget_pending_sign_in(&self, token_hash: &str) -> ApiResult<()> {
        let item = delete_tx(
            &keys::pending_sign_in_pk(token_hash),
            keys::PENDING_SIGN_IN_SK,
            None,
        )?;
        self.transact(vec![item], "sign-in changed").await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(last_used: i64, revoked: bool) -> SessionGate {
        SessionGate {
            session_id: "S".into(),
            email: "a@b.example".into(),
            absolute_end: 1_000,
            idle_seconds: 100,
            last_used,
            revoked,
            expires_at: 2_000,
        }
    }

    #[test]
    fn a_gate_refuses_ended_expired_and_idle_sessions() {
        assert_eq!(gate(500, false).check(550), Ok(()));
        assert_eq!(gate(500, true).check(550), Err(GateRefusal::Ended));
        assert_eq!(gate(990, false).check(1_000), Err(GateRefusal::Expired));
        assert_eq!(gate(500, false).check(601), Err(GateRefusal::Idle));
        assert!(!gate(500, false).wants_touch(559));
        assert!(gate(500, false).wants_touch(560));
    }

    #[test]
    fn session_keys_round_trip_and_refuse_nonsense() {
        let key = SessionKey::new();
        assert_eq!(SessionKey::parse(&key.to_cookie()), Some(key.clone()));
        assert_eq!(SessionKey::parse("nodot"), None);
        assert_eq!(SessionKey::parse("short.secret"), None);
        assert_eq!(SessionKey::parse(&format!("{}.x", key.id)), None);
    }
}
