//! Verdict callbacks: POST the verdict to the request's `callbackUrl`, with retries and an SSRF
//! guard.
//!
//! The guard works in two places. [`Callbacks::check_url`] refuses at submit time what can be
//! judged from the URL alone (scheme, host allowlist, literal IP addresses). At delivery time the
//! HTTP client resolves names through [`GuardedResolver`], which checks every address a name
//! resolves to and hands the client only checked addresses, so the connection goes to an address
//! that passed the check (no second lookup an attacker's DNS could answer differently).
//! Redirects are never followed; proxies are never used.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use vigil_core::Verdict;

use crate::config::{CallbackConfig, Network};
use crate::metrics::Metrics;

/// Why a callback URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackRefused {
    /// Not an absolute URL.
    #[error("callbackUrl is not a valid URL")]
    Invalid,
    /// Neither http nor https.
    #[error("callbackUrl must use http or https")]
    Scheme,
    /// The URL carries a user name or password.
    #[error("callbackUrl must not contain credentials")]
    Credentials,
    /// The host is not in `callbacks.allowed_hosts`.
    #[error("callbackUrl host is not in the allowed hosts")]
    HostNotAllowed,
    /// The host is, or resolves to, a private, loopback, link-local or otherwise non-public
    /// address outside `callbacks.allowed_private_networks`.
    #[error("callbackUrl points to a non-public address")]
    PrivateAddress,
}

