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

/// The dashboard's breach figures move with each change, by the month the deadline fell in,
/// and read as they stood on a day.
pub async fn breach_changes_keep_the_dashboards_monthly_figures<S: super::Tamper>(store: S) {
    use charter_core::dashboard::breach_months::{DUE, ON_TIME};
    load_small(&store).await;
    let sums = |scope: &'static str, on: &'static str| {
        let store = &store;
        async move {
            store
                .dashboard_breach_sums(
                    scope,
                    &["2026-11".into(), "2026-12".into()],
                    on.parse().unwrap(),
                )
                .await
                .unwrap()
        }
    };
    let step = |at: &'static str| BreachChange {
        step: "step",
        actor: "a@k.example",
        at: Box::leak(Box::new(ts(at))),
    };
    // Found 28 November: the 72 hours end on 1 December.
    let b = logged("knowsley-council", "2026-11-28T09:00:00Z");
    let id = store
        .breach_add(&b, &step("2026-11-28T10:00:00Z"))
        .await
        .unwrap();
    let b2 = b.apply(&Step::Assess, &ts("2026-11-28T11:00:00Z")).unwrap();
    store
        .breach_change(id, 1, &b2, &step("2026-11-28T11:00:00Z"))
        .await
        .unwrap();
    let b3 = b2
        .apply(
            &Step::Decide {
                risk: Risk::Risk,
                reason: String::new(),
            },
            &ts("2026-11-29T09:00:00Z"),
        )
        .unwrap();
    store
        .breach_change(id, 2, &b3, &step("2026-11-29T09:00:00Z"))
        .await
        .unwrap();
    // Told the ICO in time, but recorded late, on 3 December.
    let b4 = b3
        .apply(
            &Step::Report {
                at: ts("2026-11-30T15:00:00Z"),
                reference: "IC-1".into(),
                note: String::new(),
                delay_reason: String::new(),
            },
            &ts("2026-12-03T09:00:00Z"),
        )
        .unwrap();
    store
        .breach_change(id, 3, &b4, &step("2026-12-03T09:00:00Z"))
        .await
        .unwrap();
    let row = |m: &str, metric: &str, n: i64| (m.to_owned(), metric.to_owned(), n);
    assert_eq!(sums("", "2026-11-30").await, vec![]);
    assert_eq!(sums("", "2026-12-01").await, vec![row("2026-12", DUE, 1)]);
    assert_eq!(
        sums("knowsley-council", "2026-12-03").await,
        vec![row("2026-12", DUE, 1), row("2026-12", ON_TIME, 1)]
    );
    assert_eq!(sums("wirral-transport", "2026-12-03").await, vec![]);
    // A stale change adds nothing.
    assert_eq!(
        store
            .breach_change(id, 3, &b4, &step("2026-12-04T09:00:00Z"))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        sums("", "2026-12-31").await,
        vec![row("2026-12", DUE, 1), row("2026-12", ON_TIME, 1)]
    );
    // A breach found on 20 November, decided "no risk" on 25 November, after its deadline.
    let n = logged("wirral-transport", "2026-11-20T09:00:00Z");
    let nid = store
        .breach_add(&n, &step("2026-11-20T10:00:00Z"))
        .await
        .unwrap();
    let n2 = n.apply(&Step::Assess, &ts("2026-11-20T11:00:00Z")).unwrap();
    store
        .breach_change(nid, 1, &n2, &step("2026-11-20T11:00:00Z"))
        .await
        .unwrap();
    let n3 = n2
        .apply(
            &Step::Decide {
                risk: Risk::NoRisk,
                reason: "Locked file".into(),
            },
            &ts("2026-11-25T09:00:00Z"),
        )
        .unwrap();
    store
        .breach_change(nid, 2, &n3, &step("2026-11-25T09:00:00Z"))
        .await
        .unwrap();
    assert_eq!(
        sums("wirral-transport", "2026-11-24").await,
        vec![row("2026-11", DUE, 1)]
    );
    assert_eq!(sums("wirral-transport", "2026-11-25").await, vec![]);

    // What migration 0021 counts for breaches logged before it is what the changes added.
    let days = [
        "2026-11-23",
        "2026-11-24",
        "2026-11-25",
        "2026-12-01",
        "2026-12-02",
        "2026-12-03",
    ];
    let mut before = Vec::new();
    for scope in ["", "knowsley-council", "wirral-transport"] {
        for day in days {
            before.push(sums(scope, day).await);
        }
    }
    store
        .execute_sql("DELETE FROM dashboard_breach_months")
        .await;
    assert_eq!(sums("", "2026-12-31").await, vec![]);
    let migration = store.dashboard_breaches_migration();
    let insert = &migration[migration
        .find("INSERT INTO")
        .expect("the migration counts old breaches")..];
    store.execute_sql(insert.trim().trim_end_matches(';')).await;
    let mut after = Vec::new();
    for scope in ["", "knowsley-council", "wirral-transport"] {
        for day in days {
            after.push(sums(scope, day).await);
        }
    }
    assert_eq!(before, after);
}
