//! Residents' challenges and questions. Changes name the state the caller read and happen only
//! if the item is still in it (`WHERE status = …`), so two people acting at once cannot both
//! answer; erasing sets the personal columns to NULL in one statement. Each change moves the
//! statistics' kept sums in the same transaction (`challenge_counts.rs`).

use async_trait::async_trait;
use charter_core::challenges::{Kind, State};
use charter_core::{Date, ProjectId, Slug, Timestamp};
use charter_store::accounts::User;
use charter_store::challenges::{
    Assigned, Challenge, ChallengeChange, ChallengeFilter, ChallengePage, NewChallenge,
    PublicAnswer,
};
use charter_store::{ChallengeStore, StoreError, StoreResult};
use sqlx::Row;

use super::accounts::{USER_COLUMNS, user_from_row};
use super::builder::{Arg, Sql};
use super::common::{bad, stamp, stamp_opt};
use crate::backend::{Backend, DbRow, Doc, parse_doc, to_doc};

const COLUMNS: &str = "c.id, c.kind, c.project_id, c.organisation, c.status, c.received_at, \
     c.acknowledge_by, c.answer_by, c.acknowledged_at, c.answered_at, c.closed_at, \
     c.assignee_id, u.email AS assignee_email, c.outcome, c.answer, c.changes, \
     c.public_requested, c.public, c.escalated_at, c.submission, c.contact, c.erased_at \
     FROM challenges c LEFT JOIN users u ON u.id = c.assignee_id";

fn day(row: &DbRow, col: &str) -> StoreResult<Date> {
    let text: String = row.try_get(col).map_err(bad)?;
    text.parse()
        .map_err(|e| StoreError::Data(format!("{col}: {e}")))
}

fn from_row(row: &DbRow) -> StoreResult<Challenge> {
    let text = |col: &str| -> StoreResult<String> { row.try_get(col).map_err(bad) };
    let opt = |col: &str| -> StoreResult<Option<String>> { row.try_get(col).map_err(bad) };
    let doc = |col: &str| -> StoreResult<Option<Doc>> { row.try_get(col).map_err(bad) };
    let assignee = match (
        row.try_get::<Option<i64>, _>("assignee_id").map_err(bad)?,
        opt("assignee_email")?,
    ) {
        (Some(id), Some(email)) => Some((id, email)),
        _ => None,
    };
    Ok(Challenge {
        id: row.try_get("id").map_err(bad)?,
        kind: text("kind")?.parse::<Kind>().map_err(bad)?,
        project: ProjectId::new(row.try_get::<i32, _>("project_id").map_err(bad)? as u32),
        organisation: text("organisation")?.parse().map_err(bad)?,
        state: text("status")?.parse::<State>().map_err(bad)?,
        received_at: stamp(row, "received_at")?,
        acknowledge_by: day(row, "acknowledge_by")?,
        answer_by: day(row, "answer_by")?,
        acknowledged_at: stamp_opt(row, "acknowledged_at")?,
        answered_at: stamp_opt(row, "answered_at")?,
        closed_at: stamp_opt(row, "closed_at")?,
        assignee,
        outcome: opt("outcome")?
            .map(|o| o.parse())
            .transpose()
            .map_err(bad)?,
        answer: opt("answer")?,
        changes: opt("changes")?,
        public_requested: row.try_get("public_requested").map_err(bad)?,
        public: row.try_get("public").map_err(bad)?,
        escalated_at: stamp_opt(row, "escalated_at")?,
        submission: doc("submission")?.map(parse_doc).transpose()?,
        contact: doc("contact")?.map(parse_doc).transpose()?,
        erased_at: stamp_opt(row, "erased_at")?,
    })
}

