//! The storage interface, one trait per area of the register. A backend implements each; [`Store`]
//! is all of them at once (implemented for anything that implements the parts), so the rest of
//! the program holds an `Arc<dyn Store>` and brings the area traits into scope with
//! `use charter_store::prelude::*`. A new area (a table or two and their queries) adds a trait
//! here and a module in each backend, without widening the others.

use async_trait::async_trait;
use charter_core::chain::Link;
use charter_core::search::SearchQuery;
use charter_core::stats::RegisterStats;
use charter_core::{OrgId, Organisation, Project, ProjectId, Slug, Timestamp};

use crate::challenges;
use crate::notices;
use crate::{
    ApiToken, DerivedValues, NewToken, OrganisationSummary, ProjectWithOrganisation,
    PublishedVersion, RecordParts, SearchDocument, SearchResults, StoreError, StoreResult,
    StoredLink, accounts, drafts, optout, organisations,
};

/// Storage for the register: every area at once. Every method is one consistent operation:
/// writes are all-or-nothing.
pub trait Store:
    RegisterStore
    + ProjectStore
    + DraftStore
    + AccountStore
    + OptOutStore
    + JobStore
    + NoticeStore
    + ChallengeStore
    + ChallengeStatsStore
    + BreachStore
    + SearchStore
    + LawStore
    + DashboardStore
    + 'static
{
}

impl<T> Store for T where
    T: RegisterStore
        + ProjectStore
        + DraftStore
        + AccountStore
        + OptOutStore
        + JobStore
        + NoticeStore
        + ChallengeStore
        + ChallengeStatsStore
        + BreachStore
        + SearchStore
        + LawStore
        + DashboardStore
        + 'static
{
}

/// The register: organisations, publishing to the hash chain, its log, and figures.
#[async_trait]
pub trait RegisterStore: Send + Sync {
    /// Adds an organisation, or replaces the one with the same id.
    async fn organisation_put(&self, org: &Organisation) -> StoreResult<()>;
    /// All organisations, by name, with their project counts.
    async fn organisations(&self) -> StoreResult<Vec<OrganisationSummary>>;
    async fn organisation(&self, slug: &Slug) -> StoreResult<Option<OrganisationSummary>>;
    /// Just the organisation, without counting its projects: for pages about one project.
    async fn organisation_record(&self, slug: &Slug) -> StoreResult<Option<Organisation>>;
    /// Adds an organisation under the next free id (`org.id` is ignored) and returns that id;
    /// or, writing nothing, says whose name or short name it would repeat. Names are compared
    /// without regard to capitals.
    async fn organisation_add(
        &self,
        org: &Organisation,
    ) -> StoreResult<Result<OrgId, organisations::OrgClash>>;
    /// Changes the details of the organisation with `org.id` and `org.slug` (a short name never
    /// changes: entries and their history name it); or, writing nothing, says what is in the way.
    async fn organisation_change(
        &self,
        org: &Organisation,
    ) -> StoreResult<Result<(), organisations::OrgClash>>;
    /// Publishes entries in one transaction (all or none): each entry whose content differs from
    /// its latest published version becomes a new version, appended to the register's hash chain
    /// with `note` and the time `at` (RFC 3339); unchanged entries are left alone. Returns the
    /// new links.
    async fn projects_publish(
        &self,
        projects: &[Project],
        note: &str,
        at: &Timestamp,
    ) -> StoreResult<Vec<Link>>;
    /// Appends links copied from another register, with their stored content, after checking
    /// that each continues this register's chain. For `charter copy`.
    async fn links_append(&self, links: &[StoredLink]) -> StoreResult<()>;
    /// Every published version of an entry, oldest first.
    async fn versions(&self, id: ProjectId) -> StoreResult<Vec<Link>>;
    /// One published version and its content.
    async fn version(&self, id: ProjectId, version: u32) -> StoreResult<Option<PublishedVersion>>;
    /// Up to `limit` links after position `after_seq`, in chain order, with their stored content
    /// (the exact bytes hashed).
    async fn log(&self, after_seq: u64, limit: u32) -> StoreResult<Vec<StoredLink>>;
    /// The newest link, if anything has been published.
    async fn chain_head(&self) -> StoreResult<Option<Link>>;
    /// The id the next new project should take.
    async fn next_project_id(&self) -> StoreResult<ProjectId>;
    async fn stats(&self) -> StoreResult<RegisterStats>;
    /// A number that changes whenever anything a search can return changes.
    async fn register_version(&self) -> StoreResult<i64>;
    /// How many writes that moved `register_version` this store has committed in this process.
    /// Counted after each commit, so a reader that finds it unchanged since it last read
    /// `register_version` has missed no change made here (only those of other processes).
    fn changes_committed_here(&self) -> u64;
}

