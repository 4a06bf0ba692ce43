//! Verifying the register: recompute the hash chain of published versions, then check that
//! everything shown or searched (the stored document, the list columns that lists, filters and
//! facets read, the search text, the organisation shown) is what the chain says was published.
//!
//! `charter verify` prints the report; `charter serve` stops serving one with problems.
//! Both read the register in batches, so memory stays small and start-up quick on large ones.
//!
//! Organisation names: an entry's published version names its organisation only by slug. The
//! name shown with the entry (in lists, facets, its page, the record API) and held in its search
//! text comes from the organisations table, which is not chained: organisations are renamed
//! through the register's own tools. So what can drift, and is checked, is the copies: the
//! organisation the entry's row points to must exist and have the slug the published version
//! names; the name lists read (the `name` column) must be the name in the organisation's own
//! record (its document, which its pages read); and the entry's search text must hold that name.

use std::collections::{HashMap, HashSet};
use std::fmt;

use charter_core::chain::{BrokenLink, Hash, Verifier, canonical_json, content_hash};
use charter_core::picklists::{Area, Topic};
use charter_core::{Project, ProjectId};

use crate::support::{mask, search_body, unmask};
use crate::{DerivedValues, Store, StoreResult, StoredLink};

/// Rows read per query: big enough that a large register takes few round trips, small enough
/// that memory stays modest.
const BATCH: u32 = 1_000;
/// Stray search rows named at most: more than a few say enough.
const STRAYS: u32 = 100;

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Published versions checked in the chain.
    pub versions: u64,
    /// Entries on the register.
    pub entries: u64,
    /// The chain's last link, if anything has been published.
    pub head: Option<Hash>,
    /// Everything that differs, in chain order then entry order; empty when the register is intact.
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// One value that is not what the history says, named so that it can be found and put right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A stored version no longer matches its link; nothing after it can be trusted, so checking
    /// stops here.
    BrokenLink(BrokenLink),
    /// The stored head is not where the chain ends.
    HeadElsewhere { stored_seq: u64 },
    /// An entry is shown but no version of it was ever published.
    NeverPublished(ProjectId),
    /// A published entry is missing from the register's lists.
    NotShown(ProjectId),
    /// The entry's page and the record API show a document that is not its latest version.
    DocumentDiffers(ProjectId),
    /// A list column differs from the latest published version.
    Shown {
        id: ProjectId,
        field: Field,
        shown: String,
        published: String,
    },
    /// The entry's row points to an organisation that is not on the register.
    OrganisationMissing { id: ProjectId, organisation_id: i64 },
    /// An organisation's name as lists show it is not the name in its own record.
    OrganisationName {
        organisation: String,
        shown: String,
        record: String,
    },
    /// The search index has no row for the entry, so searches cannot find it.
    NotIndexed(ProjectId),
    /// The search index holds other text than the latest published version.
    SearchDiffers { id: ProjectId, part: SearchPart },
    /// The search index has a row for this id, which is no entry: searches count it.
    SearchStray(i64),
}

/// A value lists, filters or facets read from the projects table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Organisation,
    Slug,
    Title,
    Summary,
    Status,
    UsesAi,
    AiKind,
    DecisionRole,
    Areas,
    Topics,
    LastUpdated,
}

impl Field {
    fn describe(self) -> &'static str {
        match self {
            Field::Organisation => "the organisation shown in lists",
            Field::Slug => "the web address name shown in lists",
            Field::Title => "the title shown in lists",
            Field::Summary => "the summary shown in lists",
            Field::Status => "the status shown in lists and used by the status filter",
            Field::UsesAi => "whether it uses AI, as shown in lists and used by the AI filter,",
            Field::AiKind => "the kind of AI shown in lists",
            Field::DecisionRole => {
                "the role in decisions shown in lists and used by the decisions filter"
            }
            Field::Areas => "the list of areas the area filter uses",
            Field::Topics => "the list of topics the topic filter uses",
            Field::LastUpdated => "the last-updated date shown in lists and used to sort them",
        }
    }
}

