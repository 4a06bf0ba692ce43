//! The scale-out store: PostgreSQL, with English full-text search on a generated `tsvector`.
//! Several `charter serve` processes can share one database: nothing here caches mutable data.

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
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{Connection, PgConnection, PgPool, Row};

mod accounts;
mod chain;
mod drafts;
mod optout;
mod search;

/// The schema's changes, compiled in from `migrations/` (so the binary carries its own schema).
/// Their versions and descriptions come from the file names and their checksums from the text,
/// as they did when this table was written by hand: databases made before keep migrating.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

pub struct PostgresStore {
    pool: PgPool,
    url: String,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://…`) and brings the schema up to date. Several processes may
    /// do this at once: migrations take an advisory lock.
    pub async fn open(url: &str) -> StoreResult<PostgresStore> {
        PostgresStore::open_in_schema(url, None).await
    }

    /// As `open`, inside `schema` (created if missing): tests use one schema each.
    pub async fn open_in_schema(url: &str, schema: Option<&str>) -> StoreResult<PostgresStore> {
        let shown = redact(url);
        let mut options = PgConnectOptions::from_str(url).map_err(|e| StoreError::Unavailable {
            url: shown.clone(),
            reason: e.to_string(),
        })?;
        // One direct connection first: a pool would hide why it cannot connect behind a timeout.
        let mut first = PgConnection::connect_with(&options)
            .await
            .map_err(|e| classify(&shown, e))?;
        if let Some(schema) = schema {
            sqlx::query(&format!(
                "CREATE SCHEMA IF NOT EXISTS \"{}\"",
                schema.replace('"', "")
            ))
            .execute(&mut first)
            .await
            .map_err(|e| classify(&shown, e))?;
            options = options.options([("search_path", schema)]);
        }
        let _ = first.close().await;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            // Short: while the database is down a request should fail quickly, not queue.
            .acquire_timeout(Duration::from_secs(2))
            .connect_with(options)
            .await
            .map_err(|e| classify(&shown, e))?;
        let store = PostgresStore { pool, url: shown };
        store.migrate().await?;
        Ok(store)
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

    pub async fn close(&self) {
        self.pool.close().await;
    }

    fn err(&self, e: sqlx::Error) -> StoreError {
        classify(&self.url, e)
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

/// The URL without its password, for messages and logs.
fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((credentials, host)) => {
                let user = credentials.split(':').next().unwrap_or("");
                format!("{scheme}://{user}@{host}")
            }
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

fn classify(url: &str, e: sqlx::Error) -> StoreError {
    let unavailable = |reason: String| StoreError::Unavailable {
        url: url.to_owned(),
        reason,
    };
    match &e {
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default().into_owned();
            match code.as_str() {
                // Connection and authorisation failures, a missing database, shutting down.
                c if c.starts_with("08")
                    || c.starts_with("28")
                    || c == "3D000"
                    || c.starts_with("57P") =>
                {
                    unavailable(db.message().to_owned())
                }
                "23505" => StoreError::Conflict(db.message().to_owned()),
                // lock_not_available: a lock_timeout ran out waiting for another writer.
                "55P03" => StoreError::Busy {
                    url: url.to_owned(),
                },
                "XX001" | "XX002" => StoreError::Corrupt {
                    url: url.to_owned(),
                    reason: db.message().to_owned(),
                },
                _ => StoreError::Database(db.message().to_owned()),
            }
        }
        sqlx::Error::Io(io) => unavailable(io.to_string()),
        sqlx::Error::Tls(t) => unavailable(t.to_string()),
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => {
            unavailable(e.to_string())
        }
        sqlx::Error::Configuration(c) => unavailable(c.to_string()),
        _ => StoreError::Database(e.to_string()),
    }
}

fn parse_doc<T: serde::de::DeserializeOwned>(doc: serde_json::Value) -> StoreResult<T> {
    serde_json::from_value(doc).map_err(|e| StoreError::Data(e.to_string()))
}

fn to_doc<T: serde::Serialize>(value: &T) -> StoreResult<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| StoreError::Data(e.to_string()))
}

