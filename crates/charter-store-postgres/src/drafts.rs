//! Drafts and their logs. Every change checks the draft's lock and state inside the write
//! transaction, so two people saving at once cannot both win.

use charter_core::chain::Link;
use charter_core::workflow::{DraftState, EventKind};
use charter_core::{Project, ProjectId};
use std::collections::HashMap;

use charter_store::drafts::{
    Draft, DraftChange, DraftConflict, DraftEvent, DraftFilter, NewDraft, ready, repeated_entry,
    started,
};
use charter_store::{StoreError, StoreResult};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, Row};

use crate::{PostgresStore, chain, parse_doc, to_doc};

const COLUMNS: &str = "d.id, d.content, o.slug AS organisation, d.base_version, d.state, d.lock, \
     d.created_at, d.updated_at, d.updated_by";

/// New drafts' values column by column, to insert them all in one statement.
#[derive(Default)]
struct Columns<'a> {
    project: Vec<i32>,
    organisation: Vec<i32>,
    base: Vec<Option<i32>>,
    content: Vec<&'a str>,
    at: Vec<&'a str>,
    actor: Vec<&'a str>,
}

fn from_row(row: &PgRow) -> StoreResult<Draft> {
    let bad = |e: &dyn std::fmt::Display| StoreError::Data(e.to_string());
    let content: serde_json::Value = row.try_get("content").map_err(|e| bad(&e))?;
    let organisation: String = row.try_get("organisation").map_err(|e| bad(&e))?;
    let state: String = row.try_get("state").map_err(|e| bad(&e))?;
    let base: Option<i32> = row.try_get("base_version").map_err(|e| bad(&e))?;
    Ok(Draft {
        id: row.try_get("id").map_err(|e| bad(&e))?,
        entry: parse_doc(content)?,
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
    conn: &mut PgConnection,
    draft: i64,
    event: &DraftEvent,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO draft_events (draft_id, at, actor, kind, comment) VALUES ($1, $2, $3, $4, $5)",
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
    conn: &mut PgConnection,
    id: i64,
) -> Result<Option<(DraftState, i64)>, sqlx::Error> {
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT state, lock FROM drafts WHERE id = $1 FOR UPDATE")
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

impl PostgresStore {
    /// Starts drafts, all or none, in one transaction. A bulk import can be thousands of rows:
    /// ids and JSON are worked out before the transaction, which then inserts every row in two
    /// statements, so it holds the id lock for a moment rather than the length of the import.
    pub(crate) async fn create_drafts(&self, drafts: &[NewDraft]) -> StoreResult<Vec<Draft>> {
        if let Some(id) = repeated_entry(drafts) {
            return Err(StoreError::Conflict(format!(
                "{id} is named twice: an entry can have only one draft being written"
            )));
        }
        let guess = self.next_id(&self.pool).await?;
        let mut prepared = ready(drafts, guess)?;
        let mut organisations: Vec<&str> = drafts
            .iter()
            .map(|d| d.entry.organisation.as_str())
            .collect();
        organisations.sort_unstable();
        organisations.dedup();

        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        // New ids are one more than the highest: drafts and publishing take turns at them.
        chain::lock(&mut tx).await.map_err(|e| self.err(e))?;
        let found: Vec<(String, i32)> =
            sqlx::query_as("SELECT slug, id FROM organisations WHERE slug = ANY($1)")
                .bind(&organisations)
                .fetch_all(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
        let org_ids: HashMap<String, i32> = found.into_iter().collect();
        // Another writer took ids since the guess: number them again (rare, and still quick).
        let first = self.next_id(&mut *tx).await?;
        if first != guess {
            prepared = ready(drafts, first)?;
        }
        let changing: Vec<i32> = drafts
            .iter()
            .filter_map(|d| d.existing)
            .map(|id| id.number() as i32)
            .collect();
        if !changing.is_empty() {
            let open: Option<(i32, i64)> = sqlx::query_as(
                "SELECT project_id, id FROM drafts WHERE project_id = ANY($1) AND state <> 'published'
                 ORDER BY project_id LIMIT 1",
            )
            .bind(&changing)
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
            if let Some((project, open)) = open {
                return Err(StoreError::Conflict(format!(
                    "{} already has a draft being written (draft {open})",
                    ProjectId::new(project as u32)
                )));
            }
        }
        let mut columns = Columns::default();
        for (new, r) in drafts.iter().zip(&prepared) {
            columns.project.push(r.entry.id.number() as i32);
            let organisation = org_ids
                .get(r.entry.organisation.as_str())
                .ok_or_else(|| StoreError::UnknownOrganisation(r.entry.organisation.clone()))?;
            columns.organisation.push(*organisation);
            columns.base.push(new.base_version.map(|v| v as i32));
            columns.content.push(r.content.as_str());
            columns.at.push(new.at.as_str());
            columns.actor.push(new.actor.as_str());
        }
        // Each new draft is open, so its project id names it uniquely among them.
        let made: Vec<(i64, i32)> = sqlx::query_as(
            "INSERT INTO drafts (project_id, organisation_id, base_version, state, content, lock, created_at, updated_at, updated_by)
             SELECT p, o, b, 'editing', c::jsonb, 1, a, a, u
             FROM unnest($1::int4[], $2::int4[], $3::int4[], $4::text[], $5::text[], $6::text[])
                  WITH ORDINALITY AS t(p, o, b, c, a, u, n)
             ORDER BY n
             RETURNING id, project_id",
        )
        .bind(&columns.project)
        .bind(&columns.organisation)
        .bind(&columns.base)
        .bind(&columns.content)
        .bind(&columns.at)
        .bind(&columns.actor)
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| self.err(e))?;
        let ids: HashMap<i32, i64> = made.into_iter().map(|(id, p)| (p, id)).collect();
        let draft_ids = columns
            .project
            .iter()
            .map(|p| {
                ids.get(p)
                    .copied()
                    .ok_or_else(|| StoreError::Database("a new draft was not saved".into()))
            })
            .collect::<StoreResult<Vec<i64>>>()?;
        sqlx::query(
            "INSERT INTO draft_events (draft_id, at, actor, kind, comment)
             SELECT d, a, u, $4, NULL
             FROM unnest($1::int8[], $2::text[], $3::text[]) WITH ORDINALITY AS t(d, a, u, n)
             ORDER BY n",
        )
        .bind(&draft_ids)
        .bind(&columns.at)
        .bind(&columns.actor)
        .bind(EventKind::Created.slug())
        .execute(&mut *tx)
        .await
        .map_err(|e| self.err(e))?;
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(draft_ids
            .into_iter()
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
        E: sqlx::Executor<'e, Database = Postgres>,
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

    pub(crate) async fn get_draft(&self, id: i64) -> StoreResult<Option<Draft>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM drafts d JOIN organisations o ON o.id = d.organisation_id WHERE d.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        row.as_ref().map(from_row).transpose()
    }

    pub(crate) async fn open_draft_for(&self, project: ProjectId) -> StoreResult<Option<i64>> {
        sqlx::query_scalar("SELECT id FROM drafts WHERE project_id = $1 AND state <> 'published'")
            .bind(project.number() as i32)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.err(e))
    }

    pub(crate) async fn list_drafts(&self, filter: &DraftFilter) -> StoreResult<Vec<Draft>> {
        let mut sql = format!(
            "SELECT {COLUMNS} FROM drafts d JOIN organisations o ON o.id = d.organisation_id WHERE 1 = 1"
        );
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

    pub(crate) async fn events_of(&self, id: i64) -> StoreResult<Vec<DraftEvent>> {
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
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
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
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
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

    pub(crate) async fn put_self_publish(
        &self,
        organisation: &charter_core::Slug,
        on: bool,
    ) -> StoreResult<()> {
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
