//! Advice a writer can act on: each finding names its rule, the span of text it is about, a short
//! message and one suggested fix.

use serde::Serialize;
use utoipa::ToSchema;

use super::lists::{ACRONYMS, COMMON_LONG, Kind, PHRASES};
use super::reading::words_in;
use super::text::{Doc, Sentence, Word};
use super::words::{FastSet, lookup};

/// Sentences longer than this many words get advice.
pub const LONG_SENTENCE_WORDS: usize = 25;
/// Sentences longer than this many words are very long.
pub const VERY_LONG_SENTENCE_WORDS: usize = 35;
/// Paragraphs with more sentences than this get advice.
pub const LONG_PARAGRAPH_SENTENCES: usize = 5;

/// What a finding is about. The ids are stable (they appear in JSON and URLs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// A sentence of more than 25 words (up to 35).
    LongSentence,
    /// A sentence of more than 35 words.
    VeryLongSentence,
    /// A paragraph of more than 5 sentences.
    LongParagraph,
    /// A word or phrase with a plainer alternative ("utilise": "use").
    WordToAvoid,
    /// A long word that many readers may not know.
    LongUncommonWord,
    /// A specialist term (algorithm, machine learning, …) used without an explanation.
    SpecialistTerm,
    /// An acronym that is not spelled out the first time it is used.
    Acronym,
    /// A sentence that may be in the passive voice (advice only).
    PassiveVoice,
    /// "e.g.", "i.e." or "etc".
    LatinAbbreviation,
    /// A negative contraction such as "can't" or "don't".
    NegativeContraction,
    /// A phrase that adds words but not meaning ("in order to", "please note").
    FillerPhrase,
}

impl Rule {
    /// Every rule, in the order they are documented.
    pub const ALL: [Rule; 11] = [
        Rule::LongSentence,
        Rule::VeryLongSentence,
        Rule::LongParagraph,
        Rule::WordToAvoid,
        Rule::LongUncommonWord,
        Rule::SpecialistTerm,
        Rule::Acronym,
        Rule::PassiveVoice,
        Rule::LatinAbbreviation,
        Rule::NegativeContraction,
        Rule::FillerPhrase,
    ];

    /// The stable id, as in JSON.
    pub fn id(self) -> &'static str {
        match self {
            Rule::LongSentence => "long-sentence",
            Rule::VeryLongSentence => "very-long-sentence",
            Rule::LongParagraph => "long-paragraph",
            Rule::WordToAvoid => "word-to-avoid",
            Rule::LongUncommonWord => "long-uncommon-word",
            Rule::SpecialistTerm => "specialist-term",
            Rule::Acronym => "acronym",
            Rule::PassiveVoice => "passive-voice",
            Rule::LatinAbbreviation => "latin-abbreviation",
            Rule::NegativeContraction => "negative-contraction",
            Rule::FillerPhrase => "filler-phrase",
        }
    }

    /// How much the finding matters.
    pub fn severity(self) -> Severity {
        match self {
            Rule::PassiveVoice => Severity::Advice,
            _ => Severity::Warning,
        }
    }
}

/// Warnings are worth fixing; advice is for the writer to judge (passive voice is sometimes right).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Warning,
    Advice,
}

/// A byte range in the analysed text (`start..end`, on character boundaries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ToSchema)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// One piece of advice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Severity,
    /// Where in the text (bytes).
    pub span: Span,
    /// The text the finding is about (for long sentences and paragraphs, the whole of it).
    pub text: String,
    /// What is wrong, in a few words.
    pub message: String,
    /// One suggested fix.
    pub suggestion: String,
}

struct Out<'a> {
    text: &'a str,
    findings: Vec<Finding>,
}

impl Out<'_> {
    fn push(&mut self, rule: Rule, start: usize, end: usize, message: String, suggestion: String) {
        self.findings.push(Finding {
            rule,
            severity: rule.severity(),
            span: Span { start, end },
            text: self.text[start..end].to_string(),
            message,
            suggestion,
        });
    }
}

