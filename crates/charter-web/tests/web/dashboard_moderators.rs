//! The charter body's part of `/dashboard`: open breaches with their clocks and the next 30
//! days' deadlines, for moderators and site administrators only; never kept by a cache for
//! anyone else.

use axum::http::StatusCode;
use charter_core::ProjectId;
use charter_core::accounts::Role;
use charter_core::breaches::{Breach, Cyber, Details};
use charter_store::breaches::BreachChange;

use crate::harness::*;

const MARK: &str = "For the charter body";

fn header<'a>(r: &'a Reply, name: &str) -> &'a str {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// A breach Knowsley found an hour ago, and a review due in ten days.
async fn something_due(app: &TestApp) -> i64 {
    let now = charter_app::clock::now();
    let details = Details {
        title: "Letters to the wrong homes".into(),
        what_happened: "A mail merge mixed up the names.".into(),
        cyber: Cyber::No,
        data_kinds: "Names".into(),
        people_kinds: "Tenants".into(),
        people_count: None,
        records_count: None,
        consequences: "Not known yet".into(),
        measures: "We asked for the letters back.".into(),
    };
    let b = Breach::new(
        "knowsley-council".parse().unwrap(),
        now.plus_seconds(-3600),
        details,
        &now,
    )
    .unwrap();
    let id = app
        .store
        .breach_add(
            &b,
            &BreachChange {
                step: "log",
                actor: "a@k.example",
                at: &now,
            },
        )
        .await
        .unwrap();
    let mut p = app.store.project(ProjectId::new(2)).await.unwrap().unwrap();
    p.next_review_date = Some(charter_app::clock::today().add_days(10));
    app.store
        .projects_publish(&[p], "Review date set", &now)
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn a_moderator_sees_open_breaches_and_what_falls_due() {
    for app in TestApp::init().on_each_backend().await {
        let id = something_due(&app).await;
        for who in [
            app.signed_in("moderator", Role::Moderator, None).await,
            app.signed_in("site", Role::SiteAdmin, None).await,
        ] {
            let r = app.get_as(&who, "/dashboard").await;
            assert_eq!(r.status, StatusCode::OK);
            r.has(MARK)
                .has("Open breaches and the time left to tell the ICO")
                .has(&format!(r#"href="/manage/breaches/{id}""#))
                .has("Letters to the wrong homes")
                .has("left</td>")
                .has("Due in the next 30 days")
                .has("Breach: tell the ICO")
                .has(r#"<td class="govuk-table__cell">Review</td>"#)
                .has(r#"href="/manage/organisations/"#)
                // The public figures are still there.
                .has("Entries by stage");
            assert!(header(&r, "cache-control").contains("no-store"));
            assert!(header(&r, "vary").to_lowercase().contains("cookie"));
        }
    }
}

#[tokio::test]
async fn the_public_and_an_organisations_people_do_not_see_it() {
    for app in TestApp::init().on_each_backend().await {
        something_due(&app).await;
        let r = app.get("/dashboard").await;
        assert_eq!(r.status, StatusCode::OK);
        r.lacks(MARK).lacks("Letters to the wrong homes");
        // The public page may be kept, but only for requests without a cookie.
        assert!(!header(&r, "cache-control").contains("no-store"));
        assert!(header(&r, "vary").to_lowercase().contains("cookie"));
        for (role, org) in [
            (Role::OrgAdmin, "knowsley-council"),
            (Role::OrgEditor, "knowsley-council"),
            (Role::OrgAdmin, "wirral-transport"),
        ] {
            let who = app
                .signed_in(&format!("{org}-{role:?}"), role, Some(org))
                .await;
            let r = app.get_as(&who, "/dashboard").await;
            assert_eq!(r.status, StatusCode::OK);
            r.lacks(MARK).lacks("Letters to the wrong homes");
        }
        // An organisation's own dashboard never has it, even for a moderator.
        let m = app.signed_in("moderator", Role::Moderator, None).await;
        app.get_as(&m, "/organisations/knowsley-council/dashboard")
            .await
            .lacks(MARK);
    }
}
