//! The scale-out store: PostgreSQL, with English full-text search on a generated `tsvector`.
//! Several `charter serve` processes can share one database: nothing here caches mutable data.

use std::str::FromStr;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use charter_store::{StoreError, StoreResult};
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};

mod backend;
mod projects;
mod search;
// The SQL both databases share, written once; `backend`, `projects` and `search` are what
// PostgreSQL does its own way.
#[path = "../../charter-store/sql/mod.rs"]
mod sql;

/// The schema's changes, compiled in from `migrations/` (so the binary carries its own schema).
/// Their versions and descriptions come from the file names and their checksums from the text,
/// as they did when this table was written by hand: databases made before keep migrating.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

pub struct PostgresStore {
    pool: PgPool,
    url: String,
    /// Writes that moved the register's version, committed through this store.
    changes_here: AtomicU64,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://…`) and brings the schema up to date. Several processes may
    /// do this at once: migrations take an advisory lock.
    pub async fn open(url: &str) -> StoreResult<PostgresStore> {
        PostgresStore::open_in_schema(url, None).await
    }

    /// As `open`, inside `schema` (created if missing): tests use one schema each.
    pub async fn open_in_schema(url: &str, schema: Option<&str>) -> StoreResult<PostgresStore> {
        let shown = redact(url);
        let mut options = PgConnectOptions::from_str(url).map_err(|e| StoreError::Unavailable {
            url: shown.clone(),
            reason: e.to_string(),
        })?;
        // One direct connection first: a pool would hide why it cannot connect behind a timeout.
        let mut first = PgConnection::connect_with(&options)
            .await
            .map_err(|e| classify(&shown, e))?;
        if let Some(schema) = schema {
            sqlx::query(&format!(
                "CREATE SCHEMA IF NOT EXISTS \"{}\"",
                schema.replace('"', "")
            ))
            .execute(&mut first)
            .await
            .map_err(|e| classify(&shown, e))?;
            options = options.options([("search_path", schema)]);
        }
        let _ = first.close().await;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            // Short: while the database is down a request should fail quickly, not queue.
            .acquire_timeout(Duration::from_secs(2))
            .connect_with(options)
            .await
            .map_err(|e| classify(&shown, e))?;
        let store = PostgresStore {
            pool,
            url: shown,
            changes_here: AtomicU64::new(0),
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR.run(&self.pool).await.map_err(|e| {
            let reason = match e {
                MigrateError::VersionMissing(v) => format!(
                    "it was set up by a newer version of charter (change {v} is unknown here): upgrade charter"
                ),
                MigrateError::VersionMismatch(v) => format!("change {v} was altered after it was applied"),
                MigrateError::Execute(e) => return classify(&self.url, e),
                other => other.to_string(),
            };
            StoreError::Migration { url: self.url.clone(), reason }
        })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    fn err(&self, e: sqlx::Error) -> StoreError {
        classify(&self.url, e)
    }
}

/// The URL without its password, for messages and logs.
fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((credentials, host)) => {
                let user = credentials.split(':').next().unwrap_or("");
                format!("{scheme}://{user}@{host}")
            }
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

fn classify(url: &str, e: sqlx::Error) -> StoreError {
    let unavailable = |reason: String| StoreError::Unavailable {
        url: url.to_owned(),
        reason,
    };
    match &e {
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default().into_owned();
            match code.as_str() {
                // Connection and authorisation failures, a missing database, shutting down.
                c if c.starts_with("08")
                    || c.starts_with("28")
                    || c == "3D000"
                    || c.starts_with("57P") =>
                {
                    unavailable(db.message().to_owned())
                }
                "23505" => StoreError::Conflict(db.message().to_owned()),
                // lock_not_available: a lock_timeout ran out waiting for another writer.
                "55P03" => StoreError::Busy {
                    url: url.to_owned(),
                },
                "XX001" | "XX002" => StoreError::Corrupt {
                    url: url.to_owned(),
                    reason: db.message().to_owned(),
                },
                _ => StoreError::Database(db.message().to_owned()),
            }
        }
        sqlx::Error::Io(io) => unavailable(io.to_string()),
        sqlx::Error::Tls(t) => unavailable(t.to_string()),
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => {
            unavailable(e.to_string())
        }
        sqlx::Error::Configuration(c) => unavailable(c.to_string()),
        _ => StoreError::Database(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use async_trait::async_trait;

    use super::*;

    /// A fresh store in its own schema, or none when there is no server (see `test_url`).
    pub(crate) async fn fresh() -> Option<PostgresStore> {
        static N: AtomicU32 = AtomicU32::new(0);
        let url = charter_store::test_database::postgres_url("charter-store-postgres")?;
        let schema = format!(
            "t{}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst),
            nanos()
        );
        Some(
            PostgresStore::open_in_schema(&url, Some(&schema))
                .await
                .expect("test database opens"),
        )
    }

    fn nanos() -> u32 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    }

    #[async_trait]
    impl charter_store::conformance::Tamper for PostgresStore {
        async fn execute_sql(&self, sql: &str) {
            sqlx::query(sql).execute(&self.pool).await.expect(sql);
        }
        async fn execute_script(&self, sql: &str) {
            sqlx::raw_sql(sql).execute(&self.pool).await.expect(sql);
        }
        fn challenge_counts_migration(&self) -> &'static str {
            include_str!("../migrations/0020_challenge_counts.sql")
        }
        fn search_edit(&self, id: u32) -> String {
            format!("UPDATE projects SET search_body = 'Edited search text' WHERE id = {id}")
        }
        fn dashboard_breaches_migration(&self) -> &'static str {
            include_str!("../migrations/0021_dashboard_breaches.sql")
        }
        fn search_stray(&self, _id: u32) -> Option<String> {
            None
        }
    }

    charter_store::conformance_tests!(fresh);

    /// Two stores on one schema, as `charter import` and `charter serve` are two processes.
    #[tokio::test]
    async fn writes_wait_for_an_import_from_another_process() {
        let Some(url) = charter_store::test_database::postgres_url("charter-store-postgres") else {
            return;
        };
        let schema = format!("t{}_busy_{}", std::process::id(), nanos());
        let server = PostgresStore::open_in_schema(&url, Some(&schema))
            .await
            .expect("the server's store opens");
        let importer = PostgresStore::open_in_schema(&url, Some(&schema))
            .await
            .expect("the import's store opens");
        charter_store::conformance::writes_wait_for_an_import_from_another_instance(
            importer, server,
        )
        .await;
    }

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://app:s3cret@db.example:5432/charter"),
            "postgres://app@db.example:5432/charter"
        );
        assert_eq!(
            redact("postgres://db.example/charter"),
            "postgres://db.example/charter"
        );
    }

    #[tokio::test]
    async fn a_refused_connection_is_a_clear_error() {
        let err = PostgresStore::open("postgres://nobody:pw@127.0.0.1:1/none")
            .await
            .err()
            .expect("nothing listens on port 1");
        let msg = err.to_string();
        assert!(matches!(err, StoreError::Unavailable { .. }), "{msg}");
        assert!(
            msg.contains("postgres://nobody@127.0.0.1:1/none") && !msg.contains("pw"),
            "{msg}"
        );
    }
}
