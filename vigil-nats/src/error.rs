//! The crate's one error type.

/// A boxed underlying error (async-nats has one generic error type per call; we keep them as
/// sources rather than re-exporting every kind).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong in this crate, one variant per stage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is invalid (names the field, the value and what is allowed).
    #[error("invalid NATS configuration: {0}")]
    Config(String),
    /// Connecting to the server failed (bad URL, unreachable, authentication, TLS files).
    #[error("cannot connect to NATS at {url}")]
    Connect {
        /// The server URL(s) tried.
        url: String,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// A JetStream management call (create, update or inspect a stream or consumer) failed.
    #[error("JetStream topology: {what}")]
    Topology {
        /// What was being done, e.g. `create stream VIGIL_REQUESTS`.
        what: String,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// A stream or consumer exists with settings other than the configured ones.
    #[error(
        "{what} does not match the configuration: {field} is {found}, expected {expected} \
         (run `vigil setup` to update it)"
    )]
    Mismatch {
        /// The stream or consumer, e.g. `consumer VIGIL_REQUESTS/detection-worker`.
        what: String,
        /// The setting that differs.
        field: &'static str,
        /// The configured value.
        expected: String,
        /// The value on the server.
        found: String,
    },
    /// A stream or consumer the worker needs does not exist.
    #[error("{what} does not exist (run `vigil setup` to create the topology)")]
    Missing {
        /// The stream or consumer.
        what: String,
    },
    /// Pulling messages from a consumer or subscribing failed.
    #[error("consume from {what}")]
    Consume {
        /// The consumer or subject.
        what: String,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// A publish was refused or not acknowledged by its stream.
    #[error("publish to {subject}")]
    Publish {
        /// The subject published to.
        subject: String,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// A message could not be decoded (not UTF-8, not JSON, or the wrong shape).
    #[error("decode {what}")]
    Decode {
        /// What was being decoded.
        what: String,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// A synchronous request got no answer in time.
    #[error("no answer on {subject} within {timeout_ms} ms")]
    Timeout {
        /// The request subject.
        subject: String,
        /// The timeout that expired.
        timeout_ms: u64,
    },
    /// Nobody listens on the request subject (no `sync` worker running).
    #[error("no responders on {subject} (is a `vigil worker sync` running?)")]
    NoResponders {
        /// The request subject.
        subject: String,
    },
    /// The responder refused the request (bad input); `code` is a stable machine-readable
    /// reason such as `malformed_json` or `invalid_request_id`.
    #[error("request rejected: {code}: {message}")]
    Rejected {
        /// Stable reason code.
        code: String,
        /// Human-readable detail (never contains the prompt text).
        message: String,
    },
    /// The caller's request is invalid before anything is sent (e.g. a request id that is not a
    /// valid subject token).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

impl Error {
    pub(crate) fn topology(what: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Error::Topology {
            what: what.into(),
            source: source.into(),
        }
    }

    pub(crate) fn publish(subject: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Error::Publish {
            subject: subject.into(),
            source: source.into(),
        }
    }

    pub(crate) fn consume(what: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Error::Consume {
            what: what.into(),
            source: source.into(),
        }
    }

    pub(crate) fn decode(what: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Error::Decode {
            what: what.into(),
            source: source.into(),
        }
    }
}
