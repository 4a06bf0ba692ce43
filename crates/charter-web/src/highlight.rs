//! Highlighted search results as HTML: every piece of text escaped, matched words in `<mark>`.

use charter_app::search::Piece;

fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// The pieces as HTML, with `…` where words were left out before or after.
pub fn html(pieces: &[Piece], cut_before: bool, cut_after: bool) -> String {
    let mut out = String::new();
    if cut_before {
        out.push_str("… ");
    }
    for p in pieces {
        if p.mark {
            out.push_str("<mark>");
            escape(&mut out, &p.text);
            out.push_str("</mark>");
        } else {
            escape(&mut out, &p.text);
        }
    }
    if cut_after {
        out.push_str(" …");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_but_the_marks() {
        let pieces = [
            Piece {
                text: "<script>".into(),
                mark: false,
            },
            Piece {
                text: "AI & \"you\"".into(),
                mark: true,
            },
        ];
        assert_eq!(
            html(&pieces, true, false),
            "… &lt;script&gt;<mark>AI &amp; &quot;you&quot;</mark>"
        );
    }
}
