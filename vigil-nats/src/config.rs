//! Configuration: connection, topology (the seed's names and limits as defaults) and worker
//! behaviour. Plain data with serde defaults; unknown fields are errors; [`Config::validate`]
//! is the one validation point.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Everything the transport needs. An empty TOML document equals [`Config::default`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// How to reach the server.
    pub connection: ConnectionConfig,
    /// Subjects, streams and consumers.
    pub topology: Topology,
    /// Retry, pull and responder settings.
    pub worker: WorkerConfig,
}

/// Connection settings. Environment variables (see [`ConnectionConfig::apply_env`]) override the
/// file; the CLI's `--nats URL` overrides both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConnectionConfig {
    /// Server URL(s), comma-separated (`NATS_URL`).
    pub url: String,
    /// Client name shown in the server's connection list.
    pub name: String,
    /// Reconnect attempts before giving up (>= 1); -1 = forever (`NATS_MAX_RECONNECTS`).
    pub max_reconnects: i64,
    /// Wait between reconnect attempts in milliseconds (`NATS_RECONNECT_WAIT`).
    pub reconnect_wait_ms: u64,
    /// Timeout of the initial connection in milliseconds.
    pub connect_timeout_ms: u64,
    /// User name (`NATS_USER`), used with `password`.
    pub user: Option<String>,
    /// Password (`NATS_PASSWORD`).
    pub password: Option<String>,
    /// Token (`NATS_TOKEN`).
    pub token: Option<String>,
    /// NKey seed (`NATS_NKEY_SEED`).
    pub nkey_seed: Option<String>,
    /// Credentials file with JWT and NKey seed (`NATS_CREDS`).
    pub credentials_file: Option<PathBuf>,
    /// TLS settings.
    pub tls: TlsConfig,
}

impl Default for ConnectionConfig {
    fn default() -> Self {
        ConnectionConfig {
            url: "nats://localhost:4222".into(),
            name: "vigil".into(),
            max_reconnects: -1,
            reconnect_wait_ms: 1000,
            connect_timeout_ms: 5000,
            user: None,
            password: None,
            token: None,
            nkey_seed: None,
            credentials_file: None,
            tls: TlsConfig::default(),
        }
    }
}

/// TLS settings; any file given enables TLS.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsConfig {
    /// Refuse to connect without TLS (`NATS_TLS_REQUIRED=true`).
    pub required: bool,
    /// Extra root CA file (PEM) (`NATS_TLS_CA`).
    pub ca_file: Option<PathBuf>,
    /// Client certificate (PEM) for mutual TLS (`NATS_TLS_CERT`).
    pub cert_file: Option<PathBuf>,
    /// Client key (PEM) (`NATS_TLS_KEY`).
    pub key_file: Option<PathBuf>,
}

