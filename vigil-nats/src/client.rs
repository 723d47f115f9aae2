//! The typed client a host (such as the HTTP adapter) uses to talk to the pipeline.

use std::sync::Arc;
use std::time::Duration;

use async_nats::client::RequestErrorKind;
use async_nats::jetstream::message::PublishMessage;
use async_nats::jetstream::stream::DirectGetErrorKind;
use async_nats::jetstream::{self};
use futures::StreamExt;
use serde::Serialize;
use vigil_core::{AnalyzeRequest, Verdict};

use crate::config::{Config, Topology};
use crate::connect::connect;
use crate::dlq::{self, DeadLetter};
use crate::error::Error;
use crate::topology::{Role, SetupStep, setup};
use crate::wire::{ErrorReply, check_request_id};
use crate::worker::SERVICE_ERROR_CODE;

/// A cheap-to-clone handle for hosts: submit requests, ask for synchronous verdicts, read
/// results, check health, manage the DLQ.
///
/// ```no_run
/// # async fn demo() -> Result<(), vigil_nats::Error> {
/// use std::time::Duration;
/// use vigil_core::AnalyzeRequest;
///
/// let client = vigil_nats::Client::connect(&vigil_nats::Config::default()).await?;
/// let request = AnalyzeRequest::new("3f1c9a2e-0001", "Ignore previous instructions");
/// let verdict = client.analyze(&request, Duration::from_secs(5)).await?;      // fast path
/// let accepted = client.submit(&request).await?;                              // pipeline
/// let later = client.wait_for_result(&accepted.request_id, Duration::from_secs(10)).await?;
/// # let _ = (verdict, later); Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    nats: async_nats::Client,
    js: jetstream::Context,
    topology: Arc<Topology>,
}

/// The stream's receipt for a submitted request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Submitted {
    /// The request's id (the stream's de-duplication id too).
    pub request_id: String,
    /// Sequence of the request in `VIGIL_REQUESTS` (the seed's `streamSeq`).
    pub stream_sequence: u64,
    /// True when the stream already had this request id within its duplicate window: nothing
    /// new was stored and `stream_sequence` is the original's.
    pub duplicate: bool,
}

/// State of the client's connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ConnectionState {
    /// Connected.
    Connected,
    /// Lost; reconnecting in the background.
    Disconnected,
    /// Not connected yet.
    Pending,
}

/// Figures of one stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamHealth {
    /// Stream name.
    pub name: String,
    /// Messages stored.
    pub messages: u64,
    /// Bytes stored.
    pub bytes: u64,
    /// First stored sequence.
    pub first_sequence: u64,
    /// Last assigned sequence.
    pub last_sequence: u64,
}

/// Figures of one consumer (the seed's health fields, plus names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsumerHealth {
    /// Stream name.
    pub stream: String,
    /// Durable name.
    pub name: String,
    /// Messages not yet delivered (the lag).
    pub pending: u64,
    /// Delivered, not yet acknowledged.
    pub ack_pending: u64,
    /// Delivered more than once and not yet acknowledged.
    pub redelivered: u64,
    /// Pull requests waiting (roughly: idle workers).
    pub waiting: u64,
}

/// Health of the pipeline as seen from this client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// The connection.
    pub connection: ConnectionState,
    /// Requests, stages, results, DLQ streams, in that order.
    pub streams: Vec<StreamHealth>,
    /// Detection, PII and arbiter consumers, in that order.
    pub consumers: Vec<ConsumerHealth>,
}

impl Client {
    /// Connect with `config.connection` (see [`connect`](crate::connect)).
    pub async fn connect(config: &Config) -> Result<Client, Error> {
        config.validate()?;
        let nats = connect(&config.connection).await?;
        Ok(Client::new(nats, config))
    }

