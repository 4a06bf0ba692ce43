//! Conformance checks for the register's list of changes in the law.

use charter_core::Date;
use charter_core::law::{NewLawChange, Touches};
use charter_core::{LawChangeId, ProjectId};

use crate::Store;

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

/// A fresh register starts with its two changes; new ones take the next number, read back whole
/// (the way they touch entries too), and the list comes latest in force first. Recording one
/// moves the register's version (entry pages keep the list per version) and is counted as a
/// change made by this process.
pub async fn law_changes_are_listed_and_numbered_in_turn<S: Store>(store: S) {
    let seeded = store.law_changes().await.unwrap();
    let version = store.register_version().await.unwrap();
    let counted = store.changes_committed_here();
    assert_eq!(seeded.len(), 2, "{seeded:?}");
    assert_eq!(seeded[0].title, "Data (Use and Access) Act 2025");
    assert_eq!(seeded[0].id, LawChangeId::new(1));
    assert_eq!(seeded[0].touches, Touches::Ai(None));
    assert_eq!(seeded[1].in_force, date("2024-02-06"));
    let new = NewLawChange {
        title: "A policy on sharing data".into(),
        what_changed: "Line one.\nLine two, with “quotes” and 'apostrophes'.".into(),
        in_force: date("2027-01-01"),
        url: "https://example.org/policy".parse().unwrap(),
        touches: Touches::Entries(vec![ProjectId::new(7), ProjectId::new(42)]),
        due_on: date("2027-06-30"),
    };
    let added = store
        .law_change_add(&new, date("2026-12-06"), "moderator@example.org")
        .await
        .unwrap();
    assert_eq!(added.id, LawChangeId::new(3));
    assert_eq!(added.recorded_on, date("2026-12-06"));
    assert!(store.register_version().await.unwrap() > version);
    assert!(store.changes_committed_here() > counted);
    let listed = store.law_changes().await.unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[0], added);
    assert_eq!(listed[0].what_changed, new.what_changed);
    assert_eq!(listed[0].touches, new.touches);
}
