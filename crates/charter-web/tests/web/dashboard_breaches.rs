//! The dashboard's "breaches told to the ICO on time" chart: by the month the 72 hours ended in,
//! read as it stood on the day asked for, and withheld for fewer than 10 breaches.

use charter_core::Timestamp;
use charter_core::breaches::{Breach, Cyber, Details, Risk, Step};
use charter_store::breaches::BreachChange;

use crate::harness::*;

/// Logs a breach found at `aware`, decides it is a risk, and reports it `hours` later.
async fn reported(app: &TestApp, org: &str, aware: &str, hours: i64) {
    let aware = ts(aware);
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
    let b = Breach::new(org.parse().unwrap(), aware.clone(), details, &aware).unwrap();
    fn change(at: &Timestamp) -> BreachChange<'_> {
        BreachChange {
            step: "step",
            actor: "a@k.example",
            at,
        }
    }
    let id = app.store.breach_add(&b, &change(&aware)).await.unwrap();
    let at = aware.plus_seconds(3600);
    let b = b.apply(&Step::Assess, &at).unwrap();
    app.store
        .breach_change(id, 1, &b, &change(&at))
        .await
        .unwrap();
    let b = b
        .apply(
            &Step::Decide {
                risk: Risk::Risk,
                reason: String::new(),
            },
            &at,
        )
        .unwrap();
    app.store
        .breach_change(id, 2, &b, &change(&at))
        .await
        .unwrap();
    let told = aware.plus_seconds(hours * 3600);
    let b = b
        .apply(
            &Step::Report {
                at: told.clone(),
                reference: "IC-1".into(),
                note: String::new(),
                delay_reason: "Staff were away.".into(),
            },
            &told,
        )
        .unwrap();
    app.store
        .breach_change(id, 3, &b, &change(&told))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_share_told_on_time_is_by_month_as_it_stood_and_withheld_under_10() {
    for app in TestApp::init().on_each_backend().await {
        // Twenty breaches found in November: ten told in 48 hours, ten in 100 (late).
        for day in 1..=20 {
            let hours = if day <= 10 { 48 } else { 100 };
            reported(
                &app,
                "knowsley-council",
                &format!("2026-11-{day:02}T09:00:00Z"),
                hours,
            )
            .await;
        }
        // Nine in Wirral: too few to show.
        for day in 1..=9 {
            reported(
                &app,
                "wirral-transport",
                &format!("2026-11-{day:02}T09:00:00Z"),
                24,
            )
            .await;
        }
        let get = |q: &str| {
            let app = &app;
            let q = q.to_owned();
            async move {
                dashboard_rows(
                    &app.get(&format!("/api/v1/dashboard{q}")).await.json(),
                    "breaches",
                )
            }
        };
        let knowsley = get("?organisation=knowsley-council&on=2026-12-01").await;
        assert_eq!(
            knowsley,
            vec![
                ("2026-11-30".to_owned(), Some(50)),
                ("2026-12-01".to_owned(), None)
            ]
        );
        let wirral = get("?organisation=wirral-transport&on=2026-12-01").await;
        assert_eq!(wirral[0], ("2026-11-30".to_owned(), None));
        // The region: 19 of 29 told in time (Wirral's nine count here, beside ten late).
        assert_eq!(
            get("?on=2026-12-01").await[0],
            ("2026-11-30".to_owned(), Some(66))
        );
        // On 8 November only the first five deadlines (4 to 8 November) had come: too few.
        assert_eq!(
            get("?organisation=knowsley-council&on=2026-11-08").await,
            vec![("2026-11-08".to_owned(), None)]
        );
        // The page has the chart with its table and download; the CSV has its column.
        let page = app.get("/dashboard?on=2026-12-01").await;
        page.has("Breaches told to the ICO on time")
            .has(r#"href="/dashboard/breaches.csv?on=2026-12-01" download"#);
        let csv = app.get("/dashboard/breaches.csv?on=2026-12-01").await;
        assert!(
            csv.body
                .starts_with("date,on-time_percent\n2026-11-30,66\n"),
            "{}",
            csv.body
        );
    }
}
