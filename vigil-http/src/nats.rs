//! The NATS backend: the pipeline runs in `vigil worker` processes; this server talks to them
//! through [`vigil_nats::Client`].
//!
//! ```text
//!  POST /v1/analyze ──> request-reply on vigil.analyze.sync (sync worker) ──> verdict
//!  POST /v1/analyze/async ──> VIGIL_REQUESTS (vigil.requests.async, Nats-Msg-Id = requestId)
//!                               └──> detection -> PII -> arbiter workers ──> VIGIL_RESULTS
//!  GET /v1/analyze/{id} <── VIGIL_RESULTS (vigil.results.<id>, direct get)
//!  callbackUrl: this process waits for the result, then POSTs it (lost if it stops first)
//! ```
//!
//! "Pending" is known only to the server that accepted the request: another replica answers
//! 404 for it until the verdict is stored.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Url;
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use vigil_core::{AnalyzeRequest, Verdict};
use vigil_nats::{Client, ConnectionState, Error as NatsError};

use crate::backend::Status;
use crate::callback::Callbacks;
use crate::config::HttpConfig;
use crate::error::ApiError;
use crate::metrics::{Gauge, Metrics};

/// Ids of requests this server accepted, bounded by count and age.
#[derive(Debug)]
struct Accepted {
    inner: Mutex<AcceptedIds>,
    max: usize,
    ttl: Duration,
}

#[derive(Debug, Default)]
struct AcceptedIds {
    ids: HashSet<String>,
    /// Oldest first, with when they were accepted.
    order: VecDeque<(Instant, String)>,
}

/// One consumer figure for `/metrics`.
type ConsumerFigure = fn(&vigil_nats::ConsumerHealth) -> u64;

impl Accepted {
    fn insert(&self, id: &str) {
        let now = Instant::now();
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let AcceptedIds { ids, order } = &mut *guard;
        if ids.insert(id.to_string()) {
            order.push_back((now, id.to_string()));
        }
        while let Some((at, old)) = order.front() {
            if order.len() <= self.max && now.saturating_duration_since(*at) <= self.ttl {
                break;
            }
            ids.remove(old);
            order.pop_front();
        }
    }

    fn contains(&self, id: &str) -> bool {
        let guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        guard.ids.contains(id)
    }
}

/// The backend on a NATS connection.
#[derive(Debug)]
pub(crate) struct Nats {
    client: Client,
    sync_timeout: Duration,
    accepted: Accepted,
    callbacks: Callbacks,
    metrics: Arc<Metrics>,
    result_wait: Duration,
    permits: Arc<Semaphore>,
    watchers: Arc<Mutex<JoinSet<()>>>,
}

/// The callback watchers, finished on shutdown.
#[derive(Debug)]
pub(crate) struct Watchers(Arc<Mutex<JoinSet<()>>>);

impl Watchers {
    /// Wait at most `grace` for pending callbacks, then drop the rest (logged).
    pub(crate) async fn shutdown(self, grace: Duration) {
        let mut set = std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()));
        let drained =
            tokio::time::timeout(grace, async { while set.join_next().await.is_some() {} }).await;
        if drained.is_err() {
            tracing::warn!(
                left = set.len(),
                "callbacks still waiting for results were dropped"
            );
            set.abort_all();
        }
    }
}

impl Nats {
    /// The backend and its callback watchers.
    pub(crate) fn new(
        client: Client,
        config: &HttpConfig,
        metrics: Arc<Metrics>,
        callbacks: Callbacks,
    ) -> (Nats, Watchers) {
        let watchers = Arc::new(Mutex::new(JoinSet::new()));
        let backend = Nats {
            client,
            sync_timeout: Duration::from_millis(config.request_timeout_ms),
            accepted: Accepted {
                inner: Mutex::new(AcceptedIds::default()),
                max: config.queue.max_retained_results,
                ttl: Duration::from_secs(config.queue.result_ttl_secs),
            },
            callbacks,
            metrics,
            result_wait: Duration::from_millis(config.callbacks.result_wait_ms),
            permits: Arc::new(Semaphore::new(config.callbacks.max_in_flight)),
            watchers: Arc::clone(&watchers),
        };
        (backend, Watchers(watchers))
    }

