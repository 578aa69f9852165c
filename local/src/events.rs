//! Payload-2.0 events, built the way API Gateway builds them, from a plain HTTP request.

use crate::template::Route;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http::HeaderMap;
use serde_json::{json, Map, Value};

/// An HTTP request as it reaches the gateway.
#[derive(Debug, Clone)]
pub struct IncomingRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub source_ip: String,
}

impl IncomingRequest {
    pub fn new(method: &str, path_and_query: &str) -> Self {
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        Self {
            method: method.to_uppercase(),
            path: path.to_string(),
            query: query.to_string(),
            headers: HeaderMap::new(),
            body: Vec::new(),
            source_ip: "127.0.0.1".to_string(),
        }
    }
}

fn headers_json(headers: &HeaderMap) -> Map<String, Value> {
    // API Gateway lower-cases names and joins repeated headers with commas; cookies travel
    // in their own list.
    let mut map = Map::new();
    for name in headers.keys() {
        if name == http::header::COOKIE {
            continue;
        }
        let joined = headers
            .get_all(name)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        map.insert(name.as_str().to_lowercase(), Value::String(joined));
    }
    map
}

fn cookies(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .map(|pair| pair.trim().to_string())
        .filter(|pair| !pair.is_empty())
        .collect()
}

fn query_parameters(query: &str) -> Map<String, Value> {
    let mut map = Map::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(key);
        let value = percent_decode(value);
        // API Gateway joins repeated parameters with commas.
        let joined = match map.get(&key).and_then(Value::as_str) {
            Some(existing) => format!("{existing},{value}"),
            None => value,
        };
        map.insert(key, Value::String(joined));
    }
    map
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let hex = |byte: u8| (byte as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => out.push(b' '),
            b'%' if index + 2 < bytes.len() => {
                match (hex(bytes[index + 1]), hex(bytes[index + 2])) {
                    (Some(high), Some(low)) => {
                        out.push((high * 16 + low) as u8);
                        index += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn request_context(request: &IncomingRequest, route_key: &str) -> Value {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|duration| duration.as_millis() as i64)
        .unwrap_or_default();
    json!({
        "accountId": "000000000000",
        "apiId": "local",
        "domainName": "localhost",
        "domainPrefix": "localhost",
        "http": {
            "method": request.method,
            "path": request.path,
            "protocol": "HTTP/1.1",
            "sourceIp": request.source_ip,
            "userAgent": request.headers.get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or_default(),
        },
        "requestId": ulid::Ulid::new().to_string(),
        "routeKey": route_key,
        "stage": "$default",
        "time": "",
        "timeEpoch": now,
    })
}

fn path_parameters(params: &[(String, String)]) -> Map<String, Value> {
    params
        .iter()
        .map(|(name, value)| (name.clone(), Value::String(percent_decode(value))))
        .collect()
}

/// The event the authorizer function receives.
pub fn authorizer_event(
    request: &IncomingRequest,
    route: &Route,
    params: &[(String, String)],
) -> Value {
    json!({
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": format!("arn:aws:execute-api:us-east-1:000000000000:local/$default/{}{}", route.method, route.path),
        "identitySource": [],
        "routeKey": route.key(),
        "rawPath": request.path,
        "rawQueryString": request.query,
        "cookies": cookies(&request.headers),
        "headers": headers_json(&request.headers),
        "queryStringParameters": query_parameters(&request.query),
        "requestContext": request_context(request, &route.key()),
        "pathParameters": path_parameters(params),
        "stageVariables": {},
    })
}

/// The event a route's function receives, with the authorizer's context when it ran.
pub fn http_event(
    request: &IncomingRequest,
    route: &Route,
    params: &[(String, String)],
    authorizer_context: Option<&Value>,
) -> Value {
    let mut context = request_context(request, &route.key());
    if let Some(fields) = authorizer_context {
        context["authorizer"] = json!({ "lambda": fields });
    }
    let (body, is_base64) = match std::str::from_utf8(&request.body) {
        Ok(text) => (text.to_string(), false),
        Err(_) => (STANDARD.encode(&request.body), true),
    };
    let mut event = json!({
        "version": "2.0",
        "routeKey": route.key(),
        "rawPath": request.path,
        "rawQueryString": request.query,
        "cookies": cookies(&request.headers),
        "headers": headers_json(&request.headers),
        "requestContext": context,
        "isBase64Encoded": is_base64,
    });
    let query = query_parameters(&request.query);
    if !query.is_empty() {
        event["queryStringParameters"] = Value::Object(query);
    }
    if !params.is_empty() {
        event["pathParameters"] = Value::Object(path_parameters(params));
    }
    if !request.body.is_empty() {
        event["body"] = Value::String(body);
    }
    event
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_decode_like_api_gateway() {
        let params = query_parameters("a=1&b=x%20y&a=2&c");
        assert_eq!(params["a"], "1,2");
        assert_eq!(params["b"], "x y");
        assert_eq!(params["c"], "");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
