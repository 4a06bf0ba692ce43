//! Residents' opt-outs: records, their append-only logs, and dataset checks.

use std::collections::HashMap;

use charter_store::optout::{
    CheckFigure, CheckRecord, IdentifierKindRecord, IdentifierKindSpec, KindChange, NewOptOut,
    OptOutEntry, OptOutEvent, OptOutFigures,
};
use sqlx::{PgConnection, PgPool, Row};

async fn insert_events(
    conn: &mut PgConnection,
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
        .bind(&e.recorded_at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub(crate) async fn add(
    conn: &mut PgConnection,
    records: &[NewOptOut],
) -> Result<Vec<i64>, sqlx::Error> {
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
        .bind(&r.created_at)
        .fetch_one(&mut *conn)
        .await?;
        insert_events(conn, id, &r.events).await?;
        ids.push(id);
    }
    Ok(ids)
}

pub(crate) async fn append(
    conn: &mut PgConnection,
    id: i64,
    events: &[OptOutEvent],
) -> Result<(), sqlx::Error> {
    insert_events(conn, id, events).await
}

const ENTRY_COLUMNS: &str = "id, kind, tag, sealed, key_version, receipt";

async fn with_events(
    pool: &PgPool,
    rows: Vec<sqlx::postgres::PgRow>,
) -> Result<Vec<OptOutEntry>, sqlx::Error> {
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
        .collect::<Result<_, sqlx::Error>>()?;
    let (Some(first), Some(last)) = (entries.first().map(|e| e.id), entries.last().map(|e| e.id))
    else {
        return Ok(entries);
    };
    let index: HashMap<i64, usize> = entries.iter().enumerate().map(|(i, e)| (e.id, i)).collect();
    let events = sqlx::query(
        "SELECT resident_id, scope, withdrawn, channel, proxy_basis, recorded_at FROM optout_events
         WHERE resident_id BETWEEN $1 AND $2 ORDER BY seq",
    )
    .bind(first)
    .bind(last)
    .fetch_all(pool)
    .await?;
    for e in events {
        let owner: i64 = e.try_get("resident_id")?;
        if let Some(i) = index.get(&owner) {
            entries[*i].events.push(OptOutEvent {
                scope: e.try_get("scope")?,
                withdrawn: e.try_get("withdrawn")?,
                channel: e.try_get("channel")?,
                proxy_basis: e.try_get("proxy_basis")?,
                recorded_at: e.try_get("recorded_at")?,
            });
        }
    }
    Ok(entries)
}

pub(crate) async fn by_token(
    pool: &PgPool,
    token_hash: &str,
) -> Result<Option<OptOutEntry>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {ENTRY_COLUMNS} FROM optout_residents WHERE manage_token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_all(pool)
    .await?;
    Ok(with_events(pool, rows).await?.into_iter().next())
}

pub(crate) async fn after(
    pool: &PgPool,
    after: i64,
    limit: u32,
) -> Result<Vec<OptOutEntry>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {ENTRY_COLUMNS} FROM optout_residents WHERE id > $1 ORDER BY id LIMIT $2"
    ))
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    with_events(pool, rows).await
}

