//! The heuristics branch (placeholder until the rule engine lands in this issue).

use crate::config::{Config, ConfigError};
use crate::wire::{BranchResult, Detection, ThreatLevel};

#[derive(Debug)]
pub(crate) struct Detector {}

impl Detector {
    pub(crate) fn new(_config: &Config) -> Result<Self, ConfigError> {
        Ok(Detector {})
    }

    pub(crate) fn detect(&self, _text: &str) -> Detection {
        Detection {
            branch: BranchResult {
                branch_id: "A".into(),
                name: "heuristics".into(),
                score: 0,
                threat_level: ThreatLevel::Low,
                confidence: 0.5,
                critical_signals: Default::default(),
                features: Default::default(),
                explanations: Vec::new(),
                timing_ms: 0.0,
                degraded: false,
            },
            categories: Vec::new(),
            evidence: Vec::new(),
        }
    }
}