/// All findings for a parsed text, in text order.
pub(crate) fn find(doc: &Doc) -> Vec<Finding> {
    let text = doc.text;
    let mut out = Out {
        text,
        findings: Vec::new(),
    };
    sentence_length(doc, &mut out);
    paragraph_length(doc, &mut out);
    let mut flagged = vec![false; doc.words.len()];
    phrases(doc, &mut out, &mut flagged);
    acronyms(doc, &mut out, &mut flagged);
    long_words(doc, &mut out, &flagged);
    passive_voice(doc, &mut out);
    latin(text, &mut out);
    contractions(doc, &mut out);
    out.findings.sort_by(|a, b| {
        (a.span.start, a.rule, a.span.end).cmp(&(b.span.start, b.rule, b.span.end))
    });
    out.findings
}

fn quoted(s: &str) -> String {
    format!("‘{s}’")
}

fn sentence_length(doc: &Doc, out: &mut Out) {
    for s in &doc.sentences {
        // Words counted as for the reading age ("GOV.UK" is one word).
        let n = words_in(&doc.text[s.start..s.end]) as usize;
        if n > VERY_LONG_SENTENCE_WORDS {
            out.push(
                Rule::VeryLongSentence,
                s.start,
                s.end,
                format!("This sentence has {n} words, which is very long."),
                format!(
                    "Split it into shorter sentences of {LONG_SENTENCE_WORDS} words or fewer, with one idea in each."
                ),
            );
        } else if n > LONG_SENTENCE_WORDS {
            out.push(
                Rule::LongSentence,
                s.start,
                s.end,
                format!("This sentence has {n} words."),
                format!(
                    "Aim for {LONG_SENTENCE_WORDS} words or fewer: split it into two sentences."
                ),
            );
        }
    }
}

fn paragraph_length(doc: &Doc, out: &mut Out) {
    for p in &doc.paragraphs {
        let n = doc.sentences[p.sentences.clone()]
            .iter()
            .filter(|s| !s.block)
            .count();
        if n > LONG_PARAGRAPH_SENTENCES {
            out.push(
                Rule::LongParagraph,
                p.start,
                p.end,
                format!("This paragraph has {n} sentences."),
                format!(
                    "Split it into shorter paragraphs of {LONG_PARAGRAPH_SENTENCES} sentences or fewer."
                ),
            );
        }
    }
}

/// Words that, before "model", mean it is not the technical kind.
const NOT_TECHNICAL_MODEL: &[&str] = &[
    "role",
    "business",
    "operating",
    "delivery",
    "service",
    "care",
    "funding",
    "staffing",
    "financial",
    "cost",
    "pricing",
    "governance",
    "partnership",
    "working",
    "hybrid",
    "new",
];

/// Does the text right after a term, or the words before it, explain it?
fn explained(doc: &Doc, sentence: Option<&Sentence>, first: usize, last: usize) -> bool {
    let end = doc.words[last].end;
    // Only the next few words matter; looking no further keeps long texts linear.
    let mut limit = sentence
        .map_or(doc.text.len(), |s| s.end)
        .max(end)
        .min(end + 80);
    while !doc.text.is_char_boundary(limit) {
        limit -= 1;
    }
    let after = doc.text[end..limit].trim_start();
    if after.starts_with(['(', '—', '–', ':']) || after.starts_with("- ") {
        return true;
    }
    let after = after
        .strip_prefix(',')
        .unwrap_or(after)
        .trim_start()
        .to_lowercase();
    const AFTER: &[&str] = &[
        "is a ",
        "is an ",
        "is the ",
        "is when ",
        "is where ",
        "is how ",
        "is software",
        "is computer",
        "is used to mean",
        "are a ",
        "are sets ",
        "are computer",
        "are software",
        "means ",
        "mean ",
        "refers to ",
        "refer to ",
        "which is ",
        "which are ",
        "which means ",
        "that is ",
        "or ",
        "in other words",
        "a ",
        "an ",
    ];
    if AFTER.iter().any(|p| after.starts_with(p)) {
        return true;
    }
    let from = sentence.map_or(0, |s| s.words.start);
    let before: Vec<&str> = doc.words[from.max(first.saturating_sub(3))..first]
        .iter()
        .map(|w| w.lower.as_ref())
        .collect();
    before
        .iter()
        .any(|w| matches!(*w, "called" | "termed" | "named" | "explain" | "explains"))
        || before.windows(2).any(|w| w == ["known", "as"])
}

