//! The embedded backend: the engine runs in this process.
//!
//! ```text
//!  POST /v1/analyze ──> engine (inline when small, blocking pool when large) ──> verdict
//!  POST /v1/analyze/async ──> bounded queue ──> worker task ──> engine ──> result store
//!                                                                  └──> callback (retries)
//!  GET /v1/analyze/{id} <── result store (bounded: count and age)
//! ```
//!
//! Queue and results live in memory: they are lost when the process stops.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Url;
use tokio::sync::{Notify, Semaphore, mpsc};
use tokio::task::{JoinHandle, JoinSet};
use vigil_core::{AnalyzeRequest, Engine, Verdict};

use crate::callback::Callbacks;
use crate::config::HttpConfig;
use crate::error::ApiError;
use crate::metrics::{Gauge, Metrics};

/// Where an async request stands.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Status {
    /// Accepted, no verdict yet.
    Pending,
    /// The verdict.
    Done(Arc<Verdict>),
    /// The analysis failed (logged); the request will not get a verdict.
    Failed,
    /// Never seen, or forgotten.
    Unknown,
}

/// One queued async request; `callback` has passed [`Callbacks::check_url`].
#[derive(Debug)]
struct Job {
    request: AnalyzeRequest,
    callback: Option<Url>,
}

/// Results of async requests, bounded by count and by age.
#[derive(Debug)]
struct ResultStore {
    inner: Mutex<StoreInner>,
    max_done: usize,
    ttl: Duration,
}

#[derive(Debug, Default)]
struct StoreInner {
    slots: HashMap<String, Status>,
    /// Finished ids, oldest first, with when they finished.
    done: VecDeque<(Instant, String)>,
}

impl ResultStore {
    fn lock(&self) -> std::sync::MutexGuard<'_, StoreInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn insert_pending(&self, id: &str) {
        self.lock().slots.insert(id.to_string(), Status::Pending);
    }

    fn remove(&self, id: &str) {
        self.lock().slots.remove(id);
    }

    fn finish(&self, id: &str, status: Status) {
        let now = Instant::now();
        let mut inner = self.lock();
        inner.slots.insert(id.to_string(), status);
        inner.done.push_back((now, id.to_string()));
        self.evict(&mut inner, now);
    }

    fn get(&self, id: &str) -> Status {
        let mut inner = self.lock();
        self.evict(&mut inner, Instant::now());
        inner.slots.get(id).cloned().unwrap_or(Status::Unknown)
    }

    fn evict(&self, inner: &mut StoreInner, now: Instant) {
        while let Some((at, id)) = inner.done.front() {
            let expired = now.saturating_duration_since(*at) > self.ttl;
            if !expired && inner.done.len() <= self.max_done {
                break;
            }
            inner.slots.remove(id);
            inner.done.pop_front();
        }
    }

    fn retained(&self) -> usize {
        self.lock().done.len()
    }
}

/// The in-process backend.
#[derive(Debug)]
pub(crate) struct Embedded {
    runner: Runner,
    queue: mpsc::Sender<Job>,
    capacity: usize,
    results: Arc<ResultStore>,
    next_seq: AtomicU64,
}

/// The async worker task and the signal that stops it.
#[derive(Debug)]
pub(crate) struct Worker {
    stop: Arc<Notify>,
    handle: JoinHandle<()>,
}

impl Worker {
    /// Stop taking new requests, finish the queued ones and their callbacks, waiting at most
    /// `grace`; whatever is left then is dropped (and logged).
    pub(crate) async fn shutdown(self, grace: Duration) {
        self.stop.notify_one();
        let abort = self.handle.abort_handle();
        if tokio::time::timeout(grace, self.handle).await.is_err() {
            abort.abort();
            tracing::warn!(
                grace_ms = grace.as_millis() as u64,
                "async worker did not finish in time; queued requests dropped"
            );
        }
    }
}

impl Embedded {
    /// The backend and its worker task (needs a tokio runtime).
    pub(crate) fn start(
        engine: Arc<Engine>,
        config: &HttpConfig,
        metrics: Arc<Metrics>,
        callbacks: Callbacks,
    ) -> (Embedded, Worker) {
        let (queue, rx) = mpsc::channel(config.queue.capacity);
        let results = Arc::new(ResultStore {
            inner: Mutex::new(StoreInner::default()),
            max_done: config.queue.max_retained_results,
            ttl: Duration::from_secs(config.queue.result_ttl_secs),
        });
        let stop = Arc::new(Notify::new());
        let runner = Runner {
            engine,
            inline_max_bytes: config.inline_max_bytes,
            permits: Arc::new(Semaphore::new(config.analysis_concurrency())),
        };
        let context = WorkerContext {
            runner: runner.clone(),
            results: Arc::clone(&results),
            metrics,
            callbacks,
            job_slots: Arc::new(Semaphore::new(config.analysis_concurrency())),
            callback_slots: Arc::new(Semaphore::new(config.callbacks.max_in_flight)),
        };
        let handle = tokio::spawn(context.run(rx, Arc::clone(&stop)));
        let backend = Embedded {
            runner,
            queue,
            capacity: config.queue.capacity,
            results,
            next_seq: AtomicU64::new(0),
        };
        (backend, Worker { stop, handle })
    }

