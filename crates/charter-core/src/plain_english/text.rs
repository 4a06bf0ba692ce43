//! Words, sentences and paragraphs as a writer sees them (for advice; the scores use textstat's own
//! rules in `textstat.rs`). Every piece keeps its byte span in the original text.

use std::borrow::Cow;
use std::ops::Range;

/// A word: letters and digits, with apostrophes and hyphens inside it ("don't", "well-known").
#[derive(Debug, Clone)]
pub(crate) struct Word<'a> {
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
    /// Lower case, with curly apostrophes made straight.
    pub lower: Cow<'a, str>,
}

/// A sentence, list item or heading.
#[derive(Debug, Clone)]
pub(crate) struct Sentence {
    pub start: usize,
    pub end: usize,
    /// Indexes into the word list.
    pub words: Range<usize>,
    /// A list item or heading rather than running prose.
    pub block: bool,
}

/// A paragraph: text between blank lines.
#[derive(Debug, Clone)]
pub(crate) struct Paragraph {
    pub start: usize,
    pub end: usize,
    /// Indexes into the sentence list.
    pub sentences: Range<usize>,
}

pub(crate) struct Doc<'a> {
    pub text: &'a str,
    pub words: Vec<Word<'a>>,
    pub sentences: Vec<Sentence>,
    pub paragraphs: Vec<Paragraph>,
}

fn is_joiner(c: char) -> bool {
    matches!(c, '\'' | '’' | '-' | '‐' | '‑')
}

pub(crate) fn words(text: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if !c.is_alphanumeric() {
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, c)) = chars.peek() {
            if c.is_alphanumeric() {
                end = i + c.len_utf8();
                chars.next();
            } else if is_joiner(c)
                && text[i + c.len_utf8()..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric)
            {
                chars.next();
            } else {
                break;
            }
        }
        let word = &text[start..end];
        out.push(Word {
            start,
            end,
            text: word,
            lower: if word
                .bytes()
                .all(|b| b.is_ascii_lowercase() || !b.is_ascii_alphabetic() && b < 0x80)
            {
                Cow::Borrowed(word)
            } else if word.is_ascii() {
                Cow::Owned(word.to_ascii_lowercase())
            } else {
                Cow::Owned(word.to_lowercase().replace('’', "'"))
            },
        });
    }
    out
}

/// Titles written before a name: a full stop after them never ends a sentence ("Dr. Patel",
/// "St. Helens"). Matched with their capital letter, so "dr." or "st." in lower case are not titles.
const TITLES: &[&str] = &[
    "Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "St", "Rev", "Cllr", "Capt", "Sgt", "Col", "Gen", "Hon",
    "Lt", "Supt", "Insp", "Sr", "Jr",
];

/// Abbreviations that rarely end a sentence, in any case ("approx. 200", "Ref. 12", "vs. them").
/// Words that are also ordinary words ("no", "sat", "sun", "min", "co") are left out: they often
/// end sentences; "No." counts only before a number.
const ABBREVIATIONS: &[&str] = &[
    "approx", "vs", "cf", "fig", "figs", "para", "paras", "incl", "excl", "tel", "ref", "dept",
    "govt", "vol", "pp", "esp",
];

/// Month and day names shortened: not a sentence end before a number ("Jan. 2025", "Sat. 5 May").
const DATE_ABBREVIATIONS: &[&str] = &[
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon",
    "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "no", "nos",
];

/// Does the word before a single full stop (`last`, dots inside it kept) make the stop part of an
/// abbreviation rather than a sentence end? `next` is the first character after the space.
pub(crate) fn abbreviation_before(last: &str, next: Option<char>) -> bool {
    if last.contains('.') {
        // Letters with dots between ("e.g", "i.e", "a.m", "U.S") are an abbreviation; a dotted name
        // with longer parts ("GOV.UK", "nhs.uk") is a name, and a stop after it ends the sentence.
        return last
            .split('.')
            .all(|part| part.chars().count() <= 2 && part.chars().all(char::is_alphabetic));
    }
    let lower = last.to_lowercase();
    let before_number = next.is_some_and(|c| c.is_ascii_digit());
    TITLES.contains(&last)
        || ABBREVIATIONS.contains(&lower.as_str())
        || (before_number && DATE_ABBREVIATIONS.contains(&lower.as_str()))
        // An initial ("J. Smith").
        || (last.chars().count() == 1 && last.chars().all(char::is_alphabetic))
}

