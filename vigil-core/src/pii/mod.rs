//! PII detection and redaction.
//!
//! Skeleton: the types the rest of the engine and the adapters rely on. Recognizers and
//! redaction modes are filled in by the PII work (issue 3).

use serde::{Deserialize, Serialize};

use crate::config::ConfigError;

/// PII settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PiiConfig {
    /// Run the PII pass in `Engine::analyze` unless a request says otherwise.
    pub enabled: bool,
}

impl Default for PiiConfig {
    fn default() -> Self {
        PiiConfig { enabled: true }
    }
}

impl PiiConfig {
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        Ok(())
    }
}

/// One piece of personal data or secret found in the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PiiEntity {
    /// Entity type (`EMAIL`, `PESEL`, `CREDIT_CARD`, ...).
    #[serde(rename = "type")]
    pub entity_type: String,
    /// Code-point offset of the first character in the original text.
    pub start: usize,
    /// Code-point offset one past the last character.
    pub end: usize,
    /// Byte offset of the first character.
    pub byte_start: usize,
    /// Byte offset one past the last character.
    pub byte_end: usize,
    /// Confidence, 0-1.
    pub score: f32,
}

/// What the PII pass found, and the redacted text when anything was redacted.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PiiReport {
    /// Entities, ordered by position, without overlaps.
    pub entities: Vec<PiiEntity>,
    /// The text with every entity redacted; `None` when nothing was found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sanitized_text: Option<String>,
}

/// Compiled PII recognizers.
#[derive(Debug, Clone)]
pub(crate) struct PiiScanner {}

impl PiiScanner {
    pub(crate) fn new(_config: &PiiConfig) -> Result<Self, ConfigError> {
        Ok(PiiScanner {})
    }

    pub(crate) fn scan(&self, _text: &str) -> PiiReport {
        PiiReport::default()
    }
}