/// Published entries as lists, pages, exports and search read them. The backends keep
/// documents and the search index differently, so each writes this part itself.
#[async_trait]
pub trait ProjectStore: Send + Sync {
    async fn project(&self, id: ProjectId) -> StoreResult<Option<Project>>;
    /// A project's stored JSON document with its organisation's id and name, in one query,
    /// without parsing the document: for the record API.
    async fn project_record_json(&self, id: ProjectId) -> StoreResult<Option<RecordParts>>;
    /// A project with its whole organisation, in one query: for the project's page.
    async fn project_with_organisation(
        &self,
        id: ProjectId,
    ) -> StoreResult<Option<ProjectWithOrganisation>>;
    /// Up to `limit` projects with ids after `after`, in id order: for exports that stream.
    async fn projects_after(
        &self,
        after: Option<ProjectId>,
        limit: u32,
    ) -> StoreResult<Vec<Project>>;
    /// As `projects_after`, for one organisation's projects only.
    async fn organisation_projects_after(
        &self,
        organisation: &Slug,
        after: Option<ProjectId>,
        limit: u32,
    ) -> StoreResult<Vec<Project>>;
    /// Up to `limit` entries with ids after `after`, in id order: what lists, filters, facets and
    /// search hold for each, as stored. For [`verify`].
    async fn derived_after(
        &self,
        after: Option<ProjectId>,
        limit: u32,
    ) -> StoreResult<Vec<DerivedValues>>;
    /// Up to `limit` ids of search index rows that belong to no entry: searches would count them.
    /// For [`verify`].
    async fn search_strays(&self, limit: u32) -> StoreResult<Vec<i64>>;
    /// Ranked full-text search with filters; facet counts when `with_facets`.
    async fn search(&self, query: &SearchQuery, with_facets: bool) -> StoreResult<SearchResults>;
}

/// Drafts, their review and their logs, and whether an organisation approves its own.
#[async_trait]
pub trait DraftStore: Send + Sync {
    /// Starts a draft, with its first event; for a new entry, takes the next project id.
    /// `Conflict` when the entry already has an open draft.
    async fn draft_create(&self, draft: &drafts::NewDraft) -> StoreResult<drafts::Draft> {
        let mut made = self.drafts_create(std::slice::from_ref(draft)).await?;
        made.pop()
            .ok_or_else(|| StoreError::Database("the new draft was not saved".into()))
    }
    /// Starts several drafts, all or none (a bulk import of thousands of rows). Backends work
    /// out ids and JSON before their write transaction (see [`drafts::ready`]) and insert in a
    /// few statements, so other writers wait a moment, not the length of the import. `Conflict`
    /// when an entry is named twice or already has an open draft.
    async fn drafts_create(&self, drafts: &[drafts::NewDraft]) -> StoreResult<Vec<drafts::Draft>>;
    async fn draft(&self, id: i64) -> StoreResult<Option<drafts::Draft>>;
    /// The entry's draft that is not yet published, if any.
    async fn draft_open_for(&self, project: ProjectId) -> StoreResult<Option<i64>>;
    /// Drafts matching `filter`, most recently changed first.
    async fn drafts(&self, filter: &drafts::DraftFilter) -> StoreResult<Vec<drafts::Draft>>;
    /// A draft's log, oldest first.
    async fn draft_events(&self, id: i64) -> StoreResult<Vec<drafts::DraftEvent>>;
    /// Saves, submits or returns a draft, if its lock and state still match; returns the new lock.
    async fn draft_change(
        &self,
        id: i64,
        change: &drafts::DraftChange<'_>,
    ) -> StoreResult<Result<i64, drafts::DraftConflict>>;
    /// Approves a submitted draft: publishes `entry` (as `projects_publish` does, with `note`) and closes
    /// the draft, in one transaction. Returns the new link, if the content changed.
    async fn draft_publish(
        &self,
        id: i64,
        lock: i64,
        entry: &Project,
        note: &str,
        event: &drafts::DraftEvent,
    ) -> StoreResult<Result<Option<Link>, drafts::DraftConflict>>;
    /// Whether the organisation approves its own entries (a second person in it).
    async fn self_publish(&self, organisation: &Slug) -> StoreResult<bool>;
    async fn self_publish_set(&self, organisation: &Slug, on: bool) -> StoreResult<()>;
}

