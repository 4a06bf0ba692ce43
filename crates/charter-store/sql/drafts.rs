//! Drafts and their logs. Every change checks the draft's lock and state inside the write
//! transaction, so two people saving at once cannot both win.

use async_trait::async_trait;
use charter_core::chain::Link;
use charter_core::workflow::{DraftState, EventKind};
use charter_core::{Project, ProjectId, Slug};
use charter_store::drafts::{Draft, DraftChange, DraftConflict, DraftEvent, DraftFilter, NewDraft};
use charter_store::{DraftStore, StoreError, StoreResult};
use sqlx::Row;

use super::common::{bad, moment, stamp};
use crate::backend::{Backend, Conn, DbRow, Doc, FOR_UPDATE, parse_doc, to_doc};

const COLUMNS: &str = "d.id, d.content, o.slug AS organisation, d.base_version, d.state, d.lock, \
     d.created_at, d.updated_at, d.updated_by \
     FROM drafts d JOIN organisations o ON o.id = d.organisation_id";

fn from_row(row: &DbRow) -> StoreResult<Draft> {
    let content: Doc = row.try_get("content").map_err(bad)?;
    let organisation: String = row.try_get("organisation").map_err(bad)?;
    let state: String = row.try_get("state").map_err(bad)?;
    let base: Option<i32> = row.try_get("base_version").map_err(bad)?;
    Ok(Draft {
        id: row.try_get("id").map_err(bad)?,
        entry: parse_doc(content)?,
        organisation: organisation.parse().map_err(bad)?,
        base_version: base.map(|v| v as u32),
        state: DraftState::from_slug(&state)
            .ok_or_else(|| StoreError::Data(format!("“{state}” is not a draft state")))?,
        lock: row.try_get("lock").map_err(bad)?,
        created_at: stamp(row, "created_at")?,
        updated_at: stamp(row, "updated_at")?,
        updated_by: row.try_get("updated_by").map_err(bad)?,
    })
}

async fn add_event(conn: &mut Conn, draft: i64, event: &DraftEvent) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO draft_events (draft_id, at, actor, kind, comment) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(draft)
    .bind(event.at.as_str())
    .bind(&event.actor)
    .bind(event.kind.slug())
    .bind(&event.comment)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The draft's state and lock as they are now, inside the transaction.
