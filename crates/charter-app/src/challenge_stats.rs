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

/// The counts behind the statistics. (An entry's page and check read theirs through
/// `entry_page`, which has already found the entry.)
async fn tally(store: &dyn Store, scope: &StatsScope) -> AppResult<Tally> {
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

/// Where the kept sums behind the statistics differ from a count of every item, for the region
/// and each organisation on `today` (for `charter verify`): each difference in words.
pub async fn differences(store: &dyn Store, today: Date) -> AppResult<Vec<String>> {
    let mut scopes = vec![StatsScope::Region];
    for o in store.organisations().await? {
        scopes.push(StatsScope::Organisation(o.organisation.slug));
    }
    let mut out = Vec::new();
    for scope in scopes {
        let kept = store.challenge_tally(&scope, today).await?;
        let counted = charter_core::challenge_counts::normalised(
            &store.challenge_tally_recounted(&scope, today).await?,
        );
        if kept != counted {
            let whose = match &scope {
                StatsScope::Organisation(slug) => format!("organisation {slug}"),
                _ => "the region".to_owned(),
            };
            out.push(format!(
                "challenge statistics for {whose}: kept {kept:?}, counted from the items {counted:?}"
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use charter_core::challenges::{Contact, ContactBy, Kind, State, Submission};
    use charter_store::challenges::{ChallengeChange, NewChallenge};
    use charter_store::prelude::*;

    use super::*;
    use crate::testing;

    #[tokio::test]
    async fn the_kept_sums_match_a_count_of_every_item() {
        let store = testing::store().await;
        let at = |s: &str| s.parse::<charter_core::Timestamp>().unwrap();
        let (orgs, projects) = charter_store::fixtures::small_register();
        for o in &orgs {
            store.organisation_put(o).await.unwrap();
        }
        store
            .projects_publish(&projects, "Published", &at("2026-01-30T12:00:00Z"))
            .await
            .unwrap();
        for n in 0..3 {
            let c = store
                .challenge_add(&NewChallenge {
                    kind: Kind::Question,
                    project: ProjectId::new(1),
                    organisation: testing::KNOWSLEY.parse().unwrap(),
                    submission: Submission {
                        about: "Data".into(),
                        when: None,
                        details: "What data do you use?".into(),
                        wanted: None,
                    },
                    contact: Contact {
                        name: None,
                        by: ContactBy::Email,
                        email: Some("r@example.com".parse().unwrap()),
                        phone: None,
                        address: None,
                        support: Vec::new(),
                        support_other: None,
                    },
                    public_requested: false,
                    token_hash: format!("verify-{n}"),
                    received_at: at("2026-03-02T10:00:00Z"),
                    acknowledge_by: "2026-03-09".parse().unwrap(),
                    answer_by: "2026-04-02".parse().unwrap(),
                })
                .await
                .unwrap();
            if n > 0 {
                let answer = ChallengeChange::Answer {
                    at: at("2026-04-10T10:00:00Z"),
                    outcome: None,
                    answer: "We use your address.".into(),
                    changes: None,
                    public: false,
                };
                assert!(
                    store
                        .challenge_change(c.id, State::Received, &answer)
                        .await
                        .unwrap()
                );
            }
        }
        let today = "2026-05-01".parse().unwrap();
        assert_eq!(
            store
                .challenge_tally(&StatsScope::Region, today)
                .await
                .unwrap()
                .overdue,
            1
        );
        assert_eq!(
            differences(&store, today).await.unwrap(),
            Vec::<String>::new()
        );
    }
}
