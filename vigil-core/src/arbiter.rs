//! The arbiter: fuses branch results into one score and decision.
//!
//! Degraded branches are handled by one explicit table, applied in this order:
//!
//! | situation                                         | outcome                               |
//! |---------------------------------------------------|---------------------------------------|
//! | no branch results at all                          | BLOCK, score 100, `NO_BRANCHES`       |
//! | every branch degraded, `block_when_all_degraded`  | BLOCK, score 100, `ALL_DEGRADED`      |
//! | every branch degraded, fail-open configured       | ALLOW, score 0, `ALL_DEGRADED`        |
//! | a degraded branch whose policy is `block`         | BLOCK, score 100, `REQUIRED_DEGRADED` |
//! | a degraded branch whose policy is `discount`      | left out; healthy branches decide     |
//! | no branch degraded                                | weighted mean of all branches         |
//!
//! Then boosts raise the score to a floor (never lower it), and the decision is BLOCK when the
//! final score reaches `block_score`. Unlike the reference system, a degraded branch never
//! counts as a confident score of 0 or 100: it is either required or ignored.

use crate::config::{ArbiterConfig, BranchPolicy, DegradedAction};
use crate::wire::{BranchResult, ThreatLevel};

/// The arbiter's output before PII is taken into account.
#[derive(Debug, Clone, PartialEq)]
pub struct Arbitration {
    /// Fused score, 0-100.
    pub score: u8,
    /// True when the score reached the block threshold or a policy forced a block.
    pub block: bool,
    /// Weighted confidence of the healthy branches, 0-1.
    pub confidence: f32,
    /// Policies and boosts that changed the outcome, in the order applied.
    pub boosts_applied: Vec<String>,
}

/// Fuse `branches` under `config`. Pure and total: any input gives an answer.
pub fn arbitrate(config: &ArbiterConfig, branches: &[BranchResult]) -> Arbitration {
    let fixed = |score: u8, block: bool, why: String| Arbitration {
        score,
        block,
        confidence: 0.0,
        boosts_applied: vec![why],
    };
    if branches.is_empty() {
        return fixed(100, true, "NO_BRANCHES".into());
    }
    let policy = |b: &BranchResult| -> BranchPolicy {
        config.branches.get(&b.name).cloned().unwrap_or_default()
    };
    if branches.iter().all(|b| b.degraded) {
        let block = config.block_when_all_degraded;
        return fixed(if block { 100 } else { 0 }, block, "ALL_DEGRADED".into());
    }
    if let Some(b) = branches
        .iter()
        .find(|b| b.degraded && policy(b).on_degraded == DegradedAction::Block)
    {
        return fixed(100, true, format!("REQUIRED_DEGRADED:{}", b.name));
    }

    let mut boosts: Vec<String> = branches
        .iter()
        .filter(|b| b.degraded)
        .map(|b| format!("DEGRADED_IGNORED:{}", b.name))
        .collect();
    let healthy: Vec<&BranchResult> = branches.iter().filter(|b| !b.degraded).collect();
    let (mut sum, mut conf, mut total) = (0.0f64, 0.0f64, 0.0f64);
    for b in &healthy {
        let w = f64::from(policy(b).weight);
        sum += w * f64::from(b.score.min(100));
        conf += w * f64::from(b.confidence.clamp(0.0, 1.0));
        total += w;
    }
    // Weights are validated > 0, so total > 0 whenever a healthy branch exists.
    let mut score = (sum / total).round().clamp(0.0, 100.0) as u8;
    let confidence = (conf / total) as f32;

    let b = &config.boosts;
    let mut floor = |active: bool, value: u8, name: &str, score: &mut u8| {
        if active && value > 0 && value > *score {
            *score = value;
            boosts.push(name.to_string());
        }
    };
    let confident_high = healthy
        .iter()
        .any(|r| r.threat_level == ThreatLevel::High && r.confidence >= b.high_confidence_min);
    floor(
        confident_high,
        b.confident_high_floor,
        "CONFIDENT_HIGH",
        &mut score,
    );
    let critical = healthy
        .iter()
        .any(|r| r.critical_signals.values().any(|v| *v));
    floor(
        critical,
        b.critical_signal_floor,
        "CRITICAL_SIGNAL",
        &mut score,
    );
    let unanimous =
        healthy.len() >= 2 && healthy.iter().all(|r| r.threat_level == ThreatLevel::High);
    floor(
        unanimous,
        b.unanimous_high_floor,
        "UNANIMOUS_HIGH",
        &mut score,
    );

    Arbitration {
        score,
        block: score >= config.block_score,
        confidence,
        boosts_applied: boosts,
    }
}
