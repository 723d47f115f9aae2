//! Vigil: a guard for LLM applications. This facade re-exports the workspace's crates:
//! [`core`] (the pure engine, always), [`nats`] (JetStream workers, feature `nats`) and
//! [`http`] (the HTTP API, feature `http`).
//!
//! ```
//! use vigil::core::{AnalyzeRequest, Engine};
//!
//! let verdict = Engine::default().analyze(&AnalyzeRequest::new("id-1", "Hello there"));
//! assert_eq!(verdict.request_id, "id-1");
//! ```
#![deny(missing_docs)]

pub use vigil_core as core;
#[cfg(feature = "http")]
pub use vigil_http as http;
#[cfg(feature = "nats")]
pub use vigil_nats as nats;
