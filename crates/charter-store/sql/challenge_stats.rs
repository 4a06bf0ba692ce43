//! The counts behind the public statistics on challenges and questions, and the items past a
//! deadline. The statistics read the kept sums (`challenge_counts.rs`): a few rows per scope
//! however many items there are. The recount adds up every item again in the database, to prove
//! the sums right; only its days from arriving to an answer differ between the two databases
//! (`backend::DAYS_TO_ANSWER`).

use async_trait::async_trait;
use charter_core::challenge_counts::{self, Facts};
use charter_core::challenge_stats::Tally;
use charter_core::challenges::{Kind, Outcome};
use charter_core::dashboard::{Changes as DashChanges, REGION, StoredSums, month_of};
use charter_core::{Date, ProjectId, Timestamp};
use charter_store::challenge_stats::{
    Deadline, GeneratedChallenge, Overdue, OverduePage, StatsScope,
};
use charter_store::notices::NewMail;
use charter_store::{ChallengeStatsStore, StoreError, StoreResult};
use sqlx::Row;

use super::builder::{Arg, Sql};
use super::common::{bad, stamp};
use crate::backend::{Backend, DAYS_TO_ANSWER, DbRow, to_doc};

/// Answered on or before the day it was due (an answer's day is its time's first ten characters).
const ON_TIME: &str = "CASE WHEN c.answered_at IS NOT NULL AND substr(c.answered_at, 1, 10) <= c.answer_by THEN 1 ELSE 0 END";
const ANSWERED: &str = "CASE WHEN c.answered_at IS NOT NULL THEN 1 ELSE 0 END";

/// Still open, and the day the answer was due is before `$1`.
const OVERDUE: &str =
    "CASE WHEN c.status IN ('received', 'acknowledged') AND c.answer_by < $1 THEN 1 ELSE 0 END";

fn scoped(sql: &mut Sql, scope: &StatsScope) {
    match scope {
        StatsScope::Region => {}
        StatsScope::Organisation(org) => {
            sql.push(" AND c.organisation = ")
                .arg(Arg::Text(org.to_string()));
        }
        StatsScope::Project(id) => {
            sql.push(" AND c.project_id = ")
                .arg(Arg::Int(i64::from(id.number())));
        }
    }
}

fn count(row: &DbRow, col: &str) -> StoreResult<u64> {
    // SUM over no rows is NULL.
    let n: Option<i64> = row.try_get(col).map_err(bad)?;
    Ok(n.unwrap_or(0).max(0) as u64)
}

/// Which deadlines are missed by `$1`. For reminders (`not_reminded`), a row per deadline no
/// reminder went out for; for the list, a row per item, by the worse deadline it missed.
fn overdue_rows(not_reminded: bool) -> String {
    let ack = if not_reminded {
        " AND c.acknowledge_reminded_at IS NULL"
    } else {
        " AND c.answer_by >= $1"
    };
    let answer = if not_reminded {
        " AND c.answer_reminded_at IS NULL"
    } else {
        ""
    };
    format!(
        "SELECT c.id, c.kind, c.project_id, c.organisation, c.received_at, u.email AS assignee,
                'acknowledge' AS deadline, c.acknowledge_by AS due
         FROM challenges c LEFT JOIN users u ON u.id = c.assignee_id
         WHERE c.status = 'received' AND c.acknowledge_by < $1{ack}
         UNION ALL
         SELECT c.id, c.kind, c.project_id, c.organisation, c.received_at, u.email AS assignee,
                'answer' AS deadline, c.answer_by AS due
         FROM challenges c LEFT JOIN users u ON u.id = c.assignee_id
         WHERE c.status IN ('received', 'acknowledged') AND c.answer_by < $1{answer}"
    )
}

fn overdue_from_row(row: &DbRow) -> StoreResult<Overdue> {
    let text = |col: &str| -> StoreResult<String> { row.try_get(col).map_err(bad) };
    Ok(Overdue {
        id: row.try_get("id").map_err(bad)?,
        kind: text("kind")?.parse::<Kind>().map_err(bad)?,
        project: ProjectId::new(row.try_get::<i32, _>("project_id").map_err(bad)? as u32),
        organisation: text("organisation")?.parse().map_err(bad)?,
        received_at: stamp(row, "received_at")?,
        deadline: match text("deadline")?.as_str() {
            "acknowledge" => Deadline::Acknowledge,
            _ => Deadline::Answer,
        },
        due: text("due")?
            .parse()
            .map_err(|e| StoreError::Data(format!("due: {e}")))?,
        assignee: row.try_get("assignee").map_err(bad)?,
    })
}

/// The kept sums' rows (figure, sum) for a scope.
fn scope_rows(scope: &StatsScope) -> (&'static str, Arg) {
    match scope {
        StatsScope::Region => (
            "SELECT figure, n FROM challenge_counts WHERE organisation = $1 AND project_id = 0",
            Arg::Text(REGION.to_owned()),
        ),
        StatsScope::Organisation(org) => (
            "SELECT figure, n FROM challenge_counts WHERE organisation = $1 AND project_id = 0",
            Arg::Text(org.to_string()),
        ),
        // Every organisation's rows for it: a project may have moved.
        StatsScope::Project(id) => (
            "SELECT figure, n FROM challenge_counts WHERE project_id = $1",
            Arg::Int(i64::from(id.number())),
        ),
    }
}

