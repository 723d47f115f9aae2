//! HTTP mode: `POST /v1/analyze` on the embedded engine and over NATS, each against a raw
//! axum handler of the same shape (a fixed verdict-sized body; a NATS echo round trip), driven
//! by keep-alive HTTP/1.1 connections, one per request in flight.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Request, StatusCode, header};
use axum::routing::post;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use vigil::core::AnalyzeRequest;
use vigil::http::Api;
use vigil::nats::Role;

use super::super::CliError;
use super::load::{Caller, Service, Stop, closed, stopped};
use super::nats::Bench;
use super::progress;
use super::report::Scenario;

/// A listener bound now (so connections queue before the server runs) on a free port.
fn listener() -> Result<(std::net::TcpListener, SocketAddr), CliError> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}

/// Serve `router` until stopped.
async fn serve(
    listener: std::net::TcpListener,
    router: Router,
    stop: Stop,
) -> Result<(), CliError> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    axum::serve(listener, router)
        .with_graceful_shutdown(stopped(stop))
        .await?;
    Ok(())
}

/// One keep-alive connection sending `POST /v1/analyze`.
struct HttpCaller {
    sender: SendRequest<Full<Bytes>>,
    host: String,
    bodies: Arc<Vec<Bytes>>,
}

impl HttpCaller {
    async fn connect(addr: SocketAddr, bodies: Arc<Vec<Bytes>>) -> Result<HttpCaller, CliError> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        Ok(HttpCaller {
            sender,
            host: addr.to_string(),
            bodies,
        })
    }
}

impl Caller for HttpCaller {
    async fn call(&mut self, seq: u64) -> Result<(), String> {
        self.sender.ready().await.map_err(|e| e.to_string())?;
        let body = self.bodies[(seq % self.bodies.len() as u64) as usize].clone();
        let request = Request::post("/v1/analyze")
            .header(header::HOST, self.host.as_str())
            .header(header::CONTENT_TYPE, "application/json")
            .body(Full::new(body))
            .map_err(|e| e.to_string())?;
        let response = self
            .sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        if status != StatusCode::OK {
            let start = &body[..body.len().min(200)];
            return Err(format!("HTTP {status}: {}", String::from_utf8_lossy(start)));
        }
        Ok(())
    }
}

/// The four servers, each on its own runtime.
struct Servers {
    embedded: (Service, SocketAddr),
    raw_fixed: (Service, SocketAddr),
    over_nats: (Service, SocketAddr),
    raw_nats: (Service, SocketAddr),
}

fn start_servers(bench: &Bench<'_>, fixed_body: Bytes) -> Result<Servers, CliError> {
    let (l, embedded_addr) = listener()?;
    let engine = Arc::clone(&bench.engine);
    let http_config = bench.settings.http.clone();
    let embedded = Service::start("http-embedded", 2, move |stop| async move {
        let api = Api::embedded(engine, http_config)?;
        vigil::http::run(tokio::net::TcpListener::from_std(l)?, api, stopped(stop)).await?;
        Ok(())
    })?;

    let (l, raw_fixed_addr) = listener()?;
    let raw_fixed = Service::start("http-raw", 2, move |stop| {
        let router = Router::new().route(
            "/v1/analyze",
            post(move |_body: Bytes| {
                let body = fixed_body.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], body) }
            }),
        );
        serve(l, router, stop)
    })?;

    let (l, over_nats_addr) = listener()?;
    let engine = Arc::clone(&bench.engine);
    let config = bench.config("http");
    let http_config = bench.settings.http.clone();
    let over_nats = Service::start("http-nats", 2, move |stop| async move {
        let client = vigil::nats::Client::connect(&config).await?;
        let api = Api::nats(client, engine, http_config)?;
        vigil::http::run(tokio::net::TcpListener::from_std(l)?, api, stopped(stop)).await?;
        Ok(())
    })?;

    let (l, raw_nats_addr) = listener()?;
    let url = bench.url.clone();
    let raw_nats = Service::start("http-raw-nats", 2, move |stop| async move {
        let nats = async_nats::connect(url.as_str()).await?;
        let router = Router::new()
            .route("/v1/analyze", post(echo_over_nats))
            .with_state(nats);
        serve(l, router, stop).await
    })?;
    Ok(Servers {
        embedded: (embedded, embedded_addr),
        raw_fixed: (raw_fixed, raw_fixed_addr),
        over_nats: (over_nats, over_nats_addr),
        raw_nats: (raw_nats, raw_nats_addr),
    })
}

