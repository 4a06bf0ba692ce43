//! Scheduled jobs, and clearing out what has expired.

use async_trait::async_trait;
use charter_core::Timestamp;
use charter_store::{JobStore, StoreResult};

use crate::backend::Backend;

#[async_trait]
impl JobStore for Backend {
    async fn job_claim(&self, name: &str, now: &Timestamp, next: &Timestamp) -> StoreResult<bool> {
        let _turn = self.turn().await?;
        sqlx::query(
            "INSERT INTO jobs (name, next_run_at, runs) VALUES ($1, $2, 0) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(now.as_str())
        .execute(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        let claimed = sqlx::query(
            "UPDATE jobs SET next_run_at = $1, runs = runs + 1, last_run_at = $2
             WHERE name = $3 AND next_run_at <= $2",
        )
        .bind(next.as_str())
        .bind(now.as_str())
        .bind(name)
        .execute(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(claimed.rows_affected() == 1)
    }

    async fn job_runs(&self, name: &str) -> StoreResult<u64> {
        let n: Option<i64> = sqlx::query_scalar("SELECT runs FROM jobs WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(n.unwrap_or(0) as u64)
    }

    async fn expired_delete(
        &self,
        now: &Timestamp,
        failures_before: &Timestamp,
    ) -> StoreResult<u64> {
        let _turn = self.turn().await?;
        let mut gone = 0;
        for (sql, at) in [
            ("DELETE FROM sessions WHERE expires_at <= $1", now),
            ("DELETE FROM account_links WHERE expires_at <= $1", now),
            (
                "DELETE FROM sign_in_failures WHERE at <= $1",
                failures_before,
            ),
        ] {
            gone += sqlx::query(sql)
                .bind(at.as_str())
                .execute(&self.pool)
                .await
                .map_err(|e| self.err(e))?
                .rows_affected();
        }
        Ok(gone)
    }
}
