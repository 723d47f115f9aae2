//! The rule set: built-in rules (TOML compiled into the binary) plus the host's, compiled once
//! into one Aho-Corasick automaton for phrases and regex-automata multi-pattern regexes.
//! Both are linear-time in the input on every pattern.

use std::collections::HashSet;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex_automata::meta::Regex;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input};
use serde::Deserialize;

use crate::config::{ConfigError, DetectionConfig, RuleSpec};

/// The built-in rules, one TOML file per concern.
const BUILTIN: &[(&str, &str)] = &[
    ("rules/core.toml", include_str!("../rules/core.toml")),
    (
        "rules/languages.toml",
        include_str!("../rules/languages.toml"),
    ),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<FileRule>,
}

/// A rule as written in a built-in TOML file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRule {
    id: String,
    category: String,
    weight: f32,
    #[serde(default)]
    phrases: Vec<String>,
    #[serde(default)]
    patterns: Vec<String>,
    /// Patterns matched on the raw text (case-sensitive unless `(?i)`), for structure such as
    /// chat-template markers and line starts.
    #[serde(default)]
    raw_patterns: Vec<String>,
}

/// A compiled rule's metadata.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub id: String,
    pub category: String,
    pub weight: f32,
}

/// Which text a regex runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Normalized,
    Raw,
}

/// Patterns of one target, with the literal triggers that gate them: one Aho-Corasick pass
/// finds which patterns can match at all, and only those run (from their first trigger).
#[derive(Debug)]
struct RegexGroup {
    each: Vec<Regex>,
    rule_of: Vec<usize>,
    triggers: Option<AhoCorasick>,
    /// Trigger literal -> patterns it gates.
    trigger_patterns: Vec<Vec<usize>>,
    /// Per pattern: whether its triggers are prefixes (search from the first one).
    prefix_gated: Vec<bool>,
    /// Patterns without a usable literal prefix; they always run.
    ungated: Vec<usize>,
}

/// The literals that gate a pattern: one of them occurs in every match.
#[derive(Debug)]
struct Gate {
    literals: Vec<Vec<u8>>,
    /// True when every match starts with one of the literals (the search may start there).
    prefix: bool,
}

/// Pick the more selective of the pattern's prefix and suffix literal sets (longer literals
/// are rarer), or `None` when neither is small and specific enough to gate on.
fn gate(pattern: &str, case_insensitive: bool) -> Option<Gate> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .case_insensitive(case_insensitive)
        .build()
        .parse(pattern)
        .ok()?;
    let extract = |kind: ExtractKind| -> Option<Vec<Vec<u8>>> {
        let is_prefix = matches!(kind, ExtractKind::Prefix);
        let mut seq = Extractor::new().kind(kind).limit_total(256).extract(&hir);
        if is_prefix {
            seq.optimize_for_prefix_by_preference();
        } else {
            seq.optimize_for_suffix_by_preference();
        }
        let lits = seq.literals()?;
        if lits.is_empty() || lits.len() > 128 {
            return None;
        }
        Some(lits.iter().map(|l| l.as_bytes().to_vec()).collect())
    };
    let shortest = |l: &Vec<Vec<u8>>| l.iter().map(Vec::len).min().unwrap_or(0);
    let prefix = extract(ExtractKind::Prefix);
    let suffix = extract(ExtractKind::Suffix);
    // Prefix gates allow anchored attempts at each occurrence (cheap); suffix gates need a
    // search of the whole text, so they are used only when the prefixes are too common.
    match (prefix, suffix) {
        (Some(p), _) if shortest(&p) >= 3 => Some(Gate {
            literals: p,
            prefix: true,
        }),
        (_, Some(s)) if shortest(&s) >= 4 => Some(Gate {
            literals: s,
            prefix: false,
        }),
        _ => None,
    }
}

/// A rule hit in some text: rule index and byte range in that text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    pub rule: usize,
    pub start: usize,
    pub end: usize,
}

/// Every rule, compiled.
#[derive(Debug)]
pub(crate) struct RuleSet {
    pub rules: Vec<Rule>,
    phrases: Option<AhoCorasick>,
    phrase_rule: Vec<usize>,
    normalized: Option<RegexGroup>,
    raw: Option<RegexGroup>,
    /// Words used by rules: leetspeak is undone only when it yields one of these.
    pub vocabulary: HashSet<String>,
}

