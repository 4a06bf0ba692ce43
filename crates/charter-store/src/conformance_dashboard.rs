//! Conformance checks for the dashboard's sums: kept up with the history, read back by month and
//! day, counted once however many instances catch up, and equal to a recount of the history.

use charter_core::charter::Charter;
use charter_core::dashboard::{Changes, REGION, StoredSums, Timeline, metric};
use charter_core::picklists::Status;
use charter_core::{Date, ProjectId};

use super::{load_small, ts};
use crate::Store;
use crate::dashboard::{catch_up, differences};

fn charter() -> Charter {
    Charter::from_toml(include_str!("../../../charter/charter.toml")).expect("the charter loads")
}

fn day(s: &str) -> Date {
    s.parse().expect("a date")
}

/// A small register published in November 2026, one entry changed twice afterwards.
async fn history<S: Store>(store: &S) {
    load_small(store).await;
    let mut p = store
        .project(ProjectId::new(3))
        .await
        .unwrap()
        .expect("entry 3");
    p.status = Status::Retired;
    p.status_reason = Some("It is no longer needed.".into());
    p.uses_ai = !p.uses_ai;
    store
        .projects_publish(
            std::slice::from_ref(&p),
            "Retired",
            &ts("2027-01-15T10:00:00Z"),
        )
        .await
        .unwrap();
    p.title = "A new name".parse().unwrap();
    store
        .projects_publish(
            std::slice::from_ref(&p),
            "Renamed",
            &ts("2027-03-02T10:00:00Z"),
        )
        .await
        .unwrap();
}

pub async fn dashboard_sums_follow_the_history_and_match_a_recount<S: Store>(store: S) {
    let c = charter();
    history(&store).await;
    assert_eq!(store.dashboard_position().await.unwrap(), 0);
    catch_up(&store, &c).await.unwrap();
    let head = store.chain_head().await.unwrap().unwrap().seq;
    assert_eq!(store.dashboard_position().await.unwrap(), head);

    let figures = |sums: &StoredSums, on: &str| {
        Timeline::new(sums, day(on))
            .last()
            .cloned()
            .unwrap_or_default()
    };
    // Before anything was published: nothing. After: every entry, by status.
    let before = store
        .dashboard_sums(REGION, day("2026-10-31"))
        .await
        .unwrap();
    assert_eq!(figures(&before, "2026-10-31").get(metric::PROJECTS), 0);
    let (_, projects) = crate::fixtures::small_register();
    let n = projects.len() as i64;
    let dec = store
        .dashboard_sums(REGION, day("2026-12-20"))
        .await
        .unwrap();
    let f = figures(&dec, "2026-12-20");
    assert_eq!(f.get(metric::PROJECTS), n);
    let retired = projects
        .iter()
        .filter(|p| p.status == Status::Retired)
        .count() as i64;
    assert_eq!(f.get(&metric::status(Status::Retired)), retired);
    let ai_then = f.get(metric::USES_AI);
    // Read on a later month, the months before come from the monthly sums.
    let feb = store
        .dashboard_sums(REGION, day("2027-02-10"))
        .await
        .unwrap();
    assert!(!feb.months.is_empty());
    let f = figures(&feb, "2027-02-10");
    assert_eq!(f.get(metric::PROJECTS), n);
    assert_eq!(f.get(&metric::status(Status::Retired)), retired + 1);
    assert_eq!((f.get(metric::USES_AI) - ai_then).abs(), 1);
    // One organisation's sums hold its entries only.
    let org = projects[2].organisation.as_str().to_owned();
    let mine = projects
        .iter()
        .filter(|p| p.organisation.as_str() == org)
        .count() as i64;
    let o = store.dashboard_sums(&org, day("2027-02-10")).await.unwrap();
    assert_eq!(figures(&o, "2027-02-10").get(metric::PROJECTS), mine);

    // Catching up again, or from a second instance that read the old position, adds nothing.
    catch_up(&store, &c).await.unwrap();
    assert!(!store.dashboard_add(0, head, &Changes::new()).await.unwrap());
    assert_eq!(differences(&store, &c).await.unwrap(), Vec::<String>::new());
    let again = store
        .dashboard_sums(REGION, day("2027-02-10"))
        .await
        .unwrap();
    assert_eq!(again, feb);

    // A sum that does not match the history is named.
    let mut wrong = Changes::new();
    wrong.insert(
        (
            REGION.to_owned(),
            day("2026-11-30"),
            metric::PROJECTS.to_owned(),
        ),
        1,
    );
    assert!(store.dashboard_add(head, head, &wrong).await.unwrap());
    let found = differences(&store, &c).await.unwrap();
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found
            .iter()
            .all(|f| f.contains("the region") && f.contains("projects")),
        "{found:?}"
    );
}
