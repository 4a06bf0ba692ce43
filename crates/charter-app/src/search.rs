//! Searching the register: one in-memory index per instance, built from the store and kept
//! current from it; the store stays the only source of truth.
//!
//! A search first makes sure the index reflects the register's version, as the instance's
//! [`VersionWatch`] last read it (trusted briefly: this instance's changes are seen at once,
//! other instances' within `register_version::TRUSTED_FOR`). When the version has moved,
//! the index catches up before answering: the entries published since (the chain after the last
//! link it holds), the entries of organisations whose name changed, and the saved synonyms.
//! Results are remembered per version, as before, for searches that repeat.

mod synonyms;

pub use synonyms::{synonyms_lines, synonyms_save};

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use charter_core::ProjectId;
use charter_core::search::highlight::{Segment, marked, snippet};
use charter_core::search::index::Index;
use charter_core::search::synonyms::{DEFAULT, Synonyms};
use charter_core::search::{Facet, SearchQuery};
use charter_store::support::{facet_from_counts, index_document};
use charter_store::{ProjectSummary, SearchResults, Store, StoreError};

use crate::AppResult;
use crate::register_version::VersionWatch;

/// Entries read per query while building.
const BUILD_PAGE: u32 = 2_000;
/// More changed entries than this since the index was last current: build it afresh.
const MAX_CATCH_UP: usize = 20_000;
/// How many different searches are remembered; beyond this one is forgotten for each new one.
const CACHE_CAPACITY: usize = 2_000;
/// Words in a result's summary snippet.
const SNIPPET_WORDS: usize = 30;
/// Most suggestions for what is being typed.
pub const MAX_SUGGESTIONS: usize = 8;

/// A piece of a title or snippet, highlighted or not (the page escapes the text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub mark: bool,
}

/// What to highlight in one result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Highlight {
    pub title: Vec<Piece>,
    pub snippet: Vec<Piece>,
    pub cut_before: bool,
    pub cut_after: bool,
}

/// A search's answer: the results (exact total and facets), what to highlight in each, and a
/// spelling to suggest when nothing matched.
#[derive(Debug, Clone, PartialEq)]
pub struct Searched {
    pub results: SearchResults,
    pub highlights: Vec<Highlight>,
    pub did_you_mean: Option<String>,
}

/// A way to finish what someone is typing, and how many entries it finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub text: String,
    pub matches: u64,
}

/// How the index was last built, for the log and the benchmarks.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildFigures {
    pub entries: usize,
    pub words: usize,
    pub approximate_bytes: usize,
    pub took: Duration,
}

struct Current {
    index: Index<ProjectSummary>,
    /// The register's version this reflects; `None` until first built.
    version: Option<i64>,
    /// The last link of the chain the index holds.
    head: u64,
    synonyms: Synonyms,
    /// (slug, name) in the order facets list them.
    organisations: Vec<(String, String)>,
}

/// The search index and remembered results of one instance. Cheap to share.
pub struct SearchService {
    current: RwLock<Current>,
    /// The register's version as last read, shared with the instance's other readers.
    version_watch: Arc<VersionWatch>,
    /// One catch-up at a time; others wait for it, then find the index current.
    catching_up: tokio::sync::Mutex<()>,
    cache: Mutex<HashMap<String, (i64, Arc<Searched>)>>,
    figures: Mutex<BuildFigures>,
}

impl Default for SearchService {
    fn default() -> Self {
        SearchService {
            current: RwLock::new(Current {
                index: Index::new(),
                version: None,
                head: 0,
                synonyms: Synonyms::default(),
                organisations: Vec::new(),
            }),
            version_watch: Arc::default(),
            catching_up: tokio::sync::Mutex::new(()),
            cache: Mutex::new(HashMap::new()),
            figures: Mutex::new(BuildFigures::default()),
        }
    }
}

fn poisoned() -> StoreError {
    StoreError::Database("the search index was left half-changed by a failed update".into())
}

/// The synonyms in force: those a site administrator saved, or else the shipped file.
async fn synonyms_in_force(store: &dyn Store) -> Result<Synonyms, StoreError> {
    match store.search_synonyms().await? {
        Some(lines) => Synonyms::from_lines(&lines)
            .map_err(|p| StoreError::Data(format!("saved synonyms: {}", p.join("; ")))),
        None => Synonyms::from_toml(DEFAULT)
            .map_err(|p| StoreError::Data(format!("charter/synonyms.toml: {}", p.join("; ")))),
    }
}

