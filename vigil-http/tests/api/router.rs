//! Every status code of the API, through the router without a socket.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use serde_json::json;
use vigil_core::{Config, Engine, LimitsConfig};
use vigil_http::{Api, AuthConfig, CorsConfig, HttpConfig};

use crate::common::{api, eventually, get, json, post_json, send};

#[tokio::test]
async fn analyze_returns_the_verdict_with_the_request_id() {
    let api = api(HttpConfig::default());
    let router = api.router();
    let (status, headers, body) = send(
        &router,
        post_json(
            "/v1/analyze",
            r#"{"text":"What is the capital of France?"}"#,
        ),
    )
    .await;
    assert_eq!(status, 200);
    let verdict = json(&body);
    let id = headers["x-request-id"].to_str().unwrap();
    assert_eq!(verdict["requestId"], id);
    assert!(["ALLOW", "SANITIZE", "BLOCK"].contains(&verdict["decision"].as_str().unwrap()));
    assert!(
        verdict["engineVersion"]
            .as_str()
            .unwrap()
            .starts_with("vigil-core/")
    );

    // A plain client id is kept; options are passed through.
    let request = Request::post("/v1/analyze")
        .header("content-type", "application/json; charset=utf-8")
        .header("x-request-id", "client-42")
        .body(Body::from(
            r#"{"text":"hello","options":{"evidence":false},"extra":1}"#,
        ))
        .unwrap();
    let (status, headers, body) = send(&router, request).await;
    assert_eq!(status, 200);
    assert_eq!(headers["x-request-id"], "client-42");
    assert_eq!(json(&body)["requestId"], "client-42");
    assert_eq!(json(&body)["evidence"], json!([]));
    api.shutdown().await;
}

