//! `GET /api/branding` (public: the sign-in page is branded before anyone signs in): the firm's
//! name, colours, support address, logo address and the `version` a change must name. The
//! defaults (the stack's firm name, the portal's colours, version 0) until an admin saves.

use atrium_shared::branding::BrandingView;
use atrium_shared::http::ok;
use atrium_shared::{ApiResult, App};
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, _req: Request) -> ApiResult<Response<Body>> {
    let record = app.branding_record().await?;
    ok(&BrandingView::of(&app.config.portal_origin, &record))
}