    fn connected(&self) -> bool {
        self.client.nats().connection_state() == async_nats::connection::State::Connected
    }

    /// Map a client error to what the request gets; the cause goes to the log.
    fn failure(&self, what: &str, error: NatsError) -> ApiError {
        if !self.connected() {
            tracing::warn!(error = %error, "{what}: NATS unreachable");
            return unavailable();
        }
        match error {
            NatsError::Timeout { .. } => {
                tracing::warn!(error = %error, "{what}: no verdict in time");
                ApiError::Timeout
            }
            NatsError::NoResponders { .. } => {
                tracing::warn!(error = %error, "{what}: no worker answers");
                ApiError::Timeout
            }
            NatsError::Rejected { code, message } => {
                tracing::warn!(%code, "{what}: rejected by the worker");
                ApiError::BadRequest(format!("{code}: {message}"))
            }
            NatsError::InvalidRequest(detail) => ApiError::BadRequest(detail),
            NatsError::Publish { .. } | NatsError::Topology { .. } | NatsError::Missing { .. } => {
                tracing::error!(error = %error, source = ?std::error::Error::source(&error), "{what}: broker refused");
                ApiError::Unavailable("Analysis pipeline unavailable".into())
            }
            other => {
                tracing::error!(error = %other, source = ?std::error::Error::source(&other), "{what} failed");
                ApiError::Internal
            }
        }
    }

    pub(crate) async fn analyze(
        &self,
        request: AnalyzeRequest,
    ) -> Result<(Verdict, Duration), ApiError> {
        if !self.connected() {
            return Err(unavailable());
        }
        let start = Instant::now();
        let verdict = self
            .client
            .analyze(&request, self.sync_timeout)
            .await
            .map_err(|e| self.failure("sync analysis", e))?;
        Ok((verdict, start.elapsed()))
    }

    pub(crate) async fn analyze_batch(
        &self,
        requests: Vec<AnalyzeRequest>,
    ) -> Result<Vec<(Verdict, Duration)>, ApiError> {
        // Items go out at once; sync workers in a queue group share them.
        let answers =
            futures::future::join_all(requests.into_iter().map(|r| self.analyze(r))).await;
        answers.into_iter().collect()
    }

    pub(crate) async fn submit(
        &self,
        request: AnalyzeRequest,
        callback: Option<Url>,
    ) -> Result<u64, ApiError> {
        if !self.connected() {
            return Err(unavailable());
        }
        // Reserve the callback slot first so a full server refuses before publishing.
        let permit = match &callback {
            Some(_) => Some(
                Arc::clone(&self.permits)
                    .try_acquire_owned()
                    .map_err(|_| ApiError::Unavailable("Too many callbacks pending".into()))?,
            ),
            None => None,
        };
        let submitted = self
            .client
            .submit(&request)
            .await
            .map_err(|e| self.failure("async submit", e))?;
        self.accepted.insert(&request.request_id);
        if let (Some(url), Some(permit)) = (callback, permit) {
            let client = self.client.clone();
            let callbacks = self.callbacks.clone();
            let metrics = Arc::clone(&self.metrics);
            let wait = self.result_wait;
            let id = request.request_id;
            let mut watchers = self.watchers.lock().unwrap_or_else(|p| p.into_inner());
            while watchers.try_join_next().is_some() {}
            watchers.spawn(async move {
                match client.wait_for_result(&id, wait).await {
                    Ok(Some(verdict)) => callbacks.deliver_and_record(&metrics, &url, &verdict).await,
                    Ok(None) => {
                        metrics.record_callback("failed");
                        tracing::warn!(request_id = %id, wait_ms = wait.as_millis() as u64, "no result in time; callback not sent");
                    }
                    Err(e) => {
                        metrics.record_callback("failed");
                        tracing::warn!(request_id = %id, error = %e, "cannot read the result; callback not sent");
                    }
                }
                drop(permit);
            });
        }
        Ok(submitted.stream_sequence)
    }

