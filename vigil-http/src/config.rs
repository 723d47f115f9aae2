//! The server's own settings: plain data with serde defaults, unknown keys rejected, checked once
//! by [`HttpConfig::validate`] (which [`crate::Api`]'s constructors call).
//!
//! The engine's settings (rules, limits, PII) live in `vigil_core::Config`; this file only says
//! how the HTTP layer behaves. An empty TOML document gives [`HttpConfig::default`].

use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// Everything the HTTP layer can be told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Largest request body accepted by `/v1/analyze` and `/v1/analyze/async` (bytes; 413 above).
    pub max_body_bytes: usize,
    /// Largest request body accepted by `/v1/analyze/batch` (bytes; 413 above).
    pub max_batch_body_bytes: usize,
    /// Most items in one batch (413 above).
    pub max_batch_items: usize,
    /// How long one analysis (or one batch) may take before the answer is 504.
    pub request_timeout_ms: u64,
    /// How long a client may take to send its request body before the answer is 408.
    pub body_read_timeout_ms: u64,
    /// Requests whose texts add up to at most this many bytes are analyzed on the request's
    /// own task; larger ones on tokio's blocking pool, so a long analysis never stalls other
    /// connections. The default, 4096, keeps inline what the built-in engine analyzes in about
    /// 150 µs or less: under load a hand-off costs far more than its ~17 µs when idle (README,
    /// "HTTP API", for the figures).
    pub inline_max_bytes: usize,
    /// Analyses running at once on the blocking pool; 0 means one per CPU. Further requests
    /// wait for a slot (within `request_timeout_ms`).
    pub max_concurrent_analyses: usize,
    /// How long [`crate::Api::shutdown`] waits for queued work and callbacks before giving up.
    pub shutdown_grace_ms: u64,
    /// API keys.
    pub auth: AuthConfig,
    /// Cross-origin requests.
    pub cors: CorsConfig,
    /// The embedded backend's in-memory async queue.
    pub queue: QueueConfig,
    /// Verdict callbacks (`callbackUrl`).
    pub callbacks: CallbackConfig,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            max_body_bytes: 2 * 1024 * 1024,
            max_batch_body_bytes: 16 * 1024 * 1024,
            max_batch_items: 100,
            request_timeout_ms: 5_000,
            body_read_timeout_ms: 10_000,
            inline_max_bytes: 4096,
            max_concurrent_analyses: 0,
            shutdown_grace_ms: 10_000,
            auth: AuthConfig::default(),
            cors: CorsConfig::default(),
            queue: QueueConfig::default(),
            callbacks: CallbackConfig::default(),
        }
    }
}

/// API-key authentication. With no keys, every route is open.
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Accepted keys, sent as `X-API-Key: KEY` or `Authorization: Bearer KEY` (at least 16
    /// characters each). `/health`, `/ready` and `/openapi.json` stay open.
    pub api_keys: Vec<String>,
}

impl fmt::Debug for AuthConfig {
    // Keys are secrets: a config dump in a log must not reveal them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthConfig")
            .field(
                "api_keys",
                &format_args!("[{} redacted]", self.api_keys.len()),
            )
            .finish()
    }
}

/// Cross-origin resource sharing. With no origins, no CORS headers are sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CorsConfig {
    /// Origins allowed to call the API from a browser (`https://app.example.com`), or `["*"]`.
    pub allowed_origins: Vec<String>,
    /// How long browsers may cache a preflight answer.
    pub max_age_secs: u64,
}

impl Default for CorsConfig {
    fn default() -> Self {
        CorsConfig {
            allowed_origins: Vec::new(),
            max_age_secs: 600,
        }
    }
}

/// The embedded backend's async queue. It lives in memory: queued requests and results are lost
/// when the process stops (use the NATS backend for durability).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueConfig {
    /// Requests waiting for the worker; `/v1/analyze/async` answers 503 when full.
    pub capacity: usize,
    /// Finished results kept for `GET /v1/analyze/{requestId}`; the oldest go first. On the
    /// NATS backend: how many accepted ids are remembered to answer 202 "pending".
    pub max_retained_results: usize,
    /// Finished results (NATS: accepted ids) older than this are forgotten.
    pub result_ttl_secs: u64,
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            capacity: 1_024,
            max_retained_results: 10_000,
            result_ttl_secs: 3_600,
        }
    }
}