/// Why a delivery failed for good.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DeliveryError {
    /// The receiver answered with a non-2xx status on the last attempt (or a final one).
    #[error("callback receiver answered {0}")]
    Status(reqwest::StatusCode),
    /// The request could not be made (refused address, connect error, timeout). The error
    /// carries no URL: paths and queries may hold tokens.
    #[error("callback request failed")]
    Request(#[source] reqwest::Error),
    /// The verdict could not be encoded (never expected; nothing to retry).
    #[error("cannot encode the verdict")]
    Encode(#[source] serde_json::Error),
}

/// Delivers verdicts. Cheap to share (`Arc` inside the client).
#[derive(Debug, Clone)]
pub(crate) struct Callbacks {
    client: reqwest::Client,
    policy: Arc<Policy>,
    config: CallbackConfig,
}

/// The address and host rules, shared by the URL check and the resolver.
#[derive(Debug)]
struct Policy {
    allowed_hosts: Vec<String>,
    allowed_private: Vec<Network>,
}

impl Policy {
    fn host_allowed(&self, host: &str) -> bool {
        if self.allowed_hosts.is_empty() {
            return true;
        }
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.allowed_hosts.iter().any(|pattern| {
            let pattern = pattern.to_ascii_lowercase();
            match pattern.strip_prefix("*.") {
                Some(domain) => host.len() > domain.len() && host.ends_with(&format!(".{domain}")),
                None => host == pattern,
            }
        })
    }

    fn address_allowed(&self, ip: IpAddr) -> bool {
        is_public(ip) || self.allowed_private.iter().any(|net| net.contains(ip))
    }
}

/// A DNS resolver that refuses a name when any of its addresses is not allowed.
#[derive(Debug)]
pub(crate) struct GuardedResolver {
    policy: Arc<Policy>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = Arc::clone(&self.policy);
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if addrs.is_empty() {
                return Err("name resolved to no address".into());
            }
            // Every address must pass: a name that mixes public and private answers is refused.
            if addrs.iter().any(|a| !policy.address_allowed(a.ip())) {
                return Err(Box::new(CallbackRefused::PrivateAddress) as _);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

impl Callbacks {
    /// A client that follows no redirects, uses no proxy and resolves through the guard.
    pub(crate) fn new(config: &CallbackConfig) -> Result<Callbacks, reqwest::Error> {
        let policy = Arc::new(Policy {
            allowed_hosts: config.allowed_hosts.clone(),
            // validate() has checked every entry; an unparsable one would simply allow nothing.
            allowed_private: config
                .allowed_private_networks
                .iter()
                .filter_map(|n| Network::parse(n))
                .collect(),
        });
        // reqwest is built without a crypto provider of its own; use ring, as async-nats does,
        // unless the host has installed a process default already.
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(Duration::from_millis(config.connect_timeout_ms))
            .timeout(Duration::from_millis(config.timeout_ms))
            .dns_resolver(GuardedResolver {
                policy: Arc::clone(&policy),
            })
            .user_agent(concat!("vigil-http/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Callbacks {
            client,
            policy,
            config: config.clone(),
        })
    }

    /// The checks that need no DNS: scheme, credentials, host allowlist, literal addresses.
    pub(crate) fn check_url(&self, url: &str) -> Result<Url, CallbackRefused> {
        let url = Url::parse(url).map_err(|_| CallbackRefused::Invalid)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(CallbackRefused::Scheme);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(CallbackRefused::Credentials);
        }
        // The URL parser has already turned numeric forms (`2130706433`, `0x7f.1`) into
        // dotted IPv4, and IPv6 hosts come bracketed.
        let name = url.host_str().ok_or(CallbackRefused::Invalid)?;
        let literal = name
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .ok();
        if !self.policy.host_allowed(name) {
            return Err(CallbackRefused::HostNotAllowed);
        }
        // Literal addresses never reach the resolver, so they are checked here.
        if let Some(ip) = literal
            && !self.policy.address_allowed(ip)
        {
            return Err(CallbackRefused::PrivateAddress);
        }
        Ok(url)
    }

    /// POST `verdict` to `url`, retrying connection failures, timeouts, 429 and 5xx with
    /// exponential backoff. Refused addresses and other statuses are final.
    pub(crate) async fn deliver(&self, url: &Url, verdict: &Verdict) -> Result<(), DeliveryError> {
        let body = serde_json::to_vec(verdict).map_err(DeliveryError::Encode)?;

        let mut attempt = 1;
        loop {
            let outcome = self
                .client
                .post(url.clone())
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header("x-vigil-request-id", verdict.request_id.as_str())
                .body(body.clone())
                .send()
                .await;
            let retryable = match &outcome {
                Ok(response) if response.status().is_success() => return Ok(()),
                Ok(response) => {
                    let s = response.status();
                    s.is_server_error() || s == reqwest::StatusCode::TOO_MANY_REQUESTS
                }
                Err(e) => !is_refusal(e),
            };
            if !retryable || attempt >= self.config.max_attempts {
                return Err(match outcome {
                    Ok(response) => DeliveryError::Status(response.status()),
                    Err(e) => DeliveryError::Request(e.without_url()),
                });
            }
            tokio::time::sleep(backoff(&self.config, attempt)).await;
            attempt += 1;
        }
    }
}

impl Callbacks {
    /// Deliver one callback and record how it went. Only the host is logged: paths and
    /// queries may carry tokens.
    pub(crate) async fn deliver_and_record(&self, metrics: &Metrics, url: &Url, verdict: &Verdict) {
        let host = url.host_str().unwrap_or("");
        let id = verdict.request_id.as_str();
        match self.deliver(url, verdict).await {
            Ok(()) => {
                metrics.record_callback("delivered");
                tracing::info!(request_id = id, host, "callback delivered");
            }
            Err(DeliveryError::Request(e)) if is_refusal(&e) => {
                metrics.record_callback("refused");
                tracing::warn!(
                    request_id = id,
                    host,
                    "callback refused: non-public address"
                );
            }
            Err(e) => {
                metrics.record_callback("failed");
                let cause = std::error::Error::source(&e).map(ToString::to_string);
                tracing::warn!(request_id = id, host, error = %e, cause, "callback failed");
            }
        }
    }
}

/// Whether a request error comes from the SSRF guard (never worth retrying).
pub(crate) fn is_refusal(error: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.downcast_ref::<CallbackRefused>().is_some() {
            return true;
        }
        source = e.source();
    }
    false
}

/// The wait after failed attempt number `attempt` (1-based): doubling from
/// `initial_backoff_ms`, capped at `max_backoff_ms`.
pub(crate) fn backoff(config: &CallbackConfig, attempt: u32) -> Duration {
    let factor = 1u64
        .checked_shl(attempt.saturating_sub(1))
        .unwrap_or(u64::MAX);
    Duration::from_millis(
        config
            .initial_backoff_ms
            .saturating_mul(factor)
            .min(config.max_backoff_ms),
    )
}

/// Whether `ip` is a public unicast address. Everything a callback must not reach by default
/// is refused: unspecified, loopback, private, shared (CGNAT), link-local, multicast, broadcast,
/// documentation, benchmarking and reserved ranges, and IPv6 forms that embed such an IPv4
/// address (mapped, compatible, NAT64, 6to4).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let seg = ip.segments();
    // Deprecated IPv4-compatible form ::a.b.c.d (but not :: and ::1, handled below).
    if seg[..6] == [0; 6] && !(ip.is_unspecified() || ip.is_loopback()) {
        return is_public_v4(Ipv4Addr::from(u128::from(ip) as u32));
    }
    // NAT64 well-known prefix 64:ff9b::/96 embeds an IPv4 address in the last 32 bits.
    if seg[0] == 0x64 && seg[1] == 0xff9b && seg[2..6] == [0; 4] {
        return is_public_v4(Ipv4Addr::from(u128::from(ip) as u32));
    }
    // 6to4 2002::/16 embeds an IPv4 address in bits 16..48.
    if seg[0] == 0x2002 {
        let v4 = Ipv4Addr::new(
            (seg[1] >> 8) as u8,
            seg[1] as u8,
            (seg[2] >> 8) as u8,
            seg[2] as u8,
        );
        return is_public_v4(v4);
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (seg[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (seg[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (seg[0] & 0xffc0) == 0xfec0 // site-local (deprecated) fec0::/10
        || (seg[0] == 0x2001 && seg[1] == 0x0db8) // documentation 2001:db8::/32
        || (seg[0] == 0x0100 && seg[1..4] == [0; 3])) // discard-only 100::/64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_public_addresses_are_refused() {
        for ip in [
            "0.0.0.0",
            "0.1.2.3",
            "127.0.0.1",
            "127.255.0.9",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "224.0.0.1",
            "239.255.255.250",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.2.1",
            "198.18.0.1",
            "::",
            "::1",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "fec0::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "2002:a9fe:a9fe::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip} should be refused");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip} should pass");
        }
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let config = CallbackConfig {
            initial_backoff_ms: 100,
            max_backoff_ms: 1_000,
            ..CallbackConfig::default()
        };
        let waits: Vec<u64> = (1..=70)
            .map(|a| backoff(&config, a).as_millis() as u64)
            .collect();
        assert_eq!(&waits[..5], &[100, 200, 400, 800, 1_000]);
        assert!(waits.windows(2).all(|w| w[0] <= w[1]));
        assert!(waits.iter().all(|&w| w <= 1_000));
    }

    fn callbacks(config: CallbackConfig) -> Callbacks {
        Callbacks::new(&config).unwrap()
    }

    #[tokio::test]
    async fn url_checks_refuse_what_the_url_alone_shows() {
        let open = callbacks(CallbackConfig::default());
        assert_eq!(
            open.check_url("ftp://example.com/x"),
            Err(CallbackRefused::Scheme)
        );
        assert_eq!(
            open.check_url("file:///etc/passwd"),
            Err(CallbackRefused::Scheme)
        );
        assert_eq!(open.check_url("not a url"), Err(CallbackRefused::Invalid));
        assert_eq!(
            open.check_url("http://user:pw@example.com/"),
            Err(CallbackRefused::Credentials)
        );
        for url in [
            "http://127.0.0.1/hook",
            "http://[::1]/hook",
            "http://[::ffff:127.0.0.1]/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://0.0.0.0:8080/",
            "http://10.1.2.3/",
            "http://2130706433/", // 127.0.0.1 as one decimal number
            "http://0x7f.1/",
        ] {
            assert_eq!(
                open.check_url(url),
                Err(CallbackRefused::PrivateAddress),
                "{url}"
            );
        }
        assert!(open.check_url("https://hooks.example.com/vigil").is_ok());

        let listed = callbacks(CallbackConfig {
            allowed_hosts: vec!["hooks.example.com".into(), "*.corp.example".into()],
            ..CallbackConfig::default()
        });
        assert!(listed.check_url("https://hooks.example.com/x").is_ok());
        assert!(listed.check_url("https://HOOKS.example.com./x").is_ok());
        assert!(listed.check_url("https://a.corp.example/x").is_ok());
        assert_eq!(
            listed.check_url("https://corp.example/x"),
            Err(CallbackRefused::HostNotAllowed)
        );
        assert_eq!(
            listed.check_url("https://evil.com/x"),
            Err(CallbackRefused::HostNotAllowed)
        );
        assert_eq!(
            listed.check_url("https://hooks.example.com.evil.com/x"),
            Err(CallbackRefused::HostNotAllowed)
        );

        let private_ok = callbacks(CallbackConfig {
            allowed_private_networks: vec!["127.0.0.0/8".into()],
            ..CallbackConfig::default()
        });
        assert!(private_ok.check_url("http://127.0.0.1:9/x").is_ok());
        assert!(
            private_ok
                .check_url("http://[::ffff:127.0.0.1]:9/x")
                .is_ok()
        );
        assert_eq!(
            private_ok.check_url("http://10.0.0.1/x"),
            Err(CallbackRefused::PrivateAddress)
        );
    }

    #[tokio::test]
    async fn resolver_refuses_names_with_private_addresses() {
        let resolver = GuardedResolver {
            policy: Arc::new(Policy {
                allowed_hosts: Vec::new(),
                allowed_private: Vec::new(),
            }),
        };
        let err = match resolver.resolve("localhost".parse().unwrap()).await {
            Ok(_) => panic!("localhost must be refused"),
            Err(e) => e,
        };
        assert!(err.downcast_ref::<CallbackRefused>().is_some(), "{err}");

        let allowing = GuardedResolver {
            policy: Arc::new(Policy {
                allowed_hosts: Vec::new(),
                allowed_private: vec![
                    Network::parse("127.0.0.0/8").unwrap(),
                    Network::parse("::1").unwrap(),
                ],
            }),
        };
        let addrs: Vec<SocketAddr> = match allowing.resolve("localhost".parse().unwrap()).await {
            Ok(addrs) => addrs.collect(),
            Err(e) => panic!("localhost allowed by config: {e}"),
        };
        assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    }
}
