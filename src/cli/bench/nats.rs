//! Sync and async modes, and the NATS services every NATS-backed mode shares: Vigil's own
//! workers (`vigil_nats::Worker`, as `vigil worker` runs them), an echo responder, and
//! pass-through workers on a copy of the topology under other names.
//!
//! ```text
//!  vigil:  vigil.requests.analyze -> VIGIL_REQUESTS -> detection -> VIGIL_STAGES -> pii
//!            -> VIGIL_STAGES -> arbiter -> VIGIL_RESULTS (vigil.results.<id>)
//!  raw:    benchraw.requests.analyze -> BENCHRAW_REQUESTS -> pass -> BENCHRAW_STAGES -> pass
//!            -> BENCHRAW_STAGES -> pass -> BENCHRAW_RESULTS (benchraw.results.<id>)
//! ```
//!
//! Both pipelines have the same stream and consumer settings (the raw one is the default
//! topology renamed), publish with the same `Nats-Msg-Id`s and "first on subject" results,
//! and double-ack, so the only difference is the work: JSON decode, engine, encode.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_nats::jetstream::consumer::PullConsumer;
use async_nats::jetstream::message::PublishMessage;
use async_nats::jetstream::{self, Context};
use futures::StreamExt;
use tokio::runtime::Runtime;
use tokio::sync::Semaphore;
use vigil::core::Engine;
use vigil::nats::{Config, Role, Subjects, Topology, Worker};

use super::super::CliError;
use super::load::{self, Caller, CpuUse, Run, Service, Stop, closed, nanos, open, stopped};
use super::report::Scenario;
use super::{Corpus, Settings, progress};

/// Header a sync responder sets on an error answer.
const SERVICE_ERROR_CODE: &str = "Nats-Service-Error-Code";
/// How long a request may take before it counts as an error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Publishes awaiting their stream ack at once in an async burst.
const BURST_IN_FLIGHT: usize = 512;

/// Everything the NATS-backed modes share: server, engine, prompts, the load runtime.
pub struct Bench<'a> {
    pub(super) url: String,
    /// The bench's own nats-server, whose CPU time counts with each run.
    server: Option<u32>,
    pub(super) engine: Arc<Engine>,
    pub(super) settings: &'a Settings,
    /// Pre-encoded JSON string literals of the prompts.
    pub(super) prompts: Arc<Vec<String>>,
    /// The load generator's runtime.
    pub(super) load: Runtime,
    nonce: String,
    runs: AtomicU64,
}

/// The copy of the default topology the raw side uses: same settings, other names.
fn raw_topology() -> Topology {
    let mut t = Topology {
        subjects: Subjects {
            analyze: "benchraw.requests.analyze".into(),
            async_requests: "benchraw.requests.async".into(),
            stage_pii: "benchraw.stage.pii".into(),
            stage_arbiter: "benchraw.stage.arbiter".into(),
            results_prefix: "benchraw.results".into(),
            dlq: "benchraw.dlq".into(),
            sync: "benchraw.echo".into(),
            sync_queue_group: "benchraw-echo".into(),
        },
        ..Topology::default()
    };
    for (spec, name) in [
        (&mut t.requests, "BENCHRAW_REQUESTS"),
        (&mut t.stages, "BENCHRAW_STAGES"),
        (&mut t.results, "BENCHRAW_RESULTS"),
        (&mut t.dlq, "BENCHRAW_DLQ"),
    ] {
        spec.name = name.into();
    }
    for (spec, name) in [
        (&mut t.detection, "benchraw-detection"),
        (&mut t.pii, "benchraw-pii"),
        (&mut t.arbiter, "benchraw-arbiter"),
    ] {
        spec.durable = name.into();
    }
    t
}

