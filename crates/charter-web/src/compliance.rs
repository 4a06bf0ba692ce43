//! The charter check across many entries: per organisation and for the whole region. Each entry
//! is checked as it is read, so the figures always match the entries.

use std::collections::HashMap;

use charter_core::Slug;
use charter_core::charter::Charter;
use charter_core::check::{PrincipleStatus, PrincipleTally, Scorecard, check, tally};
use charter_store::{Store, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

/// Projects read per batch.
const BATCH: u32 = 500;

/// The check added up for the region and for each organisation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Compliance {
    /// Entries checked.
    pub projects: u64,
    /// Entries that could not be published as they stand (a blocking rule is not met).
    pub blocking: u64,
    pub principles: Vec<PrincipleTally>,
    pub organisations: Vec<OrganisationCompliance>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganisationCompliance {
    pub slug: Slug,
    pub name: String,
    pub projects: u64,
    pub principles: Vec<PrincipleTally>,
}

/// Checks every entry (or one organisation's) on `today` and adds the results up.
pub async fn compliance(
    store: &dyn Store,
    charter: &Charter,
    today: charter_core::Date,
    only: Option<&Slug>,
) -> Result<Compliance, StoreError> {
    let orgs = store.organisations().await?;
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
        for p in batch
            .iter()
            .filter(|p| only.is_none_or(|o| *o == p.organisation))
        {
            cards
                .entry(p.organisation.clone())
                .or_default()
                .push(check(p, charter, today));
        }
    }
    let all: Vec<&Scorecard> = cards.values().flatten().collect();
    let organisations = orgs
        .iter()
        .filter(|o| only.is_none_or(|s| *s == o.organisation.slug))
        .map(|o| {
            let list = cards
                .get(&o.organisation.slug)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            OrganisationCompliance {
                slug: o.organisation.slug.clone(),
                name: o.organisation.name.clone(),
                projects: list.len() as u64,
                principles: tally(charter, list),
            }
        })
        .collect();
    Ok(Compliance {
        projects: all.len() as u64,
        blocking: all.iter().filter(|c| c.blocks_publishing).count() as u64,
        principles: tally(charter, all.iter().copied()),
        organisations,
    })
}

/// One bar of a stacked bar chart: a principle, split by status.
pub struct Bar {
    pub label: String,
    pub y: u32,
    pub segments: Vec<Segment>,
}

pub struct Segment {
    pub status: PrincipleStatus,
    pub x: f64,
    pub width: f64,
    pub count: u64,
}

/// Chart geometry, computed here so the template only draws.
pub struct Chart {
    pub bars: Vec<Bar>,
    pub height: u32,
}

pub const CHART_LABEL_WIDTH: f64 = 150.0;
pub const CHART_BAR_WIDTH: f64 = 450.0;
const ROW: u32 = 36;

pub fn chart(principles: &[PrincipleTally]) -> Chart {
    let bars = principles
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let total = t.total().max(1) as f64;
            let mut x = CHART_LABEL_WIDTH;
            let segments = PrincipleStatus::ALL
                .iter()
                .map(|s| {
                    let count = t.count(*s);
                    let width = CHART_BAR_WIDTH * count as f64 / total;
                    let seg = Segment {
                        status: *s,
                        x,
                        width,
                        count,
                    };
                    x += width;
                    seg
                })
                .filter(|s| s.count > 0)
                .collect();
            Bar {
                label: format!("{}. {}", t.number, t.name),
                y: i as u32 * ROW + 8,
                segments,
            }
        })
        .collect();
    Chart {
        bars,
        height: principles.len() as u32 * ROW + 16,
    }
}

/// The tallies as CSV: one row per organisation (or the region) and principle.
pub fn csv(c: &Compliance) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "scope",
        "principle_number",
        "principle",
        "met",
        "partly_met",
        "not_met",
        "not_applicable",
        "percent_met",
    ])?;
    let mut rows = |scope: &str, tallies: &[PrincipleTally]| -> Result<(), csv::Error> {
        for t in tallies {
            w.write_record([
                scope.to_owned(),
                t.number.to_string(),
                t.name.clone(),
                t.met.to_string(),
                t.partly_met.to_string(),
                t.not_met.to_string(),
                t.not_applicable.to_string(),
                t.percent_met().to_string(),
            ])?;
        }
        Ok(())
    };
    rows("region", &c.principles)?;
    for o in &c.organisations {
        rows(o.slug.as_str(), &o.principles)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}
