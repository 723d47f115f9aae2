//! `vigil worker`: run pipeline roles against NATS until SIGTERM or ctrl-c, then drain.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use vigil::core::Engine;
use vigil::nats::{Config, Role, Worker};

use super::CliError;

/// Where and how to reach NATS (shared by `worker`, `setup` and `dlq`).
#[derive(Debug, clap::Args)]
pub struct NatsArgs {
    /// Server URL(s), comma-separated; overrides NATS_URL and the config file.
    #[arg(long, value_name = "URL", global = true)]
    pub nats: Option<String>,
    /// NATS configuration file (TOML: [connection], [topology], [worker]); see deploy/vigil-nats.toml.
    #[arg(long, value_name = "FILE", env = "VIGIL_NATS_CONFIG", global = true)]
    pub nats_config: Option<PathBuf>,
}

impl NatsArgs {
    /// File, then environment (NATS_URL, NATS_USER, ...), then --nats; validated.
    pub fn load(&self) -> Result<Config, CliError> {
        let mut config = match &self.nats_config {
            None => Config::default(),
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| format!("cannot read {}: {e}", p.display()))?;
                Config::from_toml_str(&text).map_err(|e| format!("{}: {e}", p.display()))?
            }
        };
        config.connection.apply_env()?;
        if let Some(url) = &self.nats {
            config.connection.url = url.clone();
        }
        config.validate()?;
        Ok(config)
    }
}

/// Which roles to run.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RoleArg {
    /// Requests -> detection -> vigil.stage.pii.
    Detection,
    /// vigil.stage.pii -> PII -> vigil.stage.arbiter.
    Pii,
    /// vigil.stage.arbiter -> verdict on vigil.results.<requestId>.
    Arbiter,
    /// Request-reply responder on vigil.analyze.sync.
    Sync,
    /// All four in one process.
    All,
}

/// Arguments of `vigil worker`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The role to run; run several processes of one role to scale it.
    pub role: RoleArg,
    #[command(flatten)]
    pub nats: NatsArgs,
}

impl RoleArg {
    fn as_str(self) -> &'static str {
        match self {
            RoleArg::Detection => "detection",
            RoleArg::Pii => "pii",
            RoleArg::Arbiter => "arbiter",
            RoleArg::Sync => "sync",
            RoleArg::All => "all",
        }
    }
}

/// Logs go to stderr; RUST_LOG filters (default info). Never prompt text: workers log ids and
/// failure codes only.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// A multi-threaded runtime for the NATS subcommands (the rest of the binary is synchronous).
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// Completes on SIGTERM or ctrl-c.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

pub fn run(engine: Engine, args: Args) -> Result<ExitCode, CliError> {
    init_tracing();
    let mut config = args.nats.load()?;
    if config.connection.name == vigil::nats::ConnectionConfig::default().name {
        // Tells the processes apart in the server's connection list.
        config.connection.name = format!("vigil-{}", args.role.as_str());
    }
    let roles: Vec<Role> = match args.role {
        RoleArg::Detection => vec![Role::Detection],
        RoleArg::Pii => vec![Role::Pii],
        RoleArg::Arbiter => vec![Role::Arbiter],
        RoleArg::Sync => vec![Role::Sync],
        RoleArg::All => Role::ALL.to_vec(),
    };
    runtime()?.block_on(async {
        let nats = vigil::nats::connect(&config.connection).await?;
        let worker = Worker::new(nats.clone(), Arc::new(engine), config)?;
        worker.run(&roles, shutdown_signal()).await?;
        // Flush pending acks and publishes before exiting (bounded: a lost connection never
        // finishes draining).
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), nats.drain()).await;
        Ok::<_, CliError>(ExitCode::SUCCESS)
    })
}
