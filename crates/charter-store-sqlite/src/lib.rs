//! The embedded default store: one SQLite file in WAL mode, FTS5 for search.

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use charter_core::accounts::Role;
use charter_core::chain::{Link, canonical_json};
use charter_core::picklists::{Area, Topic};
use charter_core::search::{SearchQuery, Sort};
use charter_core::stats::RegisterStats;
use charter_core::{OrgId, Organisation, Project, ProjectId, Slug};
use charter_store::accounts::{AuditEntry, LinkProblem, Session, SignInAttempt, User};
use charter_store::drafts::{Draft, DraftChange, DraftConflict, DraftEvent, DraftFilter, NewDraft};
use charter_store::optout::{
    CheckRecord, IdentifierKindRecord, IdentifierKindSpec, KindChange, NewOptOut, OptOutEntry,
    OptOutEvent, OptOutFigures,
};
use charter_store::support::{DERIVED_COLUMNS, mask, search_body, unmask};
use charter_store::{
    ApiToken, DerivedValues, NewToken, OrganisationSummary, ProjectSummary, RecordParts,
    SearchResults, SearchText, Store, StoreError, StoreResult, StoredOrganisation, TokenOwner,
};
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row, SqlitePool};
use tokio::sync::Mutex;

mod accounts;
mod chain;
mod drafts;
mod optout;
mod search;

/// The schema's changes, compiled in from `migrations/` (so the binary carries its own schema).
/// Their versions and descriptions come from the file names and their checksums from the text,
/// as they did when this table was written by hand: databases made before keep migrating.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// How long a write waits for another to finish before giving up with `StoreError::Busy`:
/// generous, so a `charter` command writing to a live register delays the server's writes
/// instead of failing them.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

pub struct SqliteStore {
    pool: SqlitePool,
    url: String,
    /// SQLite allows one writer: this process's writers take turns here, so only one of them
    /// at a time waits on the file's lock (which other processes may hold).
    write: Mutex<()>,
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database at `url` (`sqlite:path` or
    /// `sqlite::memory:`).
    pub async fn open(url: &str) -> StoreResult<SqliteStore> {
        let unavailable = |reason: String| StoreError::Unavailable {
            url: url.to_owned(),
            reason,
        };
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| unavailable(e.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        if !memory {
            owner_only(options.get_filename()).map_err(|e| unavailable(e.to_string()))?;
        }
        // An in-memory database lives in one connection: keep exactly one, forever.
        let pool_options = if memory {
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            SqlitePoolOptions::new().max_connections(8)
        };
        let pool = pool_options
            .connect_with(options)
            .await
            .map_err(|e| classify(url, e))?;
        let store = SqliteStore {
            pool,
            url: url.to_owned(),
            write: Mutex::new(()),
        };
        store.migrate().await?;
        Ok(store)
    }

    /// A fresh private database in memory, for tests.
    pub async fn memory() -> StoreResult<SqliteStore> {
        SqliteStore::open("sqlite::memory:").await
    }

    async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR.run(&self.pool).await.map_err(|e| {
            let reason = match e {
                MigrateError::VersionMissing(v) => format!(
                    "it was set up by a newer version of charter (change {v} is unknown here): upgrade charter"
                ),
                MigrateError::VersionMismatch(v) => format!("change {v} was altered after it was applied"),
                MigrateError::Execute(e) => return classify(&self.url, e),
                other => other.to_string(),
            };
            StoreError::Migration { url: self.url.clone(), reason }
        })
    }

    /// Writes a consistent copy of the whole database to `path` while it stays in use
    /// (`VACUUM INTO` reads one snapshot, so writers are not blocked and the copy is compact).
    pub async fn backup_to(&self, path: &std::path::Path) -> StoreResult<()> {
        let target = path.to_str().ok_or_else(|| {
            StoreError::Database(format!("{} is not a usable file name", path.display()))
        })?;
        sqlx::query("VACUUM INTO ?")
            .bind(target)
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    fn err(&self, e: sqlx::Error) -> StoreError {
        classify(&self.url, e)
    }

    /// This process's turn to write; `Busy` after waiting as long as SQLite itself would.
    async fn turn(&self) -> StoreResult<tokio::sync::MutexGuard<'_, ()>> {
        tokio::time::timeout(BUSY_TIMEOUT, self.write.lock())
            .await
            .map_err(|_| StoreError::Busy {
                url: self.url.clone(),
            })
    }

    /// A write transaction that takes the file's write lock at once. A deferred `BEGIN` that
    /// reads first and then writes fails at once with `SQLITE_BUSY` (no waiting) when another
    /// process wrote in between; `BEGIN IMMEDIATE` instead waits up to the busy timeout.
    async fn begin_write(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| self.err(e))
    }

    /// A uniqueness clash on an identifier kind, in words; anything else as `err` says.
    fn conflict_or(&self, e: sqlx::Error, name: &str) -> StoreError {
        if let sqlx::Error::Database(db) = &e
            && db.kind() == sqlx::error::ErrorKind::UniqueViolation
        {
            return StoreError::Conflict(format!(
                "an identifier kind named “{name}”, or with its tag prefix, is already set up"
            ));
        }
        self.err(e)
    }
}

