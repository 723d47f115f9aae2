//! Load generation: closed loops (a fixed number of requests in flight), open loops (a fixed
//! offered rate), and services on runtimes of their own.
//!
//! An open loop measures latency from each request's *scheduled* send time, so a server that
//! stalls cannot hide its queueing by slowing the sender down (coordinated omission). Sends
//! are paced by a plain thread, which sleeps far more precisely than tokio's 1 ms timer.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::runtime::Runtime;
use tokio::sync::{mpsc, oneshot};
use tokio::task::{JoinHandle, JoinSet};

use super::super::CliError;

/// What one run did.
#[derive(Debug, Default)]
pub struct Run {
    /// Requests answered successfully.
    pub completed: u64,
    /// Requests that failed or never completed.
    pub errors: u64,
    /// From the first send to the last completion.
    pub elapsed: Duration,
    /// Payload bytes processed (engine mode), for MB/s.
    pub bytes: Option<u64>,
    /// Latency of every completed request, in nanoseconds.
    pub latencies_ns: Vec<u64>,
    /// The first failure, to say what went wrong.
    pub first_error: Option<String>,
    /// CPU time spent meanwhile.
    pub cpu: Option<CpuUse>,
}

/// CPU time (user + system) of this process and of the bench's own nats-server.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuUse {
    pub process: Duration,
    pub server: Duration,
}

impl CpuUse {
    /// Used so far by this process and, when given, the nats-server child `server`; `None`
    /// where `/proc` cannot tell (not Linux).
    pub fn now(server: Option<u32>) -> Option<CpuUse> {
        let of = |pid: &str| -> Option<Duration> {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // Fields after the parenthesized command name; utime and stime are the 12th and
            // 13th, in USER_HZ, which Linux fixes at 100 for this interface.
            let rest = &stat[stat.rfind(')')? + 2..];
            let mut fields = rest.split_whitespace().skip(11);
            let ticks = fields.next()?.parse::<u64>().ok()? + fields.next()?.parse::<u64>().ok()?;
            Some(Duration::from_millis(ticks * 10))
        };
        Some(CpuUse {
            process: of("self")?,
            server: server.map_or(Some(Duration::ZERO), |pid| of(&pid.to_string()))?,
        })
    }

    /// What was used from `earlier` to `self`.
    pub fn since(self, earlier: CpuUse) -> CpuUse {
        CpuUse {
            process: self.process.saturating_sub(earlier.process),
            server: self.server.saturating_sub(earlier.server),
        }
    }
}

impl Run {
    fn merge(&mut self, other: Run) {
        self.completed += other.completed;
        self.errors += other.errors;
        self.latencies_ns.extend(other.latencies_ns);
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    /// Count a failure, keeping the first message.
    pub fn fail(&mut self, error: String) {
        self.errors += 1;
        self.first_error.get_or_insert(error);
    }
}

/// Nanoseconds, saturating.
pub fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// One kind of request, sent again and again. `seq` numbers the requests of a run.
pub trait Caller: Send + 'static {
    /// Send request `seq` and wait for its answer.
    fn call(&mut self, seq: u64) -> impl Future<Output = Result<(), String>> + Send;
}