pub(crate) fn summary_from_row(row: &PgRow) -> StoreResult<ProjectSummary> {
    let bad = |e: &dyn std::fmt::Display| StoreError::Data(e.to_string());
    let text =
        |col: &str| -> StoreResult<String> { row.try_get::<String, _>(col).map_err(|e| bad(&e)) };
    Ok(ProjectSummary {
        id: ProjectId::new(row.try_get::<i32, _>("id").map_err(|e| bad(&e))? as u32),
        slug: text("slug")?.parse().map_err(|e| bad(&e))?,
        title: text("title")?.parse().map_err(|e| bad(&e))?,
        organisation: text("org_slug")?.parse().map_err(|e| bad(&e))?,
        organisation_name: text("org_name")?,
        summary: text("summary")?,
        status: text("status")?.parse().map_err(|e| bad(&e))?,
        uses_ai: row.try_get::<bool, _>("uses_ai").map_err(|e| bad(&e))?,
        ai_kind: row
            .try_get::<Option<String>, _>("ai_kind")
            .map_err(|e| bad(&e))?
            .map(|k| k.parse())
            .transpose()
            .map_err(|e| bad(&e))?,
        decision_role: text("decision_role")?.parse().map_err(|e| bad(&e))?,
        areas: unmask(
            row.try_get("areas_mask").map_err(|e| bad(&e))?,
            Area::from_index,
        ),
        topics: unmask(
            row.try_get("topics_mask").map_err(|e| bad(&e))?,
            Topic::from_index,
        ),
        last_updated: text("last_updated")?.parse().map_err(|e| bad(&e))?,
    })
}

pub(crate) fn order_by(sort: Sort, ranked: bool) -> &'static str {
    match sort {
        Sort::Relevance if ranked => "ts_rank(p.search, query) DESC, p.id",
        Sort::Relevance | Sort::Updated => "p.last_updated DESC, p.id",
        Sort::Title => "lower(p.title) COLLATE \"C\", p.id",
        Sort::Organisation => "lower(o.name) COLLATE \"C\", lower(p.title) COLLATE \"C\", p.id",
    }
}

async fn write_project(
    tx: &mut sqlx::PgConnection,
    p: &Project,
    organisation_id: i32,
    organisation_name: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO projects (id, organisation_id, slug, title, summary, status, uses_ai, ai_kind, decision_role,
                               areas_mask, topics_mask, last_updated, search_body, doc)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (id) DO UPDATE SET
           organisation_id = excluded.organisation_id, slug = excluded.slug, title = excluded.title,
           summary = excluded.summary, status = excluded.status, uses_ai = excluded.uses_ai,
           ai_kind = excluded.ai_kind, decision_role = excluded.decision_role,
           areas_mask = excluded.areas_mask, topics_mask = excluded.topics_mask,
           last_updated = excluded.last_updated, search_body = excluded.search_body, doc = excluded.doc",
    )
    .bind(p.id.number() as i32)
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
    .bind(search_body(p, organisation_name))
    .bind(sqlx::types::Json(p))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

