use super::*;
use crate::charter::Charter;
use crate::check::{Outcome, check, check_with};

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

fn complete() -> Project {
    serde_json::from_str(include_str!("../../tests/fixtures/check-complete.json")).unwrap()
}

fn charter() -> Charter {
    Charter::from_toml(include_str!("../../../../charter/charter.toml")).unwrap()
}

fn input() -> LawChangeInput {
    LawChangeInput {
        title: "Data (Use and Access) Act 2025".into(),
        what_changed: "New rules on decisions made by computers.".into(),
        in_force: "2025-06-19".into(),
        url: "https://www.legislation.gov.uk/ukpga/2025/18/contents".into(),
        due_on: "2027-03-31".into(),
        way: "ai".into(),
        ..Default::default()
    }
}

fn change(touches: Touches) -> LawChange {
    NewLawChange {
        title: "A change".into(),
        what_changed: "Something changed.".into(),
        in_force: date("2025-06-19"),
        url: "https://example.org/law".parse().unwrap(),
        touches,
        due_on: date("2026-12-31"),
    }
    .numbered(LawChangeId::new(1), date("2026-11-01"))
}

fn message<'a>(errors: &'a [FieldError], field: &str) -> &'a str {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
        .unwrap_or_else(|| panic!("no error for {field}: {errors:?}"))
}

#[test]
fn a_change_as_typed_is_read() {
    let c = read(&input(), date("2026-12-06")).unwrap();
    assert_eq!(c.touches, Touches::Ai(None));
    assert_eq!(c.in_force, date("2025-06-19"));
    let mut by_hand = input();
    by_hand.way = "entries".into();
    by_hand.entries = "lcr-0042, LCR-0007\nLCR-0042".into();
    let c = read(&by_hand, date("2026-12-06")).unwrap();
    assert_eq!(
        c.touches,
        Touches::Entries(vec![ProjectId::new(42), ProjectId::new(7)])
    );
}

#[test]
fn every_problem_is_named_by_its_field() {
    let errors = read(&LawChangeInput::default(), date("2026-12-06")).unwrap_err();
    assert_eq!(message(&errors, "title"), "Enter a title for the change");
    assert_eq!(
        message(&errors, "what_changed"),
        "Say what changed, in plain words"
    );
    assert_eq!(
        message(&errors, "in_force"),
        "Enter the date it starts to apply, such as 2026-03-31"
    );
    assert_eq!(
        message(&errors, "way"),
        "Choose how to pick the entries this change touches"
    );
    let mut bad = input();
    bad.due_on = "2026-12-05".into();
    bad.in_force = "31/2/2026".into();
    bad.url = "legislation.gov.uk".into();
    bad.way = "entries".into();
    bad.entries = "LCR-0042 project-7".into();
    let errors = read(&bad, date("2026-12-06")).unwrap_err();
    assert!(message(&errors, "due_on").contains("today or later"));
    assert!(message(&errors, "in_force").contains("must be a real date"));
    assert!(message(&errors, "url").contains("https://"));
    assert_eq!(
        message(&errors, "entries"),
        "project-7 is not an entry number: entry numbers look like LCR-0042"
    );
    let mut none = input();
    none.way = "topic".into();
    let errors = read(&none, date("2026-12-06")).unwrap_err();
    assert_eq!(message(&errors, "topic"), "Choose a topic");
}

#[test]
fn touches_reads_back_what_it_writes() {
    for t in [
        Touches::Topic(Topic::Housing),
        Touches::PersonalData,
        Touches::SpecialCategoryData,
        Touches::LawfulBasis(LawfulBasis::PublicTask),
        Touches::Ai(None),
        Touches::Ai(Some(AiKind::Generative)),
        Touches::Entries(vec![ProjectId::new(3), ProjectId::new(12)]),
    ] {
        assert_eq!(t.to_string().parse::<Touches>(), Ok(t));
    }
    assert!("topic:weather".parse::<Touches>().is_err());
    assert!("everything".parse::<Touches>().is_err());
}

#[test]
fn a_rule_touches_entries_on_the_register_when_it_was_recorded() {
    let p = complete(); // Housing, uses AI, first published well before 2026-11-01.
    assert!(change(Touches::Topic(Topic::Housing)).touches(&p));
    assert!(!change(Touches::Topic(Topic::Transport)).touches(&p));
    assert!(change(Touches::Ai(None)).touches(&p));
    let mut later = p.clone();
    later.first_published = date("2026-11-02");
    assert!(!change(Touches::Ai(None)).touches(&later));
    let mut retired = p.clone();
    retired.status = Status::Retired;
    assert!(!change(Touches::Ai(None)).touches(&retired));
    // By hand, an entry is touched whatever its dates.
    assert!(change(Touches::Entries(vec![later.id])).touches(&later));
    assert!(!change(Touches::Entries(vec![ProjectId::new(999)])).touches(&later));
}

