//! The charter check across many entries: per organisation and for the whole region, for the
//! compliance page, the organisation pages and the API. Each entry is checked as it is read, so
//! the figures always match the entries.

use std::collections::HashMap;

use charter_core::Slug;
use charter_core::breaches::{DeadlineCheck, DeadlineTally};
use charter_core::charter::Charter;
use charter_core::check::{Extras, PrincipleTally, Scorecard, check_full, tally};
use charter_store::Store;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppResult;

/// Projects read per batch.
const BATCH: u32 = 500;

// The API's schemas are named after this type and `OrganisationCompliance`, and described by
// their doc comments: changing either changes the OpenAPI document.
/// The check added up for the region and for each organisation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Compliance {
    /// Entries checked.
    pub projects: u64,
    /// Entries that could not be published as they stand (a blocking rule is not met).
    pub blocking: u64,
    pub principles: Vec<PrincipleTally>,
    pub organisations: Vec<OrganisationCompliance>,
    /// Breach deadlines met and missed across the region (principle 7).
    pub breaches: DeadlineCheck,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganisationCompliance {
    pub slug: Slug,
    pub name: String,
    pub projects: u64,
    pub principles: Vec<PrincipleTally>,
    /// The organisation's breach deadlines met and missed (principle 7): a rule about the
    /// organisation, not its entries.
    pub breaches: DeadlineCheck,
}

/// Checks every entry (or one organisation's) on `today` and adds the results up.
pub async fn added_up(
    store: &dyn Store,
    charter: &Charter,
    today: charter_core::Date,
    only: Option<&Slug>,
) -> AppResult<Compliance> {
    let orgs = store.organisations().await?;
    // Principle 7 asks entries to keep up with the register's list of changes in the law.
    let law = store.law_changes().await?;
    let mut cards: HashMap<Slug, Vec<Scorecard>> = HashMap::new();
    let mut after = None;
    loop {
        // One organisation's entries come straight from the store, not by reading them all.
        let batch = match only {
            Some(org) => store.organisation_projects_after(org, after, BATCH).await?,
            None => store.projects_after(after, BATCH).await?,
        };
        let Some(last) = batch.last() else { break };
        after = Some(last.id);
        // Answers to residents on time, for principle 3's `answers-on-time`: the batch's in
        // one read of the kept sums.
        let ids: Vec<_> = batch.iter().map(|p| p.id).collect();
        let answers = crate::challenge_stats::tallies_for(store, &ids, today).await?;
        for p in batch
            .iter()
            .filter(|p| only.is_none_or(|o| *o == p.organisation))
        {
            cards
                .entry(p.organisation.clone())
                .or_default()
                .push(check_full(
                    p,
                    charter,
                    today,
                    Extras {
                        answers: answers.get(&p.id),
                        law: &law,
                    },
                ));
        }
    }
    let all: Vec<&Scorecard> = cards.values().flatten().collect();
    let deadlines = crate::breaches::deadlines(store).await?;
    let mut region = DeadlineTally::default();
    let organisations = orgs
        .iter()
        .filter(|o| only.is_none_or(|s| *s == o.organisation.slug))
        .map(|o| {
            let list = cards
                .get(&o.organisation.slug)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let breaches = deadlines
                .get(&o.organisation.slug)
                .copied()
                .unwrap_or_default();
            region += breaches;
            OrganisationCompliance {
                slug: o.organisation.slug.clone(),
                name: o.organisation.name.clone(),
                projects: list.len() as u64,
                principles: tally(charter, list),
                breaches: DeadlineCheck::of(breaches),
            }
        })
        .collect();
    Ok(Compliance {
        projects: all.len() as u64,
        blocking: all.iter().filter(|c| c.blocks_publishing).count() as u64,
        principles: tally(charter, all.iter().copied()),
        organisations,
        breaches: DeadlineCheck::of(region),
    })
}

#[cfg(test)]
mod tests {
    use charter_store::fixtures::small_register;
    use charter_store::prelude::*;

    use super::*;
    use crate::testing::{self, WIRRAL};

    #[tokio::test]
    async fn the_region_is_the_sum_of_its_organisations() {
        let store = testing::store().await;
        let (_, projects) = small_register();
        store
            .projects_publish(
                &projects,
                "Published",
                &"2026-11-30T12:00:00Z".parse().unwrap(),
            )
            .await
            .unwrap();
        let charter = Charter::from_toml(include_str!("../../../charter/charter.toml")).unwrap();
        let today = "2026-12-01".parse().unwrap();

        let all = added_up(&store, &charter, today, None).await.unwrap();
        assert_eq!(all.projects, projects.len() as u64);
        assert!(all.blocking <= all.projects);
        let per_org: u64 = all.organisations.iter().map(|o| o.projects).sum();
        assert_eq!(per_org, all.projects);
        for t in &all.principles {
            assert_eq!(t.total(), all.projects, "principle {}", t.key);
        }

        // One organisation's figures are the same read on their own.
        let wirral: Slug = WIRRAL.parse().unwrap();
        let one = added_up(&store, &charter, today, Some(&wirral))
            .await
            .unwrap();
        let in_all = all.organisations.iter().find(|o| o.slug == wirral).unwrap();
        assert_eq!(one.organisations.len(), 1);
        assert_eq!(one.projects, in_all.projects);
        assert!(one.projects > 0 && one.projects < all.projects);
        assert_eq!(one.principles, in_all.principles);
        assert_eq!(one.organisations[0].principles, in_all.principles);
    }
}
