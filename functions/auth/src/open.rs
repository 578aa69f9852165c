//! Opening a session once every organisation of a sign-in has answered: the session record
//! and its gates (`store::sessions`), the trail of each client organisation, and the answer
//! (cookies for a browser, tokens for an integration). Every sign-in ends here: email-only
//! sign-in, the organisation-filtered one, and an accepted invitation.

use crate::session::{Mode, SignInResponse};
use atrium_shared::audit::AuditEntry;
use atrium_shared::cognito::{origin_jti_of_token, scope_of_pool, PoolRef};
use atrium_shared::http::{json_response, with_cookies, RequestMeta, ACCESS_COOKIE};
use atrium_shared::ids::now_epoch;
use atrium_shared::principal::Role;
use atrium_shared::sealed;
use atrium_shared::store::people::STAFF_ORGANISATION;
use atrium_shared::store::records::UserRecord;
use atrium_shared::store::sessions::{SessionKey, SessionOrganisation, SessionRecord};
use atrium_shared::{ApiError, ApiResult, App};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use http::StatusCode;
use lambda_http::{Body, Response};
use serde::{Deserialize, Serialize};

/// An organisation as the API names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    /// `client` or `staff`.
    pub kind: String,
}

impl Organisation {
    pub fn of(session: &SessionOrganisation) -> Self {
        Self {
            id: session.id.clone(),
            name: session.name.clone(),
            kind: session.kind.clone(),
        }
    }

    pub fn is_staff(&self) -> bool {
        self.id == STAFF_ORGANISATION
    }
}

/// One organisation Cognito has signed the person in to, with an active record there.
pub struct Opened {
    pub organisation: Organisation,
    pub user: UserRecord,
    pub pool: PoolRef,
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: i32,
}

/// The session cookie: `<id>.<secret>.<email, base64url>`. The email finds the session's
/// partition (`LOGIN#<email>`); the secret proves the holder and opens its refresh tokens.
pub struct SessionCookie {
    pub key: SessionKey,
    pub email: String,
}

impl SessionCookie {
    pub fn to_value(&self) -> String {
        format!(
            "{}.{}",
            self.key.to_cookie(),
            URL_SAFE_NO_PAD.encode(self.email.as_bytes())
        )
    }

    pub fn parse(value: &str) -> Option<Self> {
        let (key, email) = value.rsplit_once('.')?;
        let email = String::from_utf8(URL_SAFE_NO_PAD.decode(email).ok()?).ok()?;
        (email.len() <= 254 && email.contains('@')).then_some(())?;
        Some(Self {
            key: SessionKey::parse(key)?,
            email,
        })
    }
}

/// The organisation's name for the chooser: the client's, or the firm's for staff.
pub async fn organisation_of(app: &App, pool: &PoolRef) -> ApiResult<Organisation> {
    Ok(match &pool.tenant_id {
        None => Organisation {
            id: STAFF_ORGANISATION.to_string(),
            name: app.config.firm_name.clone(),
            kind: "staff".to_string(),
        },
        Some(tenant_id) => {
            let name = app
                .store
                .client_record(tenant_id)
                .await?
                .map(|record| record.name)
                .unwrap_or_default();
            Organisation {
                id: tenant_id.clone(),
                name,
                kind: "client".to_string(),
            }
        }
    })
}

/// A short description of the browser for the sessions list ("Firefox on Linux").
pub fn browser_of(user_agent: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Safari/", "Safari"),
    ]
    .iter()
    .find(|(marker, _)| user_agent.contains(marker))
    .map(|(_, name)| *name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(marker, _)| user_agent.contains(marker))
    .map(|(_, name)| *name);
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser.to_string(),
        (None, Some(system)) => system.to_string(),
        (None, None) if user_agent.is_empty() => "Unknown".to_string(),
        (None, None) => user_agent.chars().take(60).collect(),
    }
}