fn sentence_of<'d>(doc: &'d Doc, word: usize) -> Option<&'d Sentence> {
    let i = doc.sentences.partition_point(|s| s.words.end <= word);
    doc.sentences.get(i).filter(|s| s.words.contains(&word))
}

/// Words to avoid, filler phrases and specialist terms: one pass matching the longest phrase.
fn phrases(doc: &Doc, out: &mut Out, flagged: &mut [bool]) {
    let lists = &*PHRASES;
    // Specialist terms: explained anywhere, or first unexplained use.
    let mut term_first: Vec<Option<(usize, usize)>> = vec![None; lists.entries.len()];
    let mut term_explained = vec![false; lists.entries.len()];
    let words = &doc.words;
    let mut i = 0;
    while i < words.len() {
        let Some(candidates) = lists.by_first.get(words[i].lower.as_ref()) else {
            i += 1;
            continue;
        };
        let matched = candidates.iter().find(|p| {
            let n = p.words.len();
            i + n <= words.len()
                && p.words.iter().enumerate().all(|(k, w)| {
                    let word = &words[i + k];
                    let same = if p.case_sensitive {
                        word.text == w
                    } else {
                        word.lower == *w
                    };
                    // Words of a phrase are separated by white space only.
                    same && (k == 0 || doc.text[words[i + k - 1].end..word.start].trim().is_empty())
                })
        });
        let Some(phrase) = matched else {
            i += 1;
            continue;
        };
        let last = i + phrase.words.len() - 1;
        let entry = &lists.entries[phrase.entry];
        let (start, end) = (words[i].start, words[last].end);
        match entry.kind {
            Kind::Avoid | Kind::Filler => {
                let leave_out = entry.advice.starts_with("leave it out");
                let (rule, message) = if entry.kind == Kind::Avoid {
                    (
                        Rule::WordToAvoid,
                        format!(
                            "{} has a plainer alternative.",
                            quoted(&doc.text[start..end])
                        ),
                    )
                } else {
                    (
                        Rule::FillerPhrase,
                        format!(
                            "{} adds words but not meaning.",
                            quoted(&doc.text[start..end])
                        ),
                    )
                };
                let suggestion = if leave_out {
                    "Leave it out.".to_string()
                } else {
                    format!("Try {}.", quote_alternatives(entry.advice))
                };
                out.push(rule, start, end, message, suggestion);
                flagged[i..=last].iter_mut().for_each(|f| *f = true);
            }
            Kind::Term => {
                let is_model = entry.name == "model";
                let not_technical = is_model
                    && (i > 0 && NOT_TECHNICAL_MODEL.contains(&words[i - 1].lower.as_ref()));
                if !not_technical {
                    flagged[i..=last].iter_mut().for_each(|f| *f = true);
                    if explained(doc, sentence_of(doc, i), i, last) {
                        term_explained[phrase.entry] = true;
                    } else if term_first[phrase.entry].is_none() {
                        term_first[phrase.entry] = Some((start, end));
                    }
                }
            }
        }
        i = last + 1;
    }
    for (n, first) in term_first.iter().enumerate() {
        if let (Some((start, end)), false) = (first, term_explained[n]) {
            let term = &doc.text[*start..*end];
            out.push(
                Rule::SpecialistTerm,
                *start,
                *end,
                format!(
                    "{} is a specialist term that is not explained.",
                    quoted(term)
                ),
                format!(
                    "Say what it means the first time you use it, for example: “{term} ({})”.",
                    lists.entries[n].advice
                ),
            );
        }
    }
}

/// "more or extra" → "‘more’ or ‘extra’".
fn quote_alternatives(advice: &str) -> String {
    // Keep any bracketed note as it is.
    let (main, note) = match advice.find(" (") {
        Some(i) => (&advice[..i], &advice[i..]),
        None => (advice, ""),
    };
    let parts: Vec<&str> = main.split(", ").collect();
    let mut quoted_parts = Vec::new();
    for (n, part) in parts.iter().enumerate() {
        if n + 1 == parts.len()
            && let Some((a, b)) = part.split_once(" or ")
        {
            quoted_parts.push(format!("{} or {}", quoted(a), rest_of(b)));
            continue;
        }
        quoted_parts.push(quoted(part));
    }
    format!("{}{note}", quoted_parts.join(", "))
}

