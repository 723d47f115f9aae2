//! Wire types: the JSON contract shared with the seed's TypeScript services.
//!
//! Every type serializes in camelCase, as the seed does (`requestId`, `callbackUrl`, ...).
//! Branch results keep the reference system's unified shape (id, name, score, threatLevel,
//! confidence, criticalSignals, features, explanations, timingMs, degraded).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::pii::PiiEntity;

/// One analysis request, as the seed publishes it on `vigil.requests.*` and `vigil.analyze.sync`.
///
/// Unknown top-level fields are ignored so that newer clients keep working against older
/// workers; wrong types are errors.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyzeRequest {
    /// Caller-chosen id; echoed in the verdict. Empty when the caller did not set one.
    #[serde(default)]
    pub request_id: String,
    /// The prompt or document to analyze.
    pub text: String,
    /// Per-request options.
    #[serde(default)]
    pub options: AnalyzeOptions,
    /// Milliseconds since the Unix epoch when the request was made (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    /// Where an asynchronous verdict should be POSTed (used by adapters, not by the engine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
}

impl AnalyzeRequest {
    /// A request for `text` with an id and default options.
    pub fn new(request_id: impl Into<String>, text: impl Into<String>) -> Self {
        AnalyzeRequest {
            request_id: request_id.into(),
            text: text.into(),
            ..AnalyzeRequest::default()
        }
    }
}

/// Per-request options. Every field is optional; `None` means "as configured".
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyzeOptions {
    /// Run the PII pass for this request (default: the engine's `pii.enabled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pii: Option<bool>,
    /// Include per-rule evidence in the verdict (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<bool>,
}

/// The final decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Decision {
    /// The text may pass unchanged.
    Allow,
    /// The text may pass once PII is replaced by `sanitizedText`.
    Sanitize,
    /// The text must not reach the model.
    Block,
}

impl Decision {
    /// The wire spelling (`ALLOW`, `SANITIZE`, `BLOCK`).
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "ALLOW",
            Decision::Sanitize => "SANITIZE",
            Decision::Block => "BLOCK",
        }
    }
}

/// Coarse threat level of a branch score (reference thresholds: LOW < 40 <= MEDIUM < 70 <= HIGH).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ThreatLevel {
    /// Score below 40.
    Low,
    /// Score 40 to 69.
    Medium,
    /// Score 70 and above.
    High,
}

impl ThreatLevel {
    /// The level for a 0-100 score.
    pub fn from_score(score: u8) -> Self {
        match score {
            0..=39 => ThreatLevel::Low,
            40..=69 => ThreatLevel::Medium,
            _ => ThreatLevel::High,
        }
    }
}

/// One branch's result in the reference system's unified shape ("contract v2.1").
///
/// The built-in heuristics branch produces one; a host may add results from its own branches
/// (an ML classifier running elsewhere, say) and let the arbiter fuse them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BranchResult {
    /// Short id (`"A"` for the built-in heuristics).
    pub branch_id: String,
    /// Human name, also the key of the branch's arbiter weight (`"heuristics"`).
    pub name: String,
    /// 0-100.
    pub score: u8,
    /// Level derived from the score.
    pub threat_level: ThreatLevel,
    /// 0-1: how sure the branch is of its score.
    pub confidence: f32,
    /// Named boolean signals that the arbiter may boost on.
    #[serde(default)]
    pub critical_signals: BTreeMap<String, bool>,
    /// Free-form, branch-specific figures.
    #[serde(default)]
    pub features: serde_json::Map<String, serde_json::Value>,
    /// Short reasons, most important first.
    #[serde(default)]
    pub explanations: Vec<String>,
    /// Time the branch took; the engine has no clock, so adapters fill this in.
    #[serde(default)]
    pub timing_ms: f64,
    /// True when the branch failed and its score means nothing.
    #[serde(default)]
    pub degraded: bool,
}

impl BranchResult {
    /// A degraded result for a branch that failed (timeout, unreachable, error).
    pub fn degraded(branch_id: impl Into<String>, name: impl Into<String>, reason: &str) -> Self {
        let name = name.into();
        let mut features = serde_json::Map::new();
        features.insert("degradedReason".into(), reason.into());
        BranchResult {
            branch_id: branch_id.into(),
            explanations: vec![format!("{name} degraded: {reason}")],
            name,
            score: 0,
            threat_level: ThreatLevel::Low,
            confidence: 0.0,
            critical_signals: BTreeMap::new(),
            features,
            timing_ms: 0.0,
            degraded: true,
        }
    }
}

/// A half-open range `[start, end)` in the original text, in two units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Span {
    /// Unicode code-point offset of the first character (what JavaScript clients expect).
    pub start: usize,
    /// Code-point offset one past the last character.
    pub end: usize,
    /// Byte offset of the first character (for Rust callers slicing the `&str`).
    pub byte_start: usize,
    /// Byte offset one past the last character.
    pub byte_end: usize,
}

/// One rule that fired, with where it fired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "EvidenceFields")]
pub struct Evidence {
    /// The rule's stable id (e.g. `override.ignore_previous.en`).
    pub rule_id: String,
    /// The rule's category (e.g. `INSTRUCTION_OVERRIDE`).
    pub category: String,
    /// Where in the original text the match lies.
    #[serde(flatten)]
    pub span: Span,
    /// The text view the rule matched in (`raw`, `normalized`, `base64`, `rot13`, ...).
    pub view: String,
    /// The rule's weight (its contribution before calibration).
    pub weight: f32,
}

/// [`Evidence`] as it is read: serde buffers an object with a flattened field into a generic
/// map before reading it, and the NATS pipeline decodes every verdict's evidence twice.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EvidenceFields {
    rule_id: String,
    category: String,
    start: usize,
    end: usize,
    byte_start: usize,
    byte_end: usize,
    view: String,
    weight: f32,
}

impl From<EvidenceFields> for Evidence {
    fn from(f: EvidenceFields) -> Evidence {
        Evidence {
            rule_id: f.rule_id,
            category: f.category,
            span: Span {
                start: f.start,
                end: f.end,
                byte_start: f.byte_start,
                byte_end: f.byte_end,
            },
            view: f.view,
            weight: f.weight,
        }
    }
}

/// The engine's answer for one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    /// Echo of the request id.
    pub request_id: String,
    /// ALLOW, SANITIZE or BLOCK.
    pub decision: Decision,
    /// Fused threat score, 0-100; BLOCK at or above the arbiter's `block_score`.
    pub score: u8,
    /// 0-1.
    pub confidence: f32,
    /// Threat categories that contributed, most severe first.
    pub categories: Vec<String>,
    /// Every branch the arbiter fused.
    pub branches: Vec<BranchResult>,
    /// Matched rules with spans into the original text.
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    /// PII found (empty when the PII pass did not run or found nothing).
    #[serde(default)]
    pub pii: Vec<PiiEntity>,
    /// The text with PII redacted; present only when the decision is SANITIZE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sanitized_text: Option<String>,
    /// Arbiter boosts and policies that changed the score.
    #[serde(default)]
    pub boosts_applied: Vec<String>,
    /// Version of the built-in rule set and model that produced this verdict.
    pub engine_version: String,
}

/// The heuristics branch's output: what the detection stage hands to the next one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Detection {
    /// The branch result in the unified shape.
    pub branch: BranchResult,
    /// Categories that fired, most severe first.
    pub categories: Vec<String>,
    /// Matched rules with spans.
    pub evidence: Vec<Evidence>,
}
