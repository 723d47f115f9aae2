//! NATS JetStream transport for the Vigil engine: the seed's pipeline (detection -> PII ->
//! arbiter) as pull-consumer workers, a request-reply fast path, and a typed client for hosts.
//!
//! Nothing lost: a message is acknowledged only after its stage's output is acknowledged by
//! the next stream, and a message that cannot be processed goes to the DLQ before it is
//! dropped. Nothing doubled: every stage output carries a `Nats-Msg-Id` derived from the request
//! id, and a verdict is stored at most once per request id.
//!
//! ```
//! use vigil_nats::{Config, Role};
//!
//! // The seed's names and limits are the defaults; everything is configurable.
//! let config = Config::from_toml_str("[topology.detection]\nmax_ack_pending = 50\n").unwrap();
//! let (stream, consumer) = config.topology.consumer_config(Role::Detection).unwrap();
//! assert_eq!(stream.name, "VIGIL_REQUESTS");
//! assert_eq!(consumer.durable_name.as_deref(), Some("detection-worker"));
//! // Unlike the seed, the detection consumer reads both request subjects.
//! assert_eq!(consumer.filter_subjects, ["vigil.requests.analyze", "vigil.requests.async"]);
//! assert_eq!(consumer.max_ack_pending, 50);
//! ```
//!
//! A host connects with [`Client`]; a worker process runs [`Worker::run`]; `vigil setup`
//! (or [`Client::setup`]) creates the streams and consumers. See [`topology`] for the subjects
//! and streams, [`retry`] for the retry and dead-letter policy, [`worker`] for the loop.
#![deny(missing_docs)]

mod client;
mod config;
mod connect;
pub mod dlq;
mod error;
pub mod retry;
pub mod topology;
mod wire;
pub mod worker;

pub use client::{Client, ConnectionState, ConsumerHealth, Health, StreamHealth, Submitted};
pub use config::{
    Config, ConnectionConfig, ConsumerSpec, Discard, Retention, Storage, StreamSpec, Subjects,
    TlsConfig, Topology, WorkerConfig,
};
pub use connect::connect;
pub use dlq::DeadLetter;
pub use error::{BoxError, Error};
pub use retry::{Disposition, Failure, FailureKind, Outcome, PublishRetry, RetryPolicy, decide};
pub use topology::{Role, SetupAction, SetupStep, setup, verify};
pub use wire::{
    ArbiterStage, ErrorBody, ErrorReply, MAX_REQUEST_ID_BYTES, PiiStage, Stage, check_request_id,
    message_id,
};
pub use worker::Worker;

#[cfg(test)]
mod tests {
    use super::*;

    fn send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn public_types_are_send_and_sync() {
        send_sync::<Client>();
        send_sync::<Worker>();
        send_sync::<Config>();
        send_sync::<Error>();
        send_sync::<Health>();
        send_sync::<Submitted>();
        send_sync::<DeadLetter>();
        send_sync::<Disposition>();
        send_sync::<PiiStage>();
        send_sync::<ArbiterStage>();
    }
}