fn is_list_marker(line: &str) -> bool {
    let t = line.trim_start();
    if let Some(rest) = t.strip_prefix(['-', '*', '•', '·', '–', '—', '▪', '◦']) {
        return rest.starts_with(char::is_whitespace);
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && digits <= 3 {
        let rest = &t[digits..];
        return (rest.starts_with(". ") || rest.starts_with(") ")) && rest.len() > 2;
    }
    let letter = t.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    letter && (t[1..].starts_with(") "))
}

fn ends_with_stop(line: &str) -> bool {
    line.trim_end()
        .trim_end_matches(['"', '\'', '”', '’', ')', ']'])
        .ends_with(['.', '!', '?', ':', ';', ','])
}

/// Split text into units: list items and headings on their own, prose lines joined.
fn units(text: &str, block_start: usize, block_end: usize) -> Vec<(usize, usize, bool)> {
    let block = &text[block_start..block_end];
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut offset = block_start;
    for line in block.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        if !body.trim().is_empty() {
            lines.push((offset, body));
        }
        offset += line.len();
    }
    let mut out: Vec<(usize, usize, bool)> = Vec::new();
    let mut prose: Option<(usize, usize)> = None;
    for (n, &(start, line)) in lines.iter().enumerate() {
        let end = start + line.len();
        let next_is_item = lines.get(n + 1).is_some_and(|(_, l)| is_list_marker(l));
        let trimmed = line.trim();
        let heading = trimmed.starts_with('#')
            || (n == 0
                && lines.len() > 1
                && trimmed.chars().count() <= 60
                && !ends_with_stop(trimmed)
                && lines[1]
                    .1
                    .trim_start()
                    .starts_with(|c: char| c.is_uppercase()));
        if is_list_marker(line) || heading {
            if let Some(p) = prose.take() {
                out.push((p.0, p.1, false));
            }
            out.push((start, end, true));
            continue;
        }
        let continues_item = out.last().is_some_and(|u| u.2)
            && prose.is_none()
            && line.starts_with([' ', '\t'])
            && n > 0;
        if continues_item {
            if let Some(last) = out.last_mut() {
                last.1 = end;
            }
            continue;
        }
        prose = Some(match prose {
            Some((s, _)) => (s, end),
            None => (start, end),
        });
        // A line that introduces a list ends its unit.
        if next_is_item && let Some(p) = prose.take() {
            out.push((p.0, p.1, false));
        }
    }
    if let Some(p) = prose {
        out.push((p.0, p.1, false));
    }
    out
}

/// Sentence ends inside a prose unit.
fn split_prose(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let unit = &text[start..end];
    let bytes = unit.as_bytes();
    let mut sentence_start = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        if !matches!(b, b'.' | b'!' | b'?') {
            i += 1;
            continue;
        }
        let stop = i;
        let mut j = i;
        while j < bytes.len() && matches!(bytes[j], b'.' | b'!' | b'?') {
            j += 1;
        }
        // Closing quotes and brackets belong to the sentence.
        let mut k = j;
        while k < bytes.len() {
            let c = unit[k..].chars().next().unwrap_or(' ');
            if matches!(c, '"' | '\'' | '”' | '’' | ')' | ']') {
                k += c.len_utf8();
            } else {
                break;
            }
        }
        let at_end = k >= bytes.len();
        let followed_by_space = unit[k..].starts_with(char::is_whitespace);
        if !(at_end || followed_by_space) {
            i = j;
            continue;
        }
        let next = unit[k..].trim_start().chars().next();
        let single_full_stop = j - stop == 1 && b == b'.';
        if single_full_stop {
            let before = &unit[sentence_start..stop];
            let last_word: String = before
                .chars()
                .rev()
                .take_while(|c| c.is_alphanumeric() || *c == '.')
                .take(24)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let abbreviation = abbreviation_before(&last_word, next);
            let lower_next = next.is_some_and(|c| c.is_lowercase());
            if !at_end && (lower_next || abbreviation) {
                i = j;
                continue;
            }
        }
        out.push((start + sentence_start, start + k));
        sentence_start = k;
        i = k;
    }
    if unit[sentence_start..].chars().any(char::is_alphanumeric) {
        out.push((start + sentence_start, end));
    }
}

fn trim_span(text: &str, start: usize, end: usize) -> (usize, usize) {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    (start + lead, end - trail)
}

