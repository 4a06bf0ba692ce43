//! Public statistics on residents' challenges and questions (per project, per organisation, for
//! the region), and the charter body's list of what is overdue. The figures follow the
//! small-number rule of `charter_core::challenge_stats`; nothing here reads what a resident wrote.

use std::collections::HashMap;

use charter_core::accounts::Action;
use charter_core::challenge_stats::{ChallengeStatistics, Tally};
use charter_core::{Date, ProjectId};
use charter_store::Store;
use charter_store::challenge_stats::{OverduePage, StatsScope};

use crate::{Actor, AppError, AppResult, clock};

/// Items on a page of the overdue list.
pub const OVERDUE_PAGE: u32 = 50;

/// The statistics for `scope` today. An organisation or project the register does not show is
/// not found.
pub async fn statistics(store: &dyn Store, scope: &StatsScope) -> AppResult<ChallengeStatistics> {
    Ok(tally(store, scope).await?.statistics())
}

/// The counts behind the statistics, for the charter check of one project.
pub async fn tally(store: &dyn Store, scope: &StatsScope) -> AppResult<Tally> {
    match scope {
        StatsScope::Region => {}
        StatsScope::Organisation(slug) => {
            if store.organisation(slug).await?.is_none() {
                return Err(AppError::NotFound(format!("Organisation “{slug}”")));
            }
        }
        StatsScope::Project(id) => {
            if store.project(*id).await?.is_none() {
                return Err(AppError::NotFound(format!("Project {id}")));
            }
        }
    }
    Ok(store.challenge_tally(scope, clock::today()).await?)
}

/// Answers on time for every project with any items, for the charter check across the register.
pub async fn tallies_by_project(
    store: &dyn Store,
    today: Date,
) -> AppResult<HashMap<ProjectId, Tally>> {
    Ok(store
        .challenge_tallies_by_project(today)
        .await?
        .into_iter()
        .collect())
}

/// Answers on time for these projects (those with any items), for the charter check of a
/// batch of entries.
pub async fn tallies_for(
    store: &dyn Store,
    projects: &[ProjectId],
    today: Date,
) -> AppResult<HashMap<ProjectId, Tally>> {
    Ok(store
        .challenge_tallies_for(projects, today)
        .await?
        .into_iter()
        .collect())
}

/// Open items past a deadline across the region, longest overdue first, `page` from 1: for the
/// charter body. It shows references, projects and deadlines, never a resident's details.
pub async fn overdue(store: &dyn Store, actor: &Actor, page: u64) -> AppResult<OverduePage> {
    actor.require(Action::ViewOverdueChallenges)?;
    let offset = page.saturating_sub(1) * u64::from(OVERDUE_PAGE);
    Ok(store
        .challenges_overdue(clock::today(), false, offset, OVERDUE_PAGE)
        .await?)
}
