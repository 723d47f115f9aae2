//! `vigil eval` on PII-labelled JSONL: rows with `text` and `entities` (`type`, `start`, `end`
//! in Unicode code points). Prints recall and precision per entity type.
//!
//! A gold entity counts as found when a predicted entity of the same type overlaps it; a
//! predicted entity is correct when it overlaps a gold entity of its type. The `exact` column
//! counts gold entities whose span was matched exactly. Dataset type names are mapped to
//! Vigil's (`DOMAIN_NAME` -> `URL`, `PHONE` -> `PHONE_NUMBER`, ...); gold types Vigil does not
//! detect (addresses, organizations, dates) are listed with their recall for honesty.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use serde::Deserialize;
use vigil::core::Engine;

use super::CliError;

/// The pattern-based types with a target of recall >= 0.98 and precision >= 0.95.
const TARGET_TYPES: &[&str] = &[
    "CREDIT_CARD",
    "IBAN_CODE",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "IP_ADDRESS",
    "US_SSN",
];

/// Whether the first row of a JSONL file is PII-labelled (has an `entities` array).
pub fn is_pii_file(file: &Path) -> Result<bool, CliError> {
    let reader =
        std::fs::File::open(file).map_err(|e| format!("cannot open {}: {e}", file.display()))?;
    for line in std::io::BufReader::new(reader).lines() {
        let line = line?;
        if !line.trim().is_empty() {
            return Ok(serde_json::from_str::<serde_json::Value>(&line)
                .ok()
                .is_some_and(|v| v.get("entities").is_some_and(serde_json::Value::is_array)));
        }
    }
    Ok(false)
}

/// Gold type names used by common PII datasets, mapped to Vigil's.
fn normalize_type(t: &str) -> String {
    let upper = t.to_ascii_uppercase();
    let mapped = match upper.as_str() {
        "DOMAIN_NAME" | "URL" => "URL",
        "EMAIL" => "EMAIL_ADDRESS",
        "PHONE" | "PHONE_NUMBER" | "PL_PHONE_NUMBER" => "PHONE_NUMBER",
        "IBAN" => "IBAN_CODE",
        "SSN" => "US_SSN",
        "CARD" | "CREDIT_CARD_NUMBER" => "CREDIT_CARD",
        "IP" => "IP_ADDRESS",
        "PESEL" => "PL_PESEL",
        "NIP" => "PL_NIP",
        "REGON" => "PL_REGON",
        "PER" => "PERSON",
        other => other,
    };
    mapped.to_string()
}

#[derive(Deserialize)]
struct Gold {
    #[serde(rename = "type")]
    entity_type: String,
    start: usize,
    end: usize,
}

#[derive(Deserialize)]
struct Row {
    text: String,
    #[serde(default)]
    entities: Vec<Gold>,
}

#[derive(Default, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Tally {
    gold: usize,
    found: usize,
    exact: usize,
    predicted: usize,
    correct: usize,
}

impl Tally {
    fn recall(&self) -> Option<f64> {
        (self.gold > 0).then(|| self.found as f64 / self.gold as f64)
    }
    fn precision(&self) -> Option<f64> {
        (self.predicted > 0).then(|| self.correct as f64 / self.predicted as f64)
    }
}

fn fmt_rate(r: Option<f64>) -> String {
    r.map_or_else(|| "-".to_string(), |r| format!("{r:.3}"))
}

fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

fn snippet(chars: &[char], start: usize, end: usize) -> String {
    let s: String = chars[start.min(chars.len())..end.min(chars.len())]
        .iter()
        .collect();
    s.replace(['\n', '\r', '\t'], " ")
}

/// Evaluate `file`; `show_fp` prints wrong predictions, `show_misses` missed gold entities.
pub fn run(
    engine: &Engine,
    file: &Path,
    show_fp: bool,
    show_misses: bool,
    json: bool,
) -> Result<ExitCode, CliError> {
    let mut out = std::io::stdout().lock();
    match evaluate(engine, file, show_fp, show_misses, json, &mut out) {
        // `vigil eval ... | head` closes the pipe early; that is not a failure.
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            Ok(ExitCode::SUCCESS)
        }
        other => other,
    }
}

