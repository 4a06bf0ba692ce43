//! `/projects/{id}/history`: an entry's published versions and what changed between two of them.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use charter_core::Project;
use charter_core::search::ParamError;

use super::extract::Published;
use super::when;
use crate::error::render;
use crate::{AppState, WebError, query};

/// A version in the history list.
pub struct VersionRow {
    pub link: charter_core::chain::Link,
    pub published: String,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    active: &'static str,
    p: Project,
    versions: Vec<VersionRow>,
    from: u32,
    to: u32,
    changes: Vec<charter_core::editor::Difference>,
    errors: Vec<ParamError>,
}

/// The two versions to compare, as the address gives them.
#[derive(serde::Deserialize)]
struct Compare {
    from: Option<String>,
    to: Option<String>,
}

pub(super) async fn history(
    State(state): State<AppState>,
    Published(p): Published,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let id = p.id;
    let links = state.store.versions(id).await?;
    let newest = links.last().map_or(1, |l| l.version);
    let compare: Compare = query::params(raw.as_deref()).map_err(WebError::BadRequest)?;
    let mut errors = Vec::new();
    let mut pick = |name: &str, given: Option<&str>, default: u32| -> u32 {
        match given {
            None => default,
            Some(v) => match v.parse::<u32>() {
                Ok(n) if (1..=newest).contains(&n) => n,
                _ => {
                    errors.push(ParamError {
                        param: name.to_owned(),
                        message: format!("Choose a version from 1 to {newest}"),
                    });
                    default
                }
            },
        }
    };
    let to = pick("to", compare.to.as_deref(), newest);
    let from = pick("from", compare.from.as_deref(), to.saturating_sub(1).max(1));
    let changes = if from == to {
        Vec::new()
    } else {
        let before = state
            .store
            .version(id, from)
            .await?
            .ok_or(WebError::NotFound)?
            .entry;
        let after = state
            .store
            .version(id, to)
            .await?
            .ok_or(WebError::NotFound)?
            .entry;
        charter_core::editor::differences(Some(&before), &after)
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let versions = links
        .into_iter()
        .rev()
        .map(|link| VersionRow {
            published: when(&link.published_at),
            link,
        })
        .collect();
    Ok(render(
        &HistoryPage {
            active: "projects",
            p,
            versions,
            from,
            to,
            changes,
            errors,
        },
        status,
    ))
}
