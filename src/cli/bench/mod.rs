//! `vigil bench`: throughput and latency of the engine, the NATS fast path, the JetStream
//! pipeline and the HTTP API, each next to the raw ceiling of the same shape measured in the
//! same run. Shared machines are noisy, so every figure is a median over rounds and each Vigil
//! figure comes with its ratio to the raw one.
//!
//! ```text
//!  mode    Vigil side                                   raw side (same shape, no work)
//!  engine  threads x (JSON parse + Engine::analyze)     threads x (JSON parse + byte count)
//!  sync    request -> `vigil worker sync` responder     request -> echo responder
//!  async   vigil.requests.analyze -> detection -> pii   same streams and consumers (own
//!          -> arbiter -> VIGIL_RESULTS                  names), pass-through workers
//!  http    POST /v1/analyze, embedded and over NATS     axum handler: fixed verdict-sized
//!                                                       body, or a NATS echo round trip
//! ```
//!
//! Every service (worker, responder, HTTP server) runs on its own tokio runtime with its own
//! NATS connection, as a separate process would; the load generator runs on another.

mod engine;
mod http;
mod load;
mod nats;
mod report;
mod server;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use vigil::core::Engine;

use super::CliError;
use report::{Report, Scenario};

/// Arguments of `vigil bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to measure.
    #[arg(value_enum, default_value = "all")]
    pub mode: Mode,
    /// Measured rounds per scenario; figures are medians over rounds.
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
    /// Seconds per measured run (engine, sync, http, and the async fixed-rate run).
    #[arg(long, default_value_t = 2.0)]
    pub duration: f64,
    /// Requests per async peak run (a burst; its throughput is requests / time to the last
    /// result).
    #[arg(long, default_value_t = 3000)]
    pub requests: u64,
    /// Requests in flight at once (sync and http peak runs).
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Offered rate of the sync latency run, requests per second (0 skips that run).
    #[arg(long, default_value_t = 1000.0)]
    pub rate: f64,
    /// Prompt size in bytes for the sync, async and http modes.
    #[arg(long, default_value_t = 1024)]
    pub size: usize,
    /// JSONL corpus with a `text` field: the engine mode's input and the source of prompts.
    #[arg(long, default_value = "../shared/data/prompts-dev.jsonl")]
    pub corpus: PathBuf,
    /// Threads of the engine mode (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Use this nats-server (with JetStream) instead of starting one. The bench creates the
    /// VIGIL_* topology there and runs its own workers: do not point it at production.
    #[arg(long, value_name = "URL")]
    pub nats_url: Option<String>,
    /// Write the full report (every round, medians, ratios, machine) as JSON.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write an SVG plot of the latency percentiles, Vigil against raw.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Date recorded in the report (default: today, UTC).
    #[arg(long)]
    pub date: Option<String>,
    /// Settings of the benchmarked HTTP servers (TOML, as for `vigil serve --http-config`).
    #[arg(long, value_name = "FILE")]
    pub http_config: Option<PathBuf>,
}

/// What `vigil bench` measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Verdicts per second on all cores over the corpus.
    Engine,
    /// Request-reply on vigil.analyze.sync against an echo responder.
    Sync,
    /// The JetStream pipeline end to end against pass-through workers.
    Async,
    /// POST /v1/analyze, embedded and over NATS, against raw handlers.
    Http,
    /// Every mode.
    All,
}

/// The settings every mode reads.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Settings {
    rounds: usize,
    duration_s: f64,
    requests: u64,
    concurrency: usize,
    rate: f64,
    size: usize,
    threads: usize,
    corpus: String,
    #[serde(skip)]
    http: vigil::http::HttpConfig,
}

impl Settings {
    fn duration(&self) -> Duration {
        Duration::from_secs_f64(self.duration_s)
    }

    /// A shorter run before the first measured one (connections, caches, JIT-free warm-up of
    /// the server's file store).
    fn warmup(&self) -> Duration {
        Duration::from_secs_f64((self.duration_s / 4.0).clamp(0.1, 1.0))
    }
}

/// Warnings and errors of the services on stderr (RUST_LOG overrides); per-request logs would
/// cost more than some of what is measured.
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Progress lines on stderr.
pub fn progress(message: impl std::fmt::Display) {
    eprintln!("[bench] {message}");
}

/// The corpus: raw JSONL lines (the engine mode parses them as it goes) and their texts.
pub struct Corpus {
    lines: Vec<String>,
    texts: Vec<String>,
}

#[derive(Deserialize)]
struct Row {
    text: String,
}

