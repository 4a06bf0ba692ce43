//! The kept sums behind the statistics on challenges and questions (`challenge_counts`) and the
//! dashboard's answers on time (`challenge_answer_days`, `challenge_answer_months`): changed in
//! the same transaction as the item, from what it counted for before and after the change
//! (`charter_core::challenge_counts`). The item's row is locked first (PostgreSQL), so what is
//! taken away is what was there.

use std::collections::BTreeMap;

use charter_core::challenge_counts::{self, Changes, Facts};
use charter_core::challenges::{Kind, Outcome};
use charter_core::dashboard::{self, month_of};
use charter_core::{ProjectId, Timestamp};
use charter_store::StoreResult;
use sqlx::Row;

use super::common::bad;
use crate::backend::{Backend, Conn, DbRow, FOR_UPDATE};

/// Rows per insert: four values each, well under either database's limit on parameters.
const ROWS_PER_INSERT: usize = 200;

/// The columns `facts` reads.
pub(crate) const FACT_COLUMNS: &str = "c.kind, c.project_id, c.organisation, c.status, c.received_at, c.answer_by, c.answered_at, c.outcome";

pub(crate) fn facts(row: &DbRow) -> StoreResult<Facts> {
    let text = |col: &str| -> StoreResult<String> { row.try_get(col).map_err(bad) };
    let day = |t: &str| -> StoreResult<charter_core::Date> {
        Ok(t.parse::<Timestamp>().map_err(bad)?.date())
    };
    let status = text("status")?;
    let answered: Option<String> = row.try_get("answered_at").map_err(bad)?;
    let outcome: Option<String> = row.try_get("outcome").map_err(bad)?;
    Ok(Facts {
        kind: text("kind")?.parse::<Kind>().map_err(bad)?,
        project: ProjectId::new(row.try_get::<i32, _>("project_id").map_err(bad)? as u32),
        organisation: text("organisation")?.parse().map_err(bad)?,
        open: status == "received" || status == "acknowledged",
        received: day(&text("received_at")?)?,
        answer_by: text("answer_by")?.parse().map_err(bad)?,
        answered: answered.as_deref().map(day).transpose()?,
        outcome: outcome
            .map(|o| o.parse::<Outcome>())
            .transpose()
            .map_err(bad)?,
    })
}

impl Backend {
    /// What item `id` counts for now, its row locked until the transaction ends.
    pub(crate) async fn counted_facts(&self, tx: &mut Conn, id: i64) -> StoreResult<Option<Facts>> {
        let row = sqlx::query(&format!(
            "SELECT {FACT_COLUMNS} FROM challenges c WHERE c.id = $1{FOR_UPDATE}"
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| self.err(e))?;
        row.as_ref().map(facts).transpose()
    }

    /// After item `id` changed: moves the kept sums from what it counted for `before`.
    pub(crate) async fn counted_change(
        &self,
        tx: &mut Conn,
        id: i64,
        before: Option<Facts>,
    ) -> StoreResult<()> {
        let after = self.counted_facts(tx, id).await?;
        self.counts_change(tx, before.as_ref(), after.as_ref())
            .await
    }

    /// Moves the kept sums from what an item counted for (`before`) to what it counts for now.
    pub(crate) async fn counts_change(
        &self,
        tx: &mut Conn,
        before: Option<&Facts>,
        after: Option<&Facts>,
    ) -> StoreResult<()> {
        let sums = challenge_counts::change(before, after);
        let mut answers = dashboard::Changes::new();
        if let Some(b) = before {
            challenge_counts::add_answers(&mut answers, b, -1);
        }
        if let Some(a) = after {
            challenge_counts::add_answers(&mut answers, a, 1);
        }
        self.counts_add(tx, &sums, &answers).await
    }

    /// Adds changes to the kept sums, and drops the sums that came to zero.
    pub(crate) async fn counts_add(
        &self,
        tx: &mut Conn,
        sums: &Changes,
        answers: &dashboard::Changes,
    ) -> StoreResult<()> {
        let rows: Vec<(String, i32, String, i64)> = sums
            .iter()
            .map(|((org, project, fig), n)| (org.clone(), *project as i32, fig.clone(), *n))
            .collect();
        self.upsert(
            tx,
            "challenge_counts",
            "organisation, project_id, figure, n",
            &rows,
        )
        .await?;
        if !rows.is_empty() {
            sqlx::query("DELETE FROM challenge_counts WHERE n = 0")
                .execute(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
        }
        let days: Vec<(String, String, String, i64)> = answers
            .iter()
            .map(|((scope, day, m), by)| (scope.clone(), day.to_string(), m.clone(), *by))
            .collect();
        let mut by_month: BTreeMap<(String, String, String), i64> = BTreeMap::new();
        for ((scope, day, m), by) in answers {
            *by_month
                .entry((scope.clone(), month_of(*day), m.clone()))
                .or_default() += by;
        }
        let months: Vec<(String, String, String, i64)> = by_month
            .into_iter()
            .filter(|(_, by)| *by != 0)
            .map(|((s, m, metric), by)| (s, m, metric, by))
            .collect();
        self.upsert(
            tx,
            "challenge_answer_days",
            "scope, day, metric, change",
            &days,
        )
        .await?;
        self.upsert(
            tx,
            "challenge_answer_months",
            "scope, month, metric, change",
            &months,
        )
        .await
    }

    /// Adds the last column of `rows` to `table`'s, keyed by the first three.
    async fn upsert<B>(
        &self,
        tx: &mut Conn,
        table: &str,
        columns: &str,
        rows: &[(String, B, String, i64)],
    ) -> StoreResult<()>
    where
        B: Clone + Send + Sync + 'static,
        B: for<'q> sqlx::Encode<'q, crate::backend::Db> + sqlx::Type<crate::backend::Db>,
    {
        let names: Vec<&str> = columns.split(", ").collect();
        let (key, value) = (names[..3].join(", "), names[3]);
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let n = i * 4;
                    format!("(${}, ${}, ${}, ${})", n + 1, n + 2, n + 3, n + 4)
                })
                .collect();
            let sql = format!(
                "INSERT INTO {table} ({columns}) VALUES {}
                 ON CONFLICT ({key}) DO UPDATE SET {value} = {table}.{value} + excluded.{value}",
                values.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for (a, b, c, n) in chunk {
                q = q.bind(a.clone()).bind(b.clone()).bind(c.clone()).bind(*n);
            }
            q.execute(&mut *tx).await.map_err(|e| self.err(e))?;
        }
        Ok(())
    }
}