/// Verdict callbacks and their SSRF guard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CallbackConfig {
    /// Hosts that may receive callbacks: exact names (`hooks.example.com`) or `*.example.com`
    /// for subdomains. Empty means any host whose addresses pass the network check.
    pub allowed_hosts: Vec<String>,
    /// Networks (CIDR, `10.0.0.0/8`, `::1/128`) that callbacks may reach although they are
    /// private, loopback, link-local or otherwise non-public. Empty refuses all of those.
    pub allowed_private_networks: Vec<String>,
    /// Deliveries tried per callback, the first included.
    pub max_attempts: u32,
    /// Wait before the second attempt; doubled each time up to `max_backoff_ms`.
    pub initial_backoff_ms: u64,
    /// Longest wait between attempts.
    pub max_backoff_ms: u64,
    /// Time allowed to connect.
    pub connect_timeout_ms: u64,
    /// Time allowed for a whole attempt (connect, send, response headers).
    pub timeout_ms: u64,
    /// Callbacks delivered (or, on NATS, waiting for their result) at once. The embedded
    /// worker waits when all are busy; the NATS backend answers 503.
    pub max_in_flight: usize,
    /// NATS backend: how long to wait for a request's verdict before giving up its callback.
    pub result_wait_ms: u64,
}

impl Default for CallbackConfig {
    fn default() -> Self {
        CallbackConfig {
            allowed_hosts: Vec::new(),
            allowed_private_networks: Vec::new(),
            max_attempts: 4,
            initial_backoff_ms: 500,
            max_backoff_ms: 10_000,
            connect_timeout_ms: 2_000,
            timeout_ms: 5_000,
            max_in_flight: 64,
            result_wait_ms: 60_000,
        }
    }
}

/// A setting that is out of range: which field, what value, what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The document is not valid TOML or does not fit the schema (unknown key, wrong type).
    #[error("invalid HTTP config: {0}")]
    Parse(String),
    /// A value is out of range.
    #[error("invalid HTTP config: {field} = {value}: {allowed}")]
    Invalid {
        /// Dotted path of the field.
        field: &'static str,
        /// The offending value (never a secret).
        value: String,
        /// What would be accepted.
        allowed: &'static str,
    },
}

impl HttpConfig {
    /// Parse a TOML document and validate it (an empty one gives the defaults).
    pub fn from_toml_str(text: &str) -> Result<HttpConfig, ConfigError> {
        // The message and line only: toml's Display quotes the offending line, which may hold
        // an API key.
        let config: HttpConfig = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            ConfigError::Parse(match line {
                Some(line) => format!("line {line}: {}", e.message()),
                None => e.message().to_string(),
            })
        })?;
        config.validate()?;
        Ok(config)
    }

    /// How many analyses may run at once (`max_concurrent_analyses`, 0 = one per CPU).
    pub fn analysis_concurrency(&self) -> usize {
        match self.max_concurrent_analyses {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        }
    }

    /// Check every value once; the constructors of [`crate::Api`] call this.
    pub fn validate(&self) -> Result<(), ConfigError> {
        fn positive(field: &'static str, value: u64) -> Result<(), ConfigError> {
            if value == 0 {
                return Err(ConfigError::Invalid {
                    field,
                    value: "0".into(),
                    allowed: "a positive number",
                });
            }
            Ok(())
        }
        positive("max_body_bytes", self.max_body_bytes as u64)?;
        positive("max_batch_body_bytes", self.max_batch_body_bytes as u64)?;
        positive("max_batch_items", self.max_batch_items as u64)?;
        positive("request_timeout_ms", self.request_timeout_ms)?;
        positive("body_read_timeout_ms", self.body_read_timeout_ms)?;
        positive("queue.capacity", self.queue.capacity as u64)?;
        positive(
            "queue.max_retained_results",
            self.queue.max_retained_results as u64,
        )?;
        positive("queue.result_ttl_secs", self.queue.result_ttl_secs)?;
        let cb = &self.callbacks;
        positive("callbacks.max_attempts", u64::from(cb.max_attempts))?;
        positive("callbacks.connect_timeout_ms", cb.connect_timeout_ms)?;
        positive("callbacks.timeout_ms", cb.timeout_ms)?;
        positive("callbacks.max_in_flight", cb.max_in_flight as u64)?;
        positive("callbacks.result_wait_ms", cb.result_wait_ms)?;
        if cb.max_backoff_ms < cb.initial_backoff_ms {
            return Err(ConfigError::Invalid {
                field: "callbacks.max_backoff_ms",
                value: cb.max_backoff_ms.to_string(),
                allowed: "at least callbacks.initial_backoff_ms",
            });
        }
        for key in &self.auth.api_keys {
            if key.chars().count() < 16 || key.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                return Err(ConfigError::Invalid {
                    field: "auth.api_keys",
                    value: "(redacted)".into(),
                    allowed: "keys of at least 16 characters without spaces",
                });
            }
        }
        for origin in &self.cors.allowed_origins {
            let ok = origin == "*"
                || ((origin.starts_with("http://") || origin.starts_with("https://"))
                    && axum::http::HeaderValue::from_str(origin).is_ok());
            if !ok {
                return Err(ConfigError::Invalid {
                    field: "cors.allowed_origins",
                    value: origin.clone(),
                    allowed: "\"*\" or origins such as https://app.example.com",
                });
            }
        }
        if self.cors.allowed_origins.len() > 1 && self.cors.allowed_origins.iter().any(|o| o == "*")
        {
            return Err(ConfigError::Invalid {
                field: "cors.allowed_origins",
                value: "*".into(),
                allowed: "\"*\" alone, not mixed with named origins",
            });
        }
        for host in &cb.allowed_hosts {
            let name = host.strip_prefix("*.").unwrap_or(host);
            let ok = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
            if !ok {
                return Err(ConfigError::Invalid {
                    field: "callbacks.allowed_hosts",
                    value: host.clone(),
                    allowed: "host names such as hooks.example.com or *.example.com",
                });
            }
        }
        for net in &cb.allowed_private_networks {
            if Network::parse(net).is_none() {
                return Err(ConfigError::Invalid {
                    field: "callbacks.allowed_private_networks",
                    value: net.clone(),
                    allowed: "CIDR networks such as 10.0.0.0/8 or ::1/128",
                });
            }
        }
        Ok(())
    }
}

