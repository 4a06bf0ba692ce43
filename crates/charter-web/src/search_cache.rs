//! Remembered search results. Ranking a word that appears in most entries is costly on a large
//! register, and the same searches come again and again. A result is reused only while the
//! register's version (`Store::register_version`, moved on by every publication and every change
//! to an organisation) is the one it was computed at, and that version is read afresh for every
//! request, so no instance ever serves a stale result, however many instances there are.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use charter_core::search::SearchQuery;
use charter_store::{SearchResults, Store, StoreResult};

/// How many different searches are remembered; beyond this the memory starts afresh.
const CAPACITY: usize = 2_000;

#[derive(Default)]
pub struct SearchCache {
    entries: Mutex<HashMap<String, (i64, Arc<SearchResults>)>>,
}

impl SearchCache {
    pub async fn search(
        &self,
        store: &dyn Store,
        query: &SearchQuery,
        with_facets: bool,
    ) -> StoreResult<SearchResults> {
        let version = store.register_version().await?;
        let key = format!("{}#{with_facets}", query.query_string());
        if let Ok(entries) = self.entries.lock()
            && let Some((v, results)) = entries.get(&key)
            && *v == version
        {
            return Ok(results.as_ref().clone());
        }
        let results = store.search(query, with_facets).await?;
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(key, (version, Arc::new(results.clone())));
        }
        Ok(results)
    }
}
