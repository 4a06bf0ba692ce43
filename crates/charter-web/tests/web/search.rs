//! Searching the register: filters, counts, paging, bad parameters, and never a stale answer.

use axum::http::StatusCode;
use charter_store::fixtures::small_register;

use crate::harness::*;

#[tokio::test]
async fn search_page_filters_counts_and_keeps_state_in_the_url() {
    for app in TestApp::init().on_each_backend().await {
        let all = app.get("/projects").await;
        assert_eq!(all.status, StatusCode::OK);
        all.has("10 projects")
            .has(r#"<input class="govuk-checkboxes__input" id="topic-housing" name="topic" type="checkbox" value="housing">"#)
            .has(r#"for="topic-health">Health <span class="charter-facet-count">(4)</span>"#)
            .has(r#"for="organisation-knowsley-council">Knowsley Council <span class="charter-facet-count">(4)</span>"#);

        let r = app.get("/projects?topic=health&ai=yes&sort=title").await;
        r.has("3 projects")
            .has(r#"id="topic-health" name="topic" type="checkbox" value="health" checked"#)
            .has(r#"id="ai-yes" name="ai" type="radio" value="yes" checked"#)
            .has(r#"<option value="title" selected>"#)
            .has("Remove filter")
            .lacks("Bus punctuality");
        // Titles in order.
        let a = r.body.find("A&#38;E demand forecast").unwrap();
        let f = r.body.find("Falls risk checker").unwrap();
        assert!(a < f);

        let words = app.get("/projects?q=repairs").await;
        words
            .has("matching “repairs”")
            .has(r#"Damp <mark class="charter-mark">repairs</mark> planner"#)
            .lacks("Bus punctuality dashboard");
        app.get("/projects?q=xylophone")
            .await
            .has("No projects match your search.");
    }
}

#[tokio::test]
async fn search_page_pages_through_results() {
    for app in TestApp::init().on_each_backend().await {
        let r = app.get("/projects?per_page=3&sort=title").await;
        r.has(r#"aria-label="Page 4""#)
            .has("href=\"/projects?sort=title&#38;per_page=3&#38;page=2\" rel=\"next\"");
        let p2 = app.get("/projects?per_page=3&sort=title&page=2").await;
        p2.has("Showing 4 to 6 of 10")
            .has(r#"aria-current="page">2</a>"#)
            .has("rel=\"prev\"");
    }
}

#[tokio::test]
async fn bad_search_parameters_get_a_clear_400_not_a_500() {
    for app in TestApp::init().on_each_backend().await {
        let long = format!("/projects?q={}", "x".repeat(10_000));
        for (uri, message) in [
            ("/projects?page=-1", "The page must be a whole number"),
            ("/projects?page=abc", "The page must be a whole number"),
            (
                "/projects?topic=gardening",
                "“gardening” is not a known topic",
            ),
            ("/projects?ai=maybe", "is not a choice for uses AI"),
            ("/projects?sort=random", "is not a way to sort"),
            (long.as_str(), "Search text must be 500 characters or fewer"),
        ] {
            let r = app.get(uri).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
            r.has("govuk-error-summary")
                .has(message)
                .has("<title>Error: ");
        }
        for syntax in [
            "%22",
            "*",
            "NEAR(",
            "OR",
            "a%22b%20OR%20NOT",
            "%F0%9F%99%82",
            "%25",
        ] {
            let r = app.get(&format!("/projects?q={syntax}")).await;
            assert_eq!(r.status, StatusCode::OK, "searching {syntax}");
        }
    }
}

#[tokio::test]
async fn remembered_searches_never_outlive_a_change() {
    for app in TestApp::init().on_each_backend().await {
        let store = &app.store;
        let before = app.get("/api/v1/projects?q=tram").await.json();
        assert_eq!(before["total"], 0);
        assert_eq!(app.get("/api/v1/projects?q=tram").await.json()["total"], 0);
        // Publishing a change shows at once, on this instance and any other.
        let mut p = store
            .project(charter_core::ProjectId::new(5))
            .await
            .unwrap()
            .unwrap();
        p.title = "Tram timetable checker".parse().unwrap();
        store
            .projects_publish(&[p], "Renamed", &ts("2026-12-01T00:00:00Z"))
            .await
            .unwrap();
        assert_eq!(app.get("/api/v1/projects?q=tram").await.json()["total"], 1);
        app.get("/projects?q=tram")
            .await
            .has(r#"<mark class="charter-mark">Tram</mark> timetable checker"#);
        // So does renaming an organisation.
        let (orgs, _) = small_register();
        let mut o = orgs[2].clone();
        o.name = "Wirral Trams".into();
        store.organisation_put(&o).await.unwrap();
        assert_eq!(
            app.get("/api/v1/projects?q=tram").await.json()["items"][0]["organisation_name"],
            "Wirral Trams"
        );
    }
}