fn compile_group(
    patterns: &[(usize, String)],
    case_insensitive: bool,
    field: &str,
) -> Result<Option<RegexGroup>, ConfigError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    // ASCII classes (`\w`, `\b`, `.` as any byte) keep the automata small and the lazy DFA
    // usable on any input: the normalized views have diacritics stripped already, and Unicode
    // classes would multiply the DFA size by orders of magnitude.
    let syntax = syntax::Config::new()
        .case_insensitive(case_insensitive)
        .unicode(false)
        .utf8(false);
    let fixed: Vec<String> = patterns.iter().map(|(_, p)| p.clone()).collect();
    let mut each = Vec::with_capacity(fixed.len());
    for (i, p) in fixed.iter().enumerate() {
        let r = Regex::builder().syntax(syntax).build(p).map_err(|e| {
            ConfigError::invalid(
                field,
                format!("{:?} ({e})", patterns[i].1),
                "a valid regex-automata pattern",
            )
        })?;
        each.push(r);
    }
    let mut literals: Vec<Vec<u8>> = Vec::new();
    let mut trigger_patterns: Vec<Vec<usize>> = Vec::new();
    let mut ungated = Vec::new();
    let mut prefix_gated = vec![false; fixed.len()];
    for (i, p) in fixed.iter().enumerate() {
        match gate(p, case_insensitive) {
            Some(Gate {
                literals: lits,
                prefix,
            }) => {
                prefix_gated[i] = prefix;
                for lit in lits {
                    match literals.iter().position(|l| *l == lit) {
                        Some(k) => trigger_patterns[k].push(i),
                        None => {
                            literals.push(lit);
                            trigger_patterns.push(vec![i]);
                        }
                    }
                }
            }
            None => ungated.push(i),
        }
    }
    let triggers = if literals.is_empty() {
        None
    } else {
        Some(
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .build(&literals)
                .map_err(|e| ConfigError::invalid(field, e.to_string(), "compilable patterns"))?,
        )
    };
    Ok(Some(RegexGroup {
        each,
        rule_of: patterns.iter().map(|(r, _)| *r).collect(),
        triggers,
        trigger_patterns,
        prefix_gated,
        ungated,
    }))
}

fn vocabulary_words(text: &str, vocab: &mut HashSet<String>) {
    for w in text.split(|c: char| !c.is_alphabetic()) {
        if w.len() >= 2 {
            vocab.insert(w.to_lowercase());
        }
    }
}

