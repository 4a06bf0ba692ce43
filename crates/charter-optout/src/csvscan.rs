//! A CSV scanner that finds rows and one field without copying: the filter copies kept rows as
//! raw bytes, so it only needs each row's extent, its field count and the identifier field.
//!
//! The dialect is RFC 4180 with the usual leniency:
//!
//! - the delimiter is `,`; a row ends at `\n`, and a `\r` just before it belongs to the line end;
//! - a `"` opens a quoted field only as the first byte of a field (at the start of a row or just
//!   after a `,`); inside, `""` is a quote and anything else (`,`, `\n`) is literal;
//! - a `"` anywhere else is an ordinary character (`5'10"` is fine unquoted);
//! - text after a closing quote (`"ab"c`) makes the row invalid; a quote never closed makes the rest
//!   of the input one invalid row (bounded by the filter's maximum row size);
//! - a line end of `\r` alone is not recognised.
//!
//! # Splitting for threads
//!
//! [`last_row_end`] finds the last row boundary in a block by tracking exactly the same quote
//! rule, jumping between quote characters with `memchr` (a block without any `"` costs one
//! `memchr` and one `memrchr`). So blocks handed to threads always hold whole rows, even when
//! quoted fields contain line breaks, and nothing falls back to one thread.

use memchr::{memchr, memchr2, memrchr};

/// The end (just past its `\n`) of the last complete row in `buf`, which must start at a row
/// boundary. `None` when `buf` holds no complete row.
pub(crate) fn last_row_end(buf: &[u8]) -> Option<usize> {
    let len = buf.len();
    let mut last = None;
    // Start of the current stretch outside quotes.
    let mut region = 0usize;
    let mut p = 0usize;
    loop {
        let Some(i) = memchr(b'"', &buf[p..]) else {
            if let Some(nl) = memrchr(b'\n', &buf[region..]) {
                last = Some(region + nl + 1);
            }
            return last;
        };
        let q = p + i;
        let opens = q == 0 || matches!(buf[q - 1], b',' | b'\n');
        if !opens {
            p = q + 1;
            continue;
        }
        if let Some(nl) = memrchr(b'\n', &buf[region..q]) {
            last = Some(region + nl + 1);
        }
        // Inside quotes: find the closing quote, skipping doubled ones.
        let mut r = q + 1;
        loop {
            let Some(j) = memchr(b'"', &buf[r..]) else {
                return last;
            };
            let c = r + j;
            if c + 1 == len {
                // Could be the first half of `""` split across reads: undecided.
                return last;
            }
            if buf[c + 1] == b'"' {
                r = c + 2;
                continue;
            }
            region = c + 1;
            p = c + 1;
            break;
        }
    }
}

/// The end (just past its `\n`) of the first complete row in `buf`; `None` if there is none yet.
pub(crate) fn first_row_end(buf: &[u8]) -> Option<usize> {
    let len = buf.len();
    let mut p = 0usize;
    loop {
        let i = memchr2(b'"', b'\n', &buf[p..])?;
        let q = p + i;
        if buf[q] == b'\n' {
            return Some(q + 1);
        }
        let opens = q == 0 || buf[q - 1] == b',';
        if !opens {
            p = q + 1;
            continue;
        }
        let mut r = q + 1;
        loop {
            let c = r + memchr(b'"', &buf[r..])?;
            if c + 1 == len {
                return None;
            }
            if buf[c + 1] == b'"' {
                r = c + 2;
                continue;
            }
            p = c + 1;
            break;
        }
    }
}

/// Why a row is not usable, whatever its identifier. Never contains data from the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowProblem {
    Blank,
    UnterminatedQuote,
    TextAfterQuote,
}

/// One scanned row.
#[derive(Debug)]
pub(crate) struct Row {
    /// Just past the row's `\n` (or the end of the buffer).
    pub end: usize,
    /// The end of the row's content, before `\r\n` or `\n`.
    pub content_end: usize,
    /// Line breaks in the row, its own line end included: the next row starts this many lines on.
    pub newlines: u32,
    /// Fields in the row.
    pub fields: usize,
    pub problem: Option<RowProblem>,
}