    pub(crate) async fn status(&self, request_id: &str) -> Result<Status, ApiError> {
        if !self.connected() {
            return Err(unavailable());
        }
        match self.client.result(request_id).await {
            Ok(Some(verdict)) => Ok(Status::Done(Arc::new(verdict))),
            Ok(None) if self.accepted.contains(request_id) => Ok(Status::Pending),
            Ok(None) => Ok(Status::Unknown),
            // Not a valid subject token: no request can have that id.
            Err(NatsError::InvalidRequest(_)) => Ok(Status::Unknown),
            Err(e) => Err(self.failure("result lookup", e)),
        }
    }

    pub(crate) async fn ready(&self) -> Result<Value, ApiError> {
        if !self.connected() {
            return Err(unavailable());
        }
        Ok(json!({ "status": "ready", "backend": "nats" }))
    }

    /// `/health/nats` in the seed's shape: status, stream count, the detection consumer's
    /// figures, and the other consumers by name.
    pub(crate) async fn health(&self) -> Result<Value, String> {
        let health = match tokio::time::timeout(self.sync_timeout, self.client.health()).await {
            Ok(Ok(health)) => health,
            Ok(Err(e)) => return Err(e.to_string()),
            Err(_) => return Err("NATS health check timed out".into()),
        };
        if health.connection != ConnectionState::Connected {
            return Err("NATS connection lost; reconnecting".into());
        }
        let figures = |c: &vigil_nats::ConsumerHealth| json!({ "pending": c.pending, "ackPending": c.ack_pending, "redelivered": c.redelivered });
        let detection = health.consumers.first();
        let others: serde_json::Map<String, Value> = health
            .consumers
            .iter()
            .skip(1)
            .map(|c| (c.name.clone(), figures(c)))
            .collect();
        Ok(json!({
            "status": "healthy",
            "streams": health.streams.len(),
            "detectionWorker": detection.map(figures),
            "consumers": others,
            "streamMessages": health
                .streams
                .iter()
                .map(|s| (s.name.clone(), Value::from(s.messages)))
                .collect::<serde_json::Map<String, Value>>(),
        }))
    }

    /// Connection state and consumer lag, sampled for `/metrics`.
    pub(crate) async fn gauges(&self) -> Vec<Gauge> {
        let mut gauges = vec![Gauge {
            name: "vigil_nats_connected",
            help: "1 when the NATS connection is up.",
            labels: Vec::new(),
            value: if self.connected() { 1.0 } else { 0.0 },
        }];
        let Ok(Ok(health)) = tokio::time::timeout(self.sync_timeout, self.client.health()).await
        else {
            return gauges;
        };
        let per_consumer: [(&'static str, &'static str, ConsumerFigure); 3] = [
            (
                "vigil_nats_consumer_pending",
                "Messages not yet delivered to the consumer (lag).",
                |c| c.pending,
            ),
            (
                "vigil_nats_consumer_ack_pending",
                "Messages delivered and not yet acknowledged.",
                |c| c.ack_pending,
            ),
            (
                "vigil_nats_consumer_redelivered",
                "Messages redelivered and not yet acknowledged.",
                |c| c.redelivered,
            ),
        ];
        for (name, help, value) in per_consumer {
            for c in &health.consumers {
                gauges.push(Gauge {
                    name,
                    help,
                    labels: vec![("stream", c.stream.clone()), ("consumer", c.name.clone())],
                    value: value(c) as f64,
                });
            }
        }
        for s in &health.streams {
            gauges.push(Gauge {
                name: "vigil_nats_stream_messages",
                help: "Messages stored in the stream.",
                labels: vec![("stream", s.name.clone())],
                value: s.messages as f64,
            });
        }
        gauges
    }
}

fn unavailable() -> ApiError {
    ApiError::Unavailable("Message broker unavailable".into())
}
