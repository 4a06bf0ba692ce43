//! People, sessions, one-time links, sign-in attempts, API tokens and the audit log.

use async_trait::async_trait;
use charter_core::accounts::Role;
use charter_core::{Slug, Timestamp};
use charter_store::accounts::{AuditEntry, LinkProblem, Session, SignInAttempt, User};
use charter_store::organisations::SiteToken;
use charter_store::{AccountStore, ApiToken, NewToken, StoreError, StoreResult, TokenOwner};
use sqlx::Row;

use super::common::{TOKEN_COLUMNS, bad, moment, stamp, stamp_opt, token_from_row};
use crate::backend::{Backend, Db, DbRow, SIGN_IN_ID, lock_sign_in};

pub(super) const USER_COLUMNS: &str = "u.id, u.email, u.name, u.role, o.slug AS organisation, \
     u.password_hash, u.created_at";

pub(super) fn user_from_row(row: &DbRow) -> StoreResult<User> {
    let role: String = row.try_get("role").map_err(bad)?;
    let organisation: Option<String> = row.try_get("organisation").map_err(bad)?;
    Ok(User {
        id: row.try_get("id").map_err(bad)?,
        email: row.try_get("email").map_err(bad)?,
        name: row.try_get("name").map_err(bad)?,
        role: role.parse::<Role>().map_err(bad)?,
        organisation: organisation.map(|o| o.parse()).transpose().map_err(bad)?,
        password_hash: row.try_get("password_hash").map_err(bad)?,
        created_at: stamp(row, "created_at")?,
    })
}

impl Backend {
    /// The person whose `column` is `value`.
    async fn user_where<T>(&self, column: &str, value: T) -> StoreResult<Option<User>>
    where
        T: for<'q> sqlx::Encode<'q, Db> + sqlx::Type<Db> + Send,
    {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id WHERE u.{column} = $1"
        ))
        .bind(value)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        row.as_ref().map(user_from_row).transpose()
    }
}

/// A site administrator's token: one with no organisation, and always an owner.
const SITE_TOKEN_COLUMNS: &str = "t.id, t.label, t.scopes, t.created_at, t.revoked_at, \
     u.id AS owner_id, u.email AS owner_email \
     FROM api_tokens t JOIN users u ON u.id = t.owner_id WHERE t.organisation_id IS NULL";

fn site_token_from_row(row: &DbRow) -> StoreResult<SiteToken> {
    let scopes: String = row.try_get("scopes").map_err(bad)?;
    Ok(SiteToken {
        id: row.try_get("id").map_err(bad)?,
        owner: TokenOwner {
            user_id: row.try_get("owner_id").map_err(bad)?,
            email: row.try_get("owner_email").map_err(bad)?,
        },
        label: row.try_get("label").map_err(bad)?,
        scopes: scopes.split_whitespace().map(str::to_owned).collect(),
        created_at: stamp(row, "created_at")?,
        revoked_at: stamp_opt(row, "revoked_at")?,
    })
}

#[async_trait]
impl AccountStore for Backend {
    async fn token_create(&self, token: &NewToken<'_>) -> StoreResult<i64> {
        let _turn = self.turn().await?;
        // The owner must belong to the organisation or run the register; the caller checks
        // that they may make tokens for it.
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO api_tokens (organisation_id, owner_id, token_hash, label, scopes, created_at)
             SELECT id, $1, $2, $3, $4, $5 FROM organisations WHERE slug = $6 RETURNING id",
        )
        .bind(token.owner_id)
        .bind(token.token_hash)
        .bind(token.label)
        .bind(token.scopes)
        .bind(token.at.as_str())
        .bind(token.organisation.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        id.ok_or_else(|| StoreError::UnknownOrganisation(token.organisation.clone()))
    }

