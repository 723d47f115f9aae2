//! Results: rounds, medians and ratios per scenario; the table on stdout, the JSON report,
//! the SVG latency plot and the issue's targets.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::Settings;
use super::load::Run;

/// Latency percentiles of one run, in microseconds.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Percentiles {
    p50: f64,
    p90: f64,
    p99: f64,
    p999: f64,
    max: f64,
}

/// One side of one round.
#[derive(Debug, Clone, Serialize)]
pub struct Measurement {
    requests: u64,
    errors: u64,
    seconds: f64,
    throughput: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    mb_per_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    latency_us: Option<Percentiles>,
    /// CPU time per completed request of this process and the bench's nats-server together.
    #[serde(skip_serializing_if = "Option::is_none")]
    cpu_us_per_request: Option<f64>,
    /// The nats-server's part of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    server_cpu_us_per_request: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_error: Option<String>,
}

/// Medians over rounds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    throughput: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    mb_per_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    p50_us: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    p99_us: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cpu_us_per_request: Option<f64>,
    errors: u64,
}

/// Vigil or raw, over every round.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    label: String,
    rounds: Vec<Measurement>,
    median: Summary,
    /// (percentile, µs) over the latencies of every round pooled, for the plot.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    latency_curve: Vec<(f64, f64)>,
    #[serde(skip)]
    pooled_ns: Vec<u64>,
}

/// One comparison: Vigil against the raw ceiling of the same shape.
#[derive(Debug, Clone, Serialize)]
pub struct Scenario {
    mode: &'static str,
    name: String,
    unit: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    offered_rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    concurrency: Option<usize>,
    vigil: Side,
    raw: Side,
    /// Vigil's median throughput over raw's.
    throughput_ratio: f64,
    /// Vigil's median p99 over raw's.
    #[serde(skip_serializing_if = "Option::is_none")]
    p99_ratio: Option<f64>,
    /// Peak runs of the transports, when the engine mode ran too: Vigil's throughput over the
    /// engine's alone on the same prompts (1.0 = the transport costs nothing).
    #[serde(skip_serializing_if = "Option::is_none")]
    vs_engine_alone: Option<f64>,
}

fn side(label: &str) -> Side {
    Side {
        label: label.to_string(),
        rounds: Vec::new(),
        median: Summary::default(),
        latency_curve: Vec::new(),
        pooled_ns: Vec::new(),
    }
}

/// Nearest-rank percentile of sorted values (`p` in 0..=100).
fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

impl Measurement {
    fn from_run(run: Run, side: &mut Side) -> Measurement {
        let mut lat = run.latencies_ns;
        lat.sort_unstable();
        let latency_us = (!lat.is_empty()).then(|| Percentiles {
            p50: percentile(&lat, 50.0) / 1e3,
            p90: percentile(&lat, 90.0) / 1e3,
            p99: percentile(&lat, 99.0) / 1e3,
            p999: percentile(&lat, 99.9) / 1e3,
            max: percentile(&lat, 100.0) / 1e3,
        });
        side.pooled_ns.extend_from_slice(&lat);
        let seconds = run.elapsed.as_secs_f64().max(1e-9);
        let per_request = |cpu: Option<Duration>| {
            cpu.filter(|_| run.completed > 0)
                .map(|c| c.as_secs_f64() * 1e6 / run.completed as f64)
        };
        Measurement {
            requests: run.completed,
            errors: run.errors,
            seconds,
            throughput: run.completed as f64 / seconds,
            mb_per_s: run.bytes.map(|b| b as f64 / seconds / 1e6),
            latency_us,
            cpu_us_per_request: per_request(run.cpu.map(|c| c.process + c.server)),
            server_cpu_us_per_request: per_request(run.cpu.map(|c| c.server)),
            first_error: run.first_error,
        }
    }
}

