//! Identifiers: ULIDs, sortable by creation time.

pub fn new_id() -> String {
    ulid::Ulid::new().to_string()
}

/// Ids the server made are upper-case Crockford base32, 26 characters.
pub fn is_id(candidate: &str) -> bool {
    candidate.len() == 26 && ulid::Ulid::from_string(candidate).is_ok()
}

pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// An epoch second as RFC 3339 (`1970-01-01T00:00:00Z` for one out of range).
pub fn epoch_rfc3339(epoch: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(epoch)
        .ok()
        .and_then(|at| {
            at.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string())
}

pub fn now_epoch() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
