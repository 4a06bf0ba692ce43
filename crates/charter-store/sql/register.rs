//! The register: organisations, publishing to the hash chain, its log, and figures.

use std::collections::HashMap;

use async_trait::async_trait;
use charter_core::chain::{Link, canonical_json};
use charter_core::stats::RegisterStats;
use charter_core::{OrgId, Organisation, Project, ProjectId, Slug, Timestamp};
use charter_store::organisations::OrgClash;
use charter_store::{
    OrganisationSummary, PublishedVersion, RegisterStore, StoreError, StoreResult, StoredLink,
};
use sqlx::Row;

use super::chain::{self, LINK_COLUMNS, link_from_row};
use super::common::{bad, org_summary};
use crate::backend::{Backend, Conn, Db, Doc, ORGANISATION_ORDER, lock_chain, parse_doc, to_doc};

const ORGANISATION_SUMMARY: &str = "SELECT o.doc, count(p.id) AS projects, \
     count(p.id) FILTER (WHERE p.uses_ai) AS using_ai \
     FROM organisations o LEFT JOIN projects p ON p.organisation_id = o.id";

impl Backend {
    /// Publishing's work inside a caller's transaction (see `RegisterStore::projects_publish`).
    pub(crate) async fn publish_in(
        &self,
        tx: &mut Conn,
        projects: &[Project],
        note: &str,
        at: &Timestamp,
    ) -> StoreResult<Vec<Link>> {
        lock_chain(&mut *tx).await.map_err(|e| self.err(e))?;
        let mut head = self.chain_head_on(&mut *tx).await?;

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
            self.project_write(&mut *tx, p, *org_id, org_name).await?;
            let link = Link::next(
                head.as_ref(),
                p.id,
                version,
                at.clone(),
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
            self.version_bump(tx).await?;
        }
        Ok(links)
    }

    /// Another organisation (not `id`) with `name`, ignoring capitals, or with `slug`.
    async fn organisation_clash(
        &self,
        tx: &mut Conn,
        id: i32,
        name: &str,
        slug: &Slug,
    ) -> StoreResult<Option<OrgClash>> {
        let by_slug: Option<i32> =
            sqlx::query_scalar("SELECT id FROM organisations WHERE slug = $1 AND id <> $2")
                .bind(slug.as_str())
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
        if let Some(other) = by_slug {
            return Ok(Some(OrgClash::Slug(OrgId::new(other as u32))));
        }
        let by_name: Option<String> = sqlx::query_scalar(
            "SELECT slug FROM organisations WHERE lower(name) = lower($1) AND id <> $2",
        )
        .bind(name)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| self.err(e))?;
        by_name
            .map(|slug| slug.parse().map(OrgClash::Name).map_err(bad))
            .transpose()
    }

    /// Moves the number searches use to tell that something they can see has changed.
    pub(crate) async fn version_bump(&self, tx: &mut Conn) -> StoreResult<()> {
        sqlx::query("UPDATE register_version SET version = version + 1 WHERE id = 1")
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Commits a write that moved the register's version, then counts it for this process's
    /// searches (after the commit, so a search that sees the count also sees the change).
    pub(crate) async fn commit_change(
        &self,
        tx: sqlx::Transaction<'static, Db>,
    ) -> StoreResult<()> {
        tx.commit().await.map_err(|e| self.err(e))?;
        self.changes_here
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        Ok(())
    }

    /// The id the next new entry takes: one more than any published entry or draft has.
    /// Drafts that are published have their entry in `projects`, so only open drafts need
    /// looking at, which lets both halves read one end of an index instead of every row.
    pub(crate) async fn next_id<'e, E>(&self, conn: E) -> StoreResult<ProjectId>
    where
        E: sqlx::Executor<'e, Database = Db>,
    {
        let max: Option<i32> = sqlx::query_scalar(
            "SELECT max(id) FROM (SELECT max(id) AS id FROM projects
             UNION ALL SELECT max(project_id) FROM drafts WHERE state <> 'published') AS ids",
        )
        .fetch_one(conn)
        .await
        .map_err(|e| self.err(e))?;
        Ok(ProjectId::new(max.unwrap_or(0) as u32 + 1))
    }
}