/// People, their sessions and one-time links, sign-in attempts, API tokens and the audit log.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Stores a new API token's hash for an organisation, owned by a person; returns its id.
    async fn token_create(&self, token: &NewToken<'_>) -> StoreResult<i64>;
    /// The live (not revoked) token with this hash.
    async fn token_by_hash(&self, token_hash: &str) -> StoreResult<Option<ApiToken>>;
    /// Every token an organisation has had, newest first.
    async fn tokens(&self, organisation: &Slug) -> StoreResult<Vec<ApiToken>>;
    /// Revokes a token; false when there is no live token with this id.
    async fn token_revoke(&self, id: i64, at: &Timestamp) -> StoreResult<bool>;
    /// Stores a new site administrator's token (belonging to no organisation), owned by
    /// `owner_id`; returns its id. `scopes` are space-separated.
    async fn site_token_create(
        &self,
        owner_id: i64,
        token_hash: &str,
        label: &str,
        scopes: &str,
        at: &Timestamp,
    ) -> StoreResult<i64>;
    /// The live site administrator's token with this hash.
    async fn site_token_by_hash(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<organisations::SiteToken>>;
    /// Every site administrator's token there has been, newest first.
    async fn site_tokens(&self) -> StoreResult<Vec<organisations::SiteToken>>;
    /// Adds a person; `Conflict` when the email is taken, `UnknownOrganisation` when the
    /// organisation is not on the register.
    async fn user_add(
        &self,
        email: &str,
        name: Option<&str>,
        role: accounts::Role,
        organisation: Option<&Slug>,
        at: &Timestamp,
    ) -> StoreResult<i64>;
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<accounts::User>>;
    async fn user(&self, id: i64) -> StoreResult<Option<accounts::User>>;
    /// Sets a person's password and, in the same transaction, ends every session they have and
    /// every one-time link of theirs not yet used (as expired at `at`): whoever held the old
    /// password or an earlier link holds nothing now.
    async fn user_password_set(
        &self,
        id: i64,
        password_hash: &str,
        at: &Timestamp,
    ) -> StoreResult<()>;
    /// Stores a one-time link's hash for `purpose`, valid until `expires_at`.
    async fn link_create(
        &self,
        token_hash: &str,
        user_id: i64,
        purpose: &str,
        at: &Timestamp,
        expires_at: &Timestamp,
    ) -> StoreResult<()>;
    /// Uses a one-time link: marks it used and returns its person, once, before it expires.
    async fn link_use(
        &self,
        token_hash: &str,
        purpose: &str,
        at: &Timestamp,
    ) -> StoreResult<Result<i64, accounts::LinkProblem>>;
    async fn session_create(
        &self,
        id_hash: &str,
        user_id: i64,
        form_token: &str,
        at: &Timestamp,
        expires_at: &Timestamp,
    ) -> StoreResult<()>;
    /// The live session with this id hash at time `at`.
    async fn session(
        &self,
        id_hash: &str,
        at: &Timestamp,
    ) -> StoreResult<Option<accounts::Session>>;
    async fn session_delete(&self, id_hash: &str) -> StoreResult<()>;
    /// Records a sign-in attempt for `key_hash` as failed, before the password is checked, and
    /// counts the failures since `since` including it, as one atomic step: however many attempts
    /// arrive at once, each sees a different count, so no more than the limit are ever checked.
    async fn sign_in_attempt(
        &self,
        key_hash: &str,
        at: &Timestamp,
        since: &Timestamp,
    ) -> StoreResult<accounts::SignInAttempt>;
    /// Takes back an attempt recorded by `sign_in_attempt`: it succeeded, or it was refused
    /// unchecked (so refused attempts do not lengthen a pause).
    async fn sign_in_forgive(&self, attempt: i64) -> StoreResult<()>;
    /// Forgets every failed sign-in for `key_hash`: its person has just set a new password.
    async fn sign_in_clear(&self, key_hash: &str) -> StoreResult<()>;
    async fn audit_append(&self, entry: &accounts::AuditEntry) -> StoreResult<()>;
    /// The newest `limit` audit entries, newest first.
    async fn audit_log(&self, limit: u32) -> StoreResult<Vec<accounts::AuditEntry>>;
}

/// Residents' opt-outs, identifier kinds and dataset checks.
#[async_trait]
pub trait OptOutStore: Send + Sync {
    /// Adds resident opt-out records with their first events, all or none; returns their ids.
    async fn optouts_add(&self, records: &[optout::NewOptOut]) -> StoreResult<Vec<i64>>;
    /// The record whose private link has this token hash.
    async fn optout_by_token(&self, token_hash: &str) -> StoreResult<Option<optout::OptOutEntry>>;
    /// Appends events to a record's log.
    async fn optout_append(&self, id: i64, events: &[optout::OptOutEvent]) -> StoreResult<()>;
    /// Up to `limit` records with ids above `after`, with their logs: for snapshots and re-keying.
    async fn optouts_after(&self, after: i64, limit: u32) -> StoreResult<Vec<optout::OptOutEntry>>;
    /// Replaces tags and sealed values after a key rotation.
    async fn optout_rekey(&self, updates: &[optout::Rekeyed]) -> StoreResult<()>;
    /// Records a dataset check; false when a check with the same organisation and report hash is
    /// already recorded (nothing is written then).
    async fn check_record(&self, check: &optout::CheckRecord) -> StoreResult<bool>;
    /// The highest key version any record has, if there are records.
    async fn optout_key_version(&self) -> StoreResult<Option<u32>>;
    async fn optout_figures(&self) -> StoreResult<optout::OptOutFigures>;
    /// Every identifier kind set up besides the NHS number, retired ones too, oldest first.
    async fn identifier_kinds(&self) -> StoreResult<Vec<optout::IdentifierKindRecord>>;
    /// Sets up a kind; `Conflict` when its name or tag prefix is taken.
    async fn identifier_kind_add(
        &self,
        spec: &optout::IdentifierKindSpec,
        at: &Timestamp,
    ) -> StoreResult<()>;
    /// Changes a kind's words and rules (never its name or tag prefix), only while no opt-out
    /// uses it, checked in the same statement.
    async fn identifier_kind_change(
        &self,
        spec: &optout::IdentifierKindSpec,
    ) -> StoreResult<optout::KindChange>;
    /// Retires a kind (`Some(time)`) or brings it back (`None`); false when there is none.
    async fn identifier_kind_retire(&self, name: &str, at: Option<&Timestamp>)
    -> StoreResult<bool>;
}

/// Scheduled jobs, and clearing out what has expired.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Claims the run of job `name` due at or before `now`, moving its next run to `next`. True
    /// for exactly one caller per due run, across every instance.
    async fn job_claim(&self, name: &str, now: &Timestamp, next: &Timestamp) -> StoreResult<bool>;
    /// How many times job `name` has run.
    async fn job_runs(&self, name: &str) -> StoreResult<u64>;
    /// Deletes what has expired by `now`: sessions, used or expired links, sign-in failures older
    /// than `failures_before`. Returns how many rows went.
    async fn expired_delete(
        &self,
        now: &Timestamp,
        failures_before: &Timestamp,
    ) -> StoreResult<u64>;
}