impl ConnectionConfig {
    /// Override fields from the process environment: `NATS_URL`, `NATS_MAX_RECONNECTS`,
    /// `NATS_RECONNECT_WAIT` (ms), `NATS_CLIENT_NAME`, `NATS_USER`, `NATS_PASSWORD`,
    /// `NATS_TOKEN`, `NATS_NKEY_SEED`, `NATS_CREDS`, `NATS_TLS_CA`, `NATS_TLS_CERT`,
    /// `NATS_TLS_KEY`, `NATS_TLS_REQUIRED`. Unset or empty variables change nothing.
    pub fn apply_env(&mut self) -> Result<(), Error> {
        self.apply_vars(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    fn apply_vars(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), Error> {
        let number = |name: &str, value: String| {
            value
                .trim()
                .parse::<i64>()
                .map_err(|_| Error::Config(format!("{name}={value:?} is not an integer")))
        };
        if let Some(v) = var("NATS_URL") {
            self.url = v;
        }
        if let Some(v) = var("NATS_MAX_RECONNECTS") {
            self.max_reconnects = number("NATS_MAX_RECONNECTS", v)?;
        }
        if let Some(v) = var("NATS_RECONNECT_WAIT") {
            let ms = number("NATS_RECONNECT_WAIT", v.clone())?;
            self.reconnect_wait_ms = u64::try_from(ms)
                .map_err(|_| Error::Config(format!("NATS_RECONNECT_WAIT={v:?} is negative")))?;
        }
        if let Some(v) = var("NATS_CLIENT_NAME") {
            self.name = v;
        }
        for (name, slot) in [
            ("NATS_USER", &mut self.user),
            ("NATS_PASSWORD", &mut self.password),
            ("NATS_TOKEN", &mut self.token),
            ("NATS_NKEY_SEED", &mut self.nkey_seed),
        ] {
            if let Some(v) = var(name) {
                *slot = Some(v);
            }
        }
        for (name, slot) in [
            ("NATS_CREDS", &mut self.credentials_file),
            ("NATS_TLS_CA", &mut self.tls.ca_file),
            ("NATS_TLS_CERT", &mut self.tls.cert_file),
            ("NATS_TLS_KEY", &mut self.tls.key_file),
        ] {
            if let Some(v) = var(name) {
                *slot = Some(PathBuf::from(v));
            }
        }
        if let Some(v) = var("NATS_TLS_REQUIRED") {
            self.tls.required = match v.trim() {
                "1" | "true" | "yes" => true,
                "0" | "false" | "no" => false,
                _ => {
                    return Err(Error::Config(format!(
                        "NATS_TLS_REQUIRED={v:?}: expected true or false"
                    )));
                }
            };
        }
        Ok(())
    }

    /// The server URLs, split on commas.
    pub fn urls(&self) -> Vec<String> {
        self.url
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// Subjects of the pipeline. Names are the seed's wire contract; change them only if every
/// TypeScript service changes too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Subjects {
    /// Requests analyzed by the pipeline (seed: the synchronous API's stream subject).
    pub analyze: String,
    /// Asynchronous requests (seed: `/v1/analyze/async`).
    #[serde(rename = "async")]
    pub async_requests: String,
    /// Detection -> PII hand-off.
    pub stage_pii: String,
    /// PII -> arbiter hand-off.
    pub stage_arbiter: String,
    /// Prefix of the result subjects: a verdict lands on `<results_prefix>.<requestId>`.
    pub results_prefix: String,
    /// Dead letters.
    pub dlq: String,
    /// Request-reply subject of the synchronous fast path.
    pub sync: String,
    /// Queue group of the synchronous responders.
    pub sync_queue_group: String,
}

impl Default for Subjects {
    fn default() -> Self {
        Subjects {
            analyze: "vigil.requests.analyze".into(),
            async_requests: "vigil.requests.async".into(),
            stage_pii: "vigil.stage.pii".into(),
            stage_arbiter: "vigil.stage.arbiter".into(),
            results_prefix: "vigil.results".into(),
            dlq: "vigil.dlq".into(),
            sync: "vigil.analyze.sync".into(),
            sync_queue_group: "vigil-sync".into(),
        }
    }
}

impl Subjects {
    /// The result subject of one request.
    pub fn result(&self, request_id: &str) -> String {
        format!("{}.{request_id}", self.results_prefix)
    }
}

/// Stream retention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Retention {
    /// Keep messages until a limit is hit.
    Limits,
    /// Delete a message once its consumer acknowledges it.
    Workqueue,
}

/// What a full stream does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Discard {
    /// Drop the oldest messages.
    Old,
    /// Refuse new messages (the publisher sees an error and can retry).
    New,
}

/// Stream storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Storage {
    /// On disk.
    File,
    /// In memory.
    Memory,
}

/// One stream's settings (its subjects follow from [`Subjects`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StreamSpec {
    /// Stream name.
    pub name: String,
    /// Retention policy.
    pub retention: Retention,
    /// Storage type.
    pub storage: Storage,
    /// Discard policy when a limit is hit.
    pub discard: Discard,
    /// Maximum messages (-1 = unlimited).
    pub max_msgs: i64,
    /// Maximum bytes (-1 = unlimited).
    pub max_bytes: i64,
    /// Maximum messages per subject (-1 = unlimited).
    pub max_msgs_per_subject: i64,
    /// Maximum age in milliseconds (0 = unlimited).
    pub max_age_ms: u64,
    /// Largest message accepted, in bytes (-1 = the server's limit).
    pub max_msg_size: i32,
    /// Window for `Nats-Msg-Id` de-duplication in milliseconds.
    pub duplicate_window_ms: u64,
    /// Replicas: 1 for development, 3 for production clusters.
    pub replicas: usize,
}

impl Default for StreamSpec {
    fn default() -> Self {
        StreamSpec::requests()
    }
}

const DAY_MS: u64 = 86_400_000;

