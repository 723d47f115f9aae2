//! The workers: one pull loop per stage role, and the `sync` request-reply responder.
//!
//! ```text
//!  loop (until shutdown):                         per message (a task, <= max_ack_pending):
//!    wait for a free slot                           decode + check        --fail--> decide
//!    pull a batch of <= free slots (expires)        run the engine stage (blocking pool)
//!    spawn one task per message                     publish downstream, Nats-Msg-Id, await
//!  on shutdown: stop pulling, await the tasks         the stream's ack; retry what may pass
//!                                                   for publish_retry_ms --fail--> decide
//!                                                   (progress acks every ack_wait/3 meanwhile)
//!                                                   decide -> ack | nak(delay) | DLQ + term
//! ```

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::consumer::PullConsumer;
use async_nats::jetstream::context::PublishErrorKind;
use async_nats::jetstream::message::PublishMessage;
use async_nats::jetstream::{self, AckKind};
use bytes::Bytes;
use futures::StreamExt;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use vigil_core::{Engine, Verdict};

use crate::config::Config;
use crate::dlq::{DeadLetterTarget, execute, is_already_recorded};
use crate::error::Error;
use crate::retry::{Failure, FailureKind, Outcome, PublishRetry, RetryPolicy};
use crate::topology::{Role, verify};
use crate::wire::{
    ArbiterStage, ErrorReply, PiiStage, Stage, check_request_id, decode, input_failure, message_id,
    parse_request,
};

/// Runs worker roles against one connection with one engine.
///
/// ```no_run
/// # async fn demo() -> Result<(), vigil_nats::Error> {
/// use std::sync::Arc;
/// use vigil_nats::{Config, Role, Worker};
///
/// let config = Config::default();
/// let nats = vigil_nats::connect(&config.connection).await?;
/// let worker = Worker::new(nats, Arc::new(vigil_core::Engine::default()), config)?;
/// worker.run(&[Role::Detection], async { let _ = tokio::signal::ctrl_c().await; }).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Worker {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    nats: async_nats::Client,
    js: jetstream::Context,
    engine: Arc<Engine>,
    config: Config,
    name: String,
}

impl Worker {
    /// A worker on `nats` with `engine`; `config` is validated here.
    pub fn new(
        nats: async_nats::Client,
        engine: Arc<Engine>,
        config: Config,
    ) -> Result<Worker, Error> {
        config.validate()?;
        let js = jetstream::ContextBuilder::new()
            .timeout(Duration::from_millis(config.worker.publish_ack_timeout_ms))
            .build(nats.clone());
        let name = config
            .worker
            .name
            .clone()
            .unwrap_or_else(|| format!("{}-{}", config.connection.name, std::process::id()));
        Ok(Worker {
            shared: Arc::new(Shared {
                nats,
                js,
                engine,
                config,
                name,
            }),
        })
    }

