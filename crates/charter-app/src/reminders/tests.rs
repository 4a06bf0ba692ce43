//! Reminders go once per stage to the people who want them, the weekly summary once a week.

use charter_core::accounts::Role;
use charter_core::picklists::Status;
use charter_store::prelude::*;

use super::*;
use crate::testing::{KNOWSLEY, acting, person, store};

async fn signed_up(store: &dyn Store, email: &str, role: Role) -> User {
    let u = person(store, email, role, Some(KNOWSLEY)).await;
    store
        .user_password_set(u.id, "$argon2id$test", &clock::now())
        .await
        .unwrap();
    store.user(u.id).await.unwrap().unwrap()
}

/// An entry in use since 15 January 2026, due a review on 31 March 2027.
async fn publish_in_use(store: &dyn Store) {
    publish(store, "2026-01-15", "2027-03-31").await
}

async fn publish(store: &dyn Store, started: &str, review: &str) {
    let mut p = charter_core::sample::minimal_project(
        3,
        KNOWSLEY.parse().unwrap(),
        "Street lights".parse().unwrap(),
        "Turns lights down at night.",
    );
    p.status = Status::InUse;
    p.start_date = Some(started.parse().unwrap());
    p.next_review_date = Some(review.parse().unwrap());
    store
        .projects_publish(&[p], "First published", &clock::now())
        .await
        .unwrap();
}

fn charter() -> Charter {
    Charter::from_toml(include_str!("../../../../charter/charter.toml")).unwrap()
}

fn at(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

async fn queued(store: &dyn Store) -> Vec<(String, String)> {
    let later = at("2100-01-01T00:00:00Z");
    store
        .mail_take(&later, &later, 100, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.to, m.subject))
        .collect()
}

#[tokio::test]
async fn a_reminder_goes_once_before_and_once_when_due_to_those_who_want_it() {
    let store = store().await;
    signed_up(&store, "admin@k.example", Role::OrgAdmin).await;
    let editor = signed_up(&store, "editor@k.example", Role::OrgEditor).await;
    // The editor does not want review reminders.
    let off: Vec<String> = Notice::ALL
        .into_iter()
        .filter(|n| n.for_role(Role::OrgEditor) && *n != Notice::ReviewDue)
        .map(|n| n.slug().to_owned())
        .collect();
    crate::notices::choices::choose(&store, &acting(&editor), &off)
        .await
        .unwrap();
    publish_in_use(&store).await;
    let charter = charter();
    let dues = dues(&store, &charter, None).await.unwrap();

    // Nothing is due in 2026.
    assert_eq!(
        send_due(&store, &dues, &at("2026-06-10T09:00:00Z"))
            .await
            .unwrap(),
        0
    );
    // The first outcome report was due on 15 January 2027: late, so only the "now" one goes.
    // The review (31 March) is more than 30 days away.
    let late = at("2027-02-10T09:00:00Z");
    assert_eq!(send_due(&store, &dues, &late).await.unwrap(), 1);
    // Within 30 days of the review: its first reminder.
    let soon = at("2027-03-05T09:00:00Z");
    assert_eq!(send_due(&store, &dues, &soon).await.unwrap(), 1);
    // A second instance looking at the same moment queues nothing more.
    assert_eq!(send_due(&store, &dues, &soon).await.unwrap(), 0);
    let mails = queued(&store).await;
    assert!(
        mails.contains(&(
            "admin@k.example".into(),
            "Due soon: review for Street lights (LCR-0003)".into()
        )),
        "{mails:?}"
    );
    assert!(
        mails.contains(&(
            "editor@k.example".into(),
            "Due now: outcome report for Street lights (LCR-0003)".into()
        )),
        "the editor still gets the late outcome report: {mails:?}"
    );
    assert_eq!(
        mails
            .iter()
            .filter(|(to, _)| to == "editor@k.example")
            .count(),
        1,
        "but not the review: {mails:?}"
    );
    // On the day: the second reminder, once.
    let due = at("2027-03-31T06:00:00Z");
    assert_eq!(send_due(&store, &dues, &due).await.unwrap(), 1);
    assert_eq!(
        send_due(&store, &dues, &at("2027-04-30T06:00:00Z"))
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn the_weekly_summary_goes_once_a_week_to_administrators_only() {
    let store = store().await;
    signed_up(&store, "admin@k.example", Role::OrgAdmin).await;
    signed_up(&store, "editor@k.example", Role::OrgEditor).await;
    publish_in_use(&store).await;
    let charter = charter();
    let dues = dues(&store, &charter, None).await.unwrap();
    let monday = at("2027-03-08T07:00:00Z");
    assert_eq!(send_weekly(&store, &dues, &monday).await.unwrap(), 1);
    assert_eq!(
        send_weekly(&store, &dues, &at("2027-03-12T07:00:00Z"))
            .await
            .unwrap(),
        0,
        "the same week"
    );
    let mails = queued(&store).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].0, "admin@k.example");
    assert_eq!(
        send_weekly(&store, &dues, &at("2027-03-15T07:00:00Z"))
            .await
            .unwrap(),
        1,
        "the next week"
    );
}

#[tokio::test]
async fn coming_up_is_for_the_organisation_s_people_and_soonest_first() {
    let store = store().await;
    let admin = signed_up(&store, "admin@k.example", Role::OrgAdmin).await;
    let other = person(
        &store,
        "w@w.example",
        Role::OrgAdmin,
        Some(crate::testing::WIRRAL),
    )
    .await;
    let today = clock::today();
    publish(
        &store,
        &today.add_days(-400).to_string(),
        &today.add_days(10).to_string(),
    )
    .await;
    let charter = charter();
    let knowsley: Slug = KNOWSLEY.parse().unwrap();
    let list = coming_up(&store, &charter, &acting(&admin), &knowsley)
        .await
        .unwrap();
    // The outcome report is late and the review due in 10 days: late first.
    let duties: Vec<Duty> = list.iter().map(|d| d.duty).collect();
    assert_eq!(duties, [Duty::OutcomeReport, Duty::Review], "{list:?}");
    assert!(matches!(
        coming_up(&store, &charter, &acting(&other), &knowsley).await,
        Err(crate::AppError::Forbidden(_))
    ));
    assert!(matches!(
        undelivered(&store, &acting(&other), &knowsley).await,
        Err(crate::AppError::Forbidden(_))
    ));
    assert!(
        undelivered(&store, &acting(&admin), &knowsley)
            .await
            .unwrap()
            .is_empty()
    );
}
