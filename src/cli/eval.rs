//! `vigil eval`: detection quality on labelled JSONL (`text`, `label`, `set`); files whose rows
//! carry `entities` go to the PII evaluation in `eval_pii`.
//!
//! Counting follows shared/data/README.md: `injection`, `jailbreak` and `attack_other` are
//! attacks (BLOCK is a detection); `benign` measures false positives (BLOCK is one);
//! `harmful` counts in neither and is reported on its own.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use serde::Deserialize;
use vigil::core::{AnalyzeOptions, AnalyzeRequest, Decision, Engine};

use super::CliError;

/// Arguments of `vigil eval`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Labelled JSONL file.
    pub file: PathBuf,
    /// Print the benign rows that were blocked.
    #[arg(long)]
    pub show_fp: bool,
    /// Print the attack rows that were not blocked.
    #[arg(long)]
    pub show_misses: bool,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Deserialize)]
struct Row {
    text: String,
    label: String,
    #[serde(default)]
    set: Option<String>,
    #[serde(default)]
    id: Option<serde_json::Value>,
}

#[derive(Default, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Tally {
    attacks: usize,
    detected: usize,
    benign: usize,
    false_positives: usize,
    harmful: usize,
    harmful_blocked: usize,
}

impl Tally {
    fn add(&mut self, label: &str, blocked: bool) -> Option<bool> {
        let b = usize::from(blocked);
        match label {
            "benign" => {
                self.benign += 1;
                self.false_positives += b;
                Some(!blocked)
            }
            "harmful" => {
                self.harmful += 1;
                self.harmful_blocked += b;
                None
            }
            _ => {
                self.attacks += 1;
                self.detected += b;
                Some(blocked)
            }
        }
    }

    fn rate(n: usize, d: usize) -> Option<f64> {
        (d > 0).then(|| n as f64 / d as f64)
    }
}

fn fmt_rate(r: Option<f64>) -> String {
    r.map_or_else(|| "-".to_string(), |r| format!("{r:.3}"))
}

pub fn run(engine: &Engine, args: Args) -> Result<ExitCode, CliError> {
    if super::eval_pii::is_pii_file(&args.file)? {
        return super::eval_pii::run(
            engine,
            &args.file,
            args.show_fp,
            args.show_misses,
            args.json,
        );
    }
    let mut sets: BTreeMap<String, Tally> = BTreeMap::new();
    let mut overall = Tally::default();
    let options = AnalyzeOptions {
        pii: Some(false),
        evidence: Some(true),
    };
    for super::JsonlLine { number, row, .. } in super::read_jsonl::<Row>(&args.file)? {
        let request = AnalyzeRequest {
            request_id: format!("line-{number}"),
            text: row.text,
            options: options.clone(),
            ..AnalyzeRequest::default()
        };
        let verdict = engine.analyze(&request);
        let blocked = verdict.decision == Decision::Block;
        let set = row.set.unwrap_or_else(|| "-".into());
        let correct = sets
            .entry(set.clone())
            .or_default()
            .add(&row.label, blocked);
        overall.add(&row.label, blocked);
        let show = match (row.label.as_str(), correct) {
            ("benign", Some(false)) => args.show_fp.then_some("FP"),
            (_, Some(false)) => args.show_misses.then_some("MISS"),
            _ => None,
        };
        if let Some(kind) = show {
            let preview: String = request.text.chars().take(160).collect();
            let cats = verdict.categories.join(",");
            let id = row.id.map(|v| v.to_string()).unwrap_or_default();
            println!(
                "{kind}\t{set}\t{id}\tscore={}\t[{cats}]\t{}",
                verdict.score,
                preview.replace(['\n', '\r', '\t'], " ")
            );
        }
    }
    let attack_sets: Vec<f64> = sets
        .values()
        .filter_map(|t| Tally::rate(t.detected, t.attacks))
        .collect();
    let mean_detection = (!attack_sets.is_empty())
        .then(|| attack_sets.iter().sum::<f64>() / attack_sets.len() as f64);
    if args.json {
        let report = serde_json::json!({
            "sets": sets,
            "overall": overall,
            "meanDetectionRate": mean_detection,
            "falsePositiveRate": Tally::rate(overall.false_positives, overall.benign),
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<18} {:>7} {:>9} {:>7} {:>8} {:>8} {:>10}",
        "set", "attacks", "detection", "benign", "FP rate", "harmful", "h.blocked"
    );
    let row = |name: &str, t: &Tally| {
        println!(
            "{:<18} {:>7} {:>9} {:>7} {:>8} {:>8} {:>10}",
            name,
            t.attacks,
            fmt_rate(Tally::rate(t.detected, t.attacks)),
            t.benign,
            fmt_rate(Tally::rate(t.false_positives, t.benign)),
            t.harmful,
            fmt_rate(Tally::rate(t.harmful_blocked, t.harmful)),
        );
    };
    for (name, t) in &sets {
        row(name, t);
    }
    row("overall (pooled)", &overall);
    println!(
        "mean detection rate over sets: {}",
        fmt_rate(mean_detection)
    );
    Ok(ExitCode::SUCCESS)
}
