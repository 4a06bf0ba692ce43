//! Words as search sees them, and how far apart two spellings are.

/// Words longer than this are indexed and searched as their first `MAX_WORD` letters: nothing
/// real is longer, and it bounds the work of comparing spellings.
pub const MAX_WORD: usize = 32;

/// The words of `text`, lower-cased, with the byte range each came from: letters and digits
/// only, so no search syntax survives.
pub fn words(text: &str) -> impl Iterator<Item = (usize, usize, String)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        let mut word = String::new();
        let (start, end) = next_word(text, &mut at, &mut word)?;
        Some((start, end, word))
    })
}

/// Calls `f` with each word of `text` as `words` gives it, reusing one buffer: building the
/// index reads every word of every entry, and a string for each was most of the time taken.
pub fn each_word(text: &str, mut f: impl FnMut(&str)) {
    let mut at = 0;
    let mut word = String::new();
    while next_word(text, &mut at, &mut word).is_some() {
        f(&word);
    }
}

/// The character at byte `at` of `text` (a character boundary), and whether it is part of a word.
fn char_at(text: &str, at: usize) -> Option<(char, bool)> {
    let b = *text.as_bytes().get(at)?;
    if b.is_ascii() {
        // Most text is ASCII: decided from the byte, without decoding.
        return Some((char::from(b), b.is_ascii_alphanumeric()));
    }
    let c = text.get(at..)?.chars().next()?;
    Some((c, c.is_alphanumeric()))
}

/// Reads the next word from byte `at` on into `word` (emptied first), returning its byte
/// range and leaving `at` after it.
fn next_word(text: &str, at: &mut usize, word: &mut String) -> Option<(usize, usize)> {
    loop {
        let (c, in_word) = char_at(text, *at)?;
        if in_word {
            break;
        }
        *at += c.len_utf8();
    }
    let start = *at;
    let mut letters = 0;
    word.clear();
    while let Some((c, true)) = char_at(text, *at) {
        if letters < MAX_WORD {
            if c.is_ascii() {
                word.push(c.to_ascii_lowercase());
            } else {
                word.extend(c.to_lowercase());
            }
            letters += 1;
        }
        *at += c.len_utf8();
    }
    Some((start, *at))
}

