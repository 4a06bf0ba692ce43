//! The storage interface. Each backend (SQLite, PostgreSQL) is its own crate with its own
//! migrations and implements the traits of [`store`] (together, [`Store`]); `conformance` holds
//! the one test suite they all pass, with `fixtures` (both behind the `testing` feature). The
//! SQL both databases agree on is written once, in this crate's `sql/` folder, and compiled
//! into each backend (see `sql/mod.rs`).

use charter_core::chain::Link;
use charter_core::picklists::{AiKind, Area, DecisionRole, Status, Topic};
use charter_core::search::FacetCounts;
use charter_core::{Date, OrgId, Organisation, Project, ProjectId, Slug, Timestamp, Title};
use serde::Serialize;
use utoipa::ToSchema;

pub mod accounts;
pub mod breaches;
pub mod challenge_stats;
pub mod challenges;
#[cfg(feature = "testing")]
pub mod conformance;
pub mod dashboard;
pub mod drafts;
#[cfg(feature = "testing")]
pub mod fixtures;
pub mod notices;
pub mod optout;
pub mod organisations;
pub mod store;
pub mod support;
#[cfg(feature = "testing")]
pub mod test_database;
#[cfg(feature = "testing")]
pub mod upgraded;
pub mod verify;

pub use store::BreachStore;
pub use store::ChallengeStatsStore;
pub use store::ChallengeStore;
pub use store::DashboardStore;
pub use store::LawStore;
pub use store::NoticeStore;
pub use store::{
    AccountStore, DraftStore, JobStore, OptOutStore, ProjectStore, RegisterStore, SearchStore,
    Store,
};

/// The store's traits, for calling its methods: `use charter_store::prelude::*;`.
pub mod prelude {
    pub use crate::store::BreachStore;
    pub use crate::store::ChallengeStatsStore;
    pub use crate::store::ChallengeStore;
    pub use crate::store::DashboardStore;
    pub use crate::store::LawStore;
    pub use crate::store::NoticeStore;
    pub use crate::store::{
        AccountStore, DraftStore, JobStore, OptOutStore, ProjectStore, RegisterStore, SearchStore,
        Store,
    };
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or opened.
    #[error("cannot open the database {url}: {reason}")]
    Unavailable { url: String, reason: String },
    /// The file is not a database, or is damaged.
    #[error("the database {url} is damaged or is not a Charter database: {reason}")]
    Corrupt { url: String, reason: String },
    /// Another writer held the database for longer than this one would wait (another
    /// process, such as a `charter` command, writing a lot at once). Trying again shortly works.
    #[error("the database {url} is busy with another write: try again in a few seconds")]
    Busy { url: String },
    /// The schema does not match this version of the program.
    #[error("the database {url} cannot be migrated: {reason}")]
    Migration { url: String, reason: String },
    /// A project names an organisation that is not on the register.
    #[error("organisation “{0}” is not on the register")]
    UnknownOrganisation(Slug),
    /// A value breaks a uniqueness rule, such as two organisations with one slug.
    #[error("{0}")]
    Conflict(String),
    /// Copied links do not continue this register's chain.
    #[error("the copied history does not continue this register's: {0}")]
    Chain(String),
    /// A stored record no longer reads as the current types.
    #[error("a stored record cannot be read: {0}")]
    Data(String),
    /// Anything else the database said.
    #[error("database error: {0}")]
    Database(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// An organisation's API token (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub organisation: Slug,
    /// The person who made it: what is done with the token is theirs. None for tokens made
    /// before tokens had owners; those are refused.
    pub owner: Option<TokenOwner>,
    pub label: String,
    pub scopes: Vec<String>,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

/// The person a token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenOwner {
    pub user_id: i64,
    pub email: String,
}

/// A new API token: only its hash is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken<'a> {
    pub organisation: &'a Slug,
    /// The person making it, who answers for what is done with it.
    pub owner_id: i64,
    pub token_hash: &'a str,
    pub label: &'a str,
    /// Space-separated.
    pub scopes: &'a str,
    pub at: &'a Timestamp,
}

/// A link of the hash chain with the content it hashes, exactly as stored: what the log
/// serves and `charter copy` carries to another register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLink {
    pub link: Link,
    pub content: String,
}

/// One published version of an entry.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedVersion {
    pub link: Link,
    pub entry: Project,
}

/// An entry with its whole organisation, read in one query for the entry's page.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectWithOrganisation {
    pub project: Project,
    pub organisation: Organisation,
    /// Whether residents have ever sent it a challenge or question (it has kept sums): when
    /// not, its page has no figures or answers to read.
    pub challenged: bool,
}

/// What a list of projects shows about each one.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ProjectSummary {
    pub id: ProjectId,
    pub slug: Slug,
    pub title: Title,
    pub organisation: Slug,
    pub organisation_name: String,
    pub summary: String,
    pub status: Status,
    pub uses_ai: bool,
    pub ai_kind: Option<AiKind>,
    pub decision_role: DecisionRole,
    pub areas: Vec<Area>,
    pub topics: Vec<Topic>,
    pub last_updated: Date,
}

/// A published entry as the search index takes it: what a result shows, and the rest of the
/// text searched (descriptions and the organisation's name, as `support::search_body` joins them).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDocument {
    pub summary: ProjectSummary,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SearchResults {
    /// How many projects match in all.
    pub total: u64,
    pub items: Vec<ProjectSummary>,
    /// Counts per option of each filter; empty unless asked for.
    pub facets: Vec<FacetCounts>,
}

/// An organisation with its project counts.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OrganisationSummary {
    #[serde(flatten)]
    pub organisation: Organisation,
    pub projects: u64,
    pub projects_using_ai: u64,
}

/// What the record API needs about one project, read in one query: the project's stored JSON
/// document as it is, and its organisation's id and name. The API answers with the document
/// itself (the three values spliced in) instead of parsing it into a [`Project`] and writing it
/// out again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordParts {
    /// The project's stored document: one JSON object that reads as a [`Project`], written
    /// from that type each time the entry is published or copied (key order and spacing may
    /// differ by backend). A field later added to [`Project`] is missing here from entries
    /// stored before it, until they are written again: such a change needs a migration that
    /// rewrites the stored documents.
    pub doc: String,
    pub organisation_id: OrgId,
    pub organisation_name: String,
}

/// What lists, filters, facets and search hold for one entry, read as stored and not parsed, so
/// that [`verify`] can compare each value with the entry's latest published version (a value
/// changed behind the register's back may not even read as its type any more).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivedValues {
    pub id: ProjectId,
    /// The stored document that the entry's page and the record API show; `None` when missing.
    pub doc: Option<String>,
    /// The organisation the entry's row points to.
    pub organisation_id: i64,
    /// That organisation's record as lists and pages read it; `None` when there is none.
    pub organisation: Option<StoredOrganisation>,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub status: String,
    pub uses_ai: bool,
    pub ai_kind: Option<String>,
    pub decision_role: String,
    pub areas_mask: i64,
    pub topics_mask: i64,
    pub last_updated: String,
    /// The text the search index holds for the entry; `None` when the index has no row for it.
    pub search: Option<SearchText>,
}

/// An organisation as stored: the slug and name columns that lists, filters and facets read,
/// and the slug and name in its document, which its pages read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOrganisation {
    pub slug: String,
    pub name: String,
    pub record_slug: Option<String>,
    pub record_name: Option<String>,
}

/// The text one entry is found by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText {
    pub title: String,
    pub summary: String,
    /// The longer descriptions and the organisation's name (see [`support::search_body`]).
    pub body: String,
}
