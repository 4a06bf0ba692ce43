//! `/manage/overdue`: the charter body's list of residents' challenges and questions past a
//! deadline, across the region. References, projects and days only: never what a resident wrote.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use charter_app::challenge_stats::OVERDUE_PAGE;
use charter_core::challenges::Reference;
use charter_core::search::ParamError;
use charter_store::challenge_stats::{Overdue, OverduePage};

use super::extractors::{ClientAddr, Person};
use crate::error::render;
use crate::{AppState, WebError, query};

#[derive(Template)]
#[template(path = "challenges-overdue.html")]
struct OverduePageView {
    active: &'static str,
    rows: Vec<Row>,
    total: u64,
    page: u64,
    previous: Option<String>,
    next: Option<String>,
}

struct Row {
    reference: String,
    kind: &'static str,
    project: String,
    organisation: String,
    missed: &'static str,
    due: String,
}

impl Row {
    fn from(o: &Overdue) -> Row {
        Row {
            reference: Reference {
                year: o.received_at.date().year(),
                number: o.id,
            }
            .to_string(),
            kind: match o.kind {
                charter_core::challenges::Kind::Challenge => "Challenge",
                charter_core::challenges::Kind::Question => "Question",
            },
            project: o.project.to_string(),
            organisation: o.organisation.to_string(),
            missed: o.deadline.missed(),
            due: o.due.long(),
        }
    }
}

#[derive(serde::Deserialize)]
struct Params {
    page: Option<String>,
}

pub(super) async fn list(
    State(state): State<AppState>,
    addr: ClientAddr,
    Person(who): Person,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let Params { page } = query::params(raw.as_deref()).map_err(WebError::BadRequest)?;
    let page = match page {
        None => 1,
        Some(p) => p
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|&n| n >= 1)
            .ok_or_else(|| {
                WebError::BadRequest(vec![ParamError {
                    param: "page".into(),
                    message: format!("“{p}” is not a page number: use 1, 2, 3 and so on"),
                }])
            })?,
    };
    let OverduePage { items, total } =
        charter_app::challenge_stats::overdue(state.store.as_ref(), &who.actor(&addr), page)
            .await?;
    let shown = page * u64::from(OVERDUE_PAGE);
    Ok(render(
        &OverduePageView {
            active: "manage",
            rows: items.iter().map(Row::from).collect(),
            total,
            page,
            previous: (page > 1).then(|| format!("/manage/overdue?page={}", page - 1)),
            next: (shown < total).then(|| format!("/manage/overdue?page={}", page + 1)),
        },
        StatusCode::OK,
    ))
}
