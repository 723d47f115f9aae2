//! The front door: [`Api`] builds the router; [`run`] serves it until a shutdown signal.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{DefaultBodyLimit, Extension, Path, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use tower_http::cors::{AllowOrigin, CorsLayer};
use vigil_core::{AnalyzeOptions, AnalyzeRequest, Engine, InputError, Verdict};

use crate::backend::{Backend, Status, Tasks};
use crate::callback::Callbacks;
use crate::config::HttpConfig;
use crate::embedded::Embedded;
use crate::error::{ApiError, Error};
use crate::metrics::Metrics;
use crate::request::{ApiJson, ApiKeys, RequestId, observe, require_api_key};

/// What every handler shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) engine: Arc<Engine>,
    pub(crate) config: HttpConfig,
    pub(crate) backend: Backend,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) callbacks: Callbacks,
    pub(crate) api_keys: ApiKeys,
}

/// The HTTP API: a backend, its background work, and the router over them.
///
/// Build one with [`Api::embedded`], mount [`Api::router`] (alone or inside a host's own
/// router), and call [`Api::shutdown`] after the server stops so queued async requests finish.
#[derive(Debug)]
pub struct Api {
    shared: Arc<Shared>,
    tasks: Tasks,
}

impl Api {
    /// The API on the engine in this process; async requests go to a bounded in-memory queue
    /// served by a worker task, as many at a time as analyses may run (not durable: lost when
    /// the process stops).
    ///
    /// Must be called inside a tokio runtime (it starts the worker task).
    pub fn embedded(engine: Arc<Engine>, config: HttpConfig) -> Result<Api, Error> {
        config.validate().map_err(Error::Config)?;
        tokio::runtime::Handle::try_current().map_err(Error::Runtime)?;
        let metrics = Arc::new(Metrics::default());
        let callbacks = Callbacks::new(&config.callbacks).map_err(Error::CallbackClient)?;
        let (backend, worker) = Embedded::start(
            Arc::clone(&engine),
            &config,
            Arc::clone(&metrics),
            callbacks.clone(),
        );
        Ok(Api::assemble(
            engine,
            config,
            Backend::Embedded(backend),
            Tasks::Embedded(worker),
            metrics,
            callbacks,
        ))
    }

    /// The API on NATS workers reached through `client`: `/v1/analyze` is a request-reply on
    /// `vigil.analyze.sync`, async requests are published to `VIGIL_REQUESTS`, results read
    /// from `VIGIL_RESULTS`. `engine` is used only to check input sizes before anything is
    /// sent, so give it the same limits as the workers'.
    ///
    /// Must be called inside a tokio runtime.
    #[cfg(feature = "nats")]
    pub fn nats(
        client: vigil_nats::Client,
        engine: Arc<Engine>,
        config: HttpConfig,
    ) -> Result<Api, Error> {
        config.validate().map_err(Error::Config)?;
        tokio::runtime::Handle::try_current().map_err(Error::Runtime)?;
        let metrics = Arc::new(Metrics::default());
        let callbacks = Callbacks::new(&config.callbacks).map_err(Error::CallbackClient)?;
        let (backend, watchers) =
            crate::nats::Nats::new(client, &config, Arc::clone(&metrics), callbacks.clone());
        Ok(Api::assemble(
            engine,
            config,
            Backend::Nats(Box::new(backend)),
            Tasks::Nats(watchers),
            metrics,
            callbacks,
        ))
    }

    fn assemble(
        engine: Arc<Engine>,
        config: HttpConfig,
        backend: Backend,
        tasks: Tasks,
        metrics: Arc<Metrics>,
        callbacks: Callbacks,
    ) -> Api {
        let api_keys = ApiKeys::new(&config.auth.api_keys);
        Api {
            shared: Arc::new(Shared {
                engine,
                config,
                backend,
                metrics,
                callbacks,
                api_keys,
            }),
            tasks,
        }
    }

    /// Which backend serves requests: `"embedded"` or `"nats"`.
    pub fn backend(&self) -> &'static str {
        self.shared.backend.name()
    }

    /// The routes, ready to serve or to merge into a host's router.
    pub fn router(&self) -> Router {
        let shared = Arc::clone(&self.shared);
        let config = &shared.config;
        let protected = Router::new()
            .route("/v1/analyze", post(analyze))
            .route("/v1/analyze/async", post(submit))
            .route(
                "/v1/analyze/batch",
                post(batch).layer(DefaultBodyLimit::max(config.max_batch_body_bytes)),
            )
            .route("/v1/analyze/{requestId}", get(result))
            .route("/health/nats", get(nats_health))
            .route("/metrics", get(metrics))
            .route_layer(from_fn_with_state(Arc::clone(&shared), require_api_key));
        let open = Router::new()
            .route("/health", get(health))
            .route("/ready", get(ready))
            .route("/openapi.json", get(openapi));
        let mut router = protected
            .merge(open)
            .fallback(not_found)
            .layer(DefaultBodyLimit::max(config.max_body_bytes));
        if let Some(cors) = cors_layer(config) {
            router = router.layer(cors);
        }
        router
            .layer(from_fn_with_state(Arc::clone(&shared), observe))
            .with_state(shared)
    }

    /// Stop the background work: the async queue refuses new requests, queued ones are
    /// analyzed and their callbacks delivered, waiting at most `shutdown_grace_ms`.
    pub async fn shutdown(self) {
        let grace = Duration::from_millis(self.shared.config.shutdown_grace_ms);
        self.tasks.shutdown(grace).await;
    }
}

