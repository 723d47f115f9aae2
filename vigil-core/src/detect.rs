//! The heuristics branch ("A"): normalize, match rules on every view, and turn the hits into a
//! calibrated score.
//!
//! Rules are features, not verdicts. Each rule carries a weight in log-odds units; within a
//! category, further hits add less (the k-th strongest counts 1/2^k), so ten phrasings of one
//! idea do not outweigh two independent kinds of evidence. Benign context (educational or
//! quoting language) has negative weight. Hits that only appear once obfuscation is undone
//! (decoded payloads, ROT13, reversed text, Unicode tags) add a bonus: hiding is itself a signal.
//! `p = sigmoid(bias + sum)`, score = `round(100 p)`, so the arbiter's block threshold of 50 is
//! the point where attack and benign are equally likely.

use std::collections::BTreeMap;

use aho_corasick::AhoCorasick;

use crate::config::{Config, ConfigError};
use crate::model::{Features, FiredRule, Model, category_sums, ngram_buckets, rules_logit};
use crate::normalize::{Normalizer, View, ViewKind, Views};
use crate::rules::{Hit, RuleSet};
use crate::wire::{BranchResult, Detection, Evidence, Span, ThreatLevel};

/// The fitted model shipped with the crate (see `vigil fit`); empty means rules only.
const MODEL: &[u8] = include_bytes!("../model/model.bin");
/// At most this many evidence items are reported.
const MAX_EVIDENCE: usize = 32;

#[derive(Debug)]
pub(crate) struct Detector {
    rules: RuleSet,
    normalizer: Normalizer,
    allowlist: Option<AhoCorasick>,
    category_floors: BTreeMap<String, u8>,
    model: Option<Model>,
}

/// The best hit of one rule.
#[derive(Debug, Clone, Copy)]
struct RuleHit {
    rule: usize,
    view: ViewKind,
    original: (usize, usize),
    plain: bool,
}

impl Detector {
    pub(crate) fn new(config: &Config) -> Result<Self, ConfigError> {
        let rules = RuleSet::new(&config.detection, &config.normalization)?;
        let normalizer = Normalizer::new(config.normalization.clone(), rules.vocabulary.clone());
        let allowlist = if config.detection.allowlist.is_empty() {
            None
        } else {
            let folded: Vec<String> = config
                .detection
                .allowlist
                .iter()
                .map(|p| normalizer.views(p).views[0].text.clone())
                .collect();
            Some(AhoCorasick::new(&folded).map_err(|e| {
                ConfigError::invalid("detection.allowlist", e.to_string(), "compilable phrases")
            })?)
        };
        let model = if config.detection.model && !MODEL.is_empty() {
            Some(Model::from_bytes(MODEL).map_err(|e| {
                ConfigError::invalid(
                    "detection.model",
                    e,
                    "the shipped model (rebuild the crate)",
                )
            })?)
        } else {
            None
        };
        Ok(Detector {
            rules,
            normalizer,
            allowlist,
            category_floors: config.detection.category_thresholds.clone(),
            model,
        })
    }

    fn view_hits(&self, view: &View, out: &mut Vec<Hit>) {
        out.clear();
        self.rules.view_hits(&view.text, out);
        if let Some(allow) = &self.allowlist {
            let masked: Vec<(usize, usize)> = allow
                .find_overlapping_iter(&view.text)
                .map(|m| (m.start(), m.end()))
                .collect();
            out.retain(|h| !masked.iter().any(|&(s, e)| h.start < e && s < h.end));
        }
    }

    /// The model's input features for `text` (what `vigil fit` trains on).
    pub(crate) fn features(&self, text: &str) -> Features {
        let (views, best) = self.matches(text);
        self.features_of(&views, &best)
    }

    fn features_of(&self, views: &Views, best: &BTreeMap<usize, RuleHit>) -> Features {
        let rules: Vec<FiredRule> = best
            .values()
            .map(|h| {
                let rule = &self.rules.rules[h.rule];
                FiredRule {
                    id: rule.id.clone(),
                    category: rule.category.clone(),
                    weight: rule.weight,
                    hidden: !h.plain && rule.weight > 0.0,
                }
            })
            .collect();
        let text = &views.views[0].text;
        let buckets = match &self.allowlist {
            // Known-benign phrases are blanked for the n-grams too, not only for the rules.
            Some(allow) if allow.is_match(text) => {
                let mut masked = text.clone().into_bytes();
                for m in allow.find_overlapping_iter(text) {
                    masked[m.start()..m.end()].fill(b' ');
                }
                ngram_buckets(&String::from_utf8_lossy(&masked))
            }
            _ => ngram_buckets(text),
        };
        Features {
            categories: category_sums(&rules),
            hidden: rules.iter().any(|r| r.hidden),
            rules,
            buckets,
        }
    }

