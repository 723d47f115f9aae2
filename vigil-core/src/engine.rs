//! The front door: [`Engine`].

use crate::arbiter::arbitrate;
use crate::config::{Config, ConfigError};
use crate::detect::Detector;
use crate::pii::{PiiReport, PiiScanner, RedactionMode};
use crate::wire::{AnalyzeRequest, BranchResult, Decision, Detection, Verdict};

/// Why a text is not analyzable as given. Adapters map these to 400/413 or to a dead letter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// The text is empty or only whitespace.
    #[error("text is empty")]
    Empty,
    /// The text exceeds `limits.max_input_bytes`.
    #[error("text is {len} bytes, over the limit of {max} bytes")]
    TooLarge {
        /// Size of the text in bytes.
        len: usize,
        /// The configured limit.
        max: usize,
    },
}

/// A compiled, immutable engine. Build once, share freely (`Send + Sync`, cheap to `Arc`).
#[derive(Debug)]
pub struct Engine {
    config: Config,
    detector: Detector,
    pii: PiiScanner,
}

/// Version of the built-in rules and model, reported in every verdict.
pub const ENGINE_VERSION: &str = concat!("vigil-core/", env!("CARGO_PKG_VERSION"));

impl Default for Engine {
    /// The engine with the built-in configuration.
    fn default() -> Self {
        // The built-in rule set is compiled in and covered by tests, so this cannot fail.
        Engine::new(Config::default()).expect("built-in configuration is valid")
    }
}

impl Engine {
    /// Validate `config` and compile every rule.
    pub fn new(config: Config) -> Result<Engine, ConfigError> {
        config.validate()?;
        let detector = Detector::new(&config)?;
        let pii = PiiScanner::new(&config.pii)?;
        Ok(Engine {
            config,
            detector,
            pii,
        })
    }

    /// The configuration this engine was built from.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Check that `text` can be analyzed: non-empty and within `limits.max_input_bytes`.
    pub fn check_input(&self, text: &str) -> Result<(), InputError> {
        if text.trim().is_empty() {
            return Err(InputError::Empty);
        }
        let max = self.config.limits.max_input_bytes;
        if text.len() > max {
            return Err(InputError::TooLarge {
                len: text.len(),
                max,
            });
        }
        Ok(())
    }

    /// Detection, PII and arbiter in one call. Infallible: a text that fails
    /// [`check_input`](Self::check_input) is blocked (fail-secure) with the boost
    /// `VALIDATION_FAILURE`, and is never echoed back.
    pub fn analyze(&self, request: &AnalyzeRequest) -> Verdict {
        if let Err(e) = self.check_input(&request.text) {
            return self.rejected(&request.request_id, &e);
        }
        let detection = self.detect(&request.text);
        let run_pii = request.options.pii.unwrap_or(self.config.pii.enabled);
        let pii = run_pii.then(|| self.scan_pii(&request.text));
        let mut verdict = self.decide_owned(&request.request_id, detection, &[], pii);
        if request.options.evidence == Some(false) {
            verdict.evidence.clear();
        }
        verdict
    }

    /// The heuristics branch alone (the pipeline's detection stage).
    pub fn detect(&self, text: &str) -> Detection {
        self.detector.detect(text)
    }

    /// The scoring model's input features for `text` (used by `vigil fit` to train weights).
    pub fn features(&self, text: &str) -> crate::model::Features {
        self.detector.features(text)
    }

    /// The PII pass alone (the pipeline's PII stage).
    pub fn scan_pii(&self, text: &str) -> PiiReport {
        self.pii.scan(text)
    }

    /// The PII pass with `mode` instead of the configured redaction mode (`Pseudonym` without
    /// a configured key falls back to type tokens).
    pub fn scan_pii_with(&self, text: &str, mode: RedactionMode) -> PiiReport {
        self.pii.scan_with(text, Some(mode))
    }

    /// "Detect PII first": `text` with every entity redacted (unchanged when none is found),
    /// for a host that must not log, store or publish raw personal data before analysis.
    pub fn redact(&self, text: &str) -> String {
        self.pii
            .scan(text)
            .sanitized_text
            .unwrap_or_else(|| text.to_string())
    }

    /// The arbiter stage: fuse the detection branch, any `extra` branches a host ran, and the
    /// PII report into the final verdict.
    pub fn decide(
        &self,
        request_id: &str,
        detection: &Detection,
        extra: &[BranchResult],
        pii: Option<&PiiReport>,
    ) -> Verdict {
        self.decide_owned(request_id, detection.clone(), extra, pii.cloned())
    }

    /// [`decide`](Self::decide) taking its inputs, so `analyze` moves them into the verdict.
    fn decide_owned(
        &self,
        request_id: &str,
        detection: Detection,
        extra: &[BranchResult],
        pii: Option<PiiReport>,
    ) -> Verdict {
        let mut branches = Vec::with_capacity(1 + extra.len());
        branches.push(detection.branch);
        branches.extend_from_slice(extra);
        let arbitration = arbitrate(&self.config.arbiter, &branches);
        let (decision, sanitized_text, entities) = match pii {
            _ if arbitration.block => (Decision::Block, None, pii.map(|r| r.entities)),
            Some(report) if report.sanitized_text.is_some() => (
                Decision::Sanitize,
                report.sanitized_text,
                Some(report.entities),
            ),
            _ => (Decision::Allow, None, pii.map(|r| r.entities)),
        };
        Verdict {
            request_id: request_id.to_string(),
            decision,
            score: arbitration.score,
            confidence: arbitration.confidence,
            categories: detection.categories,
            branches,
            evidence: detection.evidence,
            pii: entities.unwrap_or_default(),
            sanitized_text,
            boosts_applied: arbitration.boosts_applied,
            engine_version: ENGINE_VERSION.to_string(),
        }
    }

    /// The verdict for a text that failed [`check_input`](Self::check_input).
    pub fn rejected(&self, request_id: &str, error: &InputError) -> Verdict {
        let mut branch = BranchResult::degraded("A", "heuristics", &error.to_string());
        branch.score = 100;
        branch.threat_level = crate::wire::ThreatLevel::High;
        Verdict {
            request_id: request_id.to_string(),
            decision: Decision::Block,
            score: 100,
            confidence: 1.0,
            categories: vec!["VALIDATION_FAILURE".into()],
            branches: vec![branch],
            evidence: Vec::new(),
            pii: Vec::new(),
            sanitized_text: None,
            boosts_applied: vec!["VALIDATION_FAILURE".into()],
            engine_version: ENGINE_VERSION.to_string(),
        }
    }
}
