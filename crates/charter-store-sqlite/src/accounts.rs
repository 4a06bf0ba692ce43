//! Accounts, sessions, one-time links, sign-in failures and the audit log.

use charter_core::Slug;
use charter_core::accounts::Role;
use charter_store::accounts::{AuditEntry, LinkProblem, Session, SignInAttempt, User};
use charter_store::{StoreError, StoreResult};
use sqlx::Row;

type Pool = sqlx::SqlitePool;
type DbRow = sqlx::sqlite::SqliteRow;

const USER_COLUMNS: &str =
    "u.id, u.email, u.name, u.role, o.slug AS organisation, u.password_hash, u.created_at";

fn user_from_row(row: &DbRow) -> StoreResult<User> {
    let bad = |e: &dyn std::fmt::Display| StoreError::Data(e.to_string());
    let role: String = row.try_get("role").map_err(|e| bad(&e))?;
    let organisation: Option<String> = row.try_get("organisation").map_err(|e| bad(&e))?;
    Ok(User {
        id: row.try_get("id").map_err(|e| bad(&e))?,
        email: row.try_get("email").map_err(|e| bad(&e))?,
        name: row.try_get("name").map_err(|e| bad(&e))?,
        role: role.parse::<Role>().map_err(|e| bad(&e))?,
        organisation: organisation
            .map(|o| o.parse())
            .transpose()
            .map_err(|e: charter_core::ids::IdError| bad(&e))?,
        password_hash: row.try_get("password_hash").map_err(|e| bad(&e))?,
        created_at: row.try_get("created_at").map_err(|e| bad(&e))?,
    })
}

pub(crate) async fn user_add(
    pool: &Pool,
    email: &str,
    name: Option<&str>,
    role: Role,
    organisation: Option<&Slug>,
    at: &str,
) -> Result<StoreResult<i64>, sqlx::Error> {
    let email = email.trim().to_lowercase();
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = ?")
        .bind(&email)
        .fetch_optional(pool)
        .await?;
    if taken.is_some() {
        return Ok(Err(StoreError::Conflict(format!(
            "{email} already has an account"
        ))));
    }
    let org_id: Option<i64> = match organisation {
        None => None,
        Some(slug) => {
            let id: Option<i64> =
                sqlx::query_scalar("SELECT CAST(id AS BIGINT) FROM organisations WHERE slug = ?")
                    .bind(slug.as_str())
                    .fetch_optional(pool)
                    .await?;
            match id {
                Some(id) => Some(id),
                None => return Ok(Err(StoreError::UnknownOrganisation(slug.clone()))),
            }
        }
    };
    let id: i64 = sqlx::query_scalar("INSERT INTO users (email, name, role, organisation_id, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id")
        .bind(&email)
        .bind(name)
        .bind(role.slug())
        .bind(org_id.map(|i| i as i32))
        .bind(at)
        .fetch_one(pool)
        .await?;
    Ok(Ok(id))
}

pub(crate) async fn user_by_email(
    pool: &Pool,
    email: &str,
) -> Result<StoreResult<Option<User>>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id WHERE u.email = ?"
    ))
    .bind(email.trim().to_lowercase())
    .fetch_optional(pool)
    .await?;
    Ok(row.as_ref().map(user_from_row).transpose())
}

pub(crate) async fn user_by_id(
    pool: &Pool,
    id: i64,
) -> Result<StoreResult<Option<User>>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id WHERE u.id = ?"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.as_ref().map(user_from_row).transpose())
}

pub(crate) async fn sign_in_clear(pool: &Pool, key_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sign_in_failures WHERE key_hash = ?")
        .bind(key_hash)
        .execute(pool)
        .await?;
    Ok(())
}

pub(crate) async fn user_set_password(
    pool: &Pool,
    id: i64,
    hash: &str,
    at: &str,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
        .bind(hash)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = ?")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE account_links SET expires_at = ? WHERE user_id = ? AND used_at IS NULL AND expires_at > ?",
    )
    .bind(at)
    .bind(id)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

