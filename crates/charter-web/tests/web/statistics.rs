//! Public statistics on challenges and questions (API and pages), the charter check's
//! `answers-on-time`, the charter body's list of late items and the reminders.

use std::time::Duration;

use axum::http::StatusCode;
use charter_core::ProjectId;
use charter_core::accounts::Role;
use charter_core::challenges::{Contact, ContactBy, Kind, Outcome, State, Submission};
use charter_store::challenges::{ChallengeChange, NewChallenge};

use crate::harness::{TestApp, dashboard_rows, ts};

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
        organisation: org.parse().unwrap(),
        submission: Submission {
            about: format!("Item {n}"),
            when: None,
            details: "They used my old address.".into(),
            wanted: None,
        },
        contact: Contact {
            name: Some("Pat Private".into()),
            by: ContactBy::Email,
            email: Some("pat.private@example.com".parse().unwrap()),
            phone: None,
            address: None,
            support: Vec::new(),
            support_other: None,
        },
        public_requested: false,
        token_hash: format!("web-stats-{n}"),
        received_at: ts(received),
        acknowledge_by: "2026-10-08".parse().unwrap(),
        answer_by: answer_by.parse().unwrap(),
    }
}

async fn answer(app: &TestApp, id: i64, at: &str, outcome: Option<Outcome>) {
    assert!(
        app.store
            .challenge_change(
                id,
                State::Received,
                &ChallengeChange::Answer {
                    at: ts(at),
                    outcome,
                    answer: "We checked it.".into(),
                    changes: None,
                    public: false,
                },
            )
            .await
            .unwrap()
    );
}

/// Twelve challenges on LCR-0001, all answered in 10 days, and three questions on LCR-0002.
async fn some_items(app: &TestApp) {
    for n in 0..12 {
        let c = app
            .store
            .challenge_add(&item(
                Kind::Challenge,
                1,
                "knowsley-council",
                n,
                "2026-10-01T09:00:00Z",
                "2026-11-02",
            ))
            .await
            .unwrap();
        let outcome = if n < 10 {
            Outcome::NotUpheld
        } else {
            Outcome::Upheld
        };
        answer(app, c.id, "2026-10-11T15:00:00Z", Some(outcome)).await;
    }
    for n in 20..23 {
        app.store
            .challenge_add(&item(
                Kind::Question,
                2,
                "knowsley-council",
                n,
                "2026-10-01T09:00:00Z",
                "2026-11-02",
            ))
            .await
            .unwrap();
    }
}

async fn answered(app: &TestApp) -> serde_json::Value {
    app.get("/api/v1/statistics/challenges").await.json()["statistics"]["answered"]["count"].clone()
}

#[tokio::test]
async fn the_api_gives_small_number_safe_figures_for_each_scope() {
    for app in TestApp::init().on_each_backend().await {
        some_items(&app).await;
        let one = app
            .get("/api/v1/statistics/challenges?project=LCR-0001")
            .await;
        assert_eq!(one.status, StatusCode::OK, "{}", one.body);
        let j = one.json();
        assert_eq!(j["scope"], "project");
        assert_eq!(j["project"], "LCR-0001");
        let s = &j["statistics"];
        assert_eq!(s["received"]["count"], 12);
        assert_eq!(s["questions"]["shown"], "0");
        assert_eq!(s["answered_on_time_percent"], 100);
        assert_eq!(s["median_days_to_answer"], 10.0);
        assert_eq!(s["outcomes"][2]["outcome"], "not-upheld");
        assert_eq!(s["outcomes"][2]["count"]["count"], 10);
        // Two upheld: fewer than 10, with no number.
        assert_eq!(s["outcomes"][0]["count"]["count"], serde_json::Value::Null);
        assert_eq!(s["outcomes"][0]["count"]["shown"], "fewer than 10");

        let few = app
            .get("/api/v1/statistics/challenges?project=LCR-0002")
            .await
            .json();
        assert_eq!(few["statistics"]["received"]["shown"], "fewer than 10");
        assert_eq!(
            few["statistics"]["received"]["count"],
            serde_json::Value::Null
        );
        assert_eq!(
            few["statistics"]["answered_on_time_percent"],
            serde_json::Value::Null
        );
        assert_eq!(
            few["statistics"]["median_days_to_answer"],
            serde_json::Value::Null
        );

        let org = app
            .get("/api/v1/statistics/challenges?organisation=knowsley-council")
            .await
            .json();
        assert_eq!(org["scope"], "organisation");
        assert_eq!(org["statistics"]["received"]["count"], 15);
        // The three questions are open past their day: 12 of 15 on time, 3 late, so no share.
        assert_eq!(
            org["statistics"]["answered_on_time_percent"],
            serde_json::Value::Null
        );
        let region = app.get("/api/v1/statistics/challenges").await.json();
        assert_eq!(region["scope"], "region");
        assert_eq!(region["statistics"]["received"]["count"], 15);
        // Nothing about the resident, anywhere.
        for body in [
            &one.body,
            &app.get("/api/v1/statistics/challenges").await.body,
        ] {
            assert!(!body.contains("Pat Private") && !body.contains("old address"));
        }
    }
}

