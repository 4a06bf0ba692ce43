//! Conformance checks for residents' challenges and questions: the inbox's filters and pages,
//! changes that only happen from the state read, and erasing personal details.

use charter_core::accounts::Role;
use charter_core::challenges::{Contact, ContactBy, Kind, Outcome, State, Submission, Support};
use charter_core::{Date, ProjectId, Slug};

use super::{load_small, ts};
use crate::Store;
use crate::challenges::{Assigned, ChallengeChange, ChallengeFilter, NewChallenge};

fn day(s: &str) -> Date {
    s.parse().expect("the checks write valid dates")
}

fn new_item(kind: Kind, project: u32, org: &str, token: &str, received: &str) -> NewChallenge {
    NewChallenge {
        kind,
        project: ProjectId::new(project),
        organisation: org.parse().expect("a slug"),
        submission: Submission {
            about: format!("About {token}"),
            when: Some("Last March".into()),
            details: "<b>Wrong</b> address used".into(),
            wanted: Some("Look again".into()),
        },
        contact: Contact {
            name: Some("Sam Resident".into()),
            by: ContactBy::Email,
            email: Some("sam@example.com".parse().expect("an email")),
            phone: None,
            address: None,
            support: vec![Support::LargePrint],
            support_other: None,
        },
        public_requested: kind == Kind::Question,
        token_hash: format!("hash-{token}"),
        received_at: ts(received),
        acknowledge_by: day("2026-03-09"),
        answer_by: day("2026-04-02"),
    }
}

fn filter(org: &str) -> ChallengeFilter {
    ChallengeFilter {
        organisation: Some(org.parse().expect("a slug")),
        limit: 10,
        ..Default::default()
    }
}

