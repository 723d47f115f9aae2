//! Measures what `inline_max_bytes` trades off: the engine's time per analysis at several text
//! sizes against the cost of handing an analysis to tokio's blocking pool.
//!
//! ```text
//! cargo run --release -p vigil-http --example dispatch_cost
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use vigil_core::{AnalyzeRequest, Engine};

fn main() {
    let engine = Arc::new(Engine::default());
    let sentence = "Please summarise this paragraph about the history of Rome for my class. ";
    println!("{:>10}  {:>14}", "text bytes", "analyze (mean)");
    for size in [100usize, 1_000, 4_000, 16_000, 64_000, 256_000, 1_000_000] {
        let text: String = sentence.repeat(size / sentence.len() + 1)[..size].to_string();
        let request = AnalyzeRequest::new("bench", text);
        let rounds = (2_000_000 / size).clamp(3, 1_000) as u32;
        std::hint::black_box(engine.analyze(&request));
        let start = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(engine.analyze(&request));
        }
        println!("{size:>10}  {:>14?}", start.elapsed() / rounds);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let handoff: Duration = runtime.block_on(async {
        let rounds = 20_000u32;
        let start = Instant::now();
        for _ in 0..rounds {
            let _ = tokio::task::spawn_blocking(|| std::hint::black_box(1)).await;
        }
        start.elapsed() / rounds
    });
    println!("spawn_blocking hand-off (mean round trip): {handoff:?}");
}
