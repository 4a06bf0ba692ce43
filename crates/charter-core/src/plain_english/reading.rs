//! The reading age people see, and what to change to bring it down.
//!
//! The seven scores in `textstat.rs` count sentences exactly as textstat 0.7.13 does, so they can be
//! compared number for number with it; that count splits "GOV.UK" and "e.g." into sentences. The
//! reading age shown to people uses the same formula (Flesch–Kincaid grade plus 5) and the same
//! words and syllables, but counts sentences as a reader sees them (`text.rs`: dotted names and
//! common abbreviations do not end a sentence; list items and headings stand alone). That is the
//! count behind the long-sentence advice too, so the reading age and the advice never disagree.

use serde::Serialize;
use utoipa::ToSchema;

use super::pychars::{is_word, split_ws};
use super::text::Doc;
use super::textstat::{Counts, scores};
use super::words::{FastSet, lookup};

/// Below this many words a text is too short to give a reading age: the writer is asked to say more.
pub const MIN_WORDS_TO_SCORE: u32 = 20;

/// Above this a reading age is shown as "over 25": the formula keeps climbing, readers do not.
pub const HIGHEST_AGE_SHOWN: u32 = 25;

/// How many of the hardest words to name.
const HARDEST_WORDS: usize = 3;

/// A reading age in years, as people see it: "over 25" above 25.
pub fn age_in_words(years: u32) -> String {
    if years > HIGHEST_AGE_SHOWN {
        format!("over {HIGHEST_AGE_SHOWN}")
    } else {
        years.to_string()
    }
}

/// "1 sentence", "2 sentences": a count with its noun.
pub fn count_of(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The longest sentence of a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct LongestSentence {
    /// The sentence as written.
    pub text: String,
    /// Its words, counted as for the reading age.
    pub words: u32,
    /// Where it is in the text (bytes).
    pub start: usize,
    pub end: usize,
}

/// Words in a piece of text, counted as textstat counts them: white-space separated pieces with a
/// letter or digit ("GOV.UK" and "well-known" are one word each).
pub(crate) fn words_in(text: &str) -> u32 {
    split_ws(text)
        .filter(|(_, t)| t.chars().any(is_word))
        .count() as u32
}

/// Sentences as a reader sees them (at least one when there are words).
pub(crate) fn sentences(doc: &Doc, counts: &Counts) -> u32 {
    let n = doc.sentences.len() as u32;
    if counts.words > 0 { n.max(1) } else { n }
}

/// The Flesch–Kincaid grade with textstat's formula and counts, but the reader's sentence count.
pub(crate) fn grade(counts: &Counts, sentences: u32) -> Option<f64> {
    scores(&Counts {
        sentences,
        ..*counts
    })
    .flesch_kincaid_grade
}

pub(crate) fn longest_sentence(doc: &Doc) -> Option<LongestSentence> {
    let mut best: Option<LongestSentence> = None;
    for s in &doc.sentences {
        let text = &doc.text[s.start..s.end];
        let words = words_in(text);
        if best.as_ref().is_none_or(|b| words > b.words) {
            best = Some(LongestSentence {
                text: text.to_string(),
                words,
                start: s.start,
                end: s.end,
            });
        }
    }
    best
}

/// Up to three words of three or more syllables that are not on the list of easy words, most
/// syllables first. Names (capitalised inside a sentence), acronyms and numbers are left out.
pub(crate) fn hardest_words(doc: &Doc) -> Vec<String> {
    let mut seen: FastSet<&str> = FastSet::default();
    let mut found: Vec<(u32, &str)> = Vec::new();
    for s in &doc.sentences {
        for i in s.words.clone() {
            let w = &doc.words[i];
            let capital = w.text.starts_with(char::is_uppercase);
            if (capital && i != s.words.start)
                || w.text.chars().any(char::is_numeric)
                || (w.text.chars().filter(|c| c.is_uppercase()).count() > 1)
            {
                continue;
            }
            let lower = w.lower.strip_suffix("'s").unwrap_or(&w.lower);
            if lower.contains(['-', '\'']) {
                continue;
            }
            let (syllables, easy) = lookup(lower);
            if syllables >= 3 && !easy && seen.insert(lower) {
                let shown = w
                    .text
                    .strip_suffix("'s")
                    .or_else(|| w.text.strip_suffix("’s"));
                found.push((syllables, shown.unwrap_or(w.text)));
            }
        }
    }
    // Stable: words with as many syllables keep the order they appear in.
    found.sort_by_key(|&(syllables, _)| std::cmp::Reverse(syllables));
    found
        .into_iter()
        .take(HARDEST_WORDS)
        .map(|(_, w)| w.to_string())
        .collect()
}

/// What to change to bring a reading age down: at least one suggestion for any text with a reading
/// age (there is always a longest sentence).
pub(crate) fn suggestions(longest: Option<&LongestSentence>, hardest: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(s) = longest {
        let quote = excerpt(&s.text, 12);
        out.push(if s.words > 15 {
            format!(
                "Split the longest sentence ({}) into shorter ones: “{quote}”",
                count_of(u64::from(s.words), "word", "words")
            )
        } else {
            format!(
                "Keep sentences short. The longest has {}: “{quote}”",
                count_of(u64::from(s.words), "word", "words")
            )
        });
    }
    if !hardest.is_empty() {
        let quoted: Vec<String> = hardest.iter().map(|w| format!("‘{w}’")).collect();
        out.push(format!(
            "Use shorter, everyday words instead of {}.",
            list_in_words(&quoted)
        ));
    }
    out
}

/// "a", "a and b", "a, b and c".
fn list_in_words(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The first `words` words of a sentence, with "…" when there is more.
fn excerpt(text: &str, words: usize) -> String {
    let all: Vec<&str> = text.split_whitespace().collect();
    if all.len() > words {
        format!("{} …", all[..words].join(" "))
    } else {
        all.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::super::text::parse;
    use super::*;

    #[test]
    fn ages_over_25_are_shown_as_over_25() {
        assert_eq!(age_in_words(9), "9");
        assert_eq!(age_in_words(25), "25");
        assert_eq!(age_in_words(26), "over 25");
        assert_eq!(age_in_words(40), "over 25");
    }

    #[test]
    fn counts_have_the_right_noun() {
        assert_eq!(count_of(1, "sentence", "sentences"), "1 sentence");
        assert_eq!(count_of(0, "sentence", "sentences"), "0 sentences");
        assert_eq!(count_of(2, "sentence", "sentences"), "2 sentences");
    }

    #[test]
    fn hardest_words_leave_out_names_acronyms_and_numbers() {
        let doc = parse(
            "Algorithmic prioritisation helps Manchester. The NHS uses 2024 figures. We categorise referrals.",
        );
        let hardest = hardest_words(&doc);
        assert!(hardest.contains(&"Algorithmic".to_string()), "{hardest:?}");
        assert!(
            hardest.contains(&"prioritisation".to_string()),
            "{hardest:?}"
        );
        assert!(!hardest.iter().any(|w| w == "Manchester"), "{hardest:?}");
        assert!(hardest.len() <= 3);
    }

    #[test]
    fn there_is_always_a_suggestion_for_a_sentence() {
        let doc = parse("We fix it.");
        let longest = longest_sentence(&doc);
        assert_eq!(longest.as_ref().map(|s| s.words), Some(3));
        let s = suggestions(longest.as_ref(), &hardest_words(&doc));
        assert_eq!(s.len(), 1);
        assert!(s[0].contains("3 words"), "{s:?}");
    }
}
