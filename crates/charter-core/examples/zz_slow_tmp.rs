use charter_core::plain_english::{analyse, count, warm_up};
use std::time::Instant;
fn main() {
    let raw =
        std::fs::read_to_string("crates/charter-core/tests/fixtures/textstat-0.7.13.json").unwrap();
    let doc: serde_json::Value = serde_json::from_str(&raw).unwrap();
    warm_up();
    let mut v = vec![];
    for t in doc["texts"].as_array().unwrap() {
        let text = t["text"].as_str().unwrap();
        let s = Instant::now();
        for _ in 0..5 {
            std::hint::black_box(analyse(text));
        }
        let full = s.elapsed() / 5;
        let s = Instant::now();
        for _ in 0..5 {
            std::hint::black_box(count(text));
        }
        let c = s.elapsed() / 5;
        let w = count(text).words;
        v.push((
            full.as_secs_f64() * 1e6 / w as f64,
            c.as_secs_f64() * 1e6 / w as f64,
            t["id"].as_str().unwrap().to_string(),
            w,
        ));
    }
    v.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap());
    for x in v.iter().take(8) {
        println!(
            "{:.2} us/word full, {:.2} us/word count, {} {}",
            x.0, x.1, x.2, x.3
        );
    }
    for x in v.iter().rev().take(3) {
        println!(
            "{:.2} us/word full, {:.2} us/word count, {} {}",
            x.0, x.1, x.2, x.3
        );
    }
}
