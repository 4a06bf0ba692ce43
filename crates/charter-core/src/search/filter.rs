//! Filters and facet counts over the index's matches. Each entry's attributes are packed into a
//! few integers when it is indexed, and a query's filters into masks, so that filtering and
//! counting tens of thousands of matches is a few bit operations each rather than string
//! comparisons and hash lookups.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use super::index::Attributes;
use super::{Facet, SearchQuery};
use crate::picklists::{Area, DecisionRole, Status, Topic};

/// Most values a list may have to be packed (areas, topics, stages and roles have far fewer).
const MAX_VALUES: usize = 64;

fn bit(i: usize) -> u64 {
    1u64.checked_shl(u32::try_from(i).unwrap_or(u32::MAX))
        .unwrap_or(0)
}

fn mask(indexes: impl Iterator<Item = usize>) -> u64 {
    indexes.fold(0, |m, i| m | bit(i))
}

/// Organisations by the number the index gave each, in the order it met them.
#[derive(Default)]
pub struct Organisations {
    slugs: Vec<String>,
    numbers: FxHashMap<String, u32>,
}

impl Organisations {
    fn number(&mut self, slug: &str) -> u32 {
        if let Some(n) = self.numbers.get(slug) {
            return *n;
        }
        let n = u32::try_from(self.slugs.len()).unwrap_or(u32::MAX);
        self.slugs.push(slug.to_owned());
        self.numbers.insert(slug.to_owned(), n);
        n
    }
}

/// What filters and facets read about an entry.
#[derive(Debug, Clone, Copy)]
pub struct Packed {
    organisation: u32,
    areas: u64,
    topics: u64,
    status: u8,
    role: u8,
    uses_ai: bool,
}

impl Packed {
    pub fn new(a: &Attributes, organisations: &mut Organisations) -> Self {
        Packed {
            organisation: organisations.number(&a.organisation),
            areas: mask(a.areas.iter().map(|x| x.index())),
            topics: mask(a.topics.iter().map(|x| x.index())),
            status: u8::try_from(a.status.index()).unwrap_or(u8::MAX),
            role: u8::try_from(a.role.index()).unwrap_or(u8::MAX),
            uses_ai: a.uses_ai,
        }
    }
}

fn facet_bit(facet: Facet) -> u8 {
    match facet {
        Facet::Organisation => 1,
        Facet::Area => 2,
        Facet::Topic => 4,
        Facet::Status => 8,
        Facet::Ai => 16,
        Facet::Role => 32,
    }
}

/// A query's filters as masks; a mask of 0 (or `None`) is no filter.
pub struct Filter {
    organisations: Option<Vec<u32>>,
    areas: u64,
    topics: u64,
    statuses: u64,
    uses_ai: Option<bool>,
    roles: u64,
}

impl Filter {
    pub fn new(query: &SearchQuery, organisations: &Organisations) -> Self {
        Filter {
            // A slug the index has never met matches nothing, as the filter asks.
            organisations: (!query.organisations.is_empty()).then(|| {
                query
                    .organisations
                    .iter()
                    .filter_map(|s| organisations.numbers.get(s.as_str()).copied())
                    .collect()
            }),
            areas: mask(query.areas.iter().map(|x| x.index())),
            topics: mask(query.topics.iter().map(|x| x.index())),
            statuses: mask(query.statuses.iter().map(|x| x.index())),
            uses_ai: query.uses_ai,
            roles: mask(query.roles.iter().map(|x| x.index())),
        }
    }

