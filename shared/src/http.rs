//! Reading requests and writing responses: JSON bodies, cookies, the Origin check, request
//! metadata for the audit trail.

use crate::error::{ApiError, ApiResult};
pub use crate::response::json_response;
use crate::types::RecordId;
use http::{header, HeaderMap, Method, StatusCode};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Largest JSON body any handler reads; bigger ones are refused before parsing.
pub const MAX_JSON_BODY: usize = 64 * 1024;

pub const ACCESS_COOKIE: &str = "__Host-atrium_at";
pub const REFRESH_COOKIE: &str = "__Host-atrium_rt";

pub fn ok(body: &impl Serialize) -> ApiResult<Response<Body>> {
    Ok(json_response(StatusCode::OK, body))
}

pub fn created(body: &impl Serialize) -> ApiResult<Response<Body>> {
    Ok(json_response(StatusCode::CREATED, body))
}

/// Parses a JSON body into `T`. Errors name the field at fault (`contact.email: invalid type…`).
pub fn parse_json<T: DeserializeOwned>(req: &Request) -> ApiResult<T> {
    parse_json_within(req, MAX_JSON_BODY)
}

/// As [`parse_json`], for the few bodies that carry more than [`MAX_JSON_BODY`] (a signature's
/// drawn images), up to `max_bytes`.
pub fn parse_json_within<T: DeserializeOwned>(req: &Request, max_bytes: usize) -> ApiResult<T> {
    let bytes: &[u8] = match req.body() {
        Body::Empty => b"",
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => b"",
    };
    if bytes.len() > max_bytes {
        return Err(ApiError::too_large(format!(
            "request body is larger than {max_bytes} bytes"
        )));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::malformed("request body must be a JSON object"));
    }
    if let Some(content_type) = req.headers().get(header::CONTENT_TYPE) {
        let is_json = content_type
            .to_str()
            .map(|value| value.trim_start().starts_with("application/json"))
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "content-type must be application/json",
            ));
        }
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::malformed(format!("request body is not valid JSON: {inner}"));
        }
        // serde's own text says "missing field `x`" at the root; keep it, naming the field.
        let problem = strip_position(&inner.to_string());
        if let Some(unknown) = quoted_after(&problem, "unknown field `") {
            // serde_path_to_error's path already ends at the unknown key.
            let field = match path.as_str() {
                "." => unknown.to_string(),
                known if known == unknown || known.ends_with(&format!(".{unknown}")) => {
                    known.to_string()
                }
                parent => format!("{parent}.{unknown}"),
            };
            return ApiError::invalid(&field, "is not a field this request takes");
        }
        match (path.as_str(), missing_field_name(&problem)) {
            (".", Some(missing)) => ApiError::invalid(missing, "is required"),
            (".", None) => ApiError::invalid("body", &problem),
            (parent, Some(missing)) => {
                ApiError::invalid(&format!("{parent}.{missing}"), "is required")
            }
            (field, None) => ApiError::invalid(field, &problem),
        }
    })
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}

fn missing_field_name(problem: &str) -> Option<&str> {
    quoted_after(problem, "missing field `")
}

/// The name serde quotes after `prefix` (`unknown field `x`, expected …` gives `x`).
fn quoted_after<'a>(problem: &'a str, prefix: &str) -> Option<&'a str> {
    problem.strip_prefix(prefix)?.split('`').next()
}

pub fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// The value of one cookie from the request's Cookie headers.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    Cookie,
    Bearer,
}

/// The access token from `Authorization: Bearer` or, failing that, the session cookie.
pub fn access_token(headers: &HeaderMap) -> Option<(String, TokenSource)> {
    if let Some(value) = header_str(headers, "authorization") {
        let (scheme, token) = value.trim().split_once(' ')?;
        if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() {
            return Some((token.trim().to_string(), TokenSource::Bearer));
        }
        return None;
    }
    cookie_value(headers, ACCESS_COOKIE)
        .filter(|token| !token.is_empty())
        .map(|token| (token, TokenSource::Cookie))
}

pub fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Cross-site request defence for cookie sessions: a state-changing request must come from the
/// portal's own origin. A request that carries no cookie session (API use with a bearer token,
/// or a sign-in with no session yet) may omit `Origin`, but a foreign `Origin` is always refused.
pub fn check_origin(
    method: &Method,
    headers: &HeaderMap,
    portal_origin: &str,
    uses_cookie_session: bool,
) -> ApiResult<()> {
    if !is_state_changing(method) {
        return Ok(());
    }
    match header_str(headers, "origin") {
        Some(origin) if origin.trim_end_matches('/') == portal_origin.trim_end_matches('/') => {
            Ok(())
        }
        Some(_) => Err(ApiError::forbidden(
            "this request must come from the portal's own origin",
        )),
        None if uses_cookie_session => Err(ApiError::forbidden(
            "this request must come from the portal's own origin",
        )),
        None => Ok(()),
    }
}

fn cookie(name: &str, value: &str, max_age_seconds: i64) -> String {
    format!("{name}={value}; Path=/; Max-Age={max_age_seconds}; HttpOnly; Secure; SameSite=Strict")
}

/// Set-Cookie values for a new session.
pub fn session_cookies(
    access_token: &str,
    access_ttl_seconds: i64,
    refresh_token: Option<&str>,
) -> Vec<String> {
    let mut cookies = vec![cookie(ACCESS_COOKIE, access_token, access_ttl_seconds)];
    if let Some(refresh) = refresh_token {
        cookies.push(cookie(REFRESH_COOKIE, refresh, 30 * 24 * 3600));
    }
    cookies
}

