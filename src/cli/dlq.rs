//! `vigil dlq list|replay`: inspect dead letters and send them back to their original subject.

use std::process::ExitCode;

use vigil::nats::Client;

use super::CliError;
use super::worker::{NatsArgs, runtime};

/// Arguments of `vigil dlq`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: DlqCommand,
    #[command(flatten)]
    pub nats: NatsArgs,
}

/// `vigil dlq` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum DlqCommand {
    /// One JSON line per dead letter, oldest first: sequence, original subject, reason,
    /// delivery count, original stream sequence, worker (no payloads: they hold prompt text).
    List {
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Republish dead letters to their Original-Subject, then delete them from the DLQ.
    Replay {
        /// The DLQ sequence to replay (from `vigil dlq list`).
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        sequence: Option<u64>,
        /// Replay every dead letter.
        #[arg(long)]
        all: bool,
    },
}

pub fn run(args: Args) -> Result<ExitCode, CliError> {
    let config = args.nats.load()?;
    runtime()?.block_on(async {
        let client = Client::connect(&config).await?;
        match args.command {
            DlqCommand::List { limit } => {
                for letter in client.dead_letters(limit).await? {
                    println!("{}", serde_json::to_string(&letter)?);
                }
            }
            DlqCommand::Replay { sequence, all } => {
                let sequences = match (sequence, all) {
                    (Some(seq), _) => vec![seq],
                    (None, _) => client
                        .dead_letters(usize::MAX)
                        .await?
                        .into_iter()
                        .map(|l| l.sequence)
                        .collect(),
                };
                for seq in sequences {
                    let new_seq = client.replay_dead_letter(seq).await?;
                    println!("replayed dead letter {seq}: new stream sequence {new_seq}");
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
