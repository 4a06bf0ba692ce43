//! The read API and its OpenAPI document, and the plain-English checker.

use axum::http::StatusCode;
use charter_store::fixtures::complete_project;

use crate::harness::*;

#[tokio::test]
async fn api_lists_searches_and_pages() {
    for app in TestApp::init().on_each_backend().await {
        let r = app.get("/api/v1/projects?topic=health&per_page=2").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.headers.get("access-control-allow-origin").unwrap(), "*");
        let j = r.json();
        assert_eq!(j["total"], 4);
        assert_eq!(j["pages"], 2);
        assert_eq!(j["items"].as_array().unwrap().len(), 2);
        assert_eq!(
            j["links"]["next"],
            "/api/v1/projects?topic=health&per_page=2&page=2"
        );
        assert!(j.get("facets").is_none());
        assert_eq!(
            j["items"][0]["url"],
            format!("/projects/{}", j["items"][0]["id"].as_str().unwrap())
        );

        let f = app
            .get("/api/v1/projects?q=forecast&facets=true")
            .await
            .json();
        assert_eq!(f["total"], 2);
        let topics = f["facets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["facet"] == "topic")
            .unwrap();
        let education = topics["options"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["value"] == "education")
            .unwrap();
        assert_eq!(education["count"], 1);
    }
}

#[tokio::test]
async fn api_errors_are_problem_documents() {
    for app in TestApp::init().on_each_backend().await {
        let r = app.get("/api/v1/projects?page=abc&topic=gardening").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.content_type(), "application/problem+json");
        let j = r.json();
        assert_eq!(j["status"], 400);
        assert_eq!(j["errors"][0]["param"], "page");
        assert_eq!(j["errors"][1]["param"], "topic");
        for uri in [
            "/api/v1/projects/LCR-9999",
            "/api/v1/projects/nope",
            "/api/v1/organisations/nobody",
            "/api/v1/nothing/here",
        ] {
            let r = app.get(uri).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
            assert_eq!(r.content_type(), "application/problem+json", "{uri}");
            assert_eq!(r.json()["title"], "Not found");
        }
    }
}

#[tokio::test]
async fn api_records_are_whole() {
    for app in TestApp::init().on_each_backend().await {
        let r = app.get("/api/v1/projects/LCR-0009").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.content_type(), "application/json");
        let j = r.json();
        // Exactly the project's own fields and values, plus the three the record adds.
        let mut expected = serde_json::to_value(complete_project(9, "knowsley-council")).unwrap();
        let fields = expected.as_object_mut().unwrap();
        fields.insert("url".into(), "/projects/LCR-0009".into());
        fields.insert("organisation_id".into(), "ORG-0001".into());
        fields.insert("organisation_name".into(), "Knowsley Council".into());
        assert_eq!(j, expected);
        assert_eq!(j["id"], "LCR-0009");
        assert_eq!(j["organisation_id"], "ORG-0001");
        assert_eq!(j["organisation_name"], "Knowsley Council");
        assert_eq!(j["uses_ai"], true);
        assert_eq!(j["training_owner"]["name"], "Eve Shaw");
        assert_eq!(
            j["five_safes"]["safe_outputs"]["statement"],
            "Results are checked before they are shared."
        );
        assert_eq!(j["opt_out"]["offered"], "yes");
        let back: charter_core::Project = serde_json::from_value(j).unwrap();
        assert_eq!(back, complete_project(9, "knowsley-council"));

        // Awkward text comes back as it went in.
        let awkward = app.get("/api/v1/projects/LCR-0010").await.json();
        assert_eq!(
            awkward["title"],
            "=HYPERLINK(\"http://evil.example\") <script>"
        );
        assert_eq!(awkward["summary"], "-2+3 is a sum. @everyone");
        assert_eq!(awkward["url"], "/projects/LCR-0010");
        assert_eq!(awkward["organisation_name"], "Wirral Transport");

        let orgs = app.get("/api/v1/organisations").await.json();
        assert_eq!(orgs.as_array().unwrap().len(), 3);
        assert_eq!(orgs[0]["slug"], "knowsley-council");
        assert_eq!(orgs[0]["projects"], 4);
        let one = app
            .get("/api/v1/organisations/wirral-transport")
            .await
            .json();
        assert_eq!(one["id"], "ORG-0003");
        assert_eq!(one["projects"].as_array().unwrap().len(), 3);
    }
}

#[tokio::test]
async fn openapi_document_describes_the_api_and_matches_the_snapshot() {
    for app in TestApp::init().on_each_backend().await {
        let r = app.get("/api/openapi.json").await;
        assert_eq!(r.status, StatusCode::OK);
        let j = r.json();
        assert!(j["openapi"].as_str().unwrap().starts_with("3.1"));
        for path in [
            "/api/v1/projects",
            "/api/v1/projects/{id}",
            "/api/v1/organisations",
            "/api/v1/organisations/{slug}",
        ] {
            assert!(j["paths"].get(path).is_some(), "{path} is documented");
        }
        let schemas = &j["components"]["schemas"];
        for s in [
            "Project",
            "Problem",
            "ProjectList",
            "Organisation",
            "Status",
            "Topic",
        ] {
            assert!(schemas.get(s).is_some(), "schema {s}");
        }
        // A change to the API must be a deliberate change to this file (UPDATE_SNAPSHOTS=1 rewrites it).
        let snapshot = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(snapshot, &r.body).unwrap();
        }
        let expected = std::fs::read_to_string(snapshot)
            .expect("docs/openapi.json exists: run with UPDATE_SNAPSHOTS=1");
        assert_eq!(
            r.body, expected,
            "the OpenAPI document changed: review, then run with UPDATE_SNAPSHOTS=1"
        );
    }
}

#[tokio::test]
async fn the_plain_english_checker_is_open_to_everyone() {
    let app = TestApp::init().empty().on_sqlite().await;
    let r = app
        .post_json(
            "/api/v1/text/check",
            r#"{"text": "The cat sat on the mat. It was a sunny day."}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let j = r.json();
    assert_eq!(j["counts"]["words"], 11);
    assert_eq!(j["scores"]["flesch_reading_ease"], 108.96159090909092);
    // Eleven words are too short for a reading age: the writer is asked to say more.
    assert_eq!(j["too_short"], true);
    assert!(j["reading_age"].is_null());
    // "GOV.UK" does not end a sentence for the reading age; textstat's count still splits it.
    let r = app
        .post_json(
            "/api/v1/text/check",
            r#"{"text": "You can find the form on GOV.UK and fill it in at home, then send it to us by post or by email."}"#,
        )
        .await
        .json();
    assert_eq!(
        (r["sentences"].as_u64(), r["counts"]["sentences"].as_u64()),
        (Some(1), Some(2))
    );
    assert!(r["reading_age"]["years"].is_u64());
    assert!(!r["suggestions"].as_array().unwrap().is_empty());
    for bad in ["not json", r#"{"words": "x"}"#, ""] {
        let r = app.post_json("/api/v1/text/check", bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(r.content_type(), "application/problem+json");
    }
    let long = format!(r#"{{"text": "{}"}}"#, "word ".repeat(30_000));
    assert_eq!(
        app.post_json("/api/v1/text/check", &long).await.status,
        StatusCode::BAD_REQUEST
    );
    let empty = app
        .post_json("/api/v1/text/check", r#"{"text": ""}"#)
        .await
        .json();
    assert!(empty["reading_age"].is_null());
}
