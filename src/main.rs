//! The `vigil` binary: analyze, eval, and (with features) serve, worker, setup, dlq.

mod cli;

use std::process::ExitCode;

use clap::Parser;

// Analyses and the adapters allocate per request (views, hits, verdicts, messages); with
// mimalloc the async pipeline used 15-20% less CPU per request than with glibc malloc on these
// machines (README, Performance). Hosts embedding the crates choose their own allocator.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            // The causes too: "create stream X" alone does not say that the disk is full.
            let mut message = e.to_string();
            let mut cause = e.source();
            while let Some(c) = cause {
                let text = c.to_string();
                if !message.contains(&text) {
                    message = format!("{message}: {text}");
                }
                cause = c.source();
            }
            eprintln!("vigil: {message}");
            ExitCode::from(2)
        }
    }
}