pub(crate) async fn rekey(
    conn: &mut PgConnection,
    updates: &[(i64, Vec<u8>, Vec<u8>, u32)],
) -> Result<(), sqlx::Error> {
    for (id, tag, sealed, version) in updates {
        sqlx::query(
            "UPDATE optout_residents SET tag = $1, sealed = $2, key_version = $3 WHERE id = $4",
        )
        .bind(tag)
        .bind(sealed)
        .bind(*version as i32)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub(crate) async fn record_check(pool: &PgPool, c: &CheckRecord) -> Result<bool, sqlx::Error> {
    // A report already recorded (same organisation and hash) is left alone: retries count once.
    let done = sqlx::query(
        "INSERT INTO optout_checks (organisation, checked_at, method, scopes, rows_in, rows_kept, rows_removed, rows_invalid,
                                    identifier_kind, snapshot_created, key_version, report_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (organisation, report_hash) DO NOTHING",
    )
    .bind(&c.organisation)
    .bind(&c.checked_at)
    .bind(&c.method)
    .bind(&c.scopes)
    .bind(c.rows_in as i64)
    .bind(c.rows_kept as i64)
    .bind(c.rows_removed as i64)
    .bind(c.rows_invalid as i64)
    .bind(&c.identifier_kind)
    .bind(&c.snapshot_created)
    .bind(c.key_version.map(|v| v as i32))
    .bind(&c.report_hash)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn figures(pool: &PgPool) -> Result<OptOutFigures, sqlx::Error> {
    // The latest event for each resident and scope decides whether they are opted out now.
    let by_scope: Vec<(String, i64)> = sqlx::query_as(
        "SELECT scope, count(*) FROM (
             SELECT scope, withdrawn, row_number() OVER (PARTITION BY resident_id, scope ORDER BY seq DESC) AS latest
             FROM optout_events) AS current
         WHERE latest = 1 AND NOT withdrawn GROUP BY scope ORDER BY scope",
    )
    .fetch_all(pool)
    .await?;
    let checks: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT organisation, substr(checked_at, 1, 7) AS month, count(*), coalesce(sum(rows_removed), 0)::BIGINT
         FROM optout_checks GROUP BY organisation, month ORDER BY month DESC, organisation",
    )
    .fetch_all(pool)
    .await?;
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

pub(crate) async fn kinds(pool: &PgPool) -> Result<Vec<IdentifierKindRecord>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT k.name, k.tag_prefix, k.label, k.hint, k.charset, k.min_len, k.max_len, k.created_at, k.retired_at,
                EXISTS (SELECT 1 FROM optout_residents r WHERE r.kind = k.name) AS in_use
         FROM optout_identifier_kinds k ORDER BY k.id",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(IdentifierKindRecord {
                spec: IdentifierKindSpec {
                    name: r.try_get("name")?,
                    tag_prefix: r.try_get("tag_prefix")?,
                    label: r.try_get("label")?,
                    hint: r.try_get("hint")?,
                    charset: r.try_get("charset")?,
                    min_len: r.try_get::<i32, _>("min_len")? as u32,
                    max_len: r.try_get::<i32, _>("max_len")? as u32,
                },
                created_at: r.try_get("created_at")?,
                retired_at: r.try_get("retired_at")?,
                in_use: r.try_get("in_use")?,
            })
        })
        .collect()
}

pub(crate) async fn kind_add(
    pool: &PgPool,
    k: &IdentifierKindSpec,
    at: &str,
) -> Result<(), sqlx::Error> {
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
    .bind(at)
    .execute(pool)
    .await?;
    Ok(())
}

pub(crate) async fn kind_change(
    pool: &PgPool,
    k: &IdentifierKindSpec,
) -> Result<KindChange, sqlx::Error> {
    // One statement: the check that no opt-out uses the kind and the change cannot be split by
    // an opt-out added in between.
    let changed = sqlx::query(
        "UPDATE optout_identifier_kinds SET label = $1, hint = $2, charset = $3, min_len = $4, max_len = $5
         WHERE name = $6 AND NOT EXISTS (SELECT 1 FROM optout_residents WHERE kind = $7)",
    )
    .bind(&k.label)
    .bind(&k.hint)
    .bind(&k.charset)
    .bind(k.min_len as i32)
    .bind(k.max_len as i32)
    .bind(&k.name)
    .bind(&k.name)
    .execute(pool)
    .await?
    .rows_affected();
    if changed == 1 {
        return Ok(KindChange::Changed);
    }
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT id FROM optout_identifier_kinds WHERE name = $1")
            .bind(&k.name)
            .fetch_optional(pool)
            .await?;
    Ok(if exists.is_some() {
        KindChange::InUse
    } else {
        KindChange::Missing
    })
}

pub(crate) async fn kind_retire(
    pool: &PgPool,
    name: &str,
    at: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE optout_identifier_kinds SET retired_at = $1 WHERE name = $2")
        .bind(at)
        .bind(name)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}