#[tokio::test]
async fn unknown_or_bad_scopes_are_problem_documents() {
    let app = TestApp::init().on_sqlite().await;
    for (query, status, says) in [
        (
            "organisation=nobody-here",
            StatusCode::NOT_FOUND,
            "No organisation has the short name “nobody-here”",
        ),
        (
            "project=LCR-9999",
            StatusCode::NOT_FOUND,
            "There is no project LCR-9999",
        ),
        (
            "organisation=Not%20a%20slug",
            StatusCode::BAD_REQUEST,
            "organisation",
        ),
        ("project=banana", StatusCode::BAD_REQUEST, "project"),
        (
            "project=LCR-0001&organisation=knowsley-council",
            StatusCode::BAD_REQUEST,
            "not both",
        ),
    ] {
        let r = app
            .get(&format!("/api/v1/statistics/challenges?{query}"))
            .await;
        assert_eq!(r.status, status, "{query}: {}", r.body);
        assert_eq!(r.content_type(), "application/problem+json", "{query}");
        r.has(says);
    }
}

#[tokio::test]
async fn pages_show_the_figures_and_they_change_after_an_answer() {
    for app in TestApp::init().on_each_backend().await {
        let before = app.get("/projects/LCR-0001").await;
        before.has("How fast they answer").has("Not shown");
        let org = app.get("/organisations/knowsley-council").await;
        org.has("How fast they answer")
            .has("/api/v1/statistics/challenges?organisation=knowsley-council");
        some_items(&app).await;
        app.get("/projects/LCR-0001")
            .await
            .has("100%")
            .lacks("Pat Private");
        app.get("/projects/LCR-0002").await.has("fewer than 10");
        let extra = app
            .store
            .challenge_add(&item(
                Kind::Question,
                1,
                "knowsley-council",
                40,
                "2026-11-20T09:00:00Z",
                "2026-12-21",
            ))
            .await
            .unwrap();
        assert_eq!(answered(&app).await, 12);
        answer(&app, extra.id, "2026-11-25T09:00:00Z", None).await;
        assert_eq!(answered(&app).await, 13);
    }
}

#[tokio::test]
async fn the_charter_check_counts_answers_on_time() {
    for app in TestApp::init().on_each_backend().await {
        let rule = |j: serde_json::Value| {
            j["principles"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|p| p["rules"].as_array().unwrap().clone())
                .find(|r| r["rule"] == "answers-on-time")
                .unwrap()
        };
        let before = rule(app.get("/api/v1/projects/LCR-0001/check").await.json());
        assert_eq!(before["outcome"], "not-applicable");
        some_items(&app).await;
        let after = rule(app.get("/api/v1/projects/LCR-0001/check").await.json());
        assert_eq!(after["outcome"], "met");
        // Ten answers late on another project of the same organisation: not met there.
        for n in 50..60 {
            let c = app
                .store
                .challenge_add(&item(
                    Kind::Challenge,
                    9,
                    "knowsley-council",
                    n,
                    "2026-09-01T09:00:00Z",
                    "2026-10-01",
                ))
                .await
                .unwrap();
            answer(&app, c.id, "2026-10-20T09:00:00Z", Some(Outcome::NotUpheld)).await;
        }
        let late = rule(app.get("/api/v1/projects/LCR-0009/check").await.json());
        assert_eq!(late["outcome"], "not-met");
        assert_eq!(late["blocks_publishing"], false);
        app.get("/compliance")
            .await
            .has("Challenges and questions answered on time");
    }
}