pub async fn challenges_move_forward_once_and_page_through_the_inbox<S: Store>(store: S) {
    load_small(&store).await;
    let knowsley: Slug = "knowsley-council".parse().unwrap();
    let colleague = store
        .user_add(
            "duty@k.example",
            None,
            Role::OrgEditor,
            Some(&knowsley),
            &ts("2026-03-01T09:00:00Z"),
        )
        .await
        .unwrap();
    store
        .user_add(
            "other@w.example",
            None,
            Role::OrgAdmin,
            Some(&"wirral-transport".parse().unwrap()),
            &ts("2026-03-01T09:00:00Z"),
        )
        .await
        .unwrap();

    let challenged = |id: u32| {
        let store = &store;
        async move {
            store
                .project_with_organisation(ProjectId::new(id))
                .await
                .unwrap()
                .unwrap()
                .challenged
        }
    };
    assert!(!challenged(1).await, "nothing sent yet");
    let first = store
        .challenge_add(&new_item(
            Kind::Challenge,
            1,
            "knowsley-council",
            "a",
            "2026-03-02T10:00:00Z",
        ))
        .await
        .unwrap();
    assert_eq!(first.state, State::Received);
    assert!(
        challenged(1).await,
        "its page reads its figures from now on"
    );
    assert!(!challenged(2).await);
    assert_eq!(first.reference().year, 2026);
    assert_eq!(first.acknowledge_by, day("2026-03-09"));
    assert_eq!(
        first.submission.as_ref().map(|s| s.details.as_str()),
        Some("<b>Wrong</b> address used")
    );
    assert_eq!(
        first.contact.as_ref().map(|c| c.support.clone()),
        Some(vec![Support::LargePrint])
    );
    let question = store
        .challenge_add(&new_item(
            Kind::Question,
            2,
            "knowsley-council",
            "b",
            "2026-03-03T10:00:00Z",
        ))
        .await
        .unwrap();
    store
        .challenge_add(&new_item(
            Kind::Challenge,
            5,
            "wirral-transport",
            "c",
            "2026-03-03T11:00:00Z",
        ))
        .await
        .unwrap();
    for n in 0..3 {
        store
            .challenge_add(&new_item(
                Kind::Question,
                7,
                "knowsley-council",
                &format!("d{n}"),
                "2026-03-04T10:00:00Z",
            ))
            .await
            .unwrap();
    }
    assert_eq!(
        store
            .challenge_by_token("hash-b")
            .await
            .unwrap()
            .map(|c| c.id),
        Some(question.id)
    );
    assert!(store.challenge_by_token("hash-x").await.unwrap().is_none());

    // One organisation's inbox, newest first, a page at a time.
    let all = store.challenges(&filter("knowsley-council")).await.unwrap();
    assert_eq!(all.total, 5);
    assert!(all.items.windows(2).all(|w| w[0].id > w[1].id));
    assert!(
        all.items
            .iter()
            .all(|c| c.organisation.as_str() == "knowsley-council")
    );
    let mut second = filter("knowsley-council");
    second.limit = 2;
    second.offset = 2;
    let page = store.challenges(&second).await.unwrap();
    assert_eq!(page.total, 5);
    assert_eq!(
        page.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        all.items[2..4].iter().map(|c| c.id).collect::<Vec<_>>()
    );
    let mut by_project = filter("knowsley-council");
    by_project.project = Some(ProjectId::new(7));
    assert_eq!(store.challenges(&by_project).await.unwrap().total, 3);
    let everyone = ChallengeFilter {
        limit: 10,
        ..Default::default()
    };
    assert_eq!(store.challenges(&everyone).await.unwrap().total, 6);

    // Given to a colleague; the filters find it.
    assert!(
        store
            .challenge_change(
                first.id,
                State::Received,
                &ChallengeChange::Assign(Some(colleague))
            )
            .await
            .unwrap()
    );
    let mut theirs = filter("knowsley-council");
    theirs.assigned = Some(Assigned::Person(colleague));
    let found = store.challenges(&theirs).await.unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(
        found.items[0].assignee,
        Some((colleague, "duty@k.example".to_owned()))
    );
    theirs.assigned = Some(Assigned::Nobody);
    assert_eq!(store.challenges(&theirs).await.unwrap().total, 4);
    let people = store.challenge_assignees(&knowsley).await.unwrap();
    assert_eq!(
        people.iter().map(|u| u.email.as_str()).collect::<Vec<_>>(),
        ["duty@k.example"]
    );

    // Overdue: past the acknowledge-by day (9 March) while still received.
    let mut late = filter("knowsley-council");
    late.overdue_on = Some(day("2026-03-09"));
    assert_eq!(store.challenges(&late).await.unwrap().total, 0);
    late.overdue_on = Some(day("2026-03-10"));
    assert_eq!(store.challenges(&late).await.unwrap().total, 5);

    // Acknowledged once; a second go from the state it was in does nothing.
    let ack = ChallengeChange::Acknowledge {
        at: ts("2026-03-05T09:00:00Z"),
    };
    assert!(
        store
            .challenge_change(first.id, State::Received, &ack)
            .await
            .unwrap()
    );
    assert!(
        !store
            .challenge_change(first.id, State::Received, &ack)
            .await
            .unwrap()
    );
    assert_eq!(store.challenges(&late).await.unwrap().total, 4);
    late.overdue_on = Some(day("2026-04-03"));
    assert_eq!(store.challenges(&late).await.unwrap().total, 5);
    let mut acknowledged = filter("knowsley-council");
    acknowledged.state = Some(State::Acknowledged);
    assert_eq!(store.challenges(&acknowledged).await.unwrap().total, 1);

    // Escalated once.
    let esc = ChallengeChange::Escalate {
        at: ts("2026-04-03T09:00:00Z"),
    };
    assert!(
        store
            .challenge_change(first.id, State::Acknowledged, &esc)
            .await
            .unwrap()
    );
    assert!(
        !store
            .challenge_change(first.id, State::Acknowledged, &esc)
            .await
            .unwrap()
    );

    let answer = ChallengeChange::Answer {
        at: ts("2026-04-04T09:00:00Z"),
        outcome: Some(Outcome::PartlyUpheld),
        answer: "We looked again.".into(),
        changes: Some("We fixed your address.".into()),
        public: false,
    };
    assert!(
        store
            .challenge_change(first.id, State::Acknowledged, &answer)
            .await
            .unwrap()
    );
    let answered = store.challenge(first.id).await.unwrap().unwrap();
    assert_eq!(answered.state, State::Answered);
    assert_eq!(answered.outcome, Some(Outcome::PartlyUpheld));
    assert_eq!(answered.answer.as_deref(), Some("We looked again."));
    assert_eq!(answered.escalated_at, Some(ts("2026-04-03T09:00:00Z")));
    assert_eq!(answered.acknowledged_at, Some(ts("2026-03-05T09:00:00Z")));
    assert!(!answered.overdue(day("2026-09-01")));

    // A question answered straight away is acknowledged by the answer, and shown in public.
    let public = ChallengeChange::Answer {
        at: ts("2026-03-06T09:00:00Z"),
        outcome: None,
        answer: "We use the council tax list.".into(),
        changes: None,
        public: true,
    };
    assert!(
        !store
            .challenge_change(question.id, State::Acknowledged, &public)
            .await
            .unwrap(),
        "not from a state it is not in"
    );
    assert!(
        store
            .challenge_change(question.id, State::Received, &public)
            .await
            .unwrap()
    );
    let q = store.challenge(question.id).await.unwrap().unwrap();
    assert_eq!(q.acknowledged_at, Some(ts("2026-03-06T09:00:00Z")));
    let shown = store.public_answers(ProjectId::new(2)).await.unwrap();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].answer, "We use the council tax list.");
    assert_eq!(shown[0].about, "About b");
    assert!(
        store
            .public_answers(ProjectId::new(1))
            .await
            .unwrap()
            .is_empty()
    );
    for id in [first.id, question.id] {
        assert!(
            store
                .challenge_change(
                    id,
                    State::Answered,
                    &ChallengeChange::Close {
                        at: ts("2026-04-05T09:00:00Z")
                    }
                )
                .await
                .unwrap()
        );
    }
}