/// The per-project rows the charter check reads: answered, on time, and open by answer day.
const CHECK_FIGURES: &str =
    "(c.figure IN ('answered', 'on-time') OR c.figure LIKE 'open/%' OR c.figure LIKE 'received/%')";

/// Tallies per project from rows (project, figure, sum) in project order, with only what the
/// charter check reads.
fn by_project(rows: &[DbRow], today: Date) -> StoreResult<Vec<(ProjectId, Tally)>> {
    let mut out: Vec<(ProjectId, Vec<(String, i64)>)> = Vec::new();
    for row in rows {
        let project = ProjectId::new(row.try_get::<i32, _>("project_id").map_err(bad)? as u32);
        let figure: String = row.try_get("figure").map_err(bad)?;
        let n: i64 = row.try_get("n").map_err(bad)?;
        match out.last_mut() {
            Some((p, list)) if *p == project => list.push((figure, n)),
            _ => out.push((project, vec![(figure, n)])),
        }
    }
    Ok(out
        .into_iter()
        .map(|(p, rows)| {
            let t = challenge_counts::tally(rows, today);
            (
                p,
                Tally {
                    answered: t.answered,
                    answered_on_time: t.answered_on_time,
                    overdue: t.overdue,
                    ..Tally::default()
                },
            )
        })
        .collect())
}

#[async_trait]
impl ChallengeStatsStore for Backend {
    async fn challenge_tally(&self, scope: &StatsScope, today: Date) -> StoreResult<Tally> {
        let (sql, arg) = scope_rows(scope);
        let mut q = Sql::default();
        q.push(sql);
        q.args.push(arg);
        let rows: Vec<(String, i64)> = sqlx::query_as_with(&q.text, q.arguments())
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(challenge_counts::tally(rows, today))
    }

