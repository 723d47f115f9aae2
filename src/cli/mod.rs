//! Command-line front end. Each subcommand lives in its own module.

mod analyze;
#[cfg(all(feature = "nats", feature = "http"))]
mod bench;
#[cfg(feature = "nats")]
mod dlq;
mod eval;
mod eval_pii;
mod fit;
#[cfg(feature = "http")]
mod serve;
#[cfg(feature = "nats")]
mod setup;
#[cfg(feature = "nats")]
mod worker;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use vigil::core::{Config, Engine};

/// Command-line arguments.
#[derive(Debug, Parser)]
#[command(
    name = "vigil",
    version,
    about = "Prompt-injection, jailbreak and PII guard for LLM applications"
)]
pub struct Cli {
    /// Engine configuration file (TOML); defaults to the built-in configuration.
    #[arg(long, global = true, env = "VIGIL_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyze texts given as arguments, or JSONL lines with a `text` field from a file or stdin.
    Analyze(analyze::Args),
    /// Measure detection quality on labelled JSONL.
    Eval(eval::Args),
    /// Fit the scoring model on labelled JSONL (and cross-validate it).
    Fit(fit::Args),
    /// Run NATS pipeline workers (detection, pii, arbiter, sync or all) until SIGTERM, then drain.
    #[cfg(feature = "nats")]
    Worker(worker::Args),
    /// Create or update the NATS streams and consumers (idempotent).
    #[cfg(feature = "nats")]
    Setup(setup::Args),
    /// List dead letters or replay them to their original subject.
    #[cfg(feature = "nats")]
    Dlq(dlq::Args),
    /// Serve the HTTP API (embedded engine, or NATS with --nats / NATS_URL).
    #[cfg(feature = "http")]
    Serve(serve::Args),
    /// Measure throughput and latency (engine, sync, async, http) against raw baselines.
    #[cfg(all(feature = "nats", feature = "http"))]
    Bench(bench::Args),
}

/// A CLI failure: a message for stderr (exit code 2).
pub type CliError = Box<dyn std::error::Error + Send + Sync>;

/// One non-blank line of a JSONL file: its 1-based number, its text and the row parsed from it.
pub struct JsonlLine<T> {
    pub number: usize,
    /// The raw line; only `vigil bench` (built with both adapters) replays it.
    #[cfg_attr(not(all(feature = "nats", feature = "http")), allow(dead_code))]
    pub line: String,
    pub row: T,
}

/// Every non-blank line of a JSONL file, parsed; a line that does not parse is an error naming
/// `file:line`.
pub fn read_jsonl<T: serde::de::DeserializeOwned>(
    file: &Path,
) -> Result<Vec<JsonlLine<T>>, CliError> {
    let reader =
        std::fs::File::open(file).map_err(|e| format!("cannot open {}: {e}", file.display()))?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(reader).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let row = serde_json::from_str(&line)
            .map_err(|e| format!("{}:{}: {e}", file.display(), i + 1))?;
        out.push(JsonlLine {
            number: i + 1,
            line,
            row,
        });
    }
    Ok(out)
}

/// Build the engine from `--config` or the defaults.
pub fn load_engine(path: Option<&PathBuf>) -> Result<Engine, CliError> {
    let config = match path {
        None => Config::default(),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| format!("cannot read config {}: {e}", p.display()))?;
            Config::from_toml_str(&text).map_err(|e| format!("{}: {e}", p.display()))?
        }
    };
    Ok(Engine::new(config)?)
}

/// Run the parsed command.
pub fn run(cli: Cli) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::Analyze(args) => analyze::run(&load_engine(cli.config.as_ref())?, args),
        Command::Eval(args) => eval::run(&load_engine(cli.config.as_ref())?, args),
        Command::Fit(args) => fit::run(&load_engine(cli.config.as_ref())?, args),
        #[cfg(feature = "nats")]
        Command::Worker(args) => worker::run(load_engine(cli.config.as_ref())?, args),
        #[cfg(feature = "nats")]
        Command::Setup(args) => setup::run(args),
        #[cfg(feature = "nats")]
        Command::Dlq(args) => dlq::run(args),
        #[cfg(feature = "http")]
        Command::Serve(args) => serve::run(load_engine(cli.config.as_ref())?, args),
        #[cfg(all(feature = "nats", feature = "http"))]
        Command::Bench(args) => bench::run(load_engine(cli.config.as_ref())?, args),
    }
}
