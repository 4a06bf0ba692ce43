//! The plain-English checker: textstat-compatible readability scores, a reading-age headline and
//! advice a writer can act on. Pure and deterministic: no IO, word lists embedded at build time.
//!
//! ```
//! use charter_core::plain_english::{analyse, Band};
//! let a = analyse("The cat sat on the mat. It was a sunny day. We had fun in the park and went home.");
//! assert_eq!(a.counts.words, 20);
//! assert_eq!(a.band, Some(Band::Target));
//! assert!(a.indicative); // fewer than 100 words: a rough guide
//! assert!(analyse("The cat sat on the mat.").too_short); // under 20 words: no reading age
//! ```

mod findings;
mod hyphen;
mod lists;
mod pychars;
mod reading;
mod text;
mod textstat;
mod words;

use serde::Serialize;
use utoipa::ToSchema;

pub use findings::{Finding, Rule, Severity, Span};
pub use reading::{HIGHEST_AGE_SHOWN, LongestSentence, MIN_WORDS_TO_SCORE, age_in_words, count_of};
pub use textstat::{Counts, Scores, count, scores, syllables};
pub use words::warm_up;

/// Below this many words the reading age is only indicative.
pub const INDICATIVE_BELOW_WORDS: u32 = 100;

/// Everything the checker says about a text.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Analysis {
    /// What was counted, exactly as textstat 0.7.13 counts it.
    pub counts: Counts,
    /// The seven readability scores (textstat 0.7.13-compatible).
    pub scores: Scores,
    /// Sentences as a reader sees them: dotted names ("GOV.UK") and common abbreviations ("e.g.",
    /// "Dr.") do not end a sentence, list items and headings stand alone. The reading age and the
    /// long-sentence advice use this count; `counts.sentences` is textstat's.
    pub sentences: u32,
    /// Reading age: the Flesch–Kincaid grade plus 5, from textstat's words and syllables and the
    /// reader's `sentences`. `None` when there are no words or the text is too short to score.
    pub reading_age: Option<ReadingAge>,
    /// True when the text has words but fewer than 20: too short to give a reading age.
    pub too_short: bool,
    /// The longest sentence, when there is one.
    pub longest_sentence: Option<LongestSentence>,
    /// Up to three of the hardest words (three or more syllables, not everyday words).
    pub hardest_words: Vec<String>,
    /// What to change to bring the reading age down: at least one whenever there is a reading age.
    pub suggestions: Vec<String>,
    /// How the reading age compares with the target. `None` when there is no reading age.
    pub band: Option<Band>,
    /// True when the text has fewer than 100 words, so the reading age is only a rough guide.
    pub indicative: bool,
    /// Advice, in the order it appears in the text.
    pub findings: Vec<Finding>,
}

/// A reading age in years (the age of a reader who could follow the text).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct ReadingAge {
    /// Flesch–Kincaid grade + 5, unrounded.
    pub exact: f64,
    /// Rounded to whole years (never below 0): the number to show.
    pub years: u32,
}

impl std::fmt::Display for ReadingAge {
    /// As people see it: "9", or "over 25" above 25.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&age_in_words(self.years))
    }
}

impl ReadingAge {
    /// From a Flesch–Kincaid grade.
    pub fn from_grade(grade: f64) -> Option<Self> {
        let exact = grade + 5.0;
        exact.is_finite().then(|| ReadingAge {
            exact,
            years: exact.round().max(0.0) as u32,
        })
    }

    /// The band this reading age falls in.
    pub fn band(&self) -> Band {
        Band::for_years(self.years)
    }
}

/// Reading-age bands. "Reading age 9" is the common UK public-sector target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Band {
    /// 9 or under: plain English.
    Target,
    /// 10 to 12: good.
    Good,
    /// 13 to 15: hard to read.
    Hard,
    /// 16 or over: very hard to read.
    VeryHard,
}

impl Band {
    /// The band for a reading age in whole years.
    pub fn for_years(years: u32) -> Band {
        match years {
            0..=9 => Band::Target,
            10..=12 => Band::Good,
            13..=15 => Band::Hard,
            _ => Band::VeryHard,
        }
    }

    /// A stable id for URLs, CSS classes and JSON.
    pub fn slug(self) -> &'static str {
        match self {
            Band::Target => "target",
            Band::Good => "good",
            Band::Hard => "hard",
            Band::VeryHard => "very-hard",
        }
    }

    /// Plain words for people ("reading age 8 — plain English").
    pub fn label(self) -> &'static str {
        match self {
            Band::Target => "plain English",
            Band::Good => "good",
            Band::Hard => "hard to read",
            Band::VeryHard => "very hard to read",
        }
    }
}

/// Analyse a text: counts, scores, reading age and findings. Never panics; any input gives a result.
pub fn analyse(text: &str) -> Analysis {
    let counts = count(text);
    let scores = scores(&counts);
    let doc = text::parse(text);
    let sentences = reading::sentences(&doc, &counts);
    let too_short = counts.words > 0 && counts.words < MIN_WORDS_TO_SCORE;
    let reading_age = if too_short {
        None
    } else {
        reading::grade(&counts, sentences).and_then(ReadingAge::from_grade)
    };
    let longest_sentence = reading::longest_sentence(&doc);
    let hardest_words = reading::hardest_words(&doc);
    let suggestions = reading::suggestions(longest_sentence.as_ref(), &hardest_words);
    Analysis {
        counts,
        scores,
        sentences,
        band: reading_age.map(|r| r.band()),
        reading_age,
        too_short,
        indicative: counts.words < INDICATIVE_BELOW_WORDS,
        findings: findings::find(&doc),
        longest_sentence,
        hardest_words,
        suggestions,
    }
}