    /// The facets (as `facet_bit`s) whose filter the entry fails: 0 when it passes them all.
    pub fn fails(&self, p: &Packed) -> u8 {
        let mut failed = 0;
        if let Some(orgs) = &self.organisations
            && !orgs.contains(&p.organisation)
        {
            failed |= facet_bit(Facet::Organisation);
        }
        if self.areas != 0 && self.areas & p.areas == 0 {
            failed |= facet_bit(Facet::Area);
        }
        if self.topics != 0 && self.topics & p.topics == 0 {
            failed |= facet_bit(Facet::Topic);
        }
        if self.statuses != 0 && self.statuses & bit(usize::from(p.status)) == 0 {
            failed |= facet_bit(Facet::Status);
        }
        if self.uses_ai.is_some_and(|ai| ai != p.uses_ai) {
            failed |= facet_bit(Facet::Ai);
        }
        if self.roles != 0 && self.roles & bit(usize::from(p.role)) == 0 {
            failed |= facet_bit(Facet::Role);
        }
        failed
    }
}

/// Facet counts: each facet counts the entries that pass every filter but its own, so its
/// options say how many each would find with the other filters kept.
pub struct Counts {
    organisations: Vec<u64>,
    areas: [u64; MAX_VALUES],
    topics: [u64; MAX_VALUES],
    statuses: [u64; MAX_VALUES],
    ai: [u64; 2],
    roles: [u64; MAX_VALUES],
}

impl Counts {
    pub fn new(organisations: &Organisations) -> Self {
        Counts {
            organisations: vec![0; organisations.slugs.len()],
            areas: [0; MAX_VALUES],
            topics: [0; MAX_VALUES],
            statuses: [0; MAX_VALUES],
            ai: [0; 2],
            roles: [0; MAX_VALUES],
        }
    }

    /// Counts one match, given the filters it fails.
    pub fn add(&mut self, p: &Packed, failed: u8) {
        let counts_in = |facet: Facet| failed & !facet_bit(facet) == 0;
        if counts_in(Facet::Organisation)
            && let Some(n) = self.organisations.get_mut(p.organisation as usize)
        {
            *n += 1;
        }
        if counts_in(Facet::Area) {
            add_bits(&mut self.areas, p.areas);
        }
        if counts_in(Facet::Topic) {
            add_bits(&mut self.topics, p.topics);
        }
        if counts_in(Facet::Status) {
            self.statuses[usize::from(p.status) % MAX_VALUES] += 1;
        }
        if counts_in(Facet::Ai) {
            self.ai[usize::from(p.uses_ai)] += 1;
        }
        if counts_in(Facet::Role) {
            self.roles[usize::from(p.role) % MAX_VALUES] += 1;
        }
    }

    /// Per facet, in `Facet::ALL` order, the options counted, keyed by their URL value.
    pub fn into_maps(self, organisations: &Organisations) -> Vec<(Facet, HashMap<String, u64>)> {
        fn listed<T>(
            counts: &[u64],
            value: impl Fn(usize) -> Option<T>,
            slug: impl Fn(T) -> String,
        ) -> HashMap<String, u64> {
            counts
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .filter_map(|(i, n)| value(i).map(|v| (slug(v), *n)))
                .collect()
        }
        Facet::ALL
            .iter()
            .map(|facet| {
                let counts = match facet {
                    Facet::Organisation => listed(
                        &self.organisations,
                        |i| organisations.slugs.get(i),
                        |s| s.clone(),
                    ),
                    Facet::Area => listed(&self.areas, Area::from_index, |v| v.slug().into()),
                    Facet::Topic => listed(&self.topics, Topic::from_index, |v| v.slug().into()),
                    Facet::Status => {
                        listed(&self.statuses, Status::from_index, |v| v.slug().into())
                    }
                    Facet::Ai => listed(
                        &self.ai,
                        |i| Some(if i == 1 { "yes" } else { "no" }),
                        String::from,
                    ),
                    Facet::Role => {
                        listed(&self.roles, DecisionRole::from_index, |v| v.slug().into())
                    }
                };
                (*facet, counts)
            })
            .collect()
    }
}

fn add_bits(counts: &mut [u64; MAX_VALUES], mut bits: u64) {
    while bits != 0 {
        counts[bits.trailing_zeros() as usize] += 1;
        bits &= bits - 1;
    }
}
