//! The OpenAPI 3.1 description served at `/openapi.json`, written by hand next to the routes it
//! describes (a test checks that every route is in it).

use serde_json::{Value, json};

use crate::config::HttpConfig;

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
    })
}

fn verdict_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Verdict" } } }
    })
}

fn json_body(schema: &str) -> Value {
    json!({
        "required": true,
        "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } }
    })
}

/// The document, with the limits of `config` filled in.
pub(crate) fn document(config: &HttpConfig) -> Value {
    let secured = if config.auth.api_keys.is_empty() {
        json!([])
    } else {
        json!([{ "apiKey": [] }, { "bearer": [] }])
    };
    let common_errors = |ok: (&str, Value)| {
        let mut responses = serde_json::Map::new();
        responses.insert(ok.0.into(), ok.1);
        responses.insert(
            "400".into(),
            error_response("Malformed JSON, wrong types, missing or empty text"),
        );
        responses.insert("401".into(), error_response("Missing or invalid API key"));
        responses.insert(
            "408".into(),
            error_response("The request body did not arrive within body_read_timeout_ms"),
        );
        responses.insert(
            "413".into(),
            error_response("Body, text or item count over its limit"),
        );
        responses.insert(
            "415".into(),
            error_response("Content-Type is not application/json"),
        );
        responses.insert(
            "500".into(),
            error_response("Analysis failed (details in the server log)"),
        );
        responses.insert(
            "503".into(),
            error_response("Broker unreachable or async queue full"),
        );
        responses.insert(
            "504".into(),
            error_response("No verdict within the request timeout"),
        );
        Value::Object(responses)
    };
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Vigil API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Prompt-injection, jailbreak and PII guard. Every response carries X-Request-Id."
        },
        "security": secured,
        "paths": {
            "/v1/analyze": { "post": {
                "summary": "Analyze one text and return the verdict",
                "requestBody": json_body("AnalyzeBody"),
                "responses": common_errors(("200", verdict_response("The verdict"))),
            }},
            "/v1/analyze/async": { "post": {
                "summary": "Queue a text for analysis; the verdict is fetched later or POSTed to callbackUrl",
                "requestBody": json_body("AsyncBody"),
                "responses": common_errors(("202", json!({
                    "description": "Accepted",
                    "headers": { "Location": { "schema": { "type": "string" } } },
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Accepted" } } }
                }))),
            }},
            "/v1/analyze/batch": { "post": {
                "summary": format!("Analyze up to {} texts; verdicts in request order", config.max_batch_items),
                "requestBody": json_body("BatchBody"),
                "responses": common_errors(("200", json!({
                    "description": "One verdict per item, in order",
                    "content": { "application/json": { "schema": {
                        "type": "object", "required": ["results"],
                        "properties": { "results": { "type": "array", "items": { "$ref": "#/components/schemas/Verdict" } } }
                    } } }
                }))),
            }},
            "/v1/analyze/{requestId}": { "get": {
                "summary": "The result of an async request",
                "parameters": [{ "name": "requestId", "in": "path", "required": true, "schema": { "type": "string" } }],
                "responses": {
                    "200": verdict_response("The verdict"),
                    "202": { "description": "Still pending", "content": { "application/json": { "schema": {
                        "type": "object",
                        "properties": { "requestId": { "type": "string" }, "status": { "const": "pending" } }
                    } } } },
                    "401": error_response("Missing or invalid API key"),
                    "404": error_response("Unknown (or expired) request id"),
                    "500": error_response("The analysis failed"),
                    "503": error_response("Broker unreachable"),
                }
            }},
            "/health": { "get": {
                "summary": "Liveness", "security": [],
                "responses": { "200": { "description": "Alive", "content": { "application/json": { "schema": {
                    "type": "object", "properties": { "status": { "const": "ok" } } } } } } }
            }},
            "/ready": { "get": {
                "summary": "Readiness: the backend can take requests", "security": [],
                "responses": {
                    "200": { "description": "Ready (backend name and queue or connection figures)" },
                    "503": { "description": "Not ready", "content": { "application/json": { "schema": {
                        "type": "object", "properties": { "status": { "const": "unavailable" }, "error": { "type": "string" } } } } } }
                }
            }},
            "/health/nats": { "get": {
                "summary": "NATS and JetStream health, in the seed's shape",
                "responses": {
                    "200": { "description": "Healthy", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/NatsHealth" } } } },
                    "401": error_response("Missing or invalid API key"),
                    "404": { "description": "This server runs the embedded engine; NATS is not configured",
                        "content": { "application/json": { "schema": { "type": "object", "properties": {
                            "status": { "const": "not_configured" }, "error": { "type": "string" } } } } } },
                    "503": { "description": "NATS unreachable or streams missing",
                        "content": { "application/json": { "schema": { "type": "object", "properties": {
                            "status": { "const": "unhealthy" }, "error": { "type": "string" } } } } } }
                }
            }},
            "/metrics": { "get": {
                "summary": "Prometheus metrics (text format)",
                "responses": {
                    "200": { "description": "Metrics", "content": { "text/plain": { "schema": { "type": "string" } } } },
                    "401": error_response("Missing or invalid API key")
                }
            }},
            "/openapi.json": { "get": {
                "summary": "This document", "security": [],
                "responses": { "200": { "description": "OpenAPI 3.1 document" } }
            }}
        },
        "components": {
            "securitySchemes": {
                "apiKey": { "type": "apiKey", "in": "header", "name": "X-API-Key" },
                "bearer": { "type": "http", "scheme": "bearer" }
            },
            "schemas": {
                "Options": { "type": "object", "properties": {
                    "pii": { "type": "boolean", "description": "Run the PII pass (default: as configured)" },
                    "evidence": { "type": "boolean", "description": "Include per-rule evidence (default true)" }
                }},
                "AnalyzeBody": { "type": "object", "required": ["text"], "properties": {
                    "text": { "type": "string", "minLength": 1 },
                    "options": { "$ref": "#/components/schemas/Options" }
                }},
                "AsyncBody": { "type": "object", "required": ["text"], "properties": {
                    "text": { "type": "string", "minLength": 1 },
                    "options": { "$ref": "#/components/schemas/Options" },
                    "callbackUrl": { "type": "string", "format": "uri",
                        "description": "http(s) URL that receives the verdict by POST; private addresses are refused unless allowed by config" }
                }},
                "BatchBody": { "type": "object", "required": ["items"], "properties": {
                    "items": { "type": "array", "minItems": 1, "maxItems": config.max_batch_items,
                        "items": { "$ref": "#/components/schemas/AnalyzeBody" } }
                }},
                "Accepted": { "type": "object", "required": ["requestId", "status", "streamSeq"], "properties": {
                    "requestId": { "type": "string" },
                    "status": { "const": "accepted" },
                    "streamSeq": { "type": "integer", "description": "JetStream sequence (NATS) or queue sequence (embedded)" }
                }},
                "Error": { "type": "object", "required": ["error"], "properties": { "error": { "type": "string" } } },
                "Verdict": { "type": "object",
                    "required": ["requestId", "decision", "score", "confidence", "categories", "branches", "engineVersion"],
                    "properties": {
                        "requestId": { "type": "string" },
                        "decision": { "enum": ["ALLOW", "SANITIZE", "BLOCK"] },
                        "score": { "type": "integer", "minimum": 0, "maximum": 100 },
                        "confidence": { "type": "number" },
                        "categories": { "type": "array", "items": { "type": "string" } },
                        "branches": { "type": "array", "items": { "type": "object" } },
                        "evidence": { "type": "array", "items": { "type": "object" } },
                        "pii": { "type": "array", "items": { "type": "object" } },
                        "sanitizedText": { "type": "string" },
                        "boostsApplied": { "type": "array", "items": { "type": "string" } },
                        "engineVersion": { "type": "string" }
                    }
                },
                "NatsHealth": { "type": "object", "properties": {
                    "status": { "const": "healthy" },
                    "streams": { "type": "integer" },
                    "detectionWorker": { "$ref": "#/components/schemas/ConsumerFigures" },
                    "consumers": { "type": "object", "additionalProperties": { "$ref": "#/components/schemas/ConsumerFigures" } }
                }},
                "ConsumerFigures": { "type": "object", "properties": {
                    "pending": { "type": "integer" }, "ackPending": { "type": "integer" }, "redelivered": { "type": "integer" }
                }}
            }
        }
    })
}