impl StreamSpec {
    /// `VIGIL_REQUESTS` exactly as the seed defines it.
    pub fn requests() -> Self {
        StreamSpec {
            name: "VIGIL_REQUESTS".into(),
            retention: Retention::Limits,
            storage: Storage::File,
            discard: Discard::Old,
            max_msgs: 1_000_000,
            max_bytes: 500 * 1024 * 1024,
            max_msgs_per_subject: -1,
            max_age_ms: DAY_MS,
            max_msg_size: 1024 * 1024,
            duplicate_window_ms: 120_000,
            replicas: 1,
        }
    }

    /// `VIGIL_STAGES`: the stage hand-offs. Work-queue retention (a message is gone once its
    /// stage acknowledged it) and discard-new, so a full stream refuses (and the upstream worker
    /// retries) instead of silently dropping work in flight. Messages carry the original text
    /// plus the detection, hence the larger size limit.
    pub fn stages() -> Self {
        StreamSpec {
            name: "VIGIL_STAGES".into(),
            retention: Retention::Workqueue,
            discard: Discard::New,
            max_bytes: 1024 * 1024 * 1024,
            max_msg_size: 8 * 1024 * 1024,
            ..StreamSpec::requests()
        }
    }

    /// `VIGIL_RESULTS`: one verdict per request id (`max_msgs_per_subject = 1`).
    pub fn results() -> Self {
        StreamSpec {
            name: "VIGIL_RESULTS".into(),
            max_msgs_per_subject: 1,
            max_bytes: 1024 * 1024 * 1024,
            max_msg_size: 8 * 1024 * 1024,
            ..StreamSpec::requests()
        }
    }

    /// `VIGIL_DLQ`: dead letters, kept a week; discard-new so that a full DLQ makes workers
    /// retry rather than lose the oldest dead letters.
    pub fn dlq() -> Self {
        StreamSpec {
            name: "VIGIL_DLQ".into(),
            discard: Discard::New,
            max_msgs: 100_000,
            max_bytes: 1024 * 1024 * 1024,
            max_age_ms: 7 * DAY_MS,
            max_msg_size: 8 * 1024 * 1024,
            ..StreamSpec::requests()
        }
    }
}

/// One durable pull consumer's settings (its filter follows from [`Subjects`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsumerSpec {
    /// Durable name.
    pub durable: String,
    /// How long the server waits for an ack before redelivering, in milliseconds.
    pub ack_wait_ms: u64,
    /// Deliveries before the server gives up on a message (-1 = unlimited).
    pub max_deliver: i64,
    /// Unacknowledged messages outstanding at once; also the worker's parallelism.
    pub max_ack_pending: i64,
}

impl Default for ConsumerSpec {
    fn default() -> Self {
        ConsumerSpec::detection()
    }
}

impl ConsumerSpec {
    /// `detection-worker` with the seed's settings (explicit ack, deliver all).
    pub fn detection() -> Self {
        ConsumerSpec {
            durable: "detection-worker".into(),
            ack_wait_ms: 30_000,
            max_deliver: 3,
            max_ack_pending: 100,
        }
    }

    /// `pii-proc` (the name in the seed's diagram).
    pub fn pii() -> Self {
        ConsumerSpec {
            durable: "pii-proc".into(),
            ..ConsumerSpec::detection()
        }
    }

    /// `arbiter` (the name in the seed's diagram).
    pub fn arbiter() -> Self {
        ConsumerSpec {
            durable: "arbiter".into(),
            ..ConsumerSpec::detection()
        }
    }

    /// `ack_wait_ms` as a duration.
    pub fn ack_wait(&self) -> Duration {
        Duration::from_millis(self.ack_wait_ms)
    }
}

/// Subjects, streams and consumers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Topology {
    /// Subject names.
    pub subjects: Subjects,
    /// Request stream (`VIGIL_REQUESTS`).
    pub requests: StreamSpec,
    /// Stage hand-off stream (`VIGIL_STAGES`).
    pub stages: StreamSpec,
    /// Result stream (`VIGIL_RESULTS`).
    pub results: StreamSpec,
    /// Dead-letter stream (`VIGIL_DLQ`).
    pub dlq: StreamSpec,
    /// Detection stage consumer on the request stream.
    pub detection: ConsumerSpec,
    /// PII stage consumer on the stage stream.
    pub pii: ConsumerSpec,
    /// Arbiter stage consumer on the stage stream.
    pub arbiter: ConsumerSpec,
}

