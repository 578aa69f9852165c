//! One origin, as CloudFront gives it in AWS: web/ at `/`, the API at `/api/*`, and (locally
//! only) the dev mailbox at `/dev/mailbox`.

use crate::events::IncomingRequest;
use crate::gateway::Gateway;
use crate::mailbox;
use http::{header, HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::net::TcpListener;

/// API Gateway's own limit on a request body.
const MAX_BODY: usize = 10 * 1024 * 1024;

pub struct Server {
    pub gateway: Arc<Gateway>,
    pub web_root: PathBuf,
    pub moto_endpoint: String,
}

/// The security headers CloudFront adds in AWS (template.yaml), so local pages behave alike.
/// `connect-src` names the documents bucket's endpoint as template.yaml does: here moto, where
/// the presigned upload URLs point (the browser PUTs files straight to it); `img-src` too, for
/// the firm's logo (`/api/branding/logo` redirects to a presigned GET there). Stripe.js and
/// the calls it makes come from Stripe's origin, here localstripe (template.yaml names
/// js.stripe.com, its frames and api.stripe.com).
fn content_security_policy(storage_origin: &str, stripe_origin: &str) -> String {
    format!(
        "default-src 'self'; img-src 'self' data: blob: {storage_origin}; style-src 'self'; script-src 'self' {stripe_origin}; frame-src {stripe_origin}; connect-src 'self' {storage_origin} {stripe_origin}; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
}

/// The scheme, host and port of an endpoint URL (`http://127.0.0.1:5000/` → `http://127.0.0.1:5000`).
fn origin_of(endpoint: &str) -> &str {
    let after_scheme = endpoint.find("://").map_or(0, |index| index + 3);
    match endpoint[after_scheme..].find('/') {
        Some(slash) => &endpoint[..after_scheme + slash],
        None => endpoint,
    }
}

impl Server {
    pub async fn serve(self: Arc<Self>, listener: TcpListener) {
        loop {
            let Ok((stream, remote)) = listener.accept().await else {
                continue;
            };
            let server = self.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request| {
                    let server = server.clone();
                    async move {
                        Ok::<_, std::convert::Infallible>(server.handle(request, remote).await)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    }

    async fn handle(
        &self,
        request: Request<Incoming>,
        remote: SocketAddr,
    ) -> Response<Full<Bytes>> {
        let path = request.uri().path().to_string();
        if path.starts_with("/api/") {
            return self.api(request, remote).await;
        }
        if path == "/dev/mailbox" || path == "/dev/mailbox.json" {
            return self.mailbox(path.ends_with(".json")).await;
        }
        self.static_file(&path).await
    }

    async fn api(&self, request: Request<Incoming>, remote: SocketAddr) -> Response<Full<Bytes>> {
        let (parts, body) = request.into_parts();
        let body = match Limited::new(body, MAX_BODY).collect().await {
            Ok(collected) => collected.to_bytes().to_vec(),
            Err(_) => {
                return plain(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "{\"message\":\"Request Entity Too Large\"}",
                )
            }
        };
        let mut incoming = IncomingRequest::new(
            parts.method.as_str(),
            parts
                .uri
                .path_and_query()
                .map(|pq| pq.as_str())
                .unwrap_or("/"),
        );
        incoming.headers = parts.headers;
        incoming.body = body;
        incoming.source_ip = remote.ip().to_string();
        let response = self.gateway.call(incoming).await;
        let (parts, body) = response.into_parts();
        Response::from_parts(parts, Full::new(Bytes::from(body)))
    }

    async fn mailbox(&self, as_json: bool) -> Response<Full<Bytes>> {
        match mailbox::sent_mail(&self.moto_endpoint).await {
            Ok(mail) if as_json => {
                let mut response = plain(
                    StatusCode::OK,
                    &serde_json::to_string(&mail).unwrap_or_default(),
                );
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                response
            }
            Ok(mail) => {
                let mut response = plain(StatusCode::OK, &mailbox::page(&mail));
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                );
                response
            }
            Err(error) => plain(StatusCode::BAD_GATEWAY, &error),
        }
    }

    async fn static_file(&self, path: &str) -> Response<Full<Bytes>> {
        let relative = path.trim_start_matches('/');
        let safe = !relative
            .split('/')
            .any(|segment| segment == ".." || segment.starts_with('.'));
        let mut file = self.web_root.join(if relative.is_empty() {
            "index.html"
        } else {
            relative
        });
        if !safe || !file.is_file() {
            // The single-page app answers every other path (e.g. /invite) itself.
            file = self.web_root.join("index.html");
        }
        match tokio::fs::read(&file).await {
            Ok(bytes) => {
                let mut response = Response::new(Full::new(Bytes::from(bytes)));
                let headers = response.headers_mut();
                headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(content_type(&file)),
                );
                let policy = content_security_policy(
                    origin_of(&self.moto_endpoint),
                    origin_of(&self.gateway.app().config.stripe_js_url),
                );
                if let Ok(policy) = HeaderValue::from_str(&policy) {
                    headers.insert("content-security-policy", policy);
                }
                headers.insert(
                    "x-content-type-options",
                    HeaderValue::from_static("nosniff"),
                );
                headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
                response
            }
            Err(_) => plain(StatusCode::NOT_FOUND, "not found"),
        }
    }
}

fn plain(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|extension| extension.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("json") => "application/json",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_lets_the_browser_upload_to_the_local_bucket() {
        assert_eq!(origin_of("http://127.0.0.1:5123"), "http://127.0.0.1:5123");
        assert_eq!(origin_of("http://127.0.0.1:5123/"), "http://127.0.0.1:5123");
        let policy = content_security_policy(
            origin_of("http://127.0.0.1:5123"),
            origin_of("http://127.0.0.1:5124/js.stripe.com/v3/"),
        );
        assert!(policy.contains("connect-src 'self' http://127.0.0.1:5123 http://127.0.0.1:5124;"));
        assert!(policy.contains("img-src 'self' data: blob: http://127.0.0.1:5123;"));
        assert!(policy.contains("script-src 'self' http://127.0.0.1:5124;"));
    }
}
