//! `/projects/{id}`: one entry's page, with its charter check; also a draft's preview.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use charter_core::charter::Charter;
use charter_core::check::{PrincipleStatus, Scorecard, check};
use charter_core::{Organisation, Project};

use super::extract::PublishedWithOrganisation;
use super::filters;
use crate::error::render;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
    active: &'static str,
    p: Project,
    org: Organisation,
    charter: std::sync::Arc<Charter>,
    today: charter_core::Date,
    card: Scorecard,
    /// The summary's reading age as shown ("9", "over 25") and its band; the charter check has
    /// already worked it out.
    reading: Option<(String, charter_core::plain_english::Band)>,
    /// Set when this is a draft's preview: the draft's number.
    preview: Option<i64>,
}

impl ProjectPage {
    /// The register opt-outs that cover this project, in words.
    fn optout_scopes(&self) -> Vec<String> {
        use charter_core::picklists::{AiKind, DecisionRole};
        use charter_optout::Scope;
        let mut scopes = Vec::new();
        if self
            .p
            .benefit_kinds
            .contains(&charter_core::picklists::BenefitKind::Research)
            || self
                .p
                .topics
                .contains(&charter_core::picklists::Topic::Planning)
        {
            scopes.push(Scope::ResearchPlanning);
        }
        if self.p.uses_ai
            && matches!(
                self.p.ai_kind,
                Some(AiKind::MachineLearning | AiKind::Generative)
            )
        {
            scopes.push(Scope::AiTraining);
        }
        if self.p.uses_ai && self.p.decision_role != DecisionRole::InformationOnly {
            scopes.push(Scope::AiDecisions);
        }
        let mut words: Vec<String> = scopes.iter().map(Scope::label).collect();
        words.push(Scope::Organisation(self.org.slug.clone()).label_naming(Some(&self.org.name)));
        // On its own page the project needs no title to be known.
        words.push(format!("Any use by this project ({})", self.p.id));
        words
    }

    fn status_of(&self, key: &str) -> Option<PrincipleStatus> {
        self.card.status(key)
    }

    fn needs_challenge_route(&self) -> bool {
        self.p.decision_role.needs_challenge_route()
    }
}

pub(super) async fn project(
    State(state): State<AppState>,
    PublishedWithOrganisation(page): PublishedWithOrganisation,
) -> Response {
    render_project(&state, page.project, page.organisation, None)
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
    Ok(render_project(state, p, org, preview))
}

fn render_project(
    state: &AppState,
    p: Project,
    org: Organisation,
    preview: Option<i64>,
) -> Response {
    let today = charter_app::clock::today();
    let card = check(&p, &state.charter, today);
    let reading = card.summary_reading_age.map(|years| {
        (
            charter_core::plain_english::age_in_words(years),
            charter_core::plain_english::Band::for_years(years),
        )
    });
    render(
        &ProjectPage {
            active: "projects",
            p,
            org,
            charter: state.charter.clone(),
            today,
            card,
            reading,
            preview,
        },
        StatusCode::OK,
    )
}
