//! Published entries as lists, pages, exports and search read them. PostgreSQL keeps each
//! entry's document and search text in its `projects` row; the search vector is a generated
//! column made from them.

use async_trait::async_trait;
use charter_core::picklists::{Area, Topic};
use charter_core::search::{SearchQuery, Sort};
use charter_core::{OrgId, Organisation, Project, ProjectId, Slug};
use charter_store::support::{DERIVED_COLUMNS, mask, search_body};
use charter_store::{
    DerivedValues, ProjectStore, ProjectSummary, ProjectWithOrganisation, RecordParts,
    SearchResults, SearchText, StoreResult,
};
use sqlx::Row;
use sqlx::postgres::PgRow;

use crate::backend::{Conn, parse_doc};
use crate::sql::common::{self, bad, derived_from_row};
use crate::{PostgresStore, search};

/// A search result or list row, with its organisation's slug and name as `org_slug`, `org_name`.
pub(crate) fn summary_from_row(row: &PgRow) -> StoreResult<ProjectSummary> {
    let slug: String = row.try_get("org_slug").map_err(bad)?;
    let name: String = row.try_get("org_name").map_err(bad)?;
    common::summary_from_row(row, (&slug, &name))
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
    tx: &mut Conn,
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
    /// Writes an entry's row with its document and search text (see `publish_in`).
    pub(crate) async fn project_write(
        &self,
        tx: &mut Conn,
        p: &Project,
        organisation_id: i32,
        organisation_name: &str,
    ) -> StoreResult<()> {
        write_project(tx, p, organisation_id, organisation_name)
            .await
            .map_err(|e| self.err(e))
    }

    /// An organisation's name is in each of its entries' search text: keep that current.
    pub(crate) async fn search_names_refresh(
        &self,
        tx: &mut Conn,
        org: &Organisation,
    ) -> StoreResult<()> {
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
        Ok(())
    }
}

#[async_trait]
impl ProjectStore for PostgresStore {
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
    ) -> StoreResult<Option<ProjectWithOrganisation>> {
        let row: Option<(serde_json::Value, serde_json::Value, bool)> = sqlx::query_as(
            "SELECT p.doc, o.doc,
                    EXISTS (SELECT 1 FROM challenge_counts c WHERE c.project_id = p.id)
             FROM projects p
             JOIN organisations o ON o.id = p.organisation_id
             WHERE p.id = $1",
        )
        .bind(id.number() as i32)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        row.map(|(project, org, challenged)| {
            Ok(ProjectWithOrganisation {
                project: parse_doc(project)?,
                organisation: parse_doc(org)?,
                challenged,
            })
        })
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
                let text = |col: &str| -> StoreResult<String> { row.try_get(col).map_err(bad) };
                let search = SearchText {
                    title: text("title")?,
                    summary: text("summary")?,
                    body: text("search_body")?,
                };
                derived_from_row(row, Some(search))
            })
            .collect()
    }

    async fn search_strays(&self, _limit: u32) -> StoreResult<Vec<i64>> {
        // The search vector is a column of the entry's own row: there is nowhere for a stray.
        Ok(Vec::new())
    }

    async fn search(&self, query: &SearchQuery, with_facets: bool) -> StoreResult<SearchResults> {
        search::run(&self.pool, query, with_facets)
            .await
            .map_err(|e| self.err(e))
    }
}
