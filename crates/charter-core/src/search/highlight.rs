//! Which parts of a title or summary to highlight: pieces of the text as it is, each marked or
//! not. Escaping is the page's job; this only says where the marks go.

use std::collections::HashSet;

use super::words::words;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment<'a> {
    pub text: &'a str,
    pub mark: bool,
}

/// A piece of a longer text: whether words were left out before and after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet<'a> {
    pub cut_before: bool,
    pub segments: Vec<Segment<'a>>,
    pub cut_after: bool,
}

/// `text` in pieces, the words in `matched` (as [`words`] spells them) marked.
pub fn marked<'a>(text: &'a str, matched: &HashSet<&str>) -> Vec<Segment<'a>> {
    marked_between(text, 0, text.len(), matched)
}

fn marked_between<'a>(
    text: &'a str,
    from: usize,
    to: usize,
    matched: &HashSet<&str>,
) -> Vec<Segment<'a>> {
    let mut out = Vec::new();
    let mut at = from;
    for (start, end, w) in words(&text[from..to]) {
        let (start, end) = (from + start, from + end);
        if matched.contains(w.as_str()) {
            if start > at {
                out.push(Segment {
                    text: &text[at..start],
                    mark: false,
                });
            }
            out.push(Segment {
                text: &text[start..end],
                mark: true,
            });
            at = end;
        }
    }
    if at < to {
        out.push(Segment {
            text: &text[at..to],
            mark: false,
        });
    }
    out
}

/// Up to `length` words of `text` around its first marked word (a few words before it), marked.
pub fn snippet<'a>(text: &'a str, matched: &HashSet<&str>, length: usize) -> Snippet<'a> {
    let spans: Vec<(usize, usize, bool)> = words(text)
        .map(|(s, e, w)| (s, e, matched.contains(w.as_str())))
        .collect();
    if spans.len() <= length {
        return Snippet {
            cut_before: false,
            segments: marked(text, matched),
            cut_after: false,
        };
    }
    let first = spans.iter().position(|s| s.2).unwrap_or(0);
    let start = first.saturating_sub(length / 4).min(spans.len() - length);
    let end = start + length;
    let from = if start == 0 { 0 } else { spans[start].0 };
    let to = if end >= spans.len() {
        text.len()
    } else {
        spans[end - 1].1
    };
    Snippet {
        cut_before: start > 0,
        segments: marked_between(text, from, to, matched),
        cut_after: end < spans.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(segments: &[Segment]) -> String {
        segments
            .iter()
            .map(|s| {
                if s.mark {
                    format!("[{}]", s.text)
                } else {
                    s.text.to_owned()
                }
            })
            .collect()
    }

    #[test]
    fn marks_whole_words_in_any_case() {
        let m: HashSet<&str> = ["chatbot", "ai"].into();
        let got = marked("A Chatbot (AI) for <script>chatbots", &m);
        assert_eq!(show(&got), "A [Chatbot] ([AI]) for <script>chatbots");
    }

    #[test]
    fn snippets_start_a_little_before_the_first_match() {
        let text = (1..=60)
            .map(|n| format!("w{n}"))
            .collect::<Vec<_>>()
            .join(" ");
        let m: HashSet<&str> = ["w40"].into();
        let s = snippet(&text, &m, 20);
        assert!(s.cut_before && s.cut_after);
        assert_eq!(
            show(&s.segments),
            (35..=54)
                .map(|n| if n == 40 {
                    "[w40]".to_owned()
                } else {
                    format!("w{n}")
                })
                .collect::<Vec<_>>()
                .join(" ")
        );
        let short = snippet("just a few words", &m, 20);
        assert!(!short.cut_before && !short.cut_after);
        assert_eq!(show(&short.segments), "just a few words");
    }
}
