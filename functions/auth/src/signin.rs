//! Sign-in with an email and a password, no organisation: the person index names the pools
//! the person belongs to (`store::people`), the password is tried in each at once (one
//! Cognito call per pool), and every pool that accepts it is opened in one session, so
//! switching between them needs no password. Pools that ask for an authenticator code ask in
//! turn, one code per organisation: Cognito makes each pool's TOTP secret itself
//! (`AssociateSoftwareToken`) and none can be imported, so one authenticator entry cannot
//! answer two pools (docs/architecture.md, "The front door"). While codes are asked, the
//! tokens of the organisations already signed in wait sealed in a pending sign-in
//! (`SIGNIN#<hash>`, five minutes) whose key only the person holds.
//!
//! An unknown email, a wrong password and a disabled contact get the same answer.

use crate::login::{answer_challenge, choose_password};
use crate::open::{open_session, organisation_of, Opened, Organisation};
use crate::session::{opened, otpauth_uri, AuthStep, Mode, SignInResponse};
use atrium_shared::audit::AuditEntry;
use atrium_shared::cognito::{scope_of_pool, sign_in_error, PoolRef};
use atrium_shared::http::{json_response, RequestMeta};
use atrium_shared::ids::now_epoch;
use atrium_shared::sealed;
use atrium_shared::secrets::token_hash;
use atrium_shared::store::people::STAFF_ORGANISATION;
use atrium_shared::store::sessions::{
    PendingSignIn, SealedTokens, SessionKey, WaitingOrganisation, PENDING_SECONDS,
};
use atrium_shared::{ApiError, ApiResult, App};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, AuthenticationResultType, ChallengeNameType,
};
use http::StatusCode;
use lambda_http::{Body, Response};

/// A pending sign-in's token as the page sends it back in `session`.
const PENDING_PREFIX: &str = "pending.";

/// The pending sign-in a `session` names, if it is one of ours (Cognito's own challenge
/// sessions, from an invitation, look nothing like it).
pub fn pending_key(session: &str) -> Option<SessionKey> {
    SessionKey::parse(session.strip_prefix(PENDING_PREFIX)?)
}

/// The pools to try: every membership of the email, or only `organisation` (a tenant id or
/// `staff`) when the caller names one.
pub async fn pools_of(
    app: &App,
    email: &str,
    organisation: Option<&str>,
) -> ApiResult<Vec<PoolRef>> {
    let memberships = app.store.memberships(email).await?;
    let mut pools = Vec::new();
    let mut staff = false;
    for membership in memberships
        .iter()
        .filter(|membership| organisation.is_none_or(|id| membership.organisation() == id))
    {
        match &membership.tenant_id {
            None => staff = true,
            Some(tenant_id) => {
                if let Some(pool) = app.client_pool_by_tenant(tenant_id).await? {
                    pools.push(pool);
                }
            }
        }
    }
    // The stack's first admin has no record (and so no membership) before their first
    // sign-in, which makes both.
    let first_admin = app
        .config
        .first_admin_email
        .as_deref()
        .is_some_and(|first| first.eq_ignore_ascii_case(email.trim()));
    let staff_wanted = organisation.is_none_or(|id| id == STAFF_ORGANISATION);
    if staff || (first_admin && staff_wanted) {
        pools.insert(0, app.staff_pool());
    }
    Ok(pools)
}

/// The password, tried in every pool at once.
async fn try_everywhere(
    app: &App,
    pools: &[PoolRef],
    email: &str,
    password: &str,
) -> Vec<(PoolRef, ApiResult<AuthStep>)> {
    let mut tasks = tokio::task::JoinSet::new();
    for (index, pool) in pools.iter().enumerate() {
        let cognito = app.cognito.clone();
        let client_id = pool.app_client_id.clone();
        let (email, password) = (email.to_string(), password.to_string());
        tasks.spawn(async move {
            let output = cognito
                .initiate_auth()
                .client_id(client_id)
                .auth_flow(AuthFlowType::UserPasswordAuth)
                .auth_parameters("USERNAME", email)
                .auth_parameters("PASSWORD", password)
                .send()
                .await
                .map_err(|error| sign_in_error("cognito initiate_auth", error))
                .map(|output| AuthStep {
                    result: output.authentication_result,
                    challenge: output.challenge_name,
                    session: output.session,
                });
            (index, output)
        });
    }
    let mut answers: Vec<(usize, ApiResult<AuthStep>)> = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(answer) => answers.push(answer),
            Err(error) => tracing::error!(?error, "sign-in task failed"),
        }
    }
    answers.sort_by_key(|(index, _)| *index);
    answers
        .into_iter()
        .filter_map(|(index, answer)| pools.get(index).map(|pool| (pool.clone(), answer)))
        .collect()
}

/// What asking one pool gave.
enum Outcome {
    Open(Box<Opened>),
    Waiting(WaitingOrganisation),
    Refused,
}

