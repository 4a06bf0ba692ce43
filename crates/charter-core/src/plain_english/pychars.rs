//! The character classes textstat's regular expressions see, so counts match it exactly: Python's `\w`
//! (letters, digits and `_` in every script, but not combining marks) and `\s` (which, unlike Rust's
//! `char::is_whitespace`, includes the ASCII separators U+001C–U+001F).

#[path = "pychars_table.rs"]
mod table;

fn in_table(table: &[(u32, u32)], c: char) -> bool {
    let c = c as u32;
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Python's `\w`.
#[inline]
pub(crate) fn is_word(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || c == '_'
    } else {
        in_table(table::WORD, c)
    }
}

/// Python's `\s` (and what `str.split()` splits on).
#[inline]
pub(crate) fn is_space(c: char) -> bool {
    if c.is_ascii() {
        matches!(c, '\t'..='\r' | '\x1c'..=' ')
    } else {
        in_table(table::SPACE, c)
    }
}

/// Python's `str.split()`: the non-empty runs between white space, with their byte offsets.
pub(crate) fn split_ws(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = 0;
    std::iter::from_fn(move || {
        let tail = &text[rest..];
        let start = rest + tail.find(|c| !is_space(c))?;
        let len = text[start..].find(is_space).unwrap_or(text.len() - start);
        rest = start + len;
        Some((start, &text[start..start + len]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert!(is_word('a') && is_word('_') && is_word('9') && is_word('ŵ') && is_word('ж'));
        assert!(!is_word('-') && !is_word('\'') && !is_word('\u{301}') && !is_word('😀'));
        assert!(is_space('\u{1f}') && is_space('\u{a0}') && is_space('\u{3000}') && !is_space('x'));
        let words: Vec<_> = split_ws("  a\u{a0}bc\t d ").collect();
        assert_eq!(words, vec![(2, "a"), (5, "bc"), (9, "d")]);
    }
}
