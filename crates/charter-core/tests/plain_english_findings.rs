//! Golden tests for every finding rule: texts that must be flagged (with the span, message and fix) and
//! texts that must not be.

use charter_core::plain_english::{Finding, Rule, Severity, analyse};

fn findings(text: &str, rule: Rule) -> Vec<Finding> {
    analyse(text)
        .findings
        .into_iter()
        .filter(|f| f.rule == rule)
        .collect()
}

/// The spanned texts of a rule's findings.
fn flagged(text: &str, rule: Rule) -> Vec<String> {
    findings(text, rule)
        .into_iter()
        .map(|f| {
            assert_eq!(
                &text[f.span.start..f.span.end],
                f.text,
                "span and text agree"
            );
            f.text
        })
        .collect()
}

fn words(n: usize) -> String {
    let mut s: Vec<String> = (0..n)
        .map(|i| ["we", "check", "the", "bins"][i % 4].to_string())
        .collect();
    s[0] = "We".into();
    s.join(" ") + "."
}

#[test]
fn long_and_very_long_sentences() {
    let s25 = words(25);
    let s26 = words(26);
    let s35 = words(35);
    let s36 = words(36);
    assert!(flagged(&s25, Rule::LongSentence).is_empty());
    assert!(flagged(&s25, Rule::VeryLongSentence).is_empty());
    assert_eq!(flagged(&s26, Rule::LongSentence), [s26.as_str()]);
    assert_eq!(flagged(&s35, Rule::LongSentence), [s35.as_str()]);
    assert!(flagged(&s35, Rule::VeryLongSentence).is_empty());
    // A very long sentence is reported once, as very long.
    assert_eq!(flagged(&s36, Rule::VeryLongSentence), [s36.as_str()]);
    assert!(flagged(&s36, Rule::LongSentence).is_empty());
    let f = &findings(&s26, Rule::LongSentence)[0];
    assert_eq!(f.message, "This sentence has 26 words.");
    assert_eq!(f.severity, Severity::Warning);
    // Two short sentences are not one long one, and bullets without full stops are separate.
    let two = format!("{} {}", words(20), words(20));
    assert!(flagged(&two, Rule::LongSentence).is_empty());
    let bullets = "You will need:\n- a recent bill from your gas or electricity supplier\n- a letter from the bank or building society\n- your passport or driving licence\n- your council tax reference number";
    assert!(flagged(bullets, Rule::LongSentence).is_empty());
    // Abbreviations do not end sentences; that makes this one sentence of 27 words.
    let abbr = "Mr. Jones and Dr. Patel said e.g. bins and boxes and bags and carts and tubs and pots and pans and cans and jars and tins are fine.";
    assert_eq!(flagged(abbr, Rule::LongSentence).len(), 1);
}

#[test]
fn long_paragraphs() {
    let five = "One two three. Four five six. Seven eight nine. Ten eleven twelve. Thirteen fourteen fifteen.";
    let six = format!("{five} Sixteen seventeen eighteen.");
    assert!(flagged(five, Rule::LongParagraph).is_empty());
    assert_eq!(flagged(&six, Rule::LongParagraph), [six.as_str()]);
    let split = format!("{five}\n\nSixteen seventeen eighteen.");
    assert!(flagged(&split, Rule::LongParagraph).is_empty());
    // A list does not make a paragraph long.
    let list =
        "Bring these:\n- a bill\n- a letter\n- a passport\n- a payslip\n- a bank card\n- a photo";
    assert!(flagged(list, Rule::LongParagraph).is_empty());
    assert_eq!(
        findings(&six, Rule::LongParagraph)[0].message,
        "This paragraph has 6 sentences."
    );
}

#[test]
fn words_to_avoid() {
    let text = "We will utilise your data and liaise with the school. We commenced in May.";
    assert_eq!(
        flagged(text, Rule::WordToAvoid),
        ["utilise", "liaise", "commenced"]
    );
    let f = &findings(text, Rule::WordToAvoid)[0];
    assert_eq!(f.message, "‘utilise’ has a plainer alternative.");
    assert_eq!(f.suggestion, "Try ‘use’.");
    assert_eq!(
        findings("Prior to the visit.", Rule::WordToAvoid)[0].suggestion,
        "Try ‘before’."
    );
    assert_eq!(
        flagged("Utilising it is easy.", Rule::WordToAvoid),
        ["Utilising"]
    );
    assert_eq!(
        flagged("It was impacted by rain.", Rule::WordToAvoid),
        ["impacted"]
    );
    // Plain words and look-alikes are not flagged.
    let plain = "We use your data and talk to the school. We started in May. The impact was small. Keep the key safe.";
    assert!(flagged(plain, Rule::WordToAvoid).is_empty());
    // Phrases only match across white space, not across a full stop.
    assert!(flagged("It is prior. To the visit we go.", Rule::WordToAvoid).is_empty());
}

