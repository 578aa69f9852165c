//! The firm-level registry: slugs, trusted issuers, the clients list, invitations, staff.
//! None of it is tenant data, and none of it is keyed under `T#…`.

use super::records::*;
use super::Write;
use super::{
    decode_cursor, encode_cursor, from_item, n, put_tx, s, to_item, values, Item, Page, Store,
};
use crate::error::{ApiError, ApiResult};
use crate::keys;
use crate::principal::TenantScope;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;

/// A registry record that names a tenant; the registry is where such scopes come from.
///
/// Sealed: only this crate's registry records (and its pool lookup) implement it, so no other
/// code can mint a [`TenantScope`] by declaring a record of its own:
///
/// ```compile_fail
/// struct Forged;
/// impl atrium_shared::store::registry::RegisteredTenant for Forged {
///     fn registered_tenant_id(&self) -> &str {
///         "01ARZ3NDEKTSV4RRFFQ69G5FAV"
///     }
/// }
/// ```
pub trait RegisteredTenant: sealed::Sealed {
    fn registered_tenant_id(&self) -> &str;
}

pub(crate) mod sealed {
    /// Implemented only inside this crate.
    pub trait Sealed {}
}

macro_rules! registered {
    ($($record:ty),*) => {$(
        impl sealed::Sealed for $record {}
        impl RegisteredTenant for $record {
            fn registered_tenant_id(&self) -> &str {
                &self.tenant_id
            }
        }
    )*};
}
registered!(
    ClientRecord,
    SlugRecord,
    IssuerRecord,
    InviteRecord,
    PaymentIntentRecord
);

/// What claiming a slug came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    Claimed,
    SlugTaken,
    /// The firm has as many clients as its limit allows (one user pool each).
    LimitReached,
}

/// The scope of the tenant a registry record names.
pub fn registered_scope(record: &impl RegisteredTenant) -> TenantScope {
    TenantScope::from_registry(record.registered_tenant_id())
}

impl Store {
    pub async fn slug_record(&self, slug: &str) -> ApiResult<Option<SlugRecord>> {
        self.get_record(&keys::slug_pk(slug), keys::SLUG_SK).await
    }

    pub async fn issuer_record(&self, issuer: &str) -> ApiResult<Option<IssuerRecord>> {
        self.get_record(&keys::issuer_pk(issuer), keys::ISSUER_SK)
            .await
    }

    pub async fn client_record(&self, tenant_id: &str) -> ApiResult<Option<ClientRecord>> {
        self.get_record(keys::FIRM_PK, &keys::client_sk(tenant_id))
            .await
    }

    /// Newest first.
    pub async fn list_clients(
        &self,
        limit: i32,
        cursor: Option<&str>,
    ) -> ApiResult<Page<ClientRecord>> {
        let mut query = self
            .dynamo
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
            .expression_attribute_values(":pk", s(keys::FIRM_PK))
            .expression_attribute_values(":prefix", s(keys::CLIENT_PREFIX))
            .scan_index_forward(false)
            .limit(limit);
        if let Some(cursor) = cursor {
            let sort_key = decode_cursor(cursor, keys::CLIENT_PREFIX)?;
            query = query
                .exclusive_start_key(keys::PK, s(keys::FIRM_PK))
                .exclusive_start_key(keys::SK, s(sort_key));
        }
        let output = query
            .send()
            .await
            .map_err(|error| ApiError::dependency("dynamodb query clients", error))?;
        let next_cursor = encode_cursor(output.last_evaluated_key.as_ref());
        let items = output
            .items
            .unwrap_or_default()
            .into_iter()
            .map(from_item)
            .collect::<ApiResult<Vec<ClientRecord>>>()?;
        Ok(Page { items, next_cursor })
    }

    /// Claims a slug and creates the client's record in one transaction. `Ok(false)` means the
    /// slug was already taken (by this client's earlier attempt or by another client).
    /// Claims the slug, writes the client record and counts the client, in one transaction:
    /// `Claimed`, or why not. The count only grows below `limit` (a user pool per client and
    /// the account's pool quota), so two onboardings racing for the last place cannot both win.
    pub async fn claim_slug(&self, record: &ClientRecord, limit: u64) -> ApiResult<Claim> {
        let slug = SlugRecord {
            tenant_id: record.tenant_id.clone(),
            pool_id: None,
            app_client_id: None,
        };
        let items = vec![
            put_tx(
                to_item(&keys::slug_pk(&record.slug), keys::SLUG_SK, &slug)?,
                Some("attribute_not_exists(PK)"),
                None,
            )?,
            put_tx(
                to_item(keys::FIRM_PK, &keys::client_sk(&record.tenant_id), record)?,
                Some("attribute_not_exists(PK)"),
                None,
            )?,
            super::update_tx(
                keys::FIRM_PK,
                keys::CLIENT_COUNT_SK,
                "ADD clients :one",
                Some("attribute_not_exists(clients) OR clients < :limit"),
                values(&[(":one", n(1)), (":limit", n(limit))]),
            )?,
        ];
        match self.transact(items, "slug taken").await {
            Ok(()) => Ok(Claim::Claimed),
            // Which condition failed: a held slug may be a resume (already counted), so it
            // is looked at before the count.
            Err(error) if error.status == http::StatusCode::CONFLICT => {
                if self.slug_record(&record.slug).await?.is_none()
                    && self.client_count().await? >= limit
                {
                    Ok(Claim::LimitReached)
                } else {
                    Ok(Claim::SlugTaken)
                }
            }
            Err(error) => Err(error),
        }
    }