pub async fn erasing_keeps_only_what_counts<S: Store>(store: S) {
    load_small(&store).await;
    let open = store
        .challenge_add(&new_item(
            Kind::Challenge,
            1,
            "knowsley-council",
            "open",
            "2026-03-02T10:00:00Z",
        ))
        .await
        .unwrap();
    // The resident deletes what they sent while it is open: it closes as withdrawn.
    assert!(
        store
            .challenge_erase(open.id, &ts("2026-03-03T10:00:00Z"))
            .await
            .unwrap()
    );
    assert!(
        !store
            .challenge_erase(open.id, &ts("2026-03-03T10:00:00Z"))
            .await
            .unwrap()
    );
    let gone = store.challenge(open.id).await.unwrap().unwrap();
    assert_eq!(
        (gone.state, gone.outcome),
        (State::Closed, Some(Outcome::Withdrawn))
    );
    assert_eq!((gone.submission, gone.contact), (None, None));
    assert_eq!(gone.erased_at, Some(ts("2026-03-03T10:00:00Z")));
    assert!(
        store
            .challenge_by_token("hash-open")
            .await
            .unwrap()
            .is_none()
    );

    // Closed items lose their personal details once closed long enough; a question answered
    // in public keeps its words, not who asked.
    let mut ids = Vec::new();
    for (n, (kind, public)) in [(Kind::Challenge, false), (Kind::Question, true)]
        .into_iter()
        .enumerate()
    {
        let item = store
            .challenge_add(&new_item(
                kind,
                2,
                "knowsley-council",
                &format!("closed{n}"),
                "2026-03-02T10:00:00Z",
            ))
            .await
            .unwrap();
        let answer = ChallengeChange::Answer {
            at: ts("2026-03-04T10:00:00Z"),
            outcome: (kind == Kind::Challenge).then_some(Outcome::NotUpheld),
            answer: "Our answer".into(),
            changes: None,
            public,
        };
        assert!(
            store
                .challenge_change(item.id, State::Received, &answer)
                .await
                .unwrap()
        );
        assert!(
            store
                .challenge_change(
                    item.id,
                    State::Answered,
                    &ChallengeChange::Close {
                        at: ts("2026-03-05T10:00:00Z")
                    }
                )
                .await
                .unwrap()
        );
        ids.push(item.id);
    }
    let recent = store
        .challenge_add(&new_item(
            Kind::Challenge,
            2,
            "knowsley-council",
            "recent",
            "2026-03-02T10:00:00Z",
        ))
        .await
        .unwrap();
    assert_eq!(
        store
            .challenges_erase_closed(&ts("2026-03-05T09:59:59Z"), &ts("2027-03-06T00:00:00Z"))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .challenges_erase_closed(&ts("2026-03-05T10:00:00Z"), &ts("2027-03-06T00:00:00Z"))
            .await
            .unwrap(),
        2
    );
    let challenge = store.challenge(ids[0]).await.unwrap().unwrap();
    assert_eq!((challenge.submission, challenge.contact), (None, None));
    assert_eq!(challenge.outcome, Some(Outcome::NotUpheld));
    let question = store.challenge(ids[1]).await.unwrap().unwrap();
    assert!(question.submission.is_some());
    assert_eq!(question.contact, None);
    assert_eq!(
        store.public_answers(ProjectId::new(2)).await.unwrap().len(),
        1
    );
    let still = store.challenge(recent.id).await.unwrap().unwrap();
    assert!(still.contact.is_some(), "open items keep their details");
    assert!(
        store
            .challenge_by_token("hash-recent")
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .challenge_by_token("hash-closed0")
            .await
            .unwrap()
            .is_none()
    );
    // Erasing again finds nothing left to erase.
    assert_eq!(
        store
            .challenges_erase_closed(&ts("2030-01-01T00:00:00Z"), &ts("2030-01-01T00:00:00Z"))
            .await
            .unwrap(),
        0
    );
}
