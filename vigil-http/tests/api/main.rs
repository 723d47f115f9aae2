//! vigil-http's integration tests: the router without sockets, a real server driven by a real
//! HTTP client, callbacks and their SSRF guard, and (feature `nats`) the NATS backend against a
//! spawned nats-server.

mod common;
#[cfg(feature = "nats")]
mod nats;
mod router;
mod server;