/// The raw counterpart of `/v1/analyze` over NATS: forward the body to the echo responder.
async fn echo_over_nats(
    State(nats): State<async_nats::Client>,
    body: Bytes,
) -> Result<([(header::HeaderName, &'static str); 1], Bytes), StatusCode> {
    let request = async_nats::Request::new()
        .payload(body)
        .timeout(Some(std::time::Duration::from_secs(5)));
    match nats.send_request("benchraw.echo", request).await {
        Ok(reply) => Ok(([(header::CONTENT_TYPE, "application/json")], reply.payload)),
        Err(_) => Err(StatusCode::GATEWAY_TIMEOUT),
    }
}

/// Embedded vs fixed body, and NATS vs NATS echo, at fixed concurrency.
pub fn run(bench: &Bench<'_>) -> Result<Vec<Scenario>, CliError> {
    let s = bench.settings;
    bench.setup()?;
    let sync_worker = bench.vigil_workers(&[Role::Sync])?;
    let echo = bench.echo_responder()?;
    let bodies: Arc<Vec<Bytes>> = Arc::new(
        bench
            .prompts
            .iter()
            .map(|text| Bytes::from(format!(r#"{{"text":{text}}}"#)))
            .collect(),
    );
    // The raw handler answers with a real verdict's bytes, so both sides send as much back.
    let first: String = serde_json::from_str(&bench.prompts[0])?;
    let verdict = bench.engine.analyze(&AnalyzeRequest::new(
        "00000000-0000-4000-8000-000000000000",
        first,
    ));
    let fixed = Bytes::from(serde_json::to_vec(&verdict)?);
    let servers = start_servers(bench, fixed)?;
    let c = s.concurrency;
    let drive = |addr: SocketAddr, d| {
        let bodies = Arc::clone(&bodies);
        bench.load.block_on(async move {
            let mut callers = Vec::with_capacity(c);
            for _ in 0..c {
                callers.push(HttpCaller::connect(addr, Arc::clone(&bodies)).await?);
            }
            Ok::<_, CliError>(closed(callers, d).await)
        })
    };
    let pairs = [
        ("embedded", servers.embedded.1, servers.raw_fixed.1),
        ("over NATS", servers.over_nats.1, servers.raw_nats.1),
    ];
    let mut scenarios: Vec<Scenario> = pairs
        .iter()
        .map(|(name, _, _)| {
            let (vigil, raw) = if *name == "embedded" {
                (
                    "vigil serve (embedded engine)",
                    "axum handler, fixed verdict body",
                )
            } else {
                (
                    "vigil serve --nats + worker sync",
                    "axum handler -> NATS echo",
                )
            };
            Scenario::new(
                "http",
                format!("{name}, {c} connections"),
                "req/s",
                vigil,
                raw,
            )
            .in_flight(c)
        })
        .collect();
    for (_, vigil, raw) in pairs {
        // Warm-up, and a check that every server answers before anything is measured.
        for addr in [vigil, raw] {
            let run = drive(addr, s.warmup())?;
            if run.completed == 0 {
                return Err(format!(
                    "http://{addr}/v1/analyze did not answer: {}",
                    run.first_error.unwrap_or_default()
                )
                .into());
            }
        }
    }
    for round in 0..s.rounds {
        progress(format_args!("http round {}/{}", round + 1, s.rounds));
        for (scenario, (_, vigil, raw)) in scenarios.iter_mut().zip(pairs) {
            let (v, r) = bench.pair(
                round,
                || drive(vigil, s.duration()),
                || drive(raw, s.duration()),
            )?;
            scenario.push(v, r);
        }
    }
    for mut service in [
        servers.embedded.0,
        servers.raw_fixed.0,
        servers.over_nats.0,
        servers.raw_nats.0,
    ] {
        service.check()?;
        service.stop()?;
    }
    sync_worker.stop()?;
    echo.stop()?;
    Ok(scenarios.into_iter().map(Scenario::finish).collect())
}
