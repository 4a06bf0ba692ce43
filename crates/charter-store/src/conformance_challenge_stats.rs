//! Conformance checks for the statistics on challenges and questions and the late items: both
//! databases add up the same counts, the same days to answer, and send each reminder once.

use charter_core::accounts::Role;
use charter_core::challenges::{Contact, ContactBy, Kind, Outcome, State, Submission};
use charter_core::{Date, ProjectId};

use super::{load_small, ts};
use crate::Store;
use crate::challenge_stats::{Deadline, StatsScope};
use crate::challenges::{ChallengeChange, NewChallenge};
use crate::notices::NewMail;

fn day(s: &str) -> Date {
    s.parse().expect("the checks write valid dates")
}

fn item(
    kind: Kind,
    project: u32,
    org: &str,
    n: usize,
    received: &str,
    answer_by: &str,
) -> NewChallenge {
    NewChallenge {
        kind,
        project: ProjectId::new(project),
        organisation: org.parse().expect("a slug"),
        submission: Submission {
            about: format!("Item {n}"),
            when: None,
            details: "The letter used an old address.".into(),
            wanted: None,
        },
        contact: Contact {
            name: None,
            by: ContactBy::Email,
            email: Some("resident@example.com".parse().expect("an email")),
            phone: None,
            address: None,
            support: Vec::new(),
            support_other: None,
        },
        public_requested: false,
        token_hash: format!("stats-{n}"),
        received_at: ts(received),
        acknowledge_by: day("2026-03-09"),
        answer_by: day(answer_by),
    }
}

async fn answer<S: Store>(store: &S, id: i64, at: &str, outcome: Option<Outcome>) {
    let changed = store
        .challenge_change(
            id,
            State::Received,
            &ChallengeChange::Answer {
                at: ts(at),
                outcome,
                answer: "We looked again.".into(),
                changes: None,
                public: false,
            },
        )
        .await
        .unwrap();
    assert!(changed, "item {id} answered");
}

pub async fn challenge_statistics_add_up_by_project_organisation_and_region<S: Store>(store: S) {
    load_small(&store).await;
    let today = day("2026-05-01");
    // Project 1 (Knowsley): 12 challenges from 2 March, due by 2 April. Ten answered in 10
    // days, one 39 days late, one still open.
    let mut ids = Vec::new();
    for n in 0..12 {
        let c = store
            .challenge_add(&item(
                Kind::Challenge,
                1,
                "knowsley-council",
                n,
                "2026-03-02T10:00:00Z",
                "2026-04-02",
            ))
            .await
            .unwrap();
        ids.push(c.id);
    }
    for (i, id) in ids.iter().take(10).enumerate() {
        let outcome = if i < 4 {
            Outcome::Upheld
        } else {
            Outcome::NotUpheld
        };
        // Late in the evening: the answer's day is still the 12th (UTC).
        answer(&store, *id, "2026-03-12T23:30:00Z", Some(outcome)).await;
    }
    answer(
        &store,
        ids[10],
        "2026-04-10T09:00:00Z",
        Some(Outcome::PartlyUpheld),
    )
    .await;
    // Project 2 (Knowsley) has a question answered on its last day; project 5 (Wirral) one not
    // due yet.
    let q = store
        .challenge_add(&item(
            Kind::Question,
            2,
            "knowsley-council",
            20,
            "2026-04-01T08:00:00Z",
            "2026-05-01",
        ))
        .await
        .unwrap();
    answer(&store, q.id, "2026-05-01T16:00:00Z", None).await;
    store
        .challenge_add(&item(
            Kind::Question,
            5,
            "wirral-transport",
            21,
            "2026-04-28T08:00:00Z",
            "2026-05-28",
        ))
        .await
        .unwrap();

    let one = store
        .challenge_tally(&StatsScope::Project(ProjectId::new(1)), today)
        .await
        .unwrap();
    assert_eq!((one.challenges, one.questions), (12, 0));
    assert_eq!(
        (one.answered, one.answered_on_time, one.overdue),
        (11, 10, 1)
    );
    let mut outcomes = one.outcomes.clone();
    outcomes.sort_by_key(|(o, _)| o.slug());
    assert_eq!(
        outcomes,
        vec![
            (Outcome::NotUpheld, 6),
            (Outcome::PartlyUpheld, 1),
            (Outcome::Upheld, 4)
        ]
    );
    let mut days = one.days_to_answer.clone();
    days.sort();
    assert_eq!(days, vec![(10, 10), (39, 1)]);

    let org = store
        .challenge_tally(
            &StatsScope::Organisation("knowsley-council".parse().unwrap()),
            today,
        )
        .await
        .unwrap();
    assert_eq!((org.challenges, org.questions), (12, 1));
    // Answered on the day it was due: on time.
    assert_eq!(
        (org.answered, org.answered_on_time, org.overdue),
        (12, 11, 1)
    );
    let region = store
        .challenge_tally(&StatsScope::Region, today)
        .await
        .unwrap();
    assert_eq!((region.challenges, region.questions), (12, 2));
    assert_eq!(region.overdue, 1, "the Wirral question is not due yet");
    let none = store
        .challenge_tally(&StatsScope::Project(ProjectId::new(3)), today)
        .await
        .unwrap();
    assert_eq!(none, charter_core::challenge_stats::Tally::default());

    let by_project = store.challenge_tallies_by_project(today).await.unwrap();
    let ids_seen: Vec<u32> = by_project.iter().map(|(p, _)| p.number()).collect();
    assert_eq!(ids_seen, vec![1, 2, 5]);
    assert_eq!(
        (
            by_project[0].1.answered,
            by_project[0].1.answered_on_time,
            by_project[0].1.overdue
        ),
        (11, 10, 1)
    );
}

