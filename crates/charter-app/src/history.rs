//! Reading one published version of an entry and what changed from the one before, for the
//! version pages. Published history is public: anyone may read it, so nothing is required.

use charter_core::chain::Link;
use charter_core::history::{Change, change};
use charter_core::{Organisation, Project, ProjectId};
use charter_store::Store;

use crate::{AppError, AppResult};

/// One published version, as its page shows it.
#[derive(Debug, Clone)]
pub struct Version {
    pub link: Link,
    /// The entry exactly as it was published in this version.
    pub entry: Project,
    /// The entry's newest version number.
    pub newest: u32,
    /// What changed from the version before.
    pub change: Change,
    /// The entry's organisation as the register holds it now (a version names it only by its
    /// short name).
    pub organisation: Organisation,
}

/// Version `number` of entry `id`; `NotFound` when the entry has no such version.
pub async fn version(store: &dyn Store, id: ProjectId, number: u32) -> AppResult<Version> {
    let missing = || AppError::NotFound(format!("Version {number} of {id}"));
    let newest = store.versions(id).await?.last().map_or(0, |l| l.version);
    if !(1..=newest).contains(&number) {
        return Err(missing());
    }
    let this = store.version(id, number).await?.ok_or_else(missing)?;
    let previous = match number {
        1 => None,
        n => store.version(id, n - 1).await?.map(|v| v.entry),
    };
    let organisation = store
        .organisation_record(&this.entry.organisation)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Organisation {}", this.entry.organisation)))?;
    Ok(Version {
        change: change(previous.as_ref(), &this.entry),
        link: this.link,
        entry: this.entry,
        newest,
        organisation,
    })
}
