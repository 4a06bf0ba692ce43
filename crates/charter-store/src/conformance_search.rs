//! Conformance checks for what the in-memory search index is built from: every backend hands it
//! the same documents, so the same query gives the same results in the same order everywhere.

use charter_core::ProjectId;
use charter_core::search::index::Index;
use charter_core::search::synonyms::{DEFAULT, Synonyms};
use charter_core::search::{Facet, SearchQuery};

use super::{load_small, query, ts};
use crate::support::{index_document, search_body};
use crate::{ProjectSummary, Store};

async fn built<S: Store>(store: &S) -> Index<ProjectSummary> {
    let mut index = Index::new();
    let mut after = None;
    loop {
        // Small pages, so paging itself is checked.
        let docs = store
            .search_documents_after(after, 3)
            .await
            .expect("documents read");
        let Some(last) = docs.last() else { break };
        after = Some(last.summary.id);
        for d in docs {
            index.insert(index_document(d));
        }
    }
    index
}

pub async fn search_documents_are_what_was_published<S: Store>(store: S) {
    load_small(&store).await;
    let (_, projects) = crate::fixtures::small_register();
    let all = store.search_documents_after(None, 100).await.expect("read");
    assert_eq!(all.len(), projects.len());
    for (d, p) in all.iter().zip(&projects) {
        assert_eq!(d.summary.id, p.id);
        assert_eq!(d.summary.title, p.title);
        let org = store
            .organisation(&p.organisation)
            .await
            .expect("read")
            .expect("organisation");
        assert_eq!(d.body, search_body(p, &org.organisation.name));
        assert_eq!(d.summary.organisation_name, org.organisation.name);
    }
    let some = store
        .search_documents(&[ProjectId::new(7), ProjectId::new(2), ProjectId::new(999)])
        .await
        .expect("read");
    let ids: Vec<u32> = some.iter().map(|d| d.summary.id.number()).collect();
    assert_eq!(ids, vec![2, 7]);
    assert!(store.search_documents(&[]).await.expect("read").is_empty());
}

/// A search's parameters, how many it finds and the ids of its first page, in order.
type Case<'a> = (&'a [(&'a str, &'a str)], u64, &'a [u32]);

fn run(index: &Index<ProjectSummary>, q: &SearchQuery, synonyms: &Synonyms) -> (u64, Vec<u32>) {
    let found = index.search(q, synonyms, false);
    (
        found.total,
        found.hits.iter().map(|h| h.payload.id.number()).collect(),
    )
}

pub async fn the_search_index_answers_alike_on_every_backend<S: Store>(store: S) {
    load_small(&store).await;
    let index = built(&store).await;
    let synonyms = Synonyms::from_toml(DEFAULT).expect("the shipped synonyms");
    // Fixed answers, in order: each backend must give exactly these.
    let cases: &[Case] = &[
        (&[("q", "repair")], 2, &[1, 7]),
        (&[("q", "forecast")], 2, &[2, 3]),
        (&[("q", "forcast")], 2, &[2, 3]),
        (&[("q", "fore")], 2, &[2, 3]),
        (&[("q", "forecast school")], 1, &[2]),
        (&[("q", "wirral")], 2, &[5, 6]),
        (&[("q", "AI")], 5, &[7, 1, 6, 3, 4]),
        (&[("q", "machine learning")], 5, &[7, 1, 6, 3, 4]),
        (&[("q", "emergency department")], 1, &[3]),
        (&[("q", "a&e")], 1, &[3]),
        (&[("q", "zebra")], 1, &[8]),
        (&[("q", "xylophone")], 0, &[]),
        (&[("q", "\"NEAR( OR * -:")], 0, &[]),
        (&[("q", "alert"), ("status", "paused")], 1, &[6]),
        (&[("topic", "health"), ("sort", "title")], 3, &[3, 8, 4]),
        (
            &[("sort", "organisation"), ("per_page", "3"), ("page", "2")],
            8,
            &[3, 8, 4],
        ),
        (&[], 8, &[8, 1, 5, 4, 3, 2, 6, 7]),
    ];
    for (pairs, total, want) in cases {
        let q = query(pairs);
        let got = run(&index, &q, &synonyms);
        assert_eq!(got, (*total, want.to_vec()), "{pairs:?}");
        // Without words the order is the lists' own: the same as the store's.
        if q.text.is_none() {
            let listed = store.search(&q, false).await.expect("listed");
            let listed: Vec<u32> = listed.items.iter().map(|p| p.id.number()).collect();
            assert_eq!(got.1, listed, "{pairs:?}");
        }
    }
    // Facets are counted over every match, each without its own filter.
    let found = index.search(
        &query(&[("q", "forecast"), ("status", "pilot")]),
        &synonyms,
        true,
    );
    assert_eq!(found.total, 1);
    let status = &found
        .facets
        .iter()
        .find(|f| f.0 == Facet::Status)
        .expect("status")
        .1;
    assert_eq!(status.values().sum::<u64>(), 2);
}

pub async fn saved_synonyms_move_the_version<S: Store>(store: S) {
    assert_eq!(store.search_synonyms().await.expect("read"), None);
    let v0 = store.register_version().await.expect("version");
    store
        .search_synonyms_put("ai, machine learning", &ts("2026-12-01T10:00:00Z"))
        .await
        .expect("saved");
    assert_eq!(
        store.search_synonyms().await.expect("read").as_deref(),
        Some("ai, machine learning")
    );
    let v1 = store.register_version().await.expect("version");
    assert!(v1 > v0);
    let counted = store.changes_committed_here();
    assert!(
        counted > 0,
        "saving synonyms is counted for this process's searches"
    );
    store
        .search_synonyms_put("gp, family doctor", &ts("2026-12-01T11:00:00Z"))
        .await
        .expect("saved again");
    assert_eq!(
        store.search_synonyms().await.expect("read").as_deref(),
        Some("gp, family doctor")
    );
    assert!(store.register_version().await.expect("version") > v1);
    assert!(store.changes_committed_here() > counted);
}