/// Creates the database file readable and writable by its owner alone, or takes away others'
/// access to one that exists (SQLite gives its `-wal` and `-shm` files the same permissions).
/// The register's accounts, residents' opt-out records and the audit log are in it.
fn owner_only(path: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if path.as_os_str().is_empty() {
            return Ok(());
        }
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| {
                std::io::Error::new(e.kind(), format!("cannot create {}: {e}", path.display()))
            })?;
        for file in [
            path.to_path_buf(),
            wal_file(path, "-wal"),
            wal_file(path, "-shm"),
        ] {
            if let Ok(meta) = std::fs::metadata(&file)
                && meta.permissions().mode() & 0o077 != 0
            {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(unix)]
fn wal_file(path: &std::path::Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

/// Turns a driver error into one that says what happened in words.
fn classify(url: &str, e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            // Extended result codes keep the primary code in the low byte.
            let primary = code.parse::<i32>().map_or(-1, |c| c & 0xff);
            // SQLITE_CORRUPT (11) and SQLITE_NOTADB (26).
            if primary == 11 || primary == 26 || db.message().contains("not a database") {
                StoreError::Corrupt {
                    url: url.to_owned(),
                    reason: db.message().to_owned(),
                }
            } else if primary == 5 || primary == 6 {
                // SQLITE_BUSY and SQLITE_LOCKED: another writer kept the lock past the timeout.
                StoreError::Busy {
                    url: url.to_owned(),
                }
            } else if primary == 14 {
                StoreError::Unavailable {
                    url: url.to_owned(),
                    reason: db.message().to_owned(),
                }
            } else {
                StoreError::Database(db.message().to_owned())
            }
        }
        sqlx::Error::Io(io) => StoreError::Unavailable {
            url: url.to_owned(),
            reason: io.to_string(),
        },
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => StoreError::Unavailable {
            url: url.to_owned(),
            reason: e.to_string(),
        },
        _ => StoreError::Database(e.to_string()),
    }
}

fn parse_doc<T: serde::de::DeserializeOwned>(doc: &str) -> StoreResult<T> {
    serde_json::from_str(doc).map_err(|e| StoreError::Data(e.to_string()))
}

fn to_doc<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Data(e.to_string()))
}

fn summary_from_row(
    row: &SqliteRow,
    organisations: &HashMap<i64, (String, String)>,
) -> StoreResult<ProjectSummary> {
    let bad = |e: &dyn std::fmt::Display| StoreError::Data(e.to_string());
    let get_text =
        |col: &str| -> StoreResult<String> { row.try_get::<String, _>(col).map_err(|e| bad(&e)) };
    let org_id: i64 = row.try_get("organisation_id").map_err(|e| bad(&e))?;
    let org = organisations
        .get(&org_id)
        .ok_or_else(|| StoreError::Data(format!("organisation {org_id} is missing")))?;
    Ok(ProjectSummary {
        id: ProjectId::new(row.try_get::<i64, _>("id").map_err(|e| bad(&e))? as u32),
        slug: get_text("slug")?.parse().map_err(|e| bad(&e))?,
        title: get_text("title")?.parse().map_err(|e| bad(&e))?,
        organisation: org.0.parse().map_err(|e| bad(&e))?,
        organisation_name: org.1.clone(),
        summary: get_text("summary")?,
        status: get_text("status")?.parse().map_err(|e| bad(&e))?,
        uses_ai: row.try_get::<bool, _>("uses_ai").map_err(|e| bad(&e))?,
        ai_kind: row
            .try_get::<Option<String>, _>("ai_kind")
            .map_err(|e| bad(&e))?
            .map(|k| k.parse())
            .transpose()
            .map_err(|e| bad(&e))?,
        decision_role: get_text("decision_role")?.parse().map_err(|e| bad(&e))?,
        areas: unmask(
            row.try_get("areas_mask").map_err(|e| bad(&e))?,
            Area::from_index,
        ),
        topics: unmask(
            row.try_get("topics_mask").map_err(|e| bad(&e))?,
            Topic::from_index,
        ),
        last_updated: get_text("last_updated")?.parse().map_err(|e| bad(&e))?,
    })
}

