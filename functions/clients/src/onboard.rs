//! `POST /api/clients`: onboard a client organisation with one call.
//!
//! Onboarding is several AWS calls: claim the slug, create the client's user pool and app
//! client, register the issuer, create the contact, send one invitation. The client record
//! remembers how far it got; calling again with the same slug resumes where it stopped, and
//! each step is written so that a retry makes no second pool, user or email.

use crate::list::ClientSummary;
use crate::pools;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{created, parse_json, RequestMeta};
use atrium_shared::ids::{new_id, now_epoch, now_rfc3339};
use atrium_shared::mail::invitation;
use atrium_shared::principal::{Principal, Role, TenantScope};
use atrium_shared::secrets::{new_token, token_hash};
use atrium_shared::store::people::Membership;
use atrium_shared::store::records::{
    ClientRecord, InvitationStatus, InviteRecord, IssuerRecord, MailState, ProfileRecord,
    SlugRecord, UserRecord, UserStatus,
};
use atrium_shared::store::registry::{registered_scope, Claim};
use atrium_shared::store::Write;
use atrium_shared::types::Email;
use atrium_shared::{validate, ApiError, ApiResult, App};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnboardInput {
    pub name: String,
    pub slug: String,
    pub contact: ContactInput,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    pub name: String,
    /// Parsed with the body: a bad address is a 400 naming `contact.email`.
    pub email: Email,
}

/// What onboarding made. The token is handed to in-process callers (the local demo seed);
/// the HTTP answer never contains it — it travels only in the invitation email.
#[derive(Debug)]
pub struct Onboarded {
    pub client: ClientRecord,
    pub invitation_token: Option<String>,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    // Who may onboard is settled before anything they sent is looked at.
    principal.require_staff_admin()?;
    let input: OnboardInput = parse_json(&req)?;
    let onboarded = onboard(app, &principal, input, &RequestMeta::of(&req)).await?;
    created(&ClientSummary::from(onboarded.client))
}

/// How long one onboarding request holds its client record: the function's timeout (30 s)
/// and a margin. A resume inside it is refused as concurrent.
const LEASE_SECONDS: i64 = 45;

pub async fn onboard(
    app: &App,
    principal: &Principal,
    input: OnboardInput,
    meta: &RequestMeta,
) -> ApiResult<Onboarded> {
    principal.require_staff_admin()?;
    let name = validate::name("name", &input.name, 120)?;
    let slug = validate::slug("slug", &input.slug)?;
    let contact_name = validate::name("contact.name", &input.contact.name, 120)?;
    let contact_email = input.contact.email.to_string();

    let now = now_rfc3339();
    let fresh = ClientRecord {
        tenant_id: new_id(),
        name,
        slug: slug.clone(),
        contact_name,
        contact_email,
        pool_id: None,
        app_client_id: None,
        contact_sub: None,
        mail_state: MailState::NotSent,
        invite_hash: None,
        invitation: InvitationStatus::Pending,
        mfa_required: false,
        onboarding_complete: false,
        lease_until: now_epoch() + LEASE_SECONDS,
        // The claim below is the intent: from it on, a resume knows a pool may exist.
        pool_requested: true,
        created_at: now.clone(),
        updated_at: now,
        version: 1,
    };
    let onboarding = Onboarding {
        app,
        principal,
        meta,
    };
    let limit = app.config.client_limit;
    let (mut record, claimed_now) = match app.store.claim_slug(&fresh, limit).await? {
        Claim::Claimed => (fresh, true),
        Claim::SlugTaken => (onboarding.resume(&fresh).await?, false),
        Claim::LimitReached => return Err(limit_reached(limit)),
    };
    match onboarding.run(&mut record, claimed_now).await {
        Ok(invitation_token) => Ok(Onboarded {
            client: record,
            invitation_token,
        }),
        Err(error) if error.status == StatusCode::BAD_REQUEST => {
            // Cognito refused the contact's address: nothing of this client may stay behind.
            onboarding.take_back(&record).await?;
            Err(error)
        }
        Err(error) => {
            onboarding.release(&record).await;
            Err(error)
        }
    }
}

fn limit_reached(limit: u64) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "client_limit_reached",
        format!(
            "the firm has {limit} clients, the most this deployment takes (each has its own \
             sign-in pool); raise the account's user-pool quota and the stack's ClientLimit \
             (docs/deploy.md, \"Many clients\")"
        ),
    )
}

