//! A local stand-in for API Gateway: matches the route from template.yaml, runs the
//! authorizer on protected routes, and calls the route's handler with a real payload-2.0
//! request, answering what API Gateway would (`{"message": "Forbidden"}` when denied).

use crate::events::{authorizer_event, http_event, IncomingRequest};
use crate::template::{self, Route};
use atrium_authorizer::{Authorizer, AuthorizerEvent};
use atrium_shared::operation::Serve;
use atrium_shared::runtime::{respond, Handler};
use atrium_shared::App;
use http::{header, HeaderValue, Response, StatusCode};
use lambda_http::Body;
use std::sync::Arc;

pub struct Gateway {
    app: Arc<App>,
    /// S3's events and GuardDuty's scans, which moto does not deliver (crate::watcher).
    watcher: Arc<crate::watcher::Watcher>,
    authorizer: Authorizer,
    routes: Vec<(Route, Handler)>,
}

/// A response as the gateway sends it on: status, headers (Set-Cookie kept apart, as API
/// Gateway does with `cookies`), and the body's bytes.
pub type GatewayResponse = Response<Vec<u8>>;

/// The template's routes with the handlers of their operations. Fails, naming each, when a
/// function of the template runs no declared operation, an HTTP operation has no route, or a
/// route is declared twice.
pub fn match_routes(template: &str) -> Result<Vec<(Route, Handler)>, String> {
    let functions = template::functions(template)?;
    let routes = template::routes(template)?;
    let mut problems = Vec::new();
    for (function, operation) in &functions {
        match atrium_portal::find(operation).map(|declared| declared.serve) {
            None => problems.push(format!(
                "{function} runs {operation}, which no capability declares"
            )),
            Some(Serve::Http(_)) if !routes.iter().any(|route| &route.operation == operation) => {
                problems.push(format!("{function} ({operation}) has no route"))
            }
            Some(_) => {}
        }
    }
    let mut seen = std::collections::HashSet::new();
    for route in &routes {
        if !seen.insert(route.key()) {
            problems.push(format!("route {} is declared twice", route.key()));
        }
    }
    let mut matched = Vec::new();
    for route in routes {
        match atrium_portal::find(&route.operation).map(|declared| declared.serve) {
            Some(Serve::Http(handler)) => matched.push((route, handler)),
            _ => problems.push(format!(
                "route {} runs {}, which is not an HTTP operation",
                route.key(),
                route.operation
            )),
        }
    }
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    Ok(matched)
}

fn gateway_message(status: StatusCode, message: &str) -> GatewayResponse {
    let mut response = Response::new(format!("{{\"message\":\"{message}\"}}").into_bytes());
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

impl Gateway {
    pub fn new(app: Arc<App>, template: &str) -> Result<Self, String> {
        Ok(Self {
            authorizer: Authorizer::new(app.clone()),
            routes: match_routes(template)?,
            watcher: crate::watcher::Watcher::new(app.clone()),
            app,
        })
    }

    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    pub fn watcher(&self) -> &Arc<crate::watcher::Watcher> {
        &self.watcher
    }

    pub async fn call(&self, request: IncomingRequest) -> GatewayResponse {
        let matched = self.routes.iter().find_map(|(route, handler)| {
            route
                .matches(&request.method, &request.path)
                .map(|params| (route, *handler, params))
        });
        let Some((route, handler, params)) = matched else {
            return gateway_message(StatusCode::NOT_FOUND, "Not Found");
        };

        let mut context = None;
        if !route.public {
            let event: AuthorizerEvent =
                match serde_json::from_value(authorizer_event(&request, route, &params)) {
                    Ok(event) => event,
                    Err(_) => return gateway_message(StatusCode::BAD_REQUEST, "Bad Request"),
                };
            let answer = self.authorizer.authorize(&event).await;
            if !answer.is_authorized {
                return gateway_message(StatusCode::FORBIDDEN, "Forbidden");
            }
            context = Some(answer.context);
        }

        // Any change may be followed by objects landing in the bucket (a confirmed upload, an
        // archive's request); the watcher looks for them for a while.
        if request.method != "GET" {
            self.watcher.kick();
        }
        let event = http_event(&request, route, &params, context.as_ref());
        let lambda_request = match lambda_http::request::from_str(&event.to_string()) {
            Ok(lambda_request) => lambda_request,
            Err(_) => return gateway_message(StatusCode::BAD_REQUEST, "Bad Request"),
        };
        // A panicking handler is a 500, as in Lambda; it must not take the gateway down.
        let app = self.app.clone();
        let outcome =
            tokio::spawn(async move { respond(handler, app, lambda_request).await }).await;
        match outcome {
            Ok(response) => {
                let (parts, body) = response.into_parts();
                let bytes = match body {
                    Body::Empty => Vec::new(),
                    Body::Text(text) => text.into_bytes(),
                    Body::Binary(bytes) => bytes,
                    _ => Vec::new(),
                };
                Response::from_parts(parts, bytes)
            }
            Err(_) => gateway_message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
        }
    }
}
