//! Helpers shared by the test modules.

use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, Response};
use serde_json::Value;
use tower::ServiceExt;
use vigil_core::Engine;
use vigil_http::{Api, HttpConfig};

/// The built-in engine, compiled once for the whole test binary (compiling the rule set is
/// the slowest part of a debug-build test).
pub fn engine() -> Arc<Engine> {
    static ENGINE: LazyLock<Arc<Engine>> = LazyLock::new(|| Arc::new(Engine::default()));
    Arc::clone(&ENGINE)
}

/// An embedded API with `config`.
pub fn api(config: HttpConfig) -> Api {
    Api::embedded(engine(), config).expect("valid config")
}

/// Send one request through the router (no socket).
pub async fn send(
    router: &Router,
    request: Request<Body>,
) -> (u16, axum::http::HeaderMap, Vec<u8>) {
    let response: Response<Body> = router.clone().oneshot(request).await.expect("infallible");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    (status, headers, body.to_vec())
}

/// POST a JSON body.
pub fn post_json(path: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path)
        .header("content-type", "application/json")
        .body(body.into())
        .expect("request")
}

/// GET a path.
pub fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).expect("request")
}

/// Parse a JSON body.
pub fn json(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(body)))
}

/// Poll `check` until it returns `Some`, for at most `limit`.
pub async fn eventually<T, F, Fut>(limit: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
