//! History people can read: a page per published version with what changed, the page that
//! explains the hash chain and shows the last check, and the footer that links to it.

use axum::http::StatusCode;
use charter_core::ProjectId;
use charter_store::verify::{Problem, Report};

use crate::harness::*;

/// Publishes version 2 of LCR-0003 (now in use, a new summary) and version 3 (the same answers,
/// a later date).
async fn two_more_versions(app: &TestApp) {
    let store = &app.store;
    let mut p = store.project(ProjectId::new(3)).await.unwrap().unwrap();
    p.summary = "Predicts how busy A&E will be each day.".into();
    p.status = charter_core::picklists::Status::InUse;
    p.last_updated = "2026-12-01".parse().unwrap();
    store
        .projects_publish(
            std::slice::from_ref(&p),
            "Now in use; summary rewritten",
            &ts("2026-12-01T09:30:00Z"),
        )
        .await
        .unwrap();
    p.last_updated = "2026-12-03".parse().unwrap();
    store
        .projects_publish(
            std::slice::from_ref(&p),
            "Checked: no answers changed",
            &ts("2026-12-03T08:00:00Z"),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn each_version_has_a_page_with_the_entry_as_it_was_and_what_changed() {
    for app in TestApp::init().on_each_backend().await {
        two_more_versions(&app).await;

        let first = app.get("/projects/LCR-0003/versions/1").await;
        assert_eq!(first.status, StatusCode::OK);
        first
            .has("<title>Version 1 of")
            .has("version 1</h1>")
            .has("published on 30 November 2026 at 12:00 (UTC)")
            .has("This is the first published version.")
            .has("1 of 3")
            .has("There is a newer version.")
            // The entry as it was, rendered as the entry's own page renders it.
            .has(">Pilot<")
            .has("id=\"charter-check\"")
            .has("id=\"accountability\"")
            .has("href=\"/api/v1/projects/LCR-0003/versions/1\"")
            .has("href=\"/projects/LCR-0003/versions/2\" rel=\"next\"")
            .lacks("rel=\"prev\"");

        let second = app.get("/projects/LCR-0003/versions/2").await;
        assert_eq!(second.status, StatusCode::OK);
        second
            .has("published on 1 December 2026 at 09:30 (UTC)")
            .has("Now in use; summary rewritten")
            .has("2 answers changed from version 1.")
            .has("Before (version 1)")
            .has("<del data-entry>Pilot</del>")
            .has("<ins data-entry>In use</ins>")
            .has("<ins data-entry>Predicts how busy A&#38;E will be each day.</ins>")
            .has("href=\"/projects/LCR-0003/versions/1\" rel=\"prev\"")
            .has("href=\"/projects/LCR-0003/versions/3\" rel=\"next\"");

        let third = app.get("/projects/LCR-0003/versions/3").await;
        third
            .has("No answers changed from version 2.")
            .has("It is the newest version.")
            .has("last updated 3 December 2026")
            .lacks("rel=\"next\"");

        // The history links to every version's page, with its JSON as a second link.
        let history = app.get("/projects/LCR-0003/history").await;
        for n in 1..=3 {
            history
                .has(&format!(
                    "href=\"/projects/LCR-0003/versions/{n}\">Version {n}</a>"
                ))
                .has(&format!("href=\"/api/v1/projects/LCR-0003/versions/{n}\""));
        }
        history.has("href=\"/history-check\"");
        // The JSON a version page links to is the version as hashed.
        let json = app.get("/api/v1/projects/LCR-0003/versions/2").await;
        assert_eq!(json.json()["status"], "in-use");
    }
}

#[tokio::test]
async fn a_version_that_does_not_exist_gets_the_not_found_page() {
    for app in TestApp::init().on_each_backend().await {
        for uri in [
            "/projects/LCR-0003/versions/0",
            "/projects/LCR-0003/versions/2",
            "/projects/LCR-0003/versions/two",
            "/projects/LCR-0003/versions/-1",
            "/projects/LCR-0003/versions/1.0",
            "/projects/LCR-0003/versions/99999999999",
            "/projects/LCR-0003/versions/%FF",
            "/projects/LCR-9999/versions/1",
            "/projects/lights/versions/1",
        ] {
            let r = app.get(uri).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
            assert!(r.content_type().starts_with("text/html"), "{uri}");
            r.has("Page not found");
        }
        assert_eq!(
            app.get("/projects/LCR-0003/versions/1").await.status,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn the_check_page_explains_the_chain_and_shows_the_result() {
    for app in TestApp::init().on_each_backend().await {
        // Nothing has been checked yet: the footer says so, and links to the page.
        app.get("/organisations")
            .await
            .has("History not checked yet.")
            .has("href=\"/history-check\">Check it now</a>")
            .lacks("head hash");

        let head = app.store.chain_head().await.unwrap().unwrap();
        let page = app.get("/history-check").await;
        assert_eq!(page.status, StatusCode::OK);
        page.has("<h1 class=\"govuk-heading-xl\">Checking the register's history</h1>")
            .has("This code is called a hash.")
            .has("It does not show that what an entry says is true.")
            .has("No problems found")
            .has("Versions checked</dt>\n        <dd class=\"govuk-summary-list__value\">10</dd>")
            .has("Entries checked</dt>\n        <dd class=\"govuk-summary-list__value\">10</dd>")
            .has(&head.hash.to_hex())
            .has("href=\"/api/v1/log\"");

        // Every page's footer now says when the history was checked, and links to the page.
        for uri in ["/", "/projects/LCR-0001", "/no-such-page"] {
            app.get(uri)
                .await
                .has("href=\"/history-check\">History checked</a> on ")
                .has("(UTC): no problems found.");
        }

        // A publication since: the page checks again and counts the new version.
        two_more_versions(&app).await;
        app.get("/history-check")
            .await
            .has("Versions checked</dt>\n        <dd class=\"govuk-summary-list__value\">12</dd>");
    }
}

#[tokio::test]
async fn a_check_that_found_problems_says_so_on_the_page_and_in_the_footer() {
    let app = TestApp::init().on_sqlite().await;
    let head = app.store.chain_head().await.unwrap().map(|l| l.hash);
    let report = Report {
        versions: 10,
        entries: 10,
        head,
        problems: vec![Problem::NeverPublished(ProjectId::new(42))],
    };
    let router = app.router_with(|state| {
        state.history.record(head, report);
        state
    });
    get(&router, "/")
        .await
        .has("href=\"/history-check\">History checked</a> on ")
        .has("(UTC): problems found.");
    get(&router, "/history-check")
        .await
        .has("Problems found")
        .has("The register does not match its history.")
        .has("LCR-0042: it is on the register but was never published");
}