/// Serve `api` on `listener` until `shutdown` completes, then finish in-flight requests and
/// the api's background work.
///
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// let api = vigil_http::Api::embedded(Arc::new(vigil_core::Engine::default()), Default::default())?;
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// vigil_http::run(listener, api, async { let _ = tokio::signal::ctrl_c().await; }).await?;
/// # Ok(())
/// # }
/// ```
pub async fn run(
    listener: tokio::net::TcpListener,
    api: Api,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let router = api.router();
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, backend = api.backend(), "serving");
    }
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(Error::Serve)?;
    tracing::info!("stopped accepting requests; finishing background work");
    api.shutdown().await;
    Ok(())
}

fn cors_layer(config: &HttpConfig) -> Option<CorsLayer> {
    let origins = &config.cors.allowed_origins;
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        // validate() has checked that every origin is a valid header value.
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([
                header::CONTENT_TYPE,
                header::AUTHORIZATION,
                header::HeaderName::from_static("x-api-key"),
                header::HeaderName::from_static(crate::request::REQUEST_ID_HEADER),
            ])
            .expose_headers([header::HeaderName::from_static(
                crate::request::REQUEST_ID_HEADER,
            )])
            .max_age(Duration::from_secs(config.cors.max_age_secs)),
    )
}

/// Body of `POST /v1/analyze` and of each batch item. Unknown fields are ignored, as the
/// seed's TypeScript API does.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AnalyzeBody {
    text: String,
    #[serde(default)]
    options: AnalyzeOptions,
}

/// Body of `POST /v1/analyze/async`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AsyncBody {
    text: String,
    #[serde(default)]
    options: AnalyzeOptions,
    #[serde(default)]
    callback_url: Option<String>,
}

/// Body of `POST /v1/analyze/batch`.
#[derive(Debug, Deserialize)]
struct BatchBody {
    items: Vec<AnalyzeBody>,
}

fn now_ms() -> Option<u64> {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .map(|d| d.as_millis() as u64)
}

/// 400 for an empty text, 413 for one over the engine's `limits.max_input_bytes`.
fn check_text(engine: &Engine, text: &str, prefix: &str) -> Result<(), ApiError> {
    engine.check_input(text).map_err(|e| match e {
        InputError::Empty => ApiError::BadRequest(format!("{prefix}text must not be empty")),
        InputError::TooLarge { .. } => ApiError::TooLarge(format!("{prefix}{e}")),
    })
}

async fn within_timeout<T>(
    shared: &Shared,
    work: impl Future<Output = Result<T, ApiError>>,
) -> Result<T, ApiError> {
    let limit = Duration::from_millis(shared.config.request_timeout_ms);
    match tokio::time::timeout(limit, work).await {
        Ok(result) => result,
        Err(_) => {
            tracing::warn!(
                timeout_ms = shared.config.request_timeout_ms,
                "analysis timed out"
            );
            Err(ApiError::Timeout)
        }
    }
}

fn record(shared: &Shared, verdict: &Verdict, took: Duration, text_bytes: usize) {
    shared.metrics.record_verdict(verdict, took);
    tracing::info!(
        verdict_id = %verdict.request_id,
        decision = verdict.decision.as_str(),
        score = verdict.score,
        text_bytes,
        pii_entities = verdict.pii.len(),
        analysis_us = took.as_micros() as u64,
        "analyzed"
    );
}

async fn analyze(
    State(shared): State<Arc<Shared>>,
    Extension(RequestId(id)): Extension<RequestId>,
    ApiJson(body): ApiJson<AnalyzeBody>,
) -> Result<Json<Verdict>, ApiError> {
    check_text(&shared.engine, &body.text, "")?;
    let text_bytes = body.text.len();
    let request = AnalyzeRequest {
        request_id: id,
        text: body.text,
        options: body.options,
        timestamp: now_ms(),
        callback_url: None,
    };
    let (verdict, took) = within_timeout(&shared, shared.backend.analyze(request)).await?;
    record(&shared, &verdict, took, text_bytes);
    Ok(Json(verdict))
}