impl Default for Topology {
    fn default() -> Self {
        Topology {
            subjects: Subjects::default(),
            requests: StreamSpec::requests(),
            stages: StreamSpec::stages(),
            results: StreamSpec::results(),
            dlq: StreamSpec::dlq(),
            detection: ConsumerSpec::detection(),
            pii: ConsumerSpec::pii(),
            arbiter: ConsumerSpec::arbiter(),
        }
    }
}

impl Topology {
    /// Set the replica count of every stream (consumers inherit it).
    pub fn with_replicas(mut self, replicas: usize) -> Self {
        for s in [
            &mut self.requests,
            &mut self.stages,
            &mut self.results,
            &mut self.dlq,
        ] {
            s.replicas = replicas;
        }
        self
    }
}

/// Worker behaviour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkerConfig {
    /// Name written into dead letters' `Vigil-Worker` header; default `<client name>-<pid>`.
    pub name: Option<String>,
    /// First nak delay after a transient failure, in milliseconds.
    pub backoff_initial_ms: u64,
    /// Largest nak delay, in milliseconds.
    pub backoff_max_ms: u64,
    /// How long one pull request waits for messages, in milliseconds (bounds shutdown latency).
    pub pull_expires_ms: u64,
    /// How long a publish waits for its stream's ack, in milliseconds.
    pub publish_ack_timeout_ms: u64,
    /// How long a worker keeps retrying a failed downstream publish (timeout, no stream leader,
    /// stream full) within one delivery, holding the message with progress acks, before the
    /// failure counts against `max_deliver`; in milliseconds, 0 for a single attempt. The last
    /// attempt starts within this and may take up to `publish_ack_timeout_ms`.
    pub publish_retry_ms: u64,
    /// Synchronous requests handled at once by one `sync` responder.
    pub sync_max_in_flight: usize,
    /// Texts of at most this many bytes are analyzed on the message's own task; larger ones on
    /// tokio's blocking pool, so a long analysis never stalls the other messages. The default
    /// keeps inline what the engine analyzes in about 150 µs or less: under load, a thread
    /// hand-off costs more than that (README, "Performance").
    pub inline_max_bytes: usize,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            name: None,
            backoff_initial_ms: 2_000,
            backoff_max_ms: 30_000,
            pull_expires_ms: 2_000,
            publish_ack_timeout_ms: 5_000,
            publish_retry_ms: 10_000,
            sync_max_in_flight: 256,
            inline_max_bytes: 4096,
        }
    }
}

