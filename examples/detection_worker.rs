//! Reference detection-stage worker: pulls `vigil.requests.analyze` and `vigil.requests.async`
//! from `VIGIL_REQUESTS` (durable `detection-worker`) and hands off to `vigil.stage.pii`.
//! Run as many copies as you need; they share the durable consumer.
//!
//! ```text
//! nats-server -js &                       # or: docker compose -f deploy/docker-compose.yml up -d
//! cargo run -- setup                      # create the streams and consumers once
//! NATS_URL=nats://localhost:4222 cargo run --example detection_worker
//! ```

use std::error::Error;
use std::sync::Arc;

use vigil::core::Engine;
use vigil::nats::{Config, Role, Worker};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    tracing_subscriber::fmt::init();
    // Defaults are the seed's names and limits; NATS_URL, NATS_USER, NATS_CREDS, ... override.
    let mut config = Config::default();
    config.connection.apply_env()?;
    config.connection.name = "detection-worker".into();

    let nats = vigil::nats::connect(&config.connection).await?;
    let worker = Worker::new(nats.clone(), Arc::new(Engine::default()), config)?;
    // Checks the topology, then pulls until ctrl-c; in-flight messages are finished and acked.
    worker
        .run(&[Role::Detection], async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    nats.drain().await?;
    Ok(())
}
