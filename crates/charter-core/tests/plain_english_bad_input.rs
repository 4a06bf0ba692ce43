//! Bad input: any text gives a sensible result, never a panic, NaN or infinity.

use charter_core::plain_english::{Analysis, analyse};

fn sane(text: &str) -> Analysis {
    let a = analyse(text);
    let s = &a.scores;
    for score in [
        s.flesch_reading_ease,
        s.flesch_kincaid_grade,
        s.smog_index,
        s.gunning_fog,
        s.coleman_liau_index,
        s.automated_readability_index,
        s.dale_chall_readability_score,
    ]
    .into_iter()
    .flatten()
    {
        assert!(
            score.is_finite(),
            "{score} for {:?}",
            &text[..text.len().min(40)]
        );
    }
    if let Some(age) = a.reading_age {
        assert!(age.exact.is_finite());
        assert_eq!(a.band, Some(age.band()));
    } else {
        assert_eq!(a.band, None);
    }
    for f in &a.findings {
        assert!(f.span.start <= f.span.end && f.span.end <= text.len());
        assert!(text.is_char_boundary(f.span.start) && text.is_char_boundary(f.span.end));
    }
    let json = serde_json::to_string(&a).expect("serialises");
    assert!(!json.contains("NaN") && !json.contains("inf"));
    a
}

#[test]
fn empty_and_blank() {
    for text in ["", " ", "\n\n\t  \r\n", "\u{feff}", "\0"] {
        let a = sane(text);
        assert_eq!(a.counts.words, 0);
        assert_eq!(a.reading_age, None);
        assert_eq!(a.scores.flesch_reading_ease, None);
        assert!(a.indicative);
        assert!(a.findings.is_empty());
    }
}

#[test]
fn one_word() {
    let a = sane("Hello");
    assert_eq!((a.counts.words, a.counts.sentences, a.sentences), (1, 1, 1));
    // Too short to judge on a number: the writer is asked to say more instead.
    assert!(a.too_short);
    assert_eq!(a.reading_age, None);
    assert_eq!(a.band, None);
    assert!(a.indicative);
    // The textstat-compatible scores are still given.
    assert!(a.scores.flesch_kincaid_grade.is_some());
    assert!(!sane("Cat.").suggestions.is_empty());
}

#[test]
fn only_numbers_and_punctuation() {
    let a = sane("1 2 3 4 5 6 7 8 9 10 £1,000 20% 3.14 2024-25");
    assert!(a.counts.words > 0);
    sane("... !!! ??? --- ,,, ;;; ::: ''' \"\"\"");
    sane("12.30pm 01/02/2025 0151 496 0000");
}

#[test]
fn emoji_and_symbols() {
    sane("😀 👍 🏠 ❤️ ⭐⭐⭐");
    sane("We ❤️ feedback 👍. Rate us ⭐⭐⭐⭐⭐!");
    sane("👨‍👩‍👧‍👦 family emoji with joiners and 🇬🇧 flags");
}

#[test]
fn mixed_scripts_and_marks() {
    sane("Привет мир. مرحبا بالعالم. 你好，世界。 Γειά σου Κόσμε. שלום");
    sane("naïve café coöperate e\u{301} combining marks\u{301}\u{302}\u{303}");
    sane("Ynys Môn, Tŷ Hyll and Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch.");
    sane("İstanbul ΣΊΣΥΦΟΣ ǅemal ß ﬃ ligature");
    sane("\u{202e}right-to-left override\u{202c} and \u{200b}zero\u{200b}width");
}

#[test]
fn control_characters_and_odd_white_space() {
    sane("a\u{1c}b\u{1d}c\u{1e}d\u{1f}e\u{85}f\u{a0}g\u{2028}h\u{3000}i");
    sane("\r\r\r text \r\n\r\n - \n * \n 1. \n");
}

#[test]
fn one_megabyte_of_text() {
    let paragraph = "The council collects bins every other week. Residents in Llanfairpwllgwyngyll can't utilise the DPIA (e.g. for the algorithm) in order to appeal, which was decided by the committee.\n\n";
    let text = paragraph.repeat(1_000_000 / paragraph.len() + 1);
    assert!(text.len() >= 1_000_000);
    let a = sane(&text);
    assert!(a.counts.words > 150_000);
    assert!(!a.indicative);
}

#[test]
fn pathological_shapes_stay_quick() {
    // No spaces at all, full stops everywhere, one giant sentence, repeated terms, runs of small words.
    let started = std::time::Instant::now();
    sane(&"a.".repeat(200_000));
    sane(&"x".repeat(300_000));
    sane(&"model ".repeat(50_000));
    sane(&format!("{} DPIA ICO KPI", "of ".repeat(100_000)));
    sane(&"(((((((((( ".repeat(20_000));
    sane(&"e.g. i.e. etc ".repeat(20_000));
    assert!(
        started.elapsed().as_secs() < 60,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn random_text_never_panics() {
    // A small deterministic generator: letters, marks, punctuation, white space, emoji and CJK.
    let alphabet: Vec<char> =
        "aeiouAEIOU bcdfgHJKLm .,!?;:'’\"-–—()[]\n\t\r£$%&*_0123456789 ŵŷéü\u{301}\u{1f}😀你好Ж"
            .chars()
            .collect();
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..300 {
        let len = (state % 400) as usize;
        let mut text = String::new();
        for _ in 0..len {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push(alphabet[(state % alphabet.len() as u64) as usize]);
        }
        sane(&text);
    }
}
