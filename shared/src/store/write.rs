//! One write of a transaction, as the store builds it: the item's keys, its condition and its
//! values already in place. Capabilities and handlers gather `Write`s and commit them together
//! ([`super::TenantStore::commit`], [`super::Store::transact`]); nothing outside the store
//! sees the SDK's transaction items.

use aws_sdk_dynamodb::types::TransactWriteItem;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct Write(pub(super) TransactWriteItem);

impl Write {
    /// Names for reserved words in the condition or update (`#status` → `status`).
    pub fn with_names(mut self, names: &[(&str, &str)]) -> Self {
        let add = |map: &mut Option<HashMap<String, String>>| {
            let map = map.get_or_insert_with(HashMap::new);
            for (placeholder, name) in names {
                map.insert(placeholder.to_string(), name.to_string());
            }
        };
        if let Some(put) = self.0.put.as_mut() {
            add(&mut put.expression_attribute_names);
        }
        if let Some(update) = self.0.update.as_mut() {
            add(&mut update.expression_attribute_names);
        }
        if let Some(delete) = self.0.delete.as_mut() {
            add(&mut delete.expression_attribute_names);
        }
        self
    }
}