/// Each caller sends its next request as soon as the previous one is answered, until
/// `duration` has passed: `callers.len()` requests in flight.
pub async fn closed<C: Caller>(callers: Vec<C>, duration: Duration) -> Run {
    let start = Instant::now();
    let deadline = start + duration;
    let next = Arc::new(AtomicU64::new(0));
    let mut set = JoinSet::new();
    for mut caller in callers {
        let next = Arc::clone(&next);
        set.spawn(async move {
            let mut part = Run::default();
            while Instant::now() < deadline {
                let seq = next.fetch_add(1, Ordering::Relaxed);
                let sent = Instant::now();
                match caller.call(seq).await {
                    Ok(()) => {
                        part.completed += 1;
                        part.latencies_ns.push(nanos(sent.elapsed()));
                    }
                    Err(e) => {
                        part.fail(e);
                        // An error that comes back at once must not turn this into a spin.
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                }
            }
            part
        });
    }
    let mut run = Run::default();
    while let Some(part) = set.join_next().await {
        match part {
            Ok(part) => run.merge(part),
            Err(e) => run.fail(format!("load task failed: {e}")),
        }
    }
    run.elapsed = start.elapsed();
    run
}

/// Send `rate` requests per second for `duration`, each at its scheduled time whatever the
/// answers do; latency counts from the scheduled time.
pub async fn open<C: Caller + Clone + Sync>(caller: C, rate: f64, duration: Duration) -> Run {
    let total = (rate * duration.as_secs_f64()).round().max(1.0) as u64;
    let (tx, mut rx) = mpsc::unbounded_channel::<(Result<(), String>, u64)>();
    let pace = pacer(total, rate, move |seq, at| {
        let mut caller = caller.clone();
        let tx = tx.clone();
        async move {
            let result = caller.call(seq).await;
            let _ = tx.send((result, nanos(at.elapsed())));
        }
    });
    let mut run = Run::default();
    // Ends when the pacer and every request task have dropped their senders.
    while let Some((result, latency)) = rx.recv().await {
        match result {
            Ok(()) => {
                run.completed += 1;
                run.latencies_ns.push(latency);
            }
            Err(e) => run.fail(e),
        }
    }
    match pace.await {
        Ok(start) => run.elapsed = start.elapsed(),
        Err(e) => run.fail(format!("pacer failed: {e}")),
    }
    run
}

/// Spawn `send(seq, scheduled_at)` on the current runtime at `rate` per second, `total` times,
/// from a thread of the blocking pool. Resolves to the start time once everything is spawned.
pub fn pacer<F, Fut>(total: u64, rate: f64, send: F) -> JoinHandle<Instant>
where
    F: Fn(u64, Instant) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let start = Instant::now();
        for seq in 0..total {
            let at = start + Duration::from_secs_f64(seq as f64 / rate);
            let now = Instant::now();
            if at > now {
                std::thread::sleep(at - now);
            }
            handle.spawn(send(seq, at));
        }
        start
    })
}

/// A service (worker, responder, HTTP server) on a multi-threaded runtime of its own, as a
/// separate process would have.
pub struct Service {
    name: String,
    runtime: Runtime,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), CliError>>>,
}

/// Completes when the service is asked to stop.
pub type Stop = oneshot::Receiver<()>;

/// A future that completes on `stop`.
pub async fn stopped(stop: Stop) {
    let _ = stop.await;
}

impl Service {
    /// Start `service(stop)` on a new runtime with `threads` worker threads.
    pub fn start<F, Fut>(name: &str, threads: usize, service: F) -> Result<Service, CliError>
    where
        F: FnOnce(Stop) -> Fut,
        Fut: Future<Output = Result<(), CliError>> + Send + 'static,
    {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads.max(1))
            .thread_name(format!("bench-{name}"))
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start a runtime for {name}: {e}"))?;
        let (tx, rx) = oneshot::channel();
        let task = runtime.spawn(service(rx));
        Ok(Service {
            name: name.to_string(),
            runtime,
            stop: Some(tx),
            task: Some(task),
        })
    }

    /// Fail if the service has already stopped (say, it could not connect).
    pub fn check(&mut self) -> Result<(), CliError> {
        if self.task.as_ref().is_some_and(|t| t.is_finished()) {
            return self.finish();
        }
        Ok(())
    }

    /// Ask the service to stop and wait for it (at most 10 s).
    pub fn stop(mut self) -> Result<(), CliError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.finish()
    }

    fn finish(&mut self) -> Result<(), CliError> {
        let Some(task) = self.task.take() else {
            return Ok(());
        };
        let joined = self
            .runtime
            .block_on(async { tokio::time::timeout(Duration::from_secs(10), task).await });
        match joined {
            Ok(Ok(result)) => result.map_err(|e| format!("{}: {e}", self.name).into()),
            Ok(Err(e)) => Err(format!("{} failed: {e}", self.name).into()),
            Err(_) => Err(format!("{} did not stop within 10 s", self.name).into()),
        }
    }
}