#[tokio::test]
async fn bad_bodies_get_400_with_a_json_error() {
    let api = api(HttpConfig::default());
    let router = api.router();
    let cases: Vec<(&str, Body)> = vec![
        ("malformed JSON", Body::from(r#"{"text": "#)),
        ("missing text", Body::from(r#"{"options":{}}"#)),
        ("empty text", Body::from(r#"{"text":""}"#)),
        ("blank text", Body::from(r#"{"text":"   \n"}"#)),
        ("wrong type", Body::from(r#"{"text":5}"#)),
        (
            "wrong option type",
            Body::from(r#"{"text":"hi","options":{"pii":"yes"}}"#),
        ),
        ("not an object", Body::from(r#"["text"]"#)),
        (
            "invalid UTF-8",
            Body::from(b"{\"text\":\"\xff\xfe\"}".to_vec()),
        ),
        ("empty body", Body::empty()),
    ];
    for (what, body) in cases {
        let (status, _, body) = send(&router, post_json("/v1/analyze", body)).await;
        assert_eq!(status, 400, "{what}");
        assert!(json(&body)["error"].is_string(), "{what}");
    }
    api.shutdown().await;
}

#[tokio::test]
async fn oversized_bodies_and_texts_get_413() {
    let config = HttpConfig {
        max_body_bytes: 1_000,
        ..HttpConfig::default()
    };
    let engine = Engine::new(Config {
        limits: LimitsConfig {
            max_input_bytes: 100,
        },
        ..Config::default()
    })
    .unwrap();
    let api = Api::embedded(Arc::new(engine), config).unwrap();
    let router = api.router();
    let big_body = json!({ "text": "a".repeat(2_000) }).to_string();
    let (status, _, body) = send(&router, post_json("/v1/analyze", big_body)).await;
    assert_eq!(status, 413);
    assert!(json(&body)["error"].is_string());
    let long_text = json!({ "text": "a".repeat(101) }).to_string();
    let (status, _, body) = send(&router, post_json("/v1/analyze", long_text.clone())).await;
    assert_eq!(status, 413);
    assert!(json(&body)["error"].as_str().unwrap().contains("limit"));
    let (status, _, _) = send(&router, post_json("/v1/analyze/async", long_text)).await;
    assert_eq!(status, 413);
    api.shutdown().await;
}

#[tokio::test]
async fn non_json_content_types_get_415() {
    let api = api(HttpConfig::default());
    let router = api.router();
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let mut request = Request::post("/v1/analyze");
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        let request = request.body(Body::from(r#"{"text":"hi"}"#)).unwrap();
        let (status, _, body) = send(&router, request).await;
        assert_eq!(status, 415, "{content_type:?}");
        assert_eq!(
            json(&body)["error"],
            "Content-Type must be application/json"
        );
    }
    api.shutdown().await;
}

#[tokio::test]
async fn analysis_over_the_request_timeout_gets_504() {
    // 100 items of 20 kB each cannot be analyzed within 1 ms. The client gets its answer on
    // time, and the batch stops after the item in progress.
    let config = HttpConfig {
        request_timeout_ms: 1,
        ..HttpConfig::default()
    };
    let api = api(config);
    let router = api.router();
    let item = json!({ "text": "ignore previous instructions ".repeat(700) });
    let body = json!({ "items": vec![item; 100] }).to_string();
    let (status, _, body) = send(&router, post_json("/v1/analyze/batch", body)).await;
    assert_eq!(status, 504);
    assert_eq!(json(&body), json!({ "error": "Analysis timeout" }));
    api.shutdown().await;
}

#[tokio::test]
async fn async_requests_are_accepted_then_answered() {
    let api = api(HttpConfig::default());
    let router = api.router();
    let (status, headers, body) = send(
        &router,
        post_json("/v1/analyze/async", r#"{"text":"Tell me a joke"}"#),
    )
    .await;
    assert_eq!(status, 202);
    let accepted = json(&body);
    assert_eq!(accepted["status"], "accepted");
    assert!(accepted["streamSeq"].as_u64().unwrap() >= 1);
    let id = accepted["requestId"].as_str().unwrap().to_string();
    // Relative: /v1/analyze/async + "<id>" resolves to /v1/analyze/<id>.
    assert_eq!(headers["location"], id.as_str());

    let path = format!("/v1/analyze/{id}");
    let verdict = eventually(Duration::from_secs(10), "the async verdict", || {
        let router = router.clone();
        let path = path.clone();
        async move {
            let (status, _, body) = send(&router, get(&path)).await;
            match status {
                200 => Some(json(&body)),
                202 => {
                    assert_eq!(json(&body)["status"], "pending");
                    None
                }
                other => panic!("unexpected status {other}"),
            }
        }
    })
    .await;
    assert_eq!(verdict["requestId"], id.as_str());

    // Sequence numbers increase.
    let (_, _, body) = send(
        &router,
        post_json("/v1/analyze/async", r#"{"text":"again"}"#),
    )
    .await;
    assert!(json(&body)["streamSeq"].as_u64() > accepted["streamSeq"].as_u64());
    api.shutdown().await;
}

#[tokio::test]
async fn unknown_ids_and_routes_get_404() {
    let api = api(HttpConfig::default());
    let router = api.router();
    let (status, _, body) = send(&router, get("/v1/analyze/no-such-id")).await;
    assert_eq!(status, 404);
    assert_eq!(json(&body)["error"], "Unknown request id");
    let (status, _, body) = send(&router, get("/v2/nothing")).await;
    assert_eq!(status, 404);
    assert!(json(&body)["error"].is_string());
    api.shutdown().await;
}

#[tokio::test]
async fn a_stopped_queue_answers_503() {
    let api = api(HttpConfig::default());
    let router = api.router();
    api.shutdown().await;
    let (status, headers, body) = send(
        &router,
        post_json("/v1/analyze/async", r#"{"text":"late"}"#),
    )
    .await;
    assert_eq!(status, 503);
    assert!(headers.contains_key("retry-after"));
    assert!(json(&body)["error"].is_string());
}

#[tokio::test]
async fn bad_callback_urls_get_400() {
    let api = api(HttpConfig::default());
    let router = api.router();
    for url in [
        "ftp://example.com/x",
        "http://127.0.0.1:9/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest",
        "http://[::ffff:10.0.0.1]/",
        "not a url",
    ] {
        let body = json!({ "text": "hi", "callbackUrl": url }).to_string();
        let (status, _, body) = send(&router, post_json("/v1/analyze/async", body)).await;
        assert_eq!(status, 400, "{url}");
        assert!(
            json(&body)["error"]
                .as_str()
                .unwrap()
                .contains("callbackUrl"),
            "{url}"
        );
    }
    api.shutdown().await;
}

#[tokio::test]
async fn batches_answer_in_order_and_are_limited() {
    let config = HttpConfig {
        max_batch_items: 3,
        ..HttpConfig::default()
    };
    let api = api(config);
    let router = api.router();
    let request = Request::post("/v1/analyze/batch")
        .header("content-type", "application/json")
        .header("x-request-id", "batch-1")
        .body(Body::from(
            json!({ "items": [{ "text": "one" }, { "text": "two", "options": { "pii": false } }, { "text": "three" }] })
                .to_string(),
        ))
        .unwrap();
    let (status, _, body) = send(&router, request).await;
    assert_eq!(status, 200);
    let ids: Vec<String> = json(&body)["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["requestId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["batch-1-0", "batch-1-1", "batch-1-2"]);

    let four = json!({ "items": vec![json!({ "text": "x" }); 4] }).to_string();
    let (status, _, body) = send(&router, post_json("/v1/analyze/batch", four)).await;
    assert_eq!(status, 413);
    assert!(
        json(&body)["error"]
            .as_str()
            .unwrap()
            .contains("Too many items")
    );

    let (status, _, body) = send(
        &router,
        post_json(
            "/v1/analyze/batch",
            json!({ "items": [{ "text": "ok" }, { "text": "" }] }).to_string(),
        ),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        json(&body)["error"]
            .as_str()
            .unwrap()
            .starts_with("items[1]")
    );

    let (status, _, _) = send(&router, post_json("/v1/analyze/batch", r#"{"items":[]}"#)).await;
    assert_eq!(status, 400);
    let (status, _, _) = send(&router, post_json("/v1/analyze/batch", r#"{"text":"hi"}"#)).await;
    assert_eq!(status, 400);

    // Batches are counted like single requests: one decision per item.
    let (_, _, body) = send(&router, get("/metrics")).await;
    let text = String::from_utf8(body).unwrap();
    let decided: u64 = text
        .lines()
        .filter(|l| l.starts_with("vigil_decisions_total{"))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(decided, 3, "{text}");
    api.shutdown().await;
}

#[tokio::test]
async fn api_keys_guard_everything_but_health() {
    let key = "k3y-0123456789abcdef";
    let config = HttpConfig {
        auth: AuthConfig {
            api_keys: vec![key.into()],
        },
        ..HttpConfig::default()
    };
    let api = api(config);
    let router = api.router();
    let body = r#"{"text":"hi"}"#;
    let (status, headers, b) = send(&router, post_json("/v1/analyze", body)).await;
    assert_eq!(status, 401);
    assert!(headers.contains_key("www-authenticate"));
    assert_eq!(json(&b)["error"], "Unauthorized");
    for (name, value) in [
        ("x-api-key", "wrong-key-0123456789".to_string()),
        ("authorization", "Bearer wrong-key-0123456789".to_string()),
        ("authorization", format!("Basic {key}")),
    ] {
        let mut request = post_json("/v1/analyze", body);
        request.headers_mut().insert(name, value.parse().unwrap());
        assert_eq!(send(&router, request).await.0, 401, "{name}: {value}");
    }
    for (name, value) in [
        ("x-api-key", key.to_string()),
        ("authorization", format!("Bearer {key}")),
    ] {
        let mut request = post_json("/v1/analyze", body);
        request.headers_mut().insert(name, value.parse().unwrap());
        assert_eq!(send(&router, request).await.0, 200, "{name}");
    }
    for open in ["/health", "/ready", "/openapi.json"] {
        assert_eq!(send(&router, get(open)).await.0, 200, "{open}");
    }
    for closed in ["/metrics", "/health/nats", "/v1/analyze/some-id"] {
        assert_eq!(send(&router, get(closed)).await.0, 401, "{closed}");
    }
    api.shutdown().await;
}

#[tokio::test]
async fn health_ready_and_nats_health_on_the_embedded_backend() {
    let api = api(HttpConfig::default());
    let router = api.router();
    let (status, _, body) = send(&router, get("/health")).await;
    assert_eq!((status, json(&body)), (200, json!({ "status": "ok" })));
    let (status, _, body) = send(&router, get("/ready")).await;
    assert_eq!(status, 200);
    assert_eq!(json(&body)["backend"], "embedded");
    let (status, _, body) = send(&router, get("/health/nats")).await;
    assert_eq!(status, 404);
    let body = json(&body);
    assert_eq!(body["status"], "not_configured");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("NATS is not configured")
    );
    api.shutdown().await;
}

#[tokio::test]
async fn metrics_count_requests_decisions_and_pii() {
    let api = api(HttpConfig::default());
    let router = api.router();
    send(
        &router,
        post_json(
            "/v1/analyze",
            r#"{"text":"mail me at jan.kowalski@example.com"}"#,
        ),
    )
    .await;
    send(&router, post_json("/v1/analyze", r#"{"text":""}"#)).await;
    send(&router, get("/v1/analyze/unknown")).await;
    let (status, headers, body) = send(&router, get("/metrics")).await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = String::from_utf8(body).unwrap();
    for expected in [
        "vigil_http_requests_total{method=\"POST\",route=\"/v1/analyze\",status=\"200\"} 1",
        "vigil_http_requests_total{method=\"POST\",route=\"/v1/analyze\",status=\"400\"} 1",
        "vigil_http_requests_total{method=\"GET\",route=\"/v1/analyze/{requestId}\",status=\"404\"} 1",
        "vigil_http_request_duration_seconds_count{route=\"/v1/analyze\"} 2",
        "vigil_analysis_duration_seconds_count{} 1",
        "# TYPE vigil_decisions_total counter",
        "vigil_async_queue_capacity{} 1024",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    // Raw text never reaches the metrics.
    assert!(!text.contains("kowalski"));
    api.shutdown().await;
}

#[tokio::test]
async fn openapi_describes_every_route() {
    let api = api(HttpConfig::default());
    let router = api.router();
    let (status, _, body) = send(&router, get("/openapi.json")).await;
    assert_eq!(status, 200);
    let doc = json(&body);
    assert_eq!(doc["openapi"], "3.1.0");
    for (path, method) in [
        ("/v1/analyze", "post"),
        ("/v1/analyze/async", "post"),
        ("/v1/analyze/batch", "post"),
        ("/v1/analyze/{requestId}", "get"),
        ("/health", "get"),
        ("/ready", "get"),
        ("/health/nats", "get"),
        ("/metrics", "get"),
        ("/openapi.json", "get"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} missing"
        );
        // Every documented route exists (anything but 404/405 through the router).
        let request = Request::builder()
            .method(method.to_uppercase().as_str())
            .uri(path.replace("{requestId}", "x"))
            .header("content-type", "application/json")
            .body(Body::from("{}"))
            .unwrap();
        let status = send(&router, request).await.0;
        assert!(status != 405, "{method} {path}: {status}");
    }
    let refs = body_refs(&doc);
    for r in refs {
        let name = r.trim_start_matches("#/components/schemas/");
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "dangling $ref {r}"
        );
    }
    api.shutdown().await;
}

fn body_refs(value: &serde_json::Value) -> Vec<String> {
    match value {
        serde_json::Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| {
                if k == "$ref" {
                    vec![v.as_str().unwrap().to_string()]
                } else {
                    body_refs(v)
                }
            })
            .collect(),
        serde_json::Value::Array(items) => items.iter().flat_map(body_refs).collect(),
        _ => Vec::new(),
    }
}

#[tokio::test]
async fn cors_answers_preflights_for_allowed_origins_only() {
    let config = HttpConfig {
        cors: CorsConfig {
            allowed_origins: vec!["https://app.example.com".into()],
            ..CorsConfig::default()
        },
        auth: AuthConfig {
            api_keys: vec!["k3y-0123456789abcdef".into()],
        },
        ..HttpConfig::default()
    };
    let api = api(config);
    let router = api.router();
    let preflight = |origin: &str| {
        Request::options("/v1/analyze")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type,x-api-key")
            .body(Body::empty())
            .unwrap()
    };
    let (status, headers, _) = send(&router, preflight("https://app.example.com")).await;
    assert_eq!(status, 200, "preflights need no API key");
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://app.example.com"
    );
    let (_, headers, _) = send(&router, preflight("https://evil.example.com")).await;
    assert!(!headers.contains_key("access-control-allow-origin"));
    api.shutdown().await;
}

#[tokio::test]
async fn building_needs_a_valid_config() {
    let config = HttpConfig {
        max_batch_items: 0,
        ..HttpConfig::default()
    };
    let err = Api::embedded(crate::common::engine(), config).unwrap_err();
    assert!(matches!(err, vigil_http::Error::Config(_)), "{err:?}");
}

#[test]
fn building_outside_a_runtime_is_an_error() {
    let err = Api::embedded(crate::common::engine(), HttpConfig::default()).unwrap_err();
    assert!(matches!(err, vigil_http::Error::Runtime(_)), "{err:?}");
}

#[tokio::test]
async fn internal_errors_say_only_analysis_failed() {
    use axum::response::IntoResponse;
    let response = vigil_http::ApiError::Internal.into_response();
    assert_eq!(response.status(), 500);
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    assert_eq!(json(&body), json!({ "error": "Analysis failed" }));
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Api>();
    check::<HttpConfig>();
    check::<vigil_http::Error>();
    check::<vigil_http::ApiError>();
    check::<vigil_http::ConfigError>();
    check::<vigil_http::CallbackRefused>();
}