    fn matches(&self, text: &str) -> (Views, BTreeMap<usize, RuleHit>) {
        let views = self.normalizer.views(text);
        let mut best: BTreeMap<usize, RuleHit> = BTreeMap::new();
        // A rule's evidence is its earliest match in plain text, else its earliest match in a
        // decoded or de-obfuscated view: the same whichever pattern or view found it first.
        let mut record = |rule: usize, view: ViewKind, original: (usize, usize)| {
            // A word split by spaces is read, not decoded: finding it is no sign of a hidden
            // payload by itself ("pass word" is an ordinary typo).
            let plain = matches!(view, ViewKind::Normalized | ViewKind::Joined);
            let hit = RuleHit {
                rule,
                view,
                original,
                plain,
            };
            let entry = best.entry(rule).or_insert(hit);
            if (!plain, original) < (!entry.plain, entry.original) {
                *entry = hit;
            }
        };
        let mut hits = Vec::new();
        for (index, view) in views.views.iter().enumerate() {
            self.view_hits(view, &mut hits);
            for h in &hits {
                let kind = h.disguise.unwrap_or(view.kind);
                record(h.rule, kind, views.original(index, h.start, h.end));
            }
        }
        hits.clear();
        self.rules.raw_hits(text, &mut hits);
        let allow_raw = self.allowlist.as_ref().map(|a| {
            // Raw rules see the original text; mask allowlisted phrases found in the normalized
            // view, mapped back to original bytes.
            a.find_overlapping_iter(&views.views[0].text)
                .map(|m| views.views[0].original(m.start(), m.end()))
                .collect::<Vec<_>>()
        });
        for h in &hits {
            if let Some(masked) = &allow_raw
                && masked.iter().any(|&(s, e)| h.start < e && s < h.end)
            {
                continue;
            }
            record(h.rule, ViewKind::Normalized, (h.start, h.end));
        }

        (views, best)
    }

    pub(crate) fn detect(&self, text: &str) -> Detection {
        let (views, best) = self.matches(text);
        let signals = &views.signals;
        let features = self.features_of(&views, &best);
        let hidden = features.hidden;
        let z = match &self.model {
            Some(model) => model.logit(&features),
            None => rules_logit(&features.rules),
        };
        let by_category = &features.categories;
        let mut category_scores: Vec<(&str, f32)> =
            by_category.iter().map(|(c, s)| (c.as_str(), *s)).collect();
        let p = 1.0 / (1.0 + (-z).exp());
        let mut score = (p * 100.0).round().clamp(0.0, 100.0) as u8;
        let mut explanations = Vec::new();
        for (cat, floor) in &self.category_floors {
            if by_category.contains_key(cat.as_str()) && *floor > score {
                score = *floor;
                explanations.push(format!("category {cat} raises the score to {floor}"));
            }
        }
        category_scores.sort_by(|a, b| b.1.total_cmp(&a.1));
        let categories: Vec<String> = category_scores
            .iter()
            .filter(|(_, s)| *s > 0.0)
            .map(|(c, _)| c.to_string())
            .collect();
        for (cat, s) in category_scores.iter().take(5) {
            explanations.push(format!("{cat}: {s:+.2}"));
        }
        if hidden {
            explanations.push("attack text found only after decoding or de-obfuscation".into());
        }

        let mut evidence_hits: Vec<&RuleHit> = best.values().collect();
        evidence_hits.sort_by(|a, b| {
            let (wa, wb) = (
                self.rules.rules[a.rule].weight,
                self.rules.rules[b.rule].weight,
            );
            wb.abs()
                .total_cmp(&wa.abs())
                .then(a.original.0.cmp(&b.original.0))
        });
        evidence_hits.truncate(MAX_EVIDENCE);
        let spans = char_spans(text, evidence_hits.iter().map(|h| h.original));
        let evidence = evidence_hits
            .iter()
            .zip(spans)
            .map(|(h, span)| {
                let rule = &self.rules.rules[h.rule];
                Evidence {
                    rule_id: rule.id.clone(),
                    category: rule.category.clone(),
                    span,
                    view: h.view.name().to_string(),
                    weight: rule.weight,
                }
            })
            .collect();

        let mut critical = BTreeMap::new();
        critical.insert("obfuscatedAttack".to_string(), hidden && score >= 50);
        let mut features = serde_json::Map::new();
        features.insert(
            "logit".into(),
            serde_json::json!((z * 1000.0).round() / 1000.0),
        );
        features.insert("rulesMatched".into(), best.len().into());
        features.insert(
            "obfuscation".into(),
            serde_json::json!({
                "invisibleChars": signals.invisible,
                "tagChars": signals.tag_chars,
                "confusables": signals.confusables,
                "mixedScriptTokens": signals.mixed_script_tokens,
                "leetWords": signals.leet_words,
                "spacedWords": signals.spaced_words,
                "splitWords": signals.split_words,
                "decodedLayers": signals.decoded_layers,
            }),
        );
        Detection {
            branch: BranchResult {
                branch_id: "A".into(),
                name: "heuristics".into(),
                score,
                threat_level: ThreatLevel::from_score(score),
                confidence: (2.0 * (p - 0.5)).abs().clamp(0.0, 1.0),
                critical_signals: critical,
                features,
                explanations,
                timing_ms: 0.0,
                degraded: false,
            },
            categories,
            evidence,
        }
    }
}

/// Convert byte ranges of `text` to [`Span`]s with code-point offsets, in one pass.
fn char_spans(text: &str, ranges: impl Iterator<Item = (usize, usize)>) -> Vec<Span> {
    let ranges: Vec<(usize, usize)> = ranges.collect();
    let mut points: Vec<usize> = ranges.iter().flat_map(|&(s, e)| [s, e]).collect();
    points.sort_unstable();
    points.dedup();
    // Characters before each point: the bytes that start a character (not 0b10xx_xxxx), counted
    // from the previous point, so the text is read once and only up to the last point.
    let bytes = text.as_bytes();
    let mut chars_at = Vec::with_capacity(points.len());
    let (mut from, mut count) = (0, 0);
    for &p in &points {
        let p = p.min(bytes.len());
        count += bytes[from..p]
            .iter()
            .filter(|&&b| (b as i8) >= -0x40)
            .count();
        from = p;
        chars_at.push(count);
    }
    let chars = |i: usize| points.binary_search(&i).map_or(0, |k| chars_at[k]);
    ranges
        .iter()
        .map(|&(s, e)| Span {
            start: chars(s),
            end: chars(e),
            byte_start: s,
            byte_end: e,
        })
        .collect()
}
