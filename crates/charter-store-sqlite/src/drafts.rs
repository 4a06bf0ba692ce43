//! Drafts and their logs. Every change checks the draft's lock and state inside the write
//! transaction, so two people saving at once cannot both win.

use charter_core::chain::Link;
use charter_core::workflow::{DraftState, EventKind};
use charter_core::{Project, ProjectId};
use std::collections::HashMap;

use charter_core::Slug;
use charter_store::drafts::{
    Draft, DraftChange, DraftConflict, DraftEvent, DraftFilter, NewDraft, ReadyDraft, ready,
    repeated_entry, started,
};
use charter_store::{StoreError, StoreResult};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use crate::{SqliteStore, parse_doc, to_doc};

/// Rows per multi-row insert: ten values each keeps a statement well under SQLite's limit of
/// 32,766 bound values.
const ROWS_PER_INSERT: usize = 500;

const COLUMNS: &str = "d.id, d.content, o.slug AS organisation, d.base_version, d.state, d.lock, \
     d.created_at, d.updated_at, d.updated_by";

fn from_row(row: &SqliteRow) -> StoreResult<Draft> {
    let bad = |e: &dyn std::fmt::Display| StoreError::Data(e.to_string());
    let content: String = row.try_get("content").map_err(|e| bad(&e))?;
    let organisation: String = row.try_get("organisation").map_err(|e| bad(&e))?;
    let state: String = row.try_get("state").map_err(|e| bad(&e))?;
    let base: Option<i64> = row.try_get("base_version").map_err(|e| bad(&e))?;
    Ok(Draft {
        id: row.try_get("id").map_err(|e| bad(&e))?,
        entry: parse_doc(&content)?,
        organisation: organisation.parse().map_err(|e| bad(&e))?,
        base_version: base.map(|v| v as u32),
        state: DraftState::from_slug(&state)
            .ok_or_else(|| StoreError::Data(format!("“{state}” is not a draft state")))?,
        lock: row.try_get("lock").map_err(|e| bad(&e))?,
        created_at: row.try_get("created_at").map_err(|e| bad(&e))?,
        updated_at: row.try_get("updated_at").map_err(|e| bad(&e))?,
        updated_by: row.try_get("updated_by").map_err(|e| bad(&e))?,
    })
}