/// Scans the row starting at `start` in `buf`, which must hold whole rows (the last may lack its
/// line end). For each field calls `field(index, content_start, content_end, escaped)`, where the
/// content excludes surrounding quotes and `escaped` says it still contains doubled quotes.
#[inline]
pub(crate) fn scan_row(
    buf: &[u8],
    start: usize,
    mut field: impl FnMut(usize, usize, usize, bool),
) -> Row {
    let len = buf.len();
    let mut p = start;
    if p < len && buf[p] == b'\n' {
        return Row {
            end: p + 1,
            content_end: p,
            newlines: 1,
            fields: 0,
            problem: Some(RowProblem::Blank),
        };
    }
    if p + 1 < len && buf[p] == b'\r' && buf[p + 1] == b'\n' {
        return Row {
            end: p + 2,
            content_end: p,
            newlines: 1,
            fields: 0,
            problem: Some(RowProblem::Blank),
        };
    }
    let mut index = 0usize;
    let mut newlines = 0u32;
    let mut problem = None;
    loop {
        // After this block, `p` is at the field's terminator (`,` or `\n`) or at `len`.
        if p < len && buf[p] == b'"' {
            let mut r = p + 1;
            let mut escaped = false;
            let close = loop {
                match memchr(b'"', &buf[r..]) {
                    None => break None,
                    Some(j) => {
                        let c = r + j;
                        if c + 1 < len && buf[c + 1] == b'"' {
                            escaped = true;
                            r = c + 2;
                        } else {
                            break Some(c);
                        }
                    }
                }
            };
            let Some(c) = close else {
                newlines += memchr::memchr_iter(b'\n', &buf[p + 1..]).count() as u32;
                field(index, p + 1, len, escaped);
                return Row {
                    end: len,
                    content_end: len,
                    newlines,
                    fields: index + 1,
                    problem: Some(RowProblem::UnterminatedQuote),
                };
            };
            if memchr(b'\n', &buf[p + 1..c]).is_some() {
                newlines += memchr::memchr_iter(b'\n', &buf[p + 1..c]).count() as u32;
            }
            field(index, p + 1, c, escaped);
            p = c + 1;
            if p < len {
                match buf[p] {
                    b',' | b'\n' => {}
                    b'\r' if p + 1 < len && buf[p + 1] == b'\n' => p += 1,
                    b'\r' if p + 1 == len => p += 1,
                    _ => {
                        problem = Some(RowProblem::TextAfterQuote);
                        p = memchr2(b',', b'\n', &buf[p..]).map_or(len, |j| p + j);
                    }
                }
            }
        } else {
            match memchr2(b',', b'\n', &buf[p..]) {
                Some(j) => {
                    let d = p + j;
                    let end = if buf[d] == b'\n' && d > p && buf[d - 1] == b'\r' {
                        d - 1
                    } else {
                        d
                    };
                    field(index, p, end, false);
                    p = d;
                }
                None => {
                    let end = if len > p && buf[len - 1] == b'\r' {
                        len - 1
                    } else {
                        len
                    };
                    field(index, p, end, false);
                    p = len;
                }
            }
        }
        index += 1;
        if p >= len {
            return Row {
                end: len,
                content_end: len,
                newlines,
                fields: index,
                problem,
            };
        }
        if buf[p] == b'\n' {
            let content_end = if p > start && buf[p - 1] == b'\r' {
                p - 1
            } else {
                p
            };
            return Row {
                end: p + 1,
                content_end,
                newlines: newlines + 1,
                fields: index,
                problem,
            };
        }
        // A comma: the next field starts after it.
        p += 1;
    }
}

/// Appends a field's content to `out`, turning `""` into `"`.
pub(crate) fn unescape_into(content: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut i = 0;
    while i < content.len() {
        out.push(content[i]);
        if content[i] == b'"' && i + 1 < content.len() && content[i + 1] == b'"' {
            i += 1;
        }
        i += 1;
    }
}

