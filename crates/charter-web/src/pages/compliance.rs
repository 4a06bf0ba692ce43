//! `/compliance` and `/compliance.csv`: the charter check added up for the region and each
//! organisation (`charter_app::compliance`), as a page with charts and as a download.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use charter_app::compliance::{Compliance, added_up};
use charter_core::charter::Charter;
use charter_core::check::PrincipleTally;

use super::chart::{self, Chart};
use super::filters;
use crate::error::render;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "compliance.html")]
struct CompliancePage {
    active: &'static str,
    c: Compliance,
    chart: Chart,
    charter: std::sync::Arc<Charter>,
    rules: Vec<(&'static str, &'static str, &'static str, bool)>,
}

pub(super) async fn page(State(state): State<AppState>) -> Result<Response, WebError> {
    let c = added_up(
        state.store.as_ref(),
        &state.charter,
        charter_app::clock::today(),
        None,
    )
    .await?;
    let chart = chart::chart(&c.principles);
    let rules = charter_core::check::rules()
        .map(|(id, principle, title)| {
            (
                id,
                principle,
                title,
                state.charter.check.blocking.iter().any(|b| b == id),
            )
        })
        .collect();
    Ok(render(
        &CompliancePage {
            active: "compliance",
            c,
            chart,
            charter: state.charter.clone(),
            rules,
        },
        StatusCode::OK,
    ))
}

pub(super) async fn csv_download(State(state): State<AppState>) -> Result<Response, WebError> {
    let c = added_up(
        state.store.as_ref(),
        &state.charter,
        charter_app::clock::today(),
        None,
    )
    .await?;
    let bytes = csv(&c).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"compliance.csv\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The tallies as CSV: one row per organisation (or the region) and principle.
fn csv(c: &Compliance) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "scope",
        "principle_number",
        "principle",
        "met",
        "partly_met",
        "not_met",
        "not_applicable",
        "percent_met",
    ])?;
    let mut rows = |scope: &str, tallies: &[PrincipleTally]| -> Result<(), csv::Error> {
        for t in tallies {
            w.write_record([
                scope.to_owned(),
                t.number.to_string(),
                t.name.clone(),
                t.met.to_string(),
                t.partly_met.to_string(),
                t.not_met.to_string(),
                t.not_applicable.to_string(),
                t.percent_met().to_string(),
            ])?;
        }
        Ok(())
    };
    rows("region", &c.principles)?;
    for o in &c.organisations {
        rows(o.slug.as_str(), &o.principles)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}
