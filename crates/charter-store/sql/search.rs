//! What the in-memory search index reads: each published entry's summary fields and search
//! text, and the synonyms a site administrator saved.

use async_trait::async_trait;
use charter_core::{ProjectId, Timestamp};
use charter_store::{SearchDocument, SearchStore, StoreResult};
use sqlx::Row;

use super::builder::{Arg, Sql};
use super::common::{bad, summary_from_row};
use crate::backend::{Backend, DbRow, SEARCH_BODY};

/// `SEARCH_BODY` is (the column with the entry's search text, the join that brings it).
fn documents_sql() -> String {
    let (column, join) = SEARCH_BODY;
    format!(
        "SELECT p.id, p.slug, p.title, o.slug AS org_slug, o.name AS org_name, p.summary, p.status,
                p.uses_ai, p.ai_kind, p.decision_role, p.areas_mask, p.topics_mask, p.last_updated,
                {column} AS body
         FROM projects p JOIN organisations o ON o.id = p.organisation_id{join}"
    )
}

fn document(row: &DbRow) -> StoreResult<SearchDocument> {
    let org: String = row.try_get("org_slug").map_err(bad)?;
    let name: String = row.try_get("org_name").map_err(bad)?;
    Ok(SearchDocument {
        summary: summary_from_row(row, (&org, &name))?,
        body: row.try_get("body").map_err(bad)?,
    })
}

#[async_trait]
impl SearchStore for Backend {
    async fn search_documents_after(
        &self,
        after: Option<ProjectId>,
        limit: u32,
    ) -> StoreResult<Vec<SearchDocument>> {
        let rows = sqlx::query(&format!(
            "{} WHERE p.id > $1 ORDER BY p.id LIMIT $2",
            documents_sql()
        ))
        .bind(after.map_or(0, |id| id.number() as i32))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter().map(document).collect()
    }

    async fn search_documents(&self, ids: &[ProjectId]) -> StoreResult<Vec<SearchDocument>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let mut sql = Sql {
                text: format!("{} WHERE p.id IN ", documents_sql()),
                args: Vec::new(),
            };
            sql.list(chunk.iter().map(|id| Arg::Int(i64::from(id.number()))))
                .push(" ORDER BY p.id");
            let rows = sqlx::query_with(&sql.text, sql.arguments())
                .fetch_all(&self.pool)
                .await
                .map_err(|e| self.err(e))?;
            for row in &rows {
                out.push(document(row)?);
            }
        }
        out.sort_by_key(|d| d.summary.id);
        Ok(out)
    }

    async fn search_synonyms(&self) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT lines FROM search_synonyms WHERE id = 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.err(e))
    }

    async fn search_synonyms_put(&self, groups: &str, at: &Timestamp) -> StoreResult<()> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO search_synonyms (id, lines, saved_at) VALUES (1, $1, $2)
             ON CONFLICT (id) DO UPDATE SET lines = excluded.lines, saved_at = excluded.saved_at",
        )
        .bind(groups)
        .bind(at.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| self.err(e))?;
        self.version_bump(&mut tx).await?;
        self.commit_change(tx).await
    }
}