    /// The name written into dead letters.
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// Check the topology for every role in `roles`, then run them until `shutdown` completes
    /// or one fails. On shutdown each role stops pulling, finishes and acks the messages it
    /// holds, and returns. A role that fails stops the others.
    pub async fn run(
        &self,
        roles: &[Role],
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), Error> {
        for role in roles {
            verify(&self.shared.js, &self.shared.config.topology, *role).await?;
        }
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut set = JoinSet::new();
        for role in roles.iter().copied() {
            let shared = self.shared.clone();
            let stop = stop_rx.clone();
            set.spawn(async move {
                tracing::info!(role = role.as_str(), worker = shared.name, "worker started");
                let result = match role {
                    Role::Sync => run_sync(shared.clone(), stop).await,
                    stage => run_stage(shared.clone(), stage, stop).await,
                };
                tracing::info!(role = role.as_str(), worker = shared.name, "worker stopped");
                result
            });
        }
        tokio::pin!(shutdown);
        let mut first_error = None;
        let mut shutting_down = false;
        loop {
            tokio::select! {
                _ = &mut shutdown, if !shutting_down => {
                    tracing::info!("shutdown requested: draining");
                    shutting_down = true;
                    let _ = stop_tx.send(true);
                }
                joined = set.join_next() => match joined {
                    None => break,
                    Some(result) => {
                        let result = result.unwrap_or_else(|e| {
                            Err(Error::consume("worker task", format!("task failed: {e}")))
                        });
                        if let Err(e) = result {
                            tracing::error!(error = %e, "worker role failed; stopping the others");
                            first_error.get_or_insert(e);
                            let _ = stop_tx.send(true);
                        }
                    }
                },
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

async fn run_stage(
    shared: Arc<Shared>,
    role: Role,
    mut stop: watch::Receiver<bool>,
) -> Result<(), Error> {
    let topology = &shared.config.topology;
    let Some((stream_spec, config)) = topology.consumer_config(role) else {
        return Ok(());
    };
    let durable = config.durable_name.clone().unwrap_or_default();
    let what = format!("consumer {}/{durable}", stream_spec.name);
    let stream = shared
        .js
        .get_stream(&stream_spec.name)
        .await
        .map_err(|e| Error::topology(format!("open stream {}", stream_spec.name), e))?;
    let consumer: PullConsumer = stream
        .get_consumer(&durable)
        .await
        .map_err(|e| Error::topology(format!("open {what}"), e))?;
    let in_flight = usize::try_from(config.max_ack_pending).unwrap_or(1).max(1);
    let policy = RetryPolicy {
        max_deliver: config.max_deliver,
        backoff_initial: Duration::from_millis(shared.config.worker.backoff_initial_ms),
        backoff_max: Duration::from_millis(shared.config.worker.backoff_max_ms),
    };
    let progress_every = (config.ack_wait / 3).max(Duration::from_millis(50));
    let expires = Duration::from_millis(shared.config.worker.pull_expires_ms);
    let target = Arc::new(DeadLetterTarget {
        subject: topology.subjects.dlq.clone(),
        worker: shared.name.clone(),
    });
    let slots = Arc::new(Semaphore::new(in_flight));
    let mut tasks = JoinSet::new();
    let mut pull_failures = 0u32;
    while !*stop.borrow() {
        let first = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = stop.changed() => break,
        };
        let wanted = slots.available_permits() + 1;
        let batch = tokio::select! {
            b = consumer.batch().max_messages(wanted).expires(expires).messages() => b,
            _ = stop.changed() => break,
        };
        let mut batch = match batch {
            Ok(b) => b,
            Err(e) => {
                pull_failures += 1;
                tracing::warn!(error = %e, consumer = what, "pull failed; retrying");
                let wait = Duration::from_millis(200 * u64::from(pull_failures.min(10)));
                tokio::select! {
                    _ = tokio::time::sleep(wait) => continue,
                    _ = stop.changed() => break,
                }
            }
        };
        pull_failures = 0;
        let mut permit = Some(first);
        // Everything the server delivered into this batch is processed, even during shutdown:
        // dropping it would leave it for redelivery only after ack_wait.
        while let Some(item) = batch.next().await {
            let message = match item {
                Ok(m) => m,
                Err(e) => {
                    tracing::warn!(error = %e, consumer = what, "pull batch ended with an error");
                    break;
                }
            };
            let permit = match permit.take() {
                Some(p) => p,
                None => match slots.clone().acquire_owned().await {
                    Ok(p) => p,
                    Err(_) => break,
                },
            };
            let shared = shared.clone();
            let target = target.clone();
            tasks.spawn(async move {
                let outcome =
                    with_progress(&message, progress_every, handle(&shared, role, &message)).await;
                execute(&shared.js, &message, &policy, outcome, &target).await;
                drop(permit);
            });
        }
        while let Some(done) = tasks.try_join_next() {
            if let Err(e) = done {
                tracing::error!(error = %e, "message task failed");
            }
        }
    }
    while let Some(done) = tasks.join_next().await {
        if let Err(e) = done {
            tracing::error!(error = %e, "message task failed");
        }
    }
    Ok(())
}

/// Run `work`, telling the server every `every` that the message is still being worked on, so
/// slow work is not redelivered to another worker meanwhile.
async fn with_progress<F: Future>(
    message: &jetstream::Message,
    every: Duration,
    work: F,
) -> F::Output {
    tokio::pin!(work);
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tokio::select! {
            out = &mut work => return out,
            _ = tick.tick() => {
                if let Err(e) = message.ack_with(AckKind::Progress).await {
                    tracing::debug!(error = %e, "progress ack failed");
                }
            }
        }
    }
}

/// One stage's work on one message. Never logs the text.
async fn handle(shared: &Arc<Shared>, role: Role, message: &jetstream::Message) -> Outcome {
    let result = match role {
        Role::Detection => detection(shared, &message.payload).await,
        Role::Pii => pii(shared, &message.payload).await,
        Role::Arbiter => arbiter(shared, &message.payload).await,
        Role::Sync => Ok(()),
    };
    match result {
        Ok(()) => Outcome::Done,
        Err(failure) => {
            tracing::warn!(role = role.as_str(), failure = %failure, "message failed");
            Outcome::Failed(failure)
        }
    }
}

async fn detection(shared: &Arc<Shared>, payload: &[u8]) -> Result<(), Failure> {
    let request = parse_request(&shared.engine, payload)?;
    let engine = shared.engine.clone();
    let bytes = request.text.len();
    let (request, detection) = engine_work(shared, bytes, move || {
        let detection = engine.detect(&request.text);
        (request, detection)
    })
    .await?;
    let stage = PiiStage {
        detection,
        request_id: request.request_id,
        original_text: request.text,
        options: request.options,
    };
    let subject = &shared.config.topology.subjects.stage_pii;
    publish(
        shared,
        subject,
        encode(&stage)?,
        message_id(&stage.request_id, Stage::Pii),
        false,
    )
    .await
}

async fn pii(shared: &Arc<Shared>, payload: &[u8]) -> Result<(), Failure> {
    let stage: PiiStage = decode(payload)?;
    check_request_id(&stage.request_id)?;
    shared
        .engine
        .check_input(&stage.original_text)
        .map_err(input_failure)?;
    let engine = shared.engine.clone();
    let run = stage.options.pii.unwrap_or(engine.config().pii.enabled);
    let bytes = stage.original_text.len();
    let (stage, pii) = engine_work(shared, bytes, move || {
        let pii = run.then(|| engine.scan_pii(&stage.original_text));
        (stage, pii)
    })
    .await?;
    let next = ArbiterStage {
        request_id: stage.request_id,
        detection: stage.detection,
        original_text: stage.original_text,
        pii,
        options: stage.options,
    };
    let subject = &shared.config.topology.subjects.stage_arbiter;
    publish(
        shared,
        subject,
        encode(&next)?,
        message_id(&next.request_id, Stage::Arbiter),
        false,
    )
    .await
}

async fn arbiter(shared: &Arc<Shared>, payload: &[u8]) -> Result<(), Failure> {
    let stage: ArbiterStage = decode(payload)?;
    check_request_id(&stage.request_id)?;
    let verdict = decide_verdict(&shared.engine, &stage);
    record(shared, &verdict.request_id, encode(&verdict)?).await
}

/// The arbiter stage: the same verdict [`Engine::analyze`] gives for the request.
fn decide_verdict(engine: &Engine, stage: &ArbiterStage) -> Verdict {
    let mut verdict = engine.decide(&stage.request_id, &stage.detection, &[], stage.pii.as_ref());
    if stage.options.evidence == Some(false) {
        verdict.evidence.clear();
    }
    verdict
}

/// Store the encoded verdict for `request_id` on `vigil.results.<requestId>`, once: the publish
/// expects the subject to be empty, so a second verdict for the same id (a redelivery after the
/// duplicate window, or a sync answer racing the pipeline) is refused by the stream and counts
/// as done.
async fn record(shared: &Arc<Shared>, request_id: &str, verdict: Bytes) -> Result<(), Failure> {
    let subject = shared.config.topology.subjects.result(request_id);
    publish(
        shared,
        &subject,
        verdict,
        message_id(request_id, Stage::Result),
        true,
    )
    .await
}

fn encode<T: serde::Serialize>(body: &T) -> Result<Bytes, Failure> {
    serde_json::to_vec(body)
        .map(Bytes::from)
        .map_err(|e| Failure::new(FailureKind::WrongSchema, format!("cannot encode: {e}")))
}

async fn publish(
    shared: &Arc<Shared>,
    subject: &str,
    payload: Bytes,
    msg_id: String,
    first_on_subject: bool,
) -> Result<(), Failure> {
    let mut publish = PublishMessage::build().payload(payload).message_id(msg_id);
    if first_on_subject {
        publish = publish.expected_last_subject_sequence(0);
    }
    // A failure that may pass (a timeout, a stream without a leader during an election, a full
    // stream) is retried here, under the caller's progress acks, so a short outage costs no
    // delivery: otherwise max_deliver instant refusals would dead-letter valid requests within
    // a second or two of an election. The same message id makes each retry idempotent.
    let retry = PublishRetry::within(Duration::from_millis(shared.config.worker.publish_retry_ms));
    let started = tokio::time::Instant::now();
    let mut attempt = 1;
    loop {
        let acked = match shared
            .js
            .send_publish(subject.to_string(), publish.clone())
            .await
        {
            Ok(ack) => ack.await,
            Err(e) => Err(e),
        };
        let failure = match acked {
            Ok(_) => return Ok(()),
            Err(e) if first_on_subject && is_already_recorded(&e) => return Ok(()),
            Err(e) => publish_failure(subject, &e),
        };
        match retry.pause(attempt, started.elapsed(), failure.kind) {
            Some(pause) => {
                tracing::debug!(failure = %failure, attempt, "publish failed; retrying");
                tokio::time::sleep(pause).await;
                attempt += 1;
            }
            None => return Err(failure),
        }
    }
}

/// Classify a failed publish: too large is permanent, anything else (timeout, no stream,
/// server gone, stream full) may pass on retry.
fn publish_failure(subject: &str, e: &async_nats::jetstream::context::PublishError) -> Failure {
    use async_nats::jetstream::{Error as JsError, ErrorCode};
    let too_large = e.kind() == PublishErrorKind::MaxPayloadExceeded
        || std::error::Error::source(e)
            .and_then(|s| s.downcast_ref::<JsError>())
            .is_some_and(|j| j.error_code() == ErrorCode::STREAM_MESSAGE_EXCEEDS_MAXIMUM);
    let kind = if too_large {
        FailureKind::PayloadTooLarge
    } else {
        FailureKind::Publish
    };
    Failure::new(kind, format!("publish to {subject}: {e}"))
}

/// Engine work on a text of `bytes`: inline when small (`worker.inline_max_bytes`), otherwise
/// off the async threads.
async fn engine_work<T: Send + 'static>(
    shared: &Shared,
    bytes: usize,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Failure> {
    if bytes <= shared.config.worker.inline_max_bytes {
        return Ok(f());
    }
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Failure::new(FailureKind::Publish, format!("engine task failed: {e}")))
}

/// Header a sync responder sets on an error answer (the NATS services convention).
pub const SERVICE_ERROR_CODE: &str = "Nats-Service-Error-Code";
/// Header with the error description.
pub const SERVICE_ERROR: &str = "Nats-Service-Error";

async fn run_sync(shared: Arc<Shared>, mut stop: watch::Receiver<bool>) -> Result<(), Error> {
    let subjects = &shared.config.topology.subjects;
    let mut subscriber = shared
        .nats
        .queue_subscribe(subjects.sync.clone(), subjects.sync_queue_group.clone())
        .await
        .map_err(|e| Error::consume(subjects.sync.clone(), e))?;
    let slots = Arc::new(Semaphore::new(shared.config.worker.sync_max_in_flight));
    let mut tasks = JoinSet::new();
    let spawn = |tasks: &mut JoinSet<()>, message: async_nats::Message, permit| {
        let shared = shared.clone();
        tasks.spawn(async move {
            answer(&shared, message).await;
            drop(permit);
        });
    };
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            _ = stop.changed() => break,
        };
        let message = tokio::select! {
            m = subscriber.next() => m,
            _ = stop.changed() => break,
        };
        let Some(message) = message else { break };
        spawn(&mut tasks, message, permit);
        while tasks.try_join_next().is_some() {}
    }
    // Drain: stop receiving, answer what already arrived, then wait for the answers. Bounded,
    // because without a connection the unsubscribe never completes; a request left unanswered
    // then times out at its caller, who may retry (sync requests are not stored).
    let limit = Duration::from_millis(shared.config.worker.publish_ack_timeout_ms);
    let drained = tokio::time::timeout(limit, async {
        if let Err(e) = subscriber.drain().await {
            tracing::warn!(error = %e, "cannot drain the sync subscription");
            return;
        }
        while let Some(message) = subscriber.next().await {
            if let Ok(permit) = slots.clone().acquire_owned().await {
                spawn(&mut tasks, message, permit);
            }
        }
    })
    .await;
    if drained.is_err() {
        tracing::warn!("sync subscription not drained in time (connection down?)");
    }
    while tasks.join_next().await.is_some() {}
    Ok(())
}

