//! Engine configuration: plain data with serde defaults, unknown keys rejected, validated once
//! by [`Config::validate`] (which [`crate::Engine::new`] calls).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::pii::PiiConfig;

/// Everything the engine can be told. `Config::default()` is the built-in behaviour, and an
/// empty TOML or JSON document parses to exactly that.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Input size limits.
    pub limits: LimitsConfig,
    /// How obfuscation is undone before matching.
    pub normalization: NormalizationConfig,
    /// Rules, thresholds and the allowlist.
    pub detection: DetectionConfig,
    /// How branch results become a decision.
    pub arbiter: ArbiterConfig,
    /// PII detection and redaction.
    pub pii: PiiConfig,
}

/// Input size limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Texts longer than this (in UTF-8 bytes) are blocked without analysis (fail-secure).
    pub max_input_bytes: usize,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            max_input_bytes: 1_000_000,
        }
    }
}

/// Normalization and decoding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NormalizationConfig {
    /// How many nested encodings (base64 inside URL-escapes inside ...) are peeled.
    pub max_decode_depth: u8,
    /// Total bytes of decoded payloads scanned per request (bounds work on hostile input).
    pub max_decoded_bytes: usize,
    /// Decode base64 runs.
    pub base64: bool,
    /// Decode hex runs.
    pub hex: bool,
    /// Decode `%XX` URL escapes.
    pub url: bool,
    /// Decode HTML entities.
    pub html: bool,
    /// Decode Morse code (`.. --. -. --- .-. .`).
    pub morse: bool,
    /// Decode character codes: decimal ASCII (`105 103 110`), 8-bit binary (`01101001`) and
    /// letters' places in the alphabet (`9-7-14-15-18-5`).
    pub char_codes: bool,
    /// Decode Base32 runs.
    pub base32: bool,
    /// Read letter ciphers (Caesar shifts, Atbash), Pig Latin and Braille letters.
    pub ciphers: bool,
    /// Scan the ROT13 view of the text.
    pub rot13: bool,
    /// Scan the reversed text.
    pub reversed: bool,
}

impl Default for NormalizationConfig {
    fn default() -> Self {
        NormalizationConfig {
            max_decode_depth: 3,
            max_decoded_bytes: 256 * 1024,
            base64: true,
            hex: true,
            url: true,
            html: true,
            morse: true,
            char_codes: true,
            base32: true,
            ciphers: true,
            rot13: true,
            reversed: true,
        }
    }
}

/// A rule a host adds from config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Stable id, unique across built-in and host rules.
    pub id: String,
    /// Category name (a built-in one such as `INSTRUCTION_OVERRIDE`, or the host's own).
    pub category: String,
    /// Contribution to the score in log-odds units, -10.0 to 10.0: about 3.0 blocks on its
    /// own, a negative weight is benign evidence (educational or quoted context).
    pub weight: f32,
    /// Literal phrases (case- and diacritic-insensitive, matched at word boundaries).
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Regular expressions (regex-automata syntax, linear time) matched on the normalized views,
    /// which are lowercase with diacritics stripped: write Latin letters in lowercase ASCII.
    /// Other scripts may be written as they are: their text is folded as the views fold it.
    #[serde(default)]
    pub patterns: Vec<String>,
}

/// Detection rules and thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetectionConfig {
    /// Use the built-in rule set (turn off to run only host rules).
    pub builtin_rules: bool,
    /// Score with the fitted model shipped in the crate (rule categories plus hashed word
    /// n-grams); `false` scores with the rule weights alone.
    pub model: bool,
    /// Extra rules from the host. The model has no fitted weight for them: they count through
    /// their category, and a text scores at least what their weights alone would give it
    /// (with the text's benign context weighed alone too).
    pub rules: Vec<RuleSpec>,
    /// Rule ids to switch off.
    pub disabled_rules: Vec<String>,
    /// Categories whose rules are switched off (the n-gram model still scores the text; set
    /// `model = false` to decide on rules alone).
    pub disabled_categories: Vec<String>,
    /// Per-category score floors: when a rule of the category fires, the heuristics score is
    /// raised to at least this value (0-100). Set 50 or more to make a category block on its own.
    pub category_thresholds: BTreeMap<String, u8>,
    /// Phrases (case-insensitive) that are known-benign in this deployment: they are blanked out
    /// before matching, so they can never trigger a rule.
    pub allowlist: Vec<String>,
}

