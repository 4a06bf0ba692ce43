//! The demo register: made-up organisations and projects, compiled in, loaded by
//! `charter serve --demo`. Loading twice replaces the same records (ids are fixed).

use anyhow::bail;
use charter_core::{Date, Organisation, Project, Timestamp};
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
///
/// A new register gets each entry's history as its dates tell it (see [`versions`]), published
/// in date order so the chain reads forwards in time. An entry already on the register is
/// published again as it stands, which changes nothing unless the demo files changed.
pub async fn load(store: &dyn Store) -> anyhow::Result<(usize, usize)> {
    let (orgs, projects) = parse()?;
    for o in &orgs {
        store.organisation_put(o).await?;
    }
    let mut history = Vec::new();
    let mut present = Vec::new();
    for p in &projects {
        if store.versions(p.id).await?.is_empty() {
            history.extend(versions(p));
        } else {
            present.push(p.clone());
        }
    }
    history.sort_by_key(|v| (v.day, v.entry.id));
    for v in &history {
        store
            .projects_publish(
                std::slice::from_ref(&v.entry),
                &v.note,
                &published_at(v.day)?,
            )
            .await?;
    }
    store
        .projects_publish(
            &present,
            "Published (demo register)",
            &charter_app::clock::now(),
        )
        .await?;
    Ok((orgs.len(), projects.len()))
}

/// One version of a demo entry: the day it was published, its note and the entry as it was.
#[derive(Debug)]
pub struct DemoVersion {
    pub day: Date,
    pub note: String,
    pub entry: Project,
}

/// The note of every entry's first version.
pub const FIRST_NOTE: &str = "First published";

/// Demo versions are published mid-morning on their day.
fn published_at(day: Date) -> anyhow::Result<Timestamp> {
    Ok(Timestamp::parse(&format!("{day}T10:00:00Z"))?)
}

/// The versions a demo entry had, worked out from its own dates: the first on the day it was
/// first published, holding what it had by then; one more on each later day something dated
/// was added (an outcome report published, a consultation held, the declaration signed); and
/// the entry as it stands on its last-updated day. So the dates its pages show are the dates of
/// its versions.
pub fn versions(entry: &Project) -> Vec<DemoVersion> {
    let (first, last) = (entry.first_published, entry.last_updated);
    let mut days: Vec<Date> = entry
        .outcome_reports
        .iter()
        .map(|r| r.published_on)
        .chain(entry.consultations.iter().map(|c| c.held_on))
        .chain(entry.declaration.iter().map(|d| d.signed_on))
        .filter(|d| *d > first && *d < last)
        .collect();
    days.sort();
    days.dedup();
    let mut out = vec![DemoVersion {
        day: first,
        note: FIRST_NOTE.to_owned(),
        entry: as_on(entry, first),
    }];
    for day in days {
        let previous = &out[out.len() - 1].entry;
        let now = as_on(entry, day);
        out.push(DemoVersion {
            day,
            note: added(previous, &now),
            entry: now,
        });
    }
    if last > first {
        let previous = &out[out.len() - 1].entry;
        out.push(DemoVersion {
            day: last,
            note: added(previous, entry),
            entry: entry.clone(),
        });
    }
    out
}

/// The entry as it was on `day`: without what is dated after it.
fn as_on(entry: &Project, day: Date) -> Project {
    let mut p = entry.clone();
    p.last_updated = day;
    p.outcome_reports.retain(|r| r.published_on <= day);
    p.consultations.retain(|c| c.held_on <= day);
    if p.declaration.as_ref().is_some_and(|d| d.signed_on > day) {
        p.declaration = None;
    }
    p
}

/// A version's note: what it added to the one before.
fn added(before: &Project, after: &Project) -> String {
    let count = |n: usize, one: &str, many: &str| match n {
        0 => None,
        1 => Some(one.to_owned()),
        n => Some(format!("{n} {many}")),
    };
    let parts: Vec<String> = [
        count(
            after
                .outcome_reports
                .len()
                .saturating_sub(before.outcome_reports.len()),
            "New outcome report",
            "new outcome reports",
        ),
        count(
            after
                .consultations
                .len()
                .saturating_sub(before.consultations.len()),
            "New consultation",
            "new consultations",
        ),
        (after.declaration != before.declaration).then(|| "Declaration signed".to_owned()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        "Checked: no answers changed".to_owned()
    } else {
        parts.join("; ")
    }
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

    #[test]
    fn demo_dates_are_in_order() {
        let (_, projects) = parse().unwrap();
        for p in &projects {
            let id = p.id;
            assert!(
                p.first_published <= p.last_updated,
                "{id}: published after its update"
            );
            // Nothing dated after the entry's last update: its last version holds all of it.
            for r in &p.outcome_reports {
                assert!(
                    r.published_on <= p.last_updated,
                    "{id}: outcome report {}",
                    r.published_on
                );
            }
            for c in &p.consultations {
                assert!(
                    c.held_on <= p.last_updated,
                    "{id}: consultation {}",
                    c.held_on
                );
            }
            if let Some(d) = &p.declaration {
                assert!(
                    d.signed_on <= p.last_updated,
                    "{id}: declaration {}",
                    d.signed_on
                );
            }
        }
    }

    #[test]
    fn each_entry_s_versions_follow_its_dates() {
        let (_, projects) = parse().unwrap();
        let mut several = 0;
        for p in &projects {
            let v = versions(p);
            let first = &v[0];
            assert_eq!(first.day, p.first_published, "{}", p.id);
            assert_eq!(first.note, FIRST_NOTE);
            assert_eq!(first.entry.last_updated, p.first_published);
            let last = &v[v.len() - 1];
            assert_eq!(last.day, p.last_updated, "{}", p.id);
            assert_eq!(&last.entry, p, "the last version is the entry as it stands");
            for pair in v.windows(2) {
                assert!(pair[0].day < pair[1].day, "{}: days go forwards", p.id);
                assert_ne!(pair[0].entry, pair[1].entry);
                assert_ne!(pair[1].note, FIRST_NOTE);
            }
            if v.len() > 2 {
                several += 1;
            }
        }
        assert!(
            several >= 5,
            "some entries have several versions: {several}"
        );
        // LCR-0001 gained an outcome report after it was first published.
        let lcr1 = projects.iter().find(|p| p.id.number() == 1).unwrap();
        assert!(
            versions(lcr1)
                .iter()
                .any(|v| v.note.contains("New outcome report"))
        );
    }
}
