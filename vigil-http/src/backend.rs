//! Where analyses run: in this process ([`Embedded`]) or on NATS workers.

use std::time::Duration;

use reqwest::Url;
use serde_json::{Value, json};
use vigil_core::{AnalyzeRequest, Verdict};

pub(crate) use crate::embedded::Status;
use crate::embedded::{Embedded, Worker};
use crate::error::ApiError;
use crate::metrics::Gauge;

/// The backend behind the routes. An enum rather than a trait object: there are exactly two,
/// and their futures stay `Send` without boxing.
#[derive(Debug)]
pub(crate) enum Backend {
    /// The engine in this process, async requests in memory.
    Embedded(Embedded),
    /// Workers behind NATS.
    #[cfg(feature = "nats")]
    Nats(Box<crate::nats::Nats>),
}

/// Background work a backend owns and must finish on shutdown.
#[derive(Debug)]
pub(crate) enum Tasks {
    /// The embedded async worker.
    Embedded(Worker),
    /// Callbacks waiting for NATS results.
    #[cfg(feature = "nats")]
    Nats(crate::nats::Watchers),
}

impl Tasks {
    /// Finish background work, waiting at most `grace`.
    pub(crate) async fn shutdown(self, grace: Duration) {
        match self {
            Tasks::Embedded(worker) => worker.shutdown(grace).await,
            #[cfg(feature = "nats")]
            Tasks::Nats(watchers) => watchers.shutdown(grace).await,
        }
    }
}

impl Backend {
    /// Short name for logs, `/ready` and the OpenAPI description.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Backend::Embedded(_) => "embedded",
            #[cfg(feature = "nats")]
            Backend::Nats(_) => "nats",
        }
    }

    /// One verdict now.
    pub(crate) async fn analyze(
        &self,
        request: AnalyzeRequest,
    ) -> Result<(Verdict, Duration), ApiError> {
        match self {
            Backend::Embedded(b) => b.analyze(request).await,
            #[cfg(feature = "nats")]
            Backend::Nats(b) => b.analyze(request).await,
        }
    }

    /// Verdicts for several requests, in order.
    pub(crate) async fn analyze_batch(
        &self,
        requests: Vec<AnalyzeRequest>,
    ) -> Result<Vec<(Verdict, Duration)>, ApiError> {
        match self {
            Backend::Embedded(b) => b.analyze_batch(requests).await,
            #[cfg(feature = "nats")]
            Backend::Nats(b) => b.analyze_batch(requests).await,
        }
    }

    /// Accept an async request; returns the stream sequence number.
    pub(crate) async fn submit(
        &self,
        request: AnalyzeRequest,
        callback: Option<Url>,
    ) -> Result<u64, ApiError> {
        match self {
            Backend::Embedded(b) => b.submit(request, callback),
            #[cfg(feature = "nats")]
            Backend::Nats(b) => b.submit(request, callback).await,
        }
    }

    /// Where an async request stands.
    pub(crate) async fn status(&self, request_id: &str) -> Result<Status, ApiError> {
        match self {
            Backend::Embedded(b) => Ok(b.status(request_id)),
            #[cfg(feature = "nats")]
            Backend::Nats(b) => b.status(request_id).await,
        }
    }

    /// The body of `GET /ready`, or why the server is not ready.
    pub(crate) async fn ready(&self) -> Result<Value, ApiError> {
        match self {
            Backend::Embedded(b) => Ok(json!({
                "status": "ready",
                "backend": "embedded",
                "queue": { "depth": b.queue_depth(), "capacity": b.queue_capacity() },
            })),
            #[cfg(feature = "nats")]
            Backend::Nats(b) => b.ready().await,
        }
    }

    /// Backend figures sampled for `/metrics`.
    pub(crate) async fn gauges(&self) -> Vec<Gauge> {
        match self {
            Backend::Embedded(b) => b.gauges(),
            #[cfg(feature = "nats")]
            Backend::Nats(b) => b.gauges().await,
        }
    }
}
