//! The register's public pages: home, entries, organisations, the charter, compliance, history.

use axum::http::StatusCode;

use crate::harness::*;

#[tokio::test]
async fn home_page_has_search_figures_and_principles() {
    for app in TestApp::init().on_each_backend().await {
        let r = app.get("/").await;
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
async fn project_page_puts_summary_and_ai_first_then_a_section_per_principle() {
    for app in TestApp::init().on_each_backend().await {
        let r = app.get("/projects/LCR-0009").await;
        assert_eq!(r.status, StatusCode::OK);
        r.has("<h1 class=\"govuk-heading-xl\">Finding homes at risk of damp and mould</h1>")
            .has("charter-ai-flag")
            .has("machine learning model")
            .has("We use repair records to find homes that may have damp")
            .has("LCR-0009")
            .has("last updated 1 June 2025");
        let charter = charter();
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
    for app in TestApp::init().on_each_backend().await {
        // Project 1 supports decisions but names no challenge route and no duty holders.
        let r = app.get("/projects/LCR-0001").await;
        r.has("has not said how to challenge one")
            .has("Not named")
            .has("No outcome report has been published yet")
            .has("has not said whether you can opt out");
        // Paused projects say why.
        app.get("/projects/LCR-0006")
            .await
            .has("This project is paused.")
            .has("Waiting for a new supplier.");
    }
}

#[tokio::test]
async fn text_is_escaped() {
    for app in TestApp::init().on_each_backend().await {
        let r = app.get("/projects/LCR-0010").await;
        r.lacks("<script> ").has("&#60;script&#62;");
    }
}

#[tokio::test]
async fn organisation_pages_list_signatories_and_their_projects() {
    for app in TestApp::init().on_each_backend().await {
        let r = app.get("/organisations").await;
        r.has("3 signatory organisations")
            .has("href=\"/organisations/knowsley-council\"")
            .has("1 June 2024");
        let k = app.get("/organisations/knowsley-council").await;
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
    for app in TestApp::init().on_each_backend().await {
        let c = app.get("/charter").await;
        let charter = charter();
        for p in &charter.principles {
            c.has(&p.name);
        }
        c.has("addressing bias in datasets and algorithms");
        app.get("/accessibility")
            .await
            .has("Accessibility statement")
            .has("WCAG");
        app.get("/privacy").await.has("Privacy notice");
        app.get("/cookies")
            .await
            .has("Reading the register sets no cookies.");
        let o = app.get("/open-data").await;
        for col in charter_core::export::COLUMNS {
            o.has(&format!("<code>{}</code>", col.name));
        }
    }
}

#[tokio::test]
async fn project_pages_show_reading_age_and_the_charter_check() {
    for app in TestApp::init().on_each_backend().await {
        let r = app.get("/projects/LCR-0009").await;
        r.has("Reading age ")
            .has("href=\"/plain-english\"")
            .has("id=\"charter-check\"")
            .has("principles met");
        // Project 1 names no duty holders: the scorecard says what to do.
        let gaps = app.get("/projects/LCR-0001").await;
        gaps.has("Not met")
            .has("Name the senior person accountable, who addresses bias");
        let api = app.get("/api/v1/projects/LCR-0001/check").await;
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
            app.get("/api/v1/projects/LCR-9999/check").await.status,
            StatusCode::NOT_FOUND
        );
        app.get("/plain-english").await.has("What a reading age is");
    }
}

#[tokio::test]
async fn compliance_adds_up_for_the_region_and_each_organisation() {
    for app in TestApp::init().on_each_backend().await {
        let j = app.get("/api/v1/compliance").await.json();
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
        let one = app
            .get("/api/v1/compliance?organisation=wirral-transport")
            .await
            .json();
        assert_eq!(one["projects"], 3);
        assert_eq!(
            app.get("/api/v1/compliance?organisation=Not_A_Slug")
                .await
                .status,
            StatusCode::BAD_REQUEST
        );

        let page = app.get("/compliance").await;
        assert_eq!(page.status, StatusCode::OK);
        page.has("class=\"charter-chart\"")
            .has("role=\"img\"")
            .has("Entries by principle, whole region")
            .has("10 entries checked");
        let csv = app.get("/compliance.csv").await;
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
        app.get("/organisations/knowsley-council")
            .await
            .has("id=\"charter-check\"")
            .has("class=\"charter-chart\"");
    }
}

#[tokio::test]
async fn history_lists_versions_and_shows_what_changed() {
    for app in TestApp::init().on_each_backend().await {
        let store = &app.store;
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
                &ts("2026-12-01T09:30:00Z"),
            )
            .await
            .unwrap();

        let r = app.get("/projects/LCR-0003/history").await;
        assert_eq!(r.status, StatusCode::OK);
        r.has("2 versions")
            .has("Now in use; summary rewritten")
            .has("1 December 2026 at 09:30 (UTC)")
            .has("What changed from version 1 to version 2")
            .has("<del>Pilot</del>")
            .has("<ins>In use</ins>")
            .has("<ins>Predicts how busy A&#38;E will be each day.</ins>")
            .lacks(">Project name <span");
        app.get("/projects/LCR-0003/history?from=2&to=2")
            .await
            .has("Choose two different versions.");
        let bad = app.get("/projects/LCR-0003/history?from=9").await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        bad.has("Choose a version from 1 to 2");
        assert_eq!(
            app.get("/projects/LCR-9999/history").await.status,
            StatusCode::NOT_FOUND
        );
        app.get("/projects/LCR-0003")
            .await
            .has("href=\"/projects/LCR-0003/history\"");

        // The log serves the chain, ending at the head (the footer's check: see `history`).
        let head = store.chain_head().await.unwrap().unwrap();
        assert_eq!(head.seq, 11);
        let log = app.get("/api/v1/log?limit=4").await.json();
        assert_eq!(log["length"], 11);
        assert_eq!(log["head"], head.hash.to_hex());
        assert_eq!(log["links"].as_array().unwrap().len(), 4);
        assert_eq!(log["next"], "/api/v1/log?after=4&limit=4");
        let last = app.get("/api/v1/log?after=8").await.json();
        assert_eq!(last["links"][2]["hash"], head.hash.to_hex());
        assert!(last.get("next").is_none());
        assert_eq!(
            app.get("/api/v1/log?limit=lots").await.status,
            StatusCode::BAD_REQUEST
        );

        // Anyone can check a version's content against its hash.
        let versions = app.get("/api/v1/projects/LCR-0003/versions").await.json();
        assert_eq!(versions.as_array().unwrap().len(), 2);
        let content = app.get("/api/v1/projects/LCR-0003/versions/1").await;
        assert_eq!(content.status, StatusCode::OK);
        let hash = charter_core::chain::content_hash(&content.body);
        assert_eq!(versions[0]["content_hash"], hash.to_hex());
        assert_eq!(content.json()["status"], "pilot");
        assert_eq!(
            app.get("/api/v1/projects/LCR-0003/versions/3").await.status,
            StatusCode::NOT_FOUND
        );
        // A version that is not a number is a bad address, and the answer says why.
        let r = app.get("/api/v1/projects/LCR-0003/versions/x").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.content_type(), "application/problem+json");
        assert_eq!(r.json()["errors"][0]["param"], "version");
    }
}

#[tokio::test]
async fn static_files_are_served_with_types_and_without_gov_uk_fonts() {
    for app in TestApp::init().on_each_backend().await {
        let css = app.get("/static/govuk-frontend.min.css").await;
        assert_eq!(css.content_type(), "text/css; charset=utf-8");
        css.lacks("GDS Transport").lacks("@font-face");
        assert_eq!(
            app.get("/static/charter.js").await.content_type(),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(app.get("/healthz").await.body, "ok");
    }
}

#[tokio::test]
async fn empty_register_still_works() {
    for app in TestApp::init().empty().on_each_backend().await {
        app.get("/")
            .await
            .has(r#"<span class="charter-stat__number">0%</span>"#);
        app.get("/projects")
            .await
            .has("0 projects")
            .has("No projects match");
        let j = app.get("/downloads/register.json").await.json();
        assert_eq!(j["projects"].as_array().unwrap().len(), 0);
        let csv = app.get("/downloads/register.csv").await;
        assert_eq!(csv.body.lines().count(), 1);
    }
}
