//! Prometheus metrics in the text exposition format, kept by hand: a few counters and
//! histograms behind one mutex are all this server needs.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use vigil_core::Verdict;

/// Upper bounds (seconds) of the latency histogram buckets.
const BUCKETS: [f64; 14] = [
    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        if let Some(i) = BUCKETS.iter().position(|&b| seconds <= b) {
            self.counts[i] += 1;
        }
        self.count += 1;
        self.sum += seconds;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (bound, n) in BUCKETS.iter().zip(self.counts) {
            cumulative += n;
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let _ = writeln!(out, "{name}_sum{{{labels}}} {}", self.sum);
        let _ = writeln!(out, "{name}_count{{{labels}}} {}", self.count);
    }
}

#[derive(Debug, Default)]
struct Inner {
    /// (method, route, status) -> count.
    requests: BTreeMap<(String, String, u16), u64>,
    /// route -> latency.
    request_seconds: BTreeMap<String, Histogram>,
    analysis_seconds: Histogram,
    decisions: BTreeMap<&'static str, u64>,
    pii: BTreeMap<String, u64>,
    /// outcome -> count.
    callbacks: BTreeMap<&'static str, u64>,
}

/// The server's metrics. One per [`crate::Api`].
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    inner: Mutex<Inner>,
}

/// A gauge sampled at scrape time (queue depth, consumer lag).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Gauge {
    pub(crate) name: &'static str,
    pub(crate) help: &'static str,
    pub(crate) labels: Vec<(&'static str, String)>,
    pub(crate) value: f64,
}

impl Metrics {
    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        // A panic while holding the lock cannot leave counters inconsistent enough to matter.
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    /// One finished HTTP request.
    pub(crate) fn record_request(&self, method: &str, route: &str, status: u16, took: Duration) {
        self.with(|m| {
            *m.requests
                .entry((method.to_string(), route.to_string(), status))
                .or_default() += 1;
            m.request_seconds
                .entry(route.to_string())
                .or_default()
                .observe(took.as_secs_f64());
        });
    }

    /// One verdict (sync, batch item or async result) and the time its analysis took.
    pub(crate) fn record_verdict(&self, verdict: &Verdict, took: Duration) {
        self.with(|m| {
            m.analysis_seconds.observe(took.as_secs_f64());
            *m.decisions.entry(verdict.decision.as_str()).or_default() += 1;
            for entity in &verdict.pii {
                *m.pii.entry(entity.entity_type.clone()).or_default() += 1;
            }
        });
    }

    /// One callback that ended (`delivered`, `failed` or `refused`).
    pub(crate) fn record_callback(&self, outcome: &'static str) {
        self.with(|m| *m.callbacks.entry(outcome).or_default() += 1);
    }

    /// The text exposition format, with `gauges` sampled by the caller.
    pub(crate) fn render(&self, gauges: &[Gauge]) -> String {
        let mut out = String::new();
        self.with(|m| {
            out.push_str("# HELP vigil_http_requests_total HTTP requests by method, route and status.\n");
            out.push_str("# TYPE vigil_http_requests_total counter\n");
            for ((method, route, status), n) in &m.requests {
                let _ = writeln!(
                    out,
                    "vigil_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(method),
                    escape(route)
                );
            }
            out.push_str("# HELP vigil_http_request_duration_seconds HTTP request latency by route.\n");
            out.push_str("# TYPE vigil_http_request_duration_seconds histogram\n");
            for (route, h) in &m.request_seconds {
                let labels = format!("route=\"{}\"", escape(route));
                h.render(&mut out, "vigil_http_request_duration_seconds", &labels);
            }
            out.push_str("# HELP vigil_analysis_duration_seconds Time to a verdict (engine run or broker round trip).\n");
            out.push_str("# TYPE vigil_analysis_duration_seconds histogram\n");
            m.analysis_seconds
                .render(&mut out, "vigil_analysis_duration_seconds", "");
            out.push_str("# HELP vigil_decisions_total Verdicts by decision.\n");
            out.push_str("# TYPE vigil_decisions_total counter\n");
            for decision in ["ALLOW", "SANITIZE", "BLOCK"] {
                let n = m.decisions.get(decision).copied().unwrap_or(0);
                let _ = writeln!(out, "vigil_decisions_total{{decision=\"{decision}\"}} {n}");
            }
            out.push_str("# HELP vigil_pii_entities_total PII entities found, by type.\n");
            out.push_str("# TYPE vigil_pii_entities_total counter\n");
            for (kind, n) in &m.pii {
                let _ = writeln!(out, "vigil_pii_entities_total{{type=\"{}\"}} {n}", escape(kind));
            }
            out.push_str("# HELP vigil_callbacks_total Verdict callbacks by outcome.\n");
            out.push_str("# TYPE vigil_callbacks_total counter\n");
            for outcome in ["delivered", "failed", "refused"] {
                let n = m.callbacks.get(outcome).copied().unwrap_or(0);
                let _ = writeln!(out, "vigil_callbacks_total{{outcome=\"{outcome}\"}} {n}");
            }
        });
        let mut last = "";
        for g in gauges {
            if g.name != last {
                let _ = writeln!(out, "# HELP {} {}", g.name, g.help);
                let _ = writeln!(out, "# TYPE {} gauge", g.name);
                last = g.name;
            }
            let labels: Vec<String> = g
                .labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
                .collect();
            let _ = writeln!(out, "{}{{{}}} {}", g.name, labels.join(","), g.value);
        }
        out
    }
}

/// Escape a label value (backslash, quote, newline).
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let metrics = Metrics::default();
        metrics.record_request("POST", "/v1/analyze", 200, Duration::from_micros(300));
        metrics.record_request("POST", "/v1/analyze", 200, Duration::from_secs(60));
        let text = metrics.render(&[]);
        assert!(text.contains(
            "vigil_http_requests_total{method=\"POST\",route=\"/v1/analyze\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "vigil_http_request_duration_seconds_bucket{route=\"/v1/analyze\",le=\"0.0005\"} 1"
        ));
        assert!(text.contains(
            "vigil_http_request_duration_seconds_bucket{route=\"/v1/analyze\",le=\"5\"} 1"
        ));
        assert!(text.contains(
            "vigil_http_request_duration_seconds_bucket{route=\"/v1/analyze\",le=\"+Inf\"} 2"
        ));
    }

    #[test]
    fn gauges_get_one_header_per_name() {
        let g = |v: f64, c: &str| Gauge {
            name: "vigil_x",
            help: "x",
            labels: vec![("consumer", c.to_string())],
            value: v,
        };
        let text = Metrics::default().render(&[g(1.0, "a"), g(2.0, "b\"")]);
        assert_eq!(text.matches("# TYPE vigil_x gauge").count(), 1);
        assert!(text.contains("vigil_x{consumer=\"b\\\"\"} 2"));
    }
}