fn rest_of(s: &str) -> String {
    if s.contains(' ')
        && (s.starts_with("leave") || s.starts_with("rewrite") || s.starts_with("give"))
    {
        s.to_string()
    } else {
        quoted(s)
    }
}

fn is_acronym(word: &str) -> Option<&str> {
    let core = word.strip_suffix('s').unwrap_or(word);
    let upper = core.chars().filter(|c| c.is_ascii_uppercase()).count();
    let ok = upper >= 2
        && core.len() <= 10
        && core
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && core.chars().next().is_some_and(|c| c.is_ascii_uppercase());
    let roman = core.chars().all(|c| "IVXLCDM".contains(c));
    (ok && !roman).then_some(core)
}

/// Part of a dotted name such as "GOV.UK" or "NHS.UK": a web address, not an acronym to spell out.
fn in_dotted_name(text: &str, w: &Word) -> bool {
    let before = text[..w.start].strip_suffix('.');
    let after = text[w.end..].strip_prefix('.');
    before.is_some_and(|b| b.ends_with(char::is_alphanumeric))
        || after.is_some_and(|a| a.starts_with(char::is_alphanumeric))
}

/// Capitals used for emphasis ("CALL US NOW") are not acronyms.
fn shouting(doc: &Doc, s: &Sentence) -> bool {
    let words = &doc.words[s.words.clone()];
    let lettered: Vec<&Word> = words
        .iter()
        .filter(|w| w.text.chars().any(char::is_alphabetic))
        .collect();
    let caps = lettered
        .iter()
        .filter(|w| !w.text.chars().any(char::is_lowercase))
        .count();
    caps >= 3 && caps * 2 >= lettered.len()
}

/// Do the words just before `index` spell out the acronym ("Data Protection Impact Assessment (DPIA)")?
fn spelled_out_before(doc: &Doc, index: usize, acronym: &str) -> bool {
    let letters: Vec<char> = acronym
        .chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let mut k = index;
    let mut matched = letters.len();
    let stop = index.saturating_sub(2 * letters.len() + 4);
    while matched > 0 && k > stop {
        k -= 1;
        let w = &doc.words[k];
        let initial = w.lower.chars().next().unwrap_or(' ');
        if initial == letters[matched - 1] {
            matched -= 1;
            // Hyphenated words can give two letters ("Decision-Making").
            for part in w.lower.split('-').skip(1).collect::<Vec<_>>().iter().rev() {
                if matched > 0 && part.starts_with(letters[matched - 1]) {
                    matched -= 1;
                }
            }
        } else if !matches!(
            w.lower.as_ref(),
            "of" | "and" | "for" | "the" | "on" | "in" | "to" | "&"
        ) {
            return false;
        }
    }
    matched == 0
}

fn acronyms(doc: &Doc, out: &mut Out, flagged: &mut [bool]) {
    let mut seen: FastSet<String> = FastSet::default();
    for s in &doc.sentences {
        if shouting(doc, s) {
            continue;
        }
        for i in s.words.clone() {
            let w = &doc.words[i];
            if flagged[i] {
                continue;
            }
            let Some(acronym) = is_acronym(w.text) else {
                continue;
            };
            if in_dotted_name(doc.text, w) {
                continue;
            }
            if ACRONYMS.contains(acronym) || ACRONYMS.contains(w.text) {
                continue;
            }
            if !seen.insert(acronym.to_string()) {
                continue;
            }
            let before = doc.text[..w.start].trim_end();
            let after = doc.text[w.end..].trim_start();
            let in_brackets = before.ends_with('(') && after.starts_with(')');
            let explained = (in_brackets && spelled_out_before(doc, i, acronym))
                || (after.starts_with('(')
                    && !after[1..].starts_with(|c: char| c.is_ascii_digit()))
                || spelled_out_before(doc, i, acronym);
            if !explained {
                flagged[i] = true;
                out.push(
                    Rule::Acronym,
                    w.start,
                    w.end,
                    format!("{} is not spelled out.", quoted(w.text)),
                    format!(
                        "Write it in full the first time you use it, with the letters in brackets: “… ({acronym})”."
                    ),
                );
            }
        }
    }
}

