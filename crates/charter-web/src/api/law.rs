//! The register's list of changes in the law or policy, as open data.

use axum::Json;
use axum::extract::State;
use charter_core::law::LawChange;
use charter_core::{Date, LawChangeId, WebUrl};
use serde::Serialize;
use utoipa::ToSchema;

use super::ApiError;
use crate::AppState;

/// A change in the law or policy that entries must be reviewed against (principle 7).
#[derive(Debug, Serialize, ToSchema)]
pub struct LawChangeRecord {
    pub id: LawChangeId,
    pub title: String,
    /// What changed, in plain words.
    pub what_changed: String,
    /// When it starts to apply.
    pub in_force: Date,
    pub url: WebUrl,
    /// Which entries it touches: `topic:{topic}`, `data:personal`, `data:special-category`,
    /// `lawful-basis:{basis}`, `ai:any`, `ai:{kind}` or `entries:{id} {id}…`. A rule touches the
    /// entries on the register on `recorded_on` that are not retired.
    #[schema(example = "ai:any")]
    pub touches: String,
    /// The same, in words.
    pub touches_in_words: String,
    /// When the entries it touches must be reviewed against it; an entry records its review in
    /// `law_reviews`.
    pub due_on: Date,
    pub recorded_on: Date,
}

impl From<LawChange> for LawChangeRecord {
    fn from(c: LawChange) -> Self {
        LawChangeRecord {
            id: c.id,
            touches_in_words: c.touches.describe(),
            touches: c.touches.to_string(),
            title: c.title,
            what_changed: c.what_changed,
            in_force: c.in_force,
            url: c.url,
            due_on: c.due_on,
            recorded_on: c.recorded_on,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LawChanges {
    /// The latest to come into force first.
    pub law_changes: Vec<LawChangeRecord>,
}

/// The register's list of changes in the law or policy that entries must be reviewed against.
#[utoipa::path(get, path = "/api/v1/law-changes", tag = "charter check",
    responses((status = 200, body = LawChanges)))]
pub(super) async fn list_law_changes(
    State(state): State<AppState>,
) -> Result<Json<LawChanges>, ApiError> {
    let law_changes = charter_app::law::list(state.store.as_ref())
        .await?
        .into_iter()
        .map(LawChangeRecord::from)
        .collect();
    Ok(Json(LawChanges { law_changes }))
}