    /// Analyze one request now.
    pub(crate) async fn analyze(
        &self,
        request: AnalyzeRequest,
    ) -> Result<(Verdict, Duration), ApiError> {
        self.runner.analyze(request).await
    }

    /// Analyze several requests now, in order.
    pub(crate) async fn analyze_batch(
        &self,
        requests: Vec<AnalyzeRequest>,
    ) -> Result<Vec<(Verdict, Duration)>, ApiError> {
        self.runner.run(requests).await
    }

    /// Queue a request; returns its sequence number (the embedded stand-in for `streamSeq`).
    pub(crate) fn submit(
        &self,
        request: AnalyzeRequest,
        callback: Option<Url>,
    ) -> Result<u64, ApiError> {
        let id = request.request_id.clone();
        self.results.insert_pending(&id);
        match self.queue.try_send(Job { request, callback }) {
            Ok(()) => Ok(self.next_seq.fetch_add(1, Ordering::Relaxed) + 1),
            Err(e) => {
                self.results.remove(&id);
                Err(ApiError::Unavailable(match e {
                    mpsc::error::TrySendError::Full(_) => "Async queue is full".into(),
                    mpsc::error::TrySendError::Closed(_) => "Server is shutting down".into(),
                }))
            }
        }
    }

    /// Where an async request stands.
    pub(crate) fn status(&self, request_id: &str) -> Status {
        self.results.get(request_id)
    }

    /// Queue figures for `/metrics` and `/ready`.
    pub(crate) fn gauges(&self) -> Vec<Gauge> {
        let depth = self.queue_depth();
        vec![
            Gauge {
                name: "vigil_async_queue_depth",
                help: "Async requests waiting in the in-memory queue.",
                labels: Vec::new(),
                value: depth as f64,
            },
            Gauge {
                name: "vigil_async_queue_capacity",
                help: "Capacity of the in-memory async queue.",
                labels: Vec::new(),
                value: self.capacity as f64,
            },
            Gauge {
                name: "vigil_async_results_retained",
                help: "Finished async results kept in memory.",
                labels: Vec::new(),
                value: self.results.retained() as f64,
            },
        ]
    }

    /// Requests waiting in the queue.
    pub(crate) fn queue_depth(&self) -> usize {
        self.capacity - self.queue.capacity()
    }

    /// The queue's capacity.
    pub(crate) fn queue_capacity(&self) -> usize {
        self.capacity
    }
}

/// Runs the engine off the async threads, a bounded number of analyses at a time.
#[derive(Debug, Clone)]
struct Runner {
    engine: Arc<Engine>,
    inline_max_bytes: usize,
    permits: Arc<Semaphore>,
}

/// Sets its flag when dropped: the handler's future is dropped on timeout or disconnect.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

impl Runner {
    async fn analyze(&self, request: AnalyzeRequest) -> Result<(Verdict, Duration), ApiError> {
        let mut verdicts = self.run(vec![request]).await?;
        verdicts.pop().ok_or(ApiError::Internal)
    }

    /// Analyze `requests` in order. Small inputs run inline (cheaper than a thread hand-off);
    /// others on the blocking pool, holding one of the permits, so a burst of large texts
    /// queues here instead of starting hundreds of threads. A caller that gives up (timeout,
    /// disconnect) stops the batch after the item in progress.
    async fn run(
        &self,
        requests: Vec<AnalyzeRequest>,
    ) -> Result<Vec<(Verdict, Duration)>, ApiError> {
        let total: usize = requests.iter().map(|r| r.text.len()).sum();
        if total <= self.inline_max_bytes {
            return Ok(analyze_all(
                &self.engine,
                &requests,
                &AtomicBool::new(false),
            ));
        }
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| ApiError::Internal)?;
        let cancelled = Arc::new(AtomicBool::new(false));
        let _guard = CancelOnDrop(Arc::clone(&cancelled));
        let engine = Arc::clone(&self.engine);
        let expected = requests.len();
        let verdicts = tokio::task::spawn_blocking(move || {
            let verdicts = analyze_all(&engine, &requests, &cancelled);
            drop(permit);
            verdicts
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "analysis task failed");
            ApiError::Internal
        })?;
        if verdicts.len() != expected {
            return Err(ApiError::Internal);
        }
        Ok(verdicts)
    }
}

fn analyze_all(
    engine: &Engine,
    requests: &[AnalyzeRequest],
    cancelled: &AtomicBool,
) -> Vec<(Verdict, Duration)> {
    requests
        .iter()
        .map_while(|r| {
            if cancelled.load(Ordering::Relaxed) {
                return None;
            }
            let start = Instant::now();
            let verdict = engine.analyze(r);
            Some((verdict, start.elapsed()))
        })
        .collect()
}