/// Which part of an entry's search text differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchPart {
    Title,
    Summary,
    /// The longer descriptions and the organisation's name.
    Body,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::BrokenLink(broken) => {
                write!(f, "the register's history has been changed: {broken}")
            }
            Problem::HeadElsewhere { stored_seq } => write!(
                f,
                "the register's head is link {stored_seq} but the chain ends elsewhere"
            ),
            Problem::NeverPublished(id) => {
                write!(f, "{id}: it is on the register but was never published")
            }
            Problem::NotShown(id) => write!(
                f,
                "{id}: it was published but is missing from the register's lists"
            ),
            Problem::DocumentDiffers(id) => write!(
                f,
                "{id}: its page and the record API show something other than its latest published version"
            ),
            Problem::Shown {
                id,
                field,
                shown,
                published,
            } => {
                let (shown, published) = around_difference(shown, published);
                write!(
                    f,
                    "{id}: {} is “{shown}” but its latest published version says “{published}”",
                    field.describe()
                )
            }
            Problem::OrganisationMissing {
                id,
                organisation_id,
            } => write!(
                f,
                "{id}: it points to organisation ORG-{organisation_id:04}, which is not on the register"
            ),
            Problem::OrganisationName {
                organisation,
                shown,
                record,
            } => write!(
                f,
                "organisation “{organisation}”: the name shown with its entries in lists is “{shown}” but its own record says “{record}”"
            ),
            Problem::NotIndexed(id) => write!(
                f,
                "{id}: it is missing from the search index, so searches cannot find it"
            ),
            Problem::SearchStray(id) => write!(
                f,
                "the search index has a row numbered {id}, which is no entry on the register, so search counts are wrong"
            ),
            Problem::SearchDiffers { id, part } => {
                let part = match part {
                    SearchPart::Title => "the title",
                    SearchPart::Summary => "the summary",
                    SearchPart::Body => "the descriptions or organisation name",
                };
                write!(
                    f,
                    "{id}: the search index differs from its latest published version ({part})"
                )
            }
        }
    }
}

/// Checks the whole register: the hash chain, then every entry's shown and searched values.
///
/// Each pass reads the next batch while it checks the one it has, so the database and the
/// hashing work side by side.
pub async fn verify<S: Store + ?Sized>(store: &S) -> StoreResult<Report> {
    let mut report = Report {
        versions: 0,
        entries: 0,
        head: None,
        problems: Vec::new(),
    };
    let mut verifier = Verifier::new();
    // Each entry's latest version: its number and content hash.
    let mut latest: HashMap<ProjectId, (u32, Hash)> = HashMap::new();
    let mut batch = store.log(0, BATCH).await?;
    while let Some(last) = batch.last() {
        let (next, checked) = tokio::join!(store.log(last.link.seq, BATCH), async {
            check_links(&mut verifier, &mut latest, &batch)
        });
        if let Err(broken) = checked {
            report.versions = verifier.checked;
            report.problems.push(Problem::BrokenLink(broken));
            return Ok(report);
        }
        batch = next?;
    }
    report.versions = verifier.checked;
    report.head = verifier.head().map(|l| l.hash);
    if let Some(stored) = store.chain_head().await?
        && verifier.head() != Some(&stored)
    {
        report.problems.push(Problem::HeadElsewhere {
            stored_seq: stored.seq,
        });
        return Ok(report);
    }

    let mut named_organisations: HashSet<i64> = HashSet::new();
    let mut batch = store.derived_after(None, BATCH).await?;
    while let Some(last) = batch.last() {
        let (next, checked) = tokio::join!(
            store.derived_after(Some(last.id), BATCH),
            check_entries(
                store,
                &batch,
                &mut latest,
                &mut named_organisations,
                &mut report
            )
        );
        checked?;
        batch = next?;
    }
    let mut unseen: Vec<ProjectId> = latest.into_keys().collect();
    unseen.sort();
    report
        .problems
        .extend(unseen.into_iter().map(Problem::NotShown));
    let strays = store.search_strays(STRAYS).await?;
    report
        .problems
        .extend(strays.into_iter().map(Problem::SearchStray));
    Ok(report)
}

/// Checks a batch of links in chain order, noting each entry's latest version.
fn check_links(
    verifier: &mut Verifier,
    latest: &mut HashMap<ProjectId, (u32, Hash)>,
    batch: &[StoredLink],
) -> Result<(), BrokenLink> {
    for StoredLink { link, content } in batch {
        verifier.check(link, content)?;
        latest.insert(link.project, (link.version, link.content_hash));
    }
    Ok(())
}

/// Checks a batch of entries against their latest versions, taking each out of `latest`: what is
/// left at the end was published but is not shown.
async fn check_entries<S: Store + ?Sized>(
    store: &S,
    batch: &[DerivedValues],
    latest: &mut HashMap<ProjectId, (u32, Hash)>,
    named_organisations: &mut HashSet<i64>,
    report: &mut Report,
) -> StoreResult<()> {
    for row in batch {
        report.entries += 1;
        let Some((version, hash)) = latest.remove(&row.id) else {
            report.problems.push(Problem::NeverPublished(row.id));
            continue;
        };
        // The stored document, when it hashes to the latest version, is that version; only
        // when it does not is the version itself read, so an intact register costs one read.
        let doc: Option<Project> = row
            .doc
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok());
        let published = match doc {
            Some(p) if content_hash(&canonical_json(&p)) == hash => p,
            _ => {
                report.problems.push(Problem::DocumentDiffers(row.id));
                match store.version(row.id, version).await? {
                    Some(version) => version.entry,
                    None => continue,
                }
            }
        };
        check_entry(row, &published, named_organisations, &mut report.problems);
    }
    Ok(())
}