async fn organisation_names(store: &dyn Store) -> Result<Vec<(String, String)>, StoreError> {
    Ok(store
        .organisations()
        .await?
        .into_iter()
        .map(|o| (o.organisation.slug.to_string(), o.organisation.name))
        .collect())
}

impl SearchService {
    pub fn new() -> Self {
        Self::default()
    }

    /// One whose reads of the register's version are shared with the instance's other readers.
    pub fn sharing(version_watch: Arc<VersionWatch>) -> Self {
        SearchService {
            version_watch,
            ..Self::default()
        }
    }

    /// The figures of the last full build.
    pub fn figures(&self) -> BuildFigures {
        self.figures.lock().map(|f| *f).unwrap_or_default()
    }

    /// Brings the index up to the register's current version.
    pub async fn catch_up(&self, store: &dyn Store) -> Result<i64, StoreError> {
        let held = self.version()?;
        if let Some(version) = self.version_watch.recent(store)
            && held == Some(version)
        {
            return Ok(version);
        }
        let version = self.version_watch.read(store).await?;
        if held == Some(version) {
            return Ok(version);
        }
        let _one = self.catching_up.lock().await;
        // Read again: another request may have caught up while this one waited.
        let version = self.version_watch.read(store).await?;
        let held = self.version()?;
        if held == Some(version) {
            return Ok(version);
        }
        if held.is_none() {
            self.build(store, version).await?;
            return Ok(version);
        }
        let head = self.current.read().map_err(|_| poisoned())?.head;
        // Entries published since: the chain after the last link held.
        let mut changed: HashSet<ProjectId> = HashSet::new();
        let mut new_head = head;
        loop {
            let links = store.log(new_head, 1_000).await?;
            let Some(last) = links.last() else { break };
            new_head = last.link.seq;
            changed.extend(links.iter().map(|l| l.link.project));
            if changed.len() > MAX_CATCH_UP {
                self.build(store, version).await?;
                return Ok(version);
            }
        }
        // Entries of organisations whose slug or name changed.
        let organisations = organisation_names(store).await?;
        let synonyms = synonyms_in_force(store).await?;
        {
            let now: HashMap<&str, &str> = organisations
                .iter()
                .map(|(s, n)| (s.as_str(), n.as_str()))
                .collect();
            let current = self.current.read().map_err(|_| poisoned())?;
            for (slug, name) in current.index.organisations() {
                if now.get(slug.as_str()) != Some(&name.as_str()) {
                    changed.extend(
                        current
                            .index
                            .ids_of_organisation(&slug)
                            .into_iter()
                            .map(ProjectId::new),
                    );
                }
            }
        }
        let ids: Vec<ProjectId> = changed.into_iter().collect();
        let docs = store.search_documents(&ids).await?;
        let found: HashSet<ProjectId> = docs.iter().map(|d| d.summary.id).collect();
        let mut current = self.current.write().map_err(|_| poisoned())?;
        for id in ids.iter().filter(|id| !found.contains(id)) {
            current.index.remove(id.number());
        }
        for d in docs {
            current.index.insert(index_document(d));
        }
        current.head = new_head;
        current.synonyms = synonyms;
        current.organisations = organisations;
        current.version = Some(version);
        Ok(version)
    }

    fn version(&self) -> Result<Option<i64>, StoreError> {
        Ok(self.current.read().map_err(|_| poisoned())?.version)
    }

    /// Builds the index afresh from every published entry.
    async fn build(&self, store: &dyn Store, version: i64) -> Result<(), StoreError> {
        let started = Instant::now();
        let head = store.chain_head().await?.map_or(0, |l| l.seq);
        let mut index = Index::new();
        let mut after = None;
        loop {
            let docs = store.search_documents_after(after, BUILD_PAGE).await?;
            let Some(last) = docs.last() else { break };
            after = Some(last.summary.id);
            for d in docs {
                index.insert(index_document(d));
            }
        }
        let figures = BuildFigures {
            entries: index.len(),
            words: index.vocabulary_len(),
            approximate_bytes: index.approximate_bytes(),
            took: started.elapsed(),
        };
        let synonyms = synonyms_in_force(store).await?;
        let organisations = organisation_names(store).await?;
        let mut current = self.current.write().map_err(|_| poisoned())?;
        *current = Current {
            index,
            version: Some(version),
            head,
            synonyms,
            organisations,
        };
        if let Ok(mut f) = self.figures.lock() {
            *f = figures;
        }
        tracing::info!(
            entries = figures.entries,
            words = figures.words,
            megabytes = figures.approximate_bytes / 1_048_576,
            millis = figures.took.as_millis() as u64,
            "search index built"
        );
        Ok(())
    }

