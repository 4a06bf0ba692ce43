//! Parity with textstat 0.7.13 on the committed corpus (tests/fixtures/textstat-0.7.13.json, made by
//! scripts/textstat-fixtures/generate.py). No Python needed.

use charter_core::plain_english::{Counts, Scores, count, scores};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixtures {
    texts: Vec<Fixture>,
}

#[derive(Deserialize)]
struct Fixture {
    id: String,
    text: String,
    counts: FixtureCounts,
    scores: FixtureScores,
}

#[derive(Deserialize)]
struct FixtureCounts {
    words: u32,
    words_raw: u32,
    sentences: u32,
    syllables: u32,
    letters: u32,
    chars: u32,
    polysyllables: u32,
    fog_hard_words: u32,
    dale_chall_hard_words: u32,
}

#[derive(Deserialize)]
struct FixtureScores {
    flesch_reading_ease: f64,
    flesch_kincaid_grade: f64,
    smog_index: f64,
    gunning_fog: f64,
    coleman_liau_index: f64,
    automated_readability_index: f64,
    dale_chall_readability_score: f64,
}

fn fixtures() -> Vec<Fixture> {
    let raw = include_str!("fixtures/textstat-0.7.13.json");
    serde_json::from_str::<Fixtures>(raw)
        .expect("fixtures parse")
        .texts
}

fn measured(f: &Fixture) -> (Counts, Scores) {
    let c = count(&f.text);
    (c, scores(&c))
}

#[test]
fn corpus_is_big_enough() {
    let texts = fixtures();
    assert!(texts.len() >= 500, "{} texts", texts.len());
    for f in &texts {
        assert!(
            (50..=2000).contains(&f.counts.words),
            "{}: {} words",
            f.id,
            f.counts.words
        );
    }
}

#[test]
fn counts_match_exactly() {
    let mut failures = Vec::new();
    for f in &fixtures() {
        let (c, _) = measured(f);
        let want = &f.counts;
        let got = (
            c.words,
            c.words_with_punctuation,
            c.sentences,
            c.letters,
            c.characters,
        );
        let expected = (
            want.words,
            want.words_raw,
            want.sentences,
            want.letters,
            want.chars,
        );
        if got != expected {
            failures.push(format!("{}: got {got:?}, textstat {expected:?}", f.id));
        }
    }
    assert!(
        failures.is_empty(),
        "{} texts differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn syllable_counts_match_on_at_least_99_5_percent() {
    let texts = fixtures();
    let mut differ = Vec::new();
    for f in &texts {
        let (c, _) = measured(f);
        let got = (
            c.syllables,
            c.polysyllables,
            c.hard_words,
            c.dale_chall_hard_words,
        );
        let want = (
            f.counts.syllables,
            f.counts.polysyllables,
            f.counts.fog_hard_words,
            f.counts.dale_chall_hard_words,
        );
        if got != want {
            differ.push(format!("{}: got {got:?}, textstat {want:?}", f.id));
        }
    }
    let exact = (texts.len() - differ.len()) as f64 / texts.len() as f64;
    eprintln!(
        "syllable-based counts exact on {:.2}% of {} texts",
        exact * 100.0,
        texts.len()
    );
    assert!(exact >= 0.995, "{}", differ.join("\n"));
}

fn check(
    name: &str,
    id: &str,
    got: Option<f64>,
    want: f64,
    tolerance: f64,
    worst: &mut f64,
) -> Option<String> {
    let Some(got) = got else {
        return Some(format!("{id}: {name} is None, textstat {want}"));
    };
    assert!(got.is_finite());
    let diff = (got - want).abs();
    *worst = worst.max(diff);
    (diff > tolerance).then(|| format!("{id}: {name} {got} vs textstat {want} (off by {diff})"))
}

#[test]
fn scores_within_tolerance() {
    let mut failures = Vec::new();
    let mut worst = [0.0f64; 7];
    for f in &fixtures() {
        let (_, s) = measured(f);
        let w = &f.scores;
        let checks = [
            ("FRE", s.flesch_reading_ease, w.flesch_reading_ease, 0.5),
            ("FKGL", s.flesch_kincaid_grade, w.flesch_kincaid_grade, 0.1),
            ("SMOG", s.smog_index, w.smog_index, 0.1),
            ("Fog", s.gunning_fog, w.gunning_fog, 0.1),
            (
                "Dale-Chall",
                s.dale_chall_readability_score,
                w.dale_chall_readability_score,
                0.05,
            ),
            (
                "ARI",
                s.automated_readability_index,
                w.automated_readability_index,
                1e-9,
            ),
            (
                "Coleman-Liau",
                s.coleman_liau_index,
                w.coleman_liau_index,
                1e-9,
            ),
        ];
        for (n, (name, got, want, tolerance)) in checks.into_iter().enumerate() {
            failures.extend(check(name, &f.id, got, want, tolerance, &mut worst[n]));
        }
    }
    eprintln!(
        "largest differences: FRE {:e}, FKGL {:e}, SMOG {:e}, Fog {:e}, Dale-Chall {:e}, ARI {:e}, Coleman-Liau {:e}",
        worst[0], worst[1], worst[2], worst[3], worst[4], worst[5], worst[6]
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn anchor_sentence() {
    let c = count("The cat sat on the mat. It was a sunny day.");
    assert_eq!((c.words, c.sentences, c.syllables), (11, 2, 12));
    let s = scores(&c);
    assert_eq!(s.flesch_reading_ease, Some(108.96159090909092));
    assert_eq!(s.flesch_kincaid_grade, Some(-0.5722727272727273));
}

#[test]
fn syllables_per_word_match() {
    // Words CMUdict lacks (pyphen's hyphenation decides), made-up words and a sample of CMUdict words.
    let raw = include_str!("fixtures/textstat-0.7.13-syllables.json");
    let table: std::collections::BTreeMap<String, u32> = serde_json::from_str(raw).expect("parses");
    assert!(table.len() >= 5000);
    let differ: Vec<String> = table
        .iter()
        .filter(|(w, n)| charter_core::plain_english::syllables(w) != **n)
        .map(|(w, n)| {
            format!(
                "{w}: got {}, textstat {n}",
                charter_core::plain_english::syllables(w)
            )
        })
        .collect();
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}
