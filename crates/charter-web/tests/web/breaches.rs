//! The breach log through the router: logging, each step, bad input kept in the form, who sees
//! what (another organisation gets 404), time left on the lists, and the public summary.

use axum::http::StatusCode;
use charter_core::accounts::Role;
use charter_core::breaches::london::uk_time;

use crate::harness::*;

const KNOWSLEY: &str = "knowsley-council";

fn logged(day: &str, month: &str, year: &str, time: &str) -> Vec<(&'static str, String)> {
    vec![
        ("title", "Letters to the wrong homes".into()),
        ("aware_day", day.into()),
        ("aware_month", month.into()),
        ("aware_year", year.into()),
        ("aware_time", time.into()),
        ("what_happened", "A mail merge mixed up the names.".into()),
        ("cyber", "no".into()),
        ("data_kinds", "Names and addresses".into()),
        ("people_kinds", "Tenants".into()),
        ("people_count", "40".into()),
        ("consequences", "People could see who lives where.".into()),
        ("measures", "We asked for the letters back.".into()),
    ]
}

fn pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Logs a breach as `who` and returns its address.
async fn log(app: &TestApp, who: &Person, form: &[(&'static str, String)]) -> String {
    let r = app.post_as(who, "/manage/breaches", &pairs(form)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location()
}

#[tokio::test]
async fn a_breach_is_logged_decided_reported_closed_and_summarised_in_public() {
    for app in TestApp::init().on_each_backend().await {
        let admin = app.signed_in("admin", Role::OrgAdmin, Some(KNOWSLEY)).await;
        // Awareness in the future: the form again, with what was typed and nothing saved.
        let r = app
            .post_as(
                &admin,
                "/manage/breaches",
                &pairs(&logged("1", "6", "2099", "9:00")),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("There is a problem")
            .has("This time is in the future")
            .has("href=\"#aware\"")
            .has("value=\"2099\"")
            .has("Letters to the wrong homes");
        let list = app.get_as(&admin, "/manage/breaches").await;
        list.has("You have not logged any breaches");

        // Aware at 9:00 on 27 March 2025 (GMT); the clocks went forward on 30 March.
        let at = log(&app, &admin, &logged("27", "3", "2025", "9:00")).await;
        let page = app.get_as(&admin, &at).await;
        assert_eq!(page.status, StatusCode::OK);
        page.has("9:00am on Thursday 27 March 2025")
            .has("10:00am on Sunday 30 March 2025")
            .has("Late by");
        let step = |name: &str| format!("{at}/{name}");
        let r = app
            .post_as(&admin, &step("assess"), &[("version", "1")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // No risk needs a reason; the choice is kept.
        let r = app
            .post_as(
                &admin,
                &step("decide"),
                &[("version", "2"), ("risk", "no-risk")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("Say why there is no risk")
            .has("value=\"no-risk\" checked");
        let r = app
            .post_as(
                &admin,
                &step("decide"),
                &[("version", "2"), ("risk", "risk")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // Told before they knew; told late without saying why.
        let report = |day: &'static str, delay: &'static str| {
            vec![
                ("version", "3"),
                ("reported_day", day),
                ("reported_month", "3"),
                ("reported_year", "2025"),
                ("reported_time", "10:00"),
                ("reference", "IC-0001"),
                ("delay_reason", delay),
            ]
        };
        let r = app
            .post_as(&admin, &step("report"), &report("26", ""))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("before you knew about the breach");
        let r = app
            .post_as(&admin, &step("report"), &report("31", ""))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("say why it took longer").has("value=\"IC-0001\"");
        let r = app
            .post_as(
                &admin,
                &step("report"),
                &report("31", "The supplier was slow."),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // A stale form is refused, not applied twice.
        let r = app
            .post_as(&admin, &step("report"), &report("31", "Again"))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        // Not public until closed.
        let api = app
            .get("/api/v1/organisations/knowsley-council/breaches")
            .await;
        assert_eq!(api.json(), serde_json::json!([]));
        let r = app
            .post_as(
                &admin,
                &step("close"),
                &[
                    ("version", "4"),
                    (
                        "summary",
                        "Letters went to the wrong homes. We fixed the mail merge.",
                    ),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        app.get_as(&admin, &at)
            .await
            .has("Every change")
            .has("Decided the risk")
            .has("Closed");

        let public = app.get("/organisations/knowsley-council").await;
        public
            .has("Found in March 2025")
            .has("We fixed the mail merge.")
            .has("Yes, late")
            .has("in time about 0 of 1 breach")
            .lacks("IC-0001")
            .lacks("Tenants");
        let api = app
            .get("/api/v1/organisations/knowsley-council/breaches")
            .await;
        assert_eq!(api.status, StatusCode::OK);
        let json = api.json();
        assert_eq!(json[0]["found"], "March 2025");
        assert_eq!(json[0]["risk"], "risk");
        assert_eq!(json[0]["on_time"], false);
        assert!(!api.body.contains("IC-0001") && !api.body.contains("Tenants"));
        let none = app
            .get("/api/v1/organisations/no-such-group/breaches")
            .await;
        assert_eq!(none.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn only_the_organisations_administrators_and_the_charter_body_see_a_breach() {
    for app in TestApp::init().on_each_backend().await {
        let admin = app.signed_in("admin", Role::OrgAdmin, Some(KNOWSLEY)).await;
        let editor = app
            .signed_in("editor", Role::OrgEditor, Some(KNOWSLEY))
            .await;
        let other = app
            .signed_in("other", Role::OrgAdmin, Some("wirral-transport"))
            .await;
        let moderator = app.signed_in("moderator", Role::Moderator, None).await;
        // Found an hour ago, UK time: the list shows the time left.
        let now = uk_time(&charter_app::clock::from_now(-3600));
        let at = log(
            &app,
            &admin,
            &logged(
                &now.day().to_string(),
                &(now.month() as u8).to_string(),
                &now.year().to_string(),
                &format!("{}:{:02}", now.hour(), now.minute()),
            ),
        )
        .await;
        app.get_as(&admin, "/manage/breaches")
            .await
            .has("Letters to the wrong homes")
            .has("2 days 2");
        for who in [&other, &editor] {
            assert_eq!(app.get_as(who, &at).await.status, StatusCode::NOT_FOUND);
            let r = app
                .post_as(who, &format!("{at}/assess"), &[("version", "1")])
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND);
        }
        let r = app.get_as(&other, "/manage/breaches").await;
        assert_eq!(r.status, StatusCode::OK);
        r.lacks("Letters to the wrong homes");
        assert_eq!(
            app.get_as(&editor, "/manage/breaches").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get_as(&editor, "/manage/breaches/new").await.status,
            StatusCode::FORBIDDEN
        );
        // The charter body sees it and the region's list, but cannot act on it.
        let seen = app.get_as(&moderator, &at).await;
        assert_eq!(seen.status, StatusCode::OK);
        seen.has("Letters to the wrong homes")
            .lacks("Start to check the risk");
        let r = app
            .post_as(&moderator, &format!("{at}/assess"), &[("version", "1")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        app.get_as(&moderator, "/manage/breaches")
            .await
            .has("Breaches in the region")
            .has("knowsley-council")
            .has("No group has missed a deadline");
        // Nobody signed in is sent to sign in.
        let r = app.get(&at).await;
        assert_eq!(r.location(), "/sign-in");
        assert_eq!(
            app.get_as(&admin, "/manage/breaches/99999").await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn the_charter_check_counts_breach_deadlines_met() {
    let app = TestApp::init().on_sqlite().await;
    let admin = app.signed_in("admin", Role::OrgAdmin, Some(KNOWSLEY)).await;
    let at = log(&app, &admin, &logged("27", "3", "2025", "9:00")).await;
    for (step, form) in [
        ("assess", vec![("version", "1")]),
        ("decide", vec![("version", "2"), ("risk", "risk")]),
        (
            "report",
            vec![
                ("version", "3"),
                ("reported_day", "28"),
                ("reported_month", "3"),
                ("reported_year", "2025"),
                ("reported_time", "9:00"),
                ("reference", "IC-2"),
            ],
        ),
    ] {
        let r = app.post_as(&admin, &format!("{at}/{step}"), &form).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let json = app.get("/api/v1/compliance").await.json();
    assert_eq!(json["breaches"]["met"], 1);
    assert_eq!(json["breaches"]["outcome"], "met");
    let knowsley = json["organisations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["slug"] == KNOWSLEY)
        .unwrap();
    assert_eq!(knowsley["breaches"]["rule"], "breaches-on-time");
    assert_eq!(
        (
            knowsley["breaches"]["met"].as_u64(),
            knowsley["breaches"]["missed"].as_u64()
        ),
        (Some(1), Some(0))
    );
    app.get("/compliance")
        .await
        .has("They did it in time for 1 of 1.");
    app.get("/organisations/knowsley-council")
        .await
        .has("in time about 1 of 1 breach");
}
