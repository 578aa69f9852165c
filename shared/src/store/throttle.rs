//! Brakes on guessing. Failed sign-ins and authenticator codes are counted per email and per
//! source address, in the table, raised atomically (`ADD`) and forgotten by TTL. Five failures
//! for an email in 15 minutes are free; from the sixth each one makes the next attempt wait,
//! 30 seconds doubling up to an hour. A source address (which many people may share behind
//! one office's NAT) gets fifty. A blocked attempt is answered 429 with `Retry-After` before
//! the password is even looked at, the same way whether the email belongs to anyone or not.
//! Cognito's own lockout stays behind this as a second layer.

use super::Store;
use crate::error::{ApiError, ApiResult};
use crate::keys;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use sha2::{Digest, Sha256};

pub const WINDOW_SECONDS: i64 = 15 * 60;
const FIRST_WAIT_SECONDS: i64 = 30;
const LONGEST_WAIT_SECONDS: i64 = 60 * 60;

/// One counter: its key and how many failures in a window are free.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Counter {
    pk: String,
    free: i64,
}

/// The counters an attempt to sign in is held to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    email: Option<Counter>,
    source: Counter,
}

fn hashed(email: &str) -> String {
    hex::encode(Sha256::digest(email.trim().to_lowercase().as_bytes()))
}

impl Attempt {
    /// A password or an authenticator code (sign-in, a password change).
    pub fn sign_in(email: &str, source_ip: &str) -> Self {
        Self {
            email: Some(Counter {
                pk: keys::throttle_pk("email", &hashed(email)),
                free: 5,
            }),
            source: Counter {
                pk: keys::throttle_pk("ip", source_ip),
                free: 50,
            },
        }
    }

    /// Asking for a reset link: every request counts, so nobody can fill a mailbox. Counted
    /// apart from sign-ins, so asking for links never locks the person out of signing in.
    pub fn password_reset(email: &str, source_ip: &str) -> Self {
        Self {
            email: Some(Counter {
                pk: keys::throttle_pk("reset-email", &hashed(email)),
                free: 3,
            }),
            source: Counter {
                pk: keys::throttle_pk("reset-ip", source_ip),
                free: 20,
            },
        }
    }

    /// Using a reset link that is unknown, used or expired: counted per address.
    pub fn reset_link(source_ip: &str) -> Self {
        Self {
            email: None,
            source: Counter {
                pk: keys::throttle_pk("reset-link-ip", source_ip),
                free: 10,
            },
        }
    }

    fn counters(&self) -> impl Iterator<Item = &Counter> {
        self.email.iter().chain(std::iter::once(&self.source))
    }
}

/// How long the next attempt waits after `failures` in the window, of which `free` are free.
pub fn wait_after(failures: i64, free: i64) -> i64 {
    if failures < free {
        return 0;
    }
    let doublings = u32::try_from((failures - free).min(10)).unwrap_or(10);
    (FIRST_WAIT_SECONDS << doublings).min(LONGEST_WAIT_SECONDS)
}

fn number(item: &std::collections::HashMap<String, AttributeValue>, name: &str) -> i64 {
    item.get(name)
        .and_then(|value| value.as_n().ok())
        .and_then(|text| text.parse().ok())
        .unwrap_or_default()
}

impl Store {
    /// 429 with the seconds to wait while any of the attempt's counters is blocked.
    pub async fn check_throttle(&self, attempt: &Attempt, now: i64) -> ApiResult<()> {
        let mut wait = 0;
        for counter in attempt.counters() {
            let item = self
                .dynamo
                .get_item()
                .table_name(&self.table)
                .key(keys::PK, AttributeValue::S(counter.pk.clone()))
                .key(keys::SK, AttributeValue::S(keys::THROTTLE_SK.to_string()))
                .consistent_read(true)
                .send()
                .await
                .map_err(|error| ApiError::dependency("throttle read", error))?
                .item
                .unwrap_or_default();
            wait = wait.max(number(&item, "blocked_until") - now);
        }
        match wait {
            wait if wait > 0 => Err(ApiError::too_many_attempts(wait)),
            _ => Ok(()),
        }
    }

