//! Errors: [`Error`] for building and running the server, [`ApiError`] for what a request gets.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::config::ConfigError;

/// Building or running the server failed. One variant per stage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The HTTP configuration is invalid.
    #[error("invalid configuration")]
    Config(#[source] ConfigError),
    /// The callback HTTP client could not be built (TLS set-up).
    #[error("cannot build the callback client")]
    CallbackClient(#[source] reqwest::Error),
    /// No tokio runtime is running (the API starts background tasks).
    #[error("no tokio runtime: build the API inside one")]
    Runtime(#[source] tokio::runtime::TryCurrentError),
    /// Accepting or serving connections failed.
    #[error("server failed")]
    Serve(#[source] std::io::Error),
}

/// What a request gets when it cannot be answered with a result: a status and a JSON body
/// `{"error": "..."}`. Internal details go to the log, never into the body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// 400: malformed JSON, wrong types, missing or empty text, bad callback URL.
    #[error("{0}")]
    BadRequest(String),
    /// 401: an API key is required and was missing or wrong.
    #[error("Unauthorized")]
    Unauthorized,
    /// 404: no such request id (or route).
    #[error("{0}")]
    NotFound(String),
    /// 408: the request body did not arrive in time.
    #[error("Request body timeout")]
    BodyTimeout,
    /// 413: body, text or batch over its limit.
    #[error("{0}")]
    TooLarge(String),
    /// 415: the body is not `application/json`.
    #[error("Content-Type must be application/json")]
    UnsupportedMediaType,
    /// 503: the broker is unreachable or the async queue is full.
    #[error("{0}")]
    Unavailable(String),
    /// 504: no verdict within the request timeout.
    #[error("Analysis timeout")]
    Timeout,
    /// 500: anything else; the cause has been logged where it happened.
    #[error("Analysis failed")]
    Internal,
}

impl ApiError {
    /// The HTTP status for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Timeout => StatusCode::GATEWAY_TIMEOUT,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = (status, Json(json!({ "error": self.to_string() }))).into_response();
        match self {
            ApiError::Unauthorized => {
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer, ApiKey header=\"X-API-Key\""),
                );
            }
            ApiError::Unavailable(_) => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            _ => {}
        }
        response
    }
}