#[tokio::test]
async fn the_charter_body_sees_late_items_without_the_residents_details() {
    for app in TestApp::init().on_each_backend().await {
        some_items(&app).await;
        let moderator = app.signed_in("mod", Role::Moderator, None).await;
        // Found from the account page.
        app.get_as(&moderator, "/manage")
            .await
            .has("href=\"/manage/overdue\"");
        let page = app.get_as(&moderator, "/manage/overdue").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        page.has("Late challenges and questions")
            .has("Not answered in time")
            .has("LCR-0002")
            .has("3 late in all")
            .lacks("Pat Private")
            .lacks("pat.private@example.com")
            .lacks("old address");
        let editor = app
            .signed_in("ed", Role::OrgEditor, Some("knowsley-council"))
            .await;
        app.get_as(&editor, "/manage")
            .await
            .lacks("href=\"/manage/overdue\"");
        assert_eq!(
            app.get_as(&editor, "/manage/overdue").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get_as(&moderator, "/manage/overdue?page=0")
                .await
                .status,
            StatusCode::BAD_REQUEST
        );
        let empty = app.get_as(&moderator, "/manage/overdue?page=9").await;
        assert_eq!(empty.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn reminders_go_once_per_item_and_deadline() {
    use charter_app::challenge_reminders::{Turn, remind, run_once};
    for app in TestApp::init().on_each_backend().await {
        some_items(&app).await;
        let boss = app
            .user(
                "boss@knowsley.example",
                Role::OrgAdmin,
                Some("knowsley-council"),
            )
            .await;
        let store = app.store.as_ref();
        // Only people who can sign in are sent email.
        store
            .user_password_set(boss, "$argon2id$test", &ts("2026-01-01T00:00:00Z"))
            .await
            .unwrap();
        app.user(
            "new@knowsley.example",
            Role::OrgEditor,
            Some("knowsley-council"),
        )
        .await;
        let turn = run_once(store, Duration::from_secs(3600)).await;
        // Three questions past both deadlines: six reminders.
        assert!(matches!(turn, Turn::Ran(Ok(6))), "{turn:?}");
        assert!(matches!(
            run_once(store, Duration::from_secs(3600)).await,
            Turn::NotDue
        ));
        assert_eq!(remind(store).await.unwrap(), 0, "each goes once");
        let queued = store
            .mail_take(
                &ts("2099-01-01T00:00:00Z"),
                &ts("2099-01-01T01:00:00Z"),
                5,
                100,
            )
            .await
            .unwrap();
        assert_eq!(queued.len(), 6);
        for m in &queued {
            assert_eq!(m.to, "boss@knowsley.example");
            assert!(m.subject.starts_with("Late: CH-2026-"), "{}", m.subject);
            assert!(!m.body.contains("Pat Private") && !m.body.contains("old address"));
        }
    }
}

/// The dashboard's row for `on` and the month end before it, for the timeliness chart.
async fn timeliness(app: &TestApp, query: &str) -> Vec<(String, Option<i64>)> {
    let j = app.get(&format!("/api/v1/dashboard?{query}")).await.json();
    dashboard_rows(&j, "challenge-answers")
}

#[tokio::test]
async fn the_dashboard_shows_answers_on_time_by_month_of_answer() {
    for app in TestApp::init().on_each_backend().await {
        // Knowsley: 30 challenges due by 2 November; 20 answered on 1 November, 10 on the 10th.
        for n in 0..30 {
            let c = app
                .store
                .challenge_add(&item(
                    Kind::Challenge,
                    1,
                    "knowsley-council",
                    n,
                    "2026-10-01T09:00:00Z",
                    "2026-11-02",
                ))
                .await
                .unwrap();
            let at = if n < 20 {
                "2026-11-01T12:00:00Z"
            } else {
                "2026-11-10T12:00:00Z"
            };
            answer(&app, c.id, at, Some(Outcome::NotUpheld)).await;
        }
        // Wirral: five answered in October, on time: too few to show a share.
        for n in 30..35 {
            let c = app
                .store
                .challenge_add(&item(
                    Kind::Question,
                    5,
                    "wirral-transport",
                    n,
                    "2026-10-01T09:00:00Z",
                    "2026-11-02",
                ))
                .await
                .unwrap();
            answer(&app, c.id, "2026-10-20T12:00:00Z", None).await;
        }
        // By 5 November: 20 answers that month, all in time. By the month's end: 20 of 30.
        let early = timeliness(&app, "on=2026-11-05").await;
        assert_eq!(early.last().unwrap(), &("2026-11-05".into(), Some(100)));
        // October's five are too few.
        assert!(early.contains(&("2026-10-31".into(), None)), "{early:?}");
        let rows = timeliness(&app, "on=2026-12-01").await;
        assert!(rows.contains(&("2026-11-30".into(), Some(67))), "{rows:?}");
        assert_eq!(rows.last().unwrap(), &("2026-12-01".into(), None));
        let k = timeliness(&app, "organisation=knowsley-council&on=2026-11-30").await;
        assert_eq!(k.last().unwrap(), &("2026-11-30".into(), Some(67)));
        let w = timeliness(&app, "organisation=wirral-transport&on=2026-11-30").await;
        assert_eq!(w.last().unwrap(), &("2026-11-30".into(), None));

        let csv = app
            .get("/dashboard/challenge-answers.csv?on=2026-11-30")
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert_eq!(csv.body.lines().next().unwrap(), "date,on-time_percent");
        assert_eq!(csv.body.lines().last().unwrap(), "2026-11-30,67");
        app.get("/dashboard?on=2026-11-30")
            .await
            .has("Answers to residents on time")
            .has(r#"href="/dashboard/challenge-answers.csv?on=2026-11-30""#);
    }
}
