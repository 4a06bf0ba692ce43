//! Pages that read well on a phone and a wide screen: the projects page's filters (folded on a
//! phone, "Uses AI" first, options with no results behind "Show all"), the charter check's
//! tables and charts, API addresses that wrap at slashes, and labels in the words people use.

use axum::http::StatusCode;
use charter_core::accounts::Role;
use charter_core::workflow::{DraftState, EventKind};
use charter_store::drafts::{DraftChange, DraftEvent, NewDraft};
use charter_store::fixtures::minimal_project;

use crate::harness::*;

/// One filter group of the projects page: the part always in sight, and the part folded
/// behind "Show all" (empty when nothing is folded).
fn filter_group<'a>(body: &'a str, legend: &str) -> (&'a str, &'a str) {
    let start = body
        .find(&format!(">{legend}</legend>"))
        .unwrap_or_else(|| panic!("no filter group {legend}"));
    let group = &body[start..];
    let group = &group[..group.find("</fieldset>").expect("the group ends")];
    match group.split_once("charter-show-all") {
        Some((shown, folded)) => (shown, folded),
        None => (group, ""),
    }
}

#[tokio::test]
async fn uses_ai_is_the_first_filter_and_the_filters_fold_away() {
    for app in TestApp::init().on_each_backend().await {
        let r = app.get("/projects").await;
        assert_eq!(r.status, StatusCode::OK);
        let legends: Vec<&str> = r
            .body
            .split("govuk-fieldset__legend--s\">")
            .skip(1)
            .filter_map(|s| s.split('<').next())
            .collect();
        assert_eq!(
            legends,
            [
                "Uses AI",
                "Organisation",
                "Area",
                "Topic",
                "Status",
                "Role in decisions"
            ]
        );
        // One control folds every filter, closed in the markup: on a phone the results come
        // first, and charter.css shows the filters beside them on a wide screen.
        r.has(r#"<details class="govuk-details charter-filters">"#)
            .has(r#"<span class="govuk-details__summary-text">Filter results</span>"#);
        let filters = r.body.find("charter-filters\"").unwrap();
        let results = r.body.find("id=\"results-heading\"").unwrap();
        assert!(filters < results, "the fold comes before the results");

        // With filters chosen, the control says how many.
        app.get("/projects?topic=housing&ai=yes")
            .await
            .has("Filter results (2 chosen)");
        // A filter to put right opens the fold, so the error summary's link lands on it.
        let bad = app.get("/projects?status=finished").await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        bad.has(r#"<details class="govuk-details charter-filters" open>"#)
            .has(r##"<a href="#filters">"##);
        // A bad search text alone leaves the filters folded.
        let bad_text = app.get(&format!("/projects?q={}", "a".repeat(501))).await;
        assert_eq!(bad_text.status, StatusCode::BAD_REQUEST);
        bad_text.has(r#"<details class="govuk-details charter-filters">"#);
    }
}

#[tokio::test]
async fn options_with_no_results_are_behind_show_all_but_a_chosen_one_never_is() {
    for app in TestApp::init().on_each_backend().await {
        // Everything: every organisation has entries, so none is folded.
        let all = app.get("/projects").await;
        let (shown, folded) = filter_group(&all.body, "Organisation");
        assert!(folded.is_empty(), "nothing to fold: {shown}");
        // Mersey NHS Trust has no housing entry: it folds away, Knowsley Council stays.
        let r = app.get("/projects?topic=housing").await;
        let (shown, folded) = filter_group(&r.body, "Organisation");
        assert!(
            shown.contains("id=\"organisation-knowsley-council\""),
            "{shown}"
        );
        assert!(!shown.contains("organisation-mersey-nhs-trust"), "{shown}");
        assert!(
            folded.contains("id=\"organisation-mersey-nhs-trust\""),
            "{folded}"
        );
        assert!(
            folded.contains("Show all<span class=\"govuk-visually-hidden\"> Organisation choices</span> (2 more with no results)"),
            "{folded}"
        );
        // A chosen option stays in sight even with no results, ticked.
        let r = app.get("/projects?topic=housing&status=paused").await;
        let (shown, folded) = filter_group(&r.body, "Status");
        assert!(
            shown.contains(
                r#"id="status-paused" name="status" type="checkbox" value="paused" checked"#
            ),
            "{shown}"
        );
        assert!(!folded.contains("status-paused"), "{folded}");
        assert!(folded.contains("id=\"status-planned\""), "{folded}");
        // The "Uses AI" radios fold the same way, and "Any" is always there.
        let r = app
            .get("/projects?topic=transport&organisation=wirral-transport&ai=no")
            .await;
        let (shown, _) = filter_group(&r.body, "Uses AI");
        assert!(shown.contains("id=\"ai-any\""), "{shown}");
        assert!(
            shown.contains(r#"id="ai-no" name="ai" type="radio" value="no" checked"#),
            "{shown}"
        );
        // A group where nothing has results says so instead of "more".
        let r = app.get("/projects?q=zzzznothing").await;
        let (shown, folded) = filter_group(&r.body, "Area");
        assert!(!shown.contains("govuk-checkboxes__input"), "{shown}");
        assert!(folded.contains(": none has results"), "{folded}");
    }
}

#[tokio::test]
async fn charter_check_tables_scroll_in_a_labelled_region_at_the_full_width() {
    for app in TestApp::init().on_each_backend().await {
        let page = app.get("/compliance").await;
        for id in ["region-table", "by-organisation", "checks"] {
            page.has(&format!(
                r#"role="region" aria-labelledby="{id}-caption" tabindex="0">"#
            ))
            .has(&format!(r#"id="{id}-caption""#));
        }
        // The table with a column per principle may take more than the page column.
        page.has(r#"<div class="charter-table-wrapper charter-table-wrapper--wide" role="region" aria-labelledby="by-organisation-caption""#);
        // The region's table is no longer squeezed into half the page beside the chart.
        page.lacks("govuk-grid-column-one-half");

        // On an organisation's page too the table sits straight in <main>, outside the columns.
        for (page, table) in [
            ("/organisations/knowsley-council", "organisation-table"),
            ("/compliance", "region-table"),
        ] {
            let body = app.get(page).await.body;
            let main = body.find("<main").unwrap();
            let at = body
                .find(&format!(r#"aria-labelledby="{table}-caption""#))
                .unwrap();
            let before = &body[main..at];
            assert_eq!(
                before.matches("<div").count(),
                before.matches("</div>").count() + 1,
                "{page}: the table's region is a child of <main>"
            );
        }
    }
}

#[tokio::test]
async fn chart_labels_are_text_and_bars_are_drawn_in_percent() {
    for app in TestApp::init().on_each_backend().await {
        let page = app.get("/compliance").await;
        page.has(r#"<div class="charter-chart" role="img" aria-label="Charter principles met by entries across the region. The table gives the same figures.">"#)
            .has(r#"<span class="charter-chart__label">1. Beneficial</span>"#)
            .has(r#"<svg class="charter-chart__bar" width="100%" height="24" focusable="false" aria-hidden="true">"#)
            // No drawing scaled down as a whole (its text would shrink with it).
            .lacks("viewBox=\"0 0 620");
        let bar = page.body.split("charter-chart__bar").nth(1).unwrap();
        let bar = &bar[..bar.find("</svg>").unwrap()];
        let total: f64 = bar
            .split("width=\"")
            .skip(2) // the svg's own width
            .map(|w| w.split('%').next().unwrap().parse::<f64>().unwrap())
            .sum();
        assert!(
            (total - 100.0).abs() < 0.05,
            "the segments fill the bar: {bar}"
        );
    }
}

#[tokio::test]
async fn api_addresses_wrap_only_after_a_slash() {
    let app = TestApp::init().on_sqlite().await;
    app.get("/open-data").await.has(
        "<code class=\"charter-path\"><span>/</span><wbr><span>api/</span><wbr><span>v1/</span><wbr><span>organisations/</span><wbr><span>{slug}</span><wbr></code>",
    );
}

#[tokio::test]
async fn labels_read_as_words_people_use() {
    for app in TestApp::init().on_each_backend().await {
        // A kind of AI inside a sentence keeps "AI" in capitals.
        let r = app.get("/projects/LCR-0007").await;
        r.has("This project uses artificial intelligence (AI): generative AI.")
            .has("Yes: generative AI")
            .lacks("generative ai");
        app.get("/projects/LCR-0001")
            .await
            .has("machine learning model");
        // The opt-out box names the organisation and the project, not their short name and id alone.
        app.get("/projects/LCR-0001")
            .await
            .has("Any use by Knowsley Council")
            .has("Any use by this project (LCR-0001)")
            .lacks("Any use by the organisation knowsley-council");

        // The task list's "still needed" keeps abbreviations in capitals too.
        let editor = app
            .signed_in("editor", Role::OrgEditor, Some("knowsley-council"))
            .await;
        let draft = app
            .post_as(
                &editor,
                "/manage/organisations/knowsley-council/drafts/new",
                &[
                    ("title", "Library book suggestions"),
                    ("uses_ai", "yes"),
                    ("decision_role", "information-only"),
                ],
            )
            .await
            .location();
        app.get_as(&editor, &draft)
            .await
            .has("Still needed: kind of AI")
            .lacks("kind of ai");

        // A reading age past 25 reads "over 25".
        let mut hard = minimal_project(
            11,
            "knowsley-council",
            "Infrastructure reconceptualisation",
            "Notwithstanding institutional interdependencies, multidisciplinary organisational infrastructural considerations necessitate comprehensive reconceptualisation of intergovernmental administrative responsibilities.",
        );
        hard.slug = "hard".parse().unwrap();
        app.store
            .projects_publish(&[hard], "Published", &ts("2026-12-01T12:00:00Z"))
            .await
            .unwrap();
        app.get("/projects/LCR-0011")
            .await
            .has("Reading age over 25:");
    }
}

#[tokio::test]
async fn the_review_queue_names_the_organisation() {
    for app in TestApp::init().on_each_backend().await {
        let store = &app.store;
        let draft = store
            .draft_create(&NewDraft {
                entry: minimal_project(20, "mersey-nhs-trust", "Ward staffing", "Plans staff."),
                existing: None,
                base_version: None,
                actor: "editor@x.example".into(),
                at: ts("2026-01-01T00:00:00Z"),
            })
            .await
            .unwrap();
        store
            .draft_change(
                draft.id,
                &DraftChange {
                    lock: draft.lock,
                    from: &[DraftState::Editing],
                    to: DraftState::Submitted,
                    entry: None,
                    event: DraftEvent {
                        at: ts("2026-01-02T00:00:00Z"),
                        actor: "editor@x.example".into(),
                        kind: EventKind::Submitted,
                        comment: None,
                    },
                },
            )
            .await
            .unwrap()
            .unwrap();
        let moderator = app.signed_in("moderator", Role::Moderator, None).await;
        app.get_as(&moderator, "/manage/review")
            .await
            .has("Ward staffing")
            .has(r#"<td class="govuk-table__cell">Mersey NHS Trust</td>"#)
            .lacks(">mersey-nhs-trust<");
    }
}
