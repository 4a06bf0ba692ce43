//! The law's changes as the entry pages read them: every entry's page and charter check weighs
//! them, and they change a few times a year, so an instance keeps the list it last read for the
//! register's version (recording a change moves it) instead of reading it on every view.

use std::sync::{Arc, RwLock};

use charter_core::law::LawChange;
use charter_store::Store;

use crate::AppResult;
use crate::register_version::VersionWatch;

/// The list last read and the register's version it was read at. Cheap to share.
#[derive(Default)]
pub struct RememberedLaw {
    version_watch: Arc<VersionWatch>,
    held: RwLock<Option<(i64, Arc<[LawChange]>)>>,
}

impl RememberedLaw {
    /// One whose reads of the register's version are shared with the instance's other readers.
    pub fn sharing(version_watch: Arc<VersionWatch>) -> Self {
        RememberedLaw {
            version_watch,
            held: RwLock::default(),
        }
    }

    /// The register's changes in the law, the latest in force first, as of its version now.
    pub async fn changes(&self, store: &dyn Store) -> AppResult<Arc<[LawChange]>> {
        let version = self.version_watch.current(store).await?;
        if let Ok(held) = self.held.read()
            && let Some((at, list)) = held.as_ref()
            && *at == version
        {
            return Ok(list.clone());
        }
        // Read after the version: a change recorded in between is in the list, and moves the
        // version, so the next view reads again; nothing is ever kept under a newer version
        // than the list it was read with.
        let list: Arc<[LawChange]> = store.law_changes().await?.into();
        if let Ok(mut held) = self.held.write()
            && held.as_ref().is_none_or(|(at, _)| *at <= version)
        {
            *held = Some((version, list.clone()));
        }
        Ok(list)
    }
}