/// Email about what happened: the kinds each person turned off, and the queue of messages.
#[async_trait]
pub trait NoticeStore: Send + Sync {
    /// The kinds of email (`charter_core::notices::Notice` slugs) a person has turned off.
    async fn notices_off(&self, user_id: i64) -> StoreResult<Vec<String>>;
    /// Replaces the kinds a person has turned off.
    async fn notices_off_set(&self, user_id: i64, off: &[String]) -> StoreResult<()>;
    /// The people with `role` (in `organisation`, when given) who have set a password and have
    /// not turned `notice` off, oldest account first.
    async fn people_to_tell(
        &self,
        notice: &str,
        role: accounts::Role,
        organisation: Option<&Slug>,
    ) -> StoreResult<Vec<accounts::User>>;
    /// Adds messages to the queue, all or none.
    async fn mail_queue(&self, mails: &[notices::NewMail]) -> StoreResult<()>;
    /// Takes up to `limit` messages due at `now` and tried fewer than `max_tries` times: each is
    /// not due again until `retry_at`, so one caller takes it however many instances ask.
    async fn mail_take(
        &self,
        now: &Timestamp,
        retry_at: &Timestamp,
        max_tries: u32,
        limit: u32,
    ) -> StoreResult<Vec<notices::QueuedMail>>;
    /// A message was sent: it leaves the queue.
    async fn mail_sent(&self, id: i64) -> StoreResult<()>;
    /// A message could not be sent: why, kept with it until it is.
    async fn mail_failed(&self, id: i64, error: &str) -> StoreResult<()>;
    /// Of `keys`, the reminders not yet queued.
    async fn reminders_unsent(&self, keys: &[String]) -> StoreResult<Vec<String>>;
    /// Records each reminder's key and queues its messages, all in one transaction. A key already
    /// recorded (queued by another instance since) queues nothing. Returns how many were new.
    async fn reminders_queue(&self, reminders: &[notices::Reminder]) -> StoreResult<u32>;
    /// The newest `limit` messages to people of `organisation` that were given up on after
    /// `max_tries` tries: their administrators see them, to correct the address.
    async fn mail_undelivered(
        &self,
        organisation: &Slug,
        max_tries: u32,
        limit: u32,
    ) -> StoreResult<Vec<notices::UndeliveredMail>>;
}

