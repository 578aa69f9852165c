//! `GET /api/me`: who is signed in, with their organisation.

use crate::open::Organisation;
use crate::sessions::current_session;
use atrium_shared::http::ok;
use atrium_shared::principal::{Kind, Principal, Role};
use atrium_shared::store::people::STAFF_ORGANISATION;
use atrium_shared::{ApiError, ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Me {
    pub kind: Kind,
    pub sub: String,
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub mfa_enabled: bool,
    pub firm: Firm,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientSummary>,
    /// The organisation open now, and every one this session can switch to.
    pub organisation: Organisation,
    pub organisations: Vec<Organisation>,
}

#[derive(Debug, Serialize)]
pub struct Firm {
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct ClientSummary {
    pub id: String,
    pub name: String,
    pub slug: String,
}

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let (user, client) = match principal.kind {
        Kind::Staff => (app.store.staff_user(&principal.sub).await?, None),
        Kind::Client => {
            let scope = principal.own_tenant()?;
            let (profile, contact) = app
                .store
                .profile_and_contact(&scope, &principal.sub)
                .await?;
            let client = profile.map(|profile| ClientSummary {
                id: profile.tenant_id,
                name: profile.name,
                slug: profile.slug,
            });
            (contact, client)
        }
    };
    let user = user.ok_or_else(ApiError::unauthorized)?;
    let session = current_session(app, &req).await?;
    let open_id = principal
        .own_tenant()
        .map(|scope| scope.tenant_id().to_string())
        .unwrap_or_else(|_| STAFF_ORGANISATION.to_string());
    let organisations: Vec<Organisation> =
        session.organisations.iter().map(Organisation::of).collect();
    let organisation = organisations
        .iter()
        .find(|organisation| organisation.id == open_id)
        .cloned()
        .ok_or_else(ApiError::unauthorized)?;
    ok(&Me {
        kind: principal.kind,
        sub: user.sub,
        email: user.email,
        name: user.name,
        roles: user.roles,
        mfa_enabled: user.mfa_enabled,
        // The firm's own name from its branding settings (cached a minute per sandbox).
        firm: Firm {
            name: app.branding().await.firm_name,
        },
        client,
        organisation,
        organisations,
    })
}