pub(crate) fn parse(text: &str) -> Doc<'_> {
    let words = words(text);
    let mut sentences = Vec::new();
    let mut paragraphs = Vec::new();
    // Paragraphs: runs of non-blank lines.
    let mut blocks = Vec::new();
    let mut block_start: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim().is_empty() {
            if let Some(s) = block_start.take() {
                blocks.push((s, offset));
            }
        } else if block_start.is_none() {
            block_start = Some(offset);
        }
        offset += line.len();
    }
    if let Some(s) = block_start {
        blocks.push((s, text.len()));
    }
    let mut word_index = 0usize;
    for (bs, be) in blocks {
        let first_sentence = sentences.len();
        for (us, ue, block) in units(text, bs, be) {
            let mut pieces = Vec::new();
            if block {
                pieces.push((us, ue));
            } else {
                split_prose(text, us, ue, &mut pieces);
            }
            for (s, e) in pieces {
                let (s, e) = trim_span(text, s, e);
                if s >= e {
                    continue;
                }
                while word_index < words.len() && words[word_index].start < s {
                    word_index += 1;
                }
                let first = word_index;
                while word_index < words.len() && words[word_index].end <= e {
                    word_index += 1;
                }
                if first == word_index {
                    continue;
                }
                sentences.push(Sentence {
                    start: s,
                    end: e,
                    words: first..word_index,
                    block,
                });
            }
        }
        let (s, e) = trim_span(text, bs, be);
        if sentences.len() > first_sentence {
            paragraphs.push(Paragraph {
                start: s,
                end: e,
                sentences: first_sentence..sentences.len(),
            });
        }
    }
    Doc {
        text,
        words,
        sentences,
        paragraphs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<&str> {
        let doc = parse(text);
        doc.sentences
            .iter()
            .map(|s| &text[s.start..s.end])
            .collect()
    }

    #[test]
    fn words_keep_joiners_inside() {
        let w: Vec<_> = words("Don’t re-use it - 'quoted' well-known.")
            .into_iter()
            .map(|w| w.lower)
            .collect();
        assert_eq!(w, ["don't", "re-use", "it", "quoted", "well-known"]);
    }

    #[test]
    fn sentence_splitting() {
        assert_eq!(
            sentences("Mr. Smith met Dr. Jones. They talked, e.g. about bins. Then? Yes!"),
            [
                "Mr. Smith met Dr. Jones.",
                "They talked, e.g. about bins.",
                "Then?",
                "Yes!"
            ]
        );
        assert_eq!(
            sentences("It costs £3.5 million. That is a lot"),
            ["It costs £3.5 million.", "That is a lot"]
        );
        assert_eq!(
            sentences("You will need:\n- a passport\n- a bill\nThen apply."),
            ["You will need:", "- a passport", "- a bill", "Then apply."]
        );
        assert_eq!(
            sentences("How to apply\nFill in the form and\nsend it to us."),
            ["How to apply", "Fill in the form and\nsend it to us."]
        );
    }

    #[test]
    fn dotted_names_do_not_end_sentences() {
        assert_eq!(
            sentences("Apply on GOV.UK or at nhs.uk by May. Then wait."),
            ["Apply on GOV.UK or at nhs.uk by May.", "Then wait."]
        );
        // A stop after a dotted name still ends the sentence.
        assert_eq!(
            sentences("Find the form on GOV.UK. Then fill it in."),
            ["Find the form on GOV.UK.", "Then fill it in."]
        );
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        for text in [
            "Bring proof, e.g. A bill or a letter from the bank.",
            "Use one form, i.e. The blue one from the office.",
            "Mr. Khan and Mrs. Lee met Dr. Patel at St. Helens.",
            "The office at No. 10 Downing Street was shut.",
            "Ask Cllr. Jones or Prof. Smith about it.",
            "It costs approx. 200 pounds a year to run.",
            "Our meeting on Sat. 5 May starts at noon.",
            "Letters from J. Smith came on Monday.",
            "It is open 9 a.m. to 5 p.m. Monday to Friday.",
        ] {
            assert_eq!(sentences(text), [text], "{text}");
        }
    }

    #[test]
    fn ordinary_words_that_look_like_abbreviations_end_sentences() {
        assert_eq!(
            sentences("The answer is no. Then we stop."),
            ["The answer is no.", "Then we stop."]
        );
        assert_eq!(
            sentences("The cat sat. It was a sunny day in the sun. We had fun."),
            [
                "The cat sat.",
                "It was a sunny day in the sun.",
                "We had fun."
            ]
        );
        assert_eq!(
            sentences("Bins, boxes, bags etc. They all go out."),
            ["Bins, boxes, bags etc.", "They all go out."]
        );
        assert_eq!(
            sentences("The work went to Acme Ltd. They start in June."),
            ["The work went to Acme Ltd.", "They start in June."]
        );
    }

    #[test]
    fn abbreviation_rule() {
        assert!(abbreviation_before("e.g", Some('A')));
        assert!(abbreviation_before("i.e", Some('T')));
        assert!(abbreviation_before("Dr", Some('P')));
        assert!(!abbreviation_before("dr", Some('P')));
        assert!(abbreviation_before("No", Some('1')));
        assert!(!abbreviation_before("No", Some('T')));
        assert!(!abbreviation_before("GOV.UK", Some('T')));
        assert!(!abbreviation_before("2024", Some('T')));
        assert!(!abbreviation_before("", Some('T')));
    }
}
