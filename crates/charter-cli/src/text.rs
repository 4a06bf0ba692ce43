//! `charter text check FILE|-`: the plain-English checker on the command line. Prints the reading age,
//! its band, the seven scores and each finding with its line, column and suggested fix, or the same as
//! JSON with `--json`. With `--max-reading-age N` it fails (exit 1) above N, for pipelines.

use std::io::{Read, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use charter_core::plain_english::{
    Analysis, Finding, MIN_WORDS_TO_SCORE, Severity, analyse, count_of,
};
use serde::Serialize;

#[derive(clap::Args, Debug)]
pub struct TextArgs {
    #[command(subcommand)]
    pub command: TextCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum TextCommand {
    /// Check a text for plain English: reading age, scores and advice.
    Check(CheckArgs),
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// The text file to check (UTF-8), or `-` to read standard input.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Print JSON instead of a report.
    #[arg(long)]
    pub json: bool,
    /// Fail (exit status 1) when the reading age is above this. A text too short to give a reading
    /// age does not fail.
    #[arg(long, value_name = "N")]
    pub max_reading_age: Option<u32>,
}

/// Checks the text; `Ok(false)` when it is above `--max-reading-age`.
pub fn run(args: TextArgs) -> anyhow::Result<bool> {
    match args.command {
        TextCommand::Check(check) => {
            let (name, bytes) = read_input(&check.file)?;
            let text = decode(&name, bytes)?;
            let analysis = analyse(&text);
            let output = if check.json {
                json(&name, &text, &analysis)?
            } else {
                report(&name, &text, &analysis)
            };
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            out.write_all(output.as_bytes())
                .and_then(|()| out.flush())
                .context("cannot write to standard output")?;
            let Some(max) = check.max_reading_age else {
                return Ok(true);
            };
            match analysis.reading_age {
                Some(age) if age.years > max => {
                    eprintln!(
                        "charter: {name} has a reading age of {age}, above the most allowed ({max}).\n{}",
                        analysis
                            .suggestions
                            .iter()
                            .map(|s| format!("  - {s}"))
                            .collect::<Vec<_>>()
                            .join("\n")
                    );
                    Ok(false)
                }
                _ => Ok(true),
            }
        }
    }
}

fn read_input(file: &PathBuf) -> anyhow::Result<(String, Vec<u8>)> {
    let mut bytes = Vec::new();
    if file.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        Ok(("standard input".to_string(), bytes))
    } else {
        let name = file.display().to_string();
        let bytes = std::fs::read(file).with_context(|| format!("cannot read {name}"))?;
        Ok((name, bytes))
    }
}

/// The text, or a clear error naming where the first invalid byte is.
pub fn decode(name: &str, bytes: Vec<u8>) -> anyhow::Result<String> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text
            .strip_prefix('\u{feff}')
            .map(str::to_string)
            .unwrap_or(text)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let valid = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
            let (line, column) = line_column(valid, valid.len());
            bail!(
                "{name} is not UTF-8 text: byte {} (line {line}, column {column}) is not valid UTF-8. \
                 Save the file as UTF-8 and try again.",
                at + 1
            )
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn number(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |x| format!("{x:.1}"))
}

/// Shorten long quoted text for one line of the report.
fn excerpt(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 60 {
        let head: String = flat.chars().take(57).collect();
        format!("{head}…")
    } else {
        flat
    }
}

