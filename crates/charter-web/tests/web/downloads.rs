//! The register's downloads: CSV and JSON.

use axum::http::StatusCode;

use crate::harness::*;

#[tokio::test]
async fn csv_download_has_every_project_documented_columns_and_no_formulas() {
    for app in TestApp::init().on_each_backend().await {
        let r = app.get("/downloads/register.csv").await;
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
    for app in TestApp::init().on_each_backend().await {
        let r = app.get("/downloads/register.json").await;
        assert_eq!(r.status, StatusCode::OK);
        let j = r.json();
        assert_eq!(j["organisations"].as_array().unwrap().len(), 3);
        let projects = j["projects"].as_array().unwrap();
        assert_eq!(projects.len(), 10);
        assert_eq!(projects[0]["id"], "LCR-0001");
        assert_eq!(projects[0]["organisation_id"], "ORG-0001");
    }
}
