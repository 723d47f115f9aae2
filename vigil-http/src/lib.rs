//! Vigil's HTTP API as an axum [`Router`](axum::Router) a host mounts, on the engine in this
//! process (default) or on NATS workers.
//!
//! ```
//! use std::sync::Arc;
//! use axum::body::Body;
//! use axum::http::Request;
//! use tower::ServiceExt;
//! use vigil_http::{Api, HttpConfig};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let api = Api::embedded(Arc::new(vigil_core::Engine::default()), HttpConfig::default()).unwrap();
//! let request = Request::post("/v1/analyze")
//!     .header("content-type", "application/json")
//!     .body(Body::from(r#"{"text":"What is the capital of France?"}"#))
//!     .unwrap();
//! let response = api.router().oneshot(request).await.unwrap();
//! assert_eq!(response.status(), 200);
//! api.shutdown().await;
//! # }
//! ```
//!
//! [`Api::embedded`] runs the engine in this process (async requests in a bounded in-memory
//! queue, not durable); `Api::nats` (feature `nats`) talks to `vigil worker` processes through
//! `vigil_nats::Client`. Either way the host owns the listener and signals, or calls [`run`].
//!
//! Routes: `POST /v1/analyze`, `POST /v1/analyze/async`, `GET /v1/analyze/{requestId}`,
//! `POST /v1/analyze/batch`, `GET /health`, `GET /ready`, `GET /health/nats`, `GET /metrics`,
//! `GET /openapi.json`. Errors are JSON `{"error": "..."}`; see [`ApiError`] for the statuses.
//!
//! ```text
//!  request ──> request id + log + metrics ──> CORS ──> API key ──> body limit ──> route
//!                                                                                  │
//!              Embedded: engine in-process, async via bounded in-memory queue <────┤
//!              NATS: vigil.analyze.sync / VIGIL_REQUESTS / VIGIL_RESULTS <─────────┘
//! ```
//!
//! Logs carry request ids, sizes, decisions and scores, never the text or the PII in it.
#![deny(missing_docs)]

mod api;
mod backend;
mod callback;
mod config;
mod embedded;
mod error;
mod metrics;
#[cfg(feature = "nats")]
mod nats;
mod openapi;
mod request;

pub use api::{Api, run};
pub use callback::{CallbackRefused, is_public};
pub use config::{AuthConfig, CallbackConfig, ConfigError, CorsConfig, HttpConfig, QueueConfig};
pub use error::{ApiError, Error};
pub use request::REQUEST_ID_HEADER;
