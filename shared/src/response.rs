//! The JSON response every answer is built with, errors included. It depends on nothing else
//! of the crate, so `error` (which answers with it) and `http` (which reads requests and
//! re-exports it) do not depend on each other.

use http::{header, StatusCode};
use lambda_http::{Body, Response};
use serde::Serialize;

/// `body` as JSON with `status`, never cached.
pub fn json_response(status: StatusCode, body: &impl Serialize) -> Response<Body> {
    let text = serde_json::to_string(body).unwrap_or_else(|_| "{}".to_string());
    let mut response = Response::new(Body::Text(text));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}
