//! The index sees this process's changes on the next search, and other processes' soon after.

use std::time::{Duration, Instant};

use charter_core::Timestamp;
use charter_core::search::SearchQuery;
use charter_store::Store;
use charter_store::fixtures::small_register;
use charter_store::prelude::*;
use charter_store_sqlite::SqliteStore;

use super::SearchService;

fn at() -> Timestamp {
    "2026-12-01T10:00:00Z".parse().unwrap()
}

async fn titles(search: &SearchService, store: &dyn Store, text: &str) -> Vec<String> {
    let mut q = SearchQuery::new();
    q.text = Some(text.into());
    let found = search.search(store, &q, false).await.unwrap();
    found
        .results
        .items
        .into_iter()
        .map(|p| p.title.to_string())
        .collect()
}

async fn loaded(store: &dyn Store) {
    let (orgs, projects) = small_register();
    for o in &orgs {
        store.organisation_put(o).await.unwrap();
    }
    store
        .projects_publish(&projects, "Loaded", &at())
        .await
        .unwrap();
}

/// The first entry's new title, with a word no entry had.
const RETITLED: &str = "Greenhouse repairs planner";

/// Publishes the first entry under `RETITLED` through `store`.
async fn retitle_first_entry(store: &dyn Store) {
    let (_, projects) = small_register();
    let mut p = projects[0].clone();
    p.title = RETITLED.parse().unwrap();
    store
        .projects_publish(&[p], "Renamed", &at())
        .await
        .unwrap();
}

#[tokio::test]
async fn changes_made_through_this_process_are_found_by_the_next_search() {
    let store = SqliteStore::memory().await.unwrap();
    loaded(&store).await;
    let search = SearchService::new();
    assert!(titles(&search, &store, "greenhouse").await.is_empty());

    retitle_first_entry(&store).await;
    assert_eq!(titles(&search, &store, "greenhouse").await, [RETITLED]);

    let (orgs, _) = small_register();
    let mut renamed = orgs[0].clone();
    renamed.name = "Halewood Borough Council".into();
    store.organisation_change(&renamed).await.unwrap().unwrap();
    assert!(!titles(&search, &store, "halewood").await.is_empty());

    assert!(titles(&search, &store, "mould").await.is_empty());
    store
        .search_synonyms_put("mould, greenhouse", &at())
        .await
        .unwrap();
    assert_eq!(titles(&search, &store, "mould").await, [RETITLED]);
}

#[tokio::test]
async fn changes_made_through_another_process_are_found_soon_after() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("register.db").display());
    let here = SqliteStore::open(&url).await.unwrap();
    // Another process's handle on the same file: its writes are not counted here.
    let elsewhere = SqliteStore::open(&url).await.unwrap();
    loaded(&here).await;
    let search = SearchService::new();
    assert!(titles(&search, &here, "greenhouse").await.is_empty());

    retitle_first_entry(&elsewhere).await;
    // A generous bound: what is tested is that the version read is not trusted for ever.
    let deadline = Instant::now() + Duration::from_secs(10);
    while titles(&search, &here, "greenhouse").await.is_empty() {
        assert!(
            Instant::now() < deadline,
            "a change made elsewhere was never found"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