async fn outcome(app: &App, pool: &PoolRef, email: &str, step: AuthStep) -> ApiResult<Outcome> {
    if let Some(result) = step.result {
        return Ok(match opened(app, pool, email, result).await? {
            Some(opened) => Outcome::Open(Box::new(opened)),
            None => Outcome::Refused,
        });
    }
    let challenge = match (step.challenge, &pool.tenant_id) {
        (Some(ChallengeNameType::SoftwareTokenMfa), _) => "totp",
        (Some(ChallengeNameType::MfaSetup), _) => "mfa_setup",
        (Some(ChallengeNameType::NewPasswordRequired), None) => "new_password",
        // A contact who has not accepted their invitation has no password of their own yet.
        (Some(ChallengeNameType::NewPasswordRequired), Some(_)) => return Ok(Outcome::Refused),
        (other, _) => return Err(ApiError::internal("unexpected cognito challenge", other)),
    };
    let organisation = organisation_of(app, pool).await?;
    Ok(Outcome::Waiting(WaitingOrganisation {
        id: organisation.id,
        name: organisation.name,
        kind: organisation.kind,
        challenge: challenge.to_string(),
        cognito_session: step.session.unwrap_or_default(),
    }))
}

/// `POST /api/auth/login {email, password}`: every organisation the password opens, in one
/// session, or the first code asked.
pub async fn with_password(
    app: &App,
    email: &str,
    password: &str,
    organisation: Option<&str>,
    mode: Mode,
    meta: &RequestMeta,
) -> ApiResult<Response<Body>> {
    let pools = pools_of(app, email, organisation).await?;
    let mut opened = Vec::new();
    let mut waiting = Vec::new();
    let mut refused = Vec::new();
    let mut failure = None;
    for (pool, answer) in try_everywhere(app, &pools, email, password).await {
        match answer {
            Ok(step) => match outcome(app, &pool, email, step).await? {
                Outcome::Open(each) => opened.push(*each),
                Outcome::Waiting(each) => waiting.push(each),
                Outcome::Refused => refused.push(pool),
            },
            Err(error) if error.status == StatusCode::UNAUTHORIZED => refused.push(pool),
            Err(error) => failure = Some(error),
        }
    }
    if opened.is_empty() && waiting.is_empty() {
        for pool in &refused {
            record_failure(app, pool, email, meta).await;
        }
        // A pool that could not be asked (Cognito down) is a 503, not a wrong password.
        return Err(failure.unwrap_or_else(ApiError::bad_credentials));
    }
    if waiting.is_empty() {
        return open_session(app, email, opened, mode, meta).await;
    }
    let key = SessionKey::new();
    let done = opened
        .iter()
        .map(|each| seal_tokens(&key, each))
        .collect::<ApiResult<Vec<_>>>()?;
    let pending = PendingSignIn {
        email: email.trim().to_lowercase(),
        done,
        waiting,
        mode: mode_name(mode).to_string(),
        expires_at: now_epoch() + PENDING_SECONDS,
    };
    ask_next(app, &key, pending).await
}

/// The next code of a pending sign-in: saved, then asked.
async fn ask_next(
    app: &App,
    key: &SessionKey,
    mut pending: PendingSignIn,
) -> ApiResult<Response<Body>> {
    let Some(next) = pending.waiting.first_mut() else {
        return Err(ApiError::internal("pending sign-in", "nothing to ask"));
    };
    let mut body = SignInResponse {
        status: "challenge".to_string(),
        challenge: Some(next.challenge.clone()),
        session: Some(format!("{PENDING_PREFIX}{}", key.to_cookie())),
        email: Some(pending.email.clone()),
        organisation: Some(Organisation {
            id: next.id.clone(),
            name: next.name.clone(),
            kind: next.kind.clone(),
        }),
        ..SignInResponse::default()
    };
    if next.challenge == "mfa_setup" {
        let output = app
            .cognito
            .associate_software_token()
            .session(&next.cognito_session)
            .send()
            .await
            .map_err(|error| sign_in_error("cognito associate_software_token", error))?;
        let secret = output.secret_code.unwrap_or_default();
        if let Some(session) = output.session {
            next.cognito_session = session;
        }
        let issuer = format!("{} ({})", app.config.firm_name, next.name);
        body.otpauth_uri = Some(otpauth_uri(&issuer, &pending.email, &secret));
        body.secret = Some(secret);
    }
    app.store
        .put_pending_sign_in(&token_hash(&key.secret), &pending)
        .await?;
    Ok(json_response(StatusCode::OK, &body))
}

/// What the page sends with a code (or a new password) for a pending sign-in.
pub struct Answer<'a> {
    pub email: &'a str,
    pub code: Option<&'a str>,
    pub new_password: Option<&'a str>,
}

