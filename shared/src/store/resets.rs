//! Password reset links: `RESET#<sha256>` / `RESET` (the link itself is only ever in the
//! person's mail). Single use: a request claims the link with a conditional update, gives the
//! claim back when the password is refused, and marks it used when the password is set.

use super::{from_item, put_tx, to_item, Store};
use crate::error::{ApiError, ApiResult};
use crate::keys;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use serde::{Deserialize, Serialize};

/// A claim not finished within this long (its request died) can be taken again.
const STALE_CLAIM_SECONDS: i64 = 60;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetRecord {
    pub email: String,
    /// The table's TTL too; checked again on use, since TTL deletes late.
    pub expires_at: i64,
    /// Absent until claimed and used (the claim's condition tests for them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_at: Option<i64>,
}

impl Store {
    pub async fn put_reset(&self, token_hash: &str, record: &ResetRecord) -> ApiResult<()> {
        let item = put_tx(
            to_item(&keys::reset_pk(token_hash), keys::RESET_SK, record)?,
            Some("attribute_not_exists(PK)"),
            None,
        )?;
        self.transact(vec![item], "reset exists").await
    }

    /// The link for this request, if it exists, is unexpired, unused and not held by another.
    pub async fn claim_reset(&self, token_hash: &str, now: i64) -> ApiResult<Option<ResetRecord>> {
        let output = self
            .dynamo
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, AttributeValue::S(keys::reset_pk(token_hash)))
            .key(keys::SK, AttributeValue::S(keys::RESET_SK.to_string()))
            .update_expression("SET claimed_at = :now")
            .condition_expression(
                "attribute_exists(PK) AND expires_at > :now AND attribute_not_exists(used_at) AND (attribute_not_exists(claimed_at) OR claimed_at < :stale)",
            )
            .expression_attribute_values(":now", AttributeValue::N(now.to_string()))
            .expression_attribute_values(
                ":stale",
                AttributeValue::N((now - STALE_CLAIM_SECONDS).to_string()),
            )
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match output {
            Ok(output) => output.attributes.map(from_item).transpose(),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|service| service.is_conditional_check_failed_exception()) =>
            {
                Ok(None)
            }
            Err(error) => Err(ApiError::dependency("dynamodb update_item", error)),
        }
    }

    /// Gives a claim back (the password was refused), so the same link works again.
    pub async fn release_reset(&self, token_hash: &str) -> ApiResult<()> {
        self.set_reset(token_hash, "REMOVE claimed_at", None).await
    }

    pub async fn mark_reset_used(&self, token_hash: &str, now: i64) -> ApiResult<()> {
        self.set_reset(token_hash, "SET used_at = :now", Some(now))
            .await
    }

    async fn set_reset(
        &self,
        token_hash: &str,
        expression: &str,
        now: Option<i64>,
    ) -> ApiResult<()> {
        self.dynamo
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, AttributeValue::S(keys::reset_pk(token_hash)))
            .key(keys::SK, AttributeValue::S(keys::RESET_SK.to_string()))
            .update_expression(expression)
            .set_expression_attribute_values(now.map(|now| {
                std::collections::HashMap::from([(
                    ":now".to_string(),
                    AttributeValue::N(now.to_string()),
                )])
            }))
            .send()
            .await
            .map_err(|error| ApiError::dependency("dynamodb update_item", error))?;
        Ok(())
    }
}
