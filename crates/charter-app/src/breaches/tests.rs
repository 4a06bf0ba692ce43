use charter_core::accounts::Role;
use charter_store::prelude::*;

use super::*;
use crate::testing::{KNOWSLEY, WIRRAL, acting, audit, person, store};

fn input(day: &str, year: &str) -> LogInput {
    LogInput {
        title: "Letters to the wrong homes".into(),
        aware_day: day.into(),
        aware_month: "3".into(),
        aware_year: year.into(),
        aware_time: "9:00".into(),
        what_happened: "A mail merge mixed up names.".into(),
        cyber: "no".into(),
        data_kinds: "Names and addresses".into(),
        people_kinds: "Tenants".into(),
        people_count: "40".into(),
        records_count: String::new(),
        consequences: "People could see who lives where.".into(),
        measures: "We asked for the letters back.".into(),
    }
}

fn fields(r: AppResult<impl std::fmt::Debug>) -> Vec<String> {
    match r {
        Err(AppError::Invalid(p)) => p.into_iter().map(|p| p.field).collect(),
        other => panic!("{other:?}"),
    }
}

fn step(version: u32) -> StepInput {
    StepInput {
        version: version.to_string(),
        ..StepInput::default()
    }
}

#[tokio::test]
async fn a_breach_is_logged_decided_reported_and_closed_each_change_kept_and_audited() {
    let store = store().await;
    let admin = person(&store, "a@k.example", Role::OrgAdmin, Some(KNOWSLEY)).await;
    let who = acting(&admin);
    let org: Slug = KNOWSLEY.parse().unwrap();
    let id = log(&store, &who, &org, &input("27", "2025")).await.unwrap();
    // Aware at 9:00 GMT on 27 March 2025; the clocks went forward on 30 March.
    let got = find(&store, &who, id).await.unwrap();
    assert_eq!(got.stored.breach.aware_at.as_str(), "2025-03-27T09:00:00Z");
    assert_eq!(
        got.stored.breach.deadline().as_str(),
        "2025-03-30T09:00:00Z"
    );
    assert!(got.may_record);

    take_step(&store, &who, id, "assess", &step(1))
        .await
        .unwrap();
    let decide = StepInput {
        risk: "high-risk".into(),
        ..step(2)
    };
    take_step(&store, &who, id, "decide", &decide)
        .await
        .unwrap();
    // Told on 31 March, after the deadline: the reason for the delay is required.
    let mut report = StepInput {
        reported_day: "31".into(),
        reported_month: "3".into(),
        reported_year: "2025".into(),
        reported_time: "10:00".into(),
        reference: "IC-1234".into(),
        ..step(3)
    };
    assert_eq!(
        fields(take_step(&store, &who, id, "report", &report).await),
        ["delay_reason"]
    );
    report.delay_reason = "We waited for the supplier's logs.".into();
    take_step(&store, &who, id, "report", &report)
        .await
        .unwrap();
    let close = StepInput {
        summary: "Letters went to the wrong homes. We fixed the mail merge.".into(),
        ..step(4)
    };
    // High risk: people told, or an exemption, first.
    assert_eq!(
        fields(take_step(&store, &who, id, "close", &close).await),
        ["summary"]
    );
    let people = StepInput {
        people: "public-notice".into(),
        ..step(4)
    };
    take_step(&store, &who, id, "people", &people)
        .await
        .unwrap();
    let close = StepInput {
        version: "5".into(),
        ..close
    };
    assert_eq!(
        take_step(&store, &who, id, "close", &close).await.unwrap(),
        6
    );

    let got = find(&store, &who, id).await.unwrap();
    assert_eq!(
        got.versions
            .iter()
            .map(|v| v.step.as_str())
            .collect::<Vec<_>>(),
        ["log", "assess", "decide", "report", "people", "close"]
    );
    let shown = public(&store, &org).await.unwrap();
    assert_eq!(shown.len(), 1);
    assert_eq!(
        (shown[0].found.as_str(), shown[0].on_time),
        ("March 2025", Some(false))
    );
    assert_eq!(deadlines(&store).await.unwrap()[&org].missed, 1);
    let actions: Vec<String> = audit(&store).await.into_iter().map(|e| e.1).collect();
    assert_eq!(
        actions,
        [
            "breach-log",
            "breach-assess",
            "breach-decide",
            "breach-report",
            "breach-people",
            "breach-close"
        ]
    );
}

