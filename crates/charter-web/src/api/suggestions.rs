//! Suggestions as someone types in a search box: ways to finish the last word that find
//! something, with how many entries each finds.

use axum::Json;
use axum::extract::{RawQuery, State};
use charter_core::search::SearchQuery;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, Problem};
use crate::{AppState, WebError, query};

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Documents the parameter; parsing is done by `SearchQuery::from_pairs`.
struct SuggestParams {
    /// What has been typed so far. At most 500 characters, no control characters; empty gives
    /// no suggestions.
    #[param(max_length = 500, pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*$")]
    q: Option<String>,
}

/// Up to 8 suggestions, the most useful first.
#[derive(Serialize, ToSchema)]
pub struct SuggestionList {
    pub suggestions: Vec<SuggestionItem>,
}

#[derive(Serialize, ToSchema)]
pub struct SuggestionItem {
    /// The search text to use.
    pub text: String,
    /// How many projects it finds.
    pub matches: u64,
    /// The search page for it.
    pub url: String,
}

/// Ways to finish a search as it is typed.
#[utoipa::path(get, path = "/api/v1/suggestions", tag = "projects", params(SuggestParams),
    responses(
        (status = 200, description = "Suggestions, perhaps none", body = SuggestionList),
        (status = 400, description = "The text is too long or has control characters; `errors` says which", body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn suggestions(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SuggestionList>, ApiError> {
    let pairs = query::pairs(raw.as_deref()).map_err(WebError::BadRequest)?;
    let only_q: Vec<(String, String)> = pairs.into_iter().filter(|(k, _)| k == "q").collect();
    let q = SearchQuery::from_pairs(&only_q).map_err(WebError::BadRequest)?;
    let found = match &q.text {
        Some(text) => {
            state
                .searches
                .suggestions(state.store.as_ref(), text)
                .await?
        }
        None => Vec::new(),
    };
    Ok(Json(SuggestionList {
        suggestions: found
            .into_iter()
            .map(|s| {
                let mut search = SearchQuery::new();
                search.text = Some(s.text.clone());
                SuggestionItem {
                    url: format!("/projects?{}", search.query_string()),
                    text: s.text,
                    matches: s.matches,
                }
            })
            .collect(),
    }))
}