impl Default for DetectionConfig {
    fn default() -> Self {
        DetectionConfig {
            builtin_rules: true,
            model: true,
            rules: Vec::new(),
            disabled_rules: Vec::new(),
            disabled_categories: Vec::new(),
            category_thresholds: BTreeMap::new(),
            allowlist: Vec::new(),
        }
    }
}

/// What the arbiter does when branches are degraded (see [`crate::arbiter`] for the table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DegradedAction {
    /// Leave the branch out: the healthy branches decide, renormalized among themselves.
    Discount,
    /// Block the request: the branch is required.
    Block,
}

/// Per-branch arbiter settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BranchPolicy {
    /// Relative weight in the fused score (> 0).
    pub weight: f32,
    /// What to do when this branch is degraded.
    pub on_degraded: DegradedAction,
}

impl Default for BranchPolicy {
    fn default() -> Self {
        BranchPolicy {
            weight: 1.0,
            on_degraded: DegradedAction::Discount,
        }
    }
}

/// Score floors that raise the fused score when a condition holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BoostConfig {
    /// Floor when any healthy branch is HIGH with confidence >= `high_confidence_min`
    /// (a confident branch is not outvoted by others that saw nothing). 0 disables.
    pub confident_high_floor: u8,
    /// Confidence needed for `confident_high_floor`.
    pub high_confidence_min: f32,
    /// Floor when any healthy branch reports a true critical signal. 0 disables.
    pub critical_signal_floor: u8,
    /// Floor when two or more healthy branches are all HIGH. 0 disables.
    pub unanimous_high_floor: u8,
}

impl Default for BoostConfig {
    fn default() -> Self {
        BoostConfig {
            confident_high_floor: 60,
            high_confidence_min: 0.8,
            critical_signal_floor: 70,
            unanimous_high_floor: 90,
        }
    }
}

/// How branch results are fused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ArbiterConfig {
    /// Fused score at or above which the decision is BLOCK (1-100).
    pub block_score: u8,
    /// Policies by branch name; a branch not listed gets `BranchPolicy::default()`.
    pub branches: BTreeMap<String, BranchPolicy>,
    /// Decision when every branch is degraded: fail-secure BLOCK unless set to `false`.
    pub block_when_all_degraded: bool,
    /// Score floors.
    pub boosts: BoostConfig,
}

impl Default for ArbiterConfig {
    fn default() -> Self {
        let mut branches = BTreeMap::new();
        branches.insert("heuristics".to_string(), BranchPolicy::default());
        ArbiterConfig {
            block_score: 50,
            branches,
            block_when_all_degraded: true,
            boosts: BoostConfig::default(),
        }
    }
}

/// A configuration value that is out of range, malformed or inconsistent.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// The document did not parse (syntax, wrong type or unknown key); the message names the key.
    #[error("config does not parse: {0}")]
    Parse(String),
    /// A value is outside what is allowed.
    #[error("config field `{field}` has value {value}, allowed: {allowed}")]
    Invalid {
        /// Dotted path of the field (`arbiter.block_score`).
        field: String,
        /// The offending value, as written.
        value: String,
        /// What would have been accepted.
        allowed: String,
    },
}

impl ConfigError {
    pub(crate) fn invalid(
        field: impl Into<String>,
        value: impl std::fmt::Display,
        allowed: impl Into<String>,
    ) -> Self {
        ConfigError::Invalid {
            field: field.into(),
            value: value.to_string(),
            allowed: allowed.into(),
        }
    }
}