/// Answer one synchronous request: the engine's verdict (also recorded on the result stream),
/// or an error body with `Nats-Service-Error-Code: 400` when the request is not decodable.
async fn answer(shared: &Arc<Shared>, message: async_nats::Message) {
    let Some(reply) = message.reply.clone() else {
        tracing::warn!("sync request without a reply subject ignored");
        return;
    };
    let parsed = decode::<vigil_core::AnalyzeRequest>(&message.payload)
        .and_then(|r| check_request_id(&r.request_id).map(|()| r));
    let sent = match parsed {
        Ok(request) => {
            let engine = shared.engine.clone();
            let bytes = request.text.len();
            // Engine::analyze is fail-secure: empty or oversized text gets a BLOCK verdict.
            let verdict = match engine_work(shared, bytes, move || engine.analyze(&request)).await {
                Ok(v) => v,
                Err(failure) => {
                    tracing::error!(failure = %failure, "engine task failed");
                    return;
                }
            };
            let body = match encode(&verdict) {
                Ok(body) => body,
                Err(failure) => {
                    tracing::error!(failure = %failure, "cannot encode a verdict");
                    return;
                }
            };
            // The record is queued on the connection before the answer, so the server gets it
            // first, but the answer does not wait for the stream's ack: that round trip would
            // add to every caller's latency.
            let (recorded, answered) = tokio::join!(
                record(shared, &verdict.request_id, body.clone()),
                shared.nats.publish(reply, body)
            );
            if let Err(f) = recorded {
                // The caller still gets its answer; only the copy on the result stream is missing.
                tracing::warn!(failure = %f, "could not record a sync verdict");
            }
            answered
        }
        Err(failure) => {
            tracing::warn!(failure = %failure, "sync request rejected");
            let mut headers = HeaderMap::new();
            headers.insert(SERVICE_ERROR_CODE, "400");
            headers.insert(SERVICE_ERROR, failure.kind.code());
            let body = serde_json::to_vec(&ErrorReply::from(&failure)).unwrap_or_default();
            shared
                .nats
                .publish_with_headers(reply, headers, body.into())
                .await
        }
    };
    if let Err(e) = sent {
        tracing::warn!(error = %e, "cannot send a sync answer");
    }
}
