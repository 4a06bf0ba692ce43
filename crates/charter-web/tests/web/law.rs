//! Changes in the law: who may record one, the form's errors (nothing saved), the check of which
//! entries it touches, the organisation's tasks, the review through a draft, the project page,
//! the charter check and the API.

use axum::http::StatusCode;
use charter_core::accounts::Role;

use crate::harness::TestApp;

fn lock_in(body: &str) -> String {
    let at = body.find("name=\"lock\" value=\"").expect("a lock field") + 19;
    body[at..].split('"').next().unwrap().to_owned()
}

const BUS_POLICY: &[(&str, &str)] = &[
    ("title", "Bus data sharing policy"),
    (
        "what_changed",
        "Bus firms must now share where their buses are.",
    ),
    ("in_force", "2027-01-01"),
    ("url", "https://example.org/bus-policy"),
    ("due_on", "2099-06-30"),
    ("way", "topic"),
    ("topic", "transport"),
];

fn with<'a>(base: &[(&'a str, &'a str)], more: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all: Vec<(&str, &str)> = base
        .iter()
        .filter(|(k, _)| !more.iter().any(|(m, _)| m == k))
        .copied()
        .collect();
    all.extend_from_slice(more);
    all
}

#[tokio::test]
async fn only_the_charter_body_and_site_admins_record_changes() {
    for app in TestApp::init().on_each_backend().await {
        let r = app.get("/manage/law-changes").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), "/sign-in");
        for (name, role, org) in [
            ("a", Role::OrgAdmin, Some("wirral-transport")),
            ("e", Role::OrgEditor, Some("wirral-transport")),
        ] {
            let who = app.signed_in(name, role, org).await;
            let r = app.get_as(&who, "/manage/law-changes").await;
            assert_eq!(r.status, StatusCode::FORBIDDEN);
            r.has("You cannot do this");
            let r = app
                .post_as(
                    &who,
                    "/manage/law-changes",
                    &with(BUS_POLICY, &[("action", "record")]),
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN);
            app.get_as(&who, "/manage")
                .await
                .lacks("href=\"/manage/law-changes\"");
        }
        assert_eq!(app.store.law_changes().await.unwrap().len(), 2);
        for (name, role) in [("m", Role::Moderator), ("s", Role::SiteAdmin)] {
            let who = app.signed_in(name, role, None).await;
            app.get_as(&who, "/manage")
                .await
                .has("href=\"/manage/law-changes\"");
            app.get_as(&who, "/manage/law-changes")
                .await
                .has("Data (Use and Access) Act 2025")
                .has("Algorithmic Transparency Recording Standard")
                .has("Entries that use AI")
                .has("31 March 2027");
        }
    }
}