async fn index_project(
    tx: &mut sqlx::SqliteConnection,
    p: &Project,
    organisation_id: i64,
    organisation_name: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO projects (id, organisation_id, slug, title, summary, status, uses_ai, ai_kind, decision_role,
                               areas_mask, topics_mask, last_updated)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET
           organisation_id = excluded.organisation_id, slug = excluded.slug, title = excluded.title,
           summary = excluded.summary, status = excluded.status, uses_ai = excluded.uses_ai,
           ai_kind = excluded.ai_kind, decision_role = excluded.decision_role,
           areas_mask = excluded.areas_mask, topics_mask = excluded.topics_mask,
           last_updated = excluded.last_updated",
    )
    .bind(i64::from(p.id.number()))
    .bind(organisation_id)
    .bind(p.slug.as_str())
    .bind(p.title.as_str())
    .bind(&p.summary)
    .bind(p.status.slug())
    .bind(p.uses_ai)
    .bind(p.ai_kind.map(|k| k.slug()))
    .bind(p.decision_role.slug())
    .bind(mask(&p.areas, Area::index))
    .bind(mask(&p.topics, Topic::index))
    .bind(p.last_updated.to_string())
    .execute(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO project_docs (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc")
        .bind(i64::from(p.id.number()))
        .bind(serde_json::to_string(p).map_err(|e| sqlx::Error::Encode(Box::new(e)))?)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM project_search WHERE rowid = ?")
        .bind(i64::from(p.id.number()))
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO project_search (rowid, title, summary, body) VALUES (?, ?, ?, ?)")
        .bind(i64::from(p.id.number()))
        .bind(p.title.as_str())
        .bind(&p.summary)
        .bind(search_body(p, organisation_name))
        .execute(&mut *tx)
        .await?;
    Ok(())
}

impl SqliteStore {
    /// Publishing's work inside a caller's transaction (see `Store::publish`).
    pub(crate) async fn publish_in(
        &self,
        tx: &mut sqlx::SqliteConnection,
        projects: &[Project],
        note: &str,
        at: &str,
    ) -> StoreResult<Vec<Link>> {
        let mut head = chain::head(&mut *tx).await.map_err(|e| self.err(e))?;

        let mut orgs: HashMap<Slug, (i64, String)> = HashMap::new();
        let mut links = Vec::new();
        for p in projects {
            if !orgs.contains_key(&p.organisation) {
                let row: Option<(i64, String)> =
                    sqlx::query_as("SELECT id, name FROM organisations WHERE slug = ?")
                        .bind(p.organisation.as_str())
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(|e| self.err(e))?;
                // Returning drops `tx`, which rolls back everything written so far.
                let found =
                    row.ok_or_else(|| StoreError::UnknownOrganisation(p.organisation.clone()))?;
                orgs.insert(p.organisation.clone(), found);
            }
            let canonical = canonical_json(p);
            let latest = chain::latest(&mut *tx, p.id)
                .await
                .map_err(|e| self.err(e))?;
            if latest
                .as_ref()
                .is_some_and(|(_, content)| *content == canonical)
            {
                continue;
            }
            let version = latest.map_or(1, |(v, _)| v + 1);
            let (org_id, org_name) = &orgs[&p.organisation];
            index_project(&mut *tx, p, *org_id, org_name)
                .await
                .map_err(|e| self.err(e))?;
            let link = Link::next(
                head.as_ref(),
                p.id,
                version,
                at.to_owned(),
                note.to_owned(),
                &canonical,
            );
            chain::insert(&mut *tx, &link, &canonical)
                .await
                .map_err(|e| self.err(e))?;
            head = Some(link.clone());
            links.push(link);
        }
        if !links.is_empty() {
            sqlx::query("UPDATE register_version SET version = version + 1 WHERE id = 1")
                .execute(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
        }
        Ok(links)
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn put_organisation(&self, org: &Organisation) -> StoreResult<()> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        let clash: Option<i64> =
            sqlx::query_scalar("SELECT id FROM organisations WHERE slug = ? AND id <> ?")
                .bind(org.slug.as_str())
                .bind(i64::from(org.id.number()))
                .fetch_optional(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
        if let Some(other) = clash {
            return Err(StoreError::Conflict(format!(
                "the short name “{}” is already used by organisation ORG-{other:04}",
                org.slug
            )));
        }
        sqlx::query(
            "INSERT INTO organisations (id, slug, name, doc) VALUES (?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, name = excluded.name, doc = excluded.doc",
        )
        .bind(i64::from(org.id.number()))
        .bind(org.slug.as_str())
        .bind(&org.name)
        .bind(to_doc(org)?)
        .execute(&mut *tx)
        .await
        .map_err(|e| self.err(e))?;
        // The organisation's name is searchable on each of its projects: keep that current.
        let docs: Vec<String> =
            sqlx::query_scalar("SELECT d.doc FROM project_docs d JOIN projects p ON p.id = d.id WHERE p.organisation_id = ?")
                .bind(i64::from(org.id.number()))
                .fetch_all(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
        for doc in docs {
            let p: Project = parse_doc(&doc)?;
            sqlx::query("UPDATE project_search SET body = ? WHERE rowid = ?")
                .bind(search_body(&p, &org.name))
                .bind(i64::from(p.id.number()))
                .execute(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
        }
        sqlx::query("UPDATE register_version SET version = version + 1 WHERE id = 1")
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        tx.commit().await.map_err(|e| self.err(e))
    }

    async fn organisations(&self) -> StoreResult<Vec<OrganisationSummary>> {
        let rows = sqlx::query(
            "SELECT o.doc, count(p.id) AS projects, coalesce(sum(p.uses_ai), 0) AS using_ai
             FROM organisations o LEFT JOIN projects p ON p.organisation_id = o.id
             GROUP BY o.id ORDER BY o.name COLLATE NOCASE, o.id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter().map(org_summary).collect()
    }

    async fn organisation(&self, slug: &Slug) -> StoreResult<Option<OrganisationSummary>> {
        let row = sqlx::query(
            "SELECT o.doc, count(p.id) AS projects, coalesce(sum(p.uses_ai), 0) AS using_ai
             FROM organisations o LEFT JOIN projects p ON p.organisation_id = o.id
             WHERE o.slug = ? GROUP BY o.id",
        )
        .bind(slug.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        row.as_ref().map(org_summary).transpose()
    }

    async fn organisation_record(&self, slug: &Slug) -> StoreResult<Option<Organisation>> {
        let doc: Option<String> =
            sqlx::query_scalar("SELECT doc FROM organisations WHERE slug = ?")
                .bind(slug.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(|e| self.err(e))?;
        doc.map(|d| parse_doc(&d)).transpose()
    }

    async fn publish(&self, projects: &[Project], note: &str, at: &str) -> StoreResult<Vec<Link>> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        let links = self.publish_in(&mut tx, projects, note, at).await?;
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(links)
    }

    async fn append_links(&self, links: &[(Link, String)]) -> StoreResult<()> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        let mut head = chain::head(&mut tx).await.map_err(|e| self.err(e))?;
        for (link, content) in links {
            let expected = chain::latest(&mut tx, link.project)
                .await
                .map_err(|e| self.err(e))?
                .map_or(1, |(v, _)| v + 1);
            link.follows(head.as_ref(), expected, content)
                .map_err(|reason| StoreError::Chain(format!("link {}: {reason}", link.seq)))?;
            let p: Project = parse_doc(content)?;
            let org: Option<(i64, String)> =
                sqlx::query_as("SELECT id, name FROM organisations WHERE slug = ?")
                    .bind(p.organisation.as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(|e| self.err(e))?;
            let (org_id, org_name) =
                org.ok_or_else(|| StoreError::UnknownOrganisation(p.organisation.clone()))?;
            index_project(&mut tx, &p, org_id, &org_name)
                .await
                .map_err(|e| self.err(e))?;
            chain::insert(&mut tx, link, content)
                .await
                .map_err(|e| self.err(e))?;
            head = Some(link.clone());
        }
        sqlx::query("UPDATE register_version SET version = version + 1 WHERE id = 1")
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        tx.commit().await.map_err(|e| self.err(e))
    }

    async fn versions(&self, id: ProjectId) -> StoreResult<Vec<Link>> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM project_versions WHERE project_id = ? ORDER BY version",
            chain::LINK_COLUMNS
        ))
        .bind(i64::from(id.number()))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter().map(chain::link_from_row).collect()
    }

    async fn version(&self, id: ProjectId, version: u32) -> StoreResult<Option<(Link, Project)>> {
        let row = sqlx::query(&format!(
            "SELECT {}, content FROM project_versions WHERE project_id = ? AND version = ?",
            chain::LINK_COLUMNS
        ))
        .bind(i64::from(id.number()))
        .bind(i64::from(version))
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        match row {
            None => Ok(None),
            Some(row) => {
                let content: String = row
                    .try_get("content")
                    .map_err(|e| StoreError::Data(e.to_string()))?;
                Ok(Some((chain::link_from_row(&row)?, parse_doc(&content)?)))
            }
        }
    }

    async fn log(&self, after_seq: u64, limit: u32) -> StoreResult<Vec<(Link, String)>> {
        let rows = sqlx::query(&format!(
            "SELECT {}, content FROM project_versions WHERE seq > ? ORDER BY seq LIMIT ?",
            chain::LINK_COLUMNS
        ))
        .bind(after_seq as i64)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|row| {
                let content: String = row
                    .try_get("content")
                    .map_err(|e| StoreError::Data(e.to_string()))?;
                Ok((chain::link_from_row(row)?, content))
            })
            .collect()
    }

    async fn chain_head(&self) -> StoreResult<Option<Link>> {
        let mut conn = self.pool.acquire().await.map_err(|e| self.err(e))?;
        chain::head(&mut conn).await.map_err(|e| self.err(e))
    }

    async fn project(&self, id: ProjectId) -> StoreResult<Option<Project>> {
        let doc: Option<String> = sqlx::query_scalar("SELECT doc FROM project_docs WHERE id = ?")
            .bind(i64::from(id.number()))
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        doc.as_deref().map(parse_doc).transpose()
    }

    async fn project_record_json(&self, id: ProjectId) -> StoreResult<Option<RecordParts>> {
        let row: Option<(String, i64, String)> = sqlx::query_as(
            "SELECT d.doc, o.id, o.name FROM project_docs d
             JOIN projects p ON p.id = d.id
             JOIN organisations o ON o.id = p.organisation_id
             WHERE d.id = ?",
        )
        .bind(i64::from(id.number()))
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(row.map(|(doc, org_id, org_name)| RecordParts {
            doc,
            organisation_id: OrgId::new(org_id as u32),
            organisation_name: org_name,
        }))
    }

    async fn project_with_organisation(
        &self,
        id: ProjectId,
    ) -> StoreResult<Option<(Project, Organisation)>> {
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT d.doc, o.doc FROM project_docs d
             JOIN projects p ON p.id = d.id
             JOIN organisations o ON o.id = p.organisation_id
             WHERE d.id = ?",
        )
        .bind(i64::from(id.number()))
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        row.map(|(project, org)| Ok((parse_doc(&project)?, parse_doc(&org)?)))
            .transpose()
    }

    async fn organisation_projects_after(
        &self,
        organisation: &Slug,
        after: Option<ProjectId>,
        limit: u32,
    ) -> StoreResult<Vec<Project>> {
        let docs: Vec<String> = sqlx::query_scalar(
            "SELECT d.doc FROM project_docs d JOIN projects p ON p.id = d.id
             WHERE p.organisation_id = (SELECT id FROM organisations WHERE slug = ?) AND d.id > ?
             ORDER BY d.id LIMIT ?",
        )
        .bind(organisation.as_str())
        .bind(after.map_or(0, |id| i64::from(id.number())))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        docs.iter().map(|d| parse_doc(d)).collect()
    }

    async fn projects_after(
        &self,
        after: Option<ProjectId>,
        limit: u32,
    ) -> StoreResult<Vec<Project>> {
        let docs: Vec<String> =
            sqlx::query_scalar("SELECT doc FROM project_docs WHERE id > ? ORDER BY id LIMIT ?")
                .bind(after.map_or(0, |id| i64::from(id.number())))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(|e| self.err(e))?;
        docs.iter().map(|d| parse_doc(d)).collect()
    }

    async fn derived_after(
        &self,
        after: Option<ProjectId>,
        limit: u32,
    ) -> StoreResult<Vec<DerivedValues>> {
        // Left joins throughout: a row missing from any table is a finding, not a reason to
        // skip the entry. FTS5 looks rows up by rowid, so the join stays cheap.
        let rows = sqlx::query(&format!(
            "SELECT {DERIVED_COLUMNS}, d.doc,
                    json_extract(o.doc, '$.slug') AS org_record_slug,
                    json_extract(o.doc, '$.name') AS org_record_name,
                    s.rowid IS NOT NULL AS indexed, s.title AS search_title,
                    s.summary AS search_summary, s.body AS search_body
             FROM projects p
             LEFT JOIN organisations o ON o.id = p.organisation_id
             LEFT JOIN project_docs d ON d.id = p.id
             LEFT JOIN project_search s ON s.rowid = p.id
             WHERE p.id > ? ORDER BY p.id LIMIT ?"
        ))
        .bind(after.map_or(0, |id| i64::from(id.number())))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|row| {
                let bad = |e: sqlx::Error| StoreError::Data(e.to_string());
                let text = |col: &str| -> StoreResult<String> { row.try_get(col).map_err(bad) };
                let found: bool = row.try_get("org_found").map_err(bad)?;
                let indexed: bool = row.try_get("indexed").map_err(bad)?;
                Ok(DerivedValues {
                    id: ProjectId::new(row.try_get::<i64, _>("id").map_err(bad)? as u32),
                    doc: row.try_get("doc").map_err(bad)?,
                    organisation_id: row.try_get("organisation_id").map_err(bad)?,
                    organisation: found
                        .then(|| -> StoreResult<StoredOrganisation> {
                            Ok(StoredOrganisation {
                                slug: text("org_slug")?,
                                name: text("org_name")?,
                                record_slug: row.try_get("org_record_slug").map_err(bad)?,
                                record_name: row.try_get("org_record_name").map_err(bad)?,
                            })
                        })
                        .transpose()?,
                    slug: text("slug")?,
                    title: text("title")?,
                    summary: text("summary")?,
                    status: text("status")?,
                    uses_ai: row.try_get("uses_ai").map_err(bad)?,
                    ai_kind: row.try_get("ai_kind").map_err(bad)?,
                    decision_role: text("decision_role")?,
                    areas_mask: row.try_get("areas_mask").map_err(bad)?,
                    topics_mask: row.try_get("topics_mask").map_err(bad)?,
                    last_updated: text("last_updated")?,
                    search: indexed
                        .then(|| -> StoreResult<SearchText> {
                            Ok(SearchText {
                                title: text("search_title")?,
                                summary: text("search_summary")?,
                                body: text("search_body")?,
                            })
                        })
                        .transpose()?,
                })
            })
            .collect()
    }

    async fn search_strays(&self, limit: u32) -> StoreResult<Vec<i64>> {
        sqlx::query_scalar(
            "SELECT rowid FROM project_search WHERE rowid NOT IN (SELECT id FROM projects)
             ORDER BY rowid LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))
    }

    async fn next_project_id(&self) -> StoreResult<ProjectId> {
        self.next_id(&self.pool).await
    }

    async fn search(&self, query: &SearchQuery, with_facets: bool) -> StoreResult<SearchResults> {
        search::run(&self.pool, query, with_facets)
            .await
            .map_err(|e| self.err(e))
    }

    async fn optouts_add(&self, records: &[NewOptOut]) -> StoreResult<Vec<i64>> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        let ids = optout::add(&mut tx, records)
            .await
            .map_err(|e| self.err(e))?;
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(ids)
    }

    async fn optout_by_token(&self, token_hash: &str) -> StoreResult<Option<OptOutEntry>> {
        optout::by_token(&self.pool, token_hash)
            .await
            .map_err(|e| self.err(e))
    }

    async fn optout_append(&self, id: i64, events: &[OptOutEvent]) -> StoreResult<()> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        optout::append(&mut tx, id, events)
            .await
            .map_err(|e| self.err(e))?;
        tx.commit().await.map_err(|e| self.err(e))
    }

    async fn optouts_after(&self, after: i64, limit: u32) -> StoreResult<Vec<OptOutEntry>> {
        optout::after(&self.pool, after, limit)
            .await
            .map_err(|e| self.err(e))
    }

    async fn optout_rekey(&self, updates: &[(i64, Vec<u8>, Vec<u8>, u32)]) -> StoreResult<()> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        optout::rekey(&mut tx, updates)
            .await
            .map_err(|e| self.err(e))?;
        tx.commit().await.map_err(|e| self.err(e))
    }

    async fn record_check(&self, check: &CheckRecord) -> StoreResult<bool> {
        optout::record_check(&self.pool, check)
            .await
            .map_err(|e| self.err(e))
    }

    async fn optout_key_version(&self) -> StoreResult<Option<u32>> {
        let v: Option<i64> = sqlx::query_scalar("SELECT max(key_version) FROM optout_residents")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(v.map(|v| v as u32))
    }

    async fn optout_figures(&self) -> StoreResult<OptOutFigures> {
        optout::figures(&self.pool).await.map_err(|e| self.err(e))
    }

    async fn identifier_kinds(&self) -> StoreResult<Vec<IdentifierKindRecord>> {
        optout::kinds(&self.pool).await.map_err(|e| self.err(e))
    }

    async fn identifier_kind_add(&self, spec: &IdentifierKindSpec, at: &str) -> StoreResult<()> {
        let _turn = self.turn().await?;
        optout::kind_add(&self.pool, spec, at)
            .await
            .map_err(|e| self.conflict_or(e, &spec.name))
    }

    async fn identifier_kind_change(&self, spec: &IdentifierKindSpec) -> StoreResult<KindChange> {
        let _turn = self.turn().await?;
        optout::kind_change(&self.pool, spec)
            .await
            .map_err(|e| self.err(e))
    }

    async fn identifier_kind_retire(&self, name: &str, at: Option<&str>) -> StoreResult<bool> {
        let _turn = self.turn().await?;
        optout::kind_retire(&self.pool, name, at)
            .await
            .map_err(|e| self.err(e))
    }

    async fn token_create(&self, token: &NewToken<'_>) -> StoreResult<i64> {
        let _turn = self.turn().await?;
        // The owner must belong to the organisation or run the register; the caller checks
        // that they may make tokens for it.
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO api_tokens (organisation_id, owner_id, token_hash, label, scopes, created_at) SELECT id, ?, ?, ?, ?, ? FROM organisations WHERE slug = ? RETURNING id",
        )
        .bind(token.owner_id)
        .bind(token.token_hash)
        .bind(token.label)
        .bind(token.scopes)
        .bind(token.at)
        .bind(token.organisation.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        id.ok_or_else(|| StoreError::UnknownOrganisation(token.organisation.clone()))
    }

    async fn token_find(&self, token_hash: &str) -> StoreResult<Option<ApiToken>> {
        let rows = sqlx::query(
            "SELECT t.id, o.slug, t.label, t.scopes, t.created_at, t.revoked_at, u.id AS owner_id, u.email AS owner_email FROM api_tokens t JOIN organisations o ON o.id = t.organisation_id LEFT JOIN users u ON u.id = t.owner_id WHERE t.token_hash = ? AND t.revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter().map(token_from_row).next().transpose()
    }

    async fn tokens(&self, organisation: &Slug) -> StoreResult<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT t.id, o.slug, t.label, t.scopes, t.created_at, t.revoked_at, u.id AS owner_id, u.email AS owner_email FROM api_tokens t JOIN organisations o ON o.id = t.organisation_id LEFT JOIN users u ON u.id = t.owner_id WHERE o.slug = ? ORDER BY t.id DESC",
        )
        .bind(organisation.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter().map(token_from_row).collect()
    }

    async fn token_revoke(&self, id: i64, at: &str) -> StoreResult<bool> {
        let _turn = self.turn().await?;
        let done =
            sqlx::query("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
                .bind(at)
                .bind(id)
                .execute(&self.pool)
                .await
                .map_err(|e| self.err(e))?;
        Ok(done.rows_affected() == 1)
    }

    async fn user_add(
        &self,
        email: &str,
        name: Option<&str>,
        role: Role,
        organisation: Option<&Slug>,
        at: &str,
    ) -> StoreResult<i64> {
        let _turn = self.turn().await?;
        accounts::user_add(&self.pool, email, name, role, organisation, at)
            .await
            .map_err(|e| self.err(e))?
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        accounts::user_by_email(&self.pool, email)
            .await
            .map_err(|e| self.err(e))?
    }

    async fn user(&self, id: i64) -> StoreResult<Option<User>> {
        accounts::user_by_id(&self.pool, id)
            .await
            .map_err(|e| self.err(e))?
    }

    async fn sign_in_clear(&self, key_hash: &str) -> StoreResult<()> {
        let _turn = self.turn().await?;
        accounts::sign_in_clear(&self.pool, key_hash)
            .await
            .map_err(|e| self.err(e))
    }

    async fn user_set_password(&self, id: i64, password_hash: &str, at: &str) -> StoreResult<()> {
        let _turn = self.turn().await?;
        accounts::user_set_password(&self.pool, id, password_hash, at)
            .await
            .map_err(|e| self.err(e))
    }

    async fn link_create(
        &self,
        token_hash: &str,
        user_id: i64,
        purpose: &str,
        at: &str,
        expires_at: &str,
    ) -> StoreResult<()> {
        let _turn = self.turn().await?;
        accounts::link_create(&self.pool, token_hash, user_id, purpose, at, expires_at)
            .await
            .map_err(|e| self.err(e))
    }

    async fn link_use(
        &self,
        token_hash: &str,
        purpose: &str,
        at: &str,
    ) -> StoreResult<Result<i64, LinkProblem>> {
        let _turn = self.turn().await?;
        accounts::link_use(&self.pool, token_hash, purpose, at)
            .await
            .map_err(|e| self.err(e))
    }

    async fn session_create(
        &self,
        id_hash: &str,
        user_id: i64,
        form_token: &str,
        at: &str,
        expires_at: &str,
    ) -> StoreResult<()> {
        let _turn = self.turn().await?;
        accounts::session_create(&self.pool, id_hash, user_id, form_token, at, expires_at)
            .await
            .map_err(|e| self.err(e))
    }

    async fn session_get(&self, id_hash: &str, at: &str) -> StoreResult<Option<Session>> {
        accounts::session_get(&self.pool, id_hash, at)
            .await
            .map_err(|e| self.err(e))?
    }

    async fn session_delete(&self, id_hash: &str) -> StoreResult<()> {
        let _turn = self.turn().await?;
        accounts::session_delete(&self.pool, id_hash)
            .await
            .map_err(|e| self.err(e))
    }

    async fn sign_in_attempt(
        &self,
        key_hash: &str,
        at: &str,
        since: &str,
    ) -> StoreResult<SignInAttempt> {
        let _turn = self.turn().await?;
        accounts::sign_in_attempt(&self.pool, key_hash, at, since)
            .await
            .map_err(|e| self.err(e))
    }

    async fn sign_in_forgive(&self, attempt: i64) -> StoreResult<()> {
        let _turn = self.turn().await?;
        accounts::sign_in_forgive(&self.pool, attempt)
            .await
            .map_err(|e| self.err(e))
    }

    async fn audit(&self, entry: &AuditEntry) -> StoreResult<()> {
        let _turn = self.turn().await?;
        accounts::audit(&self.pool, entry)
            .await
            .map_err(|e| self.err(e))
    }

    async fn audit_log(&self, limit: u32) -> StoreResult<Vec<AuditEntry>> {
        accounts::audit_log(&self.pool, limit)
            .await
            .map_err(|e| self.err(e))
    }

    async fn job_claim(&self, name: &str, now: &str, next: &str) -> StoreResult<bool> {
        let _turn = self.turn().await?;
        sqlx::query("INSERT INTO jobs (name, next_run_at, runs) VALUES (?, ?, 0) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        let claimed = sqlx::query(
            "UPDATE jobs SET next_run_at = ?, runs = runs + 1, last_run_at = ? WHERE name = ? AND next_run_at <= ?",
        )
        .bind(next)
        .bind(now)
        .bind(name)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(claimed.rows_affected() == 1)
    }

    async fn job_runs(&self, name: &str) -> StoreResult<u64> {
        let n: Option<i64> = sqlx::query_scalar("SELECT runs FROM jobs WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(n.unwrap_or(0) as u64)
    }

    async fn housekeeping(&self, now: &str, failures_before: &str) -> StoreResult<u64> {
        let _turn = self.turn().await?;
        let mut gone = 0;
        for (sql, at) in [
            ("DELETE FROM sessions WHERE expires_at <= ?", now),
            ("DELETE FROM account_links WHERE expires_at <= ?", now),
            (
                "DELETE FROM sign_in_failures WHERE at <= ?",
                failures_before,
            ),
        ] {
            gone += sqlx::query(sql)
                .bind(at)
                .execute(&self.pool)
                .await
                .map_err(|e| self.err(e))?
                .rows_affected();
        }
        Ok(gone)
    }

    async fn register_version(&self) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT version FROM register_version WHERE id = 1")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.err(e))
    }

    async fn drafts_create(&self, drafts: &[NewDraft]) -> StoreResult<Vec<Draft>> {
        self.create_drafts(drafts).await
    }
    async fn draft(&self, id: i64) -> StoreResult<Option<Draft>> {
        self.get_draft(id).await
    }
    async fn draft_open_for(&self, project: ProjectId) -> StoreResult<Option<i64>> {
        self.open_draft_for(project).await
    }
    async fn drafts(&self, filter: &DraftFilter) -> StoreResult<Vec<Draft>> {
        self.list_drafts(filter).await
    }
    async fn draft_events(&self, id: i64) -> StoreResult<Vec<DraftEvent>> {
        self.events_of(id).await
    }
    async fn draft_change(
        &self,
        id: i64,
        change: &DraftChange<'_>,
    ) -> StoreResult<Result<i64, DraftConflict>> {
        self.change_draft(id, change).await
    }
    async fn draft_publish(
        &self,
        id: i64,
        lock: i64,
        entry: &Project,
        note: &str,
        event: &DraftEvent,
    ) -> StoreResult<Result<Option<Link>, DraftConflict>> {
        self.publish_draft(id, lock, entry, note, event).await
    }
    async fn self_publish(&self, organisation: &Slug) -> StoreResult<bool> {
        self.get_self_publish(organisation).await
    }
    async fn set_self_publish(&self, organisation: &Slug, on: bool) -> StoreResult<()> {
        self.put_self_publish(organisation, on).await
    }

    async fn stats(&self) -> StoreResult<RegisterStats> {
        let (projects, using_ai): (i64, i64) =
            sqlx::query_as("SELECT count(*), coalesce(sum(uses_ai), 0) FROM projects")
                .fetch_one(&self.pool)
                .await
                .map_err(|e| self.err(e))?;
        let organisations: i64 = sqlx::query_scalar("SELECT count(*) FROM organisations")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(RegisterStats {
            projects: projects as u64,
            organisations: organisations as u64,
            projects_using_ai: using_ai as u64,
        })
    }
}

