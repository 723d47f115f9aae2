//! `vigil serve`: the HTTP API on the embedded engine, or on NATS with `--nats` / `NATS_URL`.
//!
//! The engine comes from the global `--config`; the server's own settings (API keys, CORS,
//! limits, queue, callbacks) from `--http-config`, a TOML file shaped like
//! `vigil::http::HttpConfig` (see the README's "HTTP API" section).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use vigil::core::Engine;
use vigil::http::{Api, HttpConfig};

use super::CliError;

/// Arguments of `vigil serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on (port 0 picks a free port; the address is printed on stdout).
    #[arg(long, env = "VIGIL_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// NATS server URL: analyze through the NATS pipeline instead of the embedded engine.
    #[arg(long, env = "NATS_URL")]
    pub nats: Option<String>,
    /// The HTTP server's settings (TOML); defaults to the built-in ones.
    #[arg(long, env = "VIGIL_HTTP_CONFIG")]
    pub http_config: Option<PathBuf>,
    /// NATS settings (TOML, as for `vigil worker`: connection, auth, topology names); the
    /// NATS_* environment variables and --nats override it.
    #[cfg(feature = "nats")]
    #[arg(long, env = "VIGIL_NATS_CONFIG")]
    pub nats_config: Option<PathBuf>,
}

/// Load the HTTP settings from `path`, or the defaults.
fn load_http_config(path: Option<&PathBuf>) -> Result<HttpConfig, CliError> {
    let Some(path) = path else {
        return Ok(HttpConfig::default());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read HTTP config {}: {e}", path.display()))?;
    Ok(HttpConfig::from_toml_str(&text).map_err(|e| format!("{}: {e}", path.display()))?)
}

/// Run the server until SIGINT or SIGTERM.
pub fn run(engine: Engine, args: Args) -> Result<ExitCode, CliError> {
    let config = load_http_config(args.http_config.as_ref())?;
    // Logs go to stderr as key=value lines; RUST_LOG overrides the level.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(serve(Arc::new(engine), config, args))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(engine: Arc<Engine>, config: HttpConfig, args: Args) -> Result<(), CliError> {
    let api = match args.nats.as_deref() {
        None => Api::embedded(engine, config)?,
        Some(url) => nats_api(engine, config, url, &args).await?,
    };
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr()?;
    // Scripts and tests read the bound address from here (useful with port 0).
    println!(
        "vigil serve: listening on http://{addr} ({} backend)",
        api.backend()
    );
    vigil::http::run(listener, api, shutdown_signal()).await?;
    Ok(())
}

#[cfg(feature = "nats")]
async fn nats_api(
    engine: Arc<Engine>,
    config: HttpConfig,
    url: &str,
    args: &Args,
) -> Result<Api, CliError> {
    // Same precedence and validation as `vigil worker`: file, then NATS_* variables, then URL.
    let nats = super::worker::NatsArgs {
        nats: Some(url.to_string()),
        nats_config: args.nats_config.clone(),
    }
    .load()?;
    let client = vigil::nats::Client::connect(&nats).await?;
    // Serve anyway (readiness and /health/nats report it), but say what is missing.
    if let Err(e) = client.health().await {
        tracing::warn!(error = %e, "NATS topology not ready; run `vigil setup`");
    }
    Ok(Api::nats(client, engine, config)?)
}

#[cfg(not(feature = "nats"))]
async fn nats_api(_: Arc<Engine>, _: HttpConfig, _: &str, _: &Args) -> Result<Api, CliError> {
    Err("this vigil was built without the `nats` feature; rebuild with it to use --nats".into())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutdown signal received");
}
