//! `vigil fit`: fit the scoring model on labelled JSONL and report cross-validated quality.
//!
//! The fitted weights are written as data (`vigil-core/model/model.bin`), compiled into the
//! engine. Figures on rows that were fitted say nothing about unseen data, so `--cv` reports
//! leave-one-set-out (fit on every other set, measure on the set left out) and 5-fold figures.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use serde::Deserialize;
use vigil::core::Engine;
use vigil::core::model::{FitConfig, Model, fit};

use super::CliError;

/// Arguments of `vigil fit`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Labelled JSONL files (`text`, `label`, `set`), read in order; `harmful` rows are left
    /// out. The shipped model is fitted on the dev data and `vigil-core/model/hard-negatives.jsonl`.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Where to write the fitted model (e.g. vigil-core/model/model.bin).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Report leave-one-set-out and 5-fold cross-validated rates.
    #[arg(long)]
    pub cv: bool,
    /// Passes over the data.
    #[arg(long, default_value_t = FitConfig::default().epochs)]
    pub epochs: usize,
    /// L2 strength on n-gram weights.
    #[arg(long, default_value_t = FitConfig::default().l2_ngrams)]
    pub l2: f32,
    /// Loss weight of benign rows relative to attacks.
    #[arg(long, default_value_t = FitConfig::default().benign_weight)]
    pub benign_weight: f32,
    /// AdaGrad learning rate.
    #[arg(long, default_value_t = FitConfig::default().learning_rate)]
    pub learning_rate: f32,
    /// L2 strength on rule-category weights (towards their prior of 1.0) and on each rule's own
    /// weight (towards 0).
    #[arg(long, default_value_t = FitConfig::default().l2_categories)]
    pub l2_categories: f32,
    /// With `--cv`: list the misses and false positives of both methods (method, set, label,
    /// logit, text).
    #[arg(long)]
    pub show_errors: bool,
}

#[derive(Deserialize)]
struct Row {
    text: String,
    label: String,
    #[serde(default)]
    set: Option<String>,
}

struct Example {
    set: String,
    label: String,
    text: String,
    features: vigil::core::model::Features,
    attack: bool,
}

#[derive(Default)]
struct Rates {
    attacks: usize,
    detected: usize,
    benign: usize,
    fp: usize,
}

impl Rates {
    fn add(&mut self, attack: bool, blocked: bool) {
        if attack {
            self.attacks += 1;
            self.detected += usize::from(blocked);
        } else {
            self.benign += 1;
            self.fp += usize::from(blocked);
        }
    }
}

fn rate(n: usize, d: usize) -> String {
    if d == 0 {
        "-".into()
    } else {
        format!("{:.3}", n as f64 / d as f64)
    }
}

fn print_table(title: &str, sets: &BTreeMap<String, Rates>) {
    println!("{title}");
    println!(
        "{:<18} {:>7} {:>9} {:>7} {:>8}",
        "set", "attacks", "detection", "benign", "FP rate"
    );
    let mut total = Rates::default();
    let mut per_set = Vec::new();
    for (name, r) in sets {
        println!(
            "{:<18} {:>7} {:>9} {:>7} {:>8}",
            name,
            r.attacks,
            rate(r.detected, r.attacks),
            r.benign,
            rate(r.fp, r.benign)
        );
        if r.attacks > 0 {
            per_set.push(r.detected as f64 / r.attacks as f64);
        }
        total.attacks += r.attacks;
        total.detected += r.detected;
        total.benign += r.benign;
        total.fp += r.fp;
    }
    println!(
        "{:<18} {:>7} {:>9} {:>7} {:>8}",
        "overall (pooled)",
        total.attacks,
        rate(total.detected, total.attacks),
        total.benign,
        rate(total.fp, total.benign)
    );
    let mean = per_set.iter().sum::<f64>() / per_set.len().max(1) as f64;
    println!("mean detection rate over sets: {mean:.3}\n");
}

