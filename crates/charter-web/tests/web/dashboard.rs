//! The dashboard: its pages, each chart's download, the API, days that cannot be shown and
//! unknown organisations. The small register is published on 30 November 2026.

use axum::http::StatusCode;
use charter_core::ProjectId;
use charter_core::picklists::Status;

use crate::harness::*;

/// The last row of a series in the API's answer, as numbers (none where there is no value).
fn last_row(j: &serde_json::Value, series: &str) -> Vec<Option<i64>> {
    let rows = dashboard_series(j, series)["rows"].as_array().unwrap();
    rows.last().unwrap()["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(serde_json::Value::as_i64)
        .collect()
}

fn total(j: &serde_json::Value) -> i64 {
    last_row(j, "status").into_iter().flatten().sum()
}

#[tokio::test]
async fn the_page_shows_each_chart_with_its_table_and_download() {
    for app in TestApp::init().on_each_backend().await {
        let r = app.get("/dashboard?on=2026-12-01").await;
        assert_eq!(r.status, StatusCode::OK);
        r.has("How the register has changed")
            .has("Counts on <strong>1 December 2026</strong>")
            .has(r#"value="2026-12-01""#)
            .has("Entries by stage")
            .has("Share of entries that use AI")
            .has("Principles met")
            .has("Overdue")
            .has(r#"<svg class="charter-line-chart__plot""#)
            .has(r#"<th scope="row" class="govuk-table__header">2026-12-01</th>"#)
            .has(r#"href="/dashboard/status.csv?on=2026-12-01" download"#)
            .has(r#"href="/dashboard/principles.csv?on=2026-12-01" download"#);
        // Today, with nothing typed: the downloads are for today too.
        let r = app.get("/dashboard").await;
        assert_eq!(r.status, StatusCode::OK);
        r.has(r#"href="/dashboard/status.csv" download"#);
    }
}

#[tokio::test]
async fn figures_are_as_they_were_on_the_day_asked_for() {
    for app in TestApp::init().on_each_backend().await {
        let before = app.get("/api/v1/dashboard?on=2026-11-29").await.json();
        assert_eq!(total(&before), 0);
        assert_eq!(last_row(&before, "ai"), vec![None]);
        let after = app.get("/api/v1/dashboard?on=2026-12-01").await.json();
        assert_eq!(after["on"], "2026-12-01");
        assert_eq!(total(&after), 10);
        // The fixed register: 6 of its 10 entries use AI.
        assert_eq!(last_row(&after, "ai"), vec![Some(60)]);

        // An entry retired on 2 December counts as retired from that day, not before.
        let mut p = app.store.project(ProjectId::new(1)).await.unwrap().unwrap();
        let was = p.status;
        p.status = Status::Retired;
        p.status_reason = Some("No longer needed.".into());
        app.store
            .projects_publish(&[p], "Retired", &ts("2026-12-02T09:00:00Z"))
            .await
            .unwrap();
        let column = |s: Status| Status::ALL.iter().position(|x| *x == s).unwrap();
        let on_first = app.get("/api/v1/dashboard?on=2026-12-01").await.json();
        let on_third = app.get("/api/v1/dashboard?on=2026-12-03").await.json();
        let (a, b) = (last_row(&on_first, "status"), last_row(&on_third, "status"));
        assert_eq!(
            b[column(Status::Retired)],
            a[column(Status::Retired)].map(|n| n + 1)
        );
        assert_eq!(b[column(was)], a[column(was)].map(|n| n - 1));
        assert_eq!(total(&on_third), 10);
    }
}

#[tokio::test]
async fn each_organisation_has_its_own_dashboard() {
    for app in TestApp::init().on_each_backend().await {
        let r = app
            .get("/organisations/wirral-transport/dashboard?on=2026-12-01")
            .await;
        assert_eq!(r.status, StatusCode::OK);
        r.has("Wirral Transport")
            .has("How its entries have changed")
            .has(r#"href="/organisations/wirral-transport/dashboard/status.csv?on=2026-12-01""#)
            .has(r#"href="/api/v1/dashboard?organisation=wirral-transport""#);
        let j = app
            .get("/api/v1/dashboard?organisation=wirral-transport&on=2026-12-01")
            .await
            .json();
        assert_eq!(total(&j), 3);
        assert_eq!(j["organisation"]["slug"], "wirral-transport");

        let csv = app
            .get("/organisations/wirral-transport/dashboard/status.csv?on=2026-12-01")
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        let last = csv.body.lines().last().unwrap();
        let sum: i64 = last
            .split(',')
            .skip(1)
            .map(|v| v.parse::<i64>().unwrap())
            .sum();
        assert!(last.starts_with("2026-12-01,"), "{last}");
        assert_eq!(sum, 3);
    }
}

#[tokio::test]
async fn downloads_are_csv_with_a_column_per_line() {
    for app in TestApp::init().on_each_backend().await {
        let r = app.get("/dashboard/status.csv?on=2026-12-01").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.content_type(), "text/csv; charset=utf-8");
        assert_eq!(
            r.headers["content-disposition"],
            "attachment; filename=\"dashboard-status-2026-12-01.csv\""
        );
        let mut lines = r.body.lines();
        assert_eq!(
            lines.next().unwrap(),
            "date,planned,in-development,pilot,in-use,paused,retired"
        );
        let ai = app.get("/dashboard/ai.csv?on=2026-12-01").await;
        assert_eq!(ai.body.lines().next().unwrap(), "date,uses-ai_percent");
        assert_eq!(ai.body.lines().last().unwrap(), "2026-12-01,60");
        // Before anything was published a share has no value: the cell is empty.
        let empty = app.get("/dashboard/ai.csv?on=2026-11-01").await;
        assert_eq!(empty.body.lines().last().unwrap(), "2026-11-01,");
        for missing in [
            "/dashboard/nothing.csv",
            "/dashboard/status",
            "/organisations/no-such-org/dashboard/status.csv",
            "/organisations/NOT_A_SLUG/dashboard/status.csv",
        ] {
            assert_eq!(
                app.get(missing).await.status,
                StatusCode::NOT_FOUND,
                "{missing}"
            );
        }
        assert_eq!(
            app.get("/dashboard/status.csv?on=2026-02-30").await.status,
            StatusCode::BAD_REQUEST
        );
    }
}

#[tokio::test]
async fn a_day_that_is_not_a_date_or_not_yet_come_is_a_clear_error() {
    for app in TestApp::init().on_each_backend().await {
        let r = app.get("/dashboard?on=31%2F12%2F2025").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("There is a problem")
            .has(r##"<a href="#on">“31/12/2025” is not a date: write it as year-month-day, for example 2025-03-31</a>"##)
            .has("govuk-form-group--error")
            .has(r#"value="31/12/2025""#)
            .lacks("Entries by stage");
        let r = app.get("/dashboard?on=2999-01-01").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("1 January 2999 has not happened yet");

        let p = app.get("/api/v1/dashboard?on=2026-13-01").await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST);
        assert_eq!(p.content_type(), "application/problem+json");
        let j = p.json();
        assert_eq!(j["errors"][0]["param"], "on", "{j}");
        let p = app.get("/api/v1/dashboard?on=2999-01-01").await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST);
        assert!(p.body.contains("has not happened yet"), "{}", p.body);
    }
}

#[tokio::test]
async fn an_unknown_organisation_is_not_found() {
    for app in TestApp::init().on_each_backend().await {
        assert_eq!(
            app.get("/organisations/no-such-org/dashboard").await.status,
            StatusCode::NOT_FOUND
        );
        let p = app
            .get("/api/v1/dashboard?organisation=wirral-transpor")
            .await;
        assert_eq!(p.status, StatusCode::NOT_FOUND);
        assert_eq!(p.content_type(), "application/problem+json");
        assert!(
            p.body.contains("wirral-transport"),
            "names the closest: {}",
            p.body
        );
        let bad = app.get("/api/v1/dashboard?organisation=Not_A_Slug").await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    }
}
