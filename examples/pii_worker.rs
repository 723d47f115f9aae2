//! Reference PII-stage worker: pulls `vigil.stage.pii` (durable `pii-proc`), scans the text for
//! PII and hands off to `vigil.stage.arbiter`. This one loads its engine configuration (PII
//! entities, redaction mode) from a TOML file, as a host with its own policy would.
//!
//! ```text
//! VIGIL_CONFIG=my-engine.toml NATS_URL=nats://localhost:4222 cargo run --example pii_worker
//! ```

use std::error::Error;
use std::sync::Arc;

use vigil::core::Engine;
use vigil::nats::{Config, Role, Worker};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    tracing_subscriber::fmt::init();
    let engine = match std::env::var("VIGIL_CONFIG") {
        Ok(path) => Engine::new(vigil::core::Config::from_toml_str(
            &std::fs::read_to_string(path)?,
        )?)?,
        Err(_) => Engine::default(),
    };
    let mut config = Config::default();
    config.connection.apply_env()?;
    config.connection.name = "pii-worker".into();

    let nats = vigil::nats::connect(&config.connection).await?;
    let worker = Worker::new(nats.clone(), Arc::new(engine), config)?;
    worker
        .run(&[Role::Pii], async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    nats.drain().await?;
    Ok(())
}
