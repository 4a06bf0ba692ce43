//! The word lists behind the advice, embedded at build time. Sources and licences: NOTICES.md.

use std::sync::LazyLock;

use super::words::{FastMap, FastSet};

const WORDS_TO_AVOID: &str = include_str!("../../data/plain-english/words-to-avoid.tsv");
const FILLER_PHRASES: &str = include_str!("../../data/plain-english/filler-phrases.tsv");
const SPECIALIST_TERMS: &str = include_str!("../../data/plain-english/specialist-terms.tsv");
const ACRONYMS_ALLOWED: &str = include_str!("../../data/plain-english/acronyms-allowed.txt");
const COMMON_LONG_WORDS: &str = include_str!("../../data/plain-english/common-long-words.txt");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Avoid,
    Filler,
    Term,
}

/// One list entry: what to suggest (or, for a specialist term, a plain explanation).
#[derive(Debug)]
pub(crate) struct Entry {
    pub kind: Kind,
    /// The first form, used to name the entry.
    pub name: &'static str,
    pub advice: &'static str,
}

/// A phrase to match: its words (lower case, or exact case when `case_sensitive`).
#[derive(Debug)]
pub(crate) struct Phrase {
    /// As written (compared exactly when `case_sensitive`), else lower case.
    pub words: Vec<String>,
    pub entry: usize,
    pub case_sensitive: bool,
}

pub(crate) struct Phrases {
    pub entries: Vec<Entry>,
    /// Phrases by first word (lower case), longest first.
    pub by_first: FastMap<String, Vec<Phrase>>,
}

fn rows(source: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    source
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
}

fn lines(source: &'static str) -> impl Iterator<Item = &'static str> {
    source
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#') && !l.is_empty())
}

pub(crate) static PHRASES: LazyLock<Phrases> = LazyLock::new(|| {
    let mut phrases = Phrases {
        entries: Vec::new(),
        by_first: FastMap::default(),
    };
    for (kind, source) in [
        (Kind::Avoid, WORDS_TO_AVOID),
        (Kind::Filler, FILLER_PHRASES),
        (Kind::Term, SPECIALIST_TERMS),
    ] {
        for row in rows(source) {
            let (Some(forms), Some(advice)) = (row.first(), row.get(1)) else {
                continue;
            };
            let entry = phrases.entries.len();
            let name = forms.split('|').next().unwrap_or(forms);
            phrases.entries.push(Entry { kind, name, advice });
            for form in forms.split('|') {
                // Forms written in capitals (AI, LLM) only match in capitals.
                let case_sensitive = form.chars().any(char::is_uppercase);
                let words: Vec<String> = form
                    .split(' ')
                    .filter(|w| !w.is_empty())
                    .map(|w| {
                        if case_sensitive {
                            w.to_string()
                        } else {
                            w.to_lowercase()
                        }
                    })
                    .collect();
                let Some(first) = words.first() else { continue };
                phrases
                    .by_first
                    .entry(first.to_lowercase())
                    .or_default()
                    .push(Phrase {
                        words,
                        entry,
                        case_sensitive,
                    });
            }
        }
    }
    for list in phrases.by_first.values_mut() {
        list.sort_by_key(|p| std::cmp::Reverse(p.words.len()));
    }
    phrases
});

pub(crate) static ACRONYMS: LazyLock<FastSet<&'static str>> =
    LazyLock::new(|| lines(ACRONYMS_ALLOWED).collect());

pub(crate) static COMMON_LONG: LazyLock<FastSet<&'static str>> =
    LazyLock::new(|| lines(COMMON_LONG_WORDS).collect());
