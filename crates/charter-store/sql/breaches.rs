//! The breach log: each breach as it stands (state and deadline as columns, so lists and
//! reminders can ask for them) and every version, written in one transaction with each change.

use async_trait::async_trait;
use charter_core::breaches::Breach;
use charter_core::dashboard::breach_months::{MonthChange, breach_changes};
use charter_store::breaches::{BreachChange, BreachFilter, BreachVersion, StoredBreach};
use charter_store::{BreachStore, StoreError, StoreResult};
use sqlx::Row;

use super::common::{bad, stamp};
use crate::backend::{Backend, DbRow};

fn to_json(b: &Breach) -> StoreResult<String> {
    serde_json::to_string(b).map_err(|e| StoreError::Data(e.to_string()))
}

fn from_json(text: &str) -> StoreResult<Breach> {
    serde_json::from_str(text).map_err(|e| StoreError::Data(format!("breach: {e}")))
}

fn stored_from_row(row: &DbRow) -> StoreResult<StoredBreach> {
    Ok(StoredBreach {
        id: row.try_get("id").map_err(bad)?,
        version: row.try_get::<i32, _>("version").map_err(bad)? as u32,
        changed_at: stamp(row, "changed_at")?,
        breach: from_json(&row.try_get::<String, _>("doc").map_err(bad)?)?,
    })
}

const COLUMNS: &str = "b.id, b.version, b.changed_at, b.doc";

#[async_trait]
impl BreachStore for Backend {
    async fn breach_add(&self, breach: &Breach, change: &BreachChange<'_>) -> StoreResult<i64> {
        let doc = to_json(breach)?;
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO breaches (organisation_id, state, aware_at, deadline_at, version, changed_at, doc)
             SELECT id, $1, $2, $3, 1, $4, $5 FROM organisations WHERE slug = $6 RETURNING id",
        )
        .bind(breach.state.slug())
        .bind(breach.aware_at.as_str())
        .bind(breach.deadline().as_str())
        .bind(change.at.as_str())
        .bind(&doc)
        .bind(breach.organisation.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| self.err(e))?;
        let id = id.ok_or_else(|| StoreError::UnknownOrganisation(breach.organisation.clone()))?;
        insert_version(self, &mut tx, id, 1, change, &doc).await?;
        month_sums_add(self, &mut tx, &breach_changes(None, breach, change.at)).await?;
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(id)
    }

    async fn breach_change(
        &self,
        id: i64,
        version: u32,
        breach: &Breach,
        change: &BreachChange<'_>,
    ) -> StoreResult<Option<u32>> {
        let doc = to_json(breach)?;
        let next = version + 1;
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        // As it stood, for what the change takes off the dashboard's sums.
        let before: Option<String> =
            sqlx::query_scalar("SELECT doc FROM breaches WHERE id = $1 AND version = $2")
                .bind(id)
                .bind(version as i32)
                .fetch_optional(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
        let Some(before) = before else {
            return Ok(None);
        };
        let before = from_json(&before)?;
        // Changed only if nobody changed it since it was read.
        let done = sqlx::query(
            "UPDATE breaches SET state = $1, aware_at = $2, deadline_at = $3, version = $4,
                    changed_at = $5, doc = $6
             WHERE id = $7 AND version = $8",
        )
        .bind(breach.state.slug())
        .bind(breach.aware_at.as_str())
        .bind(breach.deadline().as_str())
        .bind(next as i32)
        .bind(change.at.as_str())
        .bind(&doc)
        .bind(id)
        .bind(version as i32)
        .execute(&mut *tx)
        .await
        .map_err(|e| self.err(e))?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        insert_version(self, &mut tx, id, next, change, &doc).await?;
        month_sums_add(
            self,
            &mut tx,
            &breach_changes(Some(&before), breach, change.at),
        )
        .await?;
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(Some(next))
    }

    async fn breach(&self, id: i64) -> StoreResult<Option<StoredBreach>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM breaches b WHERE b.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        row.as_ref().map(stored_from_row).transpose()
    }

    async fn breaches(&self, filter: &BreachFilter) -> StoreResult<Vec<StoredBreach>> {
        // The states as ",a,b,": both databases concatenate with `||` and match with LIKE.
        let states: String = filter
            .states
            .iter()
            .map(|s| format!(",{}", s.slug()))
            .collect();
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM breaches b JOIN organisations o ON o.id = b.organisation_id
             WHERE ($1 IS NULL OR o.slug = $1)
               AND ($2 = '' OR $2 || ',' LIKE '%,' || b.state || ',%')
               AND ($3 IS NULL OR b.deadline_at <= $3)
             ORDER BY b.aware_at DESC, b.id DESC"
        ))
        .bind(filter.organisation.as_ref().map(|s| s.as_str()))
        .bind(states)
        .bind(filter.deadline_by.as_ref().map(|t| t.as_str()))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter().map(stored_from_row).collect()
    }

    async fn breach_versions(&self, id: i64) -> StoreResult<Vec<BreachVersion>> {
        let rows = sqlx::query(
            "SELECT version, at, actor, step, doc FROM breach_versions
             WHERE breach_id = $1 ORDER BY version",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|row| {
                Ok(BreachVersion {
                    version: row.try_get::<i32, _>("version").map_err(bad)? as u32,
                    at: stamp(row, "at")?,
                    actor: row.try_get("actor").map_err(bad)?,
                    step: row.try_get("step").map_err(bad)?,
                    breach: from_json(&row.try_get::<String, _>("doc").map_err(bad)?)?,
                })
            })
            .collect()
    }
}

async fn insert_version(
    store: &Backend,
    tx: &mut sqlx::Transaction<'static, crate::backend::Db>,
    id: i64,
    version: u32,
    change: &BreachChange<'_>,
    doc: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO breach_versions (breach_id, version, at, actor, step, doc)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(version as i32)
    .bind(change.at.as_str())
    .bind(change.actor)
    .bind(change.step)
    .bind(doc)
    .execute(&mut **tx)
    .await
    .map_err(|e| store.err(e))?;
    Ok(())
}

/// Adds a breach change's figures to the dashboard's sums by deadline month.
async fn month_sums_add(
    store: &Backend,
    tx: &mut sqlx::Transaction<'static, crate::backend::Db>,
    changes: &[MonthChange],
) -> StoreResult<()> {
    for (scope, month, day, metric, by) in changes {
        sqlx::query(
            "INSERT INTO dashboard_breach_months (scope, month, day, metric, change)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (scope, month, day, metric)
             DO UPDATE SET change = dashboard_breach_months.change + excluded.change",
        )
        .bind(scope.as_str())
        .bind(month.as_str())
        .bind(day.to_string())
        .bind(*metric)
        .bind(*by)
        .execute(&mut **tx)
        .await
        .map_err(|e| store.err(e))?;
    }
    Ok(())
}
