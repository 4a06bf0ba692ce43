//! Conformance checks for the breach log: versions kept, stale changes refused, lists by
//! organisation, state and deadline.

use charter_core::Slug;
use charter_core::breaches::{Breach, Cyber, Details, Risk, State, Step};

use super::{load_small, ts};
use crate::Store;
use crate::StoreError;
use crate::breaches::{BreachChange, BreachFilter};

fn logged(org: &str, aware: &str) -> Breach {
    let details = Details {
        title: format!("Breach at {org}"),
        what_happened: "A list went to the wrong people.".into(),
        cyber: Cyber::Unknown,
        data_kinds: "Names".into(),
        people_kinds: "Residents".into(),
        people_count: Some(12),
        records_count: None,
        consequences: "Not known yet".into(),
        measures: "Asked them to delete it".into(),
    };
    Breach::new(
        org.parse().expect("a slug"),
        ts(aware),
        details,
        &ts("2026-12-01T00:00:00Z"),
    )
    .expect("a valid breach")
}

pub async fn breaches_keep_every_version_and_answer_by_state_and_deadline<S: Store>(store: S) {
    load_small(&store).await;
    let at = ts("2026-11-20T10:00:00Z");
    let change = |step| BreachChange {
        step,
        actor: "a@k.example",
        at: &at,
    };
    let first = logged("knowsley-council", "2026-11-20T09:00:00Z");
    let id = store.breach_add(&first, &change("log")).await.unwrap();
    let other = store
        .breach_add(
            &logged("wirral-transport", "2026-11-25T09:00:00Z"),
            &change("log"),
        )
        .await
        .unwrap();
    assert_ne!(id, other);
    let unknown = store
        .breach_add(
            &logged("nobody-here", "2026-11-20T09:00:00Z"),
            &change("log"),
        )
        .await;
    assert!(
        matches!(unknown, Err(StoreError::UnknownOrganisation(_))),
        "{unknown:?}"
    );

    let got = store.breach(id).await.unwrap().unwrap();
    assert_eq!((got.version, &got.breach), (1, &first));
    let assessing = first.apply(&Step::Assess, &at).unwrap();
    assert_eq!(
        store
            .breach_change(id, 1, &assessing, &change("assess"))
            .await
            .unwrap(),
        Some(2)
    );
    // A change from a stale version writes nothing.
    let stale = assessing
        .apply(
            &Step::Decide {
                risk: Risk::NoRisk,
                reason: "Encrypted".into(),
            },
            &at,
        )
        .unwrap();
    assert_eq!(
        store
            .breach_change(id, 1, &stale, &change("decide"))
            .await
            .unwrap(),
        None
    );
    assert_eq!(store.breach(id).await.unwrap().unwrap().breach, assessing);
    let versions = store.breach_versions(id).await.unwrap();
    assert_eq!(
        versions
            .iter()
            .map(|v| (v.version, v.step.as_str(), v.breach.state))
            .collect::<Vec<_>>(),
        [(1, "log", State::Detected), (2, "assess", State::Assessing)]
    );
    assert_eq!(versions[1].actor, "a@k.example");
    assert!(store.breach(9999).await.unwrap().is_none());

    // By organisation, newest found first; by state; by deadline.
    let ids =
        |list: Vec<crate::breaches::StoredBreach>| list.iter().map(|b| b.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.breaches(&BreachFilter::default()).await.unwrap()),
        [other, id]
    );
    let knowsley: Slug = "knowsley-council".parse().unwrap();
    let mine = BreachFilter {
        organisation: Some(knowsley),
        ..BreachFilter::default()
    };
    assert_eq!(ids(store.breaches(&mine).await.unwrap()), [id]);
    let open = |states: Vec<State>| BreachFilter {
        states,
        ..BreachFilter::default()
    };
    assert_eq!(
        ids(store.breaches(&open(vec![State::Assessing])).await.unwrap()),
        [id]
    );
    assert_eq!(
        ids(store
            .breaches(&open(vec![State::Detected, State::Closed]))
            .await
            .unwrap()),
        [other]
    );
    assert!(
        store
            .breaches(&open(vec![State::Reported]))
            .await
            .unwrap()
            .is_empty()
    );
    // The first breach's deadline is 2026-11-23T09:00:00Z, the other's 2026-11-28T09:00:00Z.
    let due = |by: &str| BreachFilter {
        deadline_by: Some(ts(by)),
        ..BreachFilter::default()
    };
    assert_eq!(
        ids(store.breaches(&due("2026-11-23T09:00:00Z")).await.unwrap()),
        [id]
    );
    assert!(
        store
            .breaches(&due("2026-11-23T08:59:59Z"))
            .await
            .unwrap()
            .is_empty()
    );
}
