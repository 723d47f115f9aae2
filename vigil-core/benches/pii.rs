//! PII pass vs detection pass on 1 KB prompts, in the same run.
//!
//! `cargo bench -p vigil-core --bench pii` prints criterion's timings and, at the end, the ratio
//! scan_pii / detect for each prompt (read from criterion's estimates).

use std::hint::black_box;

use criterion::{Criterion, criterion_group};
use vigil_core::Engine;

/// About 1 KB of ordinary prompt text without personal data.
fn clean_prompt() -> String {
    let para = "Please summarise the attached quarterly report for the board. Focus on revenue \
growth in the northern region, the delayed product launch, and the hiring plan for 2027. Keep \
it under 300 words, use bullet points, and flag anything that needs a decision before the next \
meeting. The tone should be neutral and factual; avoid marketing language. ";
    para.repeat(4)[..1024].to_string()
}

/// About 1 KB with a dozen entities of different kinds.
fn pii_prompt() -> String {
    let text = "Hi, I'm Anna Nowak (PESEL 44051401359, NIP 123-456-32-18). Please update my \
details: e-mail anna.nowak@example.com, phone +48 601 234 567, card 4111 1111 1111 1111 \
exp 12/28. My IBAN is PL61 1090 1014 0000 0712 1981 2874 and the office line is \
(555) 234-5678. Server 192.168.10.24 keeps rejecting my login; the config has \
password=Sup3rS3cret! and the key AKIAIOSFODNN7EXAMPLE. My colleague's SSN is 054-28-6917 \
and his NHS number is 943 476 5919. Our REGON is 123456785. Can you draft a short letter to \
the bank explaining the situation and asking them to re-issue the card? Thanks a lot, and \
please keep it polite but firm, around two hundred words, in English. Mention that the \
previous request from last week was never answered and that we expect a reply within five \
working days. ";
    let mut s = text.to_string();
    while s.len() < 1024 {
        s.push_str("Thank you. ");
    }
    s.truncate(1024);
    s
}

fn bench(c: &mut Criterion) {
    let engine = Engine::default();
    for (name, prompt) in [("clean_1kb", clean_prompt()), ("pii_1kb", pii_prompt())] {
        let mut group = c.benchmark_group(name);
        group.bench_function("detect", |b| b.iter(|| engine.detect(black_box(&prompt))));
        group.bench_function("scan_pii", |b| {
            b.iter(|| engine.scan_pii(black_box(&prompt)))
        });
        group.finish();
    }
}

criterion_group!(benches, bench);

/// Typical time of one benchmark from criterion's saved estimates (the slope of the linear
/// fit, as criterion prints it, else the mean), in nanoseconds.
fn mean_ns(group: &str, function: &str) -> Option<f64> {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from("target"));
    let path = dir
        .join("criterion")
        .join(group)
        .join(function)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["slope"]["point_estimate"]
        .as_f64()
        .or_else(|| v["mean"]["point_estimate"].as_f64())
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    for group in ["clean_1kb", "pii_1kb"] {
        match (mean_ns(group, "scan_pii"), mean_ns(group, "detect")) {
            (Some(pii), Some(detect)) => println!(
                "{group}: scan_pii {:.1} us, detect {:.1} us, ratio scan_pii/detect = {:.2}",
                pii / 1000.0,
                detect / 1000.0,
                pii / detect
            ),
            _ => println!("{group}: estimates not found (run without a filter to get the ratio)"),
        }
    }
}