fn train(examples: &[&Example], config: &FitConfig) -> Model {
    let data: Vec<_> = examples
        .iter()
        .map(|e| (e.features.clone(), e.attack))
        .collect();
    fit(&data, config)
}

/// Rates per set, and the misclassified rows with their logits, where every row is measured
/// by a model fitted on the other folds (`fold_of` gives a row's fold, below `folds`).
fn cross_validate<'a>(
    examples: &'a [Example],
    config: &FitConfig,
    folds: usize,
    fold_of: impl Fn(usize, &Example) -> usize,
) -> (BTreeMap<String, Rates>, Vec<(&'a Example, f32)>) {
    let mut rates: BTreeMap<String, Rates> = BTreeMap::new();
    let mut errors = Vec::new();
    for fold in 0..folds {
        let (held, train_rows): (Vec<_>, Vec<_>) = examples
            .iter()
            .enumerate()
            .partition(|(i, e)| fold_of(*i, e) == fold);
        let train_rows: Vec<&Example> = train_rows.into_iter().map(|(_, e)| e).collect();
        let model = train(&train_rows, config);
        for (_, e) in held {
            let z = model.logit(&e.features);
            rates
                .entry(e.set.clone())
                .or_default()
                .add(e.attack, z >= 0.0);
            if e.attack != (z >= 0.0) {
                errors.push((e, z));
            }
        }
    }
    (rates, errors)
}

/// One line per misclassified row: method, MISS or FP, set, label, logit, text.
fn print_errors(method: &str, mut errors: Vec<(&Example, f32)>) {
    errors.sort_by(|a, b| (&a.0.set, a.0.attack).cmp(&(&b.0.set, b.0.attack)));
    for (e, z) in errors {
        let kind = if e.attack { "MISS" } else { "FP" };
        let text: String = e
            .text
            .chars()
            .take(200)
            .collect::<String>()
            .replace('\n', " ");
        println!("{method}\t{kind}\t{}\t{}\t{z:+.2}\t{text}", e.set, e.label);
    }
}

pub fn run(engine: &Engine, args: Args) -> Result<ExitCode, CliError> {
    let mut examples = Vec::new();
    let rows = args
        .files
        .iter()
        .map(|file| super::read_jsonl::<Row>(file))
        .collect::<Result<Vec<_>, _>>()?;
    for super::JsonlLine { row, .. } in rows.into_iter().flatten() {
        if row.label == "harmful" {
            continue;
        }
        examples.push(Example {
            set: row.set.unwrap_or_else(|| "-".into()),
            features: engine.features(&row.text),
            attack: row.label != "benign",
            label: row.label,
            text: if args.show_errors {
                row.text
            } else {
                String::new()
            },
        });
    }
    let config = FitConfig {
        epochs: args.epochs,
        l2_ngrams: args.l2,
        benign_weight: args.benign_weight,
        learning_rate: args.learning_rate,
        l2_categories: args.l2_categories,
        ..FitConfig::default()
    };
    if args.cv {
        let sets: Vec<String> = {
            let mut s: Vec<String> = examples.iter().map(|e| e.set.clone()).collect();
            s.sort();
            s.dedup();
            s
        };
        let (loso, loso_errors) = cross_validate(&examples, &config, sets.len(), |_, e| {
            sets.binary_search(&e.set)
                .expect("`sets` holds every row's set")
        });
        print_table(
            "leave-one-set-out (fit on the other sets, measure on this one):",
            &loso,
        );
        const FOLDS: usize = 5;
        let (kfold, errors) = cross_validate(&examples, &config, FOLDS, |i, _| i % FOLDS);
        print_table(
            "5-fold (rows interleaved; every row measured by a model that never saw it):",
            &kfold,
        );
        if args.show_errors {
            print_errors("5-fold", errors);
            print_errors("leave-set-out", loso_errors);
        }
    }
    if let Some(out) = &args.out {
        let all: Vec<&Example> = examples.iter().collect();
        let model = train(&all, &config);
        std::fs::write(out, model.to_bytes())
            .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        println!(
            "model fitted on {} rows written to {}",
            all.len(),
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