impl Side {
    fn finish(&mut self) {
        let of = |f: &dyn Fn(&Measurement) -> Option<f64>| {
            median(self.rounds.iter().filter_map(f).collect())
        };
        self.median = Summary {
            throughput: of(&|m| Some(m.throughput)).unwrap_or(0.0),
            mb_per_s: of(&|m| m.mb_per_s),
            p50_us: of(&|m| m.latency_us.map(|l| l.p50)),
            p99_us: of(&|m| m.latency_us.map(|l| l.p99)),
            cpu_us_per_request: of(&|m| m.cpu_us_per_request),
            errors: self.rounds.iter().map(|m| m.errors).sum(),
        };
        let mut pooled = std::mem::take(&mut self.pooled_ns);
        pooled.sort_unstable();
        if !pooled.is_empty() {
            // x = log10(1 / (1 - p)): 0 is the median's left end, 1 = p90, 2 = p99, ...; only
            // as far as the sample count supports.
            let max_x = (pooled.len() as f64).log10().min(4.0);
            let mut x = 0.0;
            while x <= max_x + 1e-9 {
                let p = 100.0 * (1.0 - 10f64.powf(-x));
                self.latency_curve.push((p, percentile(&pooled, p) / 1e3));
                x += 0.1;
            }
            self.latency_curve
                .push((100.0, percentile(&pooled, 100.0) / 1e3));
        }
    }
}

impl Scenario {
    /// An empty scenario.
    pub fn new(
        mode: &'static str,
        name: String,
        unit: &'static str,
        vigil: &str,
        raw: &str,
    ) -> Scenario {
        Scenario {
            mode,
            name,
            unit,
            offered_rate: None,
            concurrency: None,
            vigil: side(vigil),
            raw: side(raw),
            throughput_ratio: 0.0,
            p99_ratio: None,
            vs_engine_alone: None,
        }
    }

    /// Record the offered rate.
    pub fn at_rate(mut self, rate: f64) -> Scenario {
        self.offered_rate = Some(rate);
        self
    }

    /// Record the concurrency.
    pub fn in_flight(mut self, concurrency: usize) -> Scenario {
        self.concurrency = Some(concurrency);
        self
    }

    /// Add one round, and say how it went on stderr.
    pub fn push(&mut self, vigil: Run, raw: Run) {
        let v = Measurement::from_run(vigil, &mut self.vigil);
        let r = Measurement::from_run(raw, &mut self.raw);
        let p99 = |m: &Measurement| {
            m.latency_us
                .map(|l| format!(", p99 {}", ms(l.p99)))
                .unwrap_or_default()
        };
        let cpu = |m: &Measurement| match (m.cpu_us_per_request, m.server_cpu_us_per_request) {
            (Some(all), Some(server)) => format!(", CPU {all:.0} µs/request (server {server:.0})"),
            _ => String::new(),
        };
        super::progress(format_args!(
            "  {} {}: vigil {:.0} {}{}{}{}, raw {:.0}{}{}{}",
            self.mode,
            self.name,
            v.throughput,
            self.unit,
            p99(&v),
            cpu(&v),
            errors(&v),
            r.throughput,
            p99(&r),
            cpu(&r),
            errors(&r),
        ));
        self.vigil.rounds.push(v);
        self.raw.rounds.push(r);
    }

    /// Compute medians, ratios and curves.
    pub fn finish(mut self) -> Scenario {
        self.vigil.finish();
        self.raw.finish();
        self.throughput_ratio = self.vigil.median.throughput / self.raw.median.throughput.max(1e-9);
        self.p99_ratio = match (self.vigil.median.p99_us, self.raw.median.p99_us) {
            (Some(v), Some(r)) if r > 0.0 => Some(v / r),
            _ => None,
        };
        self
    }
}

fn errors(m: &Measurement) -> String {
    match (&m.first_error, m.errors) {
        (_, 0) => String::new(),
        (Some(e), n) => format!(" ({n} errors, first: {e})"),
        (None, n) => format!(" ({n} errors)"),
    }
}

/// Microseconds as a short human figure.
fn ms(us: f64) -> String {
    if us >= 1000.0 {
        format!("{:.2} ms", us / 1000.0)
    } else {
        format!("{us:.0} µs")
    }
}

