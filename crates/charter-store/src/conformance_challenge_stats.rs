//! Conformance checks for the statistics on challenges and questions and the late items: both
//! databases add up the same counts, the same days to answer, and send each reminder once.

use charter_core::accounts::Role;
use charter_core::challenges::{Contact, ContactBy, Kind, Outcome, State, Step, Submission};
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

/// A small generator of numbers that repeats: the same steps on every backend.
struct Steps(u64);

impl Steps {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Every scope's kept sums equal a recount of every item, on several days.
async fn sums_equal_a_recount<S: Store>(store: &S, items: &[crate::challenges::Challenge]) {
    use charter_core::challenge_counts::{metric, normalised};
    use charter_core::dashboard::{REGION, Timeline, month_of};

    let mut scopes = vec![StatsScope::Region];
    for org in ["knowsley-council", "mersey-nhs-trust", "wirral-transport"] {
        scopes.push(StatsScope::Organisation(org.parse().expect("a slug")));
    }
    for p in 1..=8 {
        scopes.push(StatsScope::Project(ProjectId::new(p)));
    }
    for today in ["2026-01-20", "2026-03-01", "2026-04-15", "2026-07-01"].map(day) {
        for scope in &scopes {
            let kept = store.challenge_tally(scope, today).await.unwrap();
            let recount = store.challenge_tally_recounted(scope, today).await.unwrap();
            assert_eq!(kept, normalised(&recount), "{scope:?} on {today}");
            assert_eq!(kept.statistics(), recount.statistics(), "{scope:?}");
        }
        let by_project = store.challenge_tallies_by_project(today).await.unwrap();
        let ids: Vec<ProjectId> = (1..=8).map(ProjectId::new).collect();
        assert_eq!(
            store.challenge_tallies_for(&ids, today).await.unwrap(),
            by_project
        );
        for (p, t) in &by_project {
            let r = store
                .challenge_tally_recounted(&StatsScope::Project(*p), today)
                .await
                .unwrap();
            assert_eq!(
                (t.answered, t.answered_on_time, t.overdue),
                (r.answered, r.answered_on_time, r.overdue),
                "{p} on {today}"
            );
        }
        // The dashboard's answers in the month so far, for the region and each organisation.
        for scope in [REGION, "knowsley-council", "wirral-transport"] {
            let sums = store.challenge_answer_sums(scope, today).await.unwrap();
            let figures = Timeline::new(&sums, today)
                .last()
                .cloned()
                .unwrap_or_default();
            let given: Vec<_> = items
                .iter()
                .filter(|c| scope == REGION || c.organisation.as_str() == scope)
                .filter_map(|c| c.answered_at.as_ref().map(|a| (a.date(), c.answer_by)))
                .filter(|(a, _)| *a <= today && month_of(*a) == month_of(today))
                .collect();
            assert_eq!(
                figures.get(metric::ANSWERED),
                given.len() as i64,
                "{scope} {today}"
            );
            assert_eq!(
                figures.get(metric::ON_TIME),
                given.iter().filter(|(a, by)| a <= by).count() as i64,
                "{scope} {today}"
            );
        }
    }
}

pub async fn kept_challenge_sums_match_a_recount_after_any_steps<S: crate::conformance::Tamper>(
    store: S,
) {
    use crate::challenges::ChallengeFilter;

    load_small(&store).await;
    let orgs = [
        "knowsley-council",
        "knowsley-council",
        "mersey-nhs-trust",
        "mersey-nhs-trust",
        "wirral-transport",
        "wirral-transport",
        "knowsley-council",
        "mersey-nhs-trust",
    ];
    let mut steps = Steps(42);
    let mut ids: Vec<i64> = Vec::new();
    let start = day("2026-01-05");
    for n in 0..160 {
        let at = |d: u64, h: u64| {
            let day = start.add_days(d as i64);
            ts(&format!("{day}T{:02}:30:00Z", 8 + h))
        };
        match steps.below(6) {
            0 | 1 => {
                let p = steps.below(8) as usize;
                let d = steps.below(150);
                let received = start.add_days(d as i64);
                let kind = if steps.below(2) == 0 {
                    Kind::Challenge
                } else {
                    Kind::Question
                };
                let mut new = item(
                    kind,
                    p as u32 + 1,
                    orgs[p],
                    n,
                    &format!("{received}T09:00:00Z"),
                    &received.add_months(1).to_string(),
                );
                new.token_hash = format!("steps-{n}");
                ids.push(store.challenge_add(&new).await.unwrap().id);
            }
            step if !ids.is_empty() => {
                let id = ids[steps.below(ids.len() as u64) as usize];
                let c = store.challenge(id).await.unwrap().expect("the item");
                // Some time after it arrived, possibly past its deadline.
                let after = (c.received_at.date().inner() - start.inner()).whole_days() as u64;
                let when = at(after + steps.below(45), steps.below(14));
                let allowed = |s: Step| c.state.allows(s);
                let change = match step {
                    2 if allowed(Step::Acknowledge) => ChallengeChange::Acknowledge { at: when },
                    3 if allowed(Step::Answer) => ChallengeChange::Answer {
                        at: when,
                        outcome: (c.kind == Kind::Challenge)
                            .then(|| Outcome::ALL[steps.below(4) as usize]),
                        answer: "We looked again.".into(),
                        changes: None,
                        public: false,
                    },
                    4 if allowed(Step::Close) => ChallengeChange::Close { at: when },
                    2..=4 => continue,
                    _ => {
                        // The resident deletes what they sent, or the job erases closed items.
                        if steps.below(2) == 0 {
                            store.challenge_erase(id, &when).await.unwrap();
                        } else {
                            store.challenges_erase_closed(&when, &when).await.unwrap();
                        }
                        continue;
                    }
                };
                assert!(store.challenge_change(id, c.state, &change).await.unwrap());
            }
            _ => {}
        }
    }
    // One answered on the day it was due, late in the evening: on time.
    let mut due = item(
        Kind::Challenge,
        1,
        "knowsley-council",
        999,
        "2026-02-02T09:00:00Z",
        "2026-03-02",
    );
    due.token_hash = "steps-due".into();
    let due = store.challenge_add(&due).await.unwrap();
    answer(
        &store,
        due.id,
        "2026-03-02T23:30:00Z",
        Some(Outcome::Upheld),
    )
    .await;
    let all = store
        .challenges(&ChallengeFilter {
            organisation: None,
            project: None,
            state: None,
            assigned: None,
            overdue_on: None,
            offset: 0,
            limit: 1000,
        })
        .await
        .unwrap();
    let answered = all.items.iter().filter(|c| c.answered_at.is_some()).count();
    let open = all.items.iter().filter(|c| c.state.open()).count();
    let erased = all.items.iter().filter(|c| c.erased_at.is_some()).count();
    let closed = all
        .items
        .iter()
        .filter(|c| c.state == State::Closed)
        .count();
    assert!(
        answered >= 10 && open >= 10 && erased >= 3 && closed > erased,
        "{} items: {answered} answered, {open} open, {erased} erased, {closed} closed",
        all.items.len()
    );
    sums_equal_a_recount(&store, &all.items).await;

    // The migration counts the items already there the same way.
    for table in [
        "challenge_counts",
        "challenge_answer_days",
        "challenge_answer_months",
    ] {
        store.execute_sql(&format!("DROP TABLE {table}")).await;
    }
    store
        .execute_script(store.challenge_counts_migration())
        .await;
    sums_equal_a_recount(&store, &all.items).await;
}