/// Answers the first organisation still asking; then the next is asked, or the session opens.
pub async fn answer(
    app: &App,
    key: &SessionKey,
    answer: Answer<'_>,
    meta: &RequestMeta,
) -> ApiResult<Response<Body>> {
    let hash = token_hash(&key.secret);
    let mut pending = app
        .store
        .pending_sign_in(&hash, now_epoch())
        .await?
        .filter(|pending| pending.email.eq_ignore_ascii_case(answer.email.trim()))
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "sign_in_expired",
                "session: this sign-in has expired; enter your password again",
            )
        })?;
    let Some(asking) = pending.waiting.first().cloned() else {
        return Err(ApiError::internal("pending sign-in", "nothing waiting"));
    };
    let pool = pool_of(app, &asking.id).await?;
    let email = pending.email.clone();
    let step = if asking.challenge == "new_password" {
        let password = answer
            .new_password
            .filter(|password| !password.is_empty() && password.len() <= 256)
            .ok_or_else(|| {
                ApiError::invalid("new_password", atrium_shared::cognito::PASSWORD_RULES)
            })?;
        choose_password(app, &pool, &email, &asking.cognito_session, password).await?
    } else {
        let code = answer
            .code
            .ok_or_else(|| ApiError::invalid("code", "is required with a session"))?;
        let code = atrium_shared::validate::totp_code("code", code)?;
        let answered = answer_challenge(
            app,
            &pool,
            &email,
            &asking.cognito_session,
            &code,
            Some(&asking.challenge),
        )
        .await;
        match answered {
            Ok(step) => step,
            Err(error) => {
                if error.status == StatusCode::UNAUTHORIZED {
                    record_failure(app, &pool, &email, meta).await;
                }
                return Err(error);
            }
        }
    };
    match outcome(app, &pool, &email, step).await? {
        Outcome::Open(opened) => {
            pending.waiting.remove(0);
            pending.done.push(seal_tokens(key, &opened)?);
        }
        // Another step in the same organisation (a new password, then an authenticator).
        Outcome::Waiting(next) => {
            if let Some(first) = pending.waiting.first_mut() {
                *first = next;
            }
        }
        Outcome::Refused => {
            pending.waiting.remove(0);
        }
    }
    if !pending.waiting.is_empty() {
        return ask_next(app, key, pending).await;
    }
    app.store.forget_pending_sign_in(&hash).await?;
    let mut opened_all = Vec::new();
    for sealed_tokens in &pending.done {
        if let Some(each) = unseal(app, key, &email, sealed_tokens).await? {
            opened_all.push(each);
        }
    }
    if opened_all.is_empty() {
        return Err(ApiError::bad_credentials());
    }
    let mode = if pending.mode == "bearer" {
        Mode::Bearer
    } else {
        Mode::Cookie
    };
    open_session(app, &email, opened_all, mode, meta).await
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Bearer => "bearer",
        Mode::Cookie => "cookie",
    }
}

fn seal_tokens(key: &SessionKey, opened: &Opened) -> ApiResult<SealedTokens> {
    let place = key.place(&opened.organisation.id);
    let seal = |token: &str| {
        sealed::seal(key.secret.as_bytes(), &place, token)
            .ok_or_else(|| ApiError::internal("seal", "sign-in tokens"))
    };
    Ok(SealedTokens {
        organisation: opened.organisation.id.clone(),
        access: seal(&opened.access_token)?,
        refresh: seal(&opened.refresh_token)?,
        expires_in: opened.expires_in,
    })
}

async fn unseal(
    app: &App,
    key: &SessionKey,
    email: &str,
    tokens: &SealedTokens,
) -> ApiResult<Option<Opened>> {
    let place = key.place(&tokens.organisation);
    let open = |token: &str| sealed::open(key.secret.as_bytes(), &place, token);
    let (Some(access), Some(refresh)) = (open(&tokens.access), open(&tokens.refresh)) else {
        return Ok(None);
    };
    let pool = pool_of(app, &tokens.organisation).await?;
    let result = AuthenticationResultType::builder()
        .access_token(access)
        .refresh_token(refresh)
        .expires_in(tokens.expires_in)
        .build();
    opened(app, &pool, email, result).await
}

/// The pool of an organisation id (a tenant id, or `staff`).
pub async fn pool_of(app: &App, organisation: &str) -> ApiResult<PoolRef> {
    if organisation == STAFF_ORGANISATION {
        return Ok(app.staff_pool());
    }
    app.client_pool_by_tenant(organisation)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// A refused password or code goes into that client's trail (the attempted address, never the
/// password); staff have no tenant trail, so theirs is logged.
pub async fn record_failure(app: &App, pool: &PoolRef, email: &str, meta: &RequestMeta) {
    let Some(scope) = scope_of_pool(pool) else {
        tracing::warn!(email, ip = %meta.ip, "staff sign-in failed");
        return;
    };
    let entry = AuditEntry::new(
        &scope,
        "anonymous",
        "",
        "session.sign_in_failed",
        &format!("email/{email}"),
        0,
        meta,
    );
    if let Err(error) = app.store.audit(&scope, &entry).await {
        tracing::error!(?error, "failed sign-in not recorded");
    }
}