impl Config {
    /// Parse TOML; unknown fields are errors. The result is validated.
    pub fn from_toml_str(text: &str) -> Result<Config, Error> {
        let config: Config = toml::from_str(text).map_err(|e| Error::Config(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// Check every field; the error names the field, its value and what is allowed.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |field: &str, value: &dyn std::fmt::Debug, allowed: &str| {
            Err(Error::Config(format!("{field} = {value:?}: {allowed}")))
        };
        let c = &self.connection;
        if c.urls().is_empty() {
            return bad("connection.url", &c.url, "give at least one server URL");
        }
        if c.max_reconnects == 0 || c.max_reconnects < -1 {
            // async-nats reads 0 as "no limit"; refuse it rather than surprise.
            return bad(
                "connection.max_reconnects",
                &c.max_reconnects,
                "-1 (forever) or a count >= 1",
            );
        }
        if c.name.trim().is_empty() {
            return bad("connection.name", &c.name, "must not be empty");
        }
        if c.user.is_some() != c.password.is_some() {
            return bad(
                "connection.user/password",
                &"(one of them)",
                "give both or neither",
            );
        }
        let methods = [
            c.user.is_some(),
            c.token.is_some(),
            c.nkey_seed.is_some(),
            c.credentials_file.is_some(),
        ];
        if methods.iter().filter(|m| **m).count() > 1 {
            return bad(
                "connection",
                &"several auth methods",
                "use one of user/password, token, nkey_seed, credentials_file",
            );
        }
        if c.tls.cert_file.is_some() != c.tls.key_file.is_some() {
            return bad(
                "connection.tls.cert_file/key_file",
                &"(one of them)",
                "give both or neither",
            );
        }

        let t = &self.topology;
        let s = &t.subjects;
        for (field, subject) in [
            ("topology.subjects.analyze", &s.analyze),
            ("topology.subjects.async", &s.async_requests),
            ("topology.subjects.stage_pii", &s.stage_pii),
            ("topology.subjects.stage_arbiter", &s.stage_arbiter),
            ("topology.subjects.results_prefix", &s.results_prefix),
            ("topology.subjects.dlq", &s.dlq),
            ("topology.subjects.sync", &s.sync),
        ] {
            if !is_literal_subject(subject) {
                return bad(
                    field,
                    subject,
                    "a literal subject: dot-separated non-empty tokens without spaces or wildcards",
                );
            }
        }
        if !is_token(&s.sync_queue_group) {
            return bad(
                "topology.subjects.sync_queue_group",
                &s.sync_queue_group,
                "one token without spaces, dots or wildcards",
            );
        }
        let mut names = Vec::new();
        for (field, spec) in [
            ("topology.requests", &t.requests),
            ("topology.stages", &t.stages),
            ("topology.results", &t.results),
            ("topology.dlq", &t.dlq),
        ] {
            if !is_token(&spec.name) {
                return bad(
                    &format!("{field}.name"),
                    &spec.name,
                    "a stream name without spaces, dots or wildcards",
                );
            }
            if names.contains(&&spec.name) {
                return bad(
                    &format!("{field}.name"),
                    &spec.name,
                    "every stream needs its own name",
                );
            }
            names.push(&spec.name);
            if !(1..=5).contains(&spec.replicas) {
                return bad(&format!("{field}.replicas"), &spec.replicas, "1 to 5");
            }
            for (sub, v) in [
                ("max_msgs", spec.max_msgs),
                ("max_bytes", spec.max_bytes),
                ("max_msgs_per_subject", spec.max_msgs_per_subject),
            ] {
                if v == 0 || v < -1 {
                    return bad(&format!("{field}.{sub}"), &v, "-1 (unlimited) or > 0");
                }
            }
            if spec.max_msg_size == 0 || spec.max_msg_size < -1 {
                return bad(
                    &format!("{field}.max_msg_size"),
                    &spec.max_msg_size,
                    "-1 (server limit) or > 0",
                );
            }
            if spec.duplicate_window_ms == 0 {
                return bad(
                    &format!("{field}.duplicate_window_ms"),
                    &0,
                    "> 0: de-duplication is what keeps redeliveries from doubling work",
                );
            }
            if spec.max_age_ms != 0 && spec.duplicate_window_ms > spec.max_age_ms {
                return bad(
                    &format!("{field}.duplicate_window_ms"),
                    &spec.duplicate_window_ms,
                    "at most max_age_ms",
                );
            }
        }
        if t.results.max_msgs_per_subject != 1 {
            return bad(
                "topology.results.max_msgs_per_subject",
                &t.results.max_msgs_per_subject,
                "1: one verdict per request id",
            );
        }
        let mut durables = Vec::new();
        for (field, spec) in [
            ("topology.detection", &t.detection),
            ("topology.pii", &t.pii),
            ("topology.arbiter", &t.arbiter),
        ] {
            if !is_token(&spec.durable) {
                return bad(
                    &format!("{field}.durable"),
                    &spec.durable,
                    "a name without spaces, dots or wildcards",
                );
            }
            if durables.contains(&&spec.durable) {
                return bad(
                    &format!("{field}.durable"),
                    &spec.durable,
                    "every consumer needs its own name",
                );
            }
            durables.push(&spec.durable);
            if spec.ack_wait_ms < 100 {
                return bad(&format!("{field}.ack_wait_ms"), &spec.ack_wait_ms, ">= 100");
            }
            if spec.max_deliver == 0 || spec.max_deliver < -1 {
                return bad(
                    &format!("{field}.max_deliver"),
                    &spec.max_deliver,
                    "-1 (unlimited) or >= 1",
                );
            }
            if !(1..=10_000).contains(&spec.max_ack_pending) {
                return bad(
                    &format!("{field}.max_ack_pending"),
                    &spec.max_ack_pending,
                    "1 to 10000",
                );
            }
        }

        let w = &self.worker;
        if w.backoff_initial_ms == 0 || w.backoff_initial_ms > w.backoff_max_ms {
            return bad(
                "worker.backoff_initial_ms",
                &w.backoff_initial_ms,
                "> 0 and at most worker.backoff_max_ms",
            );
        }
        let shortest_ack_wait = [&t.detection, &t.pii, &t.arbiter]
            .iter()
            .map(|c| c.ack_wait_ms)
            .min()
            .unwrap_or(0);
        if w.backoff_max_ms > shortest_ack_wait {
            // A dead-letter retry waits up to backoff_max after a progress ack; longer than
            // ack_wait would let the server hand the message to another worker meanwhile.
            return bad(
                "worker.backoff_max_ms",
                &w.backoff_max_ms,
                &format!("at most the shortest consumer ack_wait_ms ({shortest_ack_wait})"),
            );
        }
        if !(100..=60_000).contains(&w.pull_expires_ms) {
            return bad("worker.pull_expires_ms", &w.pull_expires_ms, "100 to 60000");
        }
        if w.publish_ack_timeout_ms == 0 {
            return bad("worker.publish_ack_timeout_ms", &0, "> 0");
        }
        if w.publish_retry_ms > 600_000 {
            return bad(
                "worker.publish_retry_ms",
                &w.publish_retry_ms,
                "0 to 600000",
            );
        }
        if w.sync_max_in_flight == 0 {
            return bad("worker.sync_max_in_flight", &0, ">= 1");
        }
        if let Some(name) = &w.name
            && (name.is_empty() || name.contains(['\r', '\n']))
        {
            return bad("worker.name", name, "non-empty, one line");
        }
        Ok(())
    }
}

/// One subject token: non-empty, no whitespace, dots or wildcards.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty()
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c == '.' || c == '*' || c == '>' || c.is_control())
}