async fn current(conn: &mut Conn, id: i64) -> Result<Option<(DraftState, i64)>, sqlx::Error> {
    let row: Option<(String, i64)> = sqlx::query_as(&format!(
        "SELECT state, lock FROM drafts WHERE id = $1{FOR_UPDATE}"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.and_then(|(s, l)| DraftState::from_slug(&s).map(|s| (s, l))))
}

fn refused(
    found: Option<(DraftState, i64)>,
    lock: i64,
    from: &[DraftState],
) -> Option<DraftConflict> {
    match found {
        None => Some(DraftConflict::Missing),
        Some((_, now)) if now != lock => Some(DraftConflict::Changed { lock: now }),
        Some((state, _)) if !from.contains(&state) => Some(DraftConflict::State(state)),
        Some(_) => None,
    }
}

#[async_trait]
impl DraftStore for Backend {
    async fn drafts_create(&self, drafts: &[NewDraft]) -> StoreResult<Vec<Draft>> {
        // Inserting thousands at once is written for each database (see `backend`).
        self.drafts_insert(drafts).await
    }

    async fn draft(&self, id: i64) -> StoreResult<Option<Draft>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} WHERE d.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        row.as_ref().map(from_row).transpose()
    }

    async fn draft_open_for(&self, project: ProjectId) -> StoreResult<Option<i64>> {
        sqlx::query_scalar("SELECT id FROM drafts WHERE project_id = $1 AND state <> 'published'")
            .bind(project.number() as i32)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.err(e))
    }

    async fn drafts(&self, filter: &DraftFilter) -> StoreResult<Vec<Draft>> {
        let mut sql = format!("SELECT {COLUMNS} WHERE 1 = 1");
        if filter.organisation.is_some() {
            sql.push_str(" AND o.slug = $1");
        }
        if !filter.states.is_empty() {
            let first = 1 + usize::from(filter.organisation.is_some());
            let marks: Vec<String> = (0..filter.states.len())
                .map(|i| format!("${}", first + i))
                .collect();
            sql.push_str(&format!(" AND d.state IN ({})", marks.join(", ")));
        }
        sql.push_str(" ORDER BY d.updated_at DESC, d.id DESC");
        let mut query = sqlx::query(&sql);
        if let Some(o) = &filter.organisation {
            query = query.bind(o.as_str());
        }
        for s in &filter.states {
            query = query.bind(s.slug());
        }
        let rows = query.fetch_all(&self.pool).await.map_err(|e| self.err(e))?;
        rows.iter().map(from_row).collect()
    }

    async fn draft_events(&self, id: i64) -> StoreResult<Vec<DraftEvent>> {
        let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT at, actor, kind, comment FROM draft_events WHERE draft_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.into_iter()
            .map(|(at, actor, kind, comment)| {
                Ok(DraftEvent {
                    at: moment("draft_events.at", &at)?,
                    actor,
                    kind: EventKind::from_slug(&kind).ok_or_else(|| {
                        StoreError::Data(format!("“{kind}” is not a draft event"))
                    })?,
                    comment,
                })
            })
            .collect()
    }

    async fn draft_change(
        &self,
        id: i64,
        change: &DraftChange<'_>,
    ) -> StoreResult<Result<i64, DraftConflict>> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        let found = current(&mut tx, id).await.map_err(|e| self.err(e))?;
        if let Some(conflict) = refused(found, change.lock, change.from) {
            return Ok(Err(conflict));
        }
        let content = change.entry.map(to_doc).transpose()?;
        sqlx::query(
            "UPDATE drafts SET state = $1, content = coalesce($2, content), lock = lock + 1,
             updated_at = $3, updated_by = $4 WHERE id = $5",
        )
        .bind(change.to.slug())
        .bind(content)
        .bind(change.event.at.as_str())
        .bind(&change.event.actor)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| self.err(e))?;
        add_event(&mut tx, id, &change.event)
            .await
            .map_err(|e| self.err(e))?;
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(Ok(change.lock + 1))
    }

    async fn draft_publish(
        &self,
        id: i64,
        lock: i64,
        entry: &Project,
        note: &str,
        event: &DraftEvent,
    ) -> StoreResult<Result<Option<Link>, DraftConflict>> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        let found = current(&mut tx, id).await.map_err(|e| self.err(e))?;
        if let Some(conflict) = refused(found, lock, &[DraftState::Submitted]) {
            return Ok(Err(conflict));
        }
        let links = self
            .publish_in(&mut tx, std::slice::from_ref(entry), note, &event.at)
            .await?;
        sqlx::query(
            "UPDATE drafts SET state = 'published', content = $1, lock = lock + 1, updated_at = $2,
             updated_by = $3 WHERE id = $4",
        )
        .bind(to_doc(entry)?)
        .bind(event.at.as_str())
        .bind(&event.actor)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| self.err(e))?;
        add_event(&mut tx, id, event)
            .await
            .map_err(|e| self.err(e))?;
        self.commit_change(tx).await?;
        Ok(Ok(links.into_iter().next()))
    }

    async fn self_publish(&self, organisation: &Slug) -> StoreResult<bool> {
        let on: Option<bool> = sqlx::query_scalar(
            "SELECT s.self_publish FROM organisation_settings s JOIN organisations o ON o.id = s.organisation_id
             WHERE o.slug = $1",
        )
        .bind(organisation.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(on == Some(true))
    }

    async fn self_publish_set(&self, organisation: &Slug, on: bool) -> StoreResult<()> {
        let _turn = self.turn().await?;
        let done = sqlx::query(
            "INSERT INTO organisation_settings (organisation_id, self_publish)
             SELECT id, $1 FROM organisations WHERE slug = $2
             ON CONFLICT (organisation_id) DO UPDATE SET self_publish = excluded.self_publish",
        )
        .bind(on)
        .bind(organisation.as_str())
        .execute(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::UnknownOrganisation(organisation.clone()));
        }
        Ok(())
    }
}