#[async_trait]
impl RegisterStore for Backend {
    async fn organisation_put(&self, org: &Organisation) -> StoreResult<()> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
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
        self.search_names_refresh(&mut tx, org).await?;
        self.version_bump(&mut tx).await?;
        self.commit_change(tx).await
    }

    async fn organisation_add(&self, org: &Organisation) -> StoreResult<Result<OrgId, OrgClash>> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        // Organisations change rarely: the chain's lock makes adds take turns on PostgreSQL, so
        // two at once cannot take one id or one name (SQLite's single writer already does).
        lock_chain(&mut tx).await.map_err(|e| self.err(e))?;
        if let Some(clash) = self
            .organisation_clash(&mut tx, 0, &org.name, &org.slug)
            .await?
        {
            return Ok(Err(clash));
        }
        let max: Option<i32> = sqlx::query_scalar("SELECT max(id) FROM organisations")
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        let id = OrgId::new(max.unwrap_or(0) as u32 + 1);
        let mut stored = org.clone();
        stored.id = id;
        sqlx::query("INSERT INTO organisations (id, slug, name, doc) VALUES ($1, $2, $3, $4)")
            .bind(id.number() as i32)
            .bind(stored.slug.as_str())
            .bind(&stored.name)
            .bind(to_doc(&stored)?)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        self.version_bump(&mut tx).await?;
        self.commit_change(tx).await?;
        Ok(Ok(id))
    }

    async fn organisation_change(&self, org: &Organisation) -> StoreResult<Result<(), OrgClash>> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        lock_chain(&mut tx).await.map_err(|e| self.err(e))?;
        let id = org.id.number() as i32;
        let known: Option<i32> =
            sqlx::query_scalar("SELECT id FROM organisations WHERE id = $1 AND slug = $2")
                .bind(id)
                .bind(org.slug.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
        if known.is_none() {
            return Ok(Err(OrgClash::Missing));
        }
        if let Some(clash) = self
            .organisation_clash(&mut tx, id, &org.name, &org.slug)
            .await?
        {
            return Ok(Err(clash));
        }
        sqlx::query("UPDATE organisations SET name = $1, doc = $2 WHERE id = $3")
            .bind(&org.name)
            .bind(to_doc(org)?)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        // The organisation's name is searchable on each of its projects: keep that current.
        self.search_names_refresh(&mut tx, org).await?;
        self.version_bump(&mut tx).await?;
        self.commit_change(tx).await?;
        Ok(Ok(()))
    }

    async fn organisations(&self) -> StoreResult<Vec<OrganisationSummary>> {
        let rows = sqlx::query(&format!(
            "{ORGANISATION_SUMMARY} GROUP BY o.id ORDER BY {ORGANISATION_ORDER}"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter().map(org_summary).collect()
    }

    async fn organisation(&self, slug: &Slug) -> StoreResult<Option<OrganisationSummary>> {
        let row = sqlx::query(&format!(
            "{ORGANISATION_SUMMARY} WHERE o.slug = $1 GROUP BY o.id"
        ))
        .bind(slug.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        row.as_ref().map(org_summary).transpose()
    }

    async fn organisation_record(&self, slug: &Slug) -> StoreResult<Option<Organisation>> {
        let doc: Option<Doc> = sqlx::query_scalar("SELECT doc FROM organisations WHERE slug = $1")
            .bind(slug.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        doc.map(parse_doc).transpose()
    }

    async fn projects_publish(
        &self,
        projects: &[Project],
        note: &str,
        at: &Timestamp,
    ) -> StoreResult<Vec<Link>> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        let links = self.publish_in(&mut tx, projects, note, at).await?;
        self.commit_change(tx).await?;
        Ok(links)
    }

    async fn links_append(&self, links: &[StoredLink]) -> StoreResult<()> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        lock_chain(&mut tx).await.map_err(|e| self.err(e))?;
        let mut head = self.chain_head_on(&mut tx).await?;
        for StoredLink { link, content } in links {
            let expected = chain::latest(&mut tx, link.project)
                .await
                .map_err(|e| self.err(e))?
                .map_or(1, |(v, _)| v + 1);
            link.follows(head.as_ref(), expected, content)
                .map_err(|reason| StoreError::Chain(format!("link {}: {reason}", link.seq)))?;
            let p: Project = serde_json::from_str(content).map_err(bad)?;
            let org: Option<(i32, String)> =
                sqlx::query_as("SELECT id, name FROM organisations WHERE slug = $1")
                    .bind(p.organisation.as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(|e| self.err(e))?;
            let (org_id, org_name) =
                org.ok_or_else(|| StoreError::UnknownOrganisation(p.organisation.clone()))?;
            self.project_write(&mut tx, &p, org_id, &org_name).await?;
            chain::insert(&mut tx, link, content)
                .await
                .map_err(|e| self.err(e))?;
            head = Some(link.clone());
        }
        self.version_bump(&mut tx).await?;
        self.commit_change(tx).await
    }

    async fn versions(&self, id: ProjectId) -> StoreResult<Vec<Link>> {
        let rows = sqlx::query(&format!(
            "SELECT {LINK_COLUMNS} FROM project_versions WHERE project_id = $1 ORDER BY version"
        ))
        .bind(id.number() as i32)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter().map(link_from_row).collect()
    }

    async fn version(&self, id: ProjectId, version: u32) -> StoreResult<Option<PublishedVersion>> {
        let row = sqlx::query(&format!(
            "SELECT {LINK_COLUMNS}, content FROM project_versions WHERE project_id = $1 AND version = $2"
        ))
        .bind(id.number() as i32)
        .bind(version as i32)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        let Some(row) = row else { return Ok(None) };
        let content: String = row.try_get("content").map_err(bad)?;
        Ok(Some(PublishedVersion {
            link: link_from_row(&row)?,
            entry: serde_json::from_str(&content).map_err(bad)?,
        }))
    }

    async fn log(&self, after_seq: u64, limit: u32) -> StoreResult<Vec<StoredLink>> {
        let rows = sqlx::query(&format!(
            "SELECT {LINK_COLUMNS}, content FROM project_versions WHERE seq > $1 ORDER BY seq LIMIT $2"
        ))
        .bind(after_seq as i64)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|row| {
                Ok(StoredLink {
                    link: link_from_row(row)?,
                    content: row.try_get("content").map_err(bad)?,
                })
            })
            .collect()
    }

    async fn chain_head(&self) -> StoreResult<Option<Link>> {
        let mut conn = self.pool.acquire().await.map_err(|e| self.err(e))?;
        self.chain_head_on(&mut conn).await
    }

    async fn next_project_id(&self) -> StoreResult<ProjectId> {
        self.next_id(&self.pool).await
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

    fn changes_committed_here(&self) -> u64 {
        self.changes_here.load(std::sync::atomic::Ordering::Acquire)
    }

    async fn register_version(&self) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT version FROM register_version WHERE id = 1")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.err(e))
    }
}
