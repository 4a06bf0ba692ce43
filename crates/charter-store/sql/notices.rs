//! Email about what happened: the kinds each person turned off, and the queue of messages.

use async_trait::async_trait;
use charter_core::accounts::Role;
use charter_core::{Slug, Timestamp};
use charter_store::accounts::User;
use charter_store::notices::{NewMail, QueuedMail, Reminder, UndeliveredMail};
use charter_store::{NoticeStore, StoreResult};
use sqlx::Row;

use super::accounts::{USER_COLUMNS, user_from_row};
use super::common::bad;
use crate::backend::Backend;

#[async_trait]
impl NoticeStore for Backend {
    async fn notices_off(&self, user_id: i64) -> StoreResult<Vec<String>> {
        sqlx::query_scalar("SELECT notice FROM notices_off WHERE user_id = $1 ORDER BY notice")
            .bind(user_id)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.err(e))
    }

    async fn notices_off_set(&self, user_id: i64, off: &[String]) -> StoreResult<()> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM notices_off WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        for notice in off {
            sqlx::query(
                "INSERT INTO notices_off (user_id, notice) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(user_id)
            .bind(notice)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        }
        tx.commit().await.map_err(|e| self.err(e))
    }

    async fn people_to_tell(
        &self,
        notice: &str,
        role: Role,
        organisation: Option<&Slug>,
    ) -> StoreResult<Vec<User>> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id
             WHERE u.role = $1 AND u.password_hash IS NOT NULL
               AND ($2 IS NULL OR o.slug = $2)
               AND NOT EXISTS (SELECT 1 FROM notices_off n WHERE n.user_id = u.id AND n.notice = $3)
             ORDER BY u.id"
        ))
        .bind(role.slug())
        .bind(organisation.map(Slug::as_str))
        .bind(notice)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter().map(user_from_row).collect()
    }

    async fn mail_queue(&self, mails: &[NewMail]) -> StoreResult<()> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
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
        tx.commit().await.map_err(|e| self.err(e))
    }

    async fn mail_take(
        &self,
        now: &Timestamp,
        retry_at: &Timestamp,
        max_tries: u32,
        limit: u32,
    ) -> StoreResult<Vec<QueuedMail>> {
        let _turn = self.turn().await?;
        let due: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM mail_queue WHERE next_try_at <= $1 AND tries < $2 ORDER BY id LIMIT $3",
        )
        .bind(now.as_str())
        .bind(max_tries as i32)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        let mut taken = Vec::new();
        for id in due {
            // Taken only if still due: another instance may have taken it since.
            let row = sqlx::query(
                "UPDATE mail_queue SET next_try_at = $1, tries = tries + 1
                 WHERE id = $2 AND next_try_at <= $3 AND tries < $4
                 RETURNING id, to_address, subject, body, path, tries",
            )
            .bind(retry_at.as_str())
            .bind(id)
            .bind(now.as_str())
            .bind(max_tries as i32)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
            if let Some(row) = row {
                taken.push(QueuedMail {
                    id: row.try_get("id").map_err(bad)?,
                    to: row.try_get("to_address").map_err(bad)?,
                    subject: row.try_get("subject").map_err(bad)?,
                    body: row.try_get("body").map_err(bad)?,
                    path: row.try_get("path").map_err(bad)?,
                    tries: row.try_get::<i32, _>("tries").map_err(bad)? as u32,
                });
            }
        }
        Ok(taken)
    }

    async fn mail_sent(&self, id: i64) -> StoreResult<()> {
        let _turn = self.turn().await?;
        sqlx::query("DELETE FROM mail_queue WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    async fn mail_failed(&self, id: i64, error: &str) -> StoreResult<()> {
        let _turn = self.turn().await?;
        sqlx::query("UPDATE mail_queue SET last_error = $1 WHERE id = $2")
            .bind(error)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    async fn reminders_unsent(&self, keys: &[String]) -> StoreResult<Vec<String>> {
        let mut sent: Vec<String> = Vec::new();
        // In chunks, each one query with its own list of placeholders: both databases take it.
        for chunk in keys.chunks(500) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT key FROM reminders_sent WHERE key IN ({})",
                marks.join(", ")
            );
            let mut q = sqlx::query_scalar::<_, String>(&sql);
            for k in chunk {
                q = q.bind(k);
            }
            sent.extend(q.fetch_all(&self.pool).await.map_err(|e| self.err(e))?);
        }
        Ok(keys.iter().filter(|k| !sent.contains(k)).cloned().collect())
    }

    async fn reminders_queue(&self, reminders: &[Reminder]) -> StoreResult<u32> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        let mut new = 0;
        for r in reminders {
            let at = r.mails.first().map(|m| m.at.as_str()).unwrap_or_default();
            let recorded = sqlx::query(
                "INSERT INTO reminders_sent (key, organisation, queued_at, messages)
                 VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING",
            )
            .bind(&r.key)
            .bind(r.organisation.as_str())
            .bind(at)
            .bind(r.mails.len() as i32)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
            if recorded.rows_affected() == 0 {
                continue;
            }
            new += 1;
            for m in &r.mails {
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
        }
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(new)
    }

    async fn mail_undelivered(
        &self,
        organisation: &Slug,
        max_tries: u32,
        limit: u32,
    ) -> StoreResult<Vec<UndeliveredMail>> {
        let rows = sqlx::query(
            "SELECT m.to_address, m.subject, m.created_at, m.tries, m.last_error
             FROM mail_queue m
             JOIN users u ON u.email = m.to_address
             JOIN organisations o ON o.id = u.organisation_id
             WHERE o.slug = $1 AND m.tries >= $2
             ORDER BY m.id DESC LIMIT $3",
        )
        .bind(organisation.as_str())
        .bind(max_tries as i32)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|row| {
                let created: String = row.try_get("created_at").map_err(bad)?;
                Ok(UndeliveredMail {
                    to: row.try_get("to_address").map_err(bad)?,
                    subject: row.try_get("subject").map_err(bad)?,
                    created_at: Timestamp::parse(&created).map_err(bad)?,
                    tries: row.try_get::<i32, _>("tries").map_err(bad)? as u32,
                    last_error: row.try_get("last_error").map_err(bad)?,
                })
            })
            .collect()
    }
}