/// The `WHERE` clause for an inbox filter, shared by its count and its page.
fn filtered(filter: &ChallengeFilter) -> Sql {
    let mut sql = Sql::default();
    sql.push(" WHERE 1 = 1");
    if let Some(org) = &filter.organisation {
        sql.push(" AND c.organisation = ")
            .arg(Arg::Text(org.to_string()));
    }
    if let Some(project) = filter.project {
        sql.push(" AND c.project_id = ")
            .arg(Arg::Int(i64::from(project.number())));
    }
    if let Some(state) = filter.state {
        sql.push(" AND c.status = ")
            .arg(Arg::Text(state.slug().to_owned()));
    }
    match filter.assigned {
        Some(Assigned::Nobody) => {
            sql.push(" AND c.assignee_id IS NULL");
        }
        Some(Assigned::Person(id)) => {
            sql.push(" AND c.assignee_id = ").arg(Arg::Int(id));
        }
        None => {}
    }
    if let Some(today) = filter.overdue_on {
        // The same rule as `State::overdue`: past the acknowledge-by day unacknowledged, or
        // past the answer-by day unanswered.
        let today = today.to_string();
        sql.push(" AND ((c.status = 'received' AND c.acknowledge_by < ")
            .arg(Arg::Text(today.clone()))
            .push(") OR (c.status IN ('received', 'acknowledged') AND c.answer_by < ")
            .arg(Arg::Text(today))
            .push("))");
    }
    sql
}