fn long_words(doc: &Doc, out: &mut Out, flagged: &[bool]) {
    let mut seen: FastSet<&str> = FastSet::default();
    for (i, w) in doc.words.iter().enumerate() {
        if flagged[i]
            || w.text.chars().next().is_some_and(char::is_uppercase)
            || w.text.chars().any(|c| c.is_numeric())
        {
            continue;
        }
        let lower = w.lower.strip_suffix("'s").unwrap_or(&w.lower);
        let long = lower.split('-').any(|part| {
            let letters = part.len(); // bytes: at least the number of letters
            // Five syllables need at least seven letters in practice; skip the look-up for short words.
            if letters < 7 {
                return false;
            }
            let (syllables, easy) = lookup(part);
            (syllables >= 5 || part.chars().count() >= 15) && !easy && !COMMON_LONG.contains(part)
        });
        if long && seen.insert(lower) {
            out.push(
                Rule::LongUncommonWord,
                w.start,
                w.end,
                format!(
                    "{} is a long word that many readers may not know.",
                    quoted(w.text)
                ),
                "Use a shorter, everyday word, or explain what it means.".to_string(),
            );
        }
    }
}

const BE: &[&str] = &[
    "am", "is", "are", "was", "were", "be", "been", "being", "isn't", "aren't", "wasn't", "weren't",
];
const ADVERBS: &[&str] = &[
    "not",
    "also",
    "then",
    "often",
    "always",
    "never",
    "usually",
    "only",
    "still",
    "already",
    "now",
    "being",
    "been",
    "sometimes",
    "all",
    "each",
    "regularly",
];
const IRREGULAR: &[&str] = &[
    "made",
    "done",
    "given",
    "taken",
    "shown",
    "known",
    "seen",
    "kept",
    "held",
    "sent",
    "paid",
    "told",
    "found",
    "written",
    "chosen",
    "built",
    "brought",
    "bought",
    "caught",
    "taught",
    "thought",
    "sold",
    "left",
    "lost",
    "meant",
    "put",
    "set",
    "shut",
    "cut",
    "spent",
    "understood",
    "withdrawn",
    "drawn",
    "driven",
    "eaten",
    "forgotten",
    "forgiven",
    "hidden",
    "broken",
    "spoken",
    "stolen",
    "worn",
    "torn",
    "begun",
    "won",
    "hung",
    "struck",
    "stuck",
    "led",
    "fed",
    "met",
    "lent",
    "dealt",
    "felt",
    "heard",
    "laid",
    "said",
    "sought",
    "shot",
    "grown",
    "thrown",
    "blown",
    "flown",
    "undertaken",
    "overseen",
    "run",
    "read",
    "got",
    "gotten",
    "hit",
    "hurt",
    "bound",
    "sworn",
    "upheld",
    "withheld",
    "rewritten",
];
const NOT_PARTICIPLES: &[&str] = &[
    "interested",
    "concerned",
    "worried",
    "tired",
    "pleased",
    "excited",
    "bored",
    "married",
    "qualified",
    "experienced",
    "limited",
    "supposed",
    "detailed",
    "skilled",
    "talented",
    "hundred",
    "naked",
    "wicked",
    "sacred",
    "ashamed",
    "scared",
    "allowed",
    "aged",
    "needed",
    "red",
    "bed",
    "shed",
    "based",
    "called",
];

