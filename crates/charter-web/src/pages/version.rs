//! `/projects/{id}/versions/{n}`: one published version of an entry, as it was, and what changed
//! from the version before.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use charter_core::ProjectId;
use charter_core::chain::Link;
use charter_core::history::Change;

use super::entry::Entry;
use super::filters;
use super::when;
use crate::error::render;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "version.html")]
struct VersionPage {
    active: &'static str,
    entry: Entry,
    link: Link,
    published: String,
    newest: u32,
    change: Change,
}

/// The shared template (`project-entry.html`) reads the entry's fields as the page's own.
impl std::ops::Deref for VersionPage {
    type Target = Entry;
    fn deref(&self) -> &Entry {
        &self.entry
    }
}

pub(super) async fn version(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, axum::extract::rejection::PathRejection>,
) -> Result<Response, WebError> {
    // An id or number that is not one names no version: the 404 page, like any unknown address.
    let Ok(Path((id, number))) = path else {
        return Err(WebError::NotFound);
    };
    let id: ProjectId = id.parse().map_err(|_| WebError::NotFound)?;
    let number: u32 = number.parse().map_err(|_| WebError::NotFound)?;
    let v = charter_app::history::version(state.store.as_ref(), id, number).await?;
    // Checked as on the day it was published: the page shows what its readers saw then.
    let day = v.link.published_at.date();
    let law = state.law.changes(state.store.as_ref()).await?;
    Ok(render(
        &VersionPage {
            active: "projects",
            entry: Entry::new(
                v.entry,
                v.organisation,
                state.charter.clone(),
                day,
                &law,
                None,
            ),
            published: when(v.link.published_at.as_str()),
            link: v.link,
            newest: v.newest,
            change: v.change,
        },
        StatusCode::OK,
    ))
}
