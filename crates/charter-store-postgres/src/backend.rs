//! What PostgreSQL does its own way; the SQL both databases share is in `charter-store/sql/`
//! (see its `mod.rs`). Several processes may write at once, so writers that must take turns
//! (at the chain's head, at one sign-in key) take advisory locks held to the end of their
//! transaction, and a draft being changed is locked by row. Documents are stored as `JSONB`.

use std::collections::HashMap;

use charter_core::ProjectId;
use charter_core::workflow::EventKind;
use charter_store::drafts::{Draft, NewDraft, ready, repeated_entry, started};
use charter_store::{StoreError, StoreResult};

pub(crate) type Db = sqlx::Postgres;
pub(crate) type Conn = sqlx::PgConnection;
pub(crate) type DbRow = sqlx::postgres::PgRow;
pub(crate) type Backend = crate::PostgresStore;
pub(crate) type Args = sqlx::postgres::PgArguments;

/// A stored JSON document: `JSONB`.
pub(crate) type Doc = serde_json::Value;

pub(crate) fn parse_doc<T: serde::de::DeserializeOwned>(doc: Doc) -> StoreResult<T> {
    serde_json::from_value(doc).map_err(|e| StoreError::Data(e.to_string()))
}

pub(crate) fn to_doc<T: serde::Serialize>(value: &T) -> StoreResult<Doc> {
    serde_json::to_value(value).map_err(|e| StoreError::Data(e.to_string()))
}

/// How organisations are listed: by name, ignoring case, in the same order as SQLite.
pub(crate) const ORGANISATION_ORDER: &str = "lower(o.name) COLLATE \"C\", o.id";

/// Where an entry's search text is: a column of its own row (see `SEARCH_BODY` in the shared SQL).
pub(crate) const SEARCH_BODY: (&str, &str) = ("p.search_body", "");

/// A draft being changed is locked until the transaction ends.
pub(crate) const FOR_UPDATE: &str = " FOR UPDATE";

/// Sign-in failures have an identity column.
pub(crate) const SIGN_IN_ID: &str = "id";

/// Whole days from a challenge arriving to its answer (both times are RFC 3339 text).
pub(crate) const DAYS_TO_ANSWER: &str = "CAST(CAST(substr(c.answered_at, 1, 10) AS DATE) - CAST(substr(c.received_at, 1, 10) AS DATE) AS BIGINT)";

/// Publishing takes turns: the chain has one head, so two writers must not both extend it.
/// The lock is released when the transaction ends.
pub(crate) async fn lock_chain(conn: &mut Conn) -> Result<(), sqlx::Error> {
    // An arbitrary constant that names "the register's hash chain".
    sqlx::query("SELECT pg_advisory_xact_lock(7263001)")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Sign-in attempts for one key take turns, across every instance, until the transaction ends.
pub(crate) async fn lock_sign_in(conn: &mut Conn, key_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(key_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

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

impl Backend {
    /// Writers do not take turns in this process: the database orders them.
    pub(crate) async fn turn(&self) -> StoreResult<()> {
        Ok(())
    }

    pub(crate) async fn begin_write(&self) -> StoreResult<sqlx::Transaction<'static, Db>> {
        self.pool.begin().await.map_err(|e| self.err(e))
    }

    /// Starts drafts, all or none, in one transaction. A bulk import can be thousands of rows:
    /// ids and JSON are worked out before the transaction, which then inserts every row in two
    /// statements, so it holds the id lock for a moment rather than the length of the import.
    pub(crate) async fn drafts_insert(&self, drafts: &[NewDraft]) -> StoreResult<Vec<Draft>> {
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

        let mut tx = self.begin_write().await?;
        // New ids are one more than the highest: drafts and publishing take turns at them.
        lock_chain(&mut tx).await.map_err(|e| self.err(e))?;
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
}