impl<'a> Bench<'a> {
    /// Prepare prompts and the load runtime for `url`.
    pub fn new(
        url: &str,
        server: Option<u32>,
        engine: Arc<Engine>,
        corpus: &Corpus,
        settings: &'a Settings,
    ) -> Result<Bench<'a>, CliError> {
        let prompts = corpus
            .prompts(settings.size, 64)
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<Vec<_>, _>>()?;
        let load = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("bench-load")
            .enable_all()
            .build()?;
        // Request ids must be new on every run: VIGIL_RESULTS keeps one verdict per id.
        let nonce = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() % 1_000_000_000);
        Ok(Bench {
            url: url.to_string(),
            server,
            engine,
            settings,
            prompts: Arc::new(prompts),
            load,
            nonce: format!("b{nonce}"),
            runs: AtomicU64::new(0),
        })
    }

    /// A fresh request-id prefix (one subject token).
    pub(super) fn run_prefix(&self) -> String {
        format!(
            "{}r{}",
            self.nonce,
            self.runs.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// The Vigil configuration: defaults (the seed's names and limits) on this server.
    pub(super) fn config(&self, name: &str) -> Config {
        let mut config = Config::default();
        config.connection.url = self.url.clone();
        config.connection.name = format!("vigil-bench-{name}");
        config.worker.name = Some(format!("vigil-bench-{name}"));
        config
    }

    /// Create (or update) both topologies.
    pub(super) fn setup(&self) -> Result<(), CliError> {
        let config = self.config("setup");
        self.load.block_on(async {
            let client = vigil::nats::Client::connect(&config).await?;
            client.setup().await?;
            vigil::nats::setup(&jetstream::new(client.nats().clone()), &raw_topology()).await?;
            Ok::<_, CliError>(())
        })
    }

    /// A connection for the load generator.
    pub(super) fn connect(&self) -> Result<async_nats::Client, CliError> {
        let url = self.url.clone();
        self.load.block_on(async move {
            async_nats::connect(url.as_str())
                .await
                .map_err(|e| format!("cannot connect to {url}: {e}").into())
        })
    }

    /// Vigil's workers for `roles`, as `vigil worker` runs them, on a runtime of their own.
    pub(super) fn vigil_workers(&self, roles: &'static [Role]) -> Result<Service, CliError> {
        let config = self.config(roles[0].as_str());
        let engine = Arc::clone(&self.engine);
        Service::start("vigil-worker", 2, move |stop: Stop| async move {
            let nats = vigil::nats::connect(&config.connection).await?;
            let worker = Worker::new(nats.clone(), engine, config)?;
            worker.run(roles, stopped(stop)).await?;
            let _ = nats.drain().await;
            Ok(())
        })
    }

    /// A core NATS responder that answers every request with its own payload.
    pub(super) fn echo_responder(&self) -> Result<Service, CliError> {
        let url = self.url.clone();
        Service::start("echo", 2, move |stop: Stop| async move {
            let subjects = raw_topology().subjects;
            let nats = async_nats::connect(url.as_str()).await?;
            let mut requests = nats
                .queue_subscribe(subjects.sync, subjects.sync_queue_group)
                .await?;
            let stop = stopped(stop);
            tokio::pin!(stop);
            loop {
                tokio::select! {
                    message = requests.next() => {
                        let Some(message) = message else { break };
                        if let Some(reply) = message.reply {
                            nats.publish(reply, message.payload).await?;
                        }
                    }
                    () = &mut stop => break,
                }
            }
            Ok(())
        })
    }

    /// Pass-through workers for the three raw stages.
    fn pass_through(&self) -> Result<Service, CliError> {
        let url = self.url.clone();
        Service::start("pass-through", 2, move |stop: Stop| async move {
            let nats = async_nats::connect(url.as_str()).await?;
            let js = jetstream::new(nats);
            let topology = Arc::new(raw_topology());
            let mut roles = tokio::task::JoinSet::new();
            for role in [Role::Detection, Role::Pii, Role::Arbiter] {
                roles.spawn(forward_stage(js.clone(), Arc::clone(&topology), role));
            }
            tokio::select! {
                () = stopped(stop) => Ok(()),
                Some(failed) = roles.join_next() => match failed {
                    Ok(result) => result,
                    Err(e) => Err(format!("pass-through task: {e}").into()),
                },
            }
        })
    }

    /// Request-reply until a first answer (the responders subscribe asynchronously).
    fn wait_ready(&self, caller: &RequestCaller, service: &mut Service) -> Result<(), CliError> {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut probe = caller.clone();
        loop {
            service.check()?;
            match self.load.block_on(probe.call(0)) {
                Ok(()) => return Ok(()),
                Err(e) if Instant::now() > deadline => {
                    return Err(format!("no answer on {} within 20 s: {e}", caller.subject).into());
                }
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    /// Run `vigil` and `raw` once each, alternating which goes first by round.
    pub(super) fn pair(
        &self,
        round: usize,
        mut vigil: impl FnMut() -> Result<Run, CliError>,
        mut raw: impl FnMut() -> Result<Run, CliError>,
    ) -> Result<(Run, Run), CliError> {
        // One side runs at a time, so the CPU used meanwhile is that side's.
        let measured = |side: &mut dyn FnMut() -> Result<Run, CliError>| {
            let before = CpuUse::now(self.server);
            let mut run = side()?;
            run.cpu = before
                .zip(CpuUse::now(self.server))
                .map(|(b, a)| a.since(b));
            Ok::<_, CliError>(run)
        };
        if round % 2 == 0 {
            let v = measured(&mut vigil)?;
            Ok((v, measured(&mut raw)?))
        } else {
            let r = measured(&mut raw)?;
            Ok((measured(&mut vigil)?, r))
        }
    }

    /// Sync mode: peak at fixed concurrency, then latency at the fixed offered rate.
    pub fn sync(&self) -> Result<Vec<Scenario>, CliError> {
        let s = self.settings;
        self.setup()?;
        let mut vigil_service = self.vigil_workers(&[Role::Sync])?;
        let mut echo = self.echo_responder()?;
        let nats = self.connect()?;
        let caller = |subject: &str| RequestCaller {
            nats: nats.clone(),
            subject: subject.to_string(),
            prompts: Arc::clone(&self.prompts),
            prefix: self.run_prefix(),
        };
        let (vigil_subject, raw_subject) = (
            self.config("load").topology.subjects.sync,
            raw_topology().subjects.sync,
        );
        self.wait_ready(&caller(&vigil_subject), &mut vigil_service)?;
        self.wait_ready(&caller(&raw_subject), &mut echo)?;
        let c = s.concurrency;
        let peak_run = |subject: &str, d: Duration| {
            let one = caller(subject);
            Ok::<_, CliError>(self.load.block_on(closed(vec![one; c], d)))
        };
        peak_run(&vigil_subject, s.warmup())?;
        peak_run(&raw_subject, s.warmup())?;
        let mut peak = Scenario::new(
            "sync",
            format!("peak, {c} in flight"),
            "req/s",
            "vigil worker sync (engine + verdict recorded)",
            "echo responder",
        )
        .in_flight(c);
        let mut rated = Scenario::new(
            "sync",
            format!("at {:.0} req/s", s.rate),
            "req/s",
            "vigil worker sync (engine + verdict recorded)",
            "echo responder",
        )
        .at_rate(s.rate);
        for round in 0..s.rounds {
            progress(format_args!("sync round {}/{}", round + 1, s.rounds));
            let (v, r) = self.pair(
                round,
                || peak_run(&vigil_subject, s.duration()),
                || peak_run(&raw_subject, s.duration()),
            )?;
            peak.push(v, r);
            if s.rate > 0.0 {
                let rate_run = |subject: &str| {
                    Ok::<_, CliError>(self.load.block_on(open(
                        caller(subject),
                        s.rate,
                        s.duration(),
                    )))
                };
                let (v, r) = self.pair(
                    round,
                    || rate_run(&vigil_subject),
                    || rate_run(&raw_subject),
                )?;
                rated.push(v, r);
            }
        }
        vigil_service.stop()?;
        echo.stop()?;
        let mut out = vec![peak.finish()];
        if s.rate > 0.0 {
            out.push(rated.finish());
        }
        Ok(out)
    }

    /// Async mode: a burst for the peak, then latency at half of each side's own peak.
    pub fn pipeline(&self) -> Result<Vec<Scenario>, CliError> {
        const STAGES: &[Role] = &[Role::Detection, Role::Pii, Role::Arbiter];
        let s = self.settings;
        self.setup()?;
        let mut vigil_service = self.vigil_workers(STAGES)?;
        let mut raw_service = self.pass_through()?;
        let nats = self.connect()?;
        let vigil_subjects = self.config("load").topology.subjects;
        let raw_subjects = raw_topology().subjects;
        // The JetStream contexts spawn their ack tasks on the load runtime.
        let _in_load = self.load.enter();
        let flow = |subjects: &Subjects| Flow {
            nats: nats.clone(),
            js: jetstream::new(nats.clone()),
            subject: subjects.analyze.clone(),
            results_prefix: subjects.results_prefix.clone(),
            prompts: Arc::clone(&self.prompts),
        };
        let (vigil_flow, raw_flow) = (flow(&vigil_subjects), flow(&raw_subjects));
        let warm = (s.requests / 10).clamp(50, 500);
        for (f, service) in [
            (&vigil_flow, &mut vigil_service),
            (&raw_flow, &mut raw_service),
        ] {
            let run = self.load.block_on(f.run(&self.run_prefix(), warm, None))?;
            service.check()?;
            if run.completed == 0 {
                return Err(format!(
                    "no result arrived on {}.*: {}",
                    f.results_prefix,
                    run.first_error.unwrap_or_default()
                )
                .into());
            }
        }
        let n = s.requests;
        let mut peak = Scenario::new(
            "async",
            format!("peak, burst of {n}"),
            "req/s",
            "detection -> pii -> arbiter workers",
            "pass-through workers, same hops",
        );
        let mut peaks = (Vec::new(), Vec::new());
        for round in 0..s.rounds {
            progress(format_args!("async round {}/{}: peak", round + 1, s.rounds));
            let (v, r) = self.pair(
                round,
                || {
                    self.load
                        .block_on(vigil_flow.run(&self.run_prefix(), n, None))
                },
                || {
                    self.load
                        .block_on(raw_flow.run(&self.run_prefix(), n, None))
                },
            )?;
            peaks
                .0
                .push(v.completed as f64 / v.elapsed.as_secs_f64().max(1e-9));
            peaks
                .1
                .push(r.completed as f64 / r.elapsed.as_secs_f64().max(1e-9));
            peak.push(v, r);
        }
        let peak = peak.finish();
        let half = |mut p: Vec<f64>| {
            p.sort_by(f64::total_cmp);
            (p[p.len() / 2] / 2.0).max(1.0)
        };
        let (vigil_rate, raw_rate) = (half(peaks.0), half(peaks.1));
        let mut rated = Scenario::new(
            "async",
            format!("at half peak ({vigil_rate:.0} / {raw_rate:.0} req/s)"),
            "req/s",
            "detection -> pii -> arbiter workers",
            "pass-through workers, same hops",
        )
        .at_rate(vigil_rate);
        for round in 0..s.rounds {
            progress(format_args!(
                "async round {}/{}: half peak",
                round + 1,
                s.rounds
            ));
            let count = |rate: f64| (rate * s.duration_s).round().max(1.0) as u64;
            let (v, r) = self.pair(
                round,
                || {
                    self.load.block_on(vigil_flow.run(
                        &self.run_prefix(),
                        count(vigil_rate),
                        Some(vigil_rate),
                    ))
                },
                || {
                    self.load.block_on(raw_flow.run(
                        &self.run_prefix(),
                        count(raw_rate),
                        Some(raw_rate),
                    ))
                },
            )?;
            rated.push(v, r);
        }
        vigil_service.stop()?;
        raw_service.stop()?;
        Ok(vec![peak, rated.finish()])
    }
}

/// One request-reply per call, with a fresh request id.
#[derive(Clone)]
pub(super) struct RequestCaller {
    pub(super) nats: async_nats::Client,
    pub(super) subject: String,
    pub(super) prompts: Arc<Vec<String>>,
    pub(super) prefix: String,
}

/// `{"requestId":"<prefix>-<seq>","text":<prompt>}` without re-encoding the prompt.
pub(super) fn request_body(prompts: &[String], prefix: &str, seq: u64) -> Vec<u8> {
    let text = &prompts[(seq % prompts.len() as u64) as usize];
    format!(r#"{{"requestId":"{prefix}-{seq}","text":{text}}}"#).into_bytes()
}

impl Caller for RequestCaller {
    async fn call(&mut self, seq: u64) -> Result<(), String> {
        let payload = request_body(&self.prompts, &self.prefix, seq);
        let request = async_nats::Request::new()
            .payload(payload.into())
            .timeout(Some(REQUEST_TIMEOUT));
        let reply = self
            .nats
            .send_request(self.subject.clone(), request)
            .await
            .map_err(|e| e.to_string())?;
        if reply
            .headers
            .as_ref()
            .is_some_and(|h| h.get(SERVICE_ERROR_CODE).is_some())
        {
            return Err(format!(
                "error answer: {}",
                String::from_utf8_lossy(&reply.payload)
            ));
        }
        if !reply.payload.starts_with(b"{\"requestId\":") {
            return Err("answer is not a verdict".into());
        }
        Ok(())
    }
}

/// One end of an async pipeline as the load generator sees it: publish requests, watch
/// results arrive.
struct Flow {
    nats: async_nats::Client,
    js: Context,
    subject: String,
    results_prefix: String,
    prompts: Arc<Vec<String>>,
}

impl Flow {
    /// Publish `n` requests (as fast as the stream acks them, or at `rate` per second) and
    /// wait for their results. Latency runs from the send (burst) or the scheduled send
    /// (rate) to the result's arrival; elapsed from the first send to the last result.
    async fn run(&self, prefix: &str, n: u64, rate: Option<f64>) -> Result<Run, CliError> {
        let mut results = self
            .nats
            .subscribe(format!("{}.*", self.results_prefix))
            .await?;
        self.nats.flush().await?;
        let start = Instant::now();
        // Generous: a slow pipeline still finishes, a stuck one fails the run.
        let limit = Duration::from_secs(30) + Duration::from_millis(n * 20);
        let want = format!("{}.{prefix}-", self.results_prefix);
        let n_usize = usize::try_from(n)?;
        let collector = tokio::spawn(async move {
            let mut arrived: Vec<Option<Instant>> = vec![None; n_usize];
            let mut count = 0;
            let deadline = tokio::time::Instant::now() + limit;
            while count < n_usize {
                let Ok(Some(message)) = tokio::time::timeout_at(deadline, results.next()).await
                else {
                    break;
                };
                let seq = message
                    .subject
                    .strip_prefix(want.as_str())
                    .and_then(|s| s.parse::<usize>().ok());
                if let Some(slot) = seq.and_then(|i| arrived.get_mut(i))
                    && slot.is_none()
                {
                    *slot = Some(Instant::now());
                    count += 1;
                }
            }
            arrived
        });
        let (sent, publish_errors) = match rate {
            None => self.burst(prefix, n).await,
            Some(rate) => self.paced(prefix, n, rate, start).await,
        };
        let arrived = collector.await?;
        let mut run = Run::default();
        let mut last = start;
        for (at, sent) in arrived.iter().zip(&sent) {
            match at {
                Some(at) => {
                    run.completed += 1;
                    run.latencies_ns
                        .push(nanos(at.saturating_duration_since(*sent)));
                    last = last.max(*at);
                }
                None => run.errors += 1,
            }
        }
        if run.errors > 0 {
            run.first_error = Some(
                publish_errors
                    .unwrap_or_else(|| format!("{} results missing after {limit:?}", run.errors)),
            );
        }
        run.elapsed = last.saturating_duration_since(start);
        Ok(run)
    }

    /// Request `seq` with `Nats-Msg-Id = requestId`, as `Client::submit` publishes it.
    fn publication(prompts: &[String], prefix: &str, seq: u64) -> PublishMessage {
        let body = request_body(prompts, prefix, seq);
        PublishMessage::build()
            .payload(body.into())
            .message_id(format!("{prefix}-{seq}"))
    }

    /// Publish all at once, at most [`BURST_IN_FLIGHT`] awaiting their ack.
    async fn burst(&self, prefix: &str, n: u64) -> (Vec<Instant>, Option<String>) {
        let slots = Arc::new(Semaphore::new(BURST_IN_FLIGHT));
        let mut sent = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
        let mut acks = tokio::task::JoinSet::new();
        let mut error = None;
        for seq in 0..n {
            let Ok(permit) = Arc::clone(&slots).acquire_owned().await else {
                break;
            };
            let message = Flow::publication(&self.prompts, prefix, seq);
            sent.push(Instant::now());
            match self.js.send_publish(self.subject.clone(), message).await {
                Ok(ack) => {
                    acks.spawn(async move {
                        let acked = ack.await.map(|_| ()).map_err(|e| e.to_string());
                        drop(permit);
                        acked
                    });
                }
                Err(e) => {
                    error.get_or_insert(e.to_string());
                }
            }
        }
        while let Some(acked) = acks.join_next().await {
            if let Ok(Err(e)) = acked {
                error.get_or_insert(e);
            }
        }
        (sent, error)
    }

    /// Publish at `rate`, each request at its scheduled time.
    async fn paced(
        &self,
        prefix: &str,
        n: u64,
        rate: f64,
        start: Instant,
    ) -> (Vec<Instant>, Option<String>) {
        let (js, subject, prompts) = (
            self.js.clone(),
            self.subject.clone(),
            Arc::clone(&self.prompts),
        );
        let prefix = prefix.to_string();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        let pace = load::pacer(n, rate, move |seq, _at| {
            let (js, subject, tx) = (js.clone(), subject.clone(), tx.clone());
            let message = Flow::publication(&prompts, &prefix, seq);
            async move {
                let acked = match js.send_publish(subject, message).await {
                    Ok(ack) => ack.await.map(|_| ()).map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                };
                if let Err(e) = acked {
                    let _ = tx.send(e);
                }
            }
        });
        let mut error = None;
        while let Some(e) = rx.recv().await {
            error.get_or_insert(e);
        }
        // Latency counts from the schedule, which starts when the pacer does (≈ `start`).
        let paced_start = pace.await.unwrap_or(start);
        let sent = (0..n)
            .map(|seq| paced_start + Duration::from_secs_f64(seq as f64 / rate))
            .collect();
        (sent, error)
    }
}

/// One raw stage: take each message, publish its payload unchanged to the next subject with
/// the same message id and result rules as Vigil's stage, wait for the ack, double-ack.
async fn forward_stage(js: Context, topology: Arc<Topology>, role: Role) -> Result<(), CliError> {
    let (spec, config) = topology
        .consumer_config(role)
        .ok_or("no consumer for this role")?;
    let durable = config.durable_name.clone().unwrap_or_default();
    let consumer: PullConsumer = js
        .get_stream(&spec.name)
        .await?
        .get_consumer(&durable)
        .await?;
    let in_flight = usize::try_from(config.max_ack_pending).unwrap_or(1).max(1);
    let messages = consumer
        .stream()
        .max_messages_per_batch(in_flight)
        .messages()
        .await?;
    let subjects = &topology.subjects;
    messages
        .for_each_concurrent(in_flight, |message| {
            let js = js.clone();
            async move {
                let Ok(message) = message else { return };
                let id = message
                    .headers
                    .as_ref()
                    .and_then(|h| h.get("Nats-Msg-Id"))
                    .map(|v| v.as_str().split(':').next().unwrap_or_default().to_string())
                    .unwrap_or_default();
                let (subject, msg_id, first) = match role {
                    Role::Detection => (subjects.stage_pii.clone(), format!("{id}:pii"), false),
                    Role::Pii => (
                        subjects.stage_arbiter.clone(),
                        format!("{id}:arbiter"),
                        false,
                    ),
                    _ => (subjects.result(&id), format!("{id}:result"), true),
                };
                let mut publish = PublishMessage::build()
                    .payload(message.payload.clone())
                    .message_id(msg_id);
                if first {
                    publish = publish.expected_last_subject_sequence(0);
                }
                let acked = match js.send_publish(subject, publish).await {
                    Ok(ack) => ack.await.is_ok(),
                    Err(_) => false,
                };
                if acked {
                    let _ = message.double_ack().await;
                }
            }
        })
        .await;
    Ok(())
}
