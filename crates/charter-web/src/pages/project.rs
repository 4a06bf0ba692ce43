//! `/projects/{id}`: one entry's page, with its charter check; also a draft's preview.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use charter_core::challenge_stats::{ChallengeStatistics, Tally};
use charter_core::{Organisation, Project};

use super::entry::Entry;
use super::extract::PublishedWithOrganisation;
use super::filters;
use crate::error::render;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
    active: &'static str,
    entry: Entry,
    /// Set when this is a draft's preview: the draft's number.
    preview: Option<i64>,
    /// The public figures on its challenges and questions (not for a preview).
    challenges: Option<ChallengeStatistics>,
    /// Questions answered in public (none in a preview).
    answers: Vec<charter_store::challenges::PublicAnswer>,
}

impl ProjectPage {
    /// Whether residents can challenge its decisions here (it does more than inform).
    fn challenge_form(&self) -> bool {
        charter_core::challenges::Kind::Challenge.open_for(self.entry.p.decision_role)
    }
}

/// The shared template (`project-entry.html`) reads the entry's fields as the page's own.
impl std::ops::Deref for ProjectPage {
    type Target = Entry;
    fn deref(&self) -> &Entry {
        &self.entry
    }
}

pub(super) async fn project(
    State(state): State<AppState>,
    PublishedWithOrganisation(page): PublishedWithOrganisation,
) -> Result<Response, WebError> {
    let facts =
        charter_app::entry_page::page_facts(state.store.as_ref(), &state.law, &page).await?;
    Ok(render_project(
        &state,
        page.project,
        page.organisation,
        None,
        Some(facts.check.tally),
        facts.answers,
        &facts.check.law,
    ))
}

/// A draft's preview: its public page as it will look once published.
pub(crate) async fn project_page(
    state: &AppState,
    p: Project,
    preview: Option<i64>,
) -> Result<Response, WebError> {
    let org = state
        .store
        .organisation_record(&p.organisation)
        .await?
        .ok_or(WebError::NotFound)?;
    let law = state.law.changes(state.store.as_ref()).await?;
    Ok(render_project(
        state,
        p,
        org,
        preview,
        None,
        Vec::new(),
        &law,
    ))
}

fn render_project(
    state: &AppState,
    p: Project,
    org: Organisation,
    preview: Option<i64>,
    tally: Option<Tally>,
    answers: Vec<charter_store::challenges::PublicAnswer>,
    law: &[charter_core::law::LawChange],
) -> Response {
    let today = charter_app::clock::today();
    render(
        &ProjectPage {
            active: "projects",
            entry: Entry::new(p, org, state.charter.clone(), today, law, tally.as_ref()),
            preview,
            challenges: tally.as_ref().map(Tally::statistics),
            answers,
        },
        StatusCode::OK,
    )
}