async fn add_event(
    conn: &mut SqliteConnection,
    draft: i64,
    event: &DraftEvent,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO draft_events (draft_id, at, actor, kind, comment) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(draft)
    .bind(&event.at)
    .bind(&event.actor)
    .bind(event.kind.slug())
    .bind(&event.comment)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The draft's state and lock as they are now, inside the transaction.
async fn current(
    conn: &mut SqliteConnection,
    id: i64,
) -> Result<Option<(DraftState, i64)>, sqlx::Error> {
    let row: Option<(String, i64)> = sqlx::query_as("SELECT state, lock FROM drafts WHERE id = ?")
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

impl SqliteStore {
    /// Starts drafts, all or none, in one transaction. A bulk import can be thousands of rows:
    /// ids and JSON are worked out before the transaction, which then only inserts, in a few
    /// statements, so other writers wait a moment rather than the length of the import.
    pub(crate) async fn create_drafts(&self, drafts: &[NewDraft]) -> StoreResult<Vec<Draft>> {
        if let Some(id) = repeated_entry(drafts) {
            return Err(StoreError::Conflict(format!(
                "{id} is named twice: an entry can have only one draft being written"
            )));
        }
        let guess = self.next_id(&self.pool).await?;
        let mut prepared = ready(drafts, guess)?;
        let mut organisations: Vec<&Slug> = drafts.iter().map(|d| &d.entry.organisation).collect();
        organisations.sort();
        organisations.dedup();

        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        let mut org_ids = HashMap::new();
        for slug in organisations {
            let id: i64 = sqlx::query_scalar("SELECT id FROM organisations WHERE slug = ?")
                .bind(slug.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(|e| self.err(e))?
                .ok_or_else(|| StoreError::UnknownOrganisation(slug.clone()))?;
            org_ids.insert(slug.clone(), id);
        }
        // Another writer took ids since the guess: number them again (rare, and still quick).
        let first = self.next_id(&mut *tx).await?;
        if first != guess {
            prepared = ready(drafts, first)?;
        }
        for (new, r) in drafts.iter().zip(&prepared) {
            if new.existing.is_none() {
                continue;
            }
            let open: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM drafts WHERE project_id = ? AND state <> 'published'",
            )
            .bind(i64::from(r.entry.id.number()))
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
            if let Some(open) = open {
                return Err(StoreError::Conflict(format!(
                    "{} already has a draft being written (draft {open})",
                    r.entry.id
                )));
            }
        }
        // Draft ids are given here, not by SQLite, so each draft's first event can name it
        // in the same batch of inserts.
        let last: Option<i64> = sqlx::query_scalar("SELECT max(id) FROM drafts")
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        let first_draft = last.unwrap_or(0) + 1;
        let rows: Vec<(i64, &NewDraft, &ReadyDraft)> = (first_draft..)
            .zip(drafts.iter().zip(&prepared))
            .map(|(id, (new, r))| (id, new, r))
            .collect();
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO drafts (id, project_id, organisation_id, base_version, state, content, lock, created_at, updated_at, updated_by) ",
            );
            insert.push_values(chunk, |mut row, (id, new, r)| {
                row.push_bind(*id)
                    .push_bind(i64::from(r.entry.id.number()))
                    .push_bind(org_ids.get(&r.entry.organisation).copied())
                    .push_bind(new.base_version.map(i64::from))
                    .push_bind("editing")
                    .push_bind(r.content.as_str())
                    .push_bind(1_i64)
                    .push_bind(new.at.as_str())
                    .push_bind(new.at.as_str())
                    .push_bind(new.actor.as_str());
            });
            insert
                .build()
                .execute(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
            let mut events = QueryBuilder::<Sqlite>::new(
                "INSERT INTO draft_events (draft_id, at, actor, kind, comment) ",
            );
            events.push_values(chunk, |mut row, (id, new, _)| {
                row.push_bind(*id)
                    .push_bind(new.at.as_str())
                    .push_bind(new.actor.as_str())
                    .push_bind(EventKind::Created.slug())
                    .push_bind(None::<String>);
            });
            events
                .build()
                .execute(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
        }
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok((first_draft..)
            .zip(prepared)
            .zip(drafts)
            .map(|((id, r), new)| started(id, r, new))
            .collect())
    }

    /// The id the next new entry takes: one more than any published entry or draft has.
    /// Drafts that are published have their entry in `projects`, so only open drafts need
    /// looking at, which lets both halves read one end of an index instead of every row.
    pub(crate) async fn next_id<'e, E>(&self, conn: E) -> StoreResult<ProjectId>
    where
        E: sqlx::Executor<'e, Database = Sqlite>,
    {
        let max: Option<i64> = sqlx::query_scalar(
            "SELECT max(id) FROM (SELECT max(id) AS id FROM projects
             UNION ALL SELECT max(project_id) FROM drafts WHERE state <> 'published')",
        )
        .fetch_one(conn)
        .await
        .map_err(|e| self.err(e))?;
        Ok(ProjectId::new(max.unwrap_or(0) as u32 + 1))
    }

    pub(crate) async fn get_draft(&self, id: i64) -> StoreResult<Option<Draft>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM drafts d JOIN organisations o ON o.id = d.organisation_id WHERE d.id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        row.as_ref().map(from_row).transpose()
    }

    pub(crate) async fn open_draft_for(&self, project: ProjectId) -> StoreResult<Option<i64>> {
        sqlx::query_scalar("SELECT id FROM drafts WHERE project_id = ? AND state <> 'published'")
            .bind(i64::from(project.number()))
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.err(e))
    }

    pub(crate) async fn list_drafts(&self, filter: &DraftFilter) -> StoreResult<Vec<Draft>> {
        let mut sql = format!(
            "SELECT {COLUMNS} FROM drafts d JOIN organisations o ON o.id = d.organisation_id WHERE 1 = 1"
        );
        if filter.organisation.is_some() {
            sql.push_str(" AND o.slug = ?");
        }
        if !filter.states.is_empty() {
            let marks = vec!["?"; filter.states.len()].join(", ");
            sql.push_str(&format!(" AND d.state IN ({marks})"));
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

    pub(crate) async fn events_of(&self, id: i64) -> StoreResult<Vec<DraftEvent>> {
        let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT at, actor, kind, comment FROM draft_events WHERE draft_id = ? ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.into_iter()
            .map(|(at, actor, kind, comment)| {
                Ok(DraftEvent {
                    at,
                    actor,
                    kind: EventKind::from_slug(&kind).ok_or_else(|| {
                        StoreError::Data(format!("“{kind}” is not a draft event"))
                    })?,
                    comment,
                })
            })
            .collect()
    }

    pub(crate) async fn change_draft(
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
            "UPDATE drafts SET state = ?, content = coalesce(?, content), lock = lock + 1,
             updated_at = ?, updated_by = ? WHERE id = ?",
        )
        .bind(change.to.slug())
        .bind(content)
        .bind(&change.event.at)
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

    pub(crate) async fn publish_draft(
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
            "UPDATE drafts SET state = 'published', content = ?, lock = lock + 1, updated_at = ?,
             updated_by = ? WHERE id = ?",
        )
        .bind(to_doc(entry)?)
        .bind(&event.at)
        .bind(&event.actor)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| self.err(e))?;
        add_event(&mut tx, id, event)
            .await
            .map_err(|e| self.err(e))?;
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(Ok(links.into_iter().next()))
    }

    pub(crate) async fn get_self_publish(
        &self,
        organisation: &charter_core::Slug,
    ) -> StoreResult<bool> {
        let on: Option<i64> = sqlx::query_scalar(
            "SELECT s.self_publish FROM organisation_settings s JOIN organisations o ON o.id = s.organisation_id
             WHERE o.slug = ?",
        )
        .bind(organisation.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(on == Some(1))
    }

    pub(crate) async fn put_self_publish(
        &self,
        organisation: &charter_core::Slug,
        on: bool,
    ) -> StoreResult<()> {
        let _turn = self.turn().await?;
        let done = sqlx::query(
            "INSERT INTO organisation_settings (organisation_id, self_publish)
             SELECT id, ? FROM organisations WHERE slug = ?
             ON CONFLICT (organisation_id) DO UPDATE SET self_publish = excluded.self_publish",
        )
        .bind(i64::from(on))
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