/// The readable report.
pub fn report(name: &str, text: &str, a: &Analysis) -> String {
    let mut out = String::new();
    let c = &a.counts;
    match (&a.reading_age, a.band) {
        (Some(age), Some(band)) => {
            out.push_str(&format!("{name}: reading age {age} ({})\n", band.label()));
        }
        _ if a.too_short => out.push_str(&format!(
            "{name}: too short to give a reading age ({}; it needs {MIN_WORDS_TO_SCORE} or more). \
             Say more.\n",
            count_of(c.words.into(), "word", "words")
        )),
        _ => out.push_str(&format!(
            "{name}: no reading age (there are no words to score)\n"
        )),
    }
    out.push_str(&format!(
        "  {}, {}, {}. Reading age is the Flesch-Kincaid grade plus 5; \
         9 or under is the target.\n",
        count_of(c.words.into(), "word", "words"),
        count_of(a.sentences.into(), "sentence", "sentences"),
        count_of(c.syllables.into(), "syllable", "syllables"),
    ));
    if a.indicative && a.reading_age.is_some() {
        out.push_str("  Fewer than 100 words, so the reading age is only a rough guide.\n");
    }
    if a.reading_age.is_some_and(|r| r.years > 9) && !a.suggestions.is_empty() {
        out.push_str("\nTo bring the reading age down:\n");
        for s in &a.suggestions {
            out.push_str(&format!("  - {s}\n"));
        }
    }
    let s = &a.scores;
    out.push_str(&format!(
        "\nScores (comparable with textstat 0.7.13, which counts {}):\n",
        count_of(c.sentences.into(), "sentence", "sentences")
    ));
    for (label, value) in [
        ("Flesch Reading Ease", s.flesch_reading_ease),
        ("Flesch-Kincaid grade", s.flesch_kincaid_grade),
        ("SMOG index", s.smog_index),
        ("Gunning Fog index", s.gunning_fog),
        ("Coleman-Liau index", s.coleman_liau_index),
        ("Automated Readability Index", s.automated_readability_index),
        ("Dale-Chall score", s.dale_chall_readability_score),
    ] {
        out.push_str(&format!("  {label:<28} {:>6}\n", number(value)));
    }
    if a.findings.is_empty() {
        out.push_str("\nNo advice: nothing to fix.\n");
        return out;
    }
    let warnings = a
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    let advice = a.findings.len() - warnings;
    out.push_str(&format!(
        "\n{} to fix, {} to consider:\n",
        count_of(warnings as u64, "finding", "findings"),
        count_of(advice as u64, "piece of advice", "pieces of advice"),
    ));
    for f in &a.findings {
        let (line, column) = line_column(text, f.span.start);
        let kind = match f.severity {
            Severity::Warning => "",
            Severity::Advice => " (advice)",
        };
        out.push_str(&format!(
            "  {line}:{column}  {}{kind}: {}\n      “{}”\n      Fix: {}\n",
            f.rule.id(),
            f.message,
            excerpt(&f.text),
            f.suggestion
        ));
    }
    out
}

#[derive(Serialize)]
struct JsonReport<'a> {
    file: &'a str,
    #[serde(flatten)]
    analysis: JsonAnalysis<'a>,
}

#[derive(Serialize)]
struct JsonAnalysis<'a> {
    counts: &'a charter_core::plain_english::Counts,
    scores: &'a charter_core::plain_english::Scores,
    sentences: u32,
    reading_age: &'a Option<charter_core::plain_english::ReadingAge>,
    band: Option<charter_core::plain_english::Band>,
    indicative: bool,
    too_short: bool,
    suggestions: &'a [String],
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    line: usize,
    column: usize,
}

/// The analysis as JSON, each finding with its line and column.
pub fn json(name: &str, text: &str, a: &Analysis) -> anyhow::Result<String> {
    let report = JsonReport {
        file: name,
        analysis: JsonAnalysis {
            counts: &a.counts,
            scores: &a.scores,
            sentences: a.sentences,
            reading_age: &a.reading_age,
            band: a.band,
            indicative: a.indicative,
            too_short: a.too_short,
            suggestions: &a.suggestions,
            findings: a
                .findings
                .iter()
                .map(|finding| {
                    let (line, column) = line_column(text, finding.span.start);
                    JsonFinding {
                        finding,
                        line,
                        column,
                    }
                })
                .collect(),
        },
    };
    let mut s = serde_json::to_string_pretty(&report)?;
    s.push('\n');
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        assert_eq!(line_column("ab\ncdé f", 0), (1, 1));
        assert_eq!(line_column("ab\ncdé f", 3), (2, 1));
        assert_eq!(line_column("ab\ncdé f", 8), (2, 5));
    }

    #[test]
    fn invalid_utf8_is_a_clear_error() {
        let err = decode("notes.txt", b"fine\nbad \xff here".to_vec()).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("notes.txt is not UTF-8 text"), "{msg}");
        assert!(msg.contains("line 2, column 5"), "{msg}");
    }

    #[test]
    fn report_and_json() {
        let text = "We will utilise the data in order to help you.\nYou can't opt out, but you can ask us what we hold about you.";
        let a = analyse(text);
        let r = report("t.txt", text, &a);
        assert!(r.contains("t.txt: reading age"), "{r}");
        assert!(r.contains("24 words, 2 sentences, "), "{r}");
        assert!(r.contains("1:9  word-to-avoid"), "{r}");
        assert!(r.contains("Fix: Try ‘use’."), "{r}");
        let j: serde_json::Value = serde_json::from_str(&json("t.txt", text, &a).unwrap()).unwrap();
        assert_eq!(j["findings"][0]["rule"], "word-to-avoid");
        assert_eq!(j["findings"][0]["line"], 1);
        assert!(j["scores"]["flesch_reading_ease"].is_number());
        let short = "We fix bins.";
        let r = report("s", short, &analyse(short));
        assert!(
            r.contains("s: too short to give a reading age (3 words;"),
            "{r}"
        );
        assert!(r.contains("3 words, 1 sentence, 3 syllables."), "{r}");
        let empty = analyse("");
        assert!(report("e", "", &empty).contains("no reading age"));
        let j: serde_json::Value = serde_json::from_str(&json("e", "", &empty).unwrap()).unwrap();
        assert!(j["scores"]["flesch_reading_ease"].is_null());
    }
}