fn evaluate(
    engine: &Engine,
    file: &Path,
    show_fp: bool,
    show_misses: bool,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode, CliError> {
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let (mut rows, mut chars_total) = (0usize, 0usize);
    let mut elapsed = std::time::Duration::ZERO;
    for super::JsonlLine { number, row, .. } in super::read_jsonl::<Row>(file)? {
        let chars: Vec<char> = row.text.chars().collect();
        for g in &row.entities {
            if g.start > g.end || g.end > chars.len() {
                return Err(format!(
                    "{}:{}: entity span {}..{} is outside the text ({} code points)",
                    file.display(),
                    number,
                    g.start,
                    g.end,
                    chars.len()
                )
                .into());
            }
        }
        rows += 1;
        chars_total += chars.len();
        let t0 = Instant::now();
        let report = engine.scan_pii(&row.text);
        elapsed += t0.elapsed();
        let gold: Vec<(String, (usize, usize))> = row
            .entities
            .iter()
            .map(|g| (normalize_type(&g.entity_type), (g.start, g.end)))
            .collect();
        let pred: Vec<(String, (usize, usize))> = report
            .entities
            .iter()
            .map(|e| (e.entity_type.clone(), (e.start, e.end)))
            .collect();
        for (t, span) in &gold {
            let tally = tallies.entry(t.clone()).or_default();
            tally.gold += 1;
            let hit = pred.iter().any(|(pt, ps)| pt == t && overlaps(*ps, *span));
            tally.found += usize::from(hit);
            tally.exact += usize::from(pred.iter().any(|(pt, ps)| pt == t && ps == span));
            if !hit && show_misses {
                writeln!(
                    out,
                    "MISS\tline {}\t{t}\t{}",
                    number,
                    snippet(&chars, span.0, span.1)
                )?;
            }
        }
        for (t, span) in &pred {
            let tally = tallies.entry(t.clone()).or_default();
            tally.predicted += 1;
            let ok = gold.iter().any(|(gt, gs)| gt == t && overlaps(*gs, *span));
            tally.correct += usize::from(ok);
            if !ok && show_fp {
                let gold_there: Vec<&str> = gold
                    .iter()
                    .filter(|(_, gs)| overlaps(*gs, *span))
                    .map(|(gt, _)| gt.as_str())
                    .collect();
                writeln!(
                    out,
                    "FP\tline {}\t{t}\t{}\tgold here: [{}]",
                    number,
                    snippet(&chars, span.0, span.1),
                    gold_there.join(",")
                )?;
            }
        }
    }
    let targets_met = TARGET_TYPES.iter().all(|t| {
        tallies.get(*t).is_none_or(|tally| {
            tally.recall().is_none_or(|r| r >= 0.98) && tally.precision().is_none_or(|p| p >= 0.95)
        })
    });
    let mean_us = if rows > 0 {
        elapsed.as_secs_f64() * 1e6 / rows as f64
    } else {
        0.0
    };
    if json {
        let report = serde_json::json!({
            "rows": rows,
            "types": tallies,
            "targetTypes": TARGET_TYPES,
            "targetsMet": targets_met,
            "meanScanMicros": mean_us,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{:<20} {:>6} {:>8} {:>7} {:>9} {:>8} {:>10}",
        "type", "gold", "recall", "exact", "predicted", "correct", "precision"
    )?;
    let mut names: Vec<&String> = tallies.keys().collect();
    names.sort_by_key(|n| {
        (
            !TARGET_TYPES.contains(&n.as_str()),
            tallies[*n].gold == 0,
            (*n).clone(),
        )
    });
    for name in names {
        let t = &tallies[name];
        let mark = if TARGET_TYPES.contains(&name.as_str()) {
            "*"
        } else {
            " "
        };
        writeln!(
            out,
            "{:<20} {:>6} {:>8} {:>7} {:>9} {:>8} {:>10}",
            format!("{mark}{name}"),
            t.gold,
            fmt_rate(t.recall()),
            t.exact,
            t.predicted,
            t.correct,
            fmt_rate(t.precision()),
        )?;
    }
    writeln!(
        out,
        "rows: {rows}, mean text {:.0} chars, mean scan_pii time {mean_us:.1} us (debug builds are slower)",
        if rows > 0 {
            chars_total as f64 / rows as f64
        } else {
            0.0
        }
    )?;
    writeln!(
        out,
        "* target types (recall >= 0.98, precision >= 0.95): {}",
        if targets_met {
            "all met"
        } else {
            "NOT all met"
        }
    )?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_recall_and_precision_per_type() {
        let dir = std::env::temp_dir().join(format!("vigil-eval-pii-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("pii.jsonl");
        let rows = [
            // Found exactly.
            r#"{"text": "Mail jan@example.com now", "entities": [{"type": "EMAIL_ADDRESS", "start": 5, "end": 20}]}"#,
            // Gold in dataset naming, code-point offsets after a multi-byte char.
            r#"{"text": "Żółw: https://example.org/x", "entities": [{"type": "DOMAIN_NAME", "start": 6, "end": 27}]}"#,
            // Missed (not detected by design) and a prediction without gold.
            r#"{"text": "Anna lives at 12 Main St, SSN 054-28-6917", "entities": [{"type": "STREET_ADDRESS", "start": 14, "end": 24}]}"#,
        ];
        std::fs::write(&file, rows.join("\n")).unwrap();
        let engine = Engine::default();
        let mut out = Vec::new();
        evaluate(&engine, &file, false, false, true, &mut out).unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let t = &report["types"];
        assert_eq!(t["EMAIL_ADDRESS"]["found"], 1);
        assert_eq!(t["EMAIL_ADDRESS"]["exact"], 1);
        assert_eq!(t["URL"]["found"], 1);
        assert_eq!(t["STREET_ADDRESS"]["found"], 0);
        assert_eq!(t["US_SSN"]["predicted"], 1);
        assert_eq!(t["US_SSN"]["correct"], 0);
        assert_eq!(report["rows"], 3);

        std::fs::write(
            &file,
            r#"{"text": "x", "entities": [{"type": "EMAIL", "start": 0, "end": 9}]}"#,
        )
        .unwrap();
        let err = evaluate(&engine, &file, false, false, true, &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("outside the text"), "{err}");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn dataset_type_names_map_to_vigil_names() {
        assert_eq!(normalize_type("DOMAIN_NAME"), "URL");
        assert_eq!(normalize_type("phone"), "PHONE_NUMBER");
        assert_eq!(normalize_type("PERSON"), "PERSON");
    }
}