#[test]
fn filler_phrases() {
    let text = "In order to apply, please note that you need a form.";
    assert_eq!(
        flagged(text, Rule::FillerPhrase),
        ["In order to", "please note that"]
    );
    let f = findings(text, Rule::FillerPhrase);
    assert_eq!(f[0].suggestion, "Try ‘to’.");
    assert_eq!(f[1].suggestion, "Leave it out.");
    assert_eq!(f[0].message, "‘In order to’ adds words but not meaning.");
    assert!(
        flagged(
            "To apply, you need a form. Put them in order.",
            Rule::FillerPhrase
        )
        .is_empty()
    );
}

#[test]
fn specialist_terms() {
    let text = "The council uses an algorithm to sort cases.";
    assert_eq!(flagged(text, Rule::SpecialistTerm), ["algorithm"]);
    let f = &findings(text, Rule::SpecialistTerm)[0];
    assert!(
        f.suggestion
            .contains("algorithm (a set of steps or rules a computer follows)")
    );
    // Each term once, at its first use.
    let twice = "We use machine learning. Machine learning helps.";
    assert_eq!(flagged(twice, Rule::SpecialistTerm), ["machine learning"]);
    // AI only in capitals.
    assert_eq!(
        flagged("We use AI to sort post.", Rule::SpecialistTerm),
        ["AI"]
    );
    assert!(flagged("Ai, Dai and Mai went out.", Rule::SpecialistTerm).is_empty());
    // Explained terms are not flagged.
    for explained in [
        "An algorithm (a set of rules a computer follows) sorts the cases.",
        "An algorithm is a set of rules that a computer follows.",
        "This kind of tool is called a machine learning model: it finds patterns in past records.",
        "The records are pseudonymised, which means names are replaced with a code.",
        "We use a dataset – a collection of records about repairs.",
        "Machine learning means a computer finds patterns in past records.",
    ] {
        assert!(
            flagged(explained, Rule::SpecialistTerm).is_empty(),
            "{explained}"
        );
    }
    // Everyday uses of "model" are not specialist.
    assert!(
        flagged(
            "She is a role model. Our business model is simple.",
            Rule::SpecialistTerm
        )
        .is_empty()
    );
}

#[test]
fn acronyms() {
    let text = "Fill in the DPIA form. Send the DPIA to us.";
    assert_eq!(flagged(text, Rule::Acronym), ["DPIA"]);
    let f = &findings(text, Rule::Acronym)[0];
    assert_eq!(f.message, "‘DPIA’ is not spelled out.");
    assert!(f.suggestion.contains("(DPIA)"));
    assert_eq!(flagged("We track KPIs.", Rule::Acronym), ["KPIs"]);
    for fine in [
        "Do a Data Protection Impact Assessment (DPIA) first. Then send the DPIA to us.",
        "Ask the Information Commissioner's Office (ICO). The ICO will reply.",
        "Send the DPIA (data protection impact assessment) to us.",
        "The NHS and the UK government and your GP and the BBC and HMRC.",
        "WARNING: DO NOT USE THIS SWITCH.",
        "Chapter II and Part IV apply.",
        "Call 0151 496 0000. Lines are open.",
        // Dotted names are web addresses, not acronyms ("GOV" of GOV.UK).
        "Read more on GOV.UK and NHS.UK about it.",
        "HM Treasury pays for it. Pupils sit GCSEs. Scan the QR code.",
    ] {
        assert!(flagged(fine, Rule::Acronym).is_empty(), "{fine}");
    }
}

/// The reading age and the long-sentence advice count the same sentences: a dotted name or an
/// abbreviation does not split one sentence into several for one and not the other.
#[test]
fn reading_age_and_long_sentence_advice_agree() {
    let text = "The tool, published on GOV.UK with the help of St. Helens Council, e.g. its data team, \
        sorts the letters that residents send to the council so that staff can answer the most urgent \
        ones first and nobody waits too long.";
    let a = analyse(text);
    assert_eq!(a.sentences, 1);
    let f = &findings(text, Rule::VeryLongSentence)[0];
    assert_eq!(
        f.message,
        format!(
            "This sentence has {} words, which is very long.",
            a.counts.words
        )
    );
    assert_eq!(
        a.longest_sentence.as_ref().map(|s| s.words),
        Some(a.counts.words)
    );
    // textstat's own count, behind the parity scores, is unchanged: it splits at each full stop.
    assert_eq!(a.counts.sentences, 4);
    let age = a.reading_age.map(|r| r.years).unwrap_or_default();
    assert!(
        age >= 16,
        "one sentence of {} words: reading age {age}",
        a.counts.words
    );
}

