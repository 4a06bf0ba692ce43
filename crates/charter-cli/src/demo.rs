//! The demo register: made-up organisations and projects, compiled in, loaded by
//! `charter serve --demo`. Loading twice replaces the same records (ids are fixed).

use anyhow::bail;
use charter_core::{Organisation, Project};
use charter_store::Store;
use serde::Deserialize;

const ORGANISATIONS: &str = include_str!("../demo/organisations.toml");
const PROJECTS: &str = include_str!("../demo/projects.toml");

#[derive(Deserialize)]
struct OrganisationsFile {
    organisation: Vec<Organisation>,
}

#[derive(Deserialize)]
struct ProjectsFile {
    project: Vec<Project>,
}

/// Parses and checks the demo files.
pub fn parse() -> anyhow::Result<(Vec<Organisation>, Vec<Project>)> {
    let orgs: OrganisationsFile = toml::from_str(ORGANISATIONS)
        .map_err(|e| anyhow::anyhow!("demo/organisations.toml: {e}"))?;
    let projects: ProjectsFile =
        toml::from_str(PROJECTS).map_err(|e| anyhow::anyhow!("demo/projects.toml: {e}"))?;
    let mut problems: Vec<String> = orgs
        .organisation
        .iter()
        .flat_map(Organisation::problems)
        .collect();
    problems.extend(projects.project.iter().flat_map(Project::problems));
    if !problems.is_empty() {
        bail!(
            "the demo data has mistakes:\n  - {}",
            problems.join("\n  - ")
        );
    }
    Ok((orgs.organisation, projects.project))
}

/// Loads the demo register into `store`; returns how many organisations and projects.
pub async fn load(store: &dyn Store) -> anyhow::Result<(usize, usize)> {
    let (orgs, projects) = parse()?;
    for o in &orgs {
        store.organisation_put(o).await?;
    }
    store
        .projects_publish(
            &projects,
            "Published (demo register)",
            &charter_app::clock::now(),
        )
        .await?;
    Ok((orgs.len(), projects.len()))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use charter_core::picklists::*;

    use super::*;

    #[test]
    fn demo_data_is_valid_and_covers_every_choice() {
        let (orgs, projects) = parse().unwrap();
        assert!(orgs.len() >= 8, "at least 8 organisations");
        assert!(projects.len() >= 40, "at least 40 projects");
        let boroughs: HashSet<Area> = orgs
            .iter()
            .flat_map(|o| o.boroughs.iter().copied())
            .collect();
        for b in Area::BOROUGHS {
            assert!(boroughs.contains(b), "no organisation works in {b}");
        }
        let statuses: HashSet<Status> = projects.iter().map(|p| p.status).collect();
        let topics: HashSet<Topic> = projects
            .iter()
            .flat_map(|p| p.topics.iter().copied())
            .collect();
        let kinds: HashSet<AiKind> = projects.iter().filter_map(|p| p.ai_kind).collect();
        let roles: HashSet<DecisionRole> = projects.iter().map(|p| p.decision_role).collect();
        assert_eq!(
            statuses.len(),
            Status::ALL.len(),
            "every status: {statuses:?}"
        );
        assert_eq!(topics.len(), Topic::ALL.len(), "every topic: {topics:?}");
        assert_eq!(
            kinds.len(),
            AiKind::ALL.len(),
            "every kind of AI: {kinds:?}"
        );
        assert_eq!(
            roles.len(),
            DecisionRole::ALL.len(),
            "every decision role: {roles:?}"
        );
        let slugs: HashSet<_> = orgs.iter().map(|o| o.slug.clone()).collect();
        for p in &projects {
            assert!(
                slugs.contains(&p.organisation),
                "{} names unknown organisation {}",
                p.id,
                p.organisation
            );
        }
        let ids: HashSet<_> = projects.iter().map(|p| p.id).collect();
        assert_eq!(ids.len(), projects.len(), "project ids are unique");
        // Some complete, some with gaps.
        assert!(projects.iter().any(|p| p.training_owner.is_none()));
        assert!(
            projects
                .iter()
                .any(|p| p.training_owner.is_some() && p.challenge_route.is_some())
        );
    }
}
