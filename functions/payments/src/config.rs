//! `GET /api/payments/config` (a client's admins and billing contacts): whether the firm takes
//! payments in the portal, and what the browser needs for Stripe.js (the publishable key and
//! where Stripe.js is served). Never a secret.

use crate::data::settings;
use atrium_shared::http::ok;
use atrium_shared::principal::Principal;
use atrium_shared::{ApiResult, App};
use lambda_http::{Body, Request, Response};
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    atrium_invoices::billing_scope(app, &principal, &req, false).await?;
    let answer = match settings(app).await? {
        Some(settings) => json!({
            "enabled": true,
            "publishable_key": settings.publishable_key,
            "stripe_js_url": app.config.stripe_js_url,
            "methods": settings.methods(),
        }),
        None => json!({
            "enabled": false,
            "publishable_key": null,
            "stripe_js_url": null,
            "methods": [],
        }),
    };
    ok(&answer)
}
