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
    corpus: &Corpus,
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
                        let i = cursor.fetch_add(1, Ordering::Relaxed) % corpus.lines.len();
                        bytes += work(&corpus.lines[i]) as u64;
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

/// Rounds of Vigil (parse + analyze) against raw (parse + byte count).
pub fn run(engine: &Arc<Engine>, corpus: &Corpus, settings: &Settings) -> Scenario {
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
    let mut scenario = Scenario::new(
        "engine",
        format!("all cores ({threads} threads)"),
        "verdicts/s",
        "JSON parse + Engine::analyze",
        "JSON parse + byte count",
    );
    let _ = spread(corpus, threads, settings.warmup(), &vigil);
    for round in 0..settings.rounds {
        progress(format_args!(
            "engine round {}/{}",
            round + 1,
            settings.rounds
        ));
        let (v, r) = if round % 2 == 0 {
            let v = spread(corpus, threads, settings.duration(), &vigil);
            (v, spread(corpus, threads, settings.duration(), &raw))
        } else {
            let r = spread(corpus, threads, settings.duration(), &raw);
            (spread(corpus, threads, settings.duration(), &vigil), r)
        };
        scenario.push(v, r);
    }
    scenario.finish()
}