#[tokio::test]
async fn bad_input_is_named_and_nothing_is_saved() {
    let store = store().await;
    let admin = person(&store, "a@k.example", Role::OrgAdmin, Some(KNOWSLEY)).await;
    let who = acting(&admin);
    let org: Slug = KNOWSLEY.parse().unwrap();
    // Awareness in the future, a count that is not one, no cyber answer.
    let mut bad = input("27", "2099");
    bad.people_count = "lots".into();
    bad.cyber = String::new();
    bad.title = String::new();
    assert_eq!(
        fields(log(&store, &who, &org, &bad).await),
        ["title", "aware", "cyber", "people_count"]
    );
    let mut no_date = input("", "");
    no_date.aware_month = String::new();
    assert_eq!(fields(log(&store, &who, &org, &no_date).await), ["aware"]);
    assert!(
        store
            .breaches(&BreachFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(audit(&store).await.is_empty());

    let id = log(&store, &who, &org, &input("27", "2025")).await.unwrap();
    take_step(&store, &who, id, "assess", &step(1))
        .await
        .unwrap();
    // No risk without a reason; closing without a decision; a stale form.
    let no_reason = StepInput {
        risk: "no-risk".into(),
        ..step(2)
    };
    assert_eq!(
        fields(take_step(&store, &who, id, "decide", &no_reason).await),
        ["reason"]
    );
    assert_eq!(
        fields(
            take_step(
                &store,
                &who,
                id,
                "close",
                &StepInput {
                    summary: "x".into(),
                    ..step(2)
                }
            )
            .await
        ),
        [""]
    );
    let stale = take_step(&store, &who, id, "assess", &step(1)).await;
    assert!(matches!(stale, Err(AppError::Conflict(_))), "{stale:?}");
    assert_eq!(store.breach_versions(id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn only_the_organisations_administrators_and_the_charter_body_see_it() {
    let store = store().await;
    let admin = person(&store, "a@k.example", Role::OrgAdmin, Some(KNOWSLEY)).await;
    let editor = person(&store, "e@k.example", Role::OrgEditor, Some(KNOWSLEY)).await;
    let other = person(&store, "a@w.example", Role::OrgAdmin, Some(WIRRAL)).await;
    let moderator = person(&store, "m@x.example", Role::Moderator, None).await;
    let org: Slug = KNOWSLEY.parse().unwrap();
    let id = log(&store, &acting(&admin), &org, &input("27", "2025"))
        .await
        .unwrap();

    for who in [&other, &editor] {
        let seen = find(&store, &acting(who), id).await;
        assert!(matches!(seen, Err(AppError::NotFound(_))), "{seen:?}");
        let done = take_step(&store, &acting(who), id, "assess", &step(1)).await;
        assert!(matches!(done, Err(AppError::NotFound(_))), "{done:?}");
    }
    assert!(matches!(
        list(&store, &acting(&other), &org).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        log(&store, &acting(&moderator), &org, &input("27", "2025")).await,
        Err(AppError::Forbidden(_))
    ));
    // The charter body sees it, cannot act on it, and sees the missed deadline.
    let seen = find(&store, &acting(&moderator), id).await.unwrap();
    assert!(!seen.may_record);
    let done = take_step(&store, &acting(&moderator), id, "assess", &step(1)).await;
    assert!(matches!(done, Err(AppError::Forbidden(_))), "{done:?}");
    let r = region(&store, &acting(&moderator)).await.unwrap();
    assert_eq!((r.open.len(), r.missed.len()), (1, 1));
    assert!(matches!(
        region(&store, &acting(&admin)).await,
        Err(AppError::Forbidden(_))
    ));
    // Still waiting, and due long ago: what reminders will ask for.
    let due = due_by(&store, &"2025-04-01T00:00:00Z".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(due.iter().map(|b| b.id).collect::<Vec<_>>(), [id]);
    assert!(public(&store, &org).await.unwrap().is_empty());
}
