//! The audit trail. Every entry is written in the same `TransactWriteItems` as the change it
//! records ([`crate::store::Store::transact_audited`]), and the entries of a tenant form a
//! hash chain: each holds its sequence number, the previous entry's hash and its own, so an
//! exported trail can be checked offline ([`verify`]) and a changed, removed or inserted line
//! is found.

use crate::http::RequestMeta;
use crate::ids;
use crate::principal::TenantScope;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of a trail's first entry.
/// The `tenant_id` of the firm's own trail's entries.
pub const FIRM_TRAIL: &str = "firm";

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

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
    /// Position in the tenant's trail, from 1; set when the entry is chained.
    #[serde(default)]
    pub seq: u64,
    #[serde(default)]
    pub prev_hash: String,
    #[serde(default)]
    pub hash: String,
}

/// The fields a hash covers, in a fixed order (everything but the hash itself).
#[derive(Serialize)]
struct Covered<'a> {
    seq: u64,
    prev_hash: &'a str,
    id: &'a str,
    tenant_id: &'a str,
    actor: &'a str,
    role: &'a str,
    action: &'a str,
    target: &'a str,
    version: u64,
    at: &'a str,
    ip: &'a str,
    user_agent: &'a str,
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
        Self::in_trail(
            scope.tenant_id(),
            actor,
            role,
            action,
            target,
            version,
            meta,
        )
    }

    /// An unchained entry of the trail `trail` (a tenant's id, or [`FIRM_TRAIL`]).
    fn in_trail(
        trail: &str,
        actor: &str,
        role: &str,
        action: &str,
        target: &str,
        version: u64,
        meta: &RequestMeta,
    ) -> Self {
        Self {
            id: ids::new_id(),
            tenant_id: trail.to_string(),
            actor: actor.to_string(),
            role: role.to_string(),
            action: action.to_string(),
            target: target.to_string(),
            version,
            at: ids::now_rfc3339(),
            ip: meta.ip.clone(),
            user_agent: meta.user_agent.clone(),
            seq: 0,
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    /// An entry of the firm's own trail (branding, staff accounts): what `principal` did to
    /// something that belongs to no client. `tenant_id` is [`FIRM_TRAIL`].
    pub fn firm(
        principal: &crate::principal::Principal,
        action: &str,
        target: &str,
        version: u64,
        meta: &RequestMeta,
    ) -> Self {
        Self::firm_by(
            &principal.actor_label(),
            &crate::principal::Role::join(&principal.roles),
            action,
            target,
            version,
            meta,
        )
    }

    /// As [`AuditEntry::firm`], for an actor without a session yet (accepting an invitation).
    pub fn firm_by(
        actor: &str,
        role: &str,
        action: &str,
        target: &str,
        version: u64,
        meta: &RequestMeta,
    ) -> Self {
        Self::in_trail(FIRM_TRAIL, actor, role, action, target, version, meta)
    }

    /// An entry for what `principal` did in `scope` (actor and role taken from them).
    pub fn by(
        scope: &TenantScope,
        principal: &crate::principal::Principal,
        action: &str,
        target: &str,
        version: u64,
        meta: &RequestMeta,
    ) -> Self {
        Self::new(
            scope,
            &principal.actor_label(),
            &crate::principal::Role::join(&principal.roles),
            action,
            target,
            version,
            meta,
        )
    }

    /// Places the entry after `prev_hash` at position `seq`.
    pub fn chain(&mut self, seq: u64, prev_hash: &str) {
        self.seq = seq;
        self.prev_hash = prev_hash.to_string();
        self.hash = self.computed_hash();
    }

    /// SHA-256 (hex) of the covered fields as JSON.
    pub fn computed_hash(&self) -> String {
        let covered = Covered {
            seq: self.seq,
            prev_hash: &self.prev_hash,
            id: &self.id,
            tenant_id: &self.tenant_id,
            actor: &self.actor,
            role: &self.role,
            action: &self.action,
            target: &self.target,
            version: self.version,
            at: &self.at,
            ip: &self.ip,
            user_agent: &self.user_agent,
        };
        let bytes = serde_json::to_vec(&covered).unwrap_or_default();
        hex::encode(Sha256::digest(bytes))
    }
}

/// Why an exported trail does not check out: the first broken line (1-based) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct Broken {
    pub line: usize,
    pub problem: String,
}

/// Checks a JSON Lines export: every line an entry, sequence numbers consecutive, each entry's
/// hash its own, and each `prev_hash` the hash of the line before (the first may continue an
/// earlier export). Answers how many entries were checked.
pub fn verify(export: &str) -> Result<usize, Broken> {
    let mut previous: Option<AuditEntry> = None;
    let mut count = 0;
    for (index, text) in export.lines().enumerate() {
        let line = index + 1;
        if text.trim().is_empty() {
            continue;
        }
        let broken = |problem: String| Broken { line, problem };
        let entry: AuditEntry = serde_json::from_str(text)
            .map_err(|error| broken(format!("not an audit entry ({error})")))?;
        if entry.computed_hash() != entry.hash {
            return Err(broken(format!(
                "entry {} was changed: its hash does not match its content",
                entry.seq
            )));
        }
        match &previous {
            None if entry.seq == 1 && entry.prev_hash != GENESIS => {
                return Err(broken(
                    "the first entry does not start the trail".to_string(),
                ))
            }
            Some(before) if entry.seq != before.seq + 1 => {
                return Err(broken(format!(
                    "entry {} follows entry {}: entries are missing or out of order",
                    entry.seq, before.seq
                )))
            }
            Some(before) if entry.prev_hash != before.hash => {
                return Err(broken(format!(
                    "entry {} does not follow the entry before it",
                    entry.seq
                )))
            }
            _ => {}
        }
        previous = Some(entry);
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trail(length: u64) -> Vec<AuditEntry> {
        let scope = TenantScope::from_registry("01JABCDEFGHJKMNPQRSTVWXYZ0");
        let mut previous = GENESIS.to_string();
        (1..=length)
            .map(|seq| {
                let mut entry = AuditEntry::new(
                    &scope,
                    "client:x",
                    "admin",
                    "document.downloaded",
                    &format!("document/{seq}"),
                    seq,
                    &RequestMeta::default(),
                );
                entry.chain(seq, &previous);
                previous = entry.hash.clone();
                entry
            })
            .collect()
    }

    fn export(entries: &[AuditEntry]) -> String {
        entries
            .iter()
            .map(|entry| serde_json::to_string(entry).unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn an_intact_trail_verifies() {
        assert_eq!(verify(&export(&trail(5))), Ok(5));
        // A later page continues from wherever the earlier one ended.
        assert_eq!(verify(&export(&trail(5)[2..])), Ok(3));
    }

    #[test]
    fn tampering_is_found_at_the_first_broken_line() {
        let mut entries = trail(5);
        entries[2].target = "document/999".to_string();
        assert_eq!(verify(&export(&entries)).unwrap_err().line, 3);

        let mut entries = trail(5);
        entries.remove(3);
        assert_eq!(verify(&export(&entries)).unwrap_err().line, 4);

        // Rewriting a line and its hash still breaks the link to the next one.
        let mut entries = trail(5);
        entries[1].action = "nothing.happened".to_string();
        entries[1].hash = entries[1].computed_hash();
        assert_eq!(verify(&export(&entries)).unwrap_err().line, 3);

        assert_eq!(verify("{not json").unwrap_err().line, 1);
    }
}