fn org_summary(row: &SqliteRow) -> StoreResult<OrganisationSummary> {
    let doc: String = row
        .try_get("doc")
        .map_err(|e| StoreError::Data(e.to_string()))?;
    let projects: i64 = row
        .try_get("projects")
        .map_err(|e| StoreError::Data(e.to_string()))?;
    let using_ai: i64 = row
        .try_get("using_ai")
        .map_err(|e| StoreError::Data(e.to_string()))?;
    Ok(OrganisationSummary {
        organisation: parse_doc(&doc)?,
        projects: projects as u64,
        projects_using_ai: using_ai as u64,
    })
}

pub(crate) fn order_by(sort: Sort, ranked: bool) -> &'static str {
    match sort {
        Sort::Relevance if ranked => "bm25(project_search, 10.0, 4.0, 1.0), project_search.rowid",
        Sort::Relevance | Sort::Updated => "p.last_updated DESC, p.id",
        Sort::Title => "p.title COLLATE NOCASE, p.id",
        Sort::Organisation => {
            "(SELECT name FROM organisations WHERE id = p.organisation_id) COLLATE NOCASE, p.title COLLATE NOCASE, p.id"
        }
    }
}

fn token_from_row(row: &SqliteRow) -> StoreResult<ApiToken> {
    let bad = |e: sqlx::Error| StoreError::Data(e.to_string());
    let slug: String = row.try_get("slug").map_err(bad)?;
    let scopes: String = row.try_get("scopes").map_err(bad)?;
    Ok(ApiToken {
        id: row.try_get("id").map_err(bad)?,
        organisation: slug
            .parse()
            .map_err(|e: charter_core::ids::IdError| StoreError::Data(e.to_string()))?,
        owner: match (
            row.try_get::<Option<i64>, _>("owner_id").map_err(bad)?,
            row.try_get::<Option<String>, _>("owner_email")
                .map_err(bad)?,
        ) {
            (Some(user_id), Some(email)) => Some(TokenOwner { user_id, email }),
            _ => None,
        },
        label: row.try_get("label").map_err(bad)?,
        scopes: scopes.split_whitespace().map(str::to_owned).collect(),
        created_at: row.try_get("created_at").map_err(bad)?,
        revoked_at: row.try_get("revoked_at").map_err(bad)?,
    })
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    async fn fresh() -> SqliteStore {
        SqliteStore::memory().await.expect("in-memory store opens")
    }

    #[async_trait]
    impl charter_store::conformance::Tamper for SqliteStore {
        async fn execute_sql(&self, sql: &str) {
            sqlx::query(sql).execute(&self.pool).await.expect(sql);
        }
        fn search_edit(&self, id: u32) -> String {
            format!("UPDATE project_search SET body = 'Edited search text' WHERE rowid = {id}")
        }
        fn search_stray(&self, id: u32) -> Option<String> {
            Some(format!(
                "INSERT INTO project_search (rowid, title, summary, body) VALUES ({id}, 'Stray', 'Stray', 'Stray')"
            ))
        }
    }

    charter_store::conformance_tests!(fresh);

    /// A database file of its own under the temp folder, removed (with its WAL files) at drop.
    struct TempFile(std::path::PathBuf);

    impl Drop for TempFile {
        fn drop(&mut self) {
            for suffix in ["", "-wal", "-shm"] {
                let mut path = self.0.clone().into_os_string();
                path.push(suffix);
                let _ = std::fs::remove_file(path);
            }
        }
    }

    /// Two stores on one file, as `charter import` and `charter serve` are two processes.
    #[tokio::test]
    async fn writes_wait_for_an_import_from_another_process() {
        let file = TempFile(std::env::temp_dir().join(format!(
            "charter-busy-{}-{}.db",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        )));
        let url = format!("sqlite:{}", file.0.display());
        let server = SqliteStore::open(&url)
            .await
            .expect("the server's store opens");
        let importer = SqliteStore::open(&url)
            .await
            .expect("the import's store opens");
        charter_store::conformance::writes_wait_for_an_import_from_another_instance(
            importer, server,
        )
        .await;
    }

    #[test]
    fn a_held_lock_is_busy_not_a_database_error() {
        // What SQLite says when the busy timeout runs out: SQLITE_BUSY, and an extended code.
        for code in [5, 517, 6] {
            let e = classify("sqlite:x.db", busy_error(code));
            assert!(matches!(e, StoreError::Busy { .. }), "{code}: {e:?}");
        }
    }

    fn busy_error(code: i32) -> sqlx::Error {
        #[derive(Debug)]
        struct Locked(i32);
        impl std::fmt::Display for Locked {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("database is locked")
            }
        }
        impl std::error::Error for Locked {}
        impl sqlx::error::DatabaseError for Locked {
            fn message(&self) -> &str {
                "database is locked"
            }
            fn code(&self) -> Option<Cow<'_, str>> {
                Some(self.0.to_string().into())
            }
            fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
                self
            }
            fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
                self
            }
            fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
                self
            }
            fn kind(&self) -> sqlx::error::ErrorKind {
                sqlx::error::ErrorKind::Other
            }
        }
        sqlx::Error::Database(Box::new(Locked(code)))
    }
}