impl Config {
    /// Parse a TOML document (an empty one gives the defaults).
    pub fn from_toml_str(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// Parse a JSON document (`{}` gives the defaults).
    pub fn from_json_str(text: &str) -> Result<Config, ConfigError> {
        let config: Config =
            serde_json::from_str(text).map_err(|e| ConfigError::Parse(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// Check every value. Rule patterns are checked when the engine compiles them.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.limits.max_input_bytes == 0 || self.limits.max_input_bytes > 64 * 1024 * 1024 {
            return Err(ConfigError::invalid(
                "limits.max_input_bytes",
                self.limits.max_input_bytes,
                "1 ..= 67108864",
            ));
        }
        let n = &self.normalization;
        if n.max_decode_depth > 8 {
            return Err(ConfigError::invalid(
                "normalization.max_decode_depth",
                n.max_decode_depth,
                "0 ..= 8",
            ));
        }
        if n.max_decoded_bytes > 16 * 1024 * 1024 {
            return Err(ConfigError::invalid(
                "normalization.max_decoded_bytes",
                n.max_decoded_bytes,
                "0 ..= 16777216",
            ));
        }
        for (i, rule) in self.detection.rules.iter().enumerate() {
            let field = |name: &str| format!("detection.rules[{i}].{name}");
            if rule.id.trim().is_empty() {
                return Err(ConfigError::invalid(field("id"), "\"\"", "a non-empty id"));
            }
            if rule.category.trim().is_empty() {
                return Err(ConfigError::invalid(
                    field("category"),
                    "\"\"",
                    "a non-empty category",
                ));
            }
            if !(-10.0..=10.0).contains(&rule.weight) {
                return Err(ConfigError::invalid(
                    field("weight"),
                    rule.weight,
                    "-10.0 ..= 10.0",
                ));
            }
            if rule.phrases.is_empty() && rule.patterns.is_empty() {
                return Err(ConfigError::invalid(
                    field("phrases"),
                    "[]",
                    "at least one phrase or pattern",
                ));
            }
            if let Some(p) = rule.phrases.iter().find(|p| p.trim().is_empty()) {
                return Err(ConfigError::invalid(
                    field("phrases"),
                    format!("{p:?}"),
                    "non-empty phrases",
                ));
            }
        }
        for (category, floor) in &self.detection.category_thresholds {
            if *floor > 100 {
                return Err(ConfigError::invalid(
                    format!("detection.category_thresholds.{category}"),
                    floor,
                    "0 ..= 100",
                ));
            }
        }
        if let Some(p) = self
            .detection
            .allowlist
            .iter()
            .find(|p| p.trim().is_empty())
        {
            return Err(ConfigError::invalid(
                "detection.allowlist",
                format!("{p:?}"),
                "non-empty phrases",
            ));
        }
        let a = &self.arbiter;
        if a.block_score == 0 || a.block_score > 100 {
            return Err(ConfigError::invalid(
                "arbiter.block_score",
                a.block_score,
                "1 ..= 100",
            ));
        }
        for (name, policy) in &a.branches {
            if !(policy.weight > 0.0 && policy.weight <= 100.0) {
                return Err(ConfigError::invalid(
                    format!("arbiter.branches.{name}.weight"),
                    policy.weight,
                    "0.0 < weight <= 100.0",
                ));
            }
        }
        let b = &a.boosts;
        for (name, v) in [
            ("confident_high_floor", b.confident_high_floor),
            ("critical_signal_floor", b.critical_signal_floor),
            ("unanimous_high_floor", b.unanimous_high_floor),
        ] {
            if v > 100 {
                return Err(ConfigError::invalid(
                    format!("arbiter.boosts.{name}"),
                    v,
                    "0 ..= 100",
                ));
            }
        }
        if !(0.0..=1.0).contains(&b.high_confidence_min) {
            return Err(ConfigError::invalid(
                "arbiter.boosts.high_confidence_min",
                b.high_confidence_min,
                "0.0 ..= 1.0",
            ));
        }
        self.pii.validate()?;
        Ok(())
    }
}