/// An earlier attempt with this slug that did not finish, for the same contact, is resumed;
/// anything else holding the slug makes it taken.
async fn resumable(app: &App, fresh: &ClientRecord) -> ApiResult<ClientRecord> {
    let taken = || ApiError::conflict("slug: is already used by another client");
    let holder = app
        .store
        .slug_record(&fresh.slug)
        .await?
        .ok_or_else(taken)?;
    let existing = app
        .store
        .client_record(&holder.tenant_id)
        .await?
        .ok_or_else(taken)?;
    if existing.onboarding_complete || existing.contact_email != fresh.contact_email {
        return Err(taken());
    }
    Ok(existing)
}

struct Onboarding<'a> {
    app: &'a App,
    principal: &'a Principal,
    meta: &'a RequestMeta,
}

impl Onboarding<'_> {
    /// Takes over an unfinished onboarding of the same slug and contact, unless another
    /// request holds it (its lease has not run out): then 409, and it is left alone.
    async fn resume(&self, fresh: &ClientRecord) -> ApiResult<ClientRecord> {
        let mut existing = resumable(self.app, fresh).await?;
        let now = now_epoch();
        if existing.lease_until > now {
            return Err(ApiError::conflict(
                "this client is being onboarded by another request; try again in a minute",
            ));
        }
        existing.lease_until = now + LEASE_SECONDS;
        self.save(&mut existing, vec![], None).await?;
        Ok(existing)
    }

    async fn run(&self, record: &mut ClientRecord, claimed_now: bool) -> ApiResult<Option<String>> {
        self.ensure_pool(record, claimed_now).await?;
        self.ensure_contact(record).await?;
        self.ensure_invitation(record).await
    }

    /// Frees the record for a retry at once (best effort: a request that cannot write frees
    /// it by its lease running out). Only the lease is written: what this attempt holds in
    /// memory may be ahead of what it managed to save.
    async fn release(&self, record: &ClientRecord) {
        let released = self
            .app
            .store
            .release_client_lease(&record.tenant_id, record.version)
            .await;
        if let Err(error) = released {
            tracing::warn!(?error, "could not release the onboarding lease");
        }
    }

    /// Undoes an onboarding that cannot finish: the pool (and its app client) deleted, then
    /// the client record, slug, issuer and the client's place in the count, together.
    async fn take_back(&self, record: &ClientRecord) -> ApiResult<()> {
        let issuer = record
            .pool_id
            .as_deref()
            .map(|pool_id| self.app.config.issuer_for_pool(pool_id));
        if let Some(pool_id) = &record.pool_id {
            pools::delete_pool(self.app, pool_id).await?;
        }
        self.app
            .store
            .unclaim_client(record, issuer.as_deref())
            .await
    }

    /// Saves the record (checking nobody else moved it) together with `extra` items and, when
    /// given, an entry in the new tenant's audit trail.
    async fn save(
        &self,
        record: &mut ClientRecord,
        extra: Vec<Write>,
        entry: Option<AuditEntry>,
    ) -> ApiResult<()> {
        let read_version = record.version;
        record.version += 1;
        record.updated_at = now_rfc3339();
        let mut items = vec![self.app.store.client_record_tx(record, read_version)?];
        items.extend(extra);
        let conflict = "this client is being onboarded by another request; try again";
        let saved = match entry {
            Some(entry) => {
                let scope = registered_scope(record);
                self.app
                    .store
                    .transact_audited(items, &scope, vec![entry], conflict)
                    .await
            }
            None => self.app.store.transact(items, conflict).await,
        };
        if saved.is_err() {
            record.version = read_version;
        }
        saved
    }

    fn audit(&self, scope: &TenantScope, action: &str, target: &str, version: u64) -> AuditEntry {
        AuditEntry::by(scope, self.principal, action, target, version, self.meta)
    }

    /// A request that made the claim itself creates the pool without looking (constant cost);
    /// a resume whose record says a pool was requested looks for it first.
    async fn ensure_pool(&self, record: &mut ClientRecord, claimed_now: bool) -> ApiResult<()> {
        if record.pool_id.is_none() {
            let pool_id = if claimed_now || !record.pool_requested {
                pools::create_pool(self.app, &record.tenant_id).await?
            } else {
                pools::find_or_create_pool(self.app, &record.tenant_id).await?
            };
            record.pool_id = Some(pool_id);
            self.save(record, vec![], None).await?;
        }
        if record.app_client_id.is_none() {
            let pool_id = record.pool_id.clone().unwrap_or_default();
            let app_client_id = pools::find_or_create_app_client(self.app, &pool_id).await?;
            let issuer = self.app.config.issuer_for_pool(&pool_id);
            let issuer_record = IssuerRecord {
                tenant_id: record.tenant_id.clone(),
                pool_id: pool_id.clone(),
                app_client_id: app_client_id.clone(),
            };
            let slug_record = SlugRecord {
                tenant_id: record.tenant_id.clone(),
                pool_id: Some(pool_id),
                app_client_id: Some(app_client_id.clone()),
            };
            record.app_client_id = Some(app_client_id);
            let extra = vec![
                self.app.store.issuer_record_tx(&issuer, &issuer_record)?,
                self.app.store.slug_record_tx(&record.slug, &slug_record)?,
            ];
            self.save(record, extra, None).await?;
        }
        Ok(())
    }

    async fn ensure_contact(&self, record: &mut ClientRecord) -> ApiResult<()> {
        if record.contact_sub.is_some() {
            return Ok(());
        }
        let pool_id = record.pool_id.clone().unwrap_or_default();
        let sub = pools::find_or_create_contact(
            self.app,
            &pool_id,
            &record.contact_email,
            &record.contact_name,
            "contact.email",
        )
        .await?;
        let scope = registered_scope(record);
        let profile = ProfileRecord {
            tenant_id: record.tenant_id.clone(),
            name: record.name.clone(),
            slug: record.slug.clone(),
            created_at: record.created_at.clone(),
            version: 1,
        };
        let contact = UserRecord {
            sub: sub.clone(),
            email: record.contact_email.clone(),
            name: record.contact_name.clone(),
            roles: vec![Role::Admin],
            status: UserStatus::Invited,
            mfa_enabled: false,
            sessions_valid_after: 0,
            created_at: now_rfc3339(),
            version: 1,
        };
        record.contact_sub = Some(sub.clone());
        let entry = self.audit(
            &scope,
            "client.onboarded",
            &format!("client/{}", record.tenant_id),
            record.version + 1,
        );
        let extra = vec![
            self.app.store.profile_tx(&scope, &profile)?,
            self.app.store.contact_tx(&scope, &contact)?,
            self.app.store.membership_tx(&Membership::contact(
                scope.tenant_id(),
                &contact.sub,
                &contact.email,
            ))?,
        ];
        self.save(record, extra, Some(entry)).await
    }

    /// Sends the one invitation email. See [`MailState`] for how a retry avoids a second one.
    async fn ensure_invitation(&self, record: &mut ClientRecord) -> ApiResult<Option<String>> {
        let mut token = None;
        if record.mail_state == MailState::NotSent {
            let new_token = new_token();
            let hash = token_hash(&new_token);
            let invite = InviteRecord {
                tenant_id: record.tenant_id.clone(),
                contact_sub: record.contact_sub.clone().unwrap_or_default(),
                email: record.contact_email.clone(),
                expires_at: now_epoch() + self.app.config.invite_ttl_hours * 3600,
                claimed_at: 0,
                staff: false,
            };
            let mut extra = vec![self.app.store.invite_tx(&hash, &invite)?];
            if let Some(previous) = record.invite_hash.take() {
                // The link of a send that failed was never delivered; it must not linger.
                extra.push(self.app.store.retire_invite_tx(&previous)?);
            }
            record.invite_hash = Some(hash);
            record.mail_state = MailState::Sending;
            self.save(record, extra, None).await?;

            let link = format!(
                "{}/invite#token={new_token}",
                self.app.config.portal_origin.trim_end_matches('/')
            );
            let mail = invitation(
                &self.app.branding().await,
                &record.name,
                &record.contact_name,
                &link,
                self.app.config.invite_ttl_hours,
            );
            if let Err(error) = self.app.mailer.send(&record.contact_email, &mail).await {
                record.mail_state = MailState::NotSent;
                if let Err(revert) = self.save(record, vec![], None).await {
                    tracing::error!(?revert, "could not record the failed invitation send");
                }
                return Err(error);
            }
            token = Some(new_token);
        }
        if !record.onboarding_complete {
            // `Sending` with no token in hand means an earlier attempt reached SES but could not
            // record it: the mail is taken as sent rather than risking a second one.
            record.mail_state = MailState::Sent;
            record.invitation = InvitationStatus::Sent;
            record.onboarding_complete = true;
            record.lease_until = 0;
            let scope = registered_scope(record);
            let entry = self.audit(
                &scope,
                "invitation.sent",
                &format!("contact/{}", record.contact_sub.clone().unwrap_or_default()),
                record.version + 1,
            );
            self.save(record, vec![], Some(entry)).await?;
        }
        Ok(token)
    }
}
