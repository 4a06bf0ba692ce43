//! Search that forgives: word starts, spelling mistakes, synonyms, highlighting, "did you mean",
//! suggestions as people type, the site administrator's search words, and two instances on one
//! database.

use axum::http::StatusCode;
use charter_core::accounts::Role;

use crate::harness::*;

fn ids(reply: &Reply) -> Vec<String> {
    reply.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn word_starts_typos_and_synonyms_find_entries_on_the_page_and_the_api() {
    for app in TestApp::init().on_each_backend().await {
        // Word start, on the last word.
        let r = app.get("/api/v1/projects?q=punct").await;
        assert_eq!(ids(&r), vec!["LCR-0005"]);
        // Two mistakes in a long word, one in a shorter one.
        let r = app.get("/api/v1/projects?q=punctualty+dashbaord").await;
        assert_eq!(ids(&r), vec!["LCR-0005"]);
        // A synonym: "machine learning" finds every entry flagged as using AI.
        let ai = app.get("/api/v1/projects?q=AI&per_page=100").await.json()["total"].clone();
        let flagged = app.get("/api/v1/projects?ai=yes&per_page=100").await.json()["total"].clone();
        assert_eq!(ai, flagged);
        let ml = app
            .get("/api/v1/projects?q=machine+learning&per_page=100")
            .await;
        assert!(ml.json()["total"].as_u64().unwrap() >= flagged.as_u64().unwrap());
        // The page shows the same.
        app.get("/projects?q=punctualty")
            .await
            .has("1 project matching")
            .has(r#"<mark class="charter-mark">punctuality</mark>"#);
    }
}

#[tokio::test]
async fn highlighting_escapes_what_entries_say() {
    for app in TestApp::init().on_each_backend().await {
        let page = app.get("/projects?q=hyperlink").await;
        assert_eq!(page.status, StatusCode::OK);
        page.has(r#"=<mark class="charter-mark">HYPERLINK</mark>("#)
            .has("&#60;script&#62;")
            .lacks("<script>");
        let api = app.get("/api/v1/projects?q=hyperlink").await.json();
        let title = api["items"][0]["highlight"]["title"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            title,
            "=<mark>HYPERLINK</mark>(&quot;http://evil.example&quot;) &lt;script&gt;"
        );
        // Without words there is nothing to highlight.
        let list = app.get("/api/v1/projects").await.json();
        assert!(list["items"][0].get("highlight").is_none());
    }
}

#[tokio::test]
async fn did_you_mean_offers_a_spelling_that_finds_something() {
    for app in TestApp::init().on_each_backend().await {
        let page = app.get("/projects?q=bux").await;
        page.has("No projects match your search.")
            .has(r#"Did you mean <a class="govuk-link" href="/projects?q=bus">bus</a>?"#);
        let api = app.get("/api/v1/projects?q=bux").await.json();
        assert_eq!(api["total"], 0);
        assert_eq!(api["did_you_mean"], "bus");
        // Nothing close: no suggestion.
        let api = app.get("/api/v1/projects?q=qqqqqq").await.json();
        assert!(api.get("did_you_mean").is_none());
    }
}

#[tokio::test]
async fn suggestions_finish_the_last_word() {
    for app in TestApp::init().on_each_backend().await {
        let r = app.get("/api/v1/suggestions?q=forec").await;
        assert_eq!(r.status, StatusCode::OK);
        let s = r.json();
        assert_eq!(s["suggestions"][0]["text"], "forecast");
        assert_eq!(s["suggestions"][0]["matches"], 2);
        assert_eq!(s["suggestions"][0]["url"], "/projects?q=forecast");
        let r = app.get("/api/v1/suggestions?q=school+forec").await.json();
        assert_eq!(r["suggestions"][0]["text"], "school forecast");
        assert_eq!(r["suggestions"][0]["matches"], 1);
        let none = app.get("/api/v1/suggestions?q=").await.json();
        assert_eq!(none["suggestions"], serde_json::json!([]));
        let none = app.get("/api/v1/suggestions").await.json();
        assert_eq!(none["suggestions"], serde_json::json!([]));
        for bad in [
            format!("/api/v1/suggestions?q={}", "x".repeat(10_000)),
            "/api/v1/suggestions?q=a%07b".to_owned(),
        ] {
            let r = app.get(&bad).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
            assert_eq!(r.content_type(), "application/problem+json");
        }
    }
}

#[tokio::test]
async fn search_syntax_and_odd_text_are_searched_safely() {
    for app in TestApp::init().on_each_backend().await {
        for q in [
            "%22",
            "*",
            "NEAR(",
            "OR",
            "-",
            ":",
            "%22%22%22",
            "!!!%3F%3F",
            "a+OR+b",
            "-bus",
            "bus*",
            "title:bus",
            "%E2%80%94",
            "%F0%9F%9A%8C",
            // Not UTF-8: read with a replacement character, which is no word.
            "%FF",
            "%FF%FEbus",
        ] {
            for path in [
                "/projects?q=",
                "/api/v1/projects?q=",
                "/api/v1/suggestions?q=",
            ] {
                let r = app.get(&format!("{path}{q}")).await;
                assert_eq!(r.status, StatusCode::OK, "{path}{q}");
            }
        }
        for q in ["%00", "a%0Ab", "%1B%5B31m"] {
            for path in ["/projects?q=", "/api/v1/projects?q="] {
                let r = app.get(&format!("{path}{q}")).await;
                assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}{q}");
            }
        }
        // The longest text allowed, every word long enough for two mistakes.
        let long = vec!["abcdefghijk"; 41].join("+");
        let started = std::time::Instant::now();
        let r = app
            .get(&format!("/api/v1/projects?q={long}&facets=true"))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
}

#[tokio::test]
async fn site_administrators_change_search_words() {
    for app in TestApp::init().on_each_backend().await {
        let admin = app.signed_in("admin", Role::SiteAdmin, None).await;
        let page = app.get_as(&admin, "/manage/search-words").await;
        assert_eq!(page.status, StatusCode::OK);
        page.has("gp, family doctor").has("Search words");
        app.get_as(&admin, "/manage")
            .await
            .has(r#"href="/manage/search-words""#);

        // Before: "fare" finds nothing.
        assert_eq!(app.get("/api/v1/projects?q=fare").await.json()["total"], 0);
        let bad = app
            .post_as(
                &admin,
                "/manage/search-words",
                &[("synonyms", "ticket, fare\nlonely")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        bad.has("There is a problem")
            .has("Line 2: a group needs at least two different entries")
            .has("ticket, fare\nlonely");
        let saved = app
            .post_as(
                &admin,
                "/manage/search-words",
                &[("synonyms", "ticket, fare\nGP, family doctor")],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER);
        assert_eq!(saved.location(), "/manage/search-words?saved");
        app.get_as(&admin, "/manage/search-words?saved")
            .await
            .has("The search words are saved.");
        assert_eq!(
            ids(&app.get("/api/v1/projects?q=fare").await),
            vec!["LCR-0006"]
        );
        let log = app.get_as(&admin, "/manage/audit").await;
        log.has("synonyms-save");

        let editor = app
            .signed_in("ed", Role::OrgAdmin, Some("knowsley-council"))
            .await;
        let refused = app.get_as(&editor, "/manage/search-words").await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let refused = app
            .post_as(&editor, "/manage/search-words", &[("synonyms", "a b, c d")])
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn a_change_through_one_instance_is_found_by_another_at_once() {
    for app in TestApp::init().on_each_backend().await {
        let other = app.router_with(|s| s);
        // Both instances have built their index.
        assert_eq!(app.get("/api/v1/projects?q=tram").await.json()["total"], 0);
        assert_eq!(
            get(&other, "/api/v1/projects?q=tram").await.json()["total"],
            0
        );
        let mut p = app
            .store
            .project(charter_core::ProjectId::new(5))
            .await
            .unwrap()
            .unwrap();
        p.title = "Tram timetable checker".parse().unwrap();
        app.store
            .projects_publish(&[p], "Renamed", &ts("2026-12-01T00:00:00Z"))
            .await
            .unwrap();
        let started = std::time::Instant::now();
        let found = get(&other, "/api/v1/projects?q=tram").await.json();
        assert_eq!(found["items"][0]["id"], "LCR-0005");
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        // And the old title's words no longer find it.
        let old = get(&other, "/api/v1/projects?q=punctuality").await.json();
        assert_eq!(old["total"], 0);
        let suggested = get(&other, "/api/v1/suggestions?q=tra").await.json();
        assert!(
            suggested["suggestions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["text"] == "tram")
        );
    }
}