/// An IP network in CIDR notation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    /// Parse `addr/prefix`; a bare address is a single host.
    pub(crate) fn parse(text: &str) -> Option<Network> {
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (text.parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Network { addr, prefix })
    }

    /// Whether `ip` lies in this network (IPv4-mapped IPv6 addresses count as IPv4).
    pub(crate) fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_toml_is_the_default() {
        assert_eq!(
            HttpConfig::from_toml_str("").unwrap(),
            HttpConfig::default()
        );
    }

    #[test]
    fn unknown_keys_fail_loudly() {
        let err = HttpConfig::from_toml_str("[auth]\napi_key = \"x\"").unwrap_err();
        assert!(err.to_string().contains("api_key"), "{err}");
        let err =
            HttpConfig::from_toml_str("max_body_bytes = 1\n[auth]\napi_key = \"s3cr3t-value\"")
                .unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
        assert!(
            !err.to_string().contains("s3cr3t"),
            "a value leaked into the error: {err}"
        );
    }

    #[test]
    fn validation_names_the_field() {
        let err = HttpConfig::from_toml_str("[queue]\ncapacity = 0").unwrap_err();
        assert!(err.to_string().contains("queue.capacity"), "{err}");
        let err = HttpConfig::from_toml_str("[auth]\napi_keys = [\"short\"]").unwrap_err();
        assert!(err.to_string().contains("auth.api_keys"), "{err}");
        assert!(
            !err.to_string().contains("short"),
            "a key leaked into the error: {err}"
        );
        let err =
            HttpConfig::from_toml_str("[callbacks]\nallowed_private_networks = [\"10.0.0.0/33\"]")
                .unwrap_err();
        assert!(
            err.to_string().contains("allowed_private_networks"),
            "{err}"
        );
        let err = HttpConfig::from_toml_str("[cors]\nallowed_origins = [\"evil\"]").unwrap_err();
        assert!(err.to_string().contains("cors.allowed_origins"), "{err}");
    }

    #[test]
    fn debug_output_hides_api_keys() {
        let config = AuthConfig {
            api_keys: vec!["super-secret-key-123".into()],
        };
        assert!(!format!("{config:?}").contains("super-secret"));
    }

    #[test]
    fn networks_contain_their_addresses() {
        let net = Network::parse("10.0.0.0/8").unwrap();
        assert!(net.contains("10.1.2.3".parse().unwrap()));
        assert!(net.contains("::ffff:10.1.2.3".parse().unwrap()));
        assert!(!net.contains("11.0.0.1".parse().unwrap()));
        let host = Network::parse("::1").unwrap();
        assert!(host.contains("::1".parse().unwrap()));
        assert!(!host.contains("::2".parse().unwrap()));
        assert!(
            Network::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        assert!(Network::parse("1.2.3.4/40").is_none());
        assert!(Network::parse("nonsense").is_none());
    }
}
