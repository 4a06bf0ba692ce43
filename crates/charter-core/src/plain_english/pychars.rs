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
    let bytes = text.as_bytes();
    let mut at = 0;
    // Length of the white-space character at `i`, or 0.
    let space_at = move |i: usize| -> usize {
        let b = bytes[i];
        if b < 0x80 {
            usize::from(matches!(b, b'\t'..=b'\r' | 0x1c..=b' '))
        } else {
            let c = text[i..].chars().next().unwrap_or('x');
            if is_space(c) { c.len_utf8() } else { 0 }
        }
    };
    std::iter::from_fn(move || {
        // Skip white space.
        while at < bytes.len() {
            let n = space_at(at);
            if n == 0 {
                break;
            }
            at += n;
        }
        if at >= bytes.len() {
            return None;
        }
        let start = at;
        while at < bytes.len() && space_at(at) == 0 {
            at += 1;
            while at < bytes.len() && !text.is_char_boundary(at) {
                at += 1;
            }
        }
        Some((start, &text[start..at]))
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