/// Opens the session for every organisation in `opened` (at least one), records the sign-in
/// in each client's trail and answers. With one organisation it is open at once; with several
/// a browser chooses first (`choose`), and an integration must have named one.
pub async fn open_session(
    app: &App,
    email: &str,
    opened: Vec<Opened>,
    mode: Mode,
    meta: &RequestMeta,
) -> ApiResult<Response<Body>> {
    let now = now_epoch();
    let key = SessionKey::new();
    let organisations = opened
        .iter()
        .map(|each| {
            Ok(SessionOrganisation {
                id: each.organisation.id.clone(),
                name: each.organisation.name.clone(),
                kind: each.organisation.kind.clone(),
                sub: each.user.sub.clone(),
                origin_jti: origin_jti_of_token(&each.access_token)?,
                refresh: sealed::seal(
                    key.secret.as_bytes(),
                    &key.place(&each.organisation.id),
                    &each.refresh_token,
                )
                .ok_or_else(|| ApiError::internal("seal", "refresh token"))?,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let first = opened
        .first()
        .ok_or_else(|| ApiError::internal("open_session", "no organisation"))?;
    if mode == Mode::Bearer && opened.len() > 1 {
        return Err(ApiError::invalid(
            "organisation",
            "you belong to several organisations; name one (a client's id, or staff) to sign in with tokens",
        ));
    }
    let absolute_end = now + app.config.session_hours * 3600;
    let record = SessionRecord {
        id: key.id.clone(),
        email: email.trim().to_lowercase(),
        secret_hash: atrium_shared::secrets::token_hash(&key.secret),
        started_at: now,
        ip: meta.ip.clone(),
        browser: browser_of(&meta.user_agent),
        absolute_end,
        idle_seconds: app.config.session_idle_minutes * 60,
        open_organisation: first.organisation.id.clone(),
        organisations,
        ended_at: None,
        expires_at: absolute_end + 24 * 3600,
    };
    app.store.create_session(&record, now).await?;
    for each in &opened {
        record_sign_in(app, each, meta).await?;
    }
    let cookie = SessionCookie {
        key,
        email: record.email.clone(),
    };
    let lifetime = absolute_end - now;
    let all: Vec<Organisation> = opened
        .iter()
        .map(|each| each.organisation.clone())
        .collect();
    if opened.len() > 1 {
        let body = SignInResponse {
            status: "choose".to_string(),
            organisations: Some(all),
            ..SignInResponse::default()
        };
        return Ok(with_cookies(
            json_response(StatusCode::OK, &body),
            vec![session_cookie(&cookie.to_value(), lifetime)],
        ));
    }
    let mut body = signed_in_body(first, all);
    match mode {
        Mode::Bearer => {
            body.access_token = Some(first.access_token.clone());
            body.refresh_token = Some(first.refresh_token.clone());
            Ok(json_response(StatusCode::OK, &body))
        }
        Mode::Cookie => Ok(with_cookies(
            json_response(StatusCode::OK, &body),
            vec![
                access_cookie(&first.access_token, i64::from(first.expires_in)),
                session_cookie(&cookie.to_value(), lifetime),
            ],
        )),
    }
}

pub fn signed_in_body(opened: &Opened, all: Vec<Organisation>) -> SignInResponse {
    SignInResponse {
        status: "signed_in".to_string(),
        kind: Some(opened.organisation.kind.clone()),
        expires_in: Some(opened.expires_in),
        organisation: Some(opened.organisation.clone()),
        organisations: Some(all),
        ..SignInResponse::default()
    }
}

/// Each client's trail has the sign-in; staff sign-ins go to the log.
async fn record_sign_in(app: &App, opened: &Opened, meta: &RequestMeta) -> ApiResult<()> {
    let Some(scope) = scope_of_pool(&opened.pool) else {
        tracing::info!(sub = %opened.user.sub, ip = %meta.ip, "staff signed in");
        return Ok(());
    };
    let sub = &opened.user.sub;
    let entry = AuditEntry::new(
        &scope,
        &format!("client:{sub}"),
        &Role::join(&opened.user.roles),
        "session.signed_in",
        &format!("contact/{sub}"),
        opened.user.version,
        meta,
    );
    app.store.audit(&scope, &entry).await
}

pub fn access_cookie(token: &str, seconds: i64) -> String {
    cookie(ACCESS_COOKIE, token, seconds)
}

pub fn session_cookie(value: &str, seconds: i64) -> String {
    cookie(atrium_shared::http::REFRESH_COOKIE, value, seconds.max(0))
}

fn cookie(name: &str, value: &str, max_age_seconds: i64) -> String {
    format!("{name}={value}; Path=/; Max-Age={max_age_seconds}; HttpOnly; Secure; SameSite=Strict")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_cookies_round_trip_and_refuse_nonsense() {
        let cookie = SessionCookie {
            key: SessionKey::new(),
            email: "dana@northwind.example".to_string(),
        };
        let parsed = SessionCookie::parse(&cookie.to_value()).unwrap();
        assert_eq!(parsed.key, cookie.key);
        assert_eq!(parsed.email, cookie.email);
        assert!(SessionCookie::parse("tenant~refresh").is_none());
        assert!(SessionCookie::parse("a.b.c").is_none());
    }

    #[test]
    fn browsers_are_named_briefly() {
        assert_eq!(
            browser_of("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"),
            "Chrome on Linux"
        );
        assert_eq!(
            browser_of("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1"),
            "Safari on iPhone"
        );
        assert_eq!(browser_of(""), "Unknown");
        assert_eq!(browser_of("curl/8.0"), "curl/8.0");
    }
}