/// Residents' challenges to decisions and their questions about projects.
#[async_trait]
pub trait ChallengeStore: Send + Sync {
    /// Stores a new item as received; returns it with its number.
    async fn challenge_add(
        &self,
        new: &challenges::NewChallenge,
    ) -> StoreResult<challenges::Challenge>;
    async fn challenge(&self, id: i64) -> StoreResult<Option<challenges::Challenge>>;
    /// The item whose private link has this hash (none once erased).
    async fn challenge_by_token(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<challenges::Challenge>>;
    /// A page of the items matching `filter`, newest first, and how many match in all.
    async fn challenges(
        &self,
        filter: &challenges::ChallengeFilter,
    ) -> StoreResult<challenges::ChallengePage>;
    /// Makes `change` if the item is still in state `from` (and, to escalate, not escalated
    /// yet); false when it is not (someone acted first) or there is no such item.
    async fn challenge_change(
        &self,
        id: i64,
        from: charter_core::challenges::State,
        change: &challenges::ChallengeChange,
    ) -> StoreResult<bool>;
    /// Erases what the resident sent and how to reach them, and their private link, at their
    /// request: an item still open closes as withdrawn. False when already erased or missing.
    async fn challenge_erase(&self, id: i64, at: &Timestamp) -> StoreResult<bool>;
    /// Erases the personal details of every item closed at or before `closed_before` (a
    /// question answered in public keeps its words); returns how many.
    async fn challenges_erase_closed(
        &self,
        closed_before: &Timestamp,
        at: &Timestamp,
    ) -> StoreResult<u64>;
    /// A project's questions answered in public, newest answer first.
    async fn public_answers(
        &self,
        project: ProjectId,
    ) -> StoreResult<Vec<challenges::PublicAnswer>>;
    /// Everyone in the organisation, by email: who an item can be given to.
    async fn challenge_assignees(&self, organisation: &Slug) -> StoreResult<Vec<accounts::User>>;
}

/// The counts behind the public statistics on challenges and questions, and the items past a
/// deadline: nothing a resident wrote, nor how to reach them.
#[async_trait]
pub trait ChallengeStatsStore: Send + Sync {
    /// What arrived in `scope`, what was answered and when, the outcomes, and what is still open
    /// after its answer was due by `today`.
    async fn challenge_tally(
        &self,
        scope: &crate::challenge_stats::StatsScope,
        today: charter_core::Date,
    ) -> StoreResult<charter_core::challenge_stats::Tally>;
    /// For every project with any items: answered, answered on time and overdue by `today`
    /// (the charter check's `answers-on-time`), by project number.
    async fn challenge_tallies_by_project(
        &self,
        today: charter_core::Date,
    ) -> StoreResult<Vec<(ProjectId, charter_core::challenge_stats::Tally)>>;
    /// The same as [`challenge_tallies_by_project`](Self::challenge_tallies_by_project), for
    /// just these projects (those with any items), read by project number in one query.
    async fn challenge_tallies_for(
        &self,
        projects: &[ProjectId],
        today: charter_core::Date,
    ) -> StoreResult<Vec<(ProjectId, charter_core::challenge_stats::Tally)>>;
    /// `challenge_tally` counted again from every item rather than the kept sums: slow, for
    /// checking that the sums are right.
    async fn challenge_tally_recounted(
        &self,
        scope: &crate::challenge_stats::StatsScope,
        today: charter_core::Date,
    ) -> StoreResult<charter_core::challenge_stats::Tally>;
    /// For the dashboard (`REGION` or an organisation's short name): the changes to answers
    /// given and given on time, by month before `on`'s month and by day in it up to `on`
    /// (`charter_core::challenge_counts::add_answers`).
    async fn challenge_answer_sums(
        &self,
        scope: &str,
        on: charter_core::Date,
    ) -> StoreResult<charter_core::dashboard::StoredSums>;
    /// Open items past a deadline on `today`, the longest overdue first: with `not_reminded`, a
    /// row per missed deadline no reminder went out for; without, a row per item, by the worse
    /// deadline it missed (the answer's).
    async fn challenges_overdue(
        &self,
        today: charter_core::Date,
        not_reminded: bool,
        offset: u64,
        limit: u32,
    ) -> StoreResult<crate::challenge_stats::OverduePage>;
    /// Adds made-up items in one transaction (`charter generate`): nothing else writes items
    /// past the received state directly.
    async fn challenges_add_generated(
        &self,
        items: &[crate::challenge_stats::GeneratedChallenge],
    ) -> StoreResult<()>;
    /// Marks the reminder for `deadline` sent and queues `mails`, together; false (and nothing
    /// queued) when a reminder for it went out already.
    async fn challenge_reminded(
        &self,
        id: i64,
        deadline: crate::challenge_stats::Deadline,
        at: &Timestamp,
        mails: &[notices::NewMail],
    ) -> StoreResult<bool>;
}

/// The breach log: each breach as it stands, and every version it has had.
#[async_trait]
pub trait BreachStore: Send + Sync {
    /// Logs a new breach as its version 1, in one transaction; returns its id.
    /// `UnknownOrganisation` when its organisation is not on the register.
    async fn breach_add(
        &self,
        breach: &charter_core::breaches::Breach,
        change: &crate::breaches::BreachChange<'_>,
    ) -> StoreResult<i64>;
    /// Replaces breach `id` if it is still at `version`, keeping the new version beside the old
    /// ones, in one transaction. Returns the new version; None (writing nothing) when the breach
    /// changed since, or there is none.
    async fn breach_change(
        &self,
        id: i64,
        version: u32,
        breach: &charter_core::breaches::Breach,
        change: &crate::breaches::BreachChange<'_>,
    ) -> StoreResult<Option<u32>>;
    async fn breach(&self, id: i64) -> StoreResult<Option<crate::breaches::StoredBreach>>;
    /// Breaches matching `filter`, the most recently found first.
    async fn breaches(
        &self,
        filter: &crate::breaches::BreachFilter,
    ) -> StoreResult<Vec<crate::breaches::StoredBreach>>;
    /// Every version of a breach, oldest first.
    async fn breach_versions(&self, id: i64) -> StoreResult<Vec<crate::breaches::BreachVersion>>;
}

/// What the in-memory search index is built from and kept current with, and the synonyms a
/// site administrator saved (the store stays the only source of truth).
#[async_trait]
pub trait SearchStore: Send + Sync {
    /// Up to `limit` published entries with ids after `after`, in id order, with their search
    /// text.
    async fn search_documents_after(
        &self,
        after: Option<ProjectId>,
        limit: u32,
    ) -> StoreResult<Vec<SearchDocument>>;
    /// These entries, in id order; ids with no published entry are left out.
    async fn search_documents(&self, ids: &[ProjectId]) -> StoreResult<Vec<SearchDocument>>;
    /// The synonyms a site administrator saved (one group a line, entries split by commas), if
    /// any; otherwise the shipped file is used.
    async fn search_synonyms(&self) -> StoreResult<Option<String>>;
    /// Saves the synonyms and moves the register's version on, so every instance uses them.
    async fn search_synonyms_put(&self, groups: &str, at: &Timestamp) -> StoreResult<()>;
}

/// The register's list of changes in the law or policy (principle 7). Changes are never edited
/// or deleted: the list is a record of what entries were asked to review.
#[async_trait]
pub trait LawStore: Send + Sync {
    /// Every change, the latest to come into force first (then the newest number).
    async fn law_changes(&self) -> StoreResult<Vec<charter_core::law::LawChange>>;
    /// Adds a change recorded on `today` by `by` (as the audit log names them) under the next
    /// number; returns it as listed.
    async fn law_change_add(
        &self,
        change: &charter_core::law::NewLawChange,
        today: charter_core::Date,
        by: &str,
    ) -> StoreResult<charter_core::law::LawChange>;
}

/// The dashboard's sums of changes, kept by day and by month (see `charter_core::dashboard`),
/// and how far along the chain they count.
#[async_trait]
pub trait DashboardStore: Send + Sync {
    /// The seq of the last published version the sums count (0 for none).
    async fn dashboard_position(&self) -> StoreResult<u64>;
    /// Adds `changes` to the sums and moves the position from `from` to `to`, in one
    /// transaction; false, writing nothing, when the position is no longer `from` (another
    /// instance counted those versions first).
    async fn dashboard_add(
        &self,
        from: u64,
        to: u64,
        changes: &charter_core::dashboard::Changes,
    ) -> StoreResult<bool>;
    /// One scope's sums up to `on`: by month for the months before its month, by day within it.
    async fn dashboard_sums(
        &self,
        scope: &str,
        on: charter_core::Date,
    ) -> StoreResult<charter_core::dashboard::StoredSums>;
    /// Every sum one scope has, by day and by month (future days too), for checking them
    /// against a recount.
    async fn dashboard_stored(
        &self,
        scope: &str,
    ) -> StoreResult<charter_core::dashboard::StoredSums>;
    /// One scope's breach figures for each of `months` (`YYYY-MM`, the month a deadline fell
    /// in), as they stood on `on`: (month, metric, sum). See `charter_core::dashboard::breach_months`.
    async fn dashboard_breach_sums(
        &self,
        scope: &str,
        months: &[String],
        on: charter_core::Date,
    ) -> StoreResult<Vec<(String, String, i64)>>;
}