/// Compares one entry's stored values with its latest published version.
fn check_entry(
    row: &DerivedValues,
    p: &Project,
    named_organisations: &mut HashSet<i64>,
    problems: &mut Vec<Problem>,
) {
    let mut differs = |field: Field, shown: String, published: String| {
        if shown != published {
            problems.push(Problem::Shown {
                id: row.id,
                field,
                shown,
                published,
            });
        }
    };
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
    let areas = |m: i64| slugs(unmask(m, Area::from_index).into_iter().map(Area::slug));
    let topics = |m: i64| slugs(unmask(m, Topic::from_index).into_iter().map(Topic::slug));
    differs(Field::Slug, row.slug.clone(), p.slug.to_string());
    differs(Field::Title, row.title.clone(), p.title.to_string());
    differs(Field::Summary, row.summary.clone(), p.summary.clone());
    differs(
        Field::Status,
        row.status.clone(),
        p.status.slug().to_owned(),
    );
    differs(Field::UsesAi, yes_no(row.uses_ai), yes_no(p.uses_ai));
    differs(
        Field::AiKind,
        row.ai_kind.clone().unwrap_or_else(|| "none".into()),
        p.ai_kind.map_or("none", |k| k.slug()).to_owned(),
    );
    differs(
        Field::DecisionRole,
        row.decision_role.clone(),
        p.decision_role.slug().to_owned(),
    );
    // Compared as masks, so that a bit no option has is caught too; named as options.
    let (areas_published, topics_published) =
        (mask(&p.areas, Area::index), mask(&p.topics, Topic::index));
    if row.areas_mask != areas_published {
        differs(
            Field::Areas,
            areas(row.areas_mask) + &unknown_bits(row.areas_mask, Area::from_index),
            areas(areas_published),
        );
    }
    if row.topics_mask != topics_published {
        differs(
            Field::Topics,
            topics(row.topics_mask) + &unknown_bits(row.topics_mask, Topic::from_index),
            topics(topics_published),
        );
    }
    differs(
        Field::LastUpdated,
        row.last_updated.clone(),
        p.last_updated.to_string(),
    );

    // The organisation's name in the search text is its record's: that is what renaming writes.
    let organisation_name = match &row.organisation {
        None => {
            problems.push(Problem::OrganisationMissing {
                id: row.id,
                organisation_id: row.organisation_id,
            });
            None
        }
        Some(org) => {
            if org.slug != p.organisation.as_str() {
                problems.push(Problem::Shown {
                    id: row.id,
                    field: Field::Organisation,
                    shown: org.slug.clone(),
                    published: p.organisation.to_string(),
                });
            }
            let record = org.record_name.as_deref().unwrap_or_default();
            let drifted = org.name != record || org.record_slug.as_deref() != Some(&org.slug);
            if drifted && named_organisations.insert(row.organisation_id) {
                problems.push(Problem::OrganisationName {
                    organisation: org.slug.clone(),
                    shown: org.name.clone(),
                    record: record.to_owned(),
                });
            }
            Some(record)
        }
    };

    match &row.search {
        None => problems.push(Problem::NotIndexed(row.id)),
        Some(text) => {
            let parts = [
                (SearchPart::Title, text.title == p.title.as_str()),
                (SearchPart::Summary, text.summary == p.summary),
                (
                    SearchPart::Body,
                    organisation_name.is_none_or(|name| text.body == search_body(p, name)),
                ),
            ];
            problems.extend(
                parts
                    .into_iter()
                    .filter(|(_, same)| !same)
                    .map(|(part, _)| Problem::SearchDiffers { id: row.id, part }),
            );
        }
    }
}

/// Long values (summaries) cut to the part around their first difference, so that the change
/// can be read at a glance.
fn around_difference(a: &str, b: &str) -> (String, String) {
    const BEFORE: usize = 30;
    const LONG: usize = 100;
    let same = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let start = same.saturating_sub(BEFORE);
    let cut = |s: &str| {
        let mut out: String = s.chars().skip(start).take(LONG).collect();
        if start > 0 {
            out.insert(0, '…');
        }
        if s.chars().count() > start + LONG {
            out.push('…');
        }
        out
    };
    (cut(a), cut(b))
}

fn slugs<'a>(values: impl Iterator<Item = &'a str>) -> String {
    let list: Vec<&str> = values.collect();
    if list.is_empty() {
        "none".to_owned()
    } else {
        list.join(", ")
    }
}

/// Bits that stand for no option, named so that they are not hidden by naming only options.
fn unknown_bits<T>(m: i64, from_index: fn(usize) -> Option<T>) -> String {
    let unknown = (0..64).filter(|i| m & (1 << i) != 0 && from_index(*i).is_none());
    let bits: Vec<String> = unknown.map(|i| i.to_string()).collect();
    if bits.is_empty() {
        String::new()
    } else {
        let s = if bits.len() == 1 { "" } else { "s" };
        format!(" and unknown bit{s} {}", bits.join(", "))
    }
}
