//! Counts and scores computed exactly as textstat 0.7.13 computes them (its `en_US` defaults, no
//! rounding), so results can be compared number for number. Where textstat would divide by zero and
//! return 0.0, the score here is `None`.

use serde::Serialize;
use utoipa::ToSchema;

use super::pychars::{is_word, split_ws};
use super::words::{lookup, syllables_lower};

/// What textstat counts in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToSchema)]
pub struct Counts {
    /// Words: white-space separated pieces with at least one letter or digit once punctuation is
    /// removed ("well-known" is one word).
    pub words: u32,
    /// White-space separated pieces including those made only of punctuation (used by ARI).
    pub words_with_punctuation: u32,
    /// Sentences: pieces ending in `.`, `!` or `?`, leaving out pieces of two words or fewer (at least
    /// one sentence when there is any text).
    pub sentences: u32,
    /// Syllables: CMUdict's first pronunciation, or hyphenation points plus one.
    pub syllables: u32,
    /// Letters, digits and underscores.
    pub letters: u32,
    /// Characters other than white space.
    pub characters: u32,
    /// Words of three or more syllables.
    pub polysyllables: u32,
    /// Words of three or more syllables that are not on the Dale–Chall list of easy words (Gunning Fog).
    pub hard_words: u32,
    /// Words that are not on the Dale–Chall list of easy words.
    pub dale_chall_hard_words: u32,
}

/// The seven readability scores. Each is `None` when the text has no words to score.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, ToSchema)]
pub struct Scores {
    /// Flesch Reading Ease: higher is easier; 60 to 70 is plain English.
    pub flesch_reading_ease: Option<f64>,
    /// Flesch–Kincaid grade: the US school grade needed to read the text.
    pub flesch_kincaid_grade: Option<f64>,
    /// SMOG index (a grade, from words of three or more syllables).
    pub smog_index: Option<f64>,
    /// Gunning Fog index (a grade).
    pub gunning_fog: Option<f64>,
    /// Coleman–Liau index (a grade, from letters per word).
    pub coleman_liau_index: Option<f64>,
    /// Automated Readability Index (a grade, from characters per word).
    pub automated_readability_index: Option<f64>,
    /// Dale–Chall readability score (about 4.9 or lower is easy for a 10-year-old).
    pub dale_chall_readability_score: Option<f64>,
}

/// textstat keeps an apostrophe followed by `t`, `s`, `d`, `ve`, `ll` or `re` (case-sensitive).
#[inline]
fn keeps_apostrophe(next: &[u8]) -> bool {
    matches!(next.first(), Some(b't' | b's' | b'd'))
        || next.starts_with(b"ve")
        || next.starts_with(b"ll")
        || next.starts_with(b"re")
}

/// textstat's word after punctuation removal (`remove_punctuation(rm_apostrophe=False)`): word
/// characters are kept, and so are ASCII apostrophes followed by `t`, `s`, `d`, `ve`, `ll` or `re`.
/// Returns false when nothing is left.
fn clean_token(token: &str, out: &mut String) -> bool {
    out.clear();
    let bytes = token.as_bytes();
    for (i, c) in token.char_indices() {
        if is_word(c) || (c == '\'' && keeps_apostrophe(&bytes[i + 1..])) {
            out.push(c);
        }
    }
    !out.is_empty()
}

/// A piece of text holds a word when one of its white-space separated pieces has a word character.
fn count_words(text: &str) -> u32 {
    split_ws(text)
        .filter(|(_, t)| t.chars().any(is_word))
        .count() as u32
}

/// textstat's `count_sentences`: `re.findall(r"\b[^.!?]+[.!?]*", text)`, ignoring pieces of two
/// words or fewer. Every match starts at a word character (the previous match always ends after
/// `.`, `!` or `?`), runs to the next `.!?` and takes the whole run of them.
fn count_sentences(text: &str) -> u32 {
    if text.is_empty() {
        return 0;
    }
    let mut found = 0u32;
    let mut ignored = 0u32;
    let mut rest = text;
    while let Some(start) = rest.find(is_word) {
        let piece = &rest[start..];
        let body = piece.find(['.', '!', '?']).unwrap_or(piece.len());
        let stops = piece[body..]
            .find(|c| !matches!(c, '.' | '!' | '?'))
            .unwrap_or(piece.len() - body);
        let end = body + stops;
        found += 1;
        if count_words(&piece[..end]) <= 2 {
            ignored += 1;
        }
        rest = &piece[end..];
    }
    found.saturating_sub(ignored).max(1)
}