impl RuleSet {
    pub(crate) fn new(config: &DetectionConfig) -> Result<RuleSet, ConfigError> {
        let mut specs: Vec<(FileRule, String)> = Vec::new();
        if config.builtin_rules {
            for (name, text) in BUILTIN {
                let file: RuleFile = toml::from_str(text)
                    .map_err(|e| ConfigError::Parse(format!("built-in {name}: {e}")))?;
                for r in file.rule {
                    specs.push((r, format!("built-in {name}")));
                }
            }
        }
        for (
            i,
            RuleSpec {
                id,
                category,
                weight,
                phrases,
                patterns,
            },
        ) in config.rules.iter().enumerate()
        {
            specs.push((
                FileRule {
                    id: id.clone(),
                    category: category.clone(),
                    weight: *weight,
                    phrases: phrases.clone(),
                    patterns: patterns.clone(),
                    raw_patterns: Vec::new(),
                },
                format!("detection.rules[{i}]"),
            ));
        }
        let disabled_rules: HashSet<&str> =
            config.disabled_rules.iter().map(String::as_str).collect();
        let disabled_cats: HashSet<&str> = config
            .disabled_categories
            .iter()
            .map(String::as_str)
            .collect();

        let mut seen = HashSet::new();
        let mut rules = Vec::new();
        let mut phrases = Vec::new();
        let mut phrase_rule = Vec::new();
        let mut normalized = Vec::new();
        let mut raw = Vec::new();
        let mut vocabulary = HashSet::new();
        for (spec, origin) in specs {
            if !seen.insert(spec.id.clone()) {
                return Err(ConfigError::invalid(
                    format!("{origin}.id"),
                    &spec.id,
                    "an id not used by another rule",
                ));
            }
            if disabled_rules.contains(spec.id.as_str())
                || disabled_cats.contains(spec.category.as_str())
            {
                continue;
            }
            let index = rules.len();
            for p in &spec.phrases {
                let folded = crate::normalize::fold_text(p);
                vocabulary_words(&folded, &mut vocabulary);
                phrases.push(folded);
                phrase_rule.push(index);
            }
            for p in spec.patterns {
                vocabulary_words(&p, &mut vocabulary);
                normalized.push((index, p));
            }
            for p in spec.raw_patterns {
                raw.push((index, p));
            }
            rules.push(Rule {
                id: spec.id,
                category: spec.category,
                weight: spec.weight,
            });
        }
        if let Some(unknown) = config.disabled_rules.iter().find(|id| !seen.contains(*id)) {
            return Err(ConfigError::invalid(
                "detection.disabled_rules",
                unknown,
                "ids of existing rules",
            ));
        }
        let ac = if phrases.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .build(&phrases)
                    .map_err(|e| {
                        ConfigError::invalid("detection.rules", e.to_string(), "compilable phrases")
                    })?,
            )
        };
        Ok(RuleSet {
            rules,
            phrases: ac,
            phrase_rule,
            normalized: compile_group(&normalized, false, "detection.rules.patterns")?,
            raw: compile_group(&raw, false, "detection.rules.raw_patterns")?,
            vocabulary,
        })
    }

    /// Phrase hits in a normalized text, at word boundaries.
    pub(crate) fn phrase_hits(&self, text: &str, out: &mut Vec<Hit>) {
        let Some(ac) = &self.phrases else { return };
        let bytes = text.as_bytes();
        let boundary_before = |i: usize| i == 0 || !is_word_byte_before(text, i);
        let boundary_after = |i: usize| i >= bytes.len() || !is_word_byte_at(text, i);
        for m in ac.find_overlapping_iter(text) {
            if boundary_before(m.start()) && boundary_after(m.end()) {
                out.push(Hit {
                    rule: self.phrase_rule[m.pattern().as_usize()],
                    start: m.start(),
                    end: m.end(),
                });
            }
        }
    }

    /// Regex hits in `text` (first match of each matching pattern).
    pub(crate) fn regex_hits(&self, target: Target, text: &str, out: &mut Vec<Hit>) {
        let group = match target {
            Target::Normalized => &self.normalized,
            Target::Raw => &self.raw,
        };
        let Some(group) = group else { return };
        let hit = |i: usize, m: regex_automata::Match| Hit {
            rule: group.rule_of[i],
            start: m.start(),
            end: m.end(),
        };
        for &i in &group.ungated {
            if let Some(m) = group.each[i].find(text) {
                out.push(hit(i, m));
            }
        }
        let Some(ac) = &group.triggers else { return };
        // One pass over the gates. A prefix gate is tried as an anchored search at each
        // occurrence (the automaton dies within a few words when there is no match); a
        // pattern gated by a suffix runs once over the whole text.
        // After MAX_ATTEMPTS failed anchored tries, a pattern falls back to one unanchored
        // search from there: text repeating a trigger word costs one scan, not one per word.
        const MAX_ATTEMPTS: u16 = 128;
        let mut done = vec![false; group.each.len()];
        let mut attempts = vec![0u16; group.each.len()];
        let mut whole = Vec::new();
        for m in ac.find_overlapping_iter(text) {
            for &i in &group.trigger_patterns[m.pattern().as_usize()] {
                if done[i] {
                    continue;
                }
                attempts[i] += 1;
                if !group.prefix_gated[i] || attempts[i] > MAX_ATTEMPTS {
                    done[i] = true;
                    let from = if group.prefix_gated[i] { m.start() } else { 0 };
                    whole.push((i, from));
                    continue;
                }
                let input = Input::new(text).range(m.start()..).anchored(Anchored::Yes);
                if let Some(found) = group.each[i].search(&input) {
                    done[i] = true;
                    out.push(hit(i, found));
                }
            }
        }
        for (i, from) in whole {
            if let Some(found) = group.each[i].search(&Input::new(text).range(from..)) {
                out.push(hit(i, found));
            }
        }
    }
}

fn is_word_byte_before(text: &str, i: usize) -> bool {
    text[..i]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric)
}

fn is_word_byte_at(text: &str, i: usize) -> bool {
    text[i..].chars().next().is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_compile_with_unique_ids() {
        let set = RuleSet::new(&DetectionConfig::default()).unwrap();
        assert!(set.rules.len() > 50, "only {} rules", set.rules.len());
    }

    #[test]
    fn phrases_match_at_word_boundaries_only() {
        let config = DetectionConfig {
            builtin_rules: false,
            rules: vec![RuleSpec {
                id: "t.dan".into(),
                category: "JAILBREAK".into(),
                weight: 3.0,
                phrases: vec!["DAN".into()],
                patterns: vec![],
            }],
            ..DetectionConfig::default()
        };
        let set = RuleSet::new(&config).unwrap();
        let mut hits = Vec::new();
        set.phrase_hits("danger and dance", &mut hits);
        assert!(hits.is_empty());
        set.phrase_hits("you are dan now", &mut hits);
        assert_eq!(hits.len(), 1);
    }

    #[test]
    fn most_patterns_are_gated_by_literal_triggers() {
        let set = RuleSet::new(&DetectionConfig::default()).unwrap();
        let g = set.normalized.as_ref().unwrap();
        assert!(
            g.ungated.len() * 5 < g.each.len(),
            "{} of {} patterns ungated",
            g.ungated.len(),
            g.each.len()
        );
    }

    #[test]
    fn unknown_disabled_rule_is_an_error() {
        let config = DetectionConfig {
            disabled_rules: vec!["no.such.rule".into()],
            ..DetectionConfig::default()
        };
        let err = RuleSet::new(&config).unwrap_err();
        assert!(err.to_string().contains("detection.disabled_rules"));
    }
}
