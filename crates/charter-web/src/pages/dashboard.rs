//! `/dashboard` and `/organisations/{slug}/dashboard`: the register's figures over time
//! (`charter_app::dashboard`), each chart with its table and, at `…/dashboard/{series}.csv`, its
//! download. `?on=YYYY-MM-DD` shows them as they were on that day.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use charter_app::dashboard::{Dashboard, dashboard, day_asked};
use charter_app::{AppError, clock};
use charter_core::Slug;
use charter_core::dashboard::{SeriesValues, Unit};
use charter_core::search::ParamError;

use super::extract::Signatory;
use super::line_chart::{self, HEIGHT, LineChart, WIDTH};
use crate::account::{ClientAddr, SignedIn};
use crate::error::render;
use crate::{AppState, WebError, query};

mod moderators;
use moderators::Moderators;

/// The one parameter the pages take.
#[derive(serde::Deserialize)]
struct On {
    on: Option<String>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    active: &'static str,
    /// The organisation's name and short name, for one organisation's dashboard.
    organisation: Option<(String, Slug)>,
    /// Where the page is, and where its downloads are under.
    base: String,
    /// What was typed in the date box.
    typed: String,
    errors: Vec<ParamError>,
    /// None when the day asked for could not be shown.
    shown: Option<Shown>,
    /// The charter body's view, for a moderator or site administrator signed in.
    moderators: Option<Moderators>,
}

struct Shown {
    on: String,
    /// `?on=…` for the downloads, empty for today.
    query: String,
    charts: Vec<(SeriesValues, LineChart)>,
}

impl DashboardPage {
    fn width(&self) -> f64 {
        WIDTH
    }
    fn height(&self) -> f64 {
        HEIGHT
    }
    /// A value in a table: a count, a share, or nothing to be a share of.
    fn cell(&self, unit: &Unit, v: &Option<i64>) -> String {
        match (unit, v) {
            (_, None) => "–".into(),
            (Unit::Percent, Some(v)) => format!("{v}%"),
            (Unit::Entries, Some(v)) => v.to_string(),
        }
    }
}

pub(super) async fn region(
    State(state): State<AppState>,
    addr: ClientAddr,
    signed_in: Option<axum::Extension<Option<SignedIn>>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let who = signed_in.and_then(|e| e.0);
    let view = moderators::view(&state, who.as_ref(), &addr).await?;
    let private = view.is_some();
    let mut response = page(&state, None, raw.as_deref(), view).await?;
    moderators::cache_headers(&mut response, private);
    Ok(response)
}

pub(super) async fn organisation(
    State(state): State<AppState>,
    Signatory(org): Signatory,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let o = org.organisation;
    page(&state, Some((o.name, o.slug)), raw.as_deref(), None).await
}

async fn page(
    state: &AppState,
    organisation: Option<(String, Slug)>,
    raw: Option<&str>,
    moderators: Option<Moderators>,
) -> Result<Response, WebError> {
    let On { on } = query::params(raw).map_err(WebError::BadRequest)?;
    let base = match &organisation {
        Some((_, slug)) => format!("/organisations/{slug}/dashboard"),
        None => "/dashboard".to_owned(),
    };
    let typed = on.clone().unwrap_or_default();
    let mut page = DashboardPage {
        active: if organisation.is_some() {
            "organisations"
        } else {
            "dashboard"
        },
        organisation,
        base,
        typed,
        errors: Vec::new(),
        shown: None,
        moderators,
    };
    let day = match day_asked(on.as_deref(), clock::today()) {
        Ok(day) => day,
        Err(AppError::Invalid(problems)) => {
            page.errors = problems
                .into_iter()
                .map(|p| ParamError {
                    param: p.field,
                    message: p.message,
                })
                .collect();
            return Ok(render(&page, StatusCode::BAD_REQUEST));
        }
        Err(e) => return Err(e.into()),
    };
    let slug = page.organisation.as_ref().map(|(_, s)| s.clone());
    let d = dashboard(state.store.as_ref(), &state.charter, slug.as_ref(), day).await?;
    page.shown = Some(Shown {
        on: d.on.long(),
        query: if on.is_some_and(|t| !t.trim().is_empty()) {
            format!("?on={}", d.on)
        } else {
            String::new()
        },
        charts: d
            .series
            .into_iter()
            .map(|s| {
                let c = line_chart::line_chart(&s);
                (s, c)
            })
            .collect(),
    });
    Ok(render(&page, StatusCode::OK))
}

/// `/dashboard/{series}.csv`
pub(super) async fn region_csv(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    csv_download(&state, None, &file, raw.as_deref()).await
}

/// `/organisations/{slug}/dashboard/{series}.csv`
pub(super) async fn organisation_csv(
    State(state): State<AppState>,
    Path((slug, file)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let slug: Slug = slug.parse().map_err(|_| WebError::NotFound)?;
    csv_download(&state, Some(&slug), &file, raw.as_deref()).await
}

async fn csv_download(
    state: &AppState,
    organisation: Option<&Slug>,
    file: &str,
    raw: Option<&str>,
) -> Result<Response, WebError> {
    let series = file.strip_suffix(".csv").ok_or(WebError::NotFound)?;
    if !charter_core::dashboard::series(&state.charter)
        .iter()
        .any(|s| s.slug == series)
    {
        return Err(WebError::NotFound);
    }
    let On { on } = query::params(raw).map_err(WebError::BadRequest)?;
    let day = day_asked(on.as_deref(), clock::today())?;
    let d: Dashboard = dashboard(state.store.as_ref(), &state.charter, organisation, day).await?;
    let s = d
        .series
        .iter()
        .find(|s| s.slug == series)
        .ok_or(WebError::NotFound)?;
    let bytes = csv(s).map_err(|e| WebError::Internal(e.to_string()))?;
    let name = match organisation {
        Some(org) => format!("dashboard-{org}-{series}-{}.csv", d.on),
        None => format!("dashboard-{series}-{}.csv", d.on),
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// One row per day shown: the date, then each line's value (a share in whole percent; empty
/// where there is nothing to be a share of).
fn csv(s: &SeriesValues) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec!["date".to_owned()];
    head.extend(s.lines.iter().map(|l| match s.unit {
        Unit::Percent => format!("{}_percent", l.key),
        Unit::Entries => l.key.clone(),
    }));
    w.write_record(&head)?;
    for r in &s.rows {
        let mut row = vec![r.date.to_string()];
        row.extend(
            r.values
                .iter()
                .map(|v| v.map(|v| v.to_string()).unwrap_or_default()),
        );
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}
