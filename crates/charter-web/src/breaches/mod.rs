//! The breach log's pages under `/manage/breaches`: the list (an organisation's, or the region's
//! for the charter body), logging a breach, and a breach's record with a form for each next
//! step. Every rule is in `charter_app::breaches` and `charter_core::breaches`.

use axum::Router;
use axum::routing::{get, post};
use charter_core::Timestamp;
use charter_core::breaches::clock::{due, due_words};
use charter_core::breaches::london::uk_words;
use charter_store::breaches::StoredBreach;

use crate::AppState;

mod list;
mod log;
mod record;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/manage/breaches", get(list::list).post(log::log))
        .route("/manage/breaches/new", get(log::page))
        .route("/manage/breaches/{id}", get(record::page))
        .route("/manage/breaches/{id}/{step}", post(record::step))
}

/// One breach in a list: what it is, where it stands and the time left.
pub(crate) struct Row {
    pub id: i64,
    pub title: String,
    pub organisation: String,
    pub state: &'static str,
    pub deadline: String,
    pub due: String,
    /// The deadline passed without the ICO being told in time.
    pub late: bool,
}

impl Row {
    pub(crate) fn of(b: &StoredBreach, now: &Timestamp) -> Row {
        let d = due(&b.breach, now);
        Row {
            id: b.id,
            title: b.breach.details.title.clone(),
            organisation: b.breach.organisation.to_string(),
            state: b.breach.state.label(),
            deadline: uk_words(&b.breach.deadline()),
            due: due_words(d),
            late: d.missed(),
        }
    }
}
