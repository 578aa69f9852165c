//! The error contract: every failure is `{"error": {"code", "message"}}` with the right status.
//! Messages name the offending field and never carry internals; internals go to the log.

use http::StatusCode;
use lambda_http::{Body, Response};
use serde_json::json;

pub type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Every failing field with its problem, when a check names more than one (empty
    /// otherwise); answered as `error.fields`, `{"<field>": "<problem>"}`.
    pub fields: Vec<(String, String)>,
    /// Seconds to wait before trying again, sent as `Retry-After` (429s).
    pub retry_after: Option<i64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: Vec::new(),
            retry_after: None,
        }
    }

    /// 400 naming every failing field: the message lists them all (`a: problem; b: problem`,
    /// so it still starts with the first field's name) and `error.fields` maps each to its
    /// problem. An empty list is not an error a caller should build; it still answers 400.
    pub fn invalid_fields(fields: Vec<(String, String)>) -> Self {
        let message = fields
            .iter()
            .map(|(field, problem)| format!("{field}: {problem}"))
            .collect::<Vec<_>>()
            .join("; ");
        Self {
            fields,
            ..Self::new(StatusCode::BAD_REQUEST, "invalid_input", message)
        }
    }

    /// 400 for a field that is missing or invalid; the message starts with the field's name.
    pub fn invalid(field: &str, problem: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_input",
            format!("{field}: {problem}"),
        )
    }

    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "malformed_request", message)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "sign in to continue",
        )
    }

    pub fn bad_credentials() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "bad_credentials",
            "email or password is incorrect",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// Not found and not yours are the same answer.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "not found")
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }

    pub fn gone(message: impl Into<String>) -> Self {
        Self::new(StatusCode::GONE, "gone", message)
    }

    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
    }

    pub fn throttled() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            "too many requests; try again shortly",
        )
    }

    /// 429 for a person (or an address) that failed too often: how long to wait, in the message
    /// and in `Retry-After`. The same for every email, known or not.
    pub fn too_many_attempts(wait_seconds: i64) -> Self {
        let minutes = (wait_seconds + 59) / 60;
        let when = if wait_seconds < 60 {
            format!("{wait_seconds} seconds")
        } else if minutes == 1 {
            "a minute".to_string()
        } else {
            format!("{minutes} minutes")
        };
        Self {
            retry_after: Some(wait_seconds),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                format!("too many failed attempts; try again in {when}"),
            )
        }
    }

    /// 503: a dependency failed. The cause is logged here, never returned.
    pub fn dependency(context: &str, cause: impl std::fmt::Debug) -> Self {
        tracing::error!(context, cause = ?cause, "dependency failed");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "dependency_failed",
            "a service the portal depends on failed; nothing was changed, please try again",
        )
    }

    pub fn internal(context: &str, cause: impl std::fmt::Debug) -> Self {
        tracing::error!(context, cause = ?cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on our side",
        )
    }

    pub fn body(&self) -> serde_json::Value {
        let mut body = json!({ "error": { "code": self.code, "message": self.message } });
        if !self.fields.is_empty() {
            let fields: serde_json::Map<String, serde_json::Value> = self
                .fields
                .iter()
                .map(|(field, problem)| (field.clone(), problem.clone().into()))
                .collect();
            body["error"]["fields"] = fields.into();
        }
        body
    }

    pub fn into_response(self) -> Response<Body> {
        let mut response = crate::response::json_response(self.status, &self.body());
        if let Some(seconds) = self.retry_after {
            if let Ok(value) = http::HeaderValue::from_str(&seconds.to_string()) {
                response
                    .headers_mut()
                    .insert(http::header::RETRY_AFTER, value);
            }
        }
        response
    }
}

/// Runs `attempt`, and once more if it answered 409: for a write conditional on what it read,
/// when a rival's write may land in between and a fresh read decides again (the upload's
/// confirm, the scan's verdict, a signature). A second conflict is the answer.
pub async fn again_once_on_conflict<T, F, Fut>(attempt: F) -> ApiResult<T>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ApiResult<T>>,
{
    match attempt().await {
        Err(error) if error.status == http::StatusCode::CONFLICT => attempt().await,
        answer => answer,
    }
}
