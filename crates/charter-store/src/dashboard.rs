//! Keeping the dashboard's sums in step with the published history, and checking them against a
//! recount of it.
//!
//! The sums are derived: the chain of published versions is the record, and the sums count the
//! versions up to a position along it. [`catch_up`] counts whatever was published since, so a
//! reader calling it first always sees figures that match the whole history; the position moves
//! in the same transaction as the sums, so two instances never count a version twice.
//! [`differences`] recounts the history from the start and names every sum that differs.

use std::collections::{BTreeMap, HashMap};

use charter_core::charter::Charter;
use charter_core::dashboard::{Changes, REGION, changes_for_version, month_of};
use charter_core::{Date, Project, ProjectId};

use crate::{Store, StoreError, StoreResult};

/// Published versions counted per transaction.
const BATCH: u32 = 2_000;

/// Counts every version published since the sums' position.
pub async fn catch_up(store: &dyn Store, charter: &Charter) -> StoreResult<()> {
    loop {
        let from = store.dashboard_position().await?;
        let Some((to, changes)) = count(store, charter, from, None).await? else {
            return Ok(());
        };
        // False when another instance counted them first: read the position again.
        store.dashboard_add(from, to, &changes).await?;
    }
}

/// What the versions after `from` (up to `until`, when given) change, in one batch, and the seq
/// of the last one; none when there are none.
async fn count(
    store: &dyn Store,
    charter: &Charter,
    from: u64,
    until: Option<u64>,
) -> StoreResult<Option<(u64, Changes)>> {
    let mut changes = Changes::new();
    let mut latest: HashMap<ProjectId, Project> = HashMap::new();
    let mut last = None;
    let links = store.log(from, BATCH).await?;
    for stored in links
        .iter()
        .take_while(|s| until.is_none_or(|u| s.link.seq <= u))
    {
        let link = &stored.link;
        let after: Project = serde_json::from_str(&stored.content)
            .map_err(|e| StoreError::Data(format!("version {}: {e}", link.seq)))?;
        let before = match latest.remove(&link.project) {
            Some(p) => Some(p),
            None if link.version > 1 => store
                .version(link.project, link.version - 1)
                .await?
                .map(|v| v.entry),
            None => None,
        };
        let day = link.published_at.date();
        changes_for_version(&mut changes, charter, before.as_ref(), &after, day);
        latest.insert(link.project, after);
        last = Some(link.seq);
    }
    Ok(last.map(|to| (to, changes)))
}

/// Every change the history up to the sums' position makes, counted again from the start.
pub async fn recount(store: &dyn Store, charter: &Charter) -> StoreResult<Changes> {
    let until = store.dashboard_position().await?;
    let mut all = Changes::new();
    let mut from = 0;
    while let Some((to, changes)) = count(store, charter, from, Some(until)).await? {
        for (key, by) in changes {
            let v = all.entry(key.clone()).or_insert(0);
            *v += by;
            if *v == 0 {
                all.remove(&key);
            }
        }
        from = to;
    }
    Ok(all)
}

/// Where the stored sums differ from a recount of the history, in words; empty when they agree.
pub async fn differences(store: &dyn Store, charter: &Charter) -> StoreResult<Vec<String>> {
    let counted = recount(store, charter).await?;
    let mut scopes: Vec<String> = vec![REGION.to_owned()];
    scopes.extend(
        store
            .organisations()
            .await?
            .into_iter()
            .map(|o| o.organisation.slug.to_string()),
    );
    let mut out = Vec::new();
    for scope in &scopes {
        let mut days: BTreeMap<(Date, String), i64> = BTreeMap::new();
        let mut months: BTreeMap<(String, String), i64> = BTreeMap::new();
        for ((s, day, metric), by) in &counted {
            if s == scope {
                days.insert((*day, metric.clone()), *by);
                *months.entry((month_of(*day), metric.clone())).or_default() += by;
            }
        }
        months.retain(|_, v| *v != 0);
        let stored = store.dashboard_stored(scope).await?;
        let stored_days: BTreeMap<(Date, String), i64> = stored
            .days
            .into_iter()
            .filter(|(_, _, v)| *v != 0)
            .map(|(d, m, v)| ((d, m), v))
            .collect();
        let stored_months: BTreeMap<(String, String), i64> = stored
            .months
            .into_iter()
            .filter(|(_, _, v)| *v != 0)
            .map(|(d, m, v)| ((d, m), v))
            .collect();
        let name = if scope.is_empty() {
            "the region".to_owned()
        } else {
            format!("organisation {scope}")
        };
        differ(&mut out, &name, &days, &stored_days);
        differ(&mut out, &name, &months, &stored_months);
    }
    Ok(out)
}

fn differ<K: Ord + std::fmt::Debug>(
    out: &mut Vec<String>,
    scope: &str,
    counted: &BTreeMap<K, i64>,
    stored: &BTreeMap<K, i64>,
) {
    for key in counted
        .keys()
        .chain(stored.keys().filter(|k| !counted.contains_key(k)))
    {
        let (c, s) = (
            counted.get(key).copied().unwrap_or(0),
            stored.get(key).copied().unwrap_or(0),
        );
        if c != s {
            out.push(format!(
                "dashboard, {scope}, {key:?}: the history gives {c}, the stored sum is {s}"
            ));
        }
    }
}