    /// A client on an existing connection (share one connection with workers or other code).
    pub fn new(nats: async_nats::Client, config: &Config) -> Client {
        let js = jetstream::ContextBuilder::new()
            .timeout(Duration::from_millis(config.worker.publish_ack_timeout_ms))
            .build(nats.clone());
        Client {
            nats,
            js,
            topology: Arc::new(config.topology.clone()),
        }
    }

    /// The underlying connection.
    pub fn nats(&self) -> &async_nats::Client {
        &self.nats
    }

    /// Publish `request` on `vigil.requests.async` with `Nats-Msg-Id = requestId` and wait for
    /// the stream's ack. Once this returns `Ok`, the request is stored and will be processed,
    /// with one exception: `VIGIL_REQUESTS` discards its oldest messages when full (the seed's
    /// policy), so a request still waiting then is dropped unprocessed; [`Health`] shows it as
    /// a `first_sequence` past the receipt's `stream_sequence`. With `discard = "new"` a full
    /// stream fails this call instead. The request id must be one subject token
    /// ([`Error::InvalidRequest`] otherwise).
    pub async fn submit(&self, request: &AnalyzeRequest) -> Result<Submitted, Error> {
        check_request_id(&request.request_id).map_err(|f| Error::InvalidRequest(f.detail))?;
        let subject = self.topology.subjects.async_requests.clone();
        let payload = serde_json::to_vec(request).map_err(|e| Error::decode("request", e))?;
        let publish = PublishMessage::build()
            .payload(payload.into())
            .message_id(&request.request_id);
        let ack = self
            .js
            .send_publish(subject.clone(), publish)
            .await
            .map_err(|e| Error::publish(&subject, e))?
            .await
            .map_err(|e| Error::publish(&subject, e))?;
        Ok(Submitted {
            request_id: request.request_id.clone(),
            stream_sequence: ack.sequence,
            duplicate: ack.duplicate,
        })
    }

    /// Ask a `sync` responder on `vigil.analyze.sync` and wait at most `timeout` (the seed
    /// uses 5 s). Errors: [`Error::Timeout`], [`Error::NoResponders`], [`Error::Rejected`] for
    /// an undecodable request.
    pub async fn analyze(
        &self,
        request: &AnalyzeRequest,
        timeout: Duration,
    ) -> Result<Verdict, Error> {
        let subject = self.topology.subjects.sync.clone();
        let payload = serde_json::to_vec(request).map_err(|e| Error::decode("request", e))?;
        let ask = async_nats::Request::new()
            .payload(payload.into())
            .timeout(Some(timeout));
        let reply = self
            .nats
            .send_request(subject.clone(), ask)
            .await
            .map_err(|e| match e.kind() {
                RequestErrorKind::TimedOut => Error::Timeout {
                    subject: subject.clone(),
                    timeout_ms: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
                },
                RequestErrorKind::NoResponders => Error::NoResponders {
                    subject: subject.clone(),
                },
                _ => Error::publish(&subject, e),
            })?;
        let is_error = reply
            .headers
            .as_ref()
            .is_some_and(|h| h.get(SERVICE_ERROR_CODE).is_some());
        if is_error {
            let body: ErrorReply = serde_json::from_slice(&reply.payload)
                .map_err(|e| Error::decode("error reply", e))?;
            return Err(Error::Rejected {
                code: body.error.code,
                message: body.error.message,
            });
        }
        serde_json::from_slice(&reply.payload).map_err(|e| Error::decode("verdict", e))
    }