/// Machine facts recorded with the figures.
#[derive(Debug, Serialize)]
struct Machine {
    cores: usize,
    os: &'static str,
    arch: &'static str,
    /// 1-minute load average at the end of the run (Linux), to judge the noise.
    #[serde(skip_serializing_if = "Option::is_none")]
    load_average: Option<f64>,
}

/// One issue target and whether this run met it.
#[derive(Debug, Serialize)]
struct Target {
    target: String,
    measured: String,
    met: bool,
}

/// The whole report.
#[derive(Debug, Serialize)]
pub struct Report {
    vigil_version: &'static str,
    date: String,
    machine: Machine,
    settings: Settings,
    scenarios: Vec<Scenario>,
    targets: Vec<Target>,
}

/// Today's date (UTC) as YYYY-MM-DD.
pub fn today_utc() -> String {
    let days = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn load_average() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

impl Report {
    /// Assemble the report and check the targets.
    pub fn new(settings: Settings, date: String, mut scenarios: Vec<Scenario>) -> Report {
        let engine_alone = scenarios
            .iter()
            .find(|s| s.mode == "engine" && s.name.contains(" B prompts"))
            .map(|s| s.vigil.median.throughput);
        if let Some(engine) = engine_alone.filter(|e| *e > 0.0) {
            for s in &mut scenarios {
                if s.mode != "engine" && s.offered_rate.is_none() {
                    s.vs_engine_alone = Some(s.vigil.median.throughput / engine);
                }
            }
        }
        let targets = targets(&settings, &scenarios);
        Report {
            vigil_version: env!("CARGO_PKG_VERSION"),
            date,
            machine: Machine {
                cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
                os: std::env::consts::OS,
                arch: std::env::consts::ARCH,
                load_average: load_average(),
            },
            settings,
            scenarios,
            targets,
        }
    }

    /// The table printed on stdout.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "vigil bench, {} ({} cores, load {}), medians of {} rounds\n",
            self.date,
            self.machine.cores,
            self.machine
                .load_average
                .map_or("?".into(), |l| format!("{l:.2}")),
            self.settings.rounds
        );
        let _ = writeln!(
            out,
            "{:<7} {:<26} {:>16} {:>16} {:>7} {:>20} {:>20}",
            "mode", "scenario", "vigil", "raw", "ratio", "vigil p50 / p99", "raw p50 / p99"
        );
        for s in &self.scenarios {
            let lat = |side: &Side| match (side.median.p50_us, side.median.p99_us) {
                (Some(a), Some(b)) => format!("{} / {}", ms(a), ms(b)),
                _ => "-".into(),
            };
            let _ = writeln!(
                out,
                "{:<7} {:<26} {:>16} {:>16} {:>7.3} {:>20} {:>20}",
                s.mode,
                s.name,
                format!("{:.0} {}", s.vigil.median.throughput, s.unit),
                format!("{:.0}", s.raw.median.throughput),
                s.throughput_ratio,
                lat(&s.vigil),
                lat(&s.raw),
            );
            if let (Some(v), Some(r)) = (s.vigil.median.mb_per_s, s.raw.median.mb_per_s) {
                let _ = writeln!(
                    out,
                    "{:<7} {:<26} {:>16} {:>16} {:>7.3}",
                    "",
                    "  (text MB/s)",
                    format!("{v:.2} MB/s"),
                    format!("{r:.2}"),
                    v / r.max(1e-9)
                );
            }
            if let (Some(v), Some(r)) = (
                s.vigil.median.cpu_us_per_request,
                s.raw.median.cpu_us_per_request,
            ) {
                let _ = writeln!(
                    out,
                    "{:<7} {:<26} {:>16} {:>16} {:>7.3}",
                    "",
                    "  (CPU µs per request)",
                    format!("{v:.0} µs"),
                    format!("{r:.0}"),
                    v / r.max(1e-9)
                );
            }
            if let Some(share) = s.vs_engine_alone {
                let _ = writeln!(
                    out,
                    "{:<7} {:<26} {:>16}",
                    "",
                    "  (vs engine alone)",
                    format!("{:.0}%", share * 100.0)
                );
            }
            let errors = s.vigil.median.errors + s.raw.median.errors;
            if errors > 0 {
                let _ = writeln!(
                    out,
                    "{:<7}   errors: vigil {}, raw {}",
                    "", s.vigil.median.errors, s.raw.median.errors
                );
            }
        }
        if !self.targets.is_empty() {
            let _ = writeln!(out, "\ntargets (issue 6):");
            for t in &self.targets {
                let _ = writeln!(
                    out,
                    "  [{}] {}: {}",
                    if t.met { "met" } else { "NOT met" },
                    t.target,
                    t.measured
                );
            }
        }
        out
    }

    /// Latency percentiles per scenario, Vigil against raw, as a standalone SVG.
    pub fn svg(&self) -> String {
        let panels: Vec<&Scenario> = self
            .scenarios
            .iter()
            .filter(|s| !s.vigil.latency_curve.is_empty() && !s.raw.latency_curve.is_empty())
            .collect();
        let (pw, ph) = (460.0, 300.0);
        let cols = 2usize;
        let rows = panels.len().div_ceil(cols).max(1);
        let (width, height) = (pw * cols as f64, ph * rows as f64 + 40.0);
        let mut svg = String::new();
        let _ = writeln!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">"#
        );
        let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
        let _ = writeln!(
            svg,
            r#"<text x="10" y="22" font-size="14">vigil bench {}: latency by percentile (log scales), Vigil (blue) vs raw ceiling (grey), {} cores</text>"#,
            self.date, self.machine.cores
        );
        if panels.is_empty() {
            let _ = writeln!(
                svg,
                r#"<text x="10" y="60">no latency data (engine mode only)</text>"#
            );
        }
        for (i, s) in panels.iter().enumerate() {
            let (ox, oy) = ((i % cols) as f64 * pw, 40.0 + (i / cols) as f64 * ph);
            panel(&mut svg, s, ox, oy, pw, ph);
        }
        svg.push_str("</svg>\n");
        svg
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn panel(svg: &mut String, s: &Scenario, ox: f64, oy: f64, pw: f64, ph: f64) {
    let (left, right, top, bottom) = (ox + 60.0, ox + pw - 20.0, oy + 30.0, oy + ph - 45.0);
    let curves = [&s.vigil.latency_curve, &s.raw.latency_curve];
    let all = || curves.iter().flat_map(|c| c.iter());
    let lo = all().map(|p| p.1).fold(f64::INFINITY, f64::min).max(1.0);
    let hi = all().map(|p| p.1).fold(0.0, f64::max).max(lo * 10.0);
    let (y_lo, y_hi) = (lo.log10().floor(), hi.log10().ceil());
    let x_of = |p: f64| {
        let x = if p >= 100.0 {
            4.3
        } else {
            (1.0 / (1.0 - p / 100.0)).log10().min(4.3)
        };
        left + (right - left) * x / 4.3
    };
    let y_of = |us: f64| bottom - (bottom - top) * (us.max(1.0).log10() - y_lo) / (y_hi - y_lo);
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}" font-size="12">{} {}</text>"#,
        left,
        oy + 18.0,
        s.mode,
        escape(&s.name)
    );
    let _ = writeln!(
        svg,
        r##"<rect x="{left}" y="{top}" width="{}" height="{}" fill="none" stroke="#999"/>"##,
        right - left,
        bottom - top
    );
    let mut decade = y_lo;
    while decade <= y_hi {
        let us = 10f64.powf(decade);
        let y = y_of(us);
        let _ = writeln!(
            svg,
            r##"<line x1="{left}" y1="{y:.1}" x2="{right}" y2="{y:.1}" stroke="#eee"/><text x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
            left - 4.0,
            y + 4.0,
            if us >= 1000.0 {
                format!("{} ms", us / 1000.0)
            } else {
                format!("{us} µs")
            }
        );
        decade += 1.0;
    }
    for (p, label) in [
        (0.0, "0"),
        (50.0, "p50"),
        (90.0, "p90"),
        (99.0, "p99"),
        (99.9, "p99.9"),
        (99.99, "p99.99"),
        (100.0, "max"),
    ] {
        let x = x_of(p);
        let _ = writeln!(
            svg,
            r##"<line x1="{x:.1}" y1="{top}" x2="{x:.1}" y2="{bottom}" stroke="#eee"/><text x="{x:.1}" y="{}" text-anchor="middle">{label}</text>"##,
            bottom + 14.0
        );
    }
    for (curve, color, label) in [
        (&s.raw.latency_curve, "#888", &s.raw.label),
        (&s.vigil.latency_curve, "#1f5fbf", &s.vigil.label),
    ] {
        let points: Vec<String> = curve
            .iter()
            .map(|(p, us)| format!("{:.1},{:.1}", x_of(*p), y_of(*us)))
            .collect();
        let _ = writeln!(
            svg,
            r#"<polyline fill="none" stroke="{color}" stroke-width="2" points="{}"><title>{}</title></polyline>"#,
            points.join(" "),
            escape(label)
        );
    }
    let _ = writeln!(
        svg,
        r##"<text x="{left}" y="{}" fill="#1f5fbf">vigil: {} ({:.0} {})</text><text x="{left}" y="{}" fill="#888">raw: {} ({:.0})</text>"##,
        bottom + 28.0,
        escape(&s.vigil.label),
        s.vigil.median.throughput,
        s.unit,
        bottom + 40.0,
        escape(&s.raw.label),
        s.raw.median.throughput
    );
}

