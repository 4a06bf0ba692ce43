//! The embedded default store: one SQLite file in WAL mode, FTS5 for search.

use std::str::FromStr;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use charter_store::{StoreError, StoreResult};
use sqlx::SqlitePool;
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use tokio::sync::Mutex;

mod backend;
mod projects;
mod search;
// The SQL both databases share, written once; `backend`, `projects` and `search` are what
// SQLite does its own way.
#[path = "../../charter-store/sql/mod.rs"]
mod sql;

/// The schema's changes, compiled in from `migrations/` (so the binary carries its own schema).
/// Their versions and descriptions come from the file names and their checksums from the text,
/// as they did when this table was written by hand: databases made before keep migrating.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// How long a write waits for another to finish before giving up with `StoreError::Busy`:
/// generous, so a `charter` command writing to a live register delays the server's writes
/// instead of failing them.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

pub struct SqliteStore {
    pool: SqlitePool,
    url: String,
    /// SQLite allows one writer: this process's writers take turns here, so only one of them
    /// at a time waits on the file's lock (which other processes may hold).
    write: Mutex<()>,
    /// Writes that moved the register's version, committed through this store.
    changes_here: AtomicU64,
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database at `url` (`sqlite:path` or
    /// `sqlite::memory:`).
    pub async fn open(url: &str) -> StoreResult<SqliteStore> {
        let unavailable = |reason: String| StoreError::Unavailable {
            url: url.to_owned(),
            reason,
        };
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| unavailable(e.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        if !memory {
            owner_only(options.get_filename()).map_err(|e| unavailable(e.to_string()))?;
        }
        // An in-memory database lives in one connection: keep exactly one, forever.
        let pool_options = if memory {
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            SqlitePoolOptions::new().max_connections(8)
        };
        let pool = pool_options
            .connect_with(options)
            .await
            .map_err(|e| classify(url, e))?;
        let store = SqliteStore {
            pool,
            url: url.to_owned(),
            write: Mutex::new(()),
            changes_here: AtomicU64::new(0),
        };
        store.migrate().await?;
        Ok(store)
    }

    /// A fresh private database in memory, for tests.
    pub async fn memory() -> StoreResult<SqliteStore> {
        SqliteStore::open("sqlite::memory:").await
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

    /// Writes a consistent copy of the whole database to `path` while it stays in use
    /// (`VACUUM INTO` reads one snapshot, so writers are not blocked and the copy is compact).
    pub async fn backup_to(&self, path: &std::path::Path) -> StoreResult<()> {
        let target = path.to_str().ok_or_else(|| {
            StoreError::Database(format!("{} is not a usable file name", path.display()))
        })?;
        sqlx::query("VACUUM INTO ?")
            .bind(target)
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    fn err(&self, e: sqlx::Error) -> StoreError {
        classify(&self.url, e)
    }

    /// This process's turn to write; `Busy` after waiting as long as SQLite itself would.
    async fn turn(&self) -> StoreResult<tokio::sync::MutexGuard<'_, ()>> {
        tokio::time::timeout(BUSY_TIMEOUT, self.write.lock())
            .await
            .map_err(|_| StoreError::Busy {
                url: self.url.clone(),
            })
    }

    /// A write transaction that takes the file's write lock at once. A deferred `BEGIN` that
    /// reads first and then writes fails at once with `SQLITE_BUSY` (no waiting) when another
    /// process wrote in between; `BEGIN IMMEDIATE` instead waits up to the busy timeout.
    async fn begin_write(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| self.err(e))
    }
}

/// Creates the database file readable and writable by its owner alone, or takes away others'
/// access to one that exists (SQLite gives its `-wal` and `-shm` files the same permissions).
/// The register's accounts, residents' opt-out records and the audit log are in it.
fn owner_only(path: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if path.as_os_str().is_empty() {
            return Ok(());
        }
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| {
                std::io::Error::new(e.kind(), format!("cannot create {}: {e}", path.display()))
            })?;
        for file in [
            path.to_path_buf(),
            wal_file(path, "-wal"),
            wal_file(path, "-shm"),
        ] {
            if let Ok(meta) = std::fs::metadata(&file)
                && meta.permissions().mode() & 0o077 != 0
            {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(unix)]
fn wal_file(path: &std::path::Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

/// Turns a driver error into one that says what happened in words.
fn classify(url: &str, e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            // Extended result codes keep the primary code in the low byte.
            let primary = code.parse::<i32>().map_or(-1, |c| c & 0xff);
            // SQLITE_CORRUPT (11) and SQLITE_NOTADB (26).
            if primary == 11 || primary == 26 || db.message().contains("not a database") {
                StoreError::Corrupt {
                    url: url.to_owned(),
                    reason: db.message().to_owned(),
                }
            } else if primary == 5 || primary == 6 {
                // SQLITE_BUSY and SQLITE_LOCKED: another writer kept the lock past the timeout.
                StoreError::Busy {
                    url: url.to_owned(),
                }
            } else if primary == 14 {
                StoreError::Unavailable {
                    url: url.to_owned(),
                    reason: db.message().to_owned(),
                }
            } else {
                StoreError::Database(db.message().to_owned())
            }
        }
        sqlx::Error::Io(io) => StoreError::Unavailable {
            url: url.to_owned(),
            reason: io.to_string(),
        },
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => StoreError::Unavailable {
            url: url.to_owned(),
            reason: e.to_string(),
        },
        _ => StoreError::Database(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use async_trait::async_trait;

    use super::*;

    async fn fresh() -> SqliteStore {
        SqliteStore::memory().await.expect("in-memory store opens")
    }

    #[async_trait]
    impl charter_store::conformance::Tamper for SqliteStore {
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
            format!("UPDATE project_search SET body = 'Edited search text' WHERE rowid = {id}")
        }
        fn dashboard_breaches_migration(&self) -> &'static str {
            include_str!("../migrations/0021_dashboard_breaches.sql")
        }
        fn search_stray(&self, id: u32) -> Option<String> {
            Some(format!(
                "INSERT INTO project_search (rowid, title, summary, body) VALUES ({id}, 'Stray', 'Stray', 'Stray')"
            ))
        }
    }

    charter_store::conformance_tests!(fresh);

    /// Two stores on one file, as `charter import` and `charter serve` are two processes.
    #[tokio::test]
    async fn writes_wait_for_an_import_from_another_process() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite:{}", dir.path().join("busy.db").display());
        let server = SqliteStore::open(&url)
            .await
            .expect("the server's store opens");
        let importer = SqliteStore::open(&url)
            .await
            .expect("the import's store opens");
        charter_store::conformance::writes_wait_for_an_import_from_another_instance(
            importer, server,
        )
        .await;
    }

    #[test]
    fn a_held_lock_is_busy_not_a_database_error() {
        // What SQLite says when the busy timeout runs out: SQLITE_BUSY, and an extended code.
        for code in [5, 517, 6] {
            let e = classify("sqlite:x.db", busy_error(code));
            assert!(matches!(e, StoreError::Busy { .. }), "{code}: {e:?}");
        }
    }

    fn busy_error(code: i32) -> sqlx::Error {
        #[derive(Debug)]
        struct Locked(i32);
        impl std::fmt::Display for Locked {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("database is locked")
            }
        }
        impl std::error::Error for Locked {}
        impl sqlx::error::DatabaseError for Locked {
            fn message(&self) -> &str {
                "database is locked"
            }
            fn code(&self) -> Option<Cow<'_, str>> {
                Some(self.0.to_string().into())
            }
            fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
                self
            }
            fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
                self
            }
            fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
                self
            }
            fn kind(&self) -> sqlx::error::ErrorKind {
                sqlx::error::ErrorKind::Other
            }
        }
        sqlx::Error::Database(Box::new(Locked(code)))
    }
}
