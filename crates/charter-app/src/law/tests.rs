use super::*;
use crate::testing::{KNOWSLEY, WIRRAL, acting, audit, person, store};
use charter_core::accounts::Role;
use charter_core::law::LawReview;
use charter_store::prelude::*;

/// The small register's entries, published.
async fn register() -> charter_store_sqlite::SqliteStore {
    let store = store().await;
    let (_, projects) = charter_store::fixtures::small_register();
    store
        .projects_publish(&projects, "First published", &clock::now())
        .await
        .unwrap();
    store
}

fn input(way: &str) -> LawChangeInput {
    LawChangeInput {
        title: "Bus data sharing policy".into(),
        what_changed: "Bus firms must share where buses are.".into(),
        in_force: "2027-01-01".into(),
        url: "https://example.org/bus-policy".into(),
        due_on: clock::today().add_days(30).to_string(),
        way: way.into(),
        ..Default::default()
    }
}

fn problems<T: std::fmt::Debug>(r: AppResult<T>) -> Vec<(String, String)> {
    match r {
        Err(AppError::Invalid(p)) => p.into_iter().map(|p| (p.field, p.message)).collect(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_charter_body_records_a_change_and_sees_what_it_touches_first() {
    let store = register().await;
    let moderator = acting(&person(&store, "mod@example.org", Role::Moderator, None).await);
    let mut by_topic = input("topic");
    by_topic.topic = "transport".into();
    let (_, touched) = preview(&store, &moderator, &by_topic).await.unwrap();
    assert_eq!(touched.count, 2);
    assert!(
        touched
            .first
            .iter()
            .all(|e| e.organisation.as_str() == WIRRAL)
    );
    assert_eq!(
        store.law_changes().await.unwrap().len(),
        2,
        "preview saves nothing"
    );

    let (saved, count) = record(&store, &moderator, &by_topic).await.unwrap();
    assert_eq!(count, 2);
    assert_eq!(saved.id, LawChangeId::new(3));
    assert_eq!(
        find(&store, saved.id).await.unwrap().title,
        "Bus data sharing policy"
    );
    let log = audit(&store).await;
    let last = log.last().unwrap();
    assert_eq!(
        (last.0.as_str(), last.1.as_str(), last.2.as_str()),
        (
            "mod@example.org",
            "law-change-record",
            "LAW-0003 Bus data sharing policy (touches 2 entries)"
        )
    );
}

#[tokio::test]
async fn a_change_that_touches_no_entries_is_refused_and_nothing_is_saved() {
    let store = register().await;
    let moderator = acting(&person(&store, "mod@example.org", Role::Moderator, None).await);
    let mut nobody = input("topic");
    nobody.topic = "employment-and-skills".into();
    assert_eq!(
        problems(record(&store, &moderator, &nobody).await),
        vec![("topic".to_string(), NOTHING_TOUCHED.to_string())]
    );
    let mut by_hand = input("entries");
    by_hand.entries = "LCR-0001 LCR-0999".into();
    let refused = problems(record(&store, &moderator, &by_hand).await);
    assert_eq!(refused[0].0, "entries");
    assert!(
        refused[0].1.starts_with("LCR-0999: no entry"),
        "{refused:?}"
    );
    assert_eq!(store.law_changes().await.unwrap().len(), 2);
    assert!(audit(&store).await.is_empty());
}

#[tokio::test]
async fn organisations_cannot_record_changes() {
    let store = register().await;
    let admin = acting(&person(&store, "a@example.org", Role::OrgAdmin, Some(KNOWSLEY)).await);
    assert!(matches!(
        record(&store, &admin, &input("ai")).await,
        Err(AppError::Forbidden(_))
    ));
    assert_eq!(store.law_changes().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_task_stays_open_until_the_published_entry_records_the_review() {
    let store = register().await;
    let admin = acting(&person(&store, "a@example.org", Role::OrgAdmin, Some(KNOWSLEY)).await);
    // The two changes every register starts with touch entries that use AI: Knowsley's damp
    // repairs planner (its chatbot is retired).
    let tasks = organisation_tasks(&store, &admin, &KNOWSLEY.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(tasks.len(), 2, "{tasks:?}");
    assert!(
        tasks
            .iter()
            .all(|t| t.project == ProjectId::new(1) && !t.overdue)
    );
    let others = organisation_tasks(&store, &admin, &WIRRAL.parse().unwrap()).await;
    assert!(matches!(others, Err(AppError::Forbidden(_))));

    let mut p = store.project(ProjectId::new(1)).await.unwrap().unwrap();
    p.law_reviews.push(LawReview {
        change: LawChangeId::new(1),
        reviewed_on: clock::today(),
        note: "A person still decides.".into(),
    });
    store
        .projects_publish(&[p], "Reviewed", &clock::now())
        .await
        .unwrap();
    let tasks = organisation_tasks(&store, &admin, &KNOWSLEY.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].change, LawChangeId::new(2));

    // Across the register: the AI entries still to review, by their due date.
    let due = tasks_due(&store, "2027-03-31".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(due.len(), 7, "{due:?}");
    assert!(
        tasks_due(&store, "2027-03-30".parse().unwrap())
            .await
            .unwrap()
            .is_empty()
    );
}

fn titles(list: &[LawChange]) -> Vec<&str> {
    list.iter().map(|c| c.title.as_str()).collect()
}

#[tokio::test]
async fn entry_pages_see_a_change_recorded_here_at_once() {
    let store = register().await;
    let moderator = acting(&person(&store, "mod@example.org", Role::Moderator, None).await);
    let remembered = RememberedLaw::default();
    assert_eq!(remembered.changes(&store).await.unwrap().len(), 2);
    let (saved, _) = record(&store, &moderator, &input("ai")).await.unwrap();
    // Within the time a version read is trusted: only the count of changes made here says so.
    let now = remembered.changes(&store).await.unwrap();
    assert_eq!(titles(&now), titles(&store.law_changes().await.unwrap()));
    assert!(now.iter().any(|c| c.id == saved.id));
}

#[tokio::test]
async fn entry_pages_see_a_change_recorded_by_another_instance_soon_after() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("register.db").display());
    let here = charter_store_sqlite::SqliteStore::open(&url).await.unwrap();
    // Another instance's handle on the same file: its writes are not counted here.
    let elsewhere = charter_store_sqlite::SqliteStore::open(&url).await.unwrap();
    let remembered = RememberedLaw::default();
    assert_eq!(remembered.changes(&here).await.unwrap().len(), 2);
    let new = NewLawChange {
        title: "Bus data sharing policy".into(),
        what_changed: "Bus firms must share where buses are.".into(),
        in_force: "2027-01-01".parse().unwrap(),
        url: "https://example.org/bus-policy".parse().unwrap(),
        touches: Touches::Ai(None),
        due_on: "2027-06-30".parse().unwrap(),
    };
    elsewhere
        .law_change_add(&new, clock::today(), "mod@example.org")
        .await
        .unwrap();
    // A generous bound: what is tested is that the list is not kept for ever.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while remembered.changes(&here).await.unwrap().len() == 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "a change recorded elsewhere was never seen"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        titles(&remembered.changes(&here).await.unwrap())[0],
        new.title
    );
}