/// The issue's targets, checked against the scenarios that measure them.
fn targets(settings: &Settings, scenarios: &[Scenario]) -> Vec<Target> {
    let find = |mode: &str, prefix: &str| {
        scenarios
            .iter()
            .find(|s| s.mode == mode && s.name.starts_with(prefix))
    };
    let mut out = Vec::new();
    if let Some(peak) = find("sync", "peak") {
        out.push(Target {
            target: "sync >= 70% of raw echo throughput".into(),
            measured: format!("{:.0}%", peak.throughput_ratio * 100.0),
            met: peak.throughput_ratio >= 0.70,
        });
    }
    if let Some(rated) = find("sync", "at ") {
        let p99 = rated.vigil.median.p99_us.unwrap_or(f64::INFINITY);
        let at_1000 = rated.offered_rate == Some(1000.0);
        out.push(Target {
            target: "sync p99 < 2 ms at 1,000 req/s".into(),
            measured: format!(
                "p99 {} at {:.0} req/s offered{}",
                ms(p99),
                rated.offered_rate.unwrap_or(0.0),
                if at_1000 {
                    ""
                } else {
                    " (not the target's rate)"
                }
            ),
            met: at_1000 && p99 < 2000.0 && rated.vigil.median.errors == 0,
        });
    }
    if let Some(peak) = find("async", "peak") {
        out.push(Target {
            target: "async >= 50% of the raw hop ceiling".into(),
            measured: format!("{:.0}%", peak.throughput_ratio * 100.0),
            met: peak.throughput_ratio >= 0.50,
        });
    }
    if let Some(half) = find("async", "at ") {
        let p99 = half.vigil.median.p99_us.unwrap_or(f64::INFINITY);
        out.push(Target {
            target: "async p99 < 20 ms at half its peak rate".into(),
            measured: format!("p99 {}", ms(p99)),
            met: p99 < 20_000.0 && half.vigil.median.errors == 0,
        });
    }
    if let Some(embedded) = find("http", "embedded") {
        let tput = embedded.vigil.median.throughput;
        out.push(Target {
            target: "embedded HTTP >= 20,000 req/s for 1 KB prompts".into(),
            measured: format!(
                "{tput:.0} req/s with {} B prompts, {} in flight",
                settings.size, settings.concurrency
            ),
            met: tput >= 20_000.0 && settings.size >= 1024,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&v, 100.0), 100.0);
        assert_eq!(percentile(&v, 0.0), 1.0);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0]), Some(2.5));
    }

    #[test]
    fn dates_are_civil() {
        let today = today_utc();
        assert_eq!(today.len(), 10, "{today}");
        assert!(today.starts_with("20"), "{today}");
    }
}