#[test]
fn a_review_closes_the_task_and_a_missed_due_date_shows() {
    let mut p = complete();
    p.law_reviews.clear();
    let c = change(Touches::Ai(None));
    assert_eq!(c.state(&p, date("2026-12-31")), ReviewState::Open);
    assert_eq!(c.state(&p, date("2027-01-01")), ReviewState::Overdue);
    p.law_reviews.push(LawReview {
        change: c.id,
        reviewed_on: date("2027-01-05"),
        note: "Checked.".into(),
    });
    assert!(matches!(
        c.state(&p, date("2027-01-06")),
        ReviewState::Reviewed(_)
    ));
}

#[test]
fn the_charter_check_asks_for_reviews_past_their_due_date() {
    let mut p = complete();
    p.law_reviews.clear();
    let rule = |card: &crate::check::Scorecard| {
        card.principles
            .iter()
            .flat_map(|pr| &pr.rules)
            .find(|r| r.rule == "law-changes")
            .cloned()
            .unwrap()
    };
    let law = [change(Touches::Ai(None))];
    // Without the list (a draft's check) and before the due date, nothing is asked.
    let card = check(&p, &charter(), date("2027-01-01"));
    assert_eq!(rule(&card).outcome, Outcome::NotApplicable);
    let card = check_with(&p, &charter(), date("2026-12-31"), &law);
    assert_eq!(rule(&card).outcome, Outcome::Met);
    let card = check_with(&p, &charter(), date("2027-01-01"), &law);
    let r = rule(&card);
    assert_eq!(r.outcome, Outcome::NotMet);
    assert_eq!(
        r.advice.as_deref(),
        Some(
            "Review the project against A change (LAW-0001, due 31 December 2026) and say so in the entry."
        )
    );
    assert_eq!(
        card.status("legality"),
        Some(crate::check::PrincipleStatus::PartlyMet)
    );
    // A change that touches something else does not apply.
    let other = [change(Touches::Topic(Topic::Transport))];
    let card = check_with(&p, &charter(), date("2027-01-01"), &other);
    assert_eq!(rule(&card).outcome, Outcome::NotApplicable);
}

#[test]
fn the_editor_reads_a_review_and_refuses_a_number_that_is_not_a_change() {
    use crate::editor::{apply, section};
    let p = complete();
    let s = section("law-reviews").unwrap();
    let input = |change: &str| {
        vec![
            ("law_reviews.0.change".to_string(), change.to_string()),
            ("law_reviews.0.reviewed_on".into(), "2026-12-01".into()),
            (
                "law_reviews.0.note".into(),
                "Nothing needed to change.".into(),
            ),
        ]
    };
    let saved = apply(s, &input("law-0002"), &p).unwrap();
    assert_eq!(saved.law_reviews.len(), 1);
    assert_eq!(saved.law_reviews[0].change, LawChangeId::new(2));
    let errors = apply(s, &input("the new act"), &p).unwrap_err();
    assert_eq!(
        errors[0].message,
        "“the new act” is not a change in the law: their numbers look like LAW-0001"
    );
    assert_eq!(errors[0].field, "law_reviews.0.change");
}

#[test]
fn the_entry_page_lists_reviews_then_what_is_still_to_do() {
    let p = complete(); // Reviewed against LAW-0001.
    let reviewed = change(Touches::Ai(None));
    let mut second = change(Touches::Topic(Topic::Housing));
    second.id = LawChangeId::new(2);
    second.title = "Another change".into();
    let mut later = change(Touches::Ai(None));
    later.id = LawChangeId::new(3);
    later.recorded_on = date("2027-02-01");
    let rows = entry_rows(&p, &[reviewed, second, later], date("2027-01-10"));
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0].change, LawChangeId::new(1));
    assert!(matches!(rows[0].state, RowState::Reviewed { .. }));
    assert_eq!(rows[1].title.as_deref(), Some("Another change"));
    assert_eq!(
        rows[1].state,
        RowState::Overdue {
            due: date("2026-12-31")
        }
    );
}
