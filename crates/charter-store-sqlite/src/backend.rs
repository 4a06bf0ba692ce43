//! What SQLite does its own way; the SQL both databases share is in `charter-store/sql/` (see
//! its `mod.rs`). SQLite has one writer, so writes take turns in this process and take the
//! file's lock at once (`BEGIN IMMEDIATE`); that order already serialises what PostgreSQL needs
//! locks for. Documents are stored as JSON text.

use std::collections::HashMap;

use charter_core::Slug;
use charter_core::workflow::EventKind;
use charter_store::drafts::{Draft, NewDraft, ReadyDraft, ready, repeated_entry, started};
use charter_store::{StoreError, StoreResult};
use sqlx::{QueryBuilder, Sqlite};

pub(crate) type Db = Sqlite;
pub(crate) type Conn = sqlx::SqliteConnection;
pub(crate) type DbRow = sqlx::sqlite::SqliteRow;
pub(crate) type Backend = crate::SqliteStore;
pub(crate) type Args = sqlx::sqlite::SqliteArguments<'static>;

/// A stored JSON document: text, exactly as written.
pub(crate) type Doc = String;

pub(crate) fn parse_doc<T: serde::de::DeserializeOwned>(doc: Doc) -> StoreResult<T> {
    serde_json::from_str(&doc).map_err(|e| StoreError::Data(e.to_string()))
}

pub(crate) fn to_doc<T: serde::Serialize>(value: &T) -> StoreResult<Doc> {
    serde_json::to_string(value).map_err(|e| StoreError::Data(e.to_string()))
}

/// How organisations are listed: by name, ignoring case.
pub(crate) const ORGANISATION_ORDER: &str = "o.name COLLATE NOCASE, o.id";

/// Where an entry's search text is: the FTS5 table beside `projects` (see `SEARCH_BODY` in the
/// shared SQL). A missing row reads as no text; `charter verify` reports it.
pub(crate) const SEARCH_BODY: (&str, &str) = (
    "coalesce(s.body, '')",
    " LEFT JOIN project_search s ON s.rowid = p.id",
);

/// A write transaction already holds the whole file: no row locks to take.
pub(crate) const FOR_UPDATE: &str = "";

/// Sign-in failures are named by SQLite's own row id.
pub(crate) const SIGN_IN_ID: &str = "rowid";

/// Whole days from a challenge arriving to its answer (both times are RFC 3339 text).
pub(crate) const DAYS_TO_ANSWER: &str = "CAST(julianday(substr(c.answered_at, 1, 10)) - julianday(substr(c.received_at, 1, 10)) AS INTEGER)";

/// Publishing takes turns at the chain's head: `BEGIN IMMEDIATE` has already seen to that.
pub(crate) async fn lock_chain(_conn: &mut Conn) -> Result<(), sqlx::Error> {
    Ok(())
}

/// Sign-in attempts for one key take turns: the write transaction has already seen to that.
pub(crate) async fn lock_sign_in(_conn: &mut Conn, _key_hash: &str) -> Result<(), sqlx::Error> {
    Ok(())
}

/// Rows per multi-row insert: ten values each keeps a statement well under SQLite's limit of
/// 32,766 bound values.
const ROWS_PER_INSERT: usize = 500;

impl Backend {
    /// Starts drafts, all or none, in one transaction. A bulk import can be thousands of rows:
    /// ids and JSON are worked out before the transaction, which then only inserts, in a few
    /// statements, so other writers wait a moment rather than the length of the import.
    pub(crate) async fn drafts_insert(&self, drafts: &[NewDraft]) -> StoreResult<Vec<Draft>> {
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
            let id: i64 = sqlx::query_scalar("SELECT id FROM organisations WHERE slug = $1")
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
                "SELECT id FROM drafts WHERE project_id = $1 AND state <> 'published'",
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
}
