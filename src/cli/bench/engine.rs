//! Engine mode: verdicts per second on every core over the corpus, against the same threads
//! doing only what any consumer of the corpus must (parse the JSON line, touch the text).

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::Deserialize;
use vigil::core::{AnalyzeRequest, Engine};

use super::load::Run;
use super::report::Scenario;
use super::{Corpus, Settings, progress};

#[derive(Deserialize)]
struct Line {
    text: String,
}

/// Run `threads` threads over the corpus lines (shared cursor, wrapping) for `duration`;
/// `work` handles one line and returns the text bytes it covered.
fn spread(
    lines: &[String],
    threads: usize,
    duration: Duration,
    work: &(dyn Fn(&str) -> usize + Sync),
) -> Run {
    let cursor = AtomicUsize::new(0);
    let start = Instant::now();
    let deadline = start + duration;
    let parts: Vec<(u64, u64)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let (mut items, mut bytes) = (0u64, 0u64);
                    while Instant::now() < deadline {
                        let i = cursor.fetch_add(1, Ordering::Relaxed) % lines.len();
                        bytes += work(&lines[i]) as u64;
                        items += 1;
                    }
                    (items, bytes)
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    Run {
        completed: parts.iter().map(|p| p.0).sum(),
        bytes: Some(parts.iter().map(|p| p.1).sum()),
        elapsed: start.elapsed(),
        ..Run::default()
    }
}

/// Rounds of Vigil (parse + analyze) against raw (parse + byte count), over the corpus and
/// over the prompts of the other modes.
pub fn run(engine: &Arc<Engine>, corpus: &Corpus, settings: &Settings) -> Vec<Scenario> {
    let threads = settings.threads;
    let vigil = |line: &str| match serde_json::from_str::<Line>(line) {
        Ok(row) => {
            // Both sides count the text's bytes.
            let bytes = row.text.len();
            let verdict = engine.analyze(&AnalyzeRequest::new("bench", row.text));
            black_box(verdict.score);
            bytes
        }
        Err(_) => 0,
    };
    let raw = |line: &str| match serde_json::from_str::<Line>(line) {
        Ok(row) => black_box(row.text.len()),
        Err(_) => 0,
    };
    // The corpus as it is, then the prompts the other modes send (their sizes set by --size),
    // so the transports' figures can be read against the engine's own on the same input.
    let requests: Vec<String> = corpus
        .prompts(settings.size, 64)
        .into_iter()
        .map(|text| serde_json::json!({ "text": text }).to_string())
        .collect();
    let inputs = [
        (format!("corpus, {threads} threads"), &corpus.lines),
        (
            format!("{} B prompts, {threads} threads", settings.size),
            &requests,
        ),
    ];
    let mut scenarios = Vec::new();
    for (name, lines) in inputs {
        let mut scenario = Scenario::new(
            "engine",
            name,
            "verdicts/s",
            "JSON parse + Engine::analyze",
            "JSON parse + byte count",
        );
        let _ = spread(lines, threads, settings.warmup(), &vigil);
        for round in 0..settings.rounds {
            progress(format_args!(
                "engine round {}/{}",
                round + 1,
                settings.rounds
            ));
            let (v, r) = if round % 2 == 0 {
                let v = spread(lines, threads, settings.duration(), &vigil);
                (v, spread(lines, threads, settings.duration(), &raw))
            } else {
                let r = spread(lines, threads, settings.duration(), &raw);
                (spread(lines, threads, settings.duration(), &vigil), r)
            };
            scenario.push(v, r);
        }
        scenarios.push(scenario.finish());
    }
    scenarios
}
