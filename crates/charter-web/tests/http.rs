//! HTTP tests: every page and API route through the real router, on a fresh in-memory store.

mod support;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use charter_core::charter::Charter;
use charter_store::fixtures::{complete_project, small_register};
use charter_store_sqlite::SqliteStore;
use charter_web::{AppState, router};
use support::*;

#[tokio::test]
async fn home_page_has_search_figures_and_principles() {
    for app in apps().await {
        let r = get(&app, "/").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.content_type().starts_with("text/html"));
        r.has("Data and AI projects in the Liverpool City Region")
            .has(r#"<form action="/projects" method="get" role="search""#)
            .has(r#"<span class="charter-stat__number">10</span>"#)
            .has(r#"<span class="charter-stat__number">3</span>"#)
            .has(r#"<span class="charter-stat__number">60%</span>"#)
            .has("Beneficial")
            .has("Legality")
            .has("Trustworthy");
    }
}

#[tokio::test]
async fn every_page_carries_security_headers_and_no_inline_script() {
    for app in apps().await {
        for uri in [
            "/",
            "/projects",
            "/projects/LCR-0001",
            "/organisations",
            "/charter",
            "/nope",
            "/api/v1/projects",
        ] {
            let r = get(&app, uri).await;
            let csp = r
                .headers
                .get("content-security-policy")
                .expect("CSP on every response")
                .to_str()
                .unwrap();
            assert!(
                csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
                "{uri}: {csp}"
            );
            assert_eq!(r.headers.get("x-content-type-options").unwrap(), "nosniff");
            assert_eq!(r.headers.get("x-frame-options").unwrap(), "DENY");
            if r.content_type().starts_with("text/html") {
                assert!(!r.body.contains("<script>"), "{uri} has an inline script");
                assert!(!r.body.contains(" style=\""), "{uri} has an inline style");
            }
        }
    }
}

#[tokio::test]
async fn search_page_filters_counts_and_keeps_state_in_the_url() {
    for app in apps().await {
        let all = get(&app, "/projects").await;
        assert_eq!(all.status, StatusCode::OK);
        all.has("10 projects")
            .has(r#"<input class="govuk-checkboxes__input" id="topic-housing" name="topic" type="checkbox" value="housing">"#)
            .has(r#"for="topic-health">Health <span class="charter-facet-count">(4)</span>"#)
            .has(r#"for="organisation-knowsley-council">Knowsley Council <span class="charter-facet-count">(4)</span>"#);

        let r = get(&app, "/projects?topic=health&ai=yes&sort=title").await;
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

        let words = get(&app, "/projects?q=repairs").await;
        words
            .has("matching “repairs”")
            .has("Damp repairs planner")
            .lacks("Bus punctuality dashboard");
        get(&app, "/projects?q=xylophone")
            .await
            .has("No projects match your search.");
    }
}

#[tokio::test]
async fn search_page_pages_through_results() {
    for app in apps().await {
        let r = get(&app, "/projects?per_page=3&sort=title").await;
        r.has(r#"aria-label="Page 4""#)
            .has("href=\"/projects?sort=title&#38;per_page=3&#38;page=2\" rel=\"next\"");
        let p2 = get(&app, "/projects?per_page=3&sort=title&page=2").await;
        p2.has("Showing 4 to 6 of 10")
            .has(r#"aria-current="page">2</a>"#)
            .has("rel=\"prev\"");
    }
}

#[tokio::test]
async fn bad_search_parameters_get_a_clear_400_not_a_500() {
    for app in apps().await {
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
            let r = get(&app, uri).await;
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
            let r = get(&app, &format!("/projects?q={syntax}")).await;
            assert_eq!(r.status, StatusCode::OK, "searching {syntax}");
        }
    }
}

#[tokio::test]
async fn project_page_puts_summary_and_ai_first_then_a_section_per_principle() {
    for app in apps().await {
        let r = get(&app, "/projects/LCR-0009").await;
        assert_eq!(r.status, StatusCode::OK);
        r.has("<h1 class=\"govuk-heading-xl\">Finding homes at risk of damp and mould</h1>")
            .has("charter-ai-flag")
            .has("machine learning model")
            .has("We use repair records to find homes that may have damp")
            .has("LCR-0009")
            .has("last updated 1 June 2025");
        let charter = Charter::from_toml(CHARTER).unwrap();
        let mut last = 0;
        for p in &charter.principles {
            let at = r
                .body
                .find(&format!("id=\"{}\"", p.key))
                .unwrap_or_else(|| panic!("no section for {}", p.key));
            assert!(at > last, "sections follow the charter's order");
            last = at;
        }
        let ai = r.body.find("charter-ai-flag").unwrap();
        let first_section = r.body.find("id=\"beneficial\"").unwrap();
        assert!(ai < first_section, "the AI flag comes before the sections");
        // Who is responsible, how to challenge, opt out, Five Safes, the law, consultations, outcomes.
        r.has("Ada Quinn, Director of Housing")
            .has("Ben Ross, Data Ethics Lead")
            .has("Cat Lee")
            .has("Dev Patel")
            .has("Eve Shaw")
            .has("id=\"challenge\"")
            .has("Within 10 working days")
            .has("id=\"opt-out\"")
            .has("Tell the repairs team.")
            .has("Names are removed before analysis.")
            .has("Public task")
            .has("Substantial public interest")
            .has("Tenants&#39; panel")
            .has("We found 300 homes with damp before tenants reported it.");
    }
}

#[tokio::test]
async fn gaps_are_shown_as_gaps() {
    for app in apps().await {
        // Project 1 supports decisions but names no challenge route and no duty holders.
        let r = get(&app, "/projects/LCR-0001").await;
        r.has("has not said how to challenge one")
            .has("Not named")
            .has("No outcome report has been published yet")
            .has("has not said whether you can opt out");
        // Paused projects say why.
        get(&app, "/projects/LCR-0006")
            .await
            .has("This project is paused.")
            .has("Waiting for a new supplier.");
    }
}

#[tokio::test]
async fn text_is_escaped() {
    for app in apps().await {
        let r = get(&app, "/projects/LCR-0010").await;
        r.lacks("<script> ").has("&#60;script&#62;");
    }
}

#[tokio::test]
async fn unknown_things_get_the_404_page() {
    for app in apps().await {
        for uri in [
            "/projects/LCR-9999",
            "/projects/banana",
            "/projects/LCR-0001x",
            "/organisations/nobody",
            "/organisations/NOT_A_SLUG",
            "/no-such-page",
            "/static/nothing.css",
        ] {
            let r = get(&app, uri).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
            r.has("Page not found").has("Charter register");
        }
    }
}

#[tokio::test]
async fn organisation_pages_list_signatories_and_their_projects() {
    for app in apps().await {
        let r = get(&app, "/organisations").await;
        r.has("3 signatory organisations")
            .has("href=\"/organisations/knowsley-council\"")
            .has("1 June 2024");
        let k = get(&app, "/organisations/knowsley-council").await;
        assert_eq!(k.status, StatusCode::OK);
        k.has("Knowsley Council")
            .has("Damp repairs planner")
            .has("School places forecast")
            .has("ORG-0001")
            .lacks("Bus punctuality");
    }
}

#[tokio::test]
async fn charter_and_information_pages() {
    for app in apps().await {
        let c = get(&app, "/charter").await;
        let charter = Charter::from_toml(CHARTER).unwrap();
        for p in &charter.principles {
            c.has(&p.name);
        }
        c.has("addressing bias in datasets and algorithms");
        get(&app, "/accessibility")
            .await
            .has("Accessibility statement")
            .has("WCAG");
        get(&app, "/privacy").await.has("Privacy notice");
        get(&app, "/cookies")
            .await
            .has("Reading the register sets no cookies.");
        let o = get(&app, "/open-data").await;
        for col in charter_core::export::COLUMNS {
            o.has(&format!("<code>{}</code>", col.name));
        }
    }
}

#[tokio::test]
async fn api_lists_searches_and_pages() {
    for app in apps().await {
        let r = get(&app, "/api/v1/projects?topic=health&per_page=2").await;
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

        let f = get(&app, "/api/v1/projects?q=forecast&facets=true")
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
    for app in apps().await {
        let r = get(&app, "/api/v1/projects?page=abc&topic=gardening").await;
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
            let r = get(&app, uri).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
            assert_eq!(r.content_type(), "application/problem+json", "{uri}");
            assert_eq!(r.json()["title"], "Not found");
        }
    }
}

#[tokio::test]
async fn api_records_are_whole() {
    for app in apps().await {
        let r = get(&app, "/api/v1/projects/LCR-0009").await;
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
        let awkward = get(&app, "/api/v1/projects/LCR-0010").await.json();
        assert_eq!(
            awkward["title"],
            "=HYPERLINK(\"http://evil.example\") <script>"
        );
        assert_eq!(awkward["summary"], "-2+3 is a sum. @everyone");
        assert_eq!(awkward["url"], "/projects/LCR-0010");
        assert_eq!(awkward["organisation_name"], "Wirral Transport");

        let orgs = get(&app, "/api/v1/organisations").await.json();
        assert_eq!(orgs.as_array().unwrap().len(), 3);
        assert_eq!(orgs[0]["slug"], "knowsley-council");
        assert_eq!(orgs[0]["projects"], 4);
        let one = get(&app, "/api/v1/organisations/wirral-transport")
            .await
            .json();
        assert_eq!(one["id"], "ORG-0003");
        assert_eq!(one["projects"].as_array().unwrap().len(), 3);
    }
}

#[tokio::test]
async fn openapi_document_describes_the_api_and_matches_the_snapshot() {
    for app in apps().await {
        let r = get(&app, "/api/openapi.json").await;
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
async fn csv_download_has_every_project_documented_columns_and_no_formulas() {
    for app in apps().await {
        let r = get(&app, "/downloads/register.csv").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.content_type(), "text/csv; charset=utf-8");
        assert!(
            r.headers
                .get("content-disposition")
                .unwrap()
                .to_str()
                .unwrap()
                .contains("register.csv")
        );
        let mut reader = csv::Reader::from_reader(r.body.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        let names: Vec<&str> = charter_core::export::COLUMNS
            .iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(header, names);
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 10);
        let formula = rows.iter().find(|r| &r[0] == "LCR-0010").unwrap();
        assert!(formula[1].starts_with("'=HYPERLINK"), "{}", &formula[1]);
        let summary = names.iter().position(|n| *n == "summary").unwrap();
        assert!(formula[summary].starts_with("'-2+3"));
        let full = rows.iter().find(|r| &r[0] == "LCR-0009").unwrap();
        let col = |n: &str| full[names.iter().position(|x| *x == n).unwrap()].to_owned();
        assert_eq!(col("organisation_id"), "ORG-0001");
        assert_eq!(col("topics"), "housing;health");
        assert_eq!(col("uses_ai"), "yes");
        assert_eq!(
            col("training_owner"),
            "Eve Shaw, Training Manager <eve@homes.example>"
        );
    }
}

#[tokio::test]
async fn json_download_is_the_whole_register() {
    for app in apps().await {
        let r = get(&app, "/downloads/register.json").await;
        assert_eq!(r.status, StatusCode::OK);
        let j = r.json();
        assert_eq!(j["organisations"].as_array().unwrap().len(), 3);
        let projects = j["projects"].as_array().unwrap();
        assert_eq!(projects.len(), 10);
        assert_eq!(projects[0]["id"], "LCR-0001");
        assert_eq!(projects[0]["organisation_id"], "ORG-0001");
    }
}

#[tokio::test]
async fn empty_register_still_works() {
    for store in stores().await {
        let app = app_with(store);
        get(&app, "/")
            .await
            .has(r#"<span class="charter-stat__number">0%</span>"#);
        get(&app, "/projects")
            .await
            .has("0 projects")
            .has("No projects match");
        let j = get(&app, "/downloads/register.json").await.json();
        assert_eq!(j["projects"].as_array().unwrap().len(), 0);
        let csv = get(&app, "/downloads/register.csv").await;
        assert_eq!(csv.body.lines().count(), 1);
    }
}

#[tokio::test]
async fn static_files_are_served_with_types_and_without_gov_uk_fonts() {
    for app in apps().await {
        let css = get(&app, "/static/govuk-frontend.min.css").await;
        assert_eq!(css.content_type(), "text/css; charset=utf-8");
        css.lacks("GDS Transport").lacks("@font-face");
        assert_eq!(
            get(&app, "/static/charter.js").await.content_type(),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(get(&app, "/healthz").await.body, "ok");
    }
}

#[tokio::test]
async fn database_failures_give_a_plain_error_page_without_internals() {
    // A store whose database has gone away.
    let store = SqliteStore::open("sqlite:file:secret-internal-name?mode=memory")
        .await
        .unwrap();
    store.close().await;
    let app = app_with(Arc::new(store));
    for uri in [
        "/projects",
        "/projects/LCR-0001",
        "/organisations",
        "/compliance",
    ] {
        let r = get(&app, uri).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{uri}");
        r.has("Sorry, the service is unavailable")
            .lacks("secret")
            .lacks("sqlite");
    }
    let api = get(&app, "/api/v1/projects/LCR-0001").await;
    assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(api.content_type(), "application/problem+json");
    api.lacks("secret").lacks("sqlite");
    assert_eq!(
        get(&app, "/healthz").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test]
async fn project_pages_show_reading_age_and_the_charter_check() {
    for app in apps().await {
        let r = get(&app, "/projects/LCR-0009").await;
        r.has("Reading age ")
            .has("href=\"/plain-english\"")
            .has("id=\"charter-check\"")
            .has("principles met");
        // Project 1 names no duty holders: the scorecard says what to do.
        let gaps = get(&app, "/projects/LCR-0001").await;
        gaps.has("Not met")
            .has("Name the senior person accountable, who addresses bias");
        let api = get(&app, "/api/v1/projects/LCR-0001/check").await;
        assert_eq!(api.status, StatusCode::OK);
        let j = api.json();
        assert_eq!(j["blocks_publishing"], true);
        let acc = j["principles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["key"] == "accountability")
            .unwrap();
        assert_eq!(acc["status"], "not-met");
        let duty = acc["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule"] == "duty-holders")
            .unwrap();
        assert_eq!(duty["blocks_publishing"], true);
        assert_eq!(
            get(&app, "/api/v1/projects/LCR-9999/check").await.status,
            StatusCode::NOT_FOUND
        );
        get(&app, "/plain-english")
            .await
            .has("What a reading age is");
    }
}

#[tokio::test]
async fn compliance_adds_up_for_the_region_and_each_organisation() {
    for app in apps().await {
        let j = get(&app, "/api/v1/compliance").await.json();
        assert_eq!(j["projects"], 10);
        let principles = j["principles"].as_array().unwrap();
        assert_eq!(principles.len(), 8);
        for p in principles {
            let sum = p["met"].as_u64().unwrap()
                + p["partly_met"].as_u64().unwrap()
                + p["not_met"].as_u64().unwrap()
                + p["not_applicable"].as_u64().unwrap();
            assert_eq!(sum, 10, "{p}");
        }
        let orgs = j["organisations"].as_array().unwrap();
        assert_eq!(
            orgs.iter()
                .map(|o| o["projects"].as_u64().unwrap())
                .sum::<u64>(),
            10
        );
        let one = get(&app, "/api/v1/compliance?organisation=wirral-transport")
            .await
            .json();
        assert_eq!(one["projects"], 3);
        assert_eq!(
            get(&app, "/api/v1/compliance?organisation=Not_A_Slug")
                .await
                .status,
            StatusCode::BAD_REQUEST
        );

        let page = get(&app, "/compliance").await;
        assert_eq!(page.status, StatusCode::OK);
        page.has("<svg class=\"charter-chart\"")
            .has("role=\"img\"")
            .has("Entries by principle, whole region")
            .has("10 entries checked");
        let csv = get(&app, "/compliance.csv").await;
        assert_eq!(csv.content_type(), "text/csv; charset=utf-8");
        let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(csv.body.as_bytes())
            .records()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            rows.len(),
            8 * 4,
            "the region and three organisations, eight principles each"
        );
        assert_eq!(&rows[0][0], "region");
        get(&app, "/organisations/knowsley-council")
            .await
            .has("id=\"charter-check\"")
            .has("<svg class=\"charter-chart\"");
    }
}

#[tokio::test]
async fn history_lists_versions_and_shows_what_changed() {
    for store in stores().await {
        fill(store.as_ref()).await;
        let mut p = store
            .project(charter_core::ProjectId::new(3))
            .await
            .unwrap()
            .unwrap();
        p.summary = "Predicts how busy A&E will be each day.".into();
        p.status = charter_core::picklists::Status::InUse;
        store
            .projects_publish(
                std::slice::from_ref(&p),
                "Now in use; summary rewritten",
                &"2026-12-01T09:30:00Z".parse().unwrap(),
            )
            .await
            .unwrap();
        let app = app_with(store.clone());

        let r = get(&app, "/projects/LCR-0003/history").await;
        assert_eq!(r.status, StatusCode::OK);
        r.has("2 versions")
            .has("Now in use; summary rewritten")
            .has("1 December 2026 at 09:30 (UTC)")
            .has("What changed from version 1 to version 2")
            .has("<del>Pilot</del>")
            .has("<ins>In use</ins>")
            .has("<ins>Predicts how busy A&#38;E will be each day.</ins>")
            .lacks(">Project name <span");
        get(&app, "/projects/LCR-0003/history?from=2&to=2")
            .await
            .has("Choose two different versions.");
        let bad = get(&app, "/projects/LCR-0003/history?from=9").await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        bad.has("Choose a version from 1 to 2");
        assert_eq!(
            get(&app, "/projects/LCR-9999/history").await.status,
            StatusCode::NOT_FOUND
        );
        get(&app, "/projects/LCR-0003")
            .await
            .has("href=\"/projects/LCR-0003/history\"");

        // Every page shows the head; the log serves the chain.
        let head = store.chain_head().await.unwrap().unwrap();
        assert_eq!(head.seq, 11);
        get(&app, "/")
            .await
            .has(&head.hash.to_hex())
            .has("11 published versions");
        get(&app, "/no-such-page").await.has(&head.hash.to_hex());
        let log = get(&app, "/api/v1/log?limit=4").await.json();
        assert_eq!(log["length"], 11);
        assert_eq!(log["head"], head.hash.to_hex());
        assert_eq!(log["links"].as_array().unwrap().len(), 4);
        assert_eq!(log["next"], "/api/v1/log?after=4&limit=4");
        let last = get(&app, "/api/v1/log?after=8").await.json();
        assert_eq!(last["links"][2]["hash"], head.hash.to_hex());
        assert!(last.get("next").is_none());
        assert_eq!(
            get(&app, "/api/v1/log?limit=lots").await.status,
            StatusCode::BAD_REQUEST
        );

        // Anyone can check a version's content against its hash.
        let versions = get(&app, "/api/v1/projects/LCR-0003/versions").await.json();
        assert_eq!(versions.as_array().unwrap().len(), 2);
        let content = get(&app, "/api/v1/projects/LCR-0003/versions/1").await;
        assert_eq!(content.status, StatusCode::OK);
        let hash = charter_core::chain::content_hash(&content.body);
        assert_eq!(versions[0]["content_hash"], hash.to_hex());
        assert_eq!(content.json()["status"], "pilot");
        assert_eq!(
            get(&app, "/api/v1/projects/LCR-0003/versions/3")
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        // A version that is not a number is a bad address, and the answer says why.
        let r = get(&app, "/api/v1/projects/LCR-0003/versions/x").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.content_type(), "application/problem+json");
        assert_eq!(r.json()["errors"][0]["param"], "version");
    }
}

#[tokio::test]
async fn the_plain_english_checker_is_open_to_everyone() {
    let app = app_with(Arc::new(SqliteStore::memory().await.unwrap()));
    let r = post_json(
        &app,
        "/api/v1/text/check",
        r#"{"text": "The cat sat on the mat. It was a sunny day."}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let j = r.json();
    assert_eq!(j["counts"]["words"], 11);
    assert_eq!(j["scores"]["flesch_reading_ease"], 108.96159090909092);
    for bad in ["not json", r#"{"words": "x"}"#, ""] {
        let r = post_json(&app, "/api/v1/text/check", bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(r.content_type(), "application/problem+json");
    }
    let long = format!(r#"{{"text": "{}"}}"#, "word ".repeat(30_000));
    assert_eq!(
        post_json(&app, "/api/v1/text/check", &long).await.status,
        StatusCode::BAD_REQUEST
    );
    let empty = post_json(&app, "/api/v1/text/check", r#"{"text": ""}"#)
        .await
        .json();
    assert!(empty["reading_age"].is_null());
}

#[tokio::test]
async fn residents_opt_out_see_their_choices_and_withdraw_one() {
    for store in stores().await {
        fill(store.as_ref()).await;
        let outbox = std::env::temp_dir().join(format!(
            "charter-outbox-{}-{}",
            std::process::id(),
            fastrand_id()
        ));
        let keys =
            charter_web::optout::OptOutKeys::new(charter_optout::MasterSecret::from_bytes([7; 32]));
        let app = router(
            AppState::new(store.clone(), Charter::from_toml(CHARTER).unwrap())
                .with_optout(keys, outbox.clone()),
        );

        get(&app, "/opt-out")
            .await
            .has("What do you want to opt out of?")
            .has("name=\"nhs_number\"");
        // Nothing chosen, no number: both problems, and the page keeps what was typed.
        let empty = post_form(&app, "/opt-out", "for=me&email=someone%40example.org").await;
        assert_eq!(empty.status, StatusCode::BAD_REQUEST);
        empty
            .has("govuk-error-summary")
            .has("Choose at least one thing to opt out of")
            .has("Enter an NHS number")
            .has("value=\"someone@example.org\"");
        let wrong = post_form(
            &app,
            "/opt-out",
            "scope=ai-training&for=me&nhs_number=9434765918",
        )
        .await;
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
        wrong.has("Enter a valid NHS number").lacks("9434765918");
        let bad_project = post_form(
            &app,
            "/opt-out",
            "scope=ai-training&for=me&nhs_number=9434765919&project=LCR-9999",
        )
        .await;
        bad_project.has("There is no project with that id");

        let ok = post_form(
            &app,
            "/opt-out",
            "scope=ai-training&scope=research-planning&organisation=knowsley-council&for=parental-responsibility&nhs_number=943+476+5919&email=parent%40example.org",
        )
        .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let location = ok
            .headers
            .get("location")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            location.starts_with("/opt-out/manage/") && location.ends_with("?new=1"),
            "{location}"
        );
        let page = get(&app, &location).await;
        page.has("You have opted out")
            .has("OPT-")
            .has("AI being trained on the data")
            .has("Any use by the organisation knowsley-council");
        // The receipt went to the outbox, without the NHS number.
        let mail: Vec<_> = std::fs::read_dir(&outbox)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        assert_eq!(mail.len(), 1);
        assert!(
            mail[0].contains("To: parent@example.org") && mail[0].contains("OPT-"),
            "{}",
            mail[0]
        );
        assert!(!mail[0].contains("9434765919") && !mail[0].contains("943 476 5919"));

        let manage = location.trim_end_matches("?new=1").to_owned();
        let withdrawn = post_form(&app, &manage, "action=withdraw&scope=ai-training").await;
        assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
        let after = get(&app, &manage).await;
        after
            .has("withdrew “AI being trained on the data”")
            .has("Your opt-out choices");
        // The withdraw form lists what is opted out of now: research and planning, the
        // organisation, and no longer AI training.
        let current = after
            .body
            .split("Opt out of more")
            .next()
            .unwrap()
            .to_owned();
        let withdrawable = |scope: &str| {
            current.contains(&format!(
                "name=\"scope\" type=\"checkbox\" value=\"{scope}\""
            ))
        };
        assert!(
            !withdrawable("ai-training"),
            "a withdrawn scope is no longer current"
        );
        assert!(withdrawable("research-planning"));
        assert!(withdrawable("organisation:knowsley-council"));
        let nothing = post_form(&app, &manage, "action=withdraw").await;
        assert_eq!(nothing.status, StatusCode::BAD_REQUEST);
        nothing.has("Choose at least one opt-out to withdraw");
        assert_eq!(
            get(&app, "/opt-out/manage/not-a-token").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            get(&app, &format!("/opt-out/manage/{}", "0".repeat(48)))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // Another site cannot post the form on a resident's behalf.
        let forged = Request::post("/opt-out")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "cross-site")
            .body(Body::from("scope=ai-training&for=me&nhs_number=9434765919"))
            .unwrap();
        assert_eq!(send(&app, forged).await.status, StatusCode::FORBIDDEN);
        let forged = Request::post("/opt-out")
            .header("origin", "https://evil.example")
            .header("host", "register.example")
            .body(Body::from("scope=ai-training&for=me&nhs_number=9434765919"))
            .unwrap();
        assert_eq!(send(&app, forged).await.status, StatusCode::FORBIDDEN);

        // Public figures hide small numbers.
        get(&app, "/opt-out/figures")
            .await
            .has("fewer than 10")
            .has("Sharing data for research and planning");
        get(&app, "/projects/LCR-0009")
            .await
            .has("href=\"/opt-out\"")
            .has("AI making or supporting decisions");
        let _ = std::fs::remove_dir_all(&outbox);
    }
}

/// Posts a form as a signed-in person (`session` is the cookie's value).
async fn post_signed(app: &axum::Router, uri: &str, session: &str, form: &str) -> Reply {
    send(app, with_cookie("POST", uri, Some(session), Some(form))).await
}

#[tokio::test]
async fn site_admin_sets_up_an_identifier_kind_and_residents_opt_out_with_it() {
    use charter_core::accounts::Role;
    use charter_optout::{IdentifierKind, NhsNumber, Scope, Snapshot};
    for store in stores().await {
        fill(store.as_ref()).await;
        let outbox = std::env::temp_dir().join(format!("charter-kinds-outbox-{}", fastrand_id()));
        let keys =
            charter_web::optout::OptOutKeys::new(charter_optout::MasterSecret::from_bytes([7; 32]));
        let app = router(
            AppState::new(store.clone(), Charter::from_toml(CHARTER).unwrap())
                .with_optout(keys.clone(), outbox.clone()),
        );
        let admin = store
            .user_add(
                "admin@x.example",
                None,
                Role::SiteAdmin,
                None,
                &"2026-01-01T00:00:00Z".parse().unwrap(),
            )
            .await
            .unwrap();
        let (session, csrf) = session_for(store.as_ref(), admin, 1).await;
        let page = "/manage/identifier-kinds";

        let list = send(&app, with_cookie("GET", page, Some(&session), None)).await;
        assert_eq!(list.status, StatusCode::OK);
        list.has("Identifiers residents can opt out with")
            .has("nhs-number")
            .has("Built in");
        send(&app, with_cookie("GET", "/manage", Some(&session), None))
            .await
            .has("href=\"/manage/identifier-kinds\"");

        // Nothing filled in: every problem, in the error summary.
        let empty = post_signed(&app, page, &session, &format!("csrf={csrf}")).await;
        assert_eq!(empty.status, StatusCode::BAD_REQUEST);
        empty
            .has("<title>Error:")
            .has("govuk-error-summary")
            .has("href=\"#label\"")
            .has("Enter the name residents will see")
            .has("Enter a short name for files")
            .has("Choose which characters it can contain")
            .has("Enter the fewest characters it can have");
        // Wrong values: the page keeps what was typed.
        let wrong = post_signed(
            &app,
            page,
            &session,
            &format!("csrf={csrf}&label=Knowsley+Council+tenancy+reference&name=Knowsley+Ref&charset=digits&min_len=10&max_len=6"),
        )
        .await;
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
        wrong
            .has("Use small letters, digits and hyphens")
            .has("The most characters must be at least the fewest")
            .has("value=\"Knowsley Council tenancy reference\"")
            .has("value=\"Knowsley Ref\"")
            .has("value=\"10\"");
        for (name, says) in [
            (
                "nhs-number",
                "There is already an identifier kind with the short name nhs-number",
            ),
            ("nhs", "too close to another kind"),
        ] {
            post_signed(
                &app,
                page,
                &session,
                &format!("csrf={csrf}&label=x&name={name}&charset=digits&min_len=1&max_len=5"),
            )
            .await
            .has(says);
        }
        // Without the form token nothing happens.
        let forged = post_signed(
            &app,
            page,
            &session,
            "label=x&name=forged&charset=digits&min_len=1&max_len=5",
        )
        .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);

        let good = format!(
            "csrf={csrf}&label=Knowsley+Council+tenancy+reference&name=knowsley-tenancy-ref&hint=It+is+on+your+tenancy+agreement.&charset=digits&min_len=8&max_len=10"
        );
        let added = post_signed(&app, page, &session, &good).await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
        let location = added.headers.get("location").unwrap().to_str().unwrap();
        assert_eq!(
            location,
            "/manage/identifier-kinds?added=knowsley-tenancy-ref"
        );
        send(&app, with_cookie("GET", location, Some(&session), None))
            .await
            .has("Knowsley Council tenancy reference is set up")
            .has("Offered");
        post_signed(&app, page, &session, &good)
            .await
            .has("There is already an identifier kind with the short name knowsley-tenancy-ref");

        // Until someone uses it, it can change (never its short name).
        let edit = format!("{page}/knowsley-tenancy-ref");
        send(&app, with_cookie("GET", &edit, Some(&session), None))
            .await
            .has("Change it")
            .has("value=\"8\"");
        let changed = post_signed(
            &app,
            &edit,
            &session,
            &format!("csrf={csrf}&label=Knowsley+Council+tenancy+reference&hint=It+is+on+your+tenancy+agreement.&charset=digits&min_len=8&max_len=12&name=sneaky"),
        )
        .await;
        assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
        let kinds = store.identifier_kinds().await.unwrap();
        assert_eq!(kinds.len(), 1);
        assert_eq!(
            (
                kinds[0].spec.name.as_str(),
                kinds[0].spec.tag_prefix.as_str(),
                kinds[0].spec.max_len
            ),
            ("knowsley-tenancy-ref", "knowsley-tenancy-ref", 12)
        );
        let bad_change = post_signed(
            &app,
            &edit,
            &session,
            &format!("csrf={csrf}&label=&charset=digits&min_len=8&max_len=12"),
        )
        .await;
        assert_eq!(bad_change.status, StatusCode::BAD_REQUEST);
        bad_change.has("Enter the name residents will see");
        assert_eq!(
            send(
                &app,
                with_cookie("GET", &format!("{page}/no-such-kind"), Some(&session), None)
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );

        // Residents now give an NHS number or a tenancy reference: the box they fill in says which.
        get(&app, "/opt-out")
            .await
            .has("Identifier of the person opting out")
            .has("name=\"nhs_number\"")
            .has("Or: Knowsley Council tenancy reference")
            .has("name=\"identifier-knowsley-tenancy-ref\"")
            .has("It is on your tenancy agreement.");
        let field = "identifier-knowsley-tenancy-ref";
        for (value, says) in [
            (
                "12AB5678",
                "can only contain digits (spaces and hyphens are fine)",
            ),
            (
                "1234",
                "must be 8 to 12 characters long, not counting spaces and hyphens",
            ),
        ] {
            let r = post_form(
                &app,
                "/opt-out",
                &format!("scope=ai-training&for=me&{field}={value}"),
            )
            .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST);
            r.has(says).has(&format!("href=\"#{field}\"")).lacks(value);
        }
        post_form(
            &app,
            "/opt-out",
            "scope=ai-training&for=me&nhs_number=&identifier-council-tax=123",
        )
        .await
        .has("Enter an NHS number, or one of the other identifiers");
        post_form(
            &app,
            "/opt-out",
            &format!("scope=ai-training&for=me&nhs_number=401+023+2137&{field}=12345678"),
        )
        .await
        .has("Give one identifier at a time")
        .has(&format!("href=\"#{field}\""));
        // The NHS number is checked as before.
        post_form(
            &app,
            "/opt-out",
            "scope=ai-training&for=me&nhs_number=9434765918",
        )
        .await
        .has("Enter a valid NHS number");
        let ok = post_form(
            &app,
            "/opt-out",
            &format!("scope=ai-training&for=me&nhs_number=&{field}=943+476-5919"),
        )
        .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let manage = ok
            .headers
            .get("location")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        get(&app, &manage)
            .await
            .has("You opted out with: Knowsley Council tenancy reference")
            .lacks("9434765919");
        // Stored with its kind, tagged with that kind's prefix: the same digits as an NHS
        // number would give another tag.
        let records = store.optouts_after(0, 10).await.unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].kind, "knowsley-tenancy-ref");
        let register = keys.version(charter_optout::KeyVersion::FIRST);
        let known = charter_web::optout::known_kinds(store.as_ref())
            .await
            .unwrap();
        let local = known.kinds.get("knowsley-tenancy-ref").unwrap().clone();
        let as_local = local.normalise_str("9434765919").unwrap();
        let as_nhs = NhsNumber.normalise_str("9434765919").unwrap();
        assert_eq!(
            records[0].tag,
            register.tag_key().tag(local.as_ref(), &as_local).as_bytes()
        );
        assert_ne!(
            records[0].tag,
            register.tag_key().tag(&NhsNumber, &as_nhs).as_bytes()
        );

        // Now in use: it can no longer change.
        send(&app, with_cookie("GET", &edit, Some(&session), None))
            .await
            .has("People have opted out with this identifier kind")
            .lacks("Save changes");
        let refused = post_signed(
            &app,
            &edit,
            &session,
            &format!("csrf={csrf}&label=Other&charset=alphanumeric&min_len=1&max_len=20"),
        )
        .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        refused.has("can no longer change");
        assert_eq!(
            store.identifier_kinds().await.unwrap()[0].spec.label,
            "Knowsley Council tenancy reference"
        );

        // An organisation's snapshot carries the kind: a column of tenancy references matches,
        // the same digits in a column of NHS numbers do not.
        let org: charter_core::Slug = "knowsley-council".parse().unwrap();
        let check = |bytes: &[u8], kind: &str| {
            let snapshot = Snapshot::open(
                bytes,
                &register.public_key(),
                &org,
                time::OffsetDateTime::now_utc(),
            )
            .unwrap();
            let options = charter_optout::FilterOptions {
                threads: 1,
                kind: snapshot.kind(kind).unwrap(),
                ..Default::default()
            };
            let mut kept = Vec::new();
            let m = charter_optout::filter_with_options(
                &snapshot,
                &[Scope::AiTraining],
                "id",
                "id\n943 476 5919\n12345678\n".as_bytes(),
                &mut kept,
                std::io::sink(),
                &options,
                |_| {},
            )
            .unwrap();
            (m.rows_removed, m.rows_kept, m.rows_invalid)
        };
        let (snapshot, people) =
            charter_web::optout::build_snapshot(store.as_ref(), &keys, &org, 1)
                .await
                .unwrap();
        assert_eq!(people, 1);
        assert_eq!(check(&snapshot, "knowsley-tenancy-ref"), (1, 1, 0));
        assert_eq!(check(&snapshot, "nhs-number"), (0, 1, 1));

        // Retired: no longer offered, and its opt-outs still apply.
        let retired = post_signed(
            &app,
            &format!("{edit}/retire"),
            &session,
            &format!("csrf={csrf}"),
        )
        .await;
        assert_eq!(retired.status, StatusCode::SEE_OTHER);
        get(&app, "/opt-out")
            .await
            .lacks("identifier-knowsley-tenancy-ref");
        post_form(
            &app,
            "/opt-out",
            &format!("scope=ai-training&for=me&{field}=12345678"),
        )
        .await
        .has("Enter an NHS number");
        let (snapshot, _) = charter_web::optout::build_snapshot(store.as_ref(), &keys, &org, 1)
            .await
            .unwrap();
        assert_eq!(check(&snapshot, "knowsley-tenancy-ref"), (1, 1, 0));
        send(&app, with_cookie("GET", page, Some(&session), None))
            .await
            .has("Retired")
            .has("Offer again");
        let back = post_signed(
            &app,
            &format!("{edit}/reinstate"),
            &session,
            &format!("csrf={csrf}"),
        )
        .await;
        assert_eq!(back.status, StatusCode::SEE_OTHER);
        get(&app, "/opt-out")
            .await
            .has("identifier-knowsley-tenancy-ref");
        assert_eq!(
            post_signed(
                &app,
                &format!("{page}/no-such-kind/retire"),
                &session,
                &format!("csrf={csrf}")
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );

        // The API check takes the column's kind too.
        let token = "chr_kinds_test_token";
        token_for_org(store.as_ref(), org.as_str(), token, "optout-check").await;
        let api = |query: &str| {
            Request::post(format!("/api/v1/optout/check?{query}"))
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "text/csv")
                .body(Body::from("ref,name\n9434765919,Ada\n87654321,Bo\n"))
                .unwrap()
        };
        let r = send(
            &app,
            api("column=ref&kind=knowsley-tenancy-ref&scope=ai-training"),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["manifest"]["rows_removed"], 1);
        assert_eq!(
            r.json()["manifest"]["identifier_kind"],
            "knowsley-tenancy-ref"
        );
        assert_eq!(r.json()["kept_csv"], "ref,name\n87654321,Bo\n");
        let r = send(&app, api("column=ref&scope=ai-training")).await;
        assert_eq!(
            r.json()["manifest"]["rows_removed"],
            0,
            "NHS numbers by default"
        );
        let r = send(&app, api("column=ref&kind=council-tax&scope=ai-training")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("does not know the identifier kind");

        // Every change is in the audit log.
        let actions: Vec<String> = store
            .audit_log(10)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action.starts_with("identifier-kind"))
            .map(|e| format!("{} {}", e.action, e.subject))
            .collect();
        assert_eq!(
            actions,
            [
                "identifier-kind-reinstate knowsley-tenancy-ref",
                "identifier-kind-retire knowsley-tenancy-ref",
                "identifier-kind-change knowsley-tenancy-ref",
                "identifier-kind-add knowsley-tenancy-ref"
            ]
        );
        let _ = std::fs::remove_dir_all(&outbox);
    }
}

#[tokio::test]
async fn organisations_report_checks_made_on_their_own_machines() {
    use charter_optout::{Scope, Snapshot};
    for store in stores().await {
        fill(store.as_ref()).await;
        let outbox = std::env::temp_dir().join(format!("charter-report-outbox-{}", fastrand_id()));
        let keys =
            charter_web::optout::OptOutKeys::new(charter_optout::MasterSecret::from_bytes([7; 32]));
        let app = router(
            AppState::new(store.clone(), Charter::from_toml(CHARTER).unwrap())
                .with_optout(keys.clone(), outbox.clone()),
        );
        let org: charter_core::Slug = "knowsley-council".parse().unwrap();
        token_for_org(store.as_ref(), org.as_str(), "chr_checks", "optout-check").await;
        token_for_org(store.as_ref(), org.as_str(), "chr_drafts", "drafts").await;
        token_for_org(
            store.as_ref(),
            "wirral-transport",
            "chr_wirral",
            "optout-check",
        )
        .await;

        // A real manifest: the organisation's snapshot, filtered here as on its own machine.
        let (bytes, _) = charter_web::optout::build_snapshot(store.as_ref(), &keys, &org, 7)
            .await
            .unwrap();
        let snapshot = Snapshot::open(
            &bytes,
            &keys.version(charter_optout::KeyVersion::FIRST).public_key(),
            &org,
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
        let manifest = charter_optout::filter(
            &snapshot,
            &[Scope::AiTraining],
            "nhs_number",
            "nhs_number\n9434765919\n12\n".as_bytes(),
            std::io::sink(),
            std::io::sink(),
            1,
            |_| {},
        )
        .unwrap();
        let json = serde_json::to_value(&manifest).unwrap();
        let report = |token: Option<&str>, body: String| {
            let mut r =
                Request::post("/api/v1/optout/checks").header("content-type", "application/json");
            if let Some(t) = token {
                r = r.header("authorization", format!("Bearer {t}"));
            }
            r.body(Body::from(body)).unwrap()
        };
        let changed = |field: &str, value: serde_json::Value| {
            let mut j = json.clone();
            j[field] = value;
            j.to_string()
        };

        let none = send(&app, report(None, json.to_string())).await;
        assert_eq!(none.status, StatusCode::UNAUTHORIZED);
        assert_eq!(none.content_type(), "application/problem+json");
        assert_eq!(
            send(&app, report(Some("chr_nope"), json.to_string()))
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        let drafts_only = send(&app, report(Some("chr_drafts"), json.to_string())).await;
        assert_eq!(drafts_only.status, StatusCode::FORBIDDEN);
        let theirs = send(&app, report(Some("chr_wirral"), json.to_string())).await;
        assert_eq!(theirs.status, StatusCode::FORBIDDEN);
        theirs.has("This token belongs to wirral-transport");

        let not_json = send(
            &app,
            report(Some("chr_checks"), "nhs_number\n9434765919\n".into()),
        )
        .await;
        assert_eq!(not_json.status, StatusCode::BAD_REQUEST);
        not_json
            .has("the manifest JSON that charter optout filter writes")
            .lacks("9434765919");
        let mut missing = json.clone();
        missing.as_object_mut().unwrap().remove("rows_removed");
        send(&app, report(Some("chr_checks"), missing.to_string()))
            .await
            .has("missing field `rows_removed`");
        for (body, field) in [
            (changed("rows_in", 5.into()), "rows_in"),
            (
                changed("identifier_kind", "council-tax".into()),
                "identifier_kind",
            ),
            (
                changed("scopes", serde_json::json!(["everything"])),
                "scopes",
            ),
            (changed("scopes", serde_json::json!([])), "scopes"),
            (changed("key_version", 9.into()), "key_version"),
            (
                changed("snapshot_created", "2999-01-01T00:00:00Z".into()),
                "snapshot_created",
            ),
            (
                changed("snapshot_expires", "2000-01-01T00:00:00Z".into()),
                "snapshot_expires",
            ),
            (changed("input_blake3", "abc".into()), "input_blake3"),
        ] {
            let r = send(&app, report(Some("chr_checks"), body)).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{field}: {}", r.body);
            assert_eq!(r.json()["errors"][0]["param"], field, "{}", r.body);
        }
        assert!(
            store.optout_figures().await.unwrap().checks.is_empty(),
            "nothing recorded yet"
        );

        let ok = send(&app, report(Some("chr_checks"), json.to_string())).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        assert_eq!(ok.json()["recorded"], true);
        // A retry counts once.
        let again = send(&app, report(Some("chr_checks"), json.to_string())).await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.json()["recorded"], false);
        again.has("already reported");
        // The public figures count it with the API's checks.
        let month = &charter_app::clock::now()[..7];
        let figures = store.optout_figures().await.unwrap();
        assert_eq!(figures.checks.len(), 1);
        assert_eq!(
            (
                figures.checks[0].organisation.as_str(),
                figures.checks[0].month.as_str(),
                figures.checks[0].checks
            ),
            ("knowsley-council", month, 1)
        );
        let api_check = Request::post("/api/v1/optout/check?column=nhs_number&scope=ai-training")
            .header("authorization", "Bearer chr_checks")
            .body(Body::from("nhs_number\n9434765919\n"))
            .unwrap();
        assert_eq!(send(&app, api_check).await.status, StatusCode::OK);
        assert_eq!(store.optout_figures().await.unwrap().checks[0].checks, 2);
        get(&app, "/opt-out/figures").await.has("knowsley-council");
        let _ = std::fs::remove_dir_all(&outbox);
    }
}

#[tokio::test]
async fn set_a_password_sign_in_make_a_token_and_sign_out() {
    use charter_core::accounts::Role;
    for store in stores().await {
        fill(store.as_ref()).await;
        let org: charter_core::Slug = "knowsley-council".parse().unwrap();
        let outbox = std::env::temp_dir().join(format!("charter-account-outbox-{}", fastrand_id()));
        let keys =
            charter_web::optout::OptOutKeys::new(charter_optout::MasterSecret::from_bytes([7; 32]));
        let app = router(
            AppState::new(store.clone(), Charter::from_toml(CHARTER).unwrap())
                .with_optout(keys, outbox.clone()),
        );
        let uid = store
            .user_add(
                "sam@knowsley.example",
                None,
                Role::OrgAdmin,
                Some(&org),
                &"2026-01-01T00:00:00Z".parse().unwrap(),
            )
            .await
            .unwrap();
        let token = "ab".repeat(24);
        store
            .link_create(
                &charter_app::secrets::token_hash(&token),
                uid,
                "password",
                &"2026-01-01T00:00:00Z".parse().unwrap(),
                &"2999-01-01T00:00:00Z".parse().unwrap(),
            )
            .await
            .unwrap();
        let link = format!("/account/set-password/{token}");

        get(&app, &link).await.has("Set your password");
        let weak = post_form(&app, &link, "password=short&confirm=short").await;
        assert_eq!(weak.status, StatusCode::BAD_REQUEST);
        weak.has("at least 12 characters")
            .has("govuk-error-summary");
        post_form(&app, &link, "password=password12345&confirm=password12345")
            .await
            .has("too common");
        post_form(
            &app,
            &link,
            "password=ferry+cross+the+mersey&confirm=ferry+cross+the+river",
        )
        .await
        .has("do not match");
        let set = post_form(
            &app,
            &link,
            "password=ferry+cross+the+mersey&confirm=ferry+cross+the+mersey",
        )
        .await;
        assert_eq!(set.status, StatusCode::SEE_OTHER);
        assert_eq!(
            set.headers.get("location").unwrap(),
            "/sign-in?password-set"
        );
        let again = post_form(
            &app,
            &link,
            "password=ferry+cross+the+mersey&confirm=ferry+cross+the+mersey",
        )
        .await;
        assert_eq!(again.status, StatusCode::GONE);
        again.has("This link has already been used");
        get(&app, "/account/set-password/nonsense")
            .await
            .has("This link does not work");

        // Signing in.
        let wrong = post_form(
            &app,
            "/sign-in",
            "email=sam%40knowsley.example&password=not+the+password",
        )
        .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        wrong
            .has("The email address or password is wrong")
            .has("value=\"sam@knowsley.example\"");
        post_form(&app, "/sign-in", "email=&password=")
            .await
            .has("Enter your email address")
            .has("Enter your password");
        let ok = post_form(
            &app,
            "/sign-in",
            "email=Sam%40Knowsley.example&password=ferry+cross+the+mersey",
        )
        .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let cookie = ok
            .headers
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax")
                && cookie.contains("Path=/"),
            "{cookie}"
        );
        assert!(!cookie.contains("Secure"), "not over HTTPS here");
        let session = cookie
            .split(';')
            .next()
            .unwrap()
            .trim_start_matches("charter_session=")
            .to_owned();

        let manage = send(&app, with_cookie("GET", "/manage", Some(&session), None)).await;
        assert_eq!(manage.status, StatusCode::OK);
        manage
            .has("sam@knowsley.example")
            .has("Organisation administrator")
            .has("/manage/organisations/knowsley-council");
        let form_token = manage
            .body
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();

        // Tokens need the form token; the new token is shown once.
        let forged = send(
            &app,
            with_cookie(
                "POST",
                "/manage/organisations/knowsley-council/tokens",
                Some(&session),
                Some("label=x"),
            ),
        )
        .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let made = send(
            &app,
            with_cookie(
                "POST",
                "/manage/organisations/knowsley-council/tokens",
                Some(&session),
                Some(&format!(
                    "csrf={form_token}&label=Nightly+cleaning&scope=optout-check"
                )),
            ),
        )
        .await;
        assert_eq!(made.status, StatusCode::OK);
        let api_token = made
            .body
            .split("charter-hash\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_owned();
        assert!(api_token.starts_with("chr_"));
        let tools = send(
            &app,
            with_cookie(
                "GET",
                "/manage/organisations/knowsley-council",
                Some(&session),
                None,
            ),
        )
        .await;
        tools
            .has("Nightly cleaning")
            .lacks(&api_token)
            .has("Essential checks");
        let blank = send(
            &app,
            with_cookie(
                "POST",
                "/manage/organisations/knowsley-council/tokens",
                Some(&session),
                Some(&format!("csrf={form_token}&label=")),
            ),
        )
        .await;
        assert_eq!(blank.status, StatusCode::BAD_REQUEST);
        let t = store.tokens(&org).await.unwrap()[0].clone();
        let revoked = send(
            &app,
            with_cookie(
                "POST",
                &format!(
                    "/manage/organisations/knowsley-council/tokens/{}/revoke",
                    t.id
                ),
                Some(&session),
                Some(&format!("csrf={form_token}")),
            ),
        )
        .await;
        assert_eq!(revoked.status, StatusCode::SEE_OTHER);
        assert!(
            store
                .token_by_hash(&charter_app::secrets::token_hash(&api_token))
                .await
                .unwrap()
                .is_none()
        );

        // The audit log has it all, and never a password.
        let log = store.audit_log(10).await.unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            ["token-revoke", "token-create", "sign-in", "password-set"]
        );

        // Signing in again gives a new session and ends the old one.
        let again = send(
            &app,
            with_cookie(
                "POST",
                "/sign-in",
                Some(&session),
                Some("email=sam%40knowsley.example&password=ferry+cross+the+mersey"),
            ),
        )
        .await;
        let fresh = again
            .headers
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .trim_start_matches("charter_session=")
            .to_owned();
        assert_ne!(fresh, session);
        assert_eq!(
            send(&app, with_cookie("GET", "/manage", Some(&session), None))
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        let manage = send(&app, with_cookie("GET", "/manage", Some(&fresh), None)).await;
        let form_token = manage
            .body
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        let out = send(
            &app,
            with_cookie(
                "POST",
                "/sign-out",
                Some(&fresh),
                Some(&format!("csrf={form_token}")),
            ),
        )
        .await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert!(
            out.headers
                .get("set-cookie")
                .unwrap()
                .to_str()
                .unwrap()
                .contains("Max-Age=0")
        );
        assert_eq!(
            send(&app, with_cookie("GET", "/manage", Some(&fresh), None))
                .await
                .status,
            StatusCode::SEE_OTHER
        );

        // Password reset: the same answer whether or not the address has an account.
        post_form(
            &app,
            "/account/reset-password",
            "email=nobody%40example.org",
        )
        .await
        .has("If that address has an account");
        post_form(
            &app,
            "/account/reset-password",
            "email=sam%40knowsley.example",
        )
        .await
        .has("If that address has an account");
        let mails: Vec<String> = std::fs::read_dir(&outbox)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        assert_eq!(mails.len(), 1);
        assert!(
            mails[0].contains("To: sam@knowsley.example")
                && mails[0].contains("/account/set-password/")
        );
        assert_eq!(
            post_form(&app, "/account/reset-password", "email=not-an-address")
                .await
                .status,
            StatusCode::BAD_REQUEST
        );

        // Five wrong passwords, then a pause.
        for _ in 0..5 {
            post_form(
                &app,
                "/sign-in",
                "email=sam%40knowsley.example&password=wrong+wrong+wrong",
            )
            .await;
        }
        let limited = post_form(
            &app,
            "/sign-in",
            "email=sam%40knowsley.example&password=ferry+cross+the+mersey",
        )
        .await;
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
        limited.has("Too many tries");
        let _ = std::fs::remove_dir_all(&outbox);
    }
}

#[tokio::test]
async fn every_account_route_for_every_role() {
    use charter_core::accounts::Role;
    for store in stores().await {
        fill(store.as_ref()).await;
        let app = app_with(store.clone());
        let k: charter_core::Slug = "knowsley-council".parse().unwrap();
        let mut people: Vec<(&str, Option<(String, String)>)> = vec![("no session", None)];
        for (n, (name, role, org)) in [
            ("editor", Role::OrgEditor, Some(&k)),
            ("admin", Role::OrgAdmin, Some(&k)),
            ("moderator", Role::Moderator, None),
            ("site admin", Role::SiteAdmin, None),
        ]
        .into_iter()
        .enumerate()
        {
            let id = store
                .user_add(
                    &format!("{}@x.example", name.replace(' ', "")),
                    None,
                    role,
                    org,
                    &"2026-01-01T00:00:00Z".parse().unwrap(),
                )
                .await
                .unwrap();
            people.push((name, Some(session_for(store.as_ref(), id, n as u32).await)));
        }
        let draft = store
            .draft_create(&charter_store::drafts::NewDraft {
                entry: complete_project(9, "knowsley-council"),
                existing: Some("LCR-0009".parse().unwrap()),
                base_version: Some(1),
                actor: "editor@x.example".into(),
                at: "2026-01-01T00:00:00Z".into(),
            })
            .await
            .unwrap()
            .id;
        store
            .identifier_kind_add(
                &charter_store::optout::IdentifierKindSpec {
                    name: "test-ref".into(),
                    tag_prefix: "test-ref".into(),
                    label: "Test reference".into(),
                    hint: String::new(),
                    charset: "digits".into(),
                    min_len: 4,
                    max_len: 8,
                },
                &"2026-01-01T00:00:00Z".parse().unwrap(),
            )
            .await
            .unwrap();
        let draft_page = format!("/manage/drafts/{draft}");
        let draft_section = format!("/manage/drafts/{draft}/sections/about");
        let draft_review = format!("/manage/drafts/{draft}/review");
        let draft_preview = format!("/manage/drafts/{draft}/preview");
        // Expected status for: none, editor, admin (Knowsley), moderator, site admin.
        let routes: [(&str, &str, [u16; 5]); 22] = [
            // Only site administrators set up identifier kinds. The test's form is incomplete,
            // so those allowed get it back with its problems.
            ("GET", "/manage/identifier-kinds", [303, 403, 403, 403, 200]),
            (
                "POST",
                "/manage/identifier-kinds",
                [303, 403, 403, 403, 400],
            ),
            (
                "GET",
                "/manage/identifier-kinds/test-ref",
                [303, 403, 403, 403, 200],
            ),
            (
                "POST",
                "/manage/identifier-kinds/test-ref",
                [303, 403, 403, 403, 400],
            ),
            (
                "POST",
                "/manage/identifier-kinds/test-ref/retire",
                [303, 403, 403, 403, 303],
            ),
            (
                "POST",
                "/manage/identifier-kinds/test-ref/reinstate",
                [303, 403, 403, 403, 303],
            ),
            (
                "GET",
                "/manage/organisations/knowsley-council/import",
                [303, 200, 200, 403, 200],
            ),
            ("GET", "/manage/review", [303, 200, 200, 200, 200]),
            (
                "GET",
                "/manage/organisations/knowsley-council/drafts/new",
                [303, 200, 200, 403, 200],
            ),
            (
                "GET",
                "/manage/organisations/wirral-transport/drafts/new",
                [303, 403, 403, 403, 200],
            ),
            ("GET", &draft_page, [303, 200, 200, 200, 200]),
            // The charter body reviews but does not write: it is sent back to the task list.
            ("GET", &draft_section, [303, 200, 200, 303, 200]),
            ("GET", &draft_review, [303, 403, 403, 200, 200]),
            ("GET", &draft_preview, [303, 200, 200, 200, 200]),
            (
                "POST",
                "/manage/organisations/knowsley-council/self-publish",
                [303, 403, 403, 303, 303],
            ),
            // Signed-in people allowed to invite get the form back: the test sends no email.
            (
                "POST",
                "/manage/organisations/knowsley-council/people",
                [303, 403, 400, 403, 400],
            ),
            ("GET", "/manage", [303, 200, 200, 200, 200]),
            (
                "GET",
                "/manage/organisations/knowsley-council",
                [303, 200, 200, 200, 200],
            ),
            (
                "GET",
                "/manage/organisations/wirral-transport",
                [303, 403, 403, 200, 200],
            ),
            ("GET", "/manage/audit", [303, 403, 403, 200, 200]),
            (
                "POST",
                "/manage/organisations/knowsley-council/tokens",
                [303, 403, 200, 403, 200],
            ),
            (
                "POST",
                "/manage/organisations/wirral-transport/tokens",
                [303, 403, 403, 403, 200],
            ),
        ];
        for (method, uri, expected) in routes {
            for (i, (who, session)) in people.iter().enumerate() {
                let (cookie, form) = match session {
                    Some((c, f)) => (
                        Some(c.as_str()),
                        format!("csrf={f}&label=test&scope=optout-check"),
                    ),
                    None => (None, "label=test".to_owned()),
                };
                let r = send(
                    &app,
                    with_cookie(
                        method,
                        uri,
                        cookie,
                        (method == "POST").then_some(form.as_str()),
                    ),
                )
                .await;
                assert_eq!(r.status.as_u16(), expected[i], "{method} {uri} as {who}");
            }
        }
        // Public pages stay public for everyone.
        for (_, session) in &people {
            let cookie = session.as_ref().map(|(c, _)| c.as_str());
            assert_eq!(
                send(&app, with_cookie("GET", "/projects", cookie, None))
                    .await
                    .status,
                StatusCode::OK
            );
        }
    }
}

#[tokio::test]
async fn remembered_searches_never_outlive_a_change() {
    for store in stores().await {
        fill(store.as_ref()).await;
        let app = app_with(store.clone());
        let before = get(&app, "/api/v1/projects?q=tram").await.json();
        assert_eq!(before["total"], 0);
        assert_eq!(
            get(&app, "/api/v1/projects?q=tram").await.json()["total"],
            0
        );
        // Publishing a change shows at once, on this instance and any other.
        let mut p = store
            .project(charter_core::ProjectId::new(5))
            .await
            .unwrap()
            .unwrap();
        p.title = "Tram timetable checker".parse().unwrap();
        store
            .projects_publish(&[p], "Renamed", &"2026-12-01T00:00:00Z".parse().unwrap())
            .await
            .unwrap();
        assert_eq!(
            get(&app, "/api/v1/projects?q=tram").await.json()["total"],
            1
        );
        get(&app, "/projects?q=tram")
            .await
            .has("Tram timetable checker");
        // So does renaming an organisation.
        let (orgs, _) = small_register();
        let mut o = orgs[2].clone();
        o.name = "Wirral Trams".into();
        store.organisation_put(&o).await.unwrap();
        assert_eq!(
            get(&app, "/api/v1/projects?q=tram").await.json()["items"][0]["organisation_name"],
            "Wirral Trams"
        );
    }
}