fn is_literal_subject(s: &str) -> bool {
    s.split('.').all(is_token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_toml_is_default() {
        assert_eq!(Config::from_toml_str("").unwrap(), Config::default());
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let err = Config::from_toml_str("[topology.requests]\nmax_msg = 5\n").unwrap_err();
        assert!(err.to_string().contains("max_msg"), "{err}");
        assert!(Config::from_toml_str("nats_url = \"x\"\n").is_err());
    }

    #[test]
    fn seed_values_are_the_defaults() {
        let t = Topology::default();
        assert_eq!(t.requests.name, "VIGIL_REQUESTS");
        assert_eq!(t.requests.max_msgs, 1_000_000);
        assert_eq!(t.requests.max_bytes, 524_288_000);
        assert_eq!(t.requests.max_age_ms, 86_400_000);
        assert_eq!(t.requests.max_msg_size, 1_048_576);
        assert_eq!(t.requests.duplicate_window_ms, 120_000);
        assert_eq!(t.requests.discard, Discard::Old);
        assert_eq!(t.requests.replicas, 1);
        assert_eq!(t.detection.durable, "detection-worker");
        assert_eq!(t.detection.ack_wait_ms, 30_000);
        assert_eq!(t.detection.max_deliver, 3);
        assert_eq!(t.detection.max_ack_pending, 100);
        assert_eq!(t.subjects.analyze, "vigil.requests.analyze");
        assert_eq!(t.subjects.async_requests, "vigil.requests.async");
        assert_eq!(t.subjects.sync, "vigil.analyze.sync");
        assert_eq!(t.subjects.result("abc"), "vigil.results.abc");
        Config::default().validate().unwrap();
    }

    #[test]
    fn validation_names_the_field() {
        let mut c = Config::default();
        c.topology.subjects.dlq = "vigil.*".into();
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("topology.subjects.dlq"), "{e}");

        let mut c = Config::default();
        c.topology.results.max_msgs_per_subject = 5;
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("max_msgs_per_subject")
        );

        let mut c = Config::default();
        c.connection.token = Some("t".into());
        c.connection.nkey_seed = Some("s".into());
        assert!(c.validate().is_err());

        let mut c = Config::default();
        c.topology.pii.durable = "detection-worker".into();
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("topology.pii.durable")
        );
    }

    #[test]
    fn environment_overrides() {
        let mut c = ConnectionConfig::default();
        let vars = [
            ("NATS_URL", "nats://a:1,nats://b:2"),
            ("NATS_MAX_RECONNECTS", "-1"),
            ("NATS_RECONNECT_WAIT", "250"),
            ("NATS_TOKEN", "s3cret"),
        ];
        c.apply_vars(|n| {
            vars.iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.to_string())
        })
        .unwrap();
        assert_eq!(c.urls(), ["nats://a:1", "nats://b:2"]);
        assert_eq!(c.max_reconnects, -1);
        assert_eq!(c.reconnect_wait_ms, 250);
        assert_eq!(c.token.as_deref(), Some("s3cret"));

        let bad = c.apply_vars(|n| (n == "NATS_RECONNECT_WAIT").then(|| "soon".to_string()));
        assert!(bad.unwrap_err().to_string().contains("NATS_RECONNECT_WAIT"));
    }
}