pub(crate) async fn link_create(
    pool: &Pool,
    token_hash: &str,
    user_id: i64,
    purpose: &str,
    at: &str,
    expires_at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO account_links (token_hash, user_id, purpose, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
        .bind(token_hash)
        .bind(user_id)
        .bind(purpose)
        .bind(at)
        .bind(expires_at)
        .execute(pool)
        .await?;
    Ok(())
}

pub(crate) async fn link_use(
    pool: &Pool,
    token_hash: &str,
    purpose: &str,
    at: &str,
) -> Result<Result<i64, LinkProblem>, sqlx::Error> {
    // One statement marks the link used, so two uses at once cannot both succeed.
    let used: Option<i64> = sqlx::query_scalar(
        "UPDATE account_links SET used_at = ? WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id",
    )
    .bind(at)
    .bind(token_hash)
    .bind(purpose)
    .bind(at)
    .fetch_optional(pool)
    .await?;
    if let Some(user) = used {
        return Ok(Ok(user));
    }
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT used_at FROM account_links WHERE token_hash = ? AND purpose = ?")
            .bind(token_hash)
            .bind(purpose)
            .fetch_optional(pool)
            .await?;
    Ok(Err(match row {
        None => LinkProblem::Unknown,
        Some((Some(_),)) => LinkProblem::Used,
        Some((None,)) => LinkProblem::Expired,
    }))
}

pub(crate) async fn session_create(
    pool: &Pool,
    id_hash: &str,
    user_id: i64,
    form_token: &str,
    at: &str,
    expires_at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO sessions (id_hash, user_id, form_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
        .bind(id_hash)
        .bind(user_id)
        .bind(form_token)
        .bind(at)
        .bind(expires_at)
        .execute(pool)
        .await?;
    Ok(())
}

pub(crate) async fn session_get(
    pool: &Pool,
    id_hash: &str,
    at: &str,
) -> Result<StoreResult<Option<Session>>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS}, s.form_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
         LEFT JOIN organisations o ON o.id = u.organisation_id WHERE s.id_hash = ? AND s.expires_at > ?"
    ))
    .bind(id_hash)
    .bind(at)
    .fetch_optional(pool)
    .await?;
    Ok(match row {
        None => Ok(None),
        Some(row) => user_from_row(&row).and_then(|user| {
            Ok(Some(Session {
                user,
                form_token: row
                    .try_get("form_token")
                    .map_err(|e| StoreError::Data(e.to_string()))?,
                expires_at: row
                    .try_get("expires_at")
                    .map_err(|e| StoreError::Data(e.to_string()))?,
            }))
        }),
    })
}

pub(crate) async fn session_delete(pool: &Pool, id_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = ?")
        .bind(id_hash)
        .execute(pool)
        .await?;
    Ok(())
}

pub(crate) async fn sign_in_attempt(
    pool: &Pool,
    key_hash: &str,
    at: &str,
    since: &str,
) -> Result<SignInAttempt, sqlx::Error> {
    // SQLite has one writer: the insert takes the write lock, so the count that follows in the
    // same transaction sees every attempt before this one and none after.
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sign_in_failures (key_hash, at) VALUES (?, ?) RETURNING rowid",
    )
    .bind(key_hash)
    .bind(at)
    .fetch_one(&mut *tx)
    .await?;
    let failures: i64 =
        sqlx::query_scalar("SELECT count(*) FROM sign_in_failures WHERE key_hash = ? AND at > ?")
            .bind(key_hash)
            .bind(since)
            .fetch_one(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(SignInAttempt {
        id,
        failures: failures as u64,
    })
}

pub(crate) async fn sign_in_forgive(pool: &Pool, attempt: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sign_in_failures WHERE rowid = ?")
        .bind(attempt)
        .execute(pool)
        .await?;
    Ok(())
}

pub(crate) async fn audit(pool: &Pool, e: &AuditEntry) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, subject, from_address) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&e.at)
    .bind(&e.actor)
    .bind(&e.action)
    .bind(&e.subject)
    .bind(&e.from_address)
    .execute(pool)
    .await?;
    Ok(())
}

pub(crate) async fn audit_log(pool: &Pool, limit: u32) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT at, actor, action, subject, from_address FROM audit_log ORDER BY id DESC LIMIT ?",
    )
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(at, actor, action, subject, from_address)| AuditEntry {
            at,
            actor,
            action,
            subject,
            from_address,
        })
        .collect())
}