#[async_trait]
impl ChallengeStore for Backend {
    async fn challenge_add(&self, new: &NewChallenge) -> StoreResult<Challenge> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO challenges (kind, project_id, organisation, status, received_at,
                 acknowledge_by, answer_by, public_requested, public, token_hash, submission, contact)
             VALUES ($1, $2, $3, 'received', $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(new.kind.slug())
        .bind(new.project.number() as i32)
        .bind(new.organisation.as_str())
        .bind(new.received_at.as_str())
        .bind(new.acknowledge_by.to_string())
        .bind(new.answer_by.to_string())
        .bind(new.public_requested)
        .bind(false)
        .bind(&new.token_hash)
        .bind(to_doc(&new.submission)?)
        .bind(to_doc(&new.contact)?)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| self.err(e))?;
        let counted = self.counted_facts(&mut tx, id).await?;
        self.counts_change(&mut tx, None, counted.as_ref()).await?;
        tx.commit().await.map_err(|e| self.err(e))?;
        self.challenge(id)
            .await?
            .ok_or_else(|| StoreError::Database("the new challenge was not saved".into()))
    }

    async fn challenge(&self, id: i64) -> StoreResult<Option<Challenge>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} WHERE c.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        row.as_ref().map(from_row).transpose()
    }

    async fn challenge_by_token(&self, token_hash: &str) -> StoreResult<Option<Challenge>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} WHERE c.token_hash = $1"))
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        row.as_ref().map(from_row).transpose()
    }

    async fn challenges(&self, filter: &ChallengeFilter) -> StoreResult<ChallengePage> {
        let mut count = Sql::default();
        count.push("SELECT COUNT(*) FROM challenges c");
        let mut page = Sql::default();
        page.push(&format!("SELECT {COLUMNS}"));
        let clause = filtered(filter);
        for sql in [&mut count, &mut page] {
            // Each statement numbers its own arguments from $1.
            sql.text.push_str(&clause.text);
            sql.args.extend(clause.args.iter().cloned());
        }
        page.push(" ORDER BY c.id DESC LIMIT ")
            .arg(Arg::Int(i64::from(filter.limit)))
            .push(" OFFSET ")
            .arg(Arg::Int(filter.offset as i64));
        let total: i64 = sqlx::query_scalar_with(&count.text, count.arguments())
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        let rows = sqlx::query_with(&page.text, page.arguments())
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(ChallengePage {
            items: rows.iter().map(from_row).collect::<StoreResult<_>>()?,
            total: total as u64,
        })
    }

    async fn challenge_change(
        &self,
        id: i64,
        from: State,
        change: &ChallengeChange,
    ) -> StoreResult<bool> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        let before = self.counted_facts(&mut tx, id).await?;
        let query = match change {
            ChallengeChange::Assign(who) => {
                sqlx::query("UPDATE challenges SET assignee_id = $1 WHERE id = $2 AND status = $3")
                    .bind(*who)
            }
            ChallengeChange::Acknowledge { at } => sqlx::query(
                "UPDATE challenges SET status = 'acknowledged', acknowledged_at = $1
                 WHERE id = $2 AND status = $3",
            )
            .bind(at.as_str()),
            ChallengeChange::Answer {
                at,
                outcome,
                answer,
                changes,
                public,
            } => sqlx::query(
                "UPDATE challenges SET status = 'answered', answered_at = $1,
                     acknowledged_at = COALESCE(acknowledged_at, $1),
                     outcome = $2, answer = $3, changes = $4, public = $5
                 WHERE id = $6 AND status = $7",
            )
            .bind(at.as_str())
            .bind(outcome.map(|o| o.slug()))
            .bind(answer)
            .bind(changes)
            .bind(*public),
            ChallengeChange::Close { at } => sqlx::query(
                "UPDATE challenges SET status = 'closed', closed_at = $1 WHERE id = $2 AND status = $3",
            )
            .bind(at.as_str()),
            ChallengeChange::Escalate { at } => sqlx::query(
                "UPDATE challenges SET escalated_at = $1
                 WHERE id = $2 AND status = $3 AND escalated_at IS NULL",
            )
            .bind(at.as_str()),
        };
        let done = query
            .bind(id)
            .bind(from.slug())
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        self.counted_change(&mut tx, id, before).await?;
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(true)
    }

    async fn challenge_erase(&self, id: i64, at: &Timestamp) -> StoreResult<bool> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        let before = self.counted_facts(&mut tx, id).await?;
        // What the resident sent goes, public or not; an item still open is closed as
        // withdrawn so the counts stay true.
        let done = sqlx::query(
            "UPDATE challenges SET submission = NULL, contact = NULL, token_hash = NULL,
                 public = $1, erased_at = $2,
                 outcome = CASE WHEN status IN ('received', 'acknowledged') THEN 'withdrawn' ELSE outcome END,
                 closed_at = COALESCE(closed_at, $2),
                 status = 'closed'
             WHERE id = $3 AND erased_at IS NULL",
        )
        .bind(false)
        .bind(at.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| self.err(e))?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        self.counted_change(&mut tx, id, before).await?;
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(true)
    }

    async fn challenges_erase_closed(
        &self,
        closed_before: &Timestamp,
        at: &Timestamp,
    ) -> StoreResult<u64> {
        let _turn = self.turn().await?;
        // Only closed items, and nothing counted changes: the kept sums stay as they are.
        // A question answered in public keeps its words (the resident asked for that); how
        // to reach anyone goes from every item.
        let done = sqlx::query(
            "UPDATE challenges SET contact = NULL, token_hash = NULL, erased_at = $1,
                 submission = CASE WHEN public = $2 THEN submission ELSE NULL END
             WHERE status = 'closed' AND closed_at <= $3 AND erased_at IS NULL",
        )
        .bind(at.as_str())
        .bind(true)
        .bind(closed_before.as_str())
        .execute(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(done.rows_affected())
    }

    async fn public_answers(&self, project: ProjectId) -> StoreResult<Vec<PublicAnswer>> {
        let rows = sqlx::query(
            "SELECT submission, answer, answered_at FROM challenges
             WHERE project_id = $1 AND public = $2 AND status IN ('answered', 'closed')
               AND submission IS NOT NULL AND answer IS NOT NULL
             ORDER BY answered_at DESC, id DESC",
        )
        .bind(project.number() as i32)
        .bind(true)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|row| {
                let doc: Doc = row.try_get("submission").map_err(bad)?;
                let words: charter_core::challenges::Submission = parse_doc(doc)?;
                Ok(PublicAnswer {
                    about: words.about,
                    details: words.details,
                    answer: row.try_get("answer").map_err(bad)?,
                    answered_at: stamp(row, "answered_at")?,
                })
            })
            .collect()
    }

    async fn challenge_assignees(&self, organisation: &Slug) -> StoreResult<Vec<User>> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN organisations o ON o.id = u.organisation_id
             WHERE o.slug = $1 ORDER BY u.email"
        ))
        .bind(organisation.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter().map(user_from_row).collect()
    }
}