#[tokio::test]
async fn a_change_with_no_entries_touched_is_a_form_error_and_nothing_is_saved() {
    for app in TestApp::init().on_each_backend().await {
        let moderator = app.signed_in("m", Role::Moderator, None).await;
        // Nothing typed: a problem for each answer, in the error summary and by each field.
        let r = app
            .post_as(&moderator, "/manage/law-changes", &[("action", "record")])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("There is a problem")
            .has("<a href=\"#title\">Enter a title for the change</a>")
            .has("<a href=\"#way\">Choose how to pick the entries this change touches</a>")
            .has("id=\"due_on-error\"");
        // A topic no entry has: refused whether checking or recording, with what was typed kept.
        for action in ["check", "record"] {
            let r = app
                .post_as(
                    &moderator,
                    "/manage/law-changes",
                    &with(
                        BUS_POLICY,
                        &[("topic", "employment-and-skills"), ("action", action)],
                    ),
                )
                .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{action}");
            r.has("<a href=\"#topic\">This choice touches no entries on the register")
                .has("value=\"Bus data sharing policy\"")
                .has("<option value=\"employment-and-skills\" selected>");
        }
        // By hand, a number that is no entry's.
        let r = app
            .post_as(
                &moderator,
                "/manage/law-changes",
                &with(
                    BUS_POLICY,
                    &[
                        ("way", "entries"),
                        ("entries", "LCR-0005 LCR-0404"),
                        ("action", "record"),
                    ],
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("LCR-0404: no entry on the register has this number");
        // A due date already past.
        let r = app
            .post_as(
                &moderator,
                "/manage/law-changes",
                &with(
                    BUS_POLICY,
                    &[("due_on", "2020-01-01"), ("action", "record")],
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("must be today or later");
        assert_eq!(app.store.law_changes().await.unwrap().len(), 2);
        assert!(
            !app.store
                .audit_log(100)
                .await
                .unwrap()
                .iter()
                .any(|e| e.action == "law-change-record")
        );
    }
}

#[tokio::test]
async fn a_recorded_change_becomes_a_task_reviewed_through_a_draft() {
    for app in TestApp::init().on_each_backend().await {
        let moderator = app.signed_in("m", Role::Moderator, None).await;
        // Seen before the change: the page's law list is then kept, and must not go stale.
        app.get("/projects/LCR-0005")
            .await
            .lacks("Bus data sharing policy");
        // Checking first shows how many entries it touches, and saves nothing.
        let r = app
            .post_as(
                &moderator,
                "/manage/law-changes",
                &with(BUS_POLICY, &[("action", "check")]),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        r.has("This change touches 2 entries")
            .has("Bus punctuality dashboard")
            .has("value=\"Bus data sharing policy\"");
        assert_eq!(app.store.law_changes().await.unwrap().len(), 2);
        let r = app
            .post_as(
                &moderator,
                "/manage/law-changes",
                &with(BUS_POLICY, &[("action", "record")]),
            )
            .await;
        assert_eq!(r.location(), "/manage/law-changes?recorded=LAW-0003");
        app.get_as(&moderator, &r.location())
            .await
            .has("LAW-0003 is on the list. Each entry it touches now has a task to review it by 30 June 2099.");
        let audit = app.store.audit_log(10).await.unwrap();
        assert_eq!(audit[0].action, "law-change-record");
        assert_eq!(audit[0].actor, "m@x.example");
        assert!(
            audit[0]
                .subject
                .starts_with("LAW-0003 Bus data sharing policy (touches 2 entries)")
        );

        // The API lists it with the two every register starts with.
        let list = app.get("/api/v1/law-changes").await.json();
        let changes = list["law_changes"].as_array().unwrap();
        assert_eq!(changes.len(), 3);
        assert_eq!(changes[0]["id"], "LAW-0003");
        assert_eq!(changes[0]["touches"], "topic:transport");
        assert_eq!(changes[0]["touches_in_words"], "Entries about transport");

        // Wirral's tools list its entries to check; the project page says so.
        let admin = app
            .signed_in("a", Role::OrgAdmin, Some("wirral-transport"))
            .await;
        app.get_as(&admin, "/manage/organisations/wirral-transport")
            .await
            .has("Changes in the law to check")
            .has("Bus data sharing policy")
            .has("30 June 2099");
        app.get("/projects/LCR-0005")
            .await
            .has("Changes in the law")
            .has("Bus data sharing policy")
            .has("To check</strong> by 30 June 2099");

        // Knowsley reviews its complete entry against the Data (Use and Access) Act: an edit
        // like any other, with a clear error for a number that is not a change.
        let editor = app
            .signed_in("w", Role::OrgEditor, Some("knowsley-council"))
            .await;
        app.get("/projects/LCR-0009")
            .await
            .has("Data (Use and Access) Act 2025")
            .has("To check</strong> by 31 March 2027");
        let draft = app
            .post_as(&editor, "/manage/projects/LCR-0009/edit", &[])
            .await
            .location();
        let section = format!("{draft}/sections/law-reviews");
        let form = app.get_as(&editor, &section).await;
        form.has("Changes in the law").has("Number of the change");
        let lock = lock_in(&form.body);
        let review = |change: &'static str| {
            vec![
                ("lock", lock.clone()),
                ("law_reviews.0.change", change.to_owned()),
                ("law_reviews.0.reviewed_on", "2026-12-01".to_owned()),
                (
                    "law_reviews.0.note",
                    "A surveyor still decides every case.".to_owned(),
                ),
            ]
        };
        let pairs = review("the new act");
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = app.post_as(&editor, &section, &pairs).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("“the new act” is not a change in the law: their numbers look like LAW-0001");
        let pairs = review("LAW-0001");
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = app.post_as(&editor, &section, &pairs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // Not public until approved.
        app.get("/projects/LCR-0009")
            .await
            .lacks("A surveyor still decides every case.");
        let lock = lock_in(&app.get_as(&editor, &draft).await.body);
        app.post_as(
            &editor,
            &format!("{draft}/submit"),
            &[("lock", &lock), ("note", "Checked against the new act")],
        )
        .await;
        let lock = lock_in(
            &app.get_as(&moderator, &format!("{draft}/review"))
                .await
                .body,
        );
        let r = app
            .post_as(&moderator, &format!("{draft}/approve"), &[("lock", &lock)])
            .await;
        assert_eq!(r.location(), "/projects/LCR-0009");
        let page = app.get("/projects/LCR-0009").await;
        page.has("Checked</strong> on 1 December 2026")
            .has("A surveyor still decides every case.")
            // Still to do: the other change every register starts with.
            .has("To check</strong> by 31 March 2027");
        let knowsley = app
            .signed_in("k", Role::OrgAdmin, Some("knowsley-council"))
            .await;
        let tools = app
            .get_as(&knowsley, "/manage/organisations/knowsley-council")
            .await;
        let tasks = tools
            .body
            .split("Changes in the law to check")
            .nth(1)
            .unwrap();
        let tasks = tasks.split("</table>").next().unwrap();
        let rows: Vec<&str> = tasks
            .split("<tr")
            .filter(|row| row.contains("LCR-0009"))
            .collect();
        assert_eq!(rows.len(), 1, "{tasks}");
        assert!(rows[0].contains("Algorithmic Transparency Recording Standard"));
    }
}

fn law_rule(check: &serde_json::Value) -> serde_json::Value {
    check["principles"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["rules"].as_array().unwrap())
        .find(|r| r["rule"] == "law-changes")
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_review_past_its_due_date_fails_principle_seven() {
    for app in TestApp::init().on_each_backend().await {
        // Before anything is due, the entries the list touches meet the rule.
        let check = app.get("/api/v1/projects/LCR-0005/check").await.json();
        assert_eq!(law_rule(&check)["outcome"], "not-applicable");
        let check = app.get("/api/v1/projects/LCR-0001/check").await.json();
        assert_eq!(law_rule(&check)["outcome"], "met");
        // A change whose due date has passed (the form refuses one; the list may hold one once
        // time moves on).
        let today = charter_app::clock::today();
        let late = charter_core::law::NewLawChange {
            title: "Bus data sharing policy".into(),
            what_changed: "Bus firms must now share where their buses are.".into(),
            in_force: "2026-01-01".parse().unwrap(),
            url: "https://example.org/bus-policy".parse().unwrap(),
            touches: charter_core::law::Touches::Topic(charter_core::picklists::Topic::Transport),
            due_on: today.add_days(-1),
        };
        app.store
            .law_change_add(&late, today, "test")
            .await
            .unwrap();
        let check = app.get("/api/v1/projects/LCR-0005/check").await.json();
        let rule = law_rule(&check);
        assert_eq!(rule["outcome"], "not-met");
        assert!(
            rule["advice"]
                .as_str()
                .unwrap()
                .starts_with("Review the project against Bus data sharing policy (LAW-0003, due ")
        );
        app.get("/projects/LCR-0005")
            .await
            .has("Late</strong> It was due by");
        // The region's figures count it too.
        let c = app
            .get("/api/v1/compliance?organisation=wirral-transport")
            .await
            .json();
        let legality = c["principles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["key"] == "legality")
            .unwrap()
            .clone();
        assert_eq!(legality["met"], 0, "{legality}");
    }
}