    async fn challenge_tallies_for(
        &self,
        projects: &[ProjectId],
        today: Date,
    ) -> StoreResult<Vec<(ProjectId, Tally)>> {
        if projects.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::default();
        sql.push(
            "SELECT c.project_id, c.figure, c.n FROM challenge_counts c WHERE c.project_id IN (",
        );
        for (i, p) in projects.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.arg(Arg::Int(i64::from(p.number())));
        }
        sql.push(&format!(") AND {CHECK_FIGURES} ORDER BY c.project_id"));
        let rows = sqlx::query_with(&sql.text, sql.arguments())
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        by_project(&rows, today)
    }

    async fn challenge_answer_sums(&self, scope: &str, on: Date) -> StoreResult<StoredSums> {
        let month = month_of(on);
        let months: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT month, metric, change FROM challenge_answer_months
             WHERE scope = $1 AND month < $2 AND change <> 0 ORDER BY month, metric",
        )
        .bind(scope)
        .bind(&month)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        let days: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT day, metric, change FROM challenge_answer_days
             WHERE scope = $1 AND day >= $2 AND day <= $3 AND change <> 0 ORDER BY day, metric",
        )
        .bind(scope)
        .bind(&month)
        .bind(on.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        let days = days
            .into_iter()
            .map(|(d, m, v)| Ok((d.parse::<Date>().map_err(bad)?, m, v)))
            .collect::<StoreResult<_>>()?;
        Ok(StoredSums { months, days })
    }

    async fn challenge_tally_recounted(
        &self,
        scope: &StatsScope,
        today: Date,
    ) -> StoreResult<Tally> {
        let mut sql = Sql::default();
        // `$1`, named in OVERDUE; the scope's argument follows it.
        sql.args.push(Arg::Text(today.to_string()));
        sql.push(&format!(
            "SELECT c.kind, c.outcome, COUNT(*) AS n, SUM({ANSWERED}) AS answered,
                    SUM({ON_TIME}) AS on_time, SUM({OVERDUE}) AS overdue
             FROM challenges c WHERE 1 = 1"
        ));
        scoped(&mut sql, scope);
        sql.push(" GROUP BY c.kind, c.outcome");
        let rows = sqlx::query_with(&sql.text, sql.arguments())
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        let mut tally = Tally::default();
        for row in &rows {
            let kind: String = row.try_get("kind").map_err(bad)?;
            let n = count(row, "n")?;
            match kind.parse::<Kind>().map_err(bad)? {
                Kind::Challenge => tally.challenges += n,
                Kind::Question => tally.questions += n,
            }
            tally.answered += count(row, "answered")?;
            tally.answered_on_time += count(row, "on_time")?;
            tally.overdue += count(row, "overdue")?;
            let outcome: Option<String> = row.try_get("outcome").map_err(bad)?;
            if let Some(outcome) = outcome {
                tally
                    .outcomes
                    .push((outcome.parse::<Outcome>().map_err(bad)?, n));
            }
        }
        let mut days = Sql::default();
        days.push(&format!(
            "SELECT {DAYS_TO_ANSWER} AS days, COUNT(*) AS n FROM challenges c
             WHERE c.answered_at IS NOT NULL"
        ));
        scoped(&mut days, scope);
        days.push(" GROUP BY 1");
        let rows = sqlx::query_with(&days.text, days.arguments())
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        for row in &rows {
            let d: i64 = row.try_get("days").map_err(bad)?;
            tally.days_to_answer.push((
                u32::try_from(d.max(0)).unwrap_or(u32::MAX),
                count(row, "n")?,
            ));
        }
        Ok(tally)
    }

    async fn challenge_tallies_by_project(
        &self,
        today: Date,
    ) -> StoreResult<Vec<(ProjectId, Tally)>> {
        let rows = sqlx::query(&format!(
            "SELECT c.project_id, c.figure, c.n FROM challenge_counts c
             WHERE c.project_id <> 0 AND {CHECK_FIGURES} ORDER BY c.project_id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        by_project(&rows, today)
    }

    async fn challenges_overdue(
        &self,
        today: Date,
        not_reminded: bool,
        offset: u64,
        limit: u32,
    ) -> StoreResult<OverduePage> {
        let rows = overdue_rows(not_reminded);
        let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM ({rows}) o"))
            .bind(today.to_string())
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        let page = sqlx::query(&format!(
            "SELECT * FROM ({rows}) o ORDER BY o.due, o.id, o.deadline LIMIT $2 OFFSET $3"
        ))
        .bind(today.to_string())
        .bind(i64::from(limit))
        .bind(offset as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(OverduePage {
            items: page
                .iter()
                .map(overdue_from_row)
                .collect::<StoreResult<_>>()?,
            total: total.max(0) as u64,
        })
    }

    async fn challenges_add_generated(&self, items: &[GeneratedChallenge]) -> StoreResult<()> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        let (mut sums, mut answers) = (challenge_counts::Changes::new(), DashChanges::new());
        for g in items {
            let n = &g.new;
            let counted = Facts {
                kind: n.kind,
                project: n.project,
                organisation: n.organisation.clone(),
                open: g.answered_at.is_none() && g.closed_at.is_none(),
                received: n.received_at.date(),
                answer_by: n.answer_by,
                answered: g.answered_at.as_ref().map(Timestamp::date),
                outcome: g.outcome,
            };
            challenge_counts::add(&mut sums, &counted, 1);
            challenge_counts::add_answers(&mut answers, &counted, 1);
            let status = if g.closed_at.is_some() {
                "closed"
            } else if g.answered_at.is_some() {
                "answered"
            } else if g.acknowledged_at.is_some() {
                "acknowledged"
            } else {
                "received"
            };
            sqlx::query(
                "INSERT INTO challenges (kind, project_id, organisation, status, received_at,
                     acknowledge_by, answer_by, acknowledged_at, answered_at, closed_at, outcome,
                     answer, public_requested, public, token_hash, submission, contact)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
            )
            .bind(n.kind.slug())
            .bind(n.project.number() as i32)
            .bind(n.organisation.as_str())
            .bind(status)
            .bind(n.received_at.as_str())
            .bind(n.acknowledge_by.to_string())
            .bind(n.answer_by.to_string())
            .bind(g.acknowledged_at.as_ref().map(|t| t.as_str().to_owned()))
            .bind(g.answered_at.as_ref().map(|t| t.as_str().to_owned()))
            .bind(g.closed_at.as_ref().map(|t| t.as_str().to_owned()))
            .bind(g.outcome.map(|o| o.slug()))
            .bind(g.answered_at.as_ref().map(|_| "We looked into it and wrote back."))
            .bind(n.public_requested)
            .bind(false)
            .bind(&n.token_hash)
            .bind(to_doc(&n.submission)?)
            .bind(to_doc(&n.contact)?)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        }
        self.counts_add(&mut tx, &sums, &answers).await?;
        tx.commit().await.map_err(|e| self.err(e))
    }

    async fn challenge_reminded(
        &self,
        id: i64,
        deadline: Deadline,
        at: &Timestamp,
        mails: &[NewMail],
    ) -> StoreResult<bool> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        let column = match deadline {
            Deadline::Acknowledge => "acknowledge_reminded_at",
            Deadline::Answer => "answer_reminded_at",
        };
        let marked = sqlx::query(&format!(
            "UPDATE challenges SET {column} = $1 WHERE id = $2 AND {column} IS NULL"
        ))
        .bind(at.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| self.err(e))?;
        if marked.rows_affected() != 1 {
            return Ok(false);
        }
        for m in mails {
            sqlx::query(
                "INSERT INTO mail_queue (to_address, subject, body, path, created_at, next_try_at, tries)
                 VALUES ($1, $2, $3, $4, $5, $5, 0)",
            )
            .bind(&m.to)
            .bind(&m.subject)
            .bind(&m.body)
            .bind(&m.path)
            .bind(m.at.as_str())
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        }
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(true)
    }
}
