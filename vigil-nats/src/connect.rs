//! Opening a connection from [`ConnectionConfig`], with connection events logged.

use std::time::Duration;

use async_nats::{ConnectOptions, Event};

use crate::config::ConnectionConfig;
use crate::error::Error;

/// Connect with `config`: authentication, TLS, reconnect policy and client name applied, and
/// every connection event (connected, disconnected, lame duck, slow consumer, server errors)
/// logged with `tracing`. Reconnects happen in the background; pull consumers resume by
/// themselves once the connection is back.
pub async fn connect(config: &ConnectionConfig) -> Result<async_nats::Client, Error> {
    let url = config.url.clone();
    let connect_error = |source: crate::error::BoxError| Error::Connect {
        url: url.clone(),
        source,
    };
    let mut options = match &config.credentials_file {
        Some(path) => ConnectOptions::with_credentials_file(path)
            .await
            .map_err(|e| {
                connect_error(format!("credentials file {}: {e}", path.display()).into())
            })?,
        None => ConnectOptions::new(),
    };
    if let (Some(user), Some(password)) = (&config.user, &config.password) {
        options = options.user_and_password(user.clone(), password.clone());
    }
    if let Some(token) = &config.token {
        options = options.token(token.clone());
    }
    if let Some(seed) = &config.nkey_seed {
        options = options.nkey(seed.clone());
    }
    if let Some(ca) = &config.tls.ca_file {
        options = options.add_root_certificates(ca.clone());
    }
    if let (Some(cert), Some(key)) = (&config.tls.cert_file, &config.tls.key_file) {
        options = options.add_client_certificate(cert.clone(), key.clone());
    }
    let tls_files = config.tls.ca_file.is_some() || config.tls.cert_file.is_some();
    if config.tls.required || tls_files {
        options = options.require_tls(true);
    }
    let max_reconnects = usize::try_from(config.max_reconnects).ok();
    let wait = Duration::from_millis(config.reconnect_wait_ms);
    let name = config.name.clone();
    options = options
        .name(&config.name)
        .connection_timeout(Duration::from_millis(config.connect_timeout_ms))
        // `None` means forever in async-nats; -1 maps to it.
        .max_reconnects(max_reconnects)
        .reconnect_delay_callback(move |attempts| if attempts <= 1 { Duration::ZERO } else { wait })
        .event_callback(move |event| {
            let name = name.clone();
            async move { log_event(&name, &event) }
        });
    options
        .connect(config.urls())
        .await
        .map_err(|e| connect_error(e.into()))
}

fn log_event(client: &str, event: &Event) {
    match event {
        Event::Connected => tracing::info!(client, "nats connected"),
        Event::Disconnected => tracing::warn!(client, "nats disconnected, reconnecting"),
        Event::LameDuckMode => tracing::warn!(client, "nats server entering lame duck mode"),
        Event::SlowConsumer(sid) => tracing::warn!(client, sid, "nats slow consumer"),
        Event::Draining => tracing::info!(client, "nats connection draining"),
        Event::Closed => tracing::info!(client, "nats connection closed"),
        Event::ServerError(e) => tracing::error!(client, error = %e, "nats server error"),
        Event::ClientError(e) => tracing::error!(client, error = %e, "nats client error"),
    }
}