async fn batch(
    State(shared): State<Arc<Shared>>,
    Extension(RequestId(id)): Extension<RequestId>,
    ApiJson(body): ApiJson<BatchBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let max = shared.config.max_batch_items;
    if body.items.is_empty() {
        return Err(ApiError::BadRequest("items must not be empty".into()));
    }
    if body.items.len() > max {
        return Err(ApiError::TooLarge(format!(
            "Too many items: {} (at most {max})",
            body.items.len()
        )));
    }
    for (i, item) in body.items.iter().enumerate() {
        check_text(&shared.engine, &item.text, &format!("items[{i}]: "))?;
    }
    let sizes: Vec<usize> = body.items.iter().map(|i| i.text.len()).collect();
    let now = now_ms();
    let requests = body
        .items
        .into_iter()
        .enumerate()
        .map(|(i, item)| AnalyzeRequest {
            request_id: format!("{id}-{i}"),
            text: item.text,
            options: item.options,
            timestamp: now,
            callback_url: None,
        })
        .collect();
    let results = within_timeout(&shared, shared.backend.analyze_batch(requests)).await?;
    for ((verdict, took), size) in results.iter().zip(sizes) {
        record(&shared, verdict, *took, size);
    }
    let verdicts: Vec<&Verdict> = results.iter().map(|(v, _)| v).collect();
    Ok(Json(json!({ "results": verdicts })))
}

async fn submit(
    State(shared): State<Arc<Shared>>,
    ApiJson(body): ApiJson<AsyncBody>,
) -> Result<Response, ApiError> {
    check_text(&shared.engine, &body.text, "")?;
    let callback = match &body.callback_url {
        Some(url) => Some(
            shared
                .callbacks
                .check_url(url)
                .map_err(|e| ApiError::BadRequest(e.to_string()))?,
        ),
        None => None,
    };
    let request_id = uuid::Uuid::new_v4().to_string();
    let text_bytes = body.text.len();
    let request = AnalyzeRequest {
        request_id: request_id.clone(),
        text: body.text,
        options: body.options,
        timestamp: now_ms(),
        callback_url: body.callback_url,
    };
    let seq = shared.backend.submit(request, callback).await?;
    tracing::info!(%request_id, stream_seq = seq, text_bytes, "async request accepted");
    // Relative to this route, so it stays right when a host nests the router under a prefix.
    let location =
        HeaderValue::from_str(&request_id).unwrap_or_else(|_| HeaderValue::from_static("."));
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, location)],
        Json(json!({ "requestId": request_id, "status": "accepted", "streamSeq": seq })),
    )
        .into_response())
}

async fn result(
    State(shared): State<Arc<Shared>>,
    Path(request_id): Path<String>,
) -> Result<Response, ApiError> {
    match shared.backend.status(&request_id).await? {
        Status::Done(verdict) => Ok(Json(verdict.as_ref()).into_response()),
        Status::Pending => Ok((
            StatusCode::ACCEPTED,
            Json(json!({ "requestId": request_id, "status": "pending" })),
        )
            .into_response()),
        Status::Failed => Err(ApiError::Internal),
        Status::Unknown => Err(ApiError::NotFound("Unknown request id".into())),
    }
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn ready(State(shared): State<Arc<Shared>>) -> Response {
    match shared.backend.ready().await {
        Ok(body) => Json(body).into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "error": e.to_string() })),
        )
            .into_response(),
    }
}

async fn nats_health(State(shared): State<Arc<Shared>>) -> Response {
    match &shared.backend {
        // 404 rather than 503: nothing is broken, this server simply has no NATS side.
        Backend::Embedded(_) => (
            StatusCode::NOT_FOUND,
            Json(json!({
                "status": "not_configured",
                "error": "NATS is not configured: this server runs the embedded engine \
                          (start it with --nats URL or NATS_URL to use NATS)",
            })),
        )
            .into_response(),
        #[cfg(feature = "nats")]
        Backend::Nats(b) => match b.health().await {
            Ok(body) => Json(body).into_response(),
            Err(error) => {
                tracing::warn!(%error, "NATS health check failed");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    Json(json!({ "status": "unhealthy", "error": error })),
                )
                    .into_response()
            }
        },
    }
}

async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    let gauges = shared.backend.gauges().await;
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        shared.metrics.render(&gauges),
    )
        .into_response()
}

async fn openapi(State(shared): State<Arc<Shared>>) -> Json<serde_json::Value> {
    Json(crate::openapi::document(&shared.config))
}

async fn not_found() -> ApiError {
    ApiError::NotFound("Not found".into())
}
