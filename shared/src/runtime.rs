//! The glue between a handler and the Lambda runtime: `run_http` is all a binary does with an
//! HTTP operation (`atrium_portal::serve`).

use crate::app::App;
use crate::error::ApiResult;
use lambda_http::{service_fn, Body, Request, Response};
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tracing_subscriber::filter::LevelFilter;

pub type HandlerFuture = Pin<Box<dyn Future<Output = ApiResult<Response<Body>>> + Send>>;

/// One operation: what a Lambda binary runs and what the local gateway routes to.
pub type Handler = fn(Arc<App>, Request) -> HandlerFuture;

/// Turns `async fn(&App, Request) -> ApiResult<Response<Body>>` into a [`Handler`].
#[macro_export]
macro_rules! handler {
    ($function:path) => {{
        fn boxed(
            app: ::std::sync::Arc<$crate::App>,
            request: ::lambda_http::Request,
        ) -> $crate::runtime::HandlerFuture {
            ::std::boxed::Box::pin(async move { $function(&app, request).await })
        }
        boxed as $crate::runtime::Handler
    }};
}

/// What an event-driven operation's handler returns (an EventBridge rule's delivery).
pub type EventFuture = Pin<Box<dyn Future<Output = ApiResult<()>> + Send>>;

/// An operation started by an event rather than a request: it gets the event's JSON as
/// EventBridge delivers it. The local stack calls the same function in-process.
pub type EventHandler = fn(Arc<App>, serde_json::Value) -> EventFuture;

/// Turns `async fn(&App, serde_json::Value) -> ApiResult<()>` into an [`EventHandler`].
#[macro_export]
macro_rules! event_handler {
    ($function:path) => {{
        fn boxed(
            app: ::std::sync::Arc<$crate::App>,
            event: ::serde_json::Value,
        ) -> $crate::runtime::EventFuture {
            ::std::boxed::Box::pin(async move { $function(&app, event).await })
        }
        boxed as $crate::runtime::EventHandler
    }};
}

/// The whole of an event-driven function's `main`: build the clients once, then handle each
/// event. A failed event is a function error, so EventBridge's retry policy and the error
/// alarm see it.
pub async fn run_events(handler: EventHandler) -> Result<(), lambda_http::Error> {
    init_tracing();
    let app = Arc::new(App::from_env().await?);
    lambda_http::lambda_runtime::run(lambda_http::lambda_runtime::service_fn(
        move |event: lambda_http::lambda_runtime::LambdaEvent<serde_json::Value>| {
            let app = app.clone();
            async move {
                handler(app, event.payload)
                    .await
                    .map_err(|error| lambda_http::Error::from(error.to_string()))
            }
        },
    ))
    .await
}

/// Runs a handler until errors become JSON responses.
/// A request that did not come through the portal's distribution never reaches the handler
/// (crate::edge).
pub async fn respond(handler: Handler, app: Arc<App>, mut request: Request) -> Response<Body> {
    if let Err(refused) = crate::edge::admit(app.config.origin_secret.as_deref(), &mut request) {
        return refused.into_response();
    }
    match handler(app, request).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

/// JSON logs at the level `RUST_LOG` names (`error` … `trace`, `off`), else `info`.
///
/// A level only, not `EnvFilter`'s per-module directives: those need the regex engine, about
/// 0.2 MB of every binary for a switch nobody flips in Lambda.
pub fn init_tracing() {
    let level = std::env::var("RUST_LOG")
        .ok()
        .and_then(|text| text.trim().parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::INFO);
    let _ = tracing_subscriber::fmt()
        .json()
        .with_max_level(level)
        .without_time()
        .with_current_span(false)
        .try_init();
}

/// The whole of a function's `main`: build the clients once, then serve requests.
pub async fn run_http(handler: Handler) -> Result<(), lambda_http::Error> {
    init_tracing();
    let app = Arc::new(App::from_env().await?);
    lambda_http::run(service_fn(move |request: Request| {
        let app = app.clone();
        async move { Ok::<_, Infallible>(respond(handler, app, request).await) }
    }))
    .await
}
