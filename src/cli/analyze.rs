//! `vigil analyze`: one JSON verdict per input, in order, on stdout.

use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use serde::Deserialize;
use vigil::core::{AnalyzeOptions, AnalyzeRequest, Engine};

use super::CliError;

/// Arguments of `vigil analyze`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Texts to analyze (each one verdict). Ignored when --input is given.
    pub text: Vec<String>,
    /// JSONL file whose lines carry a `text` field (and optionally `requestId`, `options`);
    /// `-` reads stdin.
    #[arg(long, short)]
    pub input: Option<PathBuf>,
    /// Pretty-print verdicts (one JSON document per input, no longer one per line).
    #[arg(long)]
    pub pretty: bool,
}

/// A JSONL input line. Other fields (labels, ids) are ignored.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Line {
    text: String,
    #[serde(default)]
    request_id: Option<String>,
    #[serde(default)]
    options: AnalyzeOptions,
}

pub fn run(engine: &Engine, args: Args) -> Result<ExitCode, CliError> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let emit = |out: &mut BufWriter<_>, value: &dyn erased::Json| -> std::io::Result<()> {
        value.write(out, args.pretty)?;
        out.write_all(b"\n")
    };
    match &args.input {
        None => {
            if args.text.is_empty() {
                return Err("nothing to analyze: give TEXT arguments or --input FILE".into());
            }
            for (i, text) in args.text.iter().enumerate() {
                let verdict = engine.analyze(&AnalyzeRequest::new(
                    format!("arg-{}", i + 1),
                    text.as_str(),
                ));
                emit(&mut out, &verdict)?;
            }
        }
        Some(path) => {
            let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
                Box::new(std::io::stdin().lock())
            } else {
                let file = std::fs::File::open(path)
                    .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
                Box::new(std::io::BufReader::new(file))
            };
            // Lines are read as bytes so invalid UTF-8 yields an error object, not an abort.
            for (i, line) in reader.split(b'\n').enumerate() {
                let number = i + 1;
                let line = line?;
                match parse_line(&line) {
                    Ok(parsed) => {
                        let request = AnalyzeRequest {
                            request_id: parsed
                                .request_id
                                .unwrap_or_else(|| format!("line-{number}")),
                            text: parsed.text,
                            options: parsed.options,
                            ..AnalyzeRequest::default()
                        };
                        emit(&mut out, &engine.analyze(&request))?;
                    }
                    Err(error) => {
                        let obj = serde_json::json!({"line": number, "error": error});
                        emit(&mut out, &obj)?;
                    }
                }
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn parse_line(bytes: &[u8]) -> Result<Line, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("invalid UTF-8: {e}"))?;
    let text = text.strip_suffix('\r').unwrap_or(text);
    if text.trim().is_empty() {
        return Err("empty line".into());
    }
    serde_json::from_str(text).map_err(|e| format!("invalid JSON line: {e}"))
}

/// Serialize either a verdict or an error object without boxing serde's traits.
mod erased {
    use std::io::Write;

    pub trait Json {
        fn write(&self, out: &mut dyn Write, pretty: bool) -> std::io::Result<()>;
    }

    impl<T: serde::Serialize> Json for T {
        fn write(&self, out: &mut dyn Write, pretty: bool) -> std::io::Result<()> {
            if pretty {
                serde_json::to_writer_pretty(out, self)?;
            } else {
                serde_json::to_writer(out, self)?;
            }
            Ok(())
        }
    }
}