pub fn clearing_cookies() -> Vec<String> {
    vec![cookie(ACCESS_COOKIE, "", 0), cookie(REFRESH_COOKIE, "", 0)]
}

pub fn with_cookies(mut response: Response<Body>, cookies: Vec<String>) -> Response<Body> {
    for value in cookies {
        if let Ok(header_value) = header::HeaderValue::from_str(&value) {
            response
                .headers_mut()
                .append(header::SET_COOKIE, header_value);
        }
    }
    response
}

/// Where a request came from, for the audit trail: the viewer's address as CloudFront
/// reported it (crate::edge), else the address API Gateway (or the local gateway) saw.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RequestMeta {
    pub ip: String,
    pub user_agent: String,
}

impl RequestMeta {
    pub fn of(req: &Request) -> Self {
        let mut meta = RequestMeta::default();
        if let Some(RequestContext::ApiGatewayV2(context)) = req.request_context_ref() {
            meta.ip = context.http.source_ip.clone().unwrap_or_default();
            meta.user_agent = context.http.user_agent.clone().unwrap_or_default();
        }
        if meta.user_agent.is_empty() {
            meta.user_agent = header_str(req.headers(), "user-agent")
                .unwrap_or_default()
                .to_string();
        }
        if let Some(crate::edge::ViewerAddress(viewer)) =
            req.extensions().get::<crate::edge::ViewerAddress>()
        {
            meta.ip = viewer.to_string();
        }
        meta.user_agent.truncate(512);
        meta
    }
}

/// A path parameter the route declares; absent means the route table and handler disagree.
pub fn path_param(req: &Request, name: &str) -> ApiResult<String> {
    req.path_parameters_ref()
        .and_then(|params| params.first(name))
        .map(str::to_string)
        .ok_or_else(ApiError::not_found)
}

/// A record's id from the path: a ULID the portal gave out, else 404 (a malformed id names
/// nothing the caller may see), parsed here once.
pub fn path_id(req: &Request, name: &str) -> ApiResult<RecordId> {
    RecordId::parse(&path_param(req, name)?).map_err(|_| ApiError::not_found())
}

pub fn query_param(req: &Request, name: &str) -> Option<String> {
    req.query_string_parameters_ref()
        .and_then(|params| params.first(name))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        contact: Inner,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        email: String,
    }

    fn parse_text(body: &str) -> ApiError {
        let req = Request::new(Body::Text(body.to_string()));
        parse_json::<Outer>(&req).expect_err("refused")
    }

    #[test]
    fn body_errors_name_the_field() {
        let cases = [
            (
                r#"{"name": "a", "contact": {"email": "e"}, "nmae": 1}"#,
                "nmae: is not a field this request takes",
            ),
            (
                r#"{"name": "a", "contact": {"email": "e", "phone": 1}}"#,
                "contact.phone: is not a field this request takes",
            ),
            (
                r#"{"name": 7, "contact": {"email": "e"}}"#,
                "name: invalid type",
            ),
            (
                r#"{"name": "a", "contact": {"email": []}}"#,
                "contact.email: invalid type",
            ),
            (r#"{"contact": {"email": "e"}}"#, "name: is required"),
            (
                r#"{"name": "a", "contact": {}}"#,
                "contact.email: is required",
            ),
        ];
        for (body, expected) in cases {
            let error = parse_text(body);
            assert_eq!(error.status, StatusCode::BAD_REQUEST);
            assert!(
                error.message.starts_with(expected),
                "{body}: {}",
                error.message
            );
        }
    }

    #[test]
    fn bearer_wins_over_cookie_and_bad_schemes_are_refused() {
        let both = headers(&[
            ("authorization", "Bearer abc"),
            ("cookie", "__Host-atrium_at=fromcookie"),
        ]);
        assert_eq!(
            access_token(&both),
            Some(("abc".to_string(), TokenSource::Bearer))
        );
        let basic = headers(&[("authorization", "Basic abc")]);
        assert_eq!(access_token(&basic), None);
        let cookie_only = headers(&[("cookie", "a=1; __Host-atrium_at=tok; b=2")]);
        assert_eq!(
            access_token(&cookie_only),
            Some(("tok".to_string(), TokenSource::Cookie))
        );
    }

    #[test]
    fn origin_rules() {
        let portal = "https://portal.example";
        let same = headers(&[("origin", "https://portal.example")]);
        let foreign = headers(&[("origin", "https://evil.example")]);
        let none = HeaderMap::new();
        assert!(check_origin(&Method::POST, &same, portal, true).is_ok());
        assert!(check_origin(&Method::POST, &foreign, portal, false).is_err());
        assert!(check_origin(&Method::POST, &none, portal, true).is_err());
        assert!(check_origin(&Method::POST, &none, portal, false).is_ok());
        assert!(check_origin(&Method::GET, &foreign, portal, true).is_ok());
    }

    #[test]
    fn session_cookies_are_locked_down() {
        for value in session_cookies("a", 3600, Some("r")) {
            assert!(value.contains("HttpOnly"));
            assert!(value.contains("Secure"));
            assert!(value.contains("SameSite=Strict"));
        }
    }
}