/// Every field of one row, unescaped (for the header).
pub(crate) fn row_fields(row: &[u8]) -> (Vec<Vec<u8>>, Row) {
    let mut fields = Vec::new();
    let scanned = scan_row(row, 0, |_, a, b, escaped| {
        let mut f = Vec::new();
        if escaped {
            unescape_into(&row[a..b], &mut f);
        } else {
            f.extend_from_slice(&row[a..b]);
        }
        fields.push(f);
    });
    (fields, scanned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rows(buf: &[u8]) -> Vec<(Vec<String>, Option<RowProblem>, u32)> {
        let mut out = Vec::new();
        let mut p = 0;
        while p < buf.len() {
            let mut fields = Vec::new();
            let row = scan_row(buf, p, |_, a, b, e| {
                let mut f = Vec::new();
                if e {
                    unescape_into(&buf[a..b], &mut f);
                } else {
                    f.extend_from_slice(&buf[a..b]);
                }
                fields.push(String::from_utf8(f).unwrap());
            });
            assert_eq!(fields.len(), row.fields);
            out.push((fields, row.problem, row.newlines));
            p = row.end;
        }
        out
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn dialect() {
        let buf = b"a,b,c\r\n\"x,1\",\"y\"\"z\",\"multi\nline\"\n5'10\",,\n\n\"open,";
        let r = rows(buf);
        assert_eq!(r[0], (s(&["a", "b", "c"]), None, 1));
        assert_eq!(r[1], (s(&["x,1", "y\"z", "multi\nline"]), None, 2));
        assert_eq!(r[2], (s(&["5'10\"", "", ""]), None, 1));
        assert_eq!(r[3], (s(&[]), Some(RowProblem::Blank), 1));
        assert_eq!(
            r[4],
            (s(&["open,"]), Some(RowProblem::UnterminatedQuote), 0)
        );
        assert_eq!(r.len(), 5);

        let r = rows(b"\"ab\"c,d\nlast");
        assert_eq!(r[0], (s(&["ab", "d"]), Some(RowProblem::TextAfterQuote), 1));
        assert_eq!(r[1], (s(&["last"]), None, 0));
        let r = rows(b"\"q\"\r\n\"\"\r\n");
        assert_eq!(r[0], (s(&["q"]), None, 1));
        assert_eq!(r[1], (s(&[""]), None, 1));
        // A lone \r at the very end belongs to the line end.
        assert_eq!(rows(b"a,b\r")[0].0, s(&["a", "b"]));
    }

    #[test]
    fn boundaries() {
        assert_eq!(last_row_end(b"a,b\nc,d\ne"), Some(8));
        assert_eq!(last_row_end(b"a,b"), None);
        assert_eq!(last_row_end(b"a,\"b\nc\"\nd,\"e\nf"), Some(8));
        assert_eq!(last_row_end(b"x\n\"a\"\""), Some(2)); // undecided `""` at the end
        assert_eq!(last_row_end(b"x\n5\"\n"), Some(5)); // a literal quote
        assert_eq!(first_row_end(b"\"a\nb\",c\nd\n"), Some(8));
        assert_eq!(first_row_end(b"\"a\nb"), None);
        assert_eq!(first_row_end(b"abc"), None);
    }

    /// Rows of quoted and unquoted fields, as (fields, text).
    fn csv_text() -> impl Strategy<Value = (Vec<Vec<String>>, String)> {
        let field = prop_oneof![
            "[a-z0-9 ]{0,6}".prop_map(|s| (s.clone(), s)),
            "[a-z,\"\n ]{0,6}".prop_map(|s| (s.clone(), format!("\"{}\"", s.replace('"', "\"\"")))),
        ];
        let row = proptest::collection::vec(field, 1..5);
        (proptest::collection::vec(row, 1..20), any::<bool>()).prop_map(|(rows, crlf)| {
            let mut text = String::new();
            let mut expected = Vec::new();
            for r in rows {
                // A row of one empty unquoted field would be a blank line: quote it.
                let cells: Vec<String> = if r.len() == 1 && r[0].1.is_empty() {
                    vec!["\"\"".to_owned()]
                } else {
                    r.iter().map(|c| c.1.clone()).collect()
                };
                text.push_str(&cells.join(","));
                text.push_str(if crlf { "\r\n" } else { "\n" });
                expected.push(r.into_iter().map(|c| c.0).collect());
            }
            (expected, text)
        })
    }

    proptest! {
        #[test]
        fn scanner_reads_what_was_written((expected, text) in csv_text()) {
            let got: Vec<Vec<String>> = rows(text.as_bytes()).into_iter().map(|r| r.0).collect();
            prop_assert_eq!(&got, &expected);
            // The csv crate agrees.
            let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true)
                .from_reader(text.as_bytes());
            let theirs: Vec<Vec<String>> = reader.records()
                .map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
            prop_assert_eq!(&got, &theirs);
        }

        #[test]
        fn every_split_is_a_row_boundary((expected, text) in csv_text(), cut in any::<prop::sample::Index>()) {
            let bytes = text.as_bytes();
            let cut = cut.index(bytes.len() + 1);
            // Splitting at the last boundary in any prefix and scanning the two parts gives the
            // same rows as scanning the whole.
            let head = &bytes[..cut];
            let split = last_row_end(head).unwrap_or(0);
            let mut got: Vec<Vec<String>> = rows(&bytes[..split]).into_iter().map(|r| r.0).collect();
            got.extend(rows(&bytes[split..]).into_iter().map(|r| r.0));
            prop_assert_eq!(got, expected);
        }

        #[test]
        fn first_row_end_matches_the_scanner((_expected, text) in csv_text()) {
            let bytes = text.as_bytes();
            let row = scan_row(bytes, 0, |_, _, _, _| {});
            prop_assert_eq!(first_row_end(bytes), Some(row.end));
        }
    }
}