/// What the worker task shares with the jobs it starts.
struct WorkerContext {
    runner: Runner,
    results: Arc<ResultStore>,
    metrics: Arc<Metrics>,
    callbacks: Callbacks,
    /// Jobs analyzed at once (as many as the runner can run).
    job_slots: Arc<Semaphore>,
    /// Callbacks in flight (`callbacks.max_in_flight`).
    callback_slots: Arc<Semaphore>,
}

impl WorkerContext {
    /// Take jobs until stopped, each in its own task. Waiting for a free slot before taking
    /// the next job is what pushes back on the queue (and so on submitters) when the engine
    /// or the callback receivers are slow.
    async fn run(self, mut rx: mpsc::Receiver<Job>, stop: Arc<Notify>) {
        let context = Arc::new(self);
        let mut jobs = JoinSet::new();
        let mut closing = false;
        loop {
            let job = if closing {
                rx.recv().await
            } else {
                tokio::select! {
                    job = rx.recv() => job,
                    () = stop.notified() => {
                        // Refuse new requests; drain what was accepted.
                        rx.close();
                        closing = true;
                        continue;
                    }
                }
            };
            let Some(job) = job else { break };
            let Ok(job_slot) = Arc::clone(&context.job_slots).acquire_owned().await else {
                break;
            };
            let callback_slot = match job.callback {
                Some(_) => match Arc::clone(&context.callback_slots).acquire_owned().await {
                    Ok(slot) => Some(slot),
                    Err(_) => break,
                },
                None => None,
            };
            let context = Arc::clone(&context);
            jobs.spawn(async move {
                if let Some((url, verdict)) = context.process(job).await {
                    drop(job_slot);
                    context
                        .callbacks
                        .deliver_and_record(&context.metrics, &url, &verdict)
                        .await;
                }
                drop(callback_slot);
            });
            while jobs.try_join_next().is_some() {}
        }
        while jobs.join_next().await.is_some() {}
    }

    /// Analyze and store one job; returns what to call back, if anything.
    async fn process(&self, job: Job) -> Option<(Url, Arc<Verdict>)> {
        let id = job.request.request_id.clone();
        let text_bytes = job.request.text.len();
        match self.runner.analyze(job.request).await {
            Ok((verdict, took)) => {
                self.metrics.record_verdict(&verdict, took);
                tracing::info!(
                    request_id = %id,
                    decision = verdict.decision.as_str(),
                    score = verdict.score,
                    text_bytes,
                    pii_entities = verdict.pii.len(),
                    "async analysis done"
                );
                let verdict = Arc::new(verdict);
                self.results.finish(&id, Status::Done(Arc::clone(&verdict)));
                job.callback.map(|url| (url, verdict))
            }
            Err(_) => {
                self.results.finish(&id, Status::Failed);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(max_done: usize, ttl: Duration) -> ResultStore {
        ResultStore {
            inner: Mutex::new(StoreInner::default()),
            max_done,
            ttl,
        }
    }

    #[tokio::test]
    async fn a_full_queue_refuses_and_forgets_the_request() {
        // A queue nobody drains: the receiver is held, not read.
        let (queue, _rx) = mpsc::channel(1);
        let backend = Embedded {
            runner: Runner {
                engine: Arc::new(Engine::new(vigil_core::Config::default()).unwrap()),
                inline_max_bytes: 0,
                permits: Arc::new(Semaphore::new(1)),
            },
            queue,
            capacity: 1,
            results: Arc::new(store(10, Duration::from_secs(60))),
            next_seq: AtomicU64::new(0),
        };
        assert_eq!(backend.submit(AnalyzeRequest::new("a", "x"), None), Ok(1));
        assert_eq!(backend.queue_depth(), 1);
        assert_eq!(
            backend.submit(AnalyzeRequest::new("b", "y"), None),
            Err(ApiError::Unavailable("Async queue is full".into()))
        );
        assert_eq!(backend.status("a"), Status::Pending);
        assert_eq!(backend.status("b"), Status::Unknown);
    }

    #[test]
    fn store_keeps_at_most_max_done_results() {
        let s = store(2, Duration::from_secs(60));
        for id in ["a", "b", "c"] {
            s.insert_pending(id);
        }
        s.insert_pending("p");
        for id in ["a", "b", "c"] {
            s.finish(id, Status::Failed);
        }
        assert_eq!(s.get("a"), Status::Unknown);
        assert_eq!(s.get("b"), Status::Failed);
        assert_eq!(s.get("c"), Status::Failed);
        assert_eq!(
            s.get("p"),
            Status::Pending,
            "pending entries are never evicted"
        );
        assert_eq!(s.retained(), 2);
    }

    #[test]
    fn store_forgets_expired_results() {
        let s = store(10, Duration::ZERO);
        s.insert_pending("a");
        s.finish("a", Status::Failed);
        // With a zero TTL anything finished strictly before now is gone; wait for the clock.
        let start = Instant::now();
        while Instant::now() == start {}
        assert_eq!(s.get("a"), Status::Unknown);
    }
}
