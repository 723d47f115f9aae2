//! What every request goes through: a request id, a log line and metrics, API-key checks, and
//! JSON bodies whose rejections map onto the API's error statuses.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{FromRequest, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use tracing::Instrument;

use crate::api::Shared;
use crate::error::ApiError;

/// The request id header, read from the client when sane and always set on the response.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The request's id, in the request extensions for handlers.
#[derive(Debug, Clone)]
pub(crate) struct RequestId(pub(crate) String);

/// A client-supplied id is kept when short and plain, so it cannot inject into logs.
fn usable_request_id(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?;
    let ok = !text.is_empty()
        && text.len() <= 128
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
    ok.then(|| text.to_string())
}

/// Request id, one log line and the request metrics for every request.
pub(crate) async fn observe(
    State(shared): State<Arc<Shared>>,
    mut request: Request,
    next: Next,
) -> Response {
    let start = Instant::now();
    let id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(usable_request_id)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    // Route templates (`/v1/analyze/{requestId}`) keep metric labels bounded.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_string();
    let method = request.method().to_string();
    request.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", request_id = %id, %method, %route);
    let mut response = next.run(request).instrument(span.clone()).await;
    let took = start.elapsed();
    let status = response.status().as_u16();
    shared.metrics.record_request(&method, &route, status, took);
    span.in_scope(|| {
        tracing::info!(status, latency_us = took.as_micros() as u64, "request done");
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// SHA-256 digests of the configured keys; comparing digests keeps the comparison's time
/// independent of both the key's length and its content.
#[derive(Debug, Default)]
pub(crate) struct ApiKeys(Vec<[u8; 32]>);

impl ApiKeys {
    pub(crate) fn new(keys: &[String]) -> ApiKeys {
        ApiKeys(
            keys.iter()
                .map(|k| Sha256::digest(k.as_bytes()).into())
                .collect(),
        )
    }

    fn is_enabled(&self) -> bool {
        !self.0.is_empty()
    }

    /// Constant-time check of `candidate` against every key (no early exit).
    fn accepts(&self, candidate: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(candidate.as_bytes()).into();
        let mut any = 0u8;
        for key in &self.0 {
            let diff = key
                .iter()
                .zip(digest)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b));
            any |= u8::from(diff == 0);
        }
        any == 1
    }

    fn presented(headers: &HeaderMap) -> Option<&str> {
        if let Some(key) = headers.get("x-api-key") {
            return key.to_str().ok();
        }
        let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
        let (scheme, token) = auth.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
    }
}

/// Refuse a protected route without a valid key (when keys are configured).
pub(crate) async fn require_api_key(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let keys = &shared.api_keys;
    if keys.is_enabled() {
        let ok = ApiKeys::presented(request.headers()).is_some_and(|k| keys.accepts(k));
        if !ok {
            tracing::warn!("request refused: missing or invalid API key");
            return ApiError::Unauthorized.into_response();
        }
    }
    next.run(request).await
}

/// A JSON body: 415 without a JSON content type, 413 over the body limit, 408 when it does not
/// arrive within `body_read_timeout_ms`, 400 when malformed or of the wrong shape.
#[derive(Debug)]
pub(crate) struct ApiJson<T>(pub(crate) T);

impl<T> FromRequest<Arc<Shared>> for ApiJson<T>
where
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &Arc<Shared>) -> Result<Self, ApiError> {
        if !is_json(request.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        // A client that sends its body slowly (or never) must not hold the connection forever.
        let limit = Duration::from_millis(state.config.body_read_timeout_ms);
        let read = tokio::time::timeout(limit, Bytes::from_request(request, state))
            .await
            .map_err(|_| ApiError::BodyTimeout)?;
        let bytes = read.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge("Request body too large".into())
            } else {
                ApiError::BadRequest("Cannot read request body".into())
            }
        })?;
        // Serde would read a struct from a JSON array too; the API takes objects only.
        if bytes
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|&b| b != b'{')
        {
            return Err(ApiError::BadRequest(
                "Invalid request: the body must be a JSON object".into(),
            ));
        }
        serde_json::from_slice(&bytes).map(ApiJson).map_err(|e| {
            let what = if e.is_data() {
                "Invalid request"
            } else {
                "Malformed JSON"
            };
            ApiError::BadRequest(format!("{what}: {e}"))
        })
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mime = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_compared_by_digest() {
        let keys = ApiKeys::new(&["0123456789abcdef".into(), "fedcba9876543210".into()]);
        assert!(keys.accepts("0123456789abcdef"));
        assert!(keys.accepts("fedcba9876543210"));
        assert!(!keys.accepts("0123456789abcdeF"));
        assert!(!keys.accepts(""));
    }

    #[test]
    fn odd_request_ids_are_replaced() {
        let ok = HeaderValue::from_static("abc-123_x.y:z");
        assert_eq!(usable_request_id(&ok).as_deref(), Some("abc-123_x.y:z"));
        for bad in ["", "a b", "a\"b", &"x".repeat(129)] {
            assert!(
                usable_request_id(&HeaderValue::from_str(bad).unwrap()).is_none(),
                "{bad}"
            );
        }
    }
}
