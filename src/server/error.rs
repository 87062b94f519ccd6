//! The one HTTP error type, with the stable codes of the API.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answer: `{"error":{"code":"…","message":"…"}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds for a `Retry-After` header.
    pub retry_after: Option<u64>,
    /// Close the connection after answering (the body was not read whole).
    pub close: bool,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), retry_after: None, close: false }
    }

    pub fn missing_signature(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "missing_signature", message)
    }

    pub fn invalid_signature(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "invalid_signature", message)
    }

    pub fn unknown_provider(routes: &str) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "unknown_provider",
            format!("POST /webhook needs an X-Gitlab-Event (GitLab) or X-Event-Key (Bitbucket Server) header; the routes are: {routes}"),
        )
    }

    pub fn not_found(routes: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("no such route; the routes are: {routes}"))
    }

    pub fn malformed_payload(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "malformed_payload", message)
    }

    pub fn unsupported_media_type(content_type: &str) -> ApiError {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("content type {content_type:?} is not supported; send application/json"),
        )
    }

    pub fn payload_too_large(limit: usize) -> ApiError {
        let mut error = ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the body is larger than max_body_bytes ({limit} bytes)"),
        );
        error.close = true;
        error
    }

    pub fn request_timeout(seconds: u64) -> ApiError {
        let mut error = ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            format!("the body did not arrive within read_timeout ({seconds} s)"),
        );
        error.close = true;
        error
    }

    pub fn method_not_allowed(method: &str) -> ApiError {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("{method} is not allowed on a webhook route; providers deliver with POST"),
        )
    }

    pub fn overloaded(depth: i64, retry_after: u64) -> ApiError {
        let mut error = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            format!("the queue holds {depth} jobs, at max_queue_depth; retry later"),
        );
        error.retry_after = Some(retry_after);
        error
    }

    pub fn shutting_down() -> ApiError {
        let mut error = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "shutting_down", "prhook is shutting down; retry later");
        error.retry_after = Some(5);
        error
    }

    pub fn internal() -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error; see the server log")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message}});
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        if self.close {
            response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}