    /// The verdict stored for `request_id` on `vigil.results.<requestId>`, if any.
    pub async fn result(&self, request_id: &str) -> Result<Option<Verdict>, Error> {
        check_request_id(request_id).map_err(|f| Error::InvalidRequest(f.detail))?;
        let name = &self.topology.results.name;
        let stream = self
            .js
            .get_stream_no_info(name)
            .await
            .map_err(|e| Error::topology(format!("open stream {name}"), e))?;
        let subject = self.topology.subjects.result(request_id);
        match stream.direct_get_last_for_subject(subject.clone()).await {
            Ok(message) => serde_json::from_slice(&message.payload)
                .map(Some)
                .map_err(|e| Error::decode(subject, e)),
            Err(e) if e.kind() == DirectGetErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::consume(subject, e)),
        }
    }

    /// Like [`result`](Self::result), but wait up to `timeout` for the verdict to arrive.
    /// Returns `Ok(None)` if none did.
    pub async fn wait_for_result(
        &self,
        request_id: &str,
        timeout: Duration,
    ) -> Result<Option<Verdict>, Error> {
        check_request_id(request_id).map_err(|f| Error::InvalidRequest(f.detail))?;
        let subject = self.topology.subjects.result(request_id);
        // Subscribe before looking, so a verdict stored in between is not missed.
        let mut live = self
            .nats
            .subscribe(subject.clone())
            .await
            .map_err(|e| Error::consume(subject.clone(), e))?;
        if let Some(verdict) = self.result(request_id).await? {
            return Ok(Some(verdict));
        }
        match tokio::time::timeout(timeout, live.next()).await {
            Ok(Some(message)) => serde_json::from_slice(&message.payload)
                .map(Some)
                .map_err(|e| Error::decode(subject, e)),
            Ok(None) | Err(_) => self.result(request_id).await,
        }
    }

    /// Connection state, stream message counts and per-consumer lag.
    pub async fn health(&self) -> Result<Health, Error> {
        let connection = match self.nats.connection_state() {
            async_nats::connection::State::Connected => ConnectionState::Connected,
            async_nats::connection::State::Disconnected => ConnectionState::Disconnected,
            async_nats::connection::State::Pending => ConnectionState::Pending,
        };
        let mut streams = Vec::new();
        for spec in self.topology.streams() {
            let mut stream = self
                .js
                .get_stream(&spec.name)
                .await
                .map_err(|e| Error::topology(format!("open stream {}", spec.name), e))?;
            let state = &stream
                .info()
                .await
                .map_err(|e| Error::topology(format!("inspect stream {}", spec.name), e))?
                .state;
            streams.push(StreamHealth {
                name: spec.name.clone(),
                messages: state.messages,
                bytes: state.bytes,
                first_sequence: state.first_sequence,
                last_sequence: state.last_sequence,
            });
        }
        let mut consumers = Vec::new();
        for role in [Role::Detection, Role::Pii, Role::Arbiter] {
            let Some((spec, config)) = self.topology.consumer_config(role) else {
                continue;
            };
            let durable = config.durable_name.unwrap_or_default();
            let stream = self
                .js
                .get_stream_no_info(&spec.name)
                .await
                .map_err(|e| Error::topology(format!("open stream {}", spec.name), e))?;
            let info = stream.consumer_info(&durable).await.map_err(|e| {
                Error::topology(format!("inspect consumer {}/{durable}", spec.name), e)
            })?;
            consumers.push(ConsumerHealth {
                stream: spec.name.clone(),
                name: durable,
                pending: info.num_pending,
                ack_pending: info.num_ack_pending as u64,
                redelivered: info.num_redelivered as u64,
                waiting: info.num_waiting as u64,
            });
        }
        Ok(Health {
            connection,
            streams,
            consumers,
        })
    }

    /// Create or update every stream and consumer (idempotent; what `vigil setup` runs).
    pub async fn setup(&self) -> Result<Vec<SetupStep>, Error> {
        setup(&self.js, &self.topology).await
    }

    /// Up to `limit` dead letters, oldest first (headers and sizes, no payloads).
    pub async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, Error> {
        dlq::list(&self.js, &self.topology, limit).await
    }

    /// Republish dead letter `sequence` to its original subject, then remove it from the DLQ.
    /// Returns the message's new sequence in its original stream.
    pub async fn replay_dead_letter(&self, sequence: u64) -> Result<u64, Error> {
        dlq::replay(&self.js, &self.topology, sequence).await
    }
}
