//! The dashboard's sums by day and by month, and how far along the chain they count.

use std::collections::BTreeMap;

use async_trait::async_trait;
use charter_core::Date;
use charter_core::dashboard::{Changes, StoredSums, month_of};
use charter_store::{DashboardStore, StoreResult};

use super::common::bad;
use crate::backend::{Backend, Conn, lock_chain};

/// Rows per insert: four values each, well under either database's limit on parameters.
const ROWS_PER_INSERT: usize = 200;

impl Backend {
    /// Adds `rows` (scope, day or month, metric, change) to `table`'s sums.
    async fn sums_add(
        &self,
        tx: &mut Conn,
        table: &str,
        period: &str,
        rows: &[(&str, String, &str, i64)],
    ) -> StoreResult<()> {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let n = i * 4;
                    format!("(${}, ${}, ${}, ${})", n + 1, n + 2, n + 3, n + 4)
                })
                .collect();
            let sql = format!(
                "INSERT INTO {table} (scope, {period}, metric, change) VALUES {}
                 ON CONFLICT (scope, {period}, metric) DO UPDATE SET change = {table}.change + excluded.change",
                values.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for (scope, when, metric, by) in chunk {
                q = q.bind(*scope).bind(when.as_str()).bind(*metric).bind(*by);
            }
            q.execute(&mut *tx).await.map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    async fn sums_read(
        &self,
        months_sql: &str,
        days_sql: &str,
        binds: (&str, &str, &str),
    ) -> StoreResult<StoredSums> {
        let (scope, month, day) = binds;
        let months: Vec<(String, String, i64)> = sqlx::query_as(months_sql)
            .bind(scope)
            .bind(month)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        let days: Vec<(String, String, i64)> = sqlx::query_as(days_sql)
            .bind(scope)
            .bind(month)
            .bind(day)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        let days = days
            .into_iter()
            .map(|(d, m, v)| Ok((d.parse::<Date>().map_err(bad)?, m, v)))
            .collect::<StoreResult<_>>()?;
        Ok(StoredSums { months, days })
    }
}

#[async_trait]
impl DashboardStore for Backend {
    async fn dashboard_position(&self) -> StoreResult<u64> {
        let seq: i64 = sqlx::query_scalar("SELECT seq FROM dashboard_position WHERE id = 1")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(seq as u64)
    }

    async fn dashboard_add(&self, from: u64, to: u64, changes: &Changes) -> StoreResult<bool> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        // The chain's lock makes instances take turns on PostgreSQL (SQLite has one writer).
        lock_chain(&mut tx).await.map_err(|e| self.err(e))?;
        let at: i64 = sqlx::query_scalar("SELECT seq FROM dashboard_position WHERE id = 1")
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        if at as u64 != from {
            return Ok(false);
        }
        let days: Vec<(&str, String, &str, i64)> = changes
            .iter()
            .map(|((scope, day, metric), by)| {
                (scope.as_str(), day.to_string(), metric.as_str(), *by)
            })
            .collect();
        let mut by_month: BTreeMap<(&str, String, &str), i64> = BTreeMap::new();
        for ((scope, day, metric), by) in changes {
            *by_month
                .entry((scope.as_str(), month_of(*day), metric.as_str()))
                .or_default() += by;
        }
        let months: Vec<(&str, String, &str, i64)> = by_month
            .into_iter()
            .filter(|(_, by)| *by != 0)
            .map(|((scope, month, metric), by)| (scope, month, metric, by))
            .collect();
        self.sums_add(&mut tx, "dashboard_days", "day", &days)
            .await?;
        self.sums_add(&mut tx, "dashboard_months", "month", &months)
            .await?;
        sqlx::query("UPDATE dashboard_position SET seq = $1 WHERE id = 1")
            .bind(to as i64)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(true)
    }

    async fn dashboard_sums(&self, scope: &str, on: Date) -> StoreResult<StoredSums> {
        let month = month_of(on);
        self.sums_read(
            "SELECT month, metric, change FROM dashboard_months
             WHERE scope = $1 AND month < $2 AND change <> 0 ORDER BY month, metric",
            "SELECT day, metric, change FROM dashboard_days
             WHERE scope = $1 AND day >= $2 AND day <= $3 AND change <> 0 ORDER BY day, metric",
            (scope, &month, &on.to_string()),
        )
        .await
    }

    async fn dashboard_breach_sums(
        &self,
        scope: &str,
        months: &[String],
        on: Date,
    ) -> StoreResult<Vec<(String, String, i64)>> {
        if months.is_empty() {
            return Ok(Vec::new());
        }
        // A point per month shown (at most 14): the primary key's (scope, month) prefix finds
        // each month's few rows.
        let list: Vec<String> = (0..months.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "SELECT month, metric, CAST(SUM(change) AS BIGINT) FROM dashboard_breach_months
             WHERE scope = $1 AND day <= $2 AND month IN ({})
             GROUP BY month, metric HAVING SUM(change) <> 0 ORDER BY month, metric",
            list.join(", ")
        );
        let on = on.to_string();
        let mut q = sqlx::query_as::<_, (String, String, i64)>(&sql)
            .bind(scope)
            .bind(on.as_str());
        for m in months {
            q = q.bind(m.as_str());
        }
        q.fetch_all(&self.pool).await.map_err(|e| self.err(e))
    }

    async fn dashboard_stored(&self, scope: &str) -> StoreResult<StoredSums> {
        // Every row: the bounds are beyond any month or day.
        self.sums_read(
            "SELECT month, metric, change FROM dashboard_months
             WHERE scope = $1 AND month > $2 ORDER BY month, metric",
            "SELECT day, metric, change FROM dashboard_days
             WHERE scope = $1 AND day > $2 AND day > $3 ORDER BY day, metric",
            (scope, "", ""),
        )
        .await
    }
}