#[test]
fn passive_voice_is_advice() {
    let text = "Your form is checked by a caseworker. The data was deleted.";
    assert_eq!(
        flagged(text, Rule::PassiveVoice),
        ["is checked", "was deleted"]
    );
    let f = &findings(text, Rule::PassiveVoice)[0];
    assert_eq!(f.severity, Severity::Advice);
    assert_eq!(
        flagged("Letters are always sent on Monday.", Rule::PassiveVoice),
        ["are always sent"]
    );
    for active in [
        "A caseworker checks your form.",
        "We deleted the data.",
        "She is interested in bins.",
        "The tool is based in Liverpool.",
        "We are here to help.",
        "The bed is red.",
    ] {
        assert!(flagged(active, Rule::PassiveVoice).is_empty(), "{active}");
    }
}

#[test]
fn latin_abbreviations() {
    let text = "Bring ID, e.g. a passport, i.e. photo ID, bills etc. Or eg a bill, ie, anything.";
    assert_eq!(
        flagged(text, Rule::LatinAbbreviation),
        ["e.g.", "i.e.", "etc.", "eg", "ie"]
    );
    let f = findings(text, Rule::LatinAbbreviation);
    assert_eq!(f[0].suggestion, "Write ‘for example’ or ‘such as’.");
    assert_eq!(f[1].suggestion, "Write ‘that is’, or rewrite the sentence.");
    assert!(f[2].suggestion.contains("including"));
    for fine in [
        "Bring ID, for example a passport.",
        "The egg is in the tie. Etcetera is a word. Keep the veg in the fridge.",
        "Ie, mae hynny'n iawn.",
        "We ate pie, cake and jelly.",
    ] {
        assert!(flagged(fine, Rule::LatinAbbreviation).is_empty(), "{fine}");
    }
}

#[test]
fn negative_contractions() {
    let text = "You can't and won't. Don’t worry, it isn't late.";
    assert_eq!(
        flagged(text, Rule::NegativeContraction),
        ["can't", "won't", "Don’t", "isn't"]
    );
    let f = findings(text, Rule::NegativeContraction);
    assert_eq!(f[0].suggestion, "Write ‘cannot’.");
    assert_eq!(f[1].suggestion, "Write ‘will not’.");
    assert_eq!(f[2].suggestion, "Write ‘Do not’.");
    assert_eq!(f[3].suggestion, "Write ‘is not’.");
    assert!(
        flagged(
            "You cannot. It's fine, we'll help. They're here.",
            Rule::NegativeContraction
        )
        .is_empty()
    );
}

#[test]
fn long_uncommon_words() {
    let text = "The heterogeneous records showed multimorbidity.";
    assert_eq!(
        flagged(text, Rule::LongUncommonWord),
        ["heterogeneous", "multimorbidity"]
    );
    // Once per word.
    assert_eq!(
        flagged(
            "Heterogeneous? Yes, heterogeneous and heterogeneous.",
            Rule::LongUncommonWord
        ),
        ["heterogeneous"]
    );
    for fine in [
        "Every individual in the community has an opportunity.",
        "Information about the organisation is available.",
        "Llanfairpwllgwyngyll is in Anglesey.",
        "The reference is 1234567890123456.",
    ] {
        assert!(flagged(fine, Rule::LongUncommonWord).is_empty(), "{fine}");
    }
}

#[test]
fn plain_text_has_no_findings() {
    let text = "We look after about 21,000 homes. Damp and mould can make people ill. This tool looks at repair records and the age of each home. It gives each home a score. Our surveyors visit the homes with the highest scores first.";
    assert_eq!(analyse(text).findings, Vec::<Finding>::new());
}

#[test]
fn every_rule_has_a_golden_test() {
    // Keep this list in step with the tests above when adding a rule.
    let covered = [
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
    assert_eq!(covered, Rule::ALL);
}

#[test]
fn findings_are_in_text_order_with_valid_spans() {
    let text =
        "In order to help, we utilise AI. The DPIA wasn't done, e.g. last year.\n\nIt is checked.";
    let a = analyse(text);
    let starts: Vec<usize> = a.findings.iter().map(|f| f.span.start).collect();
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted);
    for f in &a.findings {
        assert!(text.is_char_boundary(f.span.start) && text.is_char_boundary(f.span.end));
        assert!(!f.message.is_empty() && !f.suggestion.is_empty());
    }
}