    async fn token_by_hash(&self, token_hash: &str) -> StoreResult<Option<ApiToken>> {
        let row = sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS} WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        row.as_ref().map(token_from_row).transpose()
    }

    async fn tokens(&self, organisation: &Slug) -> StoreResult<Vec<ApiToken>> {
        let rows = sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS} WHERE o.slug = $1 ORDER BY t.id DESC"
        ))
        .bind(organisation.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter().map(token_from_row).collect()
    }

    async fn site_token_create(
        &self,
        owner_id: i64,
        token_hash: &str,
        label: &str,
        scopes: &str,
        at: &Timestamp,
    ) -> StoreResult<i64> {
        let _turn = self.turn().await?;
        sqlx::query_scalar(
            "INSERT INTO api_tokens (organisation_id, owner_id, token_hash, label, scopes, created_at)
             VALUES (NULL, $1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(owner_id)
        .bind(token_hash)
        .bind(label)
        .bind(scopes)
        .bind(at.as_str())
        .fetch_one(&self.pool)
        .await
        .map_err(|e| self.err(e))
    }

    async fn site_token_by_hash(&self, token_hash: &str) -> StoreResult<Option<SiteToken>> {
        let row = sqlx::query(&format!(
            "SELECT {SITE_TOKEN_COLUMNS} AND t.token_hash = $1 AND t.revoked_at IS NULL"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        row.as_ref().map(site_token_from_row).transpose()
    }

    async fn site_tokens(&self) -> StoreResult<Vec<SiteToken>> {
        let rows = sqlx::query(&format!("SELECT {SITE_TOKEN_COLUMNS} ORDER BY t.id DESC"))
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        rows.iter().map(site_token_from_row).collect()
    }

    async fn token_revoke(&self, id: i64, at: &Timestamp) -> StoreResult<bool> {
        let _turn = self.turn().await?;
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(at.as_str())
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(done.rows_affected() == 1)
    }

    async fn user_add(
        &self,
        email: &str,
        name: Option<&str>,
        role: Role,
        organisation: Option<&Slug>,
        at: &Timestamp,
    ) -> StoreResult<i64> {
        let _turn = self.turn().await?;
        let email = email.trim().to_lowercase();
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(&email)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        if taken.is_some() {
            return Err(StoreError::Conflict(format!(
                "{email} already has an account"
            )));
        }
        let org_id: Option<i32> = match organisation {
            None => None,
            Some(slug) => Some(
                sqlx::query_scalar("SELECT id FROM organisations WHERE slug = $1")
                    .bind(slug.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(|e| self.err(e))?
                    .ok_or_else(|| StoreError::UnknownOrganisation(slug.clone()))?,
            ),
        };
        sqlx::query_scalar(
            "INSERT INTO users (email, name, role, organisation_id, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&email)
        .bind(name)
        .bind(role.slug())
        .bind(org_id)
        .bind(at.as_str())
        .fetch_one(&self.pool)
        .await
        .map_err(|e| self.err(e))
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        self.user_where("email", email.trim().to_lowercase()).await
    }

    async fn user(&self, id: i64) -> StoreResult<Option<User>> {
        self.user_where("id", id).await
    }

    async fn user_password_set(
        &self,
        id: i64,
        password_hash: &str,
        at: &Timestamp,
    ) -> StoreResult<()> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        sqlx::query(
            "UPDATE account_links SET expires_at = $1 WHERE user_id = $2 AND used_at IS NULL AND expires_at > $1",
        )
        .bind(at.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| self.err(e))?;
        tx.commit().await.map_err(|e| self.err(e))
    }

    async fn link_create(
        &self,
        token_hash: &str,
        user_id: i64,
        purpose: &str,
        at: &Timestamp,
        expires_at: &Timestamp,
    ) -> StoreResult<()> {
        let _turn = self.turn().await?;
        sqlx::query(
            "INSERT INTO account_links (token_hash, user_id, purpose, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(purpose)
        .bind(at.as_str())
        .bind(expires_at.as_str())
        .execute(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    async fn link_use(
        &self,
        token_hash: &str,
        purpose: &str,
        at: &Timestamp,
    ) -> StoreResult<Result<i64, LinkProblem>> {
        let _turn = self.turn().await?;
        // One statement marks the link used, so two uses at once cannot both succeed.
        let used: Option<i64> = sqlx::query_scalar(
            "UPDATE account_links SET used_at = $1
             WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1
             RETURNING user_id",
        )
        .bind(at.as_str())
        .bind(token_hash)
        .bind(purpose)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        if let Some(user) = used {
            return Ok(Ok(user));
        }
        let row: Option<(Option<String>,)> = sqlx::query_as(
            "SELECT used_at FROM account_links WHERE token_hash = $1 AND purpose = $2",
        )
        .bind(token_hash)
        .bind(purpose)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(Err(match row {
            None => LinkProblem::Unknown,
            Some((Some(_),)) => LinkProblem::Used,
            Some((None,)) => LinkProblem::Expired,
        }))
    }

    async fn session_create(
        &self,
        id_hash: &str,
        user_id: i64,
        form_token: &str,
        at: &Timestamp,
        expires_at: &Timestamp,
    ) -> StoreResult<()> {
        let _turn = self.turn().await?;
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, form_token, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(form_token)
        .bind(at.as_str())
        .bind(expires_at.as_str())
        .execute(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    async fn session(&self, id_hash: &str, at: &Timestamp) -> StoreResult<Option<Session>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, s.form_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
             LEFT JOIN organisations o ON o.id = u.organisation_id WHERE s.id_hash = $1 AND s.expires_at > $2"
        ))
        .bind(id_hash)
        .bind(at.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Session {
            user: user_from_row(&row)?,
            form_token: row.try_get("form_token").map_err(bad)?,
            expires_at: stamp(&row, "expires_at")?,
        }))
    }

    async fn session_delete(&self, id_hash: &str) -> StoreResult<()> {
        let _turn = self.turn().await?;
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    async fn sign_in_attempt(
        &self,
        key_hash: &str,
        at: &Timestamp,
        since: &Timestamp,
    ) -> StoreResult<SignInAttempt> {
        let _turn = self.turn().await?;
        // Attempts for one key take turns (SQLite's single writer, PostgreSQL's lock on the
        // key, each held to the end of the transaction), so each count sees every attempt
        // before this one and none after.
        let mut tx = self.begin_write().await?;
        lock_sign_in(&mut tx, key_hash)
            .await
            .map_err(|e| self.err(e))?;
        let id: i64 = sqlx::query_scalar(&format!(
            "INSERT INTO sign_in_failures (key_hash, at) VALUES ($1, $2) RETURNING {SIGN_IN_ID}"
        ))
        .bind(key_hash)
        .bind(at.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| self.err(e))?;
        let failures: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sign_in_failures WHERE key_hash = $1 AND at > $2",
        )
        .bind(key_hash)
        .bind(since.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| self.err(e))?;
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(SignInAttempt {
            id,
            failures: failures as u64,
        })
    }

    async fn sign_in_forgive(&self, attempt: i64) -> StoreResult<()> {
        let _turn = self.turn().await?;
        sqlx::query(&format!(
            "DELETE FROM sign_in_failures WHERE {SIGN_IN_ID} = $1"
        ))
        .bind(attempt)
        .execute(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    async fn sign_in_clear(&self, key_hash: &str) -> StoreResult<()> {
        let _turn = self.turn().await?;
        sqlx::query("DELETE FROM sign_in_failures WHERE key_hash = $1")
            .bind(key_hash)
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    async fn audit_append(&self, e: &AuditEntry) -> StoreResult<()> {
        let _turn = self.turn().await?;
        sqlx::query(
            "INSERT INTO audit_log (at, actor, action, subject, from_address) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(e.at.as_str())
        .bind(&e.actor)
        .bind(&e.action)
        .bind(&e.subject)
        .bind(&e.from_address)
        .execute(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    async fn audit_log(&self, limit: u32) -> StoreResult<Vec<AuditEntry>> {
        let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
            "SELECT at, actor, action, subject, from_address FROM audit_log ORDER BY id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.into_iter()
            .map(|(at, actor, action, subject, from_address)| {
                Ok(AuditEntry {
                    at: moment("audit_log.at", &at)?,
                    actor,
                    action,
                    subject,
                    from_address,
                })
            })
            .collect()
    }
}
