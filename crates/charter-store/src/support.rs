//! Pieces every backend needs in the same form, so their answers agree: what text is searchable,
//! how areas and topics become bit masks, and how counted options are labelled.

use std::collections::HashMap;

use charter_core::Project;
use charter_core::picklists::{Area, DecisionRole, Status, Topic};
use charter_core::search::{Facet, FacetCounts, FacetOption};

/// An entry as the in-memory search index takes it. Every instance and every backend builds its
/// index through this, so they hold the same words.
pub fn index_document(
    d: crate::SearchDocument,
) -> charter_core::search::index::Document<crate::ProjectSummary> {
    use charter_core::search::index::{Attributes, Document};
    let p = d.summary;
    Document {
        id: p.id.number(),
        title: p.title.to_string(),
        summary: p.summary.clone(),
        body: d.body,
        attributes: Attributes {
            organisation: p.organisation.to_string(),
            organisation_name: p.organisation_name.clone(),
            areas: p.areas.clone(),
            topics: p.topics.clone(),
            status: p.status,
            uses_ai: p.uses_ai,
            role: p.decision_role,
            last_updated: p.last_updated,
        },
        payload: p,
    }
}

/// The text the search index holds beyond title and summary: the longer descriptions and the
/// organisation's name.
pub fn search_body(p: &Project, organisation_name: &str) -> String {
    let mut parts: Vec<&str> = vec![organisation_name];
    parts.extend(p.team.as_deref());
    parts.extend(p.how_it_works.as_deref());
    parts.extend(p.data_used.as_ref().map(|d| d.description.as_str()));
    parts.extend(p.public_benefit.as_deref());
    parts.extend(p.intended_beneficiaries.as_deref());
    parts.extend(p.affected_communities.as_deref());
    parts.join("\n")
}

/// The columns of `derived_after` that both backends read alike, from `projects p` joined (left)
/// to `organisations o`; each backend adds the document, the organisation's record and the
/// search text, which it stores its own way.
pub const DERIVED_COLUMNS: &str = "p.id, p.organisation_id, o.id IS NOT NULL AS org_found, \
     o.slug AS org_slug, o.name AS org_name, p.slug, p.title, p.summary, p.status, p.uses_ai, \
     p.ai_kind, p.decision_role, p.areas_mask, p.topics_mask, p.last_updated";

/// Bit i is set when `values` holds the list's i-th option.
pub fn mask<T: Copy>(values: &[T], index: fn(T) -> usize) -> i64 {
    values.iter().fold(0i64, |m, v| m | (1 << index(*v)))
}

pub fn unmask<T>(mask: i64, from_index: fn(usize) -> Option<T>) -> Vec<T> {
    (0..63)
        .filter(|i| mask & (1 << i) != 0)
        .filter_map(from_index)
        .collect()
}

fn options<T: Copy>(
    all: &[T],
    slug: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    count: impl Fn(T) -> u64,
) -> Vec<FacetOption> {
    all.iter()
        .map(|v| FacetOption {
            value: slug(*v).to_owned(),
            label: label(*v).to_owned(),
            count: count(*v),
        })
        .collect()
}

/// Every option of `facet` in its list's order with its count (0 when absent from `counts`).
/// `organisations` is (slug, name) in display order.
pub fn facet_from_counts(
    facet: Facet,
    counts: &HashMap<String, u64>,
    organisations: &[(String, String)],
) -> FacetCounts {
    let get = |k: &str| counts.get(k).copied().unwrap_or(0);
    let options = match facet {
        Facet::Organisation => organisations
            .iter()
            .map(|(slug, name)| FacetOption {
                value: slug.clone(),
                label: name.clone(),
                count: get(slug),
            })
            .collect(),
        Facet::Area => options(Area::ALL, Area::slug, Area::label, |v| get(v.slug())),
        Facet::Topic => options(Topic::ALL, Topic::slug, Topic::label, |v| get(v.slug())),
        Facet::Status => options(Status::ALL, Status::slug, Status::label, |v| get(v.slug())),
        Facet::Role => options(
            DecisionRole::ALL,
            DecisionRole::slug,
            DecisionRole::label,
            |v| get(v.slug()),
        ),
        Facet::Ai => vec![
            FacetOption {
                value: "yes".into(),
                label: "Uses AI".into(),
                count: get("yes"),
            },
            FacetOption {
                value: "no".into(),
                label: "Does not use AI".into(),
                count: get("no"),
            },
        ],
    };
    FacetCounts { facet, options }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_round_trip() {
        let m = mask(&[Area::Halton, Area::WiderThanRegion], Area::index);
        assert_eq!(
            unmask(m, Area::from_index),
            vec![Area::Halton, Area::WiderThanRegion]
        );
    }
}