impl Corpus {
    fn load(path: &std::path::Path) -> Result<Corpus, CliError> {
        let rows = super::read_jsonl::<Row>(path).map_err(|e| {
            format!("corpus: {e} (run from the repository root or pass --corpus FILE)")
        })?;
        let (lines, texts): (Vec<String>, Vec<String>) =
            rows.into_iter().map(|l| (l.line, l.row.text)).unzip();
        if texts.iter().all(|t| t.trim().is_empty()) {
            return Err(format!("{}: no texts", path.display()).into());
        }
        Ok(Corpus { lines, texts })
    }

    /// `count` distinct prompts of `size` bytes (cut at a character boundary), made by
    /// concatenating corpus texts from different starting points.
    fn prompts(&self, size: usize, count: usize) -> Vec<String> {
        let size = size.max(1);
        (0..count)
            .map(|i| {
                let mut prompt = String::with_capacity(size + 64);
                let start = i * 7919 % self.texts.len();
                let mut j = start;
                while prompt.len() < size {
                    let text = self.texts[j % self.texts.len()].trim();
                    if !text.is_empty() {
                        if !prompt.is_empty() {
                            prompt.push(' ');
                        }
                        prompt.push_str(text);
                    }
                    j += 1;
                }
                let mut cut = size;
                while !prompt.is_char_boundary(cut) {
                    cut -= 1;
                }
                prompt.truncate(cut);
                prompt
            })
            .collect()
    }
}

/// Run the benchmark.
pub fn run(engine: Engine, args: Args) -> Result<ExitCode, CliError> {
    // `is_finite` also refuses NaN, which no comparison would.
    let bad_duration = !args.duration.is_finite() || args.duration <= 0.0;
    if args.rounds == 0 || bad_duration || args.concurrency == 0 || args.requests == 0 {
        return Err("--rounds, --duration, --concurrency and --requests must be > 0".into());
    }
    if !args.rate.is_finite() || args.rate < 0.0 {
        return Err("--rate must be >= 0".into());
    }
    init_tracing();
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let settings = Settings {
        rounds: args.rounds,
        duration_s: args.duration,
        requests: args.requests,
        concurrency: args.concurrency,
        rate: args.rate,
        size: args.size,
        threads,
        corpus: args.corpus.display().to_string(),
        http: match &args.http_config {
            None => vigil::http::HttpConfig::default(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read HTTP config {}: {e}", path.display()))?;
                vigil::http::HttpConfig::from_toml_str(&text)
                    .map_err(|e| format!("{}: {e}", path.display()))?
            }
        },
    };
    let corpus = Corpus::load(&args.corpus)?;
    let engine = Arc::new(engine);
    let modes: Vec<Mode> = match args.mode {
        Mode::All => vec![Mode::Engine, Mode::Sync, Mode::Async, Mode::Http],
        one => vec![one],
    };
    let mut scenarios: Vec<Scenario> = Vec::new();
    let needs_nats = modes.iter().any(|m| *m != Mode::Engine);
    // Started once for every mode that needs it; killed (and its store removed) on drop.
    let own_server = match (&args.nats_url, needs_nats) {
        (None, true) => Some(server::NatsServer::start()?),
        _ => None,
    };
    let nats_url = args
        .nats_url
        .clone()
        .or_else(|| own_server.as_ref().map(|s| s.url().to_string()));
    for mode in modes {
        progress(format_args!("mode {}", mode_name(mode)));
        match mode {
            Mode::Engine => scenarios.extend(engine::run(&engine, &corpus, &settings)),
            Mode::Sync | Mode::Async | Mode::Http => {
                let url = nats_url.clone().ok_or("no NATS server")?;
                let server = own_server.as_ref().map(server::NatsServer::pid);
                let bench =
                    nats::Bench::new(&url, server, Arc::clone(&engine), &corpus, &settings)?;
                match mode {
                    Mode::Sync => scenarios.extend(bench.sync()?),
                    Mode::Async => scenarios.extend(bench.pipeline()?),
                    _ => scenarios.extend(http::run(&bench)?),
                }
            }
            Mode::All => {} // expanded above
        }
    }
    drop(own_server);
    let report = Report::new(
        settings,
        args.date.unwrap_or_else(report::today_utc),
        scenarios,
    );
    print!("{}", report.table());
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, text + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        progress(format_args!("JSON report written to {}", path.display()));
    }
    if let Some(path) = &args.svg {
        std::fs::write(path, report.svg())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        progress(format_args!("SVG plot written to {}", path.display()));
    }
    Ok(ExitCode::SUCCESS)
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Engine => "engine",
        Mode::Sync => "sync",
        Mode::Async => "async",
        Mode::Http => "http",
        Mode::All => "all",
    }
}