    /// Searches the register as it is now.
    pub async fn search(
        &self,
        store: &dyn Store,
        query: &SearchQuery,
        with_facets: bool,
    ) -> AppResult<Searched> {
        let version = self.catch_up(store).await?;
        let key = format!("{}#{with_facets}", query.query_string());
        if let Ok(cache) = self.cache.lock()
            && let Some((v, hit)) = cache.get(&key)
            && *v == version
        {
            return Ok(hit.as_ref().clone());
        }
        let searched = {
            let current = self.current.read().map_err(|_| poisoned())?;
            let mut searched = answer(&current, query, with_facets);
            if searched.results.total == 0
                && let Some(text) = &query.text
                && let Some(better) = current.index.did_you_mean(text)
            {
                let mut q = query.clone();
                q.text = Some(better.clone());
                if current.index.search(&q, &current.synonyms, false).total > 0 {
                    searched.did_you_mean = Some(better);
                }
            }
            searched
        };
        let remembered = Arc::new(searched.clone());
        let evicted = self.cache.lock().ok().map(|mut cache| {
            // Room is made one answer at a time: clearing them all at once held every other
            // search on the lock while thousands of answers were freed.
            let evicted = if cache.len() >= CACHE_CAPACITY {
                let one = cache.keys().next().cloned();
                one.and_then(|k| cache.remove(&k))
            } else {
                None
            };
            cache.insert(key, (version, remembered));
            evicted
        });
        // Freed here, after the lock is let go.
        drop(evicted);
        Ok(searched)
    }

    /// Ways to finish `text` that find something, with how many each finds.
    pub async fn suggestions(&self, store: &dyn Store, text: &str) -> AppResult<Vec<Suggestion>> {
        self.catch_up(store).await?;
        let current = self.current.read().map_err(|_| poisoned())?;
        let mut out = Vec::new();
        for candidate in current.index.complete(text, MAX_SUGGESTIONS * 2) {
            let mut q = SearchQuery::new();
            q.text = Some(candidate.clone());
            q.per_page = 1;
            let total = current.index.search(&q, &current.synonyms, false).total;
            if total > 0 && !out.iter().any(|s: &Suggestion| s.text == candidate) {
                out.push(Suggestion {
                    text: candidate,
                    matches: total,
                });
            }
            if out.len() == MAX_SUGGESTIONS {
                break;
            }
        }
        Ok(out)
    }
}

fn pieces(segments: Vec<Segment>) -> Vec<Piece> {
    segments
        .into_iter()
        .map(|s| Piece {
            text: s.text.to_owned(),
            mark: s.mark,
        })
        .collect()
}

fn answer(current: &Current, query: &SearchQuery, with_facets: bool) -> Searched {
    let found = current.index.search(query, &current.synonyms, with_facets);
    let matched: HashSet<&str> = found.matched.iter().map(String::as_str).collect();
    let highlights = found
        .hits
        .iter()
        .map(|h| {
            let s = snippet(h.summary, &matched, SNIPPET_WORDS);
            Highlight {
                title: pieces(marked(h.title, &matched)),
                snippet: pieces(s.segments),
                cut_before: s.cut_before,
                cut_after: s.cut_after,
            }
        })
        .collect();
    let facets = found
        .facets
        .iter()
        .map(|(facet, counts)| facet_from_counts(*facet, counts, &current.organisations))
        .collect();
    debug_assert!(found.facets.iter().all(|(f, _)| Facet::ALL.contains(f)));
    Searched {
        results: SearchResults {
            total: found.total,
            items: found.hits.iter().map(|h| h.payload.clone()).collect(),
            facets,
        },
        highlights,
        did_you_mean: None,
    }
}

#[cfg(test)]
mod tests;
