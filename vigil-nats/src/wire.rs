//! What travels between the stages, and how raw payloads are checked.
//!
//! Field names are the seed's (`requestId`, `detection`, `originalText`); `pii` and `options`
//! are additions that older producers may omit.

use serde::{Deserialize, Serialize};
use vigil_core::{AnalyzeOptions, AnalyzeRequest, Detection, Engine, InputError, PiiReport};

use crate::config::is_token;
use crate::retry::{Failure, FailureKind};

/// The message on `vigil.stage.pii`: the detection stage's output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PiiStage {
    /// The request's id.
    pub request_id: String,
    /// The heuristics branch's result.
    pub detection: Detection,
    /// The request's text.
    pub original_text: String,
    /// The request's options (absent from seed-era producers: defaults apply).
    #[serde(default)]
    pub options: AnalyzeOptions,
}

/// The message on `vigil.stage.arbiter`: the PII stage's output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArbiterStage {
    /// The request's id.
    pub request_id: String,
    /// The heuristics branch's result.
    pub detection: Detection,
    /// The request's text.
    pub original_text: String,
    /// The PII report, `null` when the PII pass was disabled for this request.
    #[serde(default)]
    pub pii: Option<PiiReport>,
    /// The request's options.
    #[serde(default)]
    pub options: AnalyzeOptions,
}

/// A pipeline stage, for [`message_id`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Output of the detection stage (on `vigil.stage.pii`).
    Pii,
    /// Output of the PII stage (on `vigil.stage.arbiter`).
    Arbiter,
    /// The final verdict (on `vigil.results.<requestId>`).
    Result,
}

/// The `Nats-Msg-Id` of a stage's output for one request: `<requestId>:pii`,
/// `<requestId>:arbiter` or `<requestId>:result`. The stream drops a second message with the
/// same id within its duplicate window, so a redelivered message never doubles downstream work.
pub fn message_id(request_id: &str, stage: Stage) -> String {
    let suffix = match stage {
        Stage::Pii => "pii",
        Stage::Arbiter => "arbiter",
        Stage::Result => "result",
    };
    format!("{request_id}:{suffix}")
}

/// Longest accepted request id, in bytes.
pub const MAX_REQUEST_ID_BYTES: usize = 256;

/// Check a request id: it becomes a subject token (`vigil.results.<requestId>`), so it must be
/// non-empty, at most [`MAX_REQUEST_ID_BYTES`], without whitespace, dots or wildcards.
pub fn check_request_id(id: &str) -> Result<(), Failure> {
    if id.is_empty() {
        return Err(Failure::new(
            FailureKind::InvalidRequestId,
            "requestId is missing or empty",
        ));
    }
    if id.len() > MAX_REQUEST_ID_BYTES || !is_token(id) {
        return Err(Failure::new(
            FailureKind::InvalidRequestId,
            format!(
                "requestId must be one subject token of at most {MAX_REQUEST_ID_BYTES} bytes \
                 (no whitespace, '.', '*' or '>')"
            ),
        ));
    }
    Ok(())
}

/// Decode a JSON payload, classifying failures without echoing its content (serde's messages
/// quote the offending values, which may be prompt text, so only the category and position are
/// kept).
pub fn decode<T: serde::de::DeserializeOwned>(payload: &[u8]) -> Result<T, Failure> {
    let text = std::str::from_utf8(payload).map_err(|e| {
        Failure::new(
            FailureKind::InvalidUtf8,
            format!("invalid UTF-8 at byte {}", e.valid_up_to()),
        )
    })?;
    serde_json::from_str(text).map_err(|e| {
        let at = format!("line {} column {}", e.line(), e.column());
        match e.classify() {
            serde_json::error::Category::Data => Failure::new(
                FailureKind::WrongSchema,
                format!("JSON of the wrong shape at {at}"),
            ),
            _ => Failure::new(
                FailureKind::MalformedJson,
                format!("not JSON: error at {at}"),
            ),
        }
    })
}