    /// How many clients the firm has (each with its own user pool).
    pub async fn client_count(&self) -> ApiResult<u64> {
        let item = self
            .dynamo
            .get_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::FIRM_PK))
            .key(keys::SK, s(keys::CLIENT_COUNT_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(|error| ApiError::dependency("dynamodb get_item", error))?
            .item;
        Ok(item
            .as_ref()
            .and_then(|item| item.get("clients"))
            .and_then(|count| count.as_n().ok())
            .and_then(|count| count.parse().ok())
            .unwrap_or(0))
    }

    /// Takes back an onboarding that cannot finish (its contact's email was refused): the
    /// client record (only as read at `read_version`), its slug and issuer claims, and its
    /// place in the count, in one transaction. The user pool is deleted before this.
    pub async fn unclaim_client(
        &self,
        record: &ClientRecord,
        issuer: Option<&str>,
    ) -> ApiResult<()> {
        let mine = values(&[(":tenant", s(&record.tenant_id))]);
        let mut items = vec![
            super::delete_tx_with(
                keys::FIRM_PK,
                &keys::client_sk(&record.tenant_id),
                "version = :version",
                values(&[(":version", n(record.version))]),
            )?,
            super::delete_tx_with(
                &keys::slug_pk(&record.slug),
                keys::SLUG_SK,
                "tenant_id = :tenant",
                mine.clone(),
            )?,
            super::update_tx(
                keys::FIRM_PK,
                keys::CLIENT_COUNT_SK,
                "ADD clients :minus_one",
                Some("clients > :zero"),
                values(&[(":minus_one", n(-1)), (":zero", n(0))]),
            )?,
        ];
        if let Some(issuer) = issuer {
            items.push(super::delete_tx_with(
                &keys::issuer_pk(issuer),
                keys::ISSUER_SK,
                "attribute_not_exists(PK) OR tenant_id = :tenant",
                mine,
            )?);
        }
        self.transact(
            items,
            "this client is being onboarded by another request; try again",
        )
        .await
    }

    /// The slug record, once its tenant has a pool: written only over the tenant's own claim.
    pub fn slug_record_tx(&self, slug: &str, record: &SlugRecord) -> ApiResult<Write> {
        put_tx(
            to_item(&keys::slug_pk(slug), keys::SLUG_SK, record)?,
            Some("tenant_id = :tenant"),
            Some(values(&[(":tenant", super::s(&record.tenant_id))])),
        )
    }

    /// Marks the client's first invitation accepted in the firm's clients list.
    pub fn client_invitation_accepted_tx(&self, tenant_id: &str) -> ApiResult<Write> {
        let accepted = serde_dynamo::to_attribute_value(InvitationStatus::Accepted)
            .map_err(|error| crate::error::ApiError::internal("invitation status", error))?;
        super::update_tx(
            keys::FIRM_PK,
            &keys::client_sk(tenant_id),
            "SET invitation = :accepted, version = version + :one",
            Some("attribute_exists(PK)"),
            values(&[(":accepted", accepted), (":one", n(1))]),
        )
    }

    /// The client record as a transaction item, replacing the version the caller read.
    pub fn client_record_tx(&self, record: &ClientRecord, read_version: u64) -> ApiResult<Write> {
        put_tx(
            to_item(keys::FIRM_PK, &keys::client_sk(&record.tenant_id), record)?,
            Some("version = :read_version"),
            Some(values(&[(":read_version", n(read_version))])),
        )
    }

    /// Frees an unfinished onboarding for a retry: only its lease changes, so nothing a failed
    /// attempt held in memory is written (409 if the record moved past `read_version`).
    pub async fn release_client_lease(&self, tenant_id: &str, read_version: u64) -> ApiResult<()> {
        let item = super::update_tx(
            keys::FIRM_PK,
            &keys::client_sk(tenant_id),
            "SET lease_until = :zero, version = version + :one",
            Some("version = :read_version"),
            values(&[
                (":zero", n(0)),
                (":one", n(1)),
                (":read_version", n(read_version)),
            ]),
        )?;
        self.transact(vec![item], "the client changed meanwhile")
            .await
    }

    /// Saves a client record that was read at `read_version` (409 if it moved meanwhile).
    pub async fn save_client_record(
        &self,
        record: &ClientRecord,
        read_version: u64,
    ) -> ApiResult<()> {
        let item = self.client_record_tx(record, read_version)?;
        self.transact(
            vec![item],
            "the client changed meanwhile; reload and try again",
        )
        .await
    }

    pub async fn put_slug_record(&self, slug: &str, record: &SlugRecord) -> ApiResult<()> {
        let item = put_tx(
            to_item(&keys::slug_pk(slug), keys::SLUG_SK, record)?,
            Some("tenant_id = :tenant"),
            Some(values(&[(":tenant", s(&record.tenant_id))])),
        )?;
        self.transact(vec![item], "slug belongs to another client")
            .await
    }

    pub fn issuer_record_tx(&self, issuer: &str, record: &IssuerRecord) -> ApiResult<Write> {
        put_tx(
            to_item(&keys::issuer_pk(issuer), keys::ISSUER_SK, record)?,
            Some("attribute_not_exists(PK) OR tenant_id = :tenant"),
            Some(values(&[(":tenant", s(&record.tenant_id))])),
        )
    }

    /// The tenant and invoice a Stripe PaymentIntent was made for, if the portal made it.
    pub async fn payment_intent_record(
        &self,
        payment_intent: &str,
    ) -> ApiResult<Option<PaymentIntentRecord>> {
        self.get_record(&keys::stripe_pi_pk(payment_intent), keys::STRIPE_PI_SK)
            .await
    }

    pub async fn staff_user(&self, sub: &str) -> ApiResult<Option<UserRecord>> {
        self.get_record(keys::STAFF_PK, &keys::staff_sk(sub)).await
    }

    pub async fn put_staff_user(&self, record: &UserRecord) -> ApiResult<()> {
        let item = put_tx(
            to_item(keys::STAFF_PK, &keys::staff_sk(&record.sub), record)?,
            Some("attribute_not_exists(PK)"),
            None,
        )?;
        let membership = self.membership_tx(&super::people::Membership::staff(
            &record.sub,
            &record.email,
        ))?;
        self.transact(vec![item, membership], "staff user exists")
            .await
    }

    pub async fn invite(&self, token_hash: &str) -> ApiResult<Option<InviteRecord>> {
        self.get_record(&keys::invite_pk(token_hash), keys::INVITE_SK)
            .await
    }

    pub fn invite_tx(&self, token_hash: &str, record: &InviteRecord) -> ApiResult<Write> {
        let mut item: Item = to_item(&keys::invite_pk(token_hash), keys::INVITE_SK, record)?;
        item.insert(keys::EXPIRES_AT.to_string(), n(record.expires_at));
        put_tx(item, Some("attribute_not_exists(PK)"), None)
    }

    /// Marks an invitation as being used. Fails (false) when it is gone, expired, or claimed by
    /// another attempt that is still within `stale_after_seconds`.
    pub async fn claim_invite(
        &self,
        token_hash: &str,
        now: i64,
        stale_after_seconds: i64,
    ) -> ApiResult<bool> {
        let result = self
            .dynamo
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::invite_pk(token_hash)))
            .key(keys::SK, s(keys::INVITE_SK))
            .update_expression("SET claimed_at = :now")
            .condition_expression(
                "attribute_exists(PK) AND expires_at > :now AND (claimed_at = :zero OR claimed_at < :stale)",
            )
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":stale", n(now - stale_after_seconds))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error)
                if matches!(
                    error.as_service_error(),
                    Some(UpdateItemError::ConditionalCheckFailedException(_))
                ) =>
            {
                Ok(false)
            }
            Err(error) => Err(ApiError::dependency("dynamodb claim invite", error)),
        }
    }

    /// Gives a claimed invitation back (the password was refused), so the link still works.
    pub async fn release_invite(&self, token_hash: &str, claimed_at: i64) -> ApiResult<()> {
        self.dynamo
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::invite_pk(token_hash)))
            .key(keys::SK, s(keys::INVITE_SK))
            .update_expression("SET claimed_at = :zero")
            .condition_expression("claimed_at = :claimed")
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":claimed", n(claimed_at))
            .send()
            .await
            .map(|_| ())
            .map_err(|error| ApiError::dependency("dynamodb release invite", error))
    }

    pub fn delete_invite_tx(&self, token_hash: &str) -> ApiResult<Write> {
        super::delete_tx(
            &keys::invite_pk(token_hash),
            keys::INVITE_SK,
            Some("attribute_exists(PK)"),
        )
    }
}