fn passive_voice(doc: &Doc, out: &mut Out) {
    for s in &doc.sentences {
        let words = &doc.words[s.words.clone()];
        let mut i = 0;
        while i < words.len() {
            if !BE.contains(&words[i].lower.as_ref()) {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < words.len() && j <= i + 2 {
                let l = words[j].lower.as_ref();
                if ADVERBS.contains(&l) || (l.ends_with("ly") && l.len() > 4) {
                    j += 1;
                } else {
                    break;
                }
            }
            let Some(p) = words.get(j) else { break };
            let l = p.lower.as_ref();
            let participle = (l.ends_with("ed")
                && l.chars().count() >= 5
                && l.chars().all(char::is_alphabetic)
                && !NOT_PARTICIPLES.contains(&l))
                || IRREGULAR.contains(&l);
            if participle {
                out.push(
                    Rule::PassiveVoice,
                    words[i].start,
                    p.end,
                    format!(
                        "{} may be in the passive voice.",
                        quoted(&doc.text[words[i].start..p.end])
                    ),
                    "Say who does it, for example “we check your form” rather than “your form is checked”."
                        .to_string(),
                );
                i = j + 1;
            } else {
                i += 1;
            }
        }
    }
}

fn latin(text: &str, out: &mut Out) {
    let bytes = text.as_bytes();
    let lower = text.to_ascii_lowercase();
    let lb = lower.as_bytes();
    let mut i = 0;
    while i < lb.len() {
        let c = lb[i];
        if !matches!(c, b'e' | b'i')
            || (i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'.'))
        {
            i += 1;
            continue;
        }
        let rest = &lb[i..];
        let boundary = |n: usize| rest.get(n).is_none_or(|b| !b.is_ascii_alphanumeric());
        // Undotted "eg" and "ie" only in lower case after a space or bracket ("Ie" is Welsh for "yes").
        let prev = if i > 0 { bytes[i - 1] } else { b'\n' };
        let undotted_ok = bytes[i].is_ascii_lowercase() && matches!(prev, b'(' | b' ');
        let found: Option<(usize, &str, &str)> = if rest.starts_with(b"e.g.") {
            Some((4, "e.g.", "for example"))
        } else if rest.starts_with(b"i.e.") {
            Some((4, "i.e.", "that is"))
        } else if rest.starts_with(b"e.g") && boundary(3) {
            Some((3, "e.g.", "for example"))
        } else if rest.starts_with(b"i.e") && boundary(3) {
            Some((3, "i.e.", "that is"))
        } else if rest.starts_with(b"etc") && boundary(3) {
            let n = if rest.get(3) == Some(&b'.') { 4 } else { 3 };
            Some((n, "etc", "such as"))
        } else if rest.starts_with(b"eg")
            && matches!(rest.get(2), Some(b' ' | b',' | b':'))
            && undotted_ok
        {
            Some((2, "e.g.", "for example"))
        } else if rest.starts_with(b"ie") && rest.get(2) == Some(&b',') && undotted_ok {
            Some((2, "i.e.", "that is"))
        } else {
            None
        };
        match found {
            Some((n, name, _)) => {
                let (message, suggestion) = match name {
                    "e.g." => (
                        "Some readers do not know what ‘e.g.’ means.",
                        "Write ‘for example’ or ‘such as’.",
                    ),
                    "i.e." => (
                        "Some readers do not know what ‘i.e.’ means.",
                        "Write ‘that is’, or rewrite the sentence.",
                    ),
                    _ => (
                        "‘etc’ leaves readers to guess what else you mean.",
                        "List everything, or write ‘such as’ or ‘including’ before the examples.",
                    ),
                };
                out.push(
                    Rule::LatinAbbreviation,
                    i,
                    i + n,
                    message.to_string(),
                    suggestion.to_string(),
                );
                i += n;
            }
            None => i += 1,
        }
    }
}

fn contractions(doc: &Doc, out: &mut Out) {
    for w in &doc.words {
        let l = w.lower.as_ref();
        let Some(stem) = l.strip_suffix("n't") else {
            continue;
        };
        let full = match l {
            "can't" => "cannot".to_string(),
            "won't" => "will not".to_string(),
            "shan't" => "shall not".to_string(),
            "ain't" => "is not".to_string(),
            _ if stem.is_empty() => continue,
            _ => format!("{stem} not"),
        };
        let full = if w.text.starts_with(char::is_uppercase) {
            let mut c = full.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or(full)
        } else {
            full
        };
        out.push(
            Rule::NegativeContraction,
            w.start,
            w.end,
            format!(
                "{} is a negative contraction, which some readers find hard to follow.",
                quoted(w.text)
            ),
            format!("Write {}.", quoted(&full)),
        );
    }
}
