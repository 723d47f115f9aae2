//! Vigil's engine: prompt-injection, jailbreak and PII detection as a pure library.
//!
//! Text and configuration in, a [`Verdict`] out. No I/O, no async runtime, no clock, no
//! global state: build an [`Engine`] once and share it between threads.
//!
//! ```
//! use vigil_core::{AnalyzeRequest, Decision, Engine};
//!
//! let engine = Engine::default();
//! let verdict = engine.analyze(&AnalyzeRequest::new("r-1", "What is the capital of France?"));
//! assert_eq!(verdict.decision, Decision::Allow);
//! assert_eq!(verdict.request_id, "r-1");
//! ```
//!
//! Data flow inside [`Engine::analyze`]:
//!
//! ```text
//!   text ──> normalize (views + offset maps) ──> rules + model ──> Detection (branch "A")
//!     │                                                                  │
//!     └──> PII recognizers ──> PiiReport (entities, sanitizedText) ──────┤
//!                                                                        v
//!                                   arbiter (weights, degraded table, boosts) ──> Verdict
//! ```
#![deny(missing_docs)]

pub mod arbiter;
mod config;
mod decode;
mod detect;
mod engine;
pub mod model;
mod normalize;
pub mod pii;
mod rules;
mod wire;

pub use arbiter::{Arbitration, arbitrate};
pub use config::{
    ArbiterConfig, BoostConfig, BranchPolicy, Config, ConfigError, DegradedAction, DetectionConfig,
    LimitsConfig, NormalizationConfig, RuleSpec,
};
pub use engine::{ENGINE_VERSION, Engine, InputError};
pub use pii::{PiiConfig, PiiEntity, PiiReport};
pub use wire::{
    AnalyzeOptions, AnalyzeRequest, BranchResult, Decision, Detection, Evidence, Span, ThreatLevel,
    Verdict,
};
