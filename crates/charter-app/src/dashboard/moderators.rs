//! What the charter body sees on the region's dashboard besides the public figures: the open
//! breaches with their 72-hour clocks, and every deadline in the next 30 days. Never shown to
//! the public; the page that shows it is for one person (see `charter_web::pages::dashboard`).

use charter_core::charter::Charter;
use charter_core::reminders::{Due, Duty};
use charter_store::Store;
use charter_store::breaches::StoredBreach;

use crate::{Actor, AppResult};

/// The most deadlines listed one by one; the rest are counted by kind.
pub const MOST_LISTED: usize = 50;

#[derive(Debug, Clone, Default)]
pub struct ModeratorsView {
    /// Breaches not closed, across the region, the most recently found first.
    pub open_breaches: Vec<StoredBreach>,
    /// The soonest deadlines in the next 30 days (at most [`MOST_LISTED`]).
    pub coming_up: Vec<Due>,
    /// How many deadlines of each kind fall in the next 30 days, listed or not.
    pub by_duty: Vec<(Duty, usize)>,
    /// All the deadlines in the next 30 days.
    pub total: usize,
}

/// The charter body's view: moderators and site administrators only.
pub async fn view(
    store: &dyn Store,
    charter: &Charter,
    actor: &Actor,
) -> AppResult<ModeratorsView> {
    actor.require(charter_core::accounts::Action::ViewRegionBreaches)?;
    let open_breaches = crate::breaches::region(store, actor).await?.open;
    let dues = crate::reminders::region_coming_up(store, charter, actor).await?;
    let mut by_duty: Vec<(Duty, usize)> = Vec::new();
    for d in &dues {
        match by_duty.iter_mut().find(|(k, _)| *k == d.duty) {
            Some((_, n)) => *n += 1,
            None => by_duty.push((d.duty, 1)),
        }
    }
    by_duty.sort_by_key(|(k, _)| k.slug());
    let total = dues.len();
    Ok(ModeratorsView {
        open_breaches,
        coming_up: dues.into_iter().take(MOST_LISTED).collect(),
        by_duty,
        total,
    })
}