    /// Counts a failure on each counter and, past its free ones, blocks it for a while.
    pub async fn record_failure(&self, attempt: &Attempt, now: i64) -> ApiResult<()> {
        for counter in attempt.counters() {
            let failures = self.count_failure(&counter.pk, now).await?;
            let wait = wait_after(failures, counter.free);
            if wait > 0 {
                self.dynamo
                    .update_item()
                    .table_name(&self.table)
                    .key(keys::PK, AttributeValue::S(counter.pk.clone()))
                    .key(keys::SK, AttributeValue::S(keys::THROTTLE_SK.to_string()))
                    .update_expression("SET blocked_until = :until")
                    .expression_attribute_values(
                        ":until",
                        AttributeValue::N((now + wait).to_string()),
                    )
                    .send()
                    .await
                    .map_err(|error| ApiError::dependency("throttle block", error))?;
            }
        }
        Ok(())
    }

    /// A successful sign-in forgets the email's failures (never the address's).
    pub async fn clear_failures(&self, attempt: &Attempt) -> ApiResult<()> {
        let Some(email) = &attempt.email else {
            return Ok(());
        };
        self.dynamo
            .delete_item()
            .table_name(&self.table)
            .key(keys::PK, AttributeValue::S(email.pk.clone()))
            .key(keys::SK, AttributeValue::S(keys::THROTTLE_SK.to_string()))
            .send()
            .await
            .map_err(|error| ApiError::dependency("throttle clear", error))?;
        Ok(())
    }

    /// Adds one failure in the current window (a new window once the last one is over) and
    /// answers the window's count. Two failures at once are both counted (`ADD`).
    async fn count_failure(&self, pk: &str, now: i64) -> ApiResult<i64> {
        let expires = AttributeValue::N((now + WINDOW_SECONDS + LONGEST_WAIT_SECONDS).to_string());
        let added = self
            .dynamo
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, AttributeValue::S(pk.to_string()))
            .key(keys::SK, AttributeValue::S(keys::THROTTLE_SK.to_string()))
            .update_expression(
                "ADD failures :one SET window_start = if_not_exists(window_start, :now), #expires = :expires",
            )
            .condition_expression("attribute_not_exists(window_start) OR window_start > :cutoff")
            .expression_attribute_names("#expires", keys::EXPIRES_AT)
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":now", AttributeValue::N(now.to_string()))
            .expression_attribute_values(":cutoff", AttributeValue::N((now - WINDOW_SECONDS).to_string()))
            .expression_attribute_values(":expires", expires.clone())
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await;
        match added {
            Ok(output) => Ok(number(&output.attributes.unwrap_or_default(), "failures")),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|service| service.is_conditional_check_failed_exception()) =>
            {
                // The window is over: this failure opens a new one.
                self.dynamo
                    .put_item()
                    .table_name(&self.table)
                    .item(keys::PK, AttributeValue::S(pk.to_string()))
                    .item(keys::SK, AttributeValue::S(keys::THROTTLE_SK.to_string()))
                    .item("failures", AttributeValue::N("1".into()))
                    .item("window_start", AttributeValue::N(now.to_string()))
                    .item(keys::EXPIRES_AT, expires)
                    .send()
                    .await
                    .map_err(|error| ApiError::dependency("throttle window", error))?;
                Ok(1)
            }
            Err(error) => Err(ApiError::dependency("throttle count", error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_after_the_free_failures_up_to_an_hour() {
        assert_eq!(wait_after(4, 5), 0);
        assert_eq!(wait_after(5, 5), 30);
        assert_eq!(wait_after(6, 5), 60);
        assert_eq!(wait_after(8, 5), 240);
        assert_eq!(wait_after(20, 5), 3600);
        assert_eq!(wait_after(i64::MAX, 5), 3600);
        assert_eq!(wait_after(49, 50), 0);
    }

    #[test]
    fn emails_are_counted_by_hash_whatever_their_case() {
        let one = Attempt::sign_in("Ann@Example.com ", "198.51.100.7");
        let two = Attempt::sign_in("ann@example.com", "203.0.113.9");
        assert_eq!(one.email, two.email);
        assert_ne!(one.source, two.source);
        assert!(!one.email.as_ref().unwrap().pk.contains("example"));
    }
}