/// How many spelling mistakes a word of this many letters may have and still match: none under
/// five letters (too many short words are one letter apart), one from five, two from nine.
pub fn typo_budget(letters: usize) -> u8 {
    match letters {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// The letters a word holds, as bits (a–z, and one bit for anything else): a cheap first test,
/// since each wrong, missing or extra letter changes at most two bits.
pub fn letter_bits(word: &[char]) -> u32 {
    word.iter().fold(0, |m, c| {
        m | match c {
            'a'..='z' => 1 << (*c as u32 - 'a' as u32),
            _ => 1 << 26,
        }
    })
}

/// The number of wrong, missing, extra or swapped (next to each other) letters that turn `a`
/// into `b`, if at most `max`. Optimal string alignment, stopping as soon as every way through
/// costs more than `max`.
pub fn distance_within(a: &[char], b: &[char], max: u8) -> Option<u8> {
    let max = usize::from(max);
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    if a.len() > MAX_WORD || b.len() > MAX_WORD {
        return None;
    }
    // Three rows of the table: two back (for swaps), one back, and this one.
    let mut before = [0usize; MAX_WORD + 1];
    let mut prev: [usize; MAX_WORD + 1] = std::array::from_fn(|j| j);
    let mut row = [0usize; MAX_WORD + 1];
    for i in 1..=a.len() {
        row[0] = i;
        let mut best = row[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(row[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            row[j] = d;
            best = best.min(d);
        }
        if best > max {
            return None;
        }
        before = prev;
        prev = row;
    }
    let d = prev[b.len()];
    (d <= max).then(|| u8::try_from(d).unwrap_or(u8::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(a: &str, b: &str, max: u8) -> Option<u8> {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        distance_within(&a, &b, max)
    }

    #[test]
    fn splits_and_lowers_words_keeping_where_they_were() {
        let text = "Chat-bot: ÜBER \"NEAR(x*\" OR";
        let got: Vec<(usize, usize, String)> = words(text).collect();
        let words: Vec<&str> = got.iter().map(|(_, _, w)| w.as_str()).collect();
        assert_eq!(words, vec!["chat", "bot", "über", "near", "x", "or"]);
        assert_eq!(&text[got[2].0..got[2].1], "ÜBER");
    }

    #[test]
    fn each_word_gives_what_words_gives() {
        let text = "Chat-bot: ÜBER \"NEAR(x*\" OR ĳssel";
        let mut seen = Vec::new();
        each_word(text, |w| seen.push(w.to_owned()));
        let listed: Vec<String> = words(text).map(|w| w.2).collect();
        assert_eq!(seen, listed);
    }

    /// Words read one character at a time, as before the ASCII shortcut.
    fn by_chars(text: &str) -> Vec<(usize, usize, String)> {
        let mut out = Vec::new();
        let mut chars = text.char_indices().peekable();
        loop {
            while chars.next_if(|(_, c)| !c.is_alphanumeric()).is_some() {}
            let Some(&(start, _)) = chars.peek() else {
                return out;
            };
            let (mut end, mut word) = (start, String::new());
            while let Some((i, c)) = chars.next_if(|(_, c)| c.is_alphanumeric()) {
                if word.chars().count() < MAX_WORD {
                    word.extend(c.to_lowercase());
                }
                end = i + c.len_utf8();
            }
            out.push((start, end, word));
        }
    }

    #[test]
    fn ascii_and_other_letters_mixed_read_as_one_character_at_a_time() {
        for text in [
            "Café naïve x-ray İstanbul ÅNGSTRÖM 42nd",
            "ẞtraße—Ωmega…ok",
            "  \t\nAI/ML, GP’s ＡＢＣ 東京 done",
            "",
            "!!!",
            "a\u{0301}b",
        ] {
            assert_eq!(words(text).collect::<Vec<_>>(), by_chars(text), "{text:?}");
        }
    }

    #[test]
    fn long_words_are_cut() {
        let long = "a".repeat(100);
        let got: Vec<String> = words(&long).map(|w| w.2).collect();
        assert_eq!(got, vec!["a".repeat(MAX_WORD)]);
    }

    #[test]
    fn budgets_grow_with_the_word() {
        assert_eq!([1, 4, 5, 8, 9, 20].map(typo_budget), [0, 0, 1, 1, 2, 2]);
    }

    #[test]
    fn counts_each_kind_of_mistake_as_one() {
        assert_eq!(d("benefit", "benefit", 1), Some(0));
        assert_eq!(d("benefit", "benafit", 1), Some(1)); // wrong
        assert_eq!(d("benefit", "benfit", 1), Some(1)); // missing
        assert_eq!(d("benefit", "beneffit", 1), Some(1)); // extra
        assert_eq!(d("benefit", "benefti", 1), Some(1)); // swapped
        assert_eq!(d("artifical", "artificial", 2), Some(1));
        assert_eq!(d("inteligence", "intelligence", 2), Some(1));
        assert_eq!(d("benefit", "banafit", 1), None);
        assert_eq!(d("benefit", "banafit", 2), Some(2));
        assert_eq!(d("short", "longer words", 2), None);
    }

    #[test]
    fn letter_bits_never_rule_out_a_real_match() {
        let pairs = [
            ("benefit", "benefti"),
            ("benefit", "benfit"),
            ("school", "schoal"),
        ];
        for (a, b) in pairs {
            let a: Vec<char> = a.chars().collect();
            let b: Vec<char> = b.chars().collect();
            assert!((letter_bits(&a) ^ letter_bits(&b)).count_ones() <= 2);
        }
    }
}
