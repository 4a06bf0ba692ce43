//! Residents' opt-outs: records, their append-only logs, identifier kinds and dataset checks.

use std::collections::HashMap;

use async_trait::async_trait;
use charter_core::Timestamp;
use charter_store::optout::{
    CheckFigure, CheckRecord, IdentifierKindRecord, IdentifierKindSpec, KindChange, NewOptOut,
    OptOutEntry, OptOutEvent, OptOutFigures, Rekeyed,
};
use charter_store::{OptOutStore, StoreResult};
use sqlx::Row;

use super::common::{bad, stamp, stamp_opt};
use crate::backend::{Backend, Conn, DbRow};

const ENTRY_COLUMNS: &str = "id, kind, tag, sealed, key_version, receipt";

async fn insert_events(
    conn: &mut Conn,
    id: i64,
    events: &[OptOutEvent],
) -> Result<(), sqlx::Error> {
    for e in events {
        sqlx::query(
            "INSERT INTO optout_events (resident_id, scope, withdrawn, channel, proxy_basis, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(&e.scope)
        .bind(e.withdrawn)
        .bind(&e.channel)
        .bind(&e.proxy_basis)
        .bind(e.recorded_at.as_str())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl Backend {
    /// The records in `rows` with their logs, read in one more query.
    async fn with_events(&self, rows: Vec<DbRow>) -> StoreResult<Vec<OptOutEntry>> {
        let mut entries: Vec<OptOutEntry> = rows
            .iter()
            .map(|r| {
                Ok(OptOutEntry {
                    id: r.try_get("id")?,
                    kind: r.try_get("kind")?,
                    tag: r.try_get("tag")?,
                    sealed: r.try_get("sealed")?,
                    key_version: r.try_get::<i32, _>("key_version")? as u32,
                    receipt: r.try_get("receipt")?,
                    events: Vec::new(),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.err(e))?;
        let (Some(first), Some(last)) =
            (entries.first().map(|e| e.id), entries.last().map(|e| e.id))
        else {
            return Ok(entries);
        };
        let index: HashMap<i64, usize> =
            entries.iter().enumerate().map(|(i, e)| (e.id, i)).collect();
        let events = sqlx::query(
            "SELECT resident_id, scope, withdrawn, channel, proxy_basis, recorded_at FROM optout_events
             WHERE resident_id BETWEEN $1 AND $2 ORDER BY seq",
        )
        .bind(first)
        .bind(last)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        for e in events {
            let owner: i64 = e.try_get("resident_id").map_err(bad)?;
            if let Some(i) = index.get(&owner) {
                entries[*i].events.push(OptOutEvent {
                    scope: e.try_get("scope").map_err(bad)?,
                    withdrawn: e.try_get("withdrawn").map_err(bad)?,
                    channel: e.try_get("channel").map_err(bad)?,
                    proxy_basis: e.try_get("proxy_basis").map_err(bad)?,
                    recorded_at: stamp(&e, "recorded_at")?,
                });
            }
        }
        Ok(entries)
    }
}

#[async_trait]
impl OptOutStore for Backend {
    async fn optouts_add(&self, records: &[NewOptOut]) -> StoreResult<Vec<i64>> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        let mut ids = Vec::with_capacity(records.len());
        for r in records {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO optout_residents (kind, tag, sealed, key_version, receipt, manage_token_hash, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(&r.kind)
            .bind(&r.tag)
            .bind(&r.sealed)
            .bind(r.key_version as i32)
            .bind(&r.receipt)
            .bind(&r.manage_token_hash)
            .bind(r.created_at.as_str())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
            insert_events(&mut tx, id, &r.events)
                .await
                .map_err(|e| self.err(e))?;
            ids.push(id);
        }
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(ids)
    }

    async fn optout_by_token(&self, token_hash: &str) -> StoreResult<Option<OptOutEntry>> {
        let rows = sqlx::query(&format!(
            "SELECT {ENTRY_COLUMNS} FROM optout_residents WHERE manage_token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        let entries = self.with_events(rows).await?;
        Ok(entries.into_iter().next())
    }

    async fn optout_append(&self, id: i64, events: &[OptOutEvent]) -> StoreResult<()> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        insert_events(&mut tx, id, events)
            .await
            .map_err(|e| self.err(e))?;
        tx.commit().await.map_err(|e| self.err(e))
    }

    async fn optouts_after(&self, after: i64, limit: u32) -> StoreResult<Vec<OptOutEntry>> {
        let rows = sqlx::query(&format!(
            "SELECT {ENTRY_COLUMNS} FROM optout_residents WHERE id > $1 ORDER BY id LIMIT $2"
        ))
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        self.with_events(rows).await
    }

    async fn optout_rekey(&self, updates: &[Rekeyed]) -> StoreResult<()> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        for r in updates {
            sqlx::query(
                "UPDATE optout_residents SET tag = $1, sealed = $2, key_version = $3 WHERE id = $4",
            )
            .bind(&r.tag)
            .bind(&r.sealed)
            .bind(r.key_version as i32)
            .bind(r.id)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        }
        tx.commit().await.map_err(|e| self.err(e))
    }

    async fn check_record(&self, c: &CheckRecord) -> StoreResult<bool> {
        // A report already recorded (same organisation and hash) is left alone: retries count once.
        let done = sqlx::query(
            "INSERT INTO optout_checks (organisation, checked_at, method, scopes, rows_in, rows_kept, rows_removed, rows_invalid,
                                        identifier_kind, snapshot_created, key_version, report_hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (organisation, report_hash) DO NOTHING",
        )
        .bind(&c.organisation)
        .bind(c.checked_at.as_str())
        .bind(&c.method)
        .bind(&c.scopes)
        .bind(c.rows_in as i64)
        .bind(c.rows_kept as i64)
        .bind(c.rows_removed as i64)
        .bind(c.rows_invalid as i64)
        .bind(&c.identifier_kind)
        .bind(c.snapshot_created.as_ref().map(|t| t.as_str()))
        .bind(c.key_version.map(|v| v as i32))
        .bind(&c.report_hash)
        .execute(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(done.rows_affected() == 1)
    }

    async fn optout_key_version(&self) -> StoreResult<Option<u32>> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT CAST(max(key_version) AS BIGINT) FROM optout_residents")
                .fetch_one(&self.pool)
                .await
                .map_err(|e| self.err(e))?;
        Ok(v.map(|v| v as u32))
    }

    async fn optout_figures(&self) -> StoreResult<OptOutFigures> {
        // The latest event for each resident and scope decides whether they are opted out now.
        let by_scope: Vec<(String, i64)> = sqlx::query_as(
            "SELECT scope, count(*) FROM (
                 SELECT scope, withdrawn, row_number() OVER (PARTITION BY resident_id, scope ORDER BY seq DESC) AS latest
                 FROM optout_events) AS choices
             WHERE latest = 1 AND NOT withdrawn GROUP BY scope ORDER BY scope",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        let checks: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT organisation, substr(checked_at, 1, 7) AS month, count(*),
                    CAST(coalesce(sum(rows_removed), 0) AS BIGINT)
             FROM optout_checks GROUP BY organisation, month ORDER BY month DESC, organisation",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(OptOutFigures {
            by_scope: by_scope.into_iter().map(|(s, n)| (s, n as u64)).collect(),
            checks: checks
                .into_iter()
                .map(|(organisation, month, checks, removed)| CheckFigure {
                    organisation,
                    month,
                    checks: checks as u64,
                    rows_removed: removed as u64,
                })
                .collect(),
        })
    }

    async fn identifier_kinds(&self) -> StoreResult<Vec<IdentifierKindRecord>> {
        let rows = sqlx::query(
            "SELECT k.name, k.tag_prefix, k.label, k.hint, k.charset, k.min_len, k.max_len, k.created_at, k.retired_at,
                    EXISTS (SELECT 1 FROM optout_residents r WHERE r.kind = k.name) AS in_use
             FROM optout_identifier_kinds k ORDER BY k.id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|r| {
                Ok(IdentifierKindRecord {
                    spec: IdentifierKindSpec {
                        name: r.try_get("name").map_err(bad)?,
                        tag_prefix: r.try_get("tag_prefix").map_err(bad)?,
                        label: r.try_get("label").map_err(bad)?,
                        hint: r.try_get("hint").map_err(bad)?,
                        charset: r.try_get("charset").map_err(bad)?,
                        min_len: r.try_get::<i32, _>("min_len").map_err(bad)? as u32,
                        max_len: r.try_get::<i32, _>("max_len").map_err(bad)? as u32,
                    },
                    created_at: stamp(r, "created_at")?,
                    retired_at: stamp_opt(r, "retired_at")?,
                    in_use: r.try_get("in_use").map_err(bad)?,
                })
            })
            .collect()
    }

    async fn identifier_kind_add(&self, k: &IdentifierKindSpec, at: &Timestamp) -> StoreResult<()> {
        let _turn = self.turn().await?;
        sqlx::query(
            "INSERT INTO optout_identifier_kinds (name, tag_prefix, label, hint, charset, min_len, max_len, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&k.name)
        .bind(&k.tag_prefix)
        .bind(&k.label)
        .bind(&k.hint)
        .bind(&k.charset)
        .bind(k.min_len as i32)
        .bind(k.max_len as i32)
        .bind(at.as_str())
        .execute(&self.pool)
        .await
        .map_err(|e| self.conflict_or(e, &k.name))?;
        Ok(())
    }

    async fn identifier_kind_change(&self, k: &IdentifierKindSpec) -> StoreResult<KindChange> {
        let _turn = self.turn().await?;
        // One statement: the check that no opt-out uses the kind and the change cannot be split
        // by an opt-out added in between.
        let changed = sqlx::query(
            "UPDATE optout_identifier_kinds SET label = $1, hint = $2, charset = $3, min_len = $4, max_len = $5
             WHERE name = $6 AND NOT EXISTS (SELECT 1 FROM optout_residents WHERE kind = $6)",
        )
        .bind(&k.label)
        .bind(&k.hint)
        .bind(&k.charset)
        .bind(k.min_len as i32)
        .bind(k.max_len as i32)
        .bind(&k.name)
        .execute(&self.pool)
        .await
        .map_err(|e| self.err(e))?
        .rows_affected();
        if changed == 1 {
            return Ok(KindChange::Changed);
        }
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT id FROM optout_identifier_kinds WHERE name = $1")
                .bind(&k.name)
                .fetch_optional(&self.pool)
                .await
                .map_err(|e| self.err(e))?;
        Ok(if exists.is_some() {
            KindChange::InUse
        } else {
            KindChange::Missing
        })
    }

    async fn identifier_kind_retire(
        &self,
        name: &str,
        at: Option<&Timestamp>,
    ) -> StoreResult<bool> {
        let _turn = self.turn().await?;
        let done =
            sqlx::query("UPDATE optout_identifier_kinds SET retired_at = $1 WHERE name = $2")
                .bind(at.map(Timestamp::as_str))
                .bind(name)
                .execute(&self.pool)
                .await
                .map_err(|e| self.err(e))?;
        Ok(done.rows_affected() == 1)
    }
}