pub async fn late_items_are_listed_and_reminded_once<S: Store>(store: S) {
    load_small(&store).await;
    let knowsley = "knowsley-council".parse().unwrap();
    let duty = store
        .user_add(
            "duty@k.example",
            None,
            Role::OrgEditor,
            Some(&knowsley),
            &ts("2026-03-01T09:00:00Z"),
        )
        .await
        .unwrap();
    // Never seen: both deadlines missed by 1 May. Seen but not answered: one. Answered: none.
    let unseen = store
        .challenge_add(&item(
            Kind::Challenge,
            1,
            "knowsley-council",
            1,
            "2026-03-02T10:00:00Z",
            "2026-04-02",
        ))
        .await
        .unwrap();
    let seen = store
        .challenge_add(&item(
            Kind::Question,
            2,
            "knowsley-council",
            2,
            "2026-03-03T10:00:00Z",
            "2026-04-03",
        ))
        .await
        .unwrap();
    assert!(
        store
            .challenge_change(
                seen.id,
                State::Received,
                &ChallengeChange::Acknowledge {
                    at: ts("2026-03-04T10:00:00Z")
                }
            )
            .await
            .unwrap()
    );
    store
        .challenge_change(
            seen.id,
            State::Acknowledged,
            &ChallengeChange::Assign(Some(duty)),
        )
        .await
        .unwrap();
    let done = store
        .challenge_add(&item(
            Kind::Challenge,
            1,
            "knowsley-council",
            3,
            "2026-03-02T10:00:00Z",
            "2026-04-02",
        ))
        .await
        .unwrap();
    answer(
        &store,
        done.id,
        "2026-03-05T10:00:00Z",
        Some(Outcome::Upheld),
    )
    .await;

    let today = day("2026-05-01");
    let late = store.challenges_overdue(today, true, 0, 10).await.unwrap();
    assert_eq!(late.total, 3);
    let rows: Vec<(i64, Deadline, Date)> = late
        .items
        .iter()
        .map(|o| (o.id, o.deadline, o.due))
        .collect();
    assert_eq!(
        rows,
        vec![
            (unseen.id, Deadline::Acknowledge, day("2026-03-09")),
            (unseen.id, Deadline::Answer, day("2026-04-02")),
            (seen.id, Deadline::Answer, day("2026-04-03")),
        ]
    );
    assert_eq!(late.items[2].assignee.as_deref(), Some("duty@k.example"));
    assert_eq!(late.items[0].assignee, None);
    // Before the day after it is due, nothing is late.
    assert_eq!(
        store
            .challenges_overdue(day("2026-03-09"), true, 0, 10)
            .await
            .unwrap()
            .total,
        0
    );
    // The list shows each item once, by the worse deadline it missed.
    let page = store.challenges_overdue(today, false, 1, 10).await.unwrap();
    assert_eq!((page.total, page.items.len()), (2, 1));
    assert_eq!(
        (page.items[0].id, page.items[0].deadline),
        (seen.id, Deadline::Answer)
    );
    let listed = store
        .challenges_overdue(day("2026-03-10"), false, 0, 10)
        .await
        .unwrap();
    assert_eq!(
        listed
            .items
            .iter()
            .map(|o| (o.id, o.deadline))
            .collect::<Vec<_>>(),
        vec![(unseen.id, Deadline::Acknowledge)],
        "not seen in time, and the answer not due yet"
    );

    let mail = |to: &str| NewMail {
        to: to.into(),
        subject: "Late".into(),
        body: "Late.".into(),
        path: "/manage/challenges".into(),
        at: ts("2026-05-01T06:00:00Z"),
    };
    let at = ts("2026-05-01T06:00:00Z");
    assert!(
        store
            .challenge_reminded(seen.id, Deadline::Answer, &at, &[mail("duty@k.example")])
            .await
            .unwrap()
    );
    assert!(
        !store
            .challenge_reminded(seen.id, Deadline::Answer, &at, &[mail("duty@k.example")])
            .await
            .unwrap(),
        "a second reminder for the same deadline is refused"
    );
    assert!(
        store
            .challenge_reminded(unseen.id, Deadline::Acknowledge, &at, &[])
            .await
            .unwrap()
    );
    let queued = store
        .mail_take(
            &ts("2026-05-01T07:00:00Z"),
            &ts("2026-05-01T08:00:00Z"),
            5,
            10,
        )
        .await
        .unwrap();
    assert_eq!(
        queued.len(),
        1,
        "one email, queued with the first reminder only"
    );
    let left = store.challenges_overdue(today, true, 0, 10).await.unwrap();
    assert_eq!(
        left.items
            .iter()
            .map(|o| (o.id, o.deadline))
            .collect::<Vec<_>>(),
        vec![(unseen.id, Deadline::Answer)]
    );
    // The charter body's list still shows every late item.
    assert_eq!(
        store
            .challenges_overdue(today, false, 0, 10)
            .await
            .unwrap()
            .total,
        2
    );
}