impl PostgresStore {
    /// Publishing's work inside a caller's transaction (see `Store::publish`).
    pub(crate) async fn publish_in(
        &self,
        tx: &mut PgConnection,
        projects: &[Project],
        note: &str,
        at: &str,
    ) -> StoreResult<Vec<Link>> {
        chain::lock(&mut *tx).await.map_err(|e| self.err(e))?;
        let mut head = chain::head(&mut *tx).await.map_err(|e| self.err(e))?;

        let mut orgs: HashMap<Slug, (i32, String)> = HashMap::new();
        let mut links = Vec::new();
        for p in projects {
            if !orgs.contains_key(&p.organisation) {
                let row: Option<(i32, String)> =
                    sqlx::query_as("SELECT id, name FROM organisations WHERE slug = $1")
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
            write_project(&mut *tx, p, *org_id, org_name)
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
impl Store for PostgresStore {
    async fn put_organisation(&self, org: &Organisation) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        let clash: Option<i32> =
            sqlx::query_scalar("SELECT id FROM organisations WHERE slug = $1 AND id <> $2")
                .bind(org.slug.as_str())
                .bind(org.id.number() as i32)
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
            "INSERT INTO organisations (id, slug, name, doc) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, name = excluded.name, doc = excluded.doc",
        )
        .bind(org.id.number() as i32)
        .bind(org.slug.as_str())
        .bind(&org.name)
        .bind(to_doc(org)?)
        .execute(&mut *tx)
        .await
        .map_err(|e| self.err(e))?;
        // The organisation's name is searchable on each of its projects: keep that current.
        let docs: Vec<serde_json::Value> =
            sqlx::query_scalar("SELECT doc FROM projects WHERE organisation_id = $1")
                .bind(org.id.number() as i32)
                .fetch_all(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
        for doc in docs {
            let p: Project = parse_doc(doc)?;
            sqlx::query("UPDATE projects SET search_body = $1 WHERE id = $2")
                .bind(search_body(&p, &org.name))
                .bind(p.id.number() as i32)
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
            "SELECT o.doc, count(p.id) AS projects, count(p.id) FILTER (WHERE p.uses_ai) AS using_ai
             FROM organisations o LEFT JOIN projects p ON p.organisation_id = o.id
             GROUP BY o.id ORDER BY lower(o.name) COLLATE \"C\", o.id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.into_iter().map(org_summary).collect()
    }

    async fn organisation(&self, slug: &Slug) -> StoreResult<Option<OrganisationSummary>> {
        let row = sqlx::query(
            "SELECT o.doc, count(p.id) AS projects, count(p.id) FILTER (WHERE p.uses_ai) AS using_ai
             FROM organisations o LEFT JOIN projects p ON p.organisation_id = o.id
             WHERE o.slug = $1 GROUP BY o.id",
        )
        .bind(slug.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        row.map(org_summary).transpose()
    }

    async fn organisation_record(&self, slug: &Slug) -> StoreResult<Option<Organisation>> {
        let doc: Option<serde_json::Value> =
            sqlx::query_scalar("SELECT doc FROM organisations WHERE slug = $1")
                .bind(slug.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(|e| self.err(e))?;
        doc.map(parse_doc).transpose()
    }

    async fn publish(&self, projects: &[Project], note: &str, at: &str) -> StoreResult<Vec<Link>> {
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        let links = self.publish_in(&mut tx, projects, note, at).await?;
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(links)
    }

    async fn append_links(&self, links: &[(Link, String)]) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        chain::lock(&mut tx).await.map_err(|e| self.err(e))?;
        let mut head = chain::head(&mut tx).await.map_err(|e| self.err(e))?;
        for (link, content) in links {
            let expected = chain::latest(&mut tx, link.project)
                .await
                .map_err(|e| self.err(e))?
                .map_or(1, |(v, _)| v + 1);
            link.follows(head.as_ref(), expected, content)
                .map_err(|reason| StoreError::Chain(format!("link {}: {reason}", link.seq)))?;
            let p: Project =
                serde_json::from_str(content).map_err(|e| StoreError::Data(e.to_string()))?;
            let org: Option<(i32, String)> =
                sqlx::query_as("SELECT id, name FROM organisations WHERE slug = $1")
                    .bind(p.organisation.as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(|e| self.err(e))?;
            let (org_id, org_name) =
                org.ok_or_else(|| StoreError::UnknownOrganisation(p.organisation.clone()))?;
            write_project(&mut tx, &p, org_id, &org_name)
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
            "SELECT {} FROM project_versions WHERE project_id = $1 ORDER BY version",
            chain::LINK_COLUMNS
        ))
        .bind(id.number() as i32)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter().map(chain::link_from_row).collect()
    }

    async fn version(&self, id: ProjectId, version: u32) -> StoreResult<Option<(Link, Project)>> {
        let row = sqlx::query(&format!(
            "SELECT {}, content FROM project_versions WHERE project_id = $1 AND version = $2",
            chain::LINK_COLUMNS
        ))
        .bind(id.number() as i32)
        .bind(version as i32)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        match row {
            None => Ok(None),
            Some(row) => {
                let content: String = row
                    .try_get("content")
                    .map_err(|e| StoreError::Data(e.to_string()))?;
                let p: Project =
                    serde_json::from_str(&content).map_err(|e| StoreError::Data(e.to_string()))?;
                Ok(Some((chain::link_from_row(&row)?, p)))
            }
        }
    }

    async fn log(&self, after_seq: u64, limit: u32) -> StoreResult<Vec<(Link, String)>> {
        let rows = sqlx::query(&format!(
            "SELECT {}, content FROM project_versions WHERE seq > $1 ORDER BY seq LIMIT $2",
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
        let doc: Option<serde_json::Value> =
            sqlx::query_scalar("SELECT doc FROM projects WHERE id = $1")
                .bind(id.number() as i32)
                .fetch_optional(&self.pool)
                .await
                .map_err(|e| self.err(e))?;
        doc.map(parse_doc).transpose()
    }

    async fn project_record_json(&self, id: ProjectId) -> StoreResult<Option<RecordParts>> {
        // `doc::text`: the JSONB as text, straight from the server, never parsed here.
        let row: Option<(String, i32, String)> = sqlx::query_as(
            "SELECT p.doc::text, o.id, o.name FROM projects p
             JOIN organisations o ON o.id = p.organisation_id
             WHERE p.id = $1",
        )
        .bind(id.number() as i32)
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
        let row: Option<(serde_json::Value, serde_json::Value)> = sqlx::query_as(
            "SELECT p.doc, o.doc FROM projects p
             JOIN organisations o ON o.id = p.organisation_id
             WHERE p.id = $1",
        )
        .bind(id.number() as i32)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        row.map(|(project, org)| Ok((parse_doc(project)?, parse_doc(org)?)))
            .transpose()
    }

    async fn organisation_projects_after(
        &self,
        organisation: &Slug,
        after: Option<ProjectId>,
        limit: u32,
    ) -> StoreResult<Vec<Project>> {
        let docs: Vec<serde_json::Value> = sqlx::query_scalar(
            "SELECT p.doc FROM projects p
             WHERE p.organisation_id = (SELECT id FROM organisations WHERE slug = $1) AND p.id > $2
             ORDER BY p.id LIMIT $3",
        )
        .bind(organisation.as_str())
        .bind(after.map_or(0, |id| id.number() as i32))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        docs.into_iter().map(parse_doc).collect()
    }

    async fn projects_after(
        &self,
        after: Option<ProjectId>,
        limit: u32,
    ) -> StoreResult<Vec<Project>> {
        let docs: Vec<serde_json::Value> =
            sqlx::query_scalar("SELECT doc FROM projects WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after.map_or(0, |id| id.number() as i32))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(|e| self.err(e))?;
        docs.into_iter().map(parse_doc).collect()
    }

    async fn derived_after(
        &self,
        after: Option<ProjectId>,
        limit: u32,
    ) -> StoreResult<Vec<DerivedValues>> {
        // The search vector is a generated column: the database makes it from the title, summary
        // and search_body on every write, so those three are the search text to check.
        let rows = sqlx::query(&format!(
            "SELECT {DERIVED_COLUMNS}, p.doc::text AS doc,
                    o.doc->>'slug' AS org_record_slug, o.doc->>'name' AS org_record_name,
                    p.search_body
             FROM projects p
             LEFT JOIN organisations o ON o.id = p.organisation_id
             WHERE p.id > $1 ORDER BY p.id LIMIT $2"
        ))
        .bind(after.map_or(0, |id| id.number() as i32))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|row| {
                let bad = |e: sqlx::Error| StoreError::Data(e.to_string());
                let text = |col: &str| -> StoreResult<String> { row.try_get(col).map_err(bad) };
                let found: bool = row.try_get("org_found").map_err(bad)?;
                Ok(DerivedValues {
                    id: ProjectId::new(row.try_get::<i32, _>("id").map_err(bad)? as u32),
                    doc: row.try_get("doc").map_err(bad)?,
                    organisation_id: i64::from(
                        row.try_get::<i32, _>("organisation_id").map_err(bad)?,
                    ),
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
                    search: Some(SearchText {
                        title: text("title")?,
                        summary: text("summary")?,
                        body: text("search_body")?,
                    }),
                })
            })
            .collect()
    }

    async fn search_strays(&self, _limit: u32) -> StoreResult<Vec<i64>> {
        // The search vector is a column of the entry's own row: there is nowhere for a stray.
        Ok(Vec::new())
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
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
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
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
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
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
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
        let v: Option<i64> =
            sqlx::query_scalar("SELECT max(key_version)::BIGINT FROM optout_residents")
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
        optout::kind_add(&self.pool, spec, at)
            .await
            .map_err(|e| self.conflict_or(e, &spec.name))
    }

    async fn identifier_kind_change(&self, spec: &IdentifierKindSpec) -> StoreResult<KindChange> {
        optout::kind_change(&self.pool, spec)
            .await
            .map_err(|e| self.err(e))
    }

    async fn identifier_kind_retire(&self, name: &str, at: Option<&str>) -> StoreResult<bool> {
        optout::kind_retire(&self.pool, name, at)
            .await
            .map_err(|e| self.err(e))
    }

    async fn token_create(&self, token: &NewToken<'_>) -> StoreResult<i64> {
        // The owner must belong to the organisation or run the register; the caller checks
        // that they may make tokens for it.
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO api_tokens (organisation_id, owner_id, token_hash, label, scopes, created_at) SELECT id, $1, $2, $3, $4, $5 FROM organisations WHERE slug = $6 RETURNING id",
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
            "SELECT t.id, o.slug, t.label, t.scopes, t.created_at, t.revoked_at, u.id AS owner_id, u.email AS owner_email FROM api_tokens t JOIN organisations o ON o.id = t.organisation_id LEFT JOIN users u ON u.id = t.owner_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter().map(token_from_row).next().transpose()
    }

    async fn tokens(&self, organisation: &Slug) -> StoreResult<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT t.id, o.slug, t.label, t.scopes, t.created_at, t.revoked_at, u.id AS owner_id, u.email AS owner_email FROM api_tokens t JOIN organisations o ON o.id = t.organisation_id LEFT JOIN users u ON u.id = t.owner_id WHERE o.slug = $1 ORDER BY t.id DESC",
        )
        .bind(organisation.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter().map(token_from_row).collect()
    }

    async fn token_revoke(&self, id: i64, at: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
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
        accounts::sign_in_clear(&self.pool, key_hash)
            .await
            .map_err(|e| self.err(e))
    }

    async fn user_set_password(&self, id: i64, password_hash: &str, at: &str) -> StoreResult<()> {
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
        accounts::sign_in_attempt(&self.pool, key_hash, at, since)
            .await
            .map_err(|e| self.err(e))
    }

    async fn sign_in_forgive(&self, attempt: i64) -> StoreResult<()> {
        accounts::sign_in_forgive(&self.pool, attempt)
            .await
            .map_err(|e| self.err(e))
    }

    async fn audit(&self, entry: &AuditEntry) -> StoreResult<()> {
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
        sqlx::query("INSERT INTO jobs (name, next_run_at, runs) VALUES ($1, $2, 0) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        let claimed = sqlx::query(
            "UPDATE jobs SET next_run_at = $1, runs = runs + 1, last_run_at = $2 WHERE name = $3 AND next_run_at <= $4",
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
        let n: Option<i64> = sqlx::query_scalar("SELECT runs FROM jobs WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(n.unwrap_or(0) as u64)
    }

    async fn housekeeping(&self, now: &str, failures_before: &str) -> StoreResult<u64> {
        let mut gone = 0;
        for (sql, at) in [
            ("DELETE FROM sessions WHERE expires_at <= $1", now),
            ("DELETE FROM account_links WHERE expires_at <= $1", now),
            (
                "DELETE FROM sign_in_failures WHERE at <= $1",
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
            sqlx::query_as("SELECT count(*), count(*) FILTER (WHERE uses_ai) FROM projects")
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

fn org_summary(row: PgRow) -> StoreResult<OrganisationSummary> {
    let bad = |e: sqlx::Error| StoreError::Data(e.to_string());
    let doc: serde_json::Value = row.try_get("doc").map_err(bad)?;
    let projects: i64 = row.try_get("projects").map_err(bad)?;
    let using_ai: i64 = row.try_get("using_ai").map_err(bad)?;
    Ok(OrganisationSummary {
        organisation: parse_doc(doc)?,
        projects: projects as u64,
        projects_using_ai: using_ai as u64,
    })
}

fn token_from_row(row: &PgRow) -> StoreResult<ApiToken> {
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
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    /// The PostgreSQL server to test against, from `CHARTER_TEST_POSTGRES_URL`; each test gets
    /// its own schema. Without the variable the tests are skipped with a note, except in CI
    /// (`CI` set), where `.ci/run` starts a server and a missing URL is a failure.
    pub(crate) async fn fresh() -> Option<PostgresStore> {
        static N: AtomicU32 = AtomicU32::new(0);
        let Ok(url) = std::env::var("CHARTER_TEST_POSTGRES_URL") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must set CHARTER_TEST_POSTGRES_URL"
            );
            return None;
        };
        let schema = format!(
            "t{}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst),
            nanos()
        );
        Some(
            PostgresStore::open_in_schema(&url, Some(&schema))
                .await
                .expect("test database opens"),
        )
    }

    fn nanos() -> u32 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    }

    #[async_trait]
    impl charter_store::conformance::Tamper for PostgresStore {
        async fn execute_sql(&self, sql: &str) {
            sqlx::query(sql).execute(&self.pool).await.expect(sql);
        }
        fn search_edit(&self, id: u32) -> String {
            format!("UPDATE projects SET search_body = 'Edited search text' WHERE id = {id}")
        }
        fn search_stray(&self, _id: u32) -> Option<String> {
            None
        }
    }

    charter_store::conformance_tests!(fresh);

    /// Two stores on one schema, as `charter import` and `charter serve` are two processes.
    #[tokio::test]
    async fn writes_wait_for_an_import_from_another_process() {
        let Ok(url) = std::env::var("CHARTER_TEST_POSTGRES_URL") else {
            eprintln!("skipped: no database for this backend");
            return;
        };
        let schema = format!("t{}_busy_{}", std::process::id(), nanos());
        let server = PostgresStore::open_in_schema(&url, Some(&schema))
            .await
            .expect("the server's store opens");
        let importer = PostgresStore::open_in_schema(&url, Some(&schema))
            .await
            .expect("the import's store opens");
        charter_store::conformance::writes_wait_for_an_import_from_another_instance(
            importer, server,
        )
        .await;
    }

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://app:s3cret@db.example:5432/charter"),
            "postgres://app@db.example:5432/charter"
        );
        assert_eq!(
            redact("postgres://db.example/charter"),
            "postgres://db.example/charter"
        );
    }

    #[tokio::test]
    async fn a_refused_connection_is_a_clear_error() {
        let err = PostgresStore::open("postgres://nobody:pw@127.0.0.1:1/none")
            .await
            .err()
            .expect("nothing listens on port 1");
        let msg = err.to_string();
        assert!(matches!(err, StoreError::Unavailable { .. }), "{msg}");
        assert!(
            msg.contains("postgres://nobody@127.0.0.1:1/none") && !msg.contains("pw"),
            "{msg}"
        );
    }
}
