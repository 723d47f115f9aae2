//! `vigil setup`: create or update the streams and consumers (idempotent).

use std::process::ExitCode;

use vigil::nats::{Client, SetupAction};

use super::CliError;
use super::worker::{NatsArgs, runtime};

/// Arguments of `vigil setup`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub nats: NatsArgs,
    /// Replicas for every stream (3 for a production cluster); overrides the config file.
    #[arg(long)]
    pub replicas: Option<usize>,
}

pub fn run(args: Args) -> Result<ExitCode, CliError> {
    let mut config = args.nats.load()?;
    if let Some(replicas) = args.replicas {
        config.topology = config.topology.with_replicas(replicas);
        config.validate()?;
    }
    runtime()?.block_on(async {
        let client = Client::connect(&config).await?;
        for step in client.setup().await? {
            let action = match step.action {
                SetupAction::Created => "created",
                SetupAction::Updated => "updated",
                SetupAction::Unchanged => "unchanged",
            };
            println!("{}: {action}", step.what);
        }
        Ok(ExitCode::SUCCESS)
    })
}