/// Count everything textstat counts, in one pass over the words.
pub fn count(text: &str) -> Counts {
    let mut counts = Counts {
        sentences: count_sentences(text),
        ..Counts::default()
    };
    let mut clean = String::new();
    let mut lower = String::new();
    for (_, token) in split_ws(text) {
        counts.words_with_punctuation += 1;
        if token.is_ascii() {
            // Fast path: letters, characters and the cleaned, lower-cased word in one pass.
            counts.characters += token.len() as u32;
            let bytes = token.as_bytes();
            clean.clear();
            for (i, &b) in bytes.iter().enumerate() {
                if b.is_ascii_alphanumeric() || b == b'_' {
                    counts.letters += 1;
                    clean.push(b.to_ascii_lowercase() as char);
                } else if b == b'\'' && keeps_apostrophe(&bytes[i + 1..]) {
                    clean.push('\'');
                }
            }
            if clean.is_empty() {
                continue;
            }
        } else {
            for c in token.chars() {
                counts.characters += 1;
                if is_word(c) {
                    counts.letters += 1;
                }
            }
            if !clean_token(token, &mut lower) {
                continue;
            }
            clean = lower.to_lowercase();
        }
        counts.words += 1;
        let (syllables, easy) = lookup(&clean);
        counts.syllables += syllables;
        if syllables >= 3 {
            counts.polysyllables += 1;
            if !easy {
                counts.hard_words += 1;
            }
        }
        if !easy {
            counts.dale_chall_hard_words += 1;
        }
    }
    counts
}

/// Syllables in a word or text as textstat's `syllable_count` counts them: punctuation removed as for
/// words, lower-cased, then CMUdict or hyphenation for each word.
pub fn syllables(text: &str) -> u32 {
    let mut clean = String::new();
    let mut total = 0;
    for (_, token) in split_ws(text) {
        if clean_token(token, &mut clean) {
            total += syllables_lower(&clean.to_lowercase());
        }
    }
    total
}

fn ratio(a: u32, b: u32) -> f64 {
    if b == 0 {
        0.0
    } else {
        f64::from(a) / f64::from(b)
    }
}

/// The seven scores from the counts, with textstat's formulas and order of operations.
pub fn scores(c: &Counts) -> Scores {
    let words_per_sentence = ratio(c.words, c.sentences);
    let syllables_per_word = ratio(c.syllables, c.words);
    let defined = words_per_sentence != 0.0 && syllables_per_word != 0.0;
    let flesch_reading_ease =
        defined.then_some(206.835 - 1.015 * words_per_sentence - 84.6 * syllables_per_word);
    let flesch_kincaid_grade =
        defined.then_some((0.39 * words_per_sentence) + (11.8 * syllables_per_word) - 15.59);
    let smog_index = (c.sentences != 0).then(|| {
        (1.043 * (30.0 * (f64::from(c.polysyllables) / f64::from(c.sentences))).powf(0.5)) + 3.1291
    });
    let gunning_fog = (c.words != 0).then(|| {
        let per_hard = f64::from(100 * c.hard_words) / f64::from(c.words);
        0.4 * (words_per_sentence + per_hard)
    });
    let letters = ratio(c.letters, c.words) * 100.0;
    let sentences = ratio(c.sentences, c.words) * 100.0;
    let coleman_liau_index = (letters != 0.0 && sentences != 0.0)
        .then_some((0.058 * letters) - (0.296 * sentences) - 15.8);
    let chars_per_word = ratio(c.characters, c.words_with_punctuation);
    let automated_readability_index = (chars_per_word != 0.0 && words_per_sentence != 0.0)
        .then_some((4.71 * chars_per_word) + (0.5 * words_per_sentence) - 21.43);
    let dale_chall_readability_score = (c.words != 0).then(|| {
        let per_hard = f64::from(100 * c.dale_chall_hard_words) / f64::from(c.words);
        let mut score = (0.1579 * per_hard) + (0.0496 * words_per_sentence);
        if per_hard > 5.0 {
            score += 3.6365;
        }
        score
    });
    Scores {
        flesch_reading_ease,
        flesch_kincaid_grade,
        smog_index,
        gunning_fog,
        coleman_liau_index,
        automated_readability_index,
        dale_chall_readability_score,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchor() {
        let c = count("The cat sat on the mat. It was a sunny day.");
        assert_eq!((c.words, c.sentences, c.syllables), (11, 2, 12));
        let s = scores(&c);
        assert_eq!(s.flesch_reading_ease, Some(108.96159090909092));
        assert_eq!(s.flesch_kincaid_grade, Some(-0.5722727272727273));
    }

    #[test]
    fn apostrophes() {
        let mut out = String::new();
        assert!(clean_token("don't", &mut out));
        assert_eq!(out, "don't");
        clean_token("students'", &mut out);
        assert_eq!(out, "students");
        clean_token("well-known,", &mut out);
        assert_eq!(out, "wellknown");
        clean_token("DON'T", &mut out);
        assert_eq!(out, "DONT");
        assert!(!clean_token("—", &mut out));
    }
}
