//! Published entries as lists, pages, exports and search read them. SQLite keeps each entry's
//! document in `project_docs` and its search text in the FTS5 table `project_search`, beside
//! the `projects` row that filters and sorts read.

use async_trait::async_trait;
use charter_core::picklists::{Area, Topic};
use charter_core::search::{SearchQuery, Sort};
use charter_core::{OrgId, Organisation, Project, ProjectId, Slug};
use charter_store::support::{DERIVED_COLUMNS, mask, search_body};
use charter_store::{
    DerivedValues, ProjectStore, ProjectWithOrganisation, RecordParts, SearchResults, SearchText,
    StoreResult,
};
use sqlx::Row;

use crate::backend::{Conn, parse_doc};
use crate::sql::common::{bad, derived_from_row};
use crate::{SqliteStore, search};

async fn index_project(
    tx: &mut Conn,
    p: &Project,
    organisation_id: i32,
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
    /// Writes an entry's row, its document and its search text (see `publish_in`).
    pub(crate) async fn project_write(
        &self,
        tx: &mut Conn,
        p: &Project,
        organisation_id: i32,
        organisation_name: &str,
    ) -> StoreResult<()> {
        index_project(tx, p, organisation_id, organisation_name)
            .await
            .map_err(|e| self.err(e))
    }

    /// An organisation's name is in each of its entries' search text: keep that current.
    pub(crate) async fn search_names_refresh(
        &self,
        tx: &mut Conn,
        org: &Organisation,
    ) -> StoreResult<()> {
        let docs: Vec<String> = sqlx::query_scalar(
            "SELECT d.doc FROM project_docs d JOIN projects p ON p.id = d.id WHERE p.organisation_id = $1",
        )
        .bind(org.id.number() as i32)
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| self.err(e))?;
        for doc in docs {
            let p: Project = parse_doc(doc)?;
            sqlx::query("UPDATE project_search SET body = $1 WHERE rowid = $2")
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
impl ProjectStore for SqliteStore {
    async fn project(&self, id: ProjectId) -> StoreResult<Option<Project>> {
        let doc: Option<String> = sqlx::query_scalar("SELECT doc FROM project_docs WHERE id = ?")
            .bind(i64::from(id.number()))
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        doc.map(parse_doc).transpose()
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
    ) -> StoreResult<Option<ProjectWithOrganisation>> {
        let row: Option<(String, String, bool)> = sqlx::query_as(
            "SELECT d.doc, o.doc,
                    EXISTS (SELECT 1 FROM challenge_counts c WHERE c.project_id = p.id)
             FROM project_docs d
             JOIN projects p ON p.id = d.id
             JOIN organisations o ON o.id = p.organisation_id
             WHERE d.id = ?",
        )
        .bind(i64::from(id.number()))
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
        docs.into_iter().map(parse_doc).collect()
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
        docs.into_iter().map(parse_doc).collect()
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
                let text = |col: &str| -> StoreResult<String> { row.try_get(col).map_err(bad) };
                let indexed: bool = row.try_get("indexed").map_err(bad)?;
                let search = indexed
                    .then(|| -> StoreResult<SearchText> {
                        Ok(SearchText {
                            title: text("search_title")?,
                            summary: text("search_summary")?,
                            body: text("search_body")?,
                        })
                    })
                    .transpose()?;
                derived_from_row(row, search)
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

    async fn search(&self, query: &SearchQuery, with_facets: bool) -> StoreResult<SearchResults> {
        search::run(&self.pool, query, with_facets)
            .await
            .map_err(|e| self.err(e))
    }
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
