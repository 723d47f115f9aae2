//! Reference arbiter-stage worker: pulls `vigil.stage.arbiter` (durable `arbiter`), fuses the
//! detection and PII results into the final verdict and stores it once on
//! `vigil.results.<requestId>` (stream `VIGIL_RESULTS`). Also prints the pipeline's lag every
//! ten seconds, the figures the seed's `/health/nats` reports.
//!
//! ```text
//! NATS_URL=nats://localhost:4222 cargo run --example arbiter_worker
//! ```

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use vigil::core::Engine;
use vigil::nats::{Client, Config, Role, Worker};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    tracing_subscriber::fmt::init();
    let mut config = Config::default();
    config.connection.apply_env()?;
    config.connection.name = "arbiter-worker".into();

    let nats = vigil::nats::connect(&config.connection).await?;
    let client = Client::new(nats.clone(), &config);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(10));
        loop {
            every.tick().await;
            match client.health().await {
                Ok(health) => {
                    for c in &health.consumers {
                        println!(
                            "{}: pending {} ackPending {} redelivered {}",
                            c.name, c.pending, c.ack_pending, c.redelivered
                        );
                    }
                }
                Err(e) => eprintln!("health: {e}"),
            }
        }
    });
    let worker = Worker::new(nats.clone(), Arc::new(Engine::default()), config)?;
    worker
        .run(&[Role::Arbiter], async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    nats.drain().await?;
    Ok(())
}
