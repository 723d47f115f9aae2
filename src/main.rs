//! The `vigil` binary: analyze, eval, and (with features) serve, worker, setup, dlq.

mod cli;

use std::process::ExitCode;

use clap::Parser;

// Analyses allocate per text (views, hits, verdicts); mimalloc makes them 10-17% faster than
// glibc malloc on these machines, and it serves the NATS and HTTP paths too (README,
// Performance). Hosts embedding the crates choose their own allocator.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("vigil: {e}");
            ExitCode::from(2)
        }
    }
}
