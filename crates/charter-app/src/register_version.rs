//! The register's version as this instance last read it. Searches and the entry pages'
//! reading of the law's changes both ask "has anything I can see changed?" on every request;
//! asking the database each time was a tenth of a fresh search's time on PostgreSQL at
//! 100,000 entries, and a second read on every entry's page. A read is trusted for
//! `TRUSTED_FOR` unless this process has committed a change since (the store counts them), so
//! an instance sees its own changes at once and other instances' within that time.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use charter_store::{Store, StoreError};

/// How long a version read from the database answers for, while this process changes nothing:
/// the most by which a change made through another instance can be missed (the register
/// promises within a second).
pub const TRUSTED_FOR: Duration = Duration::from_millis(200);

#[derive(Clone, Copy)]
struct VersionRead {
    at: Instant,
    /// The store's count of changes committed here, taken just before the read.
    changes_here: u64,
    version: i64,
}

/// The last read of the register's version. Cheap to share; one per instance.
#[derive(Default)]
pub struct VersionWatch {
    last: Mutex<Option<VersionRead>>,
}

impl VersionWatch {
    /// The register's version: the last read while it can be trusted, or else a new read.
    pub async fn current(&self, store: &dyn Store) -> Result<i64, StoreError> {
        match self.recent(store) {
            Some(version) => Ok(version),
            None => self.read(store).await,
        }
    }

    /// The version last read, while it can still be trusted: read recently, and nothing
    /// changed through this process since.
    pub fn recent(&self, store: &dyn Store) -> Option<i64> {
        let read = (*self.last.lock().ok()?)?;
        (read.at.elapsed() < TRUSTED_FOR && read.changes_here == store.changes_committed_here())
            .then_some(read.version)
    }

    /// Reads the register's version from the database and remembers it.
    pub async fn read(&self, store: &dyn Store) -> Result<i64, StoreError> {
        // Counted before the read: a change committed during it makes the count differ later.
        let changes_here = store.changes_committed_here();
        let at = Instant::now();
        let version = store.register_version().await?;
        if let Ok(mut last) = self.last.lock()
            && last.is_none_or(|l| l.at <= at)
        {
            *last = Some(VersionRead {
                at,
                changes_here,
                version,
            });
        }
        Ok(version)
    }
}