/// Decode and check a request: JSON, a valid request id, and text the engine accepts.
pub fn parse_request(engine: &Engine, payload: &[u8]) -> Result<AnalyzeRequest, Failure> {
    let request: AnalyzeRequest = decode(payload)?;
    check_request_id(&request.request_id)?;
    engine.check_input(&request.text).map_err(input_failure)?;
    Ok(request)
}

/// Map the engine's input error to a failure.
pub fn input_failure(e: InputError) -> Failure {
    let kind = match e {
        InputError::Empty => FailureKind::EmptyText,
        InputError::TooLarge { .. } => FailureKind::TextTooLarge,
    };
    Failure::new(kind, e.to_string())
}

/// The error body a `sync` responder answers with when it cannot analyze a request:
/// `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorReply {
    /// The error.
    pub error: ErrorBody,
}

/// Inside [`ErrorReply`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable code ([`FailureKind::code`]).
    pub code: String,
    /// Detail without message text.
    pub message: String,
}

impl From<&Failure> for ErrorReply {
    fn from(f: &Failure) -> Self {
        ErrorReply {
            error: ErrorBody {
                code: f.kind.code().to_string(),
                message: f.detail.clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(payload: &[u8]) -> FailureKind {
        parse_request(&Engine::default(), payload).unwrap_err().kind
    }

    #[test]
    fn classifies_bad_requests() {
        assert_eq!(
            kind(b"{\"requestId\": \"a\", \"text\": \"\xff\"}"),
            FailureKind::InvalidUtf8
        );
        assert_eq!(kind(b"{not json"), FailureKind::MalformedJson);
        assert_eq!(kind(b""), FailureKind::MalformedJson);
        assert_eq!(
            kind(b"{\"requestId\": \"a\", \"text\": 5}"),
            FailureKind::WrongSchema
        );
        assert_eq!(kind(b"{\"requestId\": \"a\"}"), FailureKind::WrongSchema);
        assert_eq!(kind(b"[1,2]"), FailureKind::WrongSchema);
        assert_eq!(kind(b"{\"text\": \"hi\"}"), FailureKind::InvalidRequestId);
        assert_eq!(
            kind(b"{\"requestId\": \"a.b\", \"text\": \"hi\"}"),
            FailureKind::InvalidRequestId
        );
        assert_eq!(
            kind(b"{\"requestId\": \"a\", \"text\": \"  \"}"),
            FailureKind::EmptyText
        );
        let big = format!(
            "{{\"requestId\": \"a\", \"text\": \"{}\"}}",
            "x".repeat(1_000_001)
        );
        assert_eq!(kind(big.as_bytes()), FailureKind::TextTooLarge);
        let ok = parse_request(
            &Engine::default(),
            b"{\"requestId\":\"r-1\",\"text\":\"hi\",\"extra\":1}",
        );
        assert_eq!(ok.unwrap().request_id, "r-1");
    }

    #[test]
    fn failure_details_never_echo_content() {
        let f = parse_request(
            &Engine::default(),
            b"{\"requestId\": 5, \"text\": \"my secret\"}",
        )
        .unwrap_err();
        assert!(!f.detail.contains("secret"), "{f}");
        let f = parse_request(
            &Engine::default(),
            b"{\"requestId\": \"a\", \"text\": [\"my secret\"]}",
        )
        .unwrap_err();
        assert!(!f.detail.contains("secret"), "{f}");
    }

    #[test]
    fn seed_stage_message_decodes() {
        let detection = Engine::default().detect("hello");
        let seed = serde_json::json!({
            "requestId": "r1", "detection": detection, "originalText": "hello"
        });
        let stage: PiiStage = decode(seed.to_string().as_bytes()).unwrap();
        assert_eq!(stage.options, AnalyzeOptions::default());
        let back = serde_json::to_value(&stage).unwrap();
        assert_eq!(back["originalText"], "hello");
        assert_eq!(back["requestId"], "r1");
    }

    #[test]
    fn message_ids_differ_per_stage() {
        assert_eq!(message_id("r1", Stage::Pii), "r1:pii");
        assert_ne!(
            message_id("r1", Stage::Arbiter),
            message_id("r1", Stage::Result)
        );
    }
}
