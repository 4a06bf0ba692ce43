//! Benchmark of the plain-English checker (not a test). Run by bench/plain-english/run.sh:
//!
//!     cargo run --release -p charter-core --example plain_english_bench -- [FIXTURES.json]
//!
//! Times, on one thread: (1) full analysis (counts, seven scores, reading age and all findings) of a
//! 1,000-word text, (2) the same over the whole parity corpus, and (3) counts and scores only over the
//! corpus. Times are CPU time of the benchmark thread where Linux reports it (so other work on a shared
//! machine does not count), else wall-clock time. Prints a JSON summary on the last line.

use std::time::{Duration, Instant};

use charter_core::plain_english::{analyse, count, scores, warm_up};

/// Time on the CPU for this thread (Linux: /proc/thread-self/schedstat), so other work on a shared
/// machine does not count; wall-clock time elsewhere.
struct Clock {
    wall: Instant,
    cpu: Option<u64>,
}

fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

impl Clock {
    fn start() -> Clock {
        Clock {
            cpu: cpu_ns(),
            wall: Instant::now(),
        }
    }
    fn elapsed(&self) -> Duration {
        let wall = self.wall.elapsed();
        match (self.cpu, cpu_ns()) {
            (Some(a), Some(b)) if b >= a => Duration::from_nanos(b - a),
            _ => wall,
        }
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "crates/charter-core/tests/fixtures/textstat-0.7.13.json".to_string());
    let raw = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let doc: serde_json::Value = serde_json::from_str(&raw).expect("fixtures are JSON");
    let texts: Vec<String> = doc["texts"]
        .as_array()
        .expect("texts")
        .iter()
        .map(|t| t["text"].as_str().expect("text").to_string())
        .collect();
    // Loading the embedded word lists happens once per process; time it separately.
    let started = Instant::now();
    warm_up();
    analyse("Warm up the lists.");
    let warm_up_time = started.elapsed();
    let corpus_words: u64 = texts.iter().map(|t| u64::from(count(t).words)).sum();

    // A 1,000-word text: the register-like texts of the corpus, joined and cut at 1,000 words.
    let register: String = doc["texts"]
        .as_array()
        .expect("texts")
        .iter()
        .filter(|t| {
            t["id"]
                .as_str()
                .is_some_and(|id| id.starts_with("register-full"))
        })
        .map(|t| t["text"].as_str().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n\n");
    let mut cut = 0;
    let mut seen = 0;
    for (i, _) in register.match_indices(char::is_whitespace) {
        if i > cut + 1 && !register[cut..i].trim().is_empty() {
            seen += 1;
        }
        cut = i;
        if seen >= 1000 {
            break;
        }
    }
    let thousand = &register[..cut];
    let words_1000 = count(thousand).words;
    let mut runs = Vec::new();
    let mut findings = 0;
    // Timed in batches of 250 (the kernel updates a thread's CPU time only every few milliseconds);
    // the median batch counts.
    for _ in 0..9 {
        let t = Clock::start();
        let mut a = analyse(thousand);
        for _ in 0..249 {
            a = std::hint::black_box(analyse(thousand));
        }
        runs.push(t.elapsed() / 250);
        findings = a.findings.len();
    }
    let per_1000 = median(runs);

    // The corpus, five passes; the median pass counts.
    let mut passes = Vec::new();
    for _ in 0..5 {
        let t = Clock::start();
        for text in &texts {
            std::hint::black_box(analyse(text));
        }
        passes.push(t.elapsed());
    }
    let corpus_full = median(passes);
    let mut passes = Vec::new();
    for _ in 0..5 {
        let t = Clock::start();
        for text in &texts {
            std::hint::black_box(scores(&count(text)));
        }
        passes.push(t.elapsed());
    }
    let corpus_scores = median(passes);

    let secs = |d: Duration| d.as_secs_f64();
    println!(
        "word lists loaded once in {:.1} ms",
        secs(warm_up_time) * 1e3
    );
    println!(
        "full analysis of a {words_1000}-word text ({findings} findings): {:.3} ms (median of 9 batches of 250)",
        secs(per_1000) * 1e3
    );
    println!(
        "corpus: {} texts, {corpus_words} words; full analysis {:.1} ms ({:.0} words/s, {:.0} texts/s); scores only {:.1} ms ({:.0} words/s)",
        texts.len(),
        secs(corpus_full) * 1e3,
        corpus_words as f64 / secs(corpus_full),
        texts.len() as f64 / secs(corpus_full),
        secs(corpus_scores) * 1e3,
        corpus_words as f64 / secs(corpus_scores),
    );
    println!(
        "{}",
        serde_json::json!({
            "warm_up_ms": secs(warm_up_time) * 1e3,
            "words_1000": words_1000,
            "analyse_1000_words_ms": secs(per_1000) * 1e3,
            "texts": texts.len(),
            "corpus_words": corpus_words,
            "corpus_full_analysis_s": secs(corpus_full),
            "corpus_scores_only_s": secs(corpus_scores),
        })
    );
}
