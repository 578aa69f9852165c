//! The glue between a handler and the Lambda runtime, so every `main` is three lines.

use crate::app::App;
use crate::error::ApiResult;
use lambda_http::{service_fn, Body, Request, Response};
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

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

/// Runs a handler until errors become JSON responses.
pub async fn respond(handler: Handler, app: Arc<App>, request: Request) -> Response<Body> {
    match handler(app, request).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
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
