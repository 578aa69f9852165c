//! `GET /api/me`: who is signed in, with their organisation.

use atrium_shared::http::ok;
use atrium_shared::principal::{Kind, Principal, Role};
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
    })
}
