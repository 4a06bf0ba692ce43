//! The conformance suite: every backend runs these same checks, so they behave as one.
//!
//! A backend crate calls [`conformance_tests!`](crate::conformance_tests) with an async function
//! that returns a fresh, empty, migrated store; each check becomes its own `#[tokio::test]`.

use charter_core::picklists::Topic;
use charter_core::search::{Facet, SearchQuery};
use charter_core::{ProjectId, Timestamp};

use charter_core::chain::{Link, Verifier, canonical_json};

use crate::fixtures::{complete_project, minimal_project, small_register};
use crate::{Store, StoreError, StoredLink};

#[path = "conformance_notices.rs"]
mod notices;
pub use notices::*;
#[path = "conformance_challenges.rs"]
mod challenges;
pub use challenges::*;
#[path = "conformance_challenge_stats.rs"]
mod challenge_stats;
pub use challenge_stats::*;

#[path = "conformance_breaches.rs"]
mod breaches;
pub use breaches::*;
#[path = "conformance_search.rs"]
mod search_index;
pub use search_index::*;
#[path = "conformance_law.rs"]
mod law;
pub use law::*;
#[path = "conformance_dashboard.rs"]
mod dashboard;
pub use dashboard::*;

/// Expands to one test per check, each on a fresh store from `$fresh` (an async fn).
#[macro_export]
macro_rules! conformance_tests {
    ($fresh:path) => {
        $crate::conformance_tests!(@cases $fresh,
            organisations_round_trip, complete_project_round_trips, batch_is_all_or_nothing,
            search_ranks_and_stems, search_filters_combine, facet_counts_ignore_own_filter,
            search_syntax_is_harmless, pagination_and_sorting, replacing_a_project_updates_search,
            stats_count_the_register, projects_after_pages_by_id, next_project_id_follows_the_highest,
            publishing_appends_versions_to_one_chain, appended_links_must_continue_the_chain,
            optouts_keep_an_append_only_log_and_count_current_choices, tokens_work_until_revoked,
            accounts_sessions_links_and_the_audit_log, jobs_run_once_per_due_time,
            the_version_moves_with_every_change_searches_can_see,
            drafts_move_through_review_and_publish_once, drafts_refuse_stale_and_out_of_turn_changes,
            record_json_is_the_stored_project_with_its_organisation,
            identifier_kinds_are_set_up_retired_and_fixed_once_used,
            reported_checks_count_once_in_the_figures,
            concurrent_sign_in_attempts_each_see_their_own_count,
            a_new_password_ends_every_session_and_outstanding_link,
            a_big_import_is_all_or_nothing,
            derived_values_are_what_was_published, verify_names_each_direct_edit,
            a_stored_time_that_is_not_one_is_refused_in_words,
            people_are_told_unless_they_turned_it_off,
            queued_mail_is_taken_once_until_sent_or_tried_out,
            each_reminder_is_queued_once_and_given_up_mail_is_shown_to_its_organisation,
            organisations_are_added_changed_and_retired_without_clashes,
            site_tokens_belong_to_no_organisation,
            challenges_move_forward_once_and_page_through_the_inbox,
            erasing_keeps_only_what_counts,
            challenge_statistics_add_up_by_project_organisation_and_region,
            late_items_are_listed_and_reminded_once,
            kept_challenge_sums_match_a_recount_after_any_steps,
            breaches_keep_every_version_and_answer_by_state_and_deadline,
            breach_changes_keep_the_dashboards_monthly_figures,
            search_documents_are_what_was_published, the_search_index_answers_alike_on_every_backend,
            saved_synonyms_move_the_version,
            law_changes_are_listed_and_numbered_in_turn,
            dashboard_sums_follow_the_history_and_match_a_recount);
    };
    (@cases $fresh:path, $($case:ident),+) => {
        $(
            #[tokio::test]
            async fn $case() {
                // A backend that needs a server may have none here: `$fresh` returns an Option
                // for those (through `IntoFresh`), and the check is skipped with a note.
                match $crate::conformance::IntoFresh::into_fresh($fresh().await) {
                    Some(store) => $crate::conformance::$case(store).await,
                    None => eprintln!("skipped: no database for this backend"),
                }
            }
        )+
    };
}

/// A fresh store, or none when the backend's server is not available.
pub trait IntoFresh {
    type Store: Store;
    fn into_fresh(self) -> Option<Self::Store>;
}

impl<S: Store> IntoFresh for S {
    type Store = S;
    fn into_fresh(self) -> Option<S> {
        Some(self)
    }
}

impl<S: Store> IntoFresh for Option<S> {
    type Store = S;
    fn into_fresh(self) -> Option<S> {
        self
    }
}

/// Edits a store's database directly, behind the register's back, as someone with access to the
/// database could: the suite checks that [`verify`](crate::verify::verify) names each one. Every
/// backend implements it in its own tests.
#[async_trait::async_trait]
pub trait Tamper: Store {
    /// Runs one SQL statement as it is.
    async fn execute_sql(&self, sql: &str);
    /// The statement that changes the searchable descriptions of entry `id` and nothing else
    /// (each backend keeps its search index its own way).
    fn search_edit(&self, id: u32) -> String;
    /// The statement that adds a search row for entry `id`, which does not exist; `None` when
    /// the backend keeps search text only in the entry's own row.
    fn search_stray(&self, id: u32) -> Option<String>;
    /// The backend's migration 0021, whose second statement counts the breaches logged before it.
    fn dashboard_breaches_migration(&self) -> &'static str;
    /// Runs a script of several statements as it is.
    async fn execute_script(&self, sql: &str);
    /// The migration that made the challenge statistics' kept sums and counted the items
    /// already there (0020).
    fn challenge_counts_migration(&self) -> &'static str;
}

const NOTE: &str = "Published";
const AT: &str = "2026-11-30T12:00:00Z";

/// A moment written as text in a check.
fn ts(text: &str) -> Timestamp {
    text.parse().expect("the checks write valid timestamps")
}

async fn load_small<S: Store>(store: &S) {
    let (orgs, projects) = small_register();
    for o in &orgs {
        store
            .organisation_put(o)
            .await
            .expect("organisation stored");
    }
    store
        .projects_publish(&projects, NOTE, &ts(AT))
        .await
        .expect("projects stored");
}

fn query(pairs: &[(&str, &str)]) -> SearchQuery {
    let owned: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    SearchQuery::from_pairs(&owned).expect("test queries are valid")
}

async fn ids<S: Store>(store: &S, pairs: &[(&str, &str)]) -> Vec<u32> {
    let r = store
        .search(&query(pairs), false)
        .await
        .expect("search works");
    r.items.iter().map(|p| p.id.number()).collect()
}

async fn sorted_ids<S: Store>(store: &S, pairs: &[(&str, &str)]) -> Vec<u32> {
    let mut v = ids(store, pairs).await;
    v.sort();
    v
}

pub async fn organisations_round_trip<S: Store>(store: S) {
    let (orgs, _) = small_register();
    for o in orgs.iter().rev() {
        store.organisation_put(o).await.unwrap();
    }
    let listed = store.organisations().await.unwrap();
    let names: Vec<&str> = listed
        .iter()
        .map(|o| o.organisation.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["Knowsley Council", "Mersey NHS Trust", "Wirral Transport"]
    );
    assert_eq!(listed[0].organisation, orgs[0]);

    // Replacing by id keeps one record.
    let mut renamed = orgs[1].clone();
    renamed.name = "Mersey Health Trust".into();
    store.organisation_put(&renamed).await.unwrap();
    let got = store.organisation(&renamed.slug).await.unwrap().unwrap();
    assert_eq!(got.organisation.name, "Mersey Health Trust");
    assert_eq!(store.organisations().await.unwrap().len(), 3);
    assert!(
        store
            .organisation(&"nobody".parse().unwrap())
            .await
            .unwrap()
            .is_none()
    );

    // Two organisations cannot share a slug.
    let mut clash = orgs[0].clone();
    clash.id = charter_core::OrgId::new(99);
    assert!(matches!(
        store.organisation_put(&clash).await,
        Err(StoreError::Conflict(_))
    ));
}

pub async fn complete_project_round_trips<S: Store>(store: S) {
    load_small(&store).await;
    let full = complete_project(20, "knowsley-council");
    store
        .projects_publish(std::slice::from_ref(&full), NOTE, &ts(AT))
        .await
        .unwrap();
    assert_eq!(store.project(full.id).await.unwrap().as_ref(), Some(&full));
    assert!(store.project(ProjectId::new(999)).await.unwrap().is_none());
    let org = store
        .organisation(&"knowsley-council".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((org.projects, org.projects_using_ai), (4, 3));
}

pub async fn record_json_is_the_stored_project_with_its_organisation<S: Store>(store: S) {
    load_small(&store).await;
    let full = complete_project(20, "knowsley-council");
    store
        .projects_publish(std::slice::from_ref(&full), NOTE, &ts(AT))
        .await
        .unwrap();
    let (orgs, mut projects) = small_register();
    projects.push(full.clone());
    for p in &projects {
        let parts = store
            .project_record_json(p.id)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{} has a record", p.id));
        // The document reads as the same project `project` returns, and holds exactly the
        // fields and values the type writes: the API sends it as it is.
        let from_doc: charter_core::Project = serde_json::from_str(&parts.doc)
            .unwrap_or_else(|e| panic!("{}: the document reads as a project: {e}", p.id));
        assert_eq!(Some(&from_doc), store.project(p.id).await.unwrap().as_ref());
        assert_eq!(&from_doc, p);
        let doc: serde_json::Value = serde_json::from_str(&parts.doc).unwrap();
        assert!(doc.is_object(), "{}: the document is one JSON object", p.id);
        assert_eq!(doc, serde_json::to_value(p).unwrap());

        let org = orgs.iter().find(|o| o.slug == p.organisation).unwrap();
        assert_eq!(parts.organisation_id, org.id);
        assert_eq!(parts.organisation_name, org.name);

        let page = store
            .project_with_organisation(p.id)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{} has a project and organisation", p.id));
        assert_eq!(&page.project, p);
        assert_eq!(&page.organisation, org);
    }

    // A renamed organisation's new name shows at once.
    let mut renamed = orgs[0].clone();
    renamed.name = "Knowsley \"Metropolitan\" Borough Council — Cyngor".into();
    store.organisation_put(&renamed).await.unwrap();
    let parts = store.project_record_json(full.id).await.unwrap().unwrap();
    assert_eq!(parts.organisation_name, renamed.name);
    assert_eq!(parts.organisation_id, renamed.id);
    let page = store
        .project_with_organisation(full.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(page.organisation, renamed);

    assert!(
        store
            .project_record_json(ProjectId::new(999))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .project_with_organisation(ProjectId::new(999))
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn batch_is_all_or_nothing<S: Store>(store: S) {
    load_small(&store).await;
    let good = minimal_project(30, "knowsley-council", "Good one", "Fine.");
    let bad = minimal_project(
        31,
        "no-such-org",
        "Bad one",
        "Names an organisation that is not there.",
    );
    match store
        .projects_publish(&[good.clone(), bad], NOTE, &ts(AT))
        .await
    {
        Err(StoreError::UnknownOrganisation(slug)) => assert_eq!(slug.as_str(), "no-such-org"),
        other => panic!("expected UnknownOrganisation, got {other:?}"),
    }
    assert!(
        store.project(good.id).await.unwrap().is_none(),
        "nothing from a failed batch is kept"
    );
    assert_eq!(store.stats().await.unwrap().projects, 8);
}

pub async fn search_ranks_and_stems<S: Store>(store: S) {
    load_small(&store).await;
    // "repair" finds "repairs"; the title match ranks above the summary match.
    assert_eq!(ids(&store, &[("q", "repair")]).await, vec![1, 7]);
    assert_eq!(
        sorted_ids(&store, &[("q", "forecasting")]).await,
        vec![2, 3]
    );
    // All words must match.
    assert_eq!(ids(&store, &[("q", "forecast school")]).await, vec![2]);
    assert_eq!(ids(&store, &[("q", "ZEBRA")]).await, vec![8]);
    assert!(ids(&store, &[("q", "xylophone")]).await.is_empty());
    // Organisation names are searchable too.
    assert_eq!(sorted_ids(&store, &[("q", "wirral")]).await, vec![5, 6]);
}

pub async fn search_filters_combine<S: Store>(store: S) {
    load_small(&store).await;
    assert_eq!(
        sorted_ids(&store, &[("topic", "health")]).await,
        vec![3, 4, 8]
    );
    assert_eq!(
        sorted_ids(&store, &[("topic", "health"), ("area", "sefton")]).await,
        vec![3, 4]
    );
    assert_eq!(
        sorted_ids(&store, &[("topic", "transport"), ("topic", "education")]).await,
        vec![2, 5, 6]
    );
    assert_eq!(
        sorted_ids(&store, &[("ai", "yes")]).await,
        vec![1, 3, 4, 6, 7]
    );
    assert_eq!(sorted_ids(&store, &[("ai", "no")]).await, vec![2, 5, 8]);
    assert_eq!(
        sorted_ids(&store, &[("status", "paused"), ("status", "retired")]).await,
        vec![6, 7]
    );
    assert_eq!(
        sorted_ids(&store, &[("role", "decides-alone")]).await,
        vec![6]
    );
    assert_eq!(
        sorted_ids(&store, &[("organisation", "wirral-transport")]).await,
        vec![5, 6]
    );
    assert_eq!(
        sorted_ids(&store, &[("area", "whole-city-region")]).await,
        vec![6]
    );
    assert_eq!(
        sorted_ids(&store, &[("q", "forecast"), ("ai", "yes")]).await,
        vec![3]
    );
    assert!(
        ids(&store, &[("organisation", "nobody-here")])
            .await
            .is_empty()
    );
}

pub async fn facet_counts_ignore_own_filter<S: Store>(store: S) {
    load_small(&store).await;
    let r = store
        .search(&query(&[("area", "sefton"), ("topic", "health")]), true)
        .await
        .unwrap();
    assert_eq!(r.total, 2);
    let count = |facet: Facet, value: &str| -> u64 {
        let f = r
            .facets
            .iter()
            .find(|f| f.facet == facet)
            .expect("every facet is counted");
        f.options
            .iter()
            .find(|o| o.value == value)
            .map(|o| o.count)
            .expect("every option is listed")
    };
    // Topic counts keep the area filter but drop the topic filter.
    assert_eq!(count(Facet::Topic, Topic::Health.slug()), 2);
    assert_eq!(count(Facet::Topic, Topic::SocialCare.slug()), 1);
    assert_eq!(count(Facet::Topic, Topic::Housing.slug()), 0);
    // Area counts keep the topic filter (health: 3, 4, 8).
    assert_eq!(count(Facet::Area, "sefton"), 2);
    assert_eq!(count(Facet::Area, "liverpool"), 1);
    assert_eq!(count(Facet::Area, "wider-than-region"), 1);
    assert_eq!(count(Facet::Ai, "yes"), 2);
    assert_eq!(count(Facet::Ai, "no"), 0);
    assert_eq!(count(Facet::Status, "pilot"), 1);
    assert_eq!(count(Facet::Role, "decides-person-reviews"), 1);
    assert_eq!(count(Facet::Organisation, "mersey-nhs-trust"), 2);
    assert_eq!(count(Facet::Organisation, "wirral-transport"), 0);
    // Without facets asked for, none are computed.
    assert!(
        store
            .search(&query(&[]), false)
            .await
            .unwrap()
            .facets
            .is_empty()
    );
}

pub async fn search_syntax_is_harmless<S: Store>(store: S) {
    load_small(&store).await;
    for text in [
        "\"",
        "*",
        "NEAR(",
        "OR",
        "AND NOT",
        "damp OR",
        "-damp",
        "title:damp",
        "^",
        "a\"b",
        "()",
        "'",
        "%",
        "_",
        "über",
        "🙂",
        "日本",
    ] {
        let r = store.search(&query(&[("q", text)]), true).await;
        assert!(r.is_ok(), "searching {text:?} failed: {r:?}");
    }
    assert_eq!(ids(&store, &[("q", "\"damp\"")]).await, vec![1]);
    assert_eq!(ids(&store, &[("q", "damp*")]).await, vec![1]);
}

pub async fn pagination_and_sorting<S: Store>(store: S) {
    load_small(&store).await;
    let r = store
        .search(
            &query(&[("sort", "title"), ("per_page", "3"), ("page", "2")]),
            false,
        )
        .await
        .unwrap();
    assert_eq!(r.total, 8);
    let titles: Vec<&str> = r.items.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Council tax chatbot",
            "Damp repairs planner",
            "Falls risk checker"
        ]
    );
    assert_eq!(
        ids(&store, &[]).await,
        vec![8, 1, 5, 4, 3, 2, 6, 7],
        "default: most recently updated first"
    );
    assert_eq!(
        ids(&store, &[("sort", "updated")]).await,
        vec![8, 1, 5, 4, 3, 2, 6, 7]
    );
    assert_eq!(
        ids(&store, &[("sort", "organisation")]).await,
        vec![7, 1, 2, 3, 8, 4, 5, 6]
    );
    let past_end = store.search(&query(&[("page", "9")]), false).await.unwrap();
    assert_eq!((past_end.total, past_end.items.len()), (8, 0));
    let first = &store
        .search(&query(&[("q", "damp")]), false)
        .await
        .unwrap()
        .items[0];
    assert_eq!(first.organisation_name, "Knowsley Council");
    assert_eq!(first.topics, vec![Topic::Housing]);
}

pub async fn replacing_a_project_updates_search<S: Store>(store: S) {
    load_small(&store).await;
    let mut p = store.project(ProjectId::new(5)).await.unwrap().unwrap();
    p.title = "Tram timetable checker".parse().unwrap();
    p.summary = "Checks tram times.".into();
    p.topics = vec![Topic::Planning];
    store
        .projects_publish(std::slice::from_ref(&p), NOTE, &ts(AT))
        .await
        .unwrap();
    assert!(ids(&store, &[("q", "punctuality")]).await.is_empty());
    assert_eq!(ids(&store, &[("q", "tram")]).await, vec![5]);
    assert_eq!(
        sorted_ids(&store, &[("topic", "planning")]).await,
        vec![2, 5]
    );
    assert_eq!(store.stats().await.unwrap().projects, 8);
}

pub async fn stats_count_the_register<S: Store>(store: S) {
    let empty = store.stats().await.unwrap();
    assert_eq!(
        (empty.projects, empty.organisations, empty.projects_using_ai),
        (0, 0, 0)
    );
    load_small(&store).await;
    let s = store.stats().await.unwrap();
    assert_eq!(
        (s.projects, s.organisations, s.projects_using_ai),
        (8, 3, 5)
    );
}

pub async fn projects_after_pages_by_id<S: Store>(store: S) {
    load_small(&store).await;
    let first = store.projects_after(None, 3).await.unwrap();
    assert_eq!(
        first.iter().map(|p| p.id.number()).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    let rest = store.projects_after(Some(first[2].id), 100).await.unwrap();
    assert_eq!(
        rest.iter().map(|p| p.id.number()).collect::<Vec<_>>(),
        vec![4, 5, 6, 7, 8]
    );
    assert!(
        store
            .projects_after(Some(ProjectId::new(8)), 10)
            .await
            .unwrap()
            .is_empty()
    );
    // One organisation's, in pages.
    let wirral: charter_core::Slug = "wirral-transport".parse().unwrap();
    let first = store
        .organisation_projects_after(&wirral, None, 1)
        .await
        .unwrap();
    assert_eq!(
        first.iter().map(|p| p.id.number()).collect::<Vec<_>>(),
        vec![5]
    );
    let rest = store
        .organisation_projects_after(&wirral, Some(first[0].id), 10)
        .await
        .unwrap();
    assert_eq!(
        rest.iter().map(|p| p.id.number()).collect::<Vec<_>>(),
        vec![6]
    );
    let nobody: charter_core::Slug = "nobody".parse().unwrap();
    assert!(
        store
            .organisation_projects_after(&nobody, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn next_project_id_follows_the_highest<S: Store>(store: S) {
    assert_eq!(store.next_project_id().await.unwrap(), ProjectId::new(1));
    load_small(&store).await;
    assert_eq!(store.next_project_id().await.unwrap(), ProjectId::new(9));
}

pub async fn publishing_appends_versions_to_one_chain<S: Store>(store: S) {
    assert!(store.chain_head().await.unwrap().is_none());
    load_small(&store).await;
    let head = store
        .chain_head()
        .await
        .unwrap()
        .expect("publishing made links");
    assert_eq!(head.seq, 8);
    // Publishing the same content again changes nothing.
    let (_, projects) = small_register();
    assert!(
        store
            .projects_publish(&projects, NOTE, &ts(AT))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.chain_head().await.unwrap().unwrap(), head);
    // A change makes version 2, linked to the head.
    let mut p = store.project(ProjectId::new(3)).await.unwrap().unwrap();
    let before = p.clone();
    p.summary = "Predicts how busy the emergency department will be.".into();
    let links = store
        .projects_publish(
            std::slice::from_ref(&p),
            "Summary rewritten",
            &ts("2026-12-01T09:30:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(
        (links[0].seq, links[0].version, links[0].previous_hash),
        (9, 2, head.hash)
    );
    assert_eq!(links[0].note, "Summary rewritten");
    let versions = store.versions(ProjectId::new(3)).await.unwrap();
    assert_eq!(
        versions.iter().map(|l| l.version).collect::<Vec<_>>(),
        vec![1, 2]
    );
    let old = store.version(ProjectId::new(3), 1).await.unwrap().unwrap();
    assert_eq!(old.entry, before);
    assert_eq!(old.link.seq, 3);
    assert!(store.version(ProjectId::new(3), 3).await.unwrap().is_none());
    assert_eq!(
        store.project(ProjectId::new(3)).await.unwrap().unwrap(),
        p,
        "the current entry is the latest version"
    );
    // The whole log verifies, in batches.
    let mut verifier = Verifier::new();
    let mut after = 0;
    loop {
        let batch = store.log(after, 4).await.unwrap();
        let Some(last) = batch.last() else { break };
        after = last.link.seq;
        for stored in &batch {
            verifier.check(&stored.link, &stored.content).unwrap();
        }
    }
    assert_eq!(verifier.checked, 9);
    assert_eq!(
        verifier.head().unwrap(),
        &store.chain_head().await.unwrap().unwrap()
    );
    // A failed batch adds no links.
    let bad = minimal_project(40, "no-such-org", "Bad", "Bad.");
    assert!(
        store
            .projects_publish(&[p.clone(), bad], NOTE, &ts(AT))
            .await
            .is_err()
    );
    assert_eq!(store.chain_head().await.unwrap().unwrap().seq, 9);
}

pub async fn appended_links_must_continue_the_chain<S: Store>(store: S) {
    let (orgs, projects) = small_register();
    for o in &orgs {
        store.organisation_put(o).await.unwrap();
    }
    let mut links: Vec<StoredLink> = Vec::new();
    for p in &projects[..3] {
        let content = canonical_json(p);
        let link = Link::next(
            links.last().map(|l| &l.link),
            p.id,
            1,
            ts(AT),
            NOTE.into(),
            &content,
        );
        links.push(StoredLink { link, content });
    }
    // Out of order: refused, and nothing is kept.
    let err = store.links_append(&[links[1].clone()]).await.unwrap_err();
    assert!(matches!(err, StoreError::Chain(_)), "{err}");
    // Tampered content: refused.
    let mut tampered = links[0].clone();
    tampered.content = tampered.content.replace("Damp", "Dump");
    assert!(matches!(
        store.links_append(&[tampered]).await,
        Err(StoreError::Chain(_))
    ));
    assert!(store.chain_head().await.unwrap().is_none());
    let before = version_marks(&store).await;
    store.links_append(&links).await.unwrap();
    assert_moved(&store, before).await;
    assert_eq!(store.chain_head().await.unwrap().unwrap(), links[2].link);
    assert_eq!(
        store.project(projects[1].id).await.unwrap().unwrap(),
        projects[1]
    );
    assert_eq!(store.log(0, 10).await.unwrap(), links);
}

fn event(scope: &str, withdrawn: bool, at: &str) -> crate::optout::OptOutEvent {
    crate::optout::OptOutEvent {
        scope: scope.into(),
        withdrawn,
        channel: "online".into(),
        proxy_basis: None,
        recorded_at: ts(at),
    }
}

pub async fn optouts_keep_an_append_only_log_and_count_current_choices<S: Store>(store: S) {
    use crate::optout::{CheckRecord, NewOptOut};
    let new = |n: u8, token: Option<&str>, events: Vec<crate::optout::OptOutEvent>| NewOptOut {
        kind: "nhs-number".into(),
        tag: vec![n; 16],
        sealed: vec![n, 1, 2, 3],
        key_version: 1,
        receipt: token.map(|t| format!("OPT-{t}")),
        manage_token_hash: token.map(str::to_owned),
        created_at: ts(AT),
        events,
    };
    let ids = store
        .optouts_add(&[
            new(
                1,
                Some("aaa"),
                vec![
                    event("ai-training", false, AT),
                    event("research-planning", false, AT),
                ],
            ),
            new(2, None, vec![event("ai-training", false, AT)]),
            new(
                3,
                Some("ccc"),
                vec![event("organisation:knowsley-council", false, AT)],
            ),
        ])
        .await
        .unwrap();
    assert_eq!(ids.len(), 3);
    let one = store.optout_by_token("aaa").await.unwrap().unwrap();
    assert_eq!((one.id, one.receipt.as_deref()), (ids[0], Some("OPT-aaa")));
    assert_eq!(
        one.current_scopes(),
        vec!["ai-training", "research-planning"]
    );
    assert!(store.optout_by_token("nope").await.unwrap().is_none());

    // Withdrawing appends; the log keeps both.
    store
        .optout_append(
            ids[0],
            &[event("ai-training", true, "2026-12-01T00:00:00Z")],
        )
        .await
        .unwrap();
    let one = store.optout_by_token("aaa").await.unwrap().unwrap();
    assert_eq!(one.events.len(), 3);
    assert_eq!(one.current_scopes(), vec!["research-planning"]);

    let figures = store.optout_figures().await.unwrap();
    assert_eq!(
        figures.by_scope,
        vec![
            ("ai-training".to_owned(), 1),
            ("organisation:knowsley-council".to_owned(), 1),
            ("research-planning".to_owned(), 1)
        ]
    );

    // Paging through every record, and re-keying.
    let all = store.optouts_after(0, 2).await.unwrap();
    assert_eq!(
        all.iter().map(|e| e.id).collect::<Vec<_>>(),
        ids[..2].to_vec()
    );
    let rest = store.optouts_after(ids[1], 10).await.unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].events.len(), 1);
    store
        .optout_rekey(&[crate::optout::Rekeyed {
            id: ids[1],
            tag: vec![9; 16],
            sealed: vec![9, 9],
            key_version: 2,
        }])
        .await
        .unwrap();
    let rekeyed = store.optouts_after(ids[0], 1).await.unwrap();
    assert_eq!(
        (rekeyed[0].tag.clone(), rekeyed[0].key_version),
        (vec![9; 16], 2)
    );

    for (org, at, removed) in [
        ("knowsley-council", "2026-11-03T10:00:00Z", 5),
        ("knowsley-council", "2026-11-20T10:00:00Z", 7),
        ("mersey-nhs-trust", "2026-10-01T10:00:00Z", 0),
    ] {
        store
            .check_record(&CheckRecord {
                organisation: org.into(),
                checked_at: ts(at),
                method: "upload".into(),
                scopes: "ai-training".into(),
                rows_in: 100,
                rows_kept: 100 - removed,
                rows_removed: removed,
                rows_invalid: 0,
                identifier_kind: "nhs-number".into(),
                snapshot_created: None,
                key_version: None,
                report_hash: None,
            })
            .await
            .unwrap();
    }
    let f = store.optout_figures().await.unwrap();
    assert_eq!(f.checks.len(), 2);
    assert_eq!(
        (
            f.checks[0].organisation.as_str(),
            f.checks[0].month.as_str(),
            f.checks[0].checks,
            f.checks[0].rows_removed
        ),
        ("knowsley-council", "2026-11", 2, 12)
    );
    assert_eq!(f.checks[1].month, "2026-10");
}

pub async fn tokens_work_until_revoked<S: Store>(store: S) {
    load_small(&store).await;
    let org: charter_core::Slug = "knowsley-council".parse().unwrap();
    let owner = store
        .user_add(
            "kim@knowsley.example",
            None,
            crate::accounts::Role::OrgAdmin,
            Some(&org),
            &ts(AT),
        )
        .await
        .unwrap();
    let at = ts(AT);
    let new = |hash: &'static str, label: &'static str| crate::NewToken {
        organisation: &org,
        owner_id: owner,
        token_hash: hash,
        label,
        scopes: "optout-check",
        at: &at,
    };
    let id = store
        .token_create(&new("hash-1", "Nightly data cleaning"))
        .await
        .unwrap();
    let found = store
        .token_by_hash("hash-1")
        .await
        .unwrap()
        .expect("a new token works");
    assert_eq!(
        (
            found.id,
            found.organisation.as_str(),
            found.scopes.as_slice()
        ),
        (id, "knowsley-council", &["optout-check".to_owned()][..])
    );
    assert_eq!(
        found.owner,
        Some(crate::TokenOwner {
            user_id: owner,
            email: "kim@knowsley.example".into()
        }),
        "a token belongs to the person who made it"
    );
    assert!(store.token_by_hash("hash-2").await.unwrap().is_none());
    let other = store.token_create(&new("hash-2", "Second")).await.unwrap();
    assert_eq!(
        store
            .tokens(&org)
            .await
            .unwrap()
            .iter()
            .map(|t| t.id)
            .collect::<Vec<_>>(),
        vec![other, id]
    );
    assert!(
        store
            .token_revoke(id, &ts("2026-12-01T00:00:00Z"))
            .await
            .unwrap()
    );
    assert!(
        store.token_by_hash("hash-1").await.unwrap().is_none(),
        "a revoked token never works again"
    );
    assert!(
        !store
            .token_revoke(id, &ts("2026-12-02T00:00:00Z"))
            .await
            .unwrap()
    );
    assert_eq!(
        store.tokens(&org).await.unwrap()[1].revoked_at.as_deref(),
        Some("2026-12-01T00:00:00Z")
    );
    let nobody: charter_core::Slug = "nobody".parse().unwrap();
    assert!(matches!(
        store
            .token_create(&crate::NewToken {
                organisation: &nobody,
                ..new("hash-3", "x")
            })
            .await,
        Err(StoreError::UnknownOrganisation(_))
    ));
}

pub async fn accounts_sessions_links_and_the_audit_log<S: Store>(store: S) {
    use crate::accounts::{AuditEntry, LinkProblem, Role};
    load_small(&store).await;
    let org: charter_core::Slug = "knowsley-council".parse().unwrap();
    let id = store
        .user_add(
            "Sam@Knowsley.example",
            Some("Sam"),
            Role::OrgAdmin,
            Some(&org),
            &ts(AT),
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .user_add(
                "sam@knowsley.example",
                None,
                Role::OrgEditor,
                Some(&org),
                &ts(AT)
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    let nobody: charter_core::Slug = "nobody".parse().unwrap();
    assert!(matches!(
        store
            .user_add("x@y.example", None, Role::OrgEditor, Some(&nobody), &ts(AT))
            .await,
        Err(StoreError::UnknownOrganisation(_))
    ));
    let mod_id = store
        .user_add("mo@charter.example", None, Role::Moderator, None, &ts(AT))
        .await
        .unwrap();
    let user = store
        .user_by_email(" SAM@knowsley.example ")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            user.id,
            user.role,
            user.organisation.as_ref(),
            user.password_hash.as_deref()
        ),
        (id, Role::OrgAdmin, Some(&org), None)
    );
    assert_eq!(
        store
            .user_by_email("mo@charter.example")
            .await
            .unwrap()
            .unwrap()
            .organisation,
        None
    );
    store
        .user_password_set(mod_id, "$argon2id$fake", &ts(AT))
        .await
        .unwrap();
    assert_eq!(
        store
            .user_by_email("mo@charter.example")
            .await
            .unwrap()
            .unwrap()
            .password_hash
            .as_deref(),
        Some("$argon2id$fake")
    );

    // One-time links work once, before they expire, for their purpose only.
    store
        .link_create(
            "link-1",
            id,
            "set-password",
            &ts(AT),
            &ts("2026-12-01T12:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .link_use("link-1", "reset-password", &ts(AT))
            .await
            .unwrap(),
        Err(LinkProblem::Unknown)
    );
    assert_eq!(
        store
            .link_use("link-1", "set-password", &ts("2026-12-02T00:00:00Z"))
            .await
            .unwrap(),
        Err(LinkProblem::Expired)
    );
    assert_eq!(
        store
            .link_use("link-1", "set-password", &ts(AT))
            .await
            .unwrap(),
        Ok(id)
    );
    assert_eq!(
        store
            .link_use("link-1", "set-password", &ts(AT))
            .await
            .unwrap(),
        Err(LinkProblem::Used)
    );
    assert_eq!(
        store
            .link_use("nope", "set-password", &ts(AT))
            .await
            .unwrap(),
        Err(LinkProblem::Unknown)
    );

    // Sessions last until they expire or are deleted.
    store
        .session_create("sess-1", id, "form-1", &ts(AT), &ts("2026-11-30T20:00:00Z"))
        .await
        .unwrap();
    let s = store.session("sess-1", &ts(AT)).await.unwrap().unwrap();
    assert_eq!((s.user.id, s.form_token.as_str()), (id, "form-1"));
    assert!(
        store
            .session("sess-1", &ts("2026-11-30T21:00:00Z"))
            .await
            .unwrap()
            .is_none()
    );
    store.session_delete("sess-1").await.unwrap();
    assert!(store.session("sess-1", &ts(AT)).await.unwrap().is_none());

    // Failed sign-ins are counted within a window; a forgiven attempt no longer counts.
    let first = store
        .sign_in_attempt(
            "k",
            &ts("2026-11-30T12:00:00Z"),
            &ts("2026-11-30T11:45:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(first.failures, 1);
    let second = store
        .sign_in_attempt(
            "k",
            &ts("2026-11-30T12:01:00Z"),
            &ts("2026-11-30T11:46:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(second.failures, 2);
    assert_ne!(first.id, second.id);
    let later = store
        .sign_in_attempt(
            "k",
            &ts("2026-11-30T12:02:00Z"),
            &ts("2026-11-30T12:00:30Z"),
        )
        .await
        .unwrap();
    assert_eq!(later.failures, 2, "the first attempt is outside the window");
    store.sign_in_forgive(later.id).await.unwrap();
    store.sign_in_forgive(second.id).await.unwrap();
    assert_eq!(
        store
            .sign_in_attempt(
                "k",
                &ts("2026-11-30T12:03:00Z"),
                &ts("2026-11-30T12:00:30Z")
            )
            .await
            .unwrap()
            .failures,
        1,
        "forgiven attempts no longer count"
    );
    assert_eq!(
        store
            .sign_in_attempt(
                "other",
                &ts("2026-11-30T12:03:00Z"),
                &ts("2026-11-30T00:00:00Z")
            )
            .await
            .unwrap()
            .failures,
        1
    );

    for n in 0..3 {
        store
            .audit_append(&AuditEntry {
                at: ts(&format!("2026-11-30T12:0{n}:00Z")),
                actor: "sam@knowsley.example".into(),
                action: "token-create".into(),
                subject: format!("token {n}"),
                from_address: "192.0.2.1".into(),
            })
            .await
            .unwrap();
    }
    let log = store.audit_log(2).await.unwrap();
    assert_eq!(
        log.iter().map(|e| e.subject.as_str()).collect::<Vec<_>>(),
        ["token 2", "token 1"]
    );
}

pub async fn jobs_run_once_per_due_time<S: Store>(store: S) {
    assert_eq!(store.job_runs("housekeeping").await.unwrap(), 0);
    assert!(
        store
            .job_claim(
                "housekeeping",
                &ts("2026-11-30T12:00:00Z"),
                &ts("2026-11-30T13:00:00Z")
            )
            .await
            .unwrap()
    );
    // A second instance asking for the same run does not get it.
    assert!(
        !store
            .job_claim(
                "housekeeping",
                &ts("2026-11-30T12:00:00Z"),
                &ts("2026-11-30T13:00:00Z")
            )
            .await
            .unwrap()
    );
    assert!(
        !store
            .job_claim(
                "housekeeping",
                &ts("2026-11-30T12:59:59Z"),
                &ts("2026-11-30T13:59:59Z")
            )
            .await
            .unwrap()
    );
    assert!(
        store
            .job_claim(
                "housekeeping",
                &ts("2026-11-30T13:00:00Z"),
                &ts("2026-11-30T14:00:00Z")
            )
            .await
            .unwrap()
    );
    assert!(
        store
            .job_claim(
                "other",
                &ts("2026-11-30T12:30:00Z"),
                &ts("2026-11-30T13:30:00Z")
            )
            .await
            .unwrap()
    );
    assert_eq!(store.job_runs("housekeeping").await.unwrap(), 2);

    load_small(&store).await;
    let uid = store
        .user_add(
            "a@b.example",
            None,
            crate::accounts::Role::Moderator,
            None,
            &ts(AT),
        )
        .await
        .unwrap();
    store
        .session_create("old", uid, "f", &ts(AT), &ts("2026-11-30T13:00:00Z"))
        .await
        .unwrap();
    store
        .session_create("live", uid, "f", &ts(AT), &ts("2026-12-30T13:00:00Z"))
        .await
        .unwrap();
    store
        .link_create(
            "old-link",
            uid,
            "password",
            &ts(AT),
            &ts("2026-11-30T13:00:00Z"),
        )
        .await
        .unwrap();
    store
        .sign_in_attempt(
            "k",
            &ts("2026-11-29T00:00:00Z"),
            &ts("2026-11-28T00:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .expired_delete(&ts("2026-11-30T14:00:00Z"), &ts("2026-11-30T00:00:00Z"))
            .await
            .unwrap(),
        3
    );
    assert!(
        store
            .session("live", &ts("2026-11-30T14:00:00Z"))
            .await
            .unwrap()
            .is_some()
    );
}

/// The register's version and this process's count of changes to it.
async fn version_marks<S: Store>(store: &S) -> (i64, u64) {
    (
        store.register_version().await.unwrap(),
        store.changes_committed_here(),
    )
}

/// Both the version and the count have moved since `before` (searches trust a version read
/// while the count stands still, so a change that moved only the version would go unseen).
async fn assert_moved<S: Store>(store: &S, before: (i64, u64)) -> (i64, u64) {
    let now = version_marks(store).await;
    assert!(
        now.0 > before.0,
        "the version did not move: {before:?} → {now:?}"
    );
    assert!(
        now.1 > before.1,
        "the count did not move: {before:?} → {now:?}"
    );
    now
}

pub async fn the_version_moves_with_every_change_searches_can_see<S: Store>(store: S) {
    let v0 = version_marks(&store).await;
    load_small(&store).await;
    let v1 = assert_moved(&store, v0).await;
    // Publishing nothing new moves the version not at all.
    let (_, projects) = small_register();
    store
        .projects_publish(&projects, NOTE, &ts(AT))
        .await
        .unwrap();
    assert_eq!(store.register_version().await.unwrap(), v1.0);
    let v1 = version_marks(&store).await;
    let mut p = projects[0].clone();
    p.summary = "Changed.".into();
    store.projects_publish(&[p], NOTE, &ts(AT)).await.unwrap();
    let v2 = assert_moved(&store, v1).await;
    let (orgs, _) = small_register();
    store.organisation_put(&orgs[0]).await.unwrap();
    let v3 = assert_moved(&store, v2).await;
    let mut renamed = orgs[0].clone();
    renamed.name = "Renamed Council".into();
    store.organisation_change(&renamed).await.unwrap().unwrap();
    let v4 = assert_moved(&store, v3).await;
    let mut added = orgs[0].clone();
    added.name = "A Newer Council".into();
    added.slug = "a-newer-council".parse().unwrap();
    store.organisation_add(&added).await.unwrap().unwrap();
    assert_moved(&store, v4).await;
}

fn draft_event(actor: &str, kind: charter_core::workflow::EventKind) -> crate::drafts::DraftEvent {
    crate::drafts::DraftEvent {
        at: ts(AT),
        actor: actor.into(),
        kind,
        comment: None,
    }
}

pub async fn drafts_move_through_review_and_publish_once<S: Store>(store: S) {
    use crate::drafts::{DraftChange, DraftFilter, NewDraft};
    use charter_core::workflow::{DraftState, EventKind};
    load_small(&store).await;
    let next = store.next_project_id().await.unwrap();
    let (orgs, _) = small_register();
    let org = orgs[0].slug.clone();
    let mut entry = minimal_project(999, org.as_str(), "Bus stop timetables", "Times at stops.");
    let draft = store
        .draft_create(&NewDraft {
            entry: entry.clone(),
            existing: None,
            base_version: None,
            actor: "editor@example.org".into(),
            at: ts(AT),
        })
        .await
        .unwrap();
    // A new entry takes the next id, and that id is no longer offered to anything else.
    assert_eq!(draft.entry.id, next);
    assert_eq!(draft.state, DraftState::Editing);
    assert_eq!(
        store.next_project_id().await.unwrap().number(),
        next.number() + 1
    );
    assert_eq!(store.draft_open_for(next).await.unwrap(), Some(draft.id));
    assert!(
        store.project(next).await.unwrap().is_none(),
        "a draft is not public"
    );

    entry.id = next;
    entry.summary = "Live times at every bus stop.".into();
    let lock = store
        .draft_change(
            draft.id,
            &DraftChange {
                lock: draft.lock,
                from: &[DraftState::Editing, DraftState::Returned],
                to: DraftState::Editing,
                entry: Some(&entry),
                event: draft_event("editor@example.org", EventKind::Saved),
            },
        )
        .await
        .unwrap()
        .unwrap();
    let lock = store
        .draft_change(
            draft.id,
            &DraftChange {
                lock,
                from: &[DraftState::Editing],
                to: DraftState::Submitted,
                entry: None,
                event: draft_event("editor@example.org", EventKind::Submitted),
            },
        )
        .await
        .unwrap()
        .unwrap();
    let mut returned = draft_event("moderator@example.org", EventKind::Returned);
    returned.comment = Some("Say which stops.".into());
    let lock = store
        .draft_change(
            draft.id,
            &DraftChange {
                lock,
                from: &[DraftState::Submitted],
                to: DraftState::Returned,
                entry: None,
                event: returned,
            },
        )
        .await
        .unwrap()
        .unwrap();
    let queue = store
        .drafts(&DraftFilter {
            organisation: Some(org.clone()),
            states: vec![DraftState::Returned],
        })
        .await
        .unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].entry.summary, "Live times at every bus stop.");
    let lock = store
        .draft_change(
            draft.id,
            &DraftChange {
                lock,
                from: &[DraftState::Editing, DraftState::Returned],
                to: DraftState::Submitted,
                entry: None,
                event: draft_event("editor@example.org", EventKind::Submitted),
            },
        )
        .await
        .unwrap()
        .unwrap();
    let head_before = store.chain_head().await.unwrap();
    let before = version_marks(&store).await;
    let link = store
        .draft_publish(
            draft.id,
            lock,
            &entry,
            "New entry",
            &draft_event("moderator@example.org", EventKind::Approved),
        )
        .await
        .unwrap()
        .unwrap()
        .expect("a new entry makes a new version");
    assert_moved(&store, before).await;
    assert_eq!(link.project, next);
    assert_eq!(link.version, 1);
    assert_eq!(link.previous_hash, head_before.unwrap().hash);
    assert_eq!(store.project(next).await.unwrap(), Some(entry.clone()));
    let closed = store.draft(draft.id).await.unwrap().unwrap();
    assert_eq!(closed.state, DraftState::Published);
    assert_eq!(store.draft_open_for(next).await.unwrap(), None);
    let kinds: Vec<EventKind> = store
        .draft_events(draft.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            EventKind::Created,
            EventKind::Saved,
            EventKind::Submitted,
            EventKind::Returned,
            EventKind::Submitted,
            EventKind::Approved
        ]
    );
    let events = store.draft_events(draft.id).await.unwrap();
    assert_eq!(events[3].comment.as_deref(), Some("Say which stops."));

    // A change to the published entry is a second draft, based on version 1.
    let second = store
        .draft_create(&NewDraft {
            entry: entry.clone(),
            existing: Some(next),
            base_version: Some(1),
            actor: "editor@example.org".into(),
            at: ts(AT),
        })
        .await
        .unwrap();
    assert_eq!(second.entry.id, next);
    assert_eq!(second.base_version, Some(1));
    // Only one open draft per entry.
    let again = store
        .draft_create(&NewDraft {
            entry,
            existing: Some(next),
            base_version: Some(1),
            actor: "other@example.org".into(),
            at: ts(AT),
        })
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");

    assert!(!store.self_publish(&org).await.unwrap());
    store.self_publish_set(&org, true).await.unwrap();
    assert!(store.self_publish(&org).await.unwrap());
    store.self_publish_set(&org, false).await.unwrap();
    assert!(!store.self_publish(&org).await.unwrap());
    let unknown: charter_core::Slug = "no-such-organisation".parse().unwrap();
    assert!(store.self_publish_set(&unknown, true).await.is_err());
}

pub async fn drafts_refuse_stale_and_out_of_turn_changes<S: Store>(store: S) {
    use crate::drafts::{DraftChange, DraftConflict, NewDraft};
    use charter_core::workflow::{DraftState, EventKind};
    load_small(&store).await;
    let (orgs, _) = small_register();
    let entry = minimal_project(
        1,
        orgs[0].slug.as_str(),
        "Street lights",
        "Lights that dim.",
    );
    let draft = store
        .draft_create(&NewDraft {
            entry: entry.clone(),
            existing: None,
            base_version: None,
            actor: "a@example.org".into(),
            at: ts(AT),
        })
        .await
        .unwrap();
    let save = |lock| DraftChange {
        lock,
        from: &[DraftState::Editing, DraftState::Returned],
        to: DraftState::Editing,
        entry: Some(&entry),
        event: draft_event("a@example.org", EventKind::Saved),
    };
    let lock = store
        .draft_change(draft.id, &save(draft.lock))
        .await
        .unwrap()
        .unwrap();
    // A second save from the page as it was first read is refused, naming the lock now.
    assert_eq!(
        store
            .draft_change(draft.id, &save(draft.lock))
            .await
            .unwrap(),
        Err(DraftConflict::Changed { lock })
    );
    assert_eq!(
        store
            .draft_change(draft.id + 1000, &save(lock))
            .await
            .unwrap(),
        Err(DraftConflict::Missing)
    );
    // Only a submitted draft can be approved.
    let refused = store
        .draft_publish(
            draft.id,
            lock,
            &entry,
            "New entry",
            &draft_event("b@example.org", EventKind::Approved),
        )
        .await
        .unwrap();
    assert_eq!(refused, Err(DraftConflict::State(DraftState::Editing)));
    assert!(store.project(draft.entry.id).await.unwrap().is_none());
    // Refused changes leave no trace in the log.
    assert_eq!(store.draft_events(draft.id).await.unwrap().len(), 2);

    // A bulk start is all or none: one draft that cannot start stops them all.
    let new = |existing| NewDraft {
        entry: entry.clone(),
        existing,
        base_version: None,
        actor: "a@example.org".into(),
        at: ts(AT),
    };
    let before = store.next_project_id().await.unwrap();
    let refused = store
        .drafts_create(&[new(None), new(Some(draft.entry.id))])
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    assert_eq!(store.next_project_id().await.unwrap(), before);
    let made = store.drafts_create(&[new(None), new(None)]).await.unwrap();
    assert_eq!(made.len(), 2);
    assert_eq!(made[0].entry.id, before);
    assert_eq!(made[1].entry.id.number(), before.number() + 1);
}

pub async fn identifier_kinds_are_set_up_retired_and_fixed_once_used<S: Store>(store: S) {
    use crate::optout::{IdentifierKindSpec, KindChange, NewOptOut};
    assert!(store.identifier_kinds().await.unwrap().is_empty());
    let spec = |name: &str, prefix: &str| IdentifierKindSpec {
        name: name.into(),
        tag_prefix: prefix.into(),
        label: "Knowsley Council tenancy reference".into(),
        hint: "It is on your tenancy agreement.".into(),
        charset: "digits".into(),
        min_len: 6,
        max_len: 10,
    };
    let tenancy = spec("knowsley-tenancy-ref", "knowsley-tenancy-ref");
    store.identifier_kind_add(&tenancy, &ts(AT)).await.unwrap();
    store
        .identifier_kind_add(&spec("wirral-ref", "wirral-ref"), &ts(AT))
        .await
        .unwrap();
    // Names and tag prefixes are unique.
    for clash in [
        spec("knowsley-tenancy-ref", "other-prefix"),
        spec("other-name", "wirral-ref"),
    ] {
        let err = store.identifier_kind_add(&clash, &ts(AT)).await;
        assert!(matches!(err, Err(StoreError::Conflict(_))), "{err:?}");
    }
    let kinds = store.identifier_kinds().await.unwrap();
    assert_eq!(kinds.len(), 2);
    assert_eq!(kinds[0].spec, tenancy);
    assert_eq!(kinds[0].created_at.as_str(), AT);
    assert_eq!(
        (kinds[0].retired_at.as_deref(), kinds[0].in_use),
        (None, false)
    );

    // While no opt-out uses it, its words and rules may change (never its tag prefix).
    let mut changed = tenancy.clone();
    changed.label = "Tenancy reference (Knowsley Council)".into();
    changed.charset = "alphanumeric".into();
    changed.max_len = 12;
    changed.tag_prefix = "ignored".into();
    assert_eq!(
        store.identifier_kind_change(&changed).await.unwrap(),
        KindChange::Changed
    );
    let now = store.identifier_kinds().await.unwrap().remove(0).spec;
    assert_eq!(
        (now.label.as_str(), now.charset.as_str(), now.max_len),
        ("Tenancy reference (Knowsley Council)", "alphanumeric", 12)
    );
    assert_eq!(now.tag_prefix, "knowsley-tenancy-ref");
    assert_eq!(
        store
            .identifier_kind_change(&spec("no-such-kind", "x"))
            .await
            .unwrap(),
        KindChange::Missing
    );

    // Once an opt-out uses it, nothing changes but retiring it.
    store
        .optouts_add(&[NewOptOut {
            kind: "knowsley-tenancy-ref".into(),
            tag: vec![4; 16],
            sealed: vec![4, 1, 2, 3],
            key_version: 1,
            receipt: None,
            manage_token_hash: None,
            created_at: ts(AT),
            events: vec![event("ai-training", false, AT)],
        }])
        .await
        .unwrap();
    assert_eq!(
        store.identifier_kind_change(&tenancy).await.unwrap(),
        KindChange::InUse
    );
    let kinds = store.identifier_kinds().await.unwrap();
    assert!(kinds[0].in_use && !kinds[1].in_use);
    assert_eq!(kinds[0].spec.label, "Tenancy reference (Knowsley Council)");

    assert!(
        store
            .identifier_kind_retire("knowsley-tenancy-ref", Some(&ts("2026-12-01T00:00:00Z")))
            .await
            .unwrap()
    );
    assert_eq!(
        store.identifier_kinds().await.unwrap()[0]
            .retired_at
            .as_deref(),
        Some("2026-12-01T00:00:00Z")
    );
    assert!(
        store
            .identifier_kind_retire("knowsley-tenancy-ref", None)
            .await
            .unwrap()
    );
    assert_eq!(store.identifier_kinds().await.unwrap()[0].retired_at, None);
    assert!(
        !store
            .identifier_kind_retire("no-such-kind", Some(&ts(AT)))
            .await
            .unwrap()
    );
}

pub async fn reported_checks_count_once_in_the_figures<S: Store>(store: S) {
    use crate::optout::CheckRecord;
    let check = |method: &str, at: &str, removed: u64, hash: Option<&str>| CheckRecord {
        organisation: "knowsley-council".into(),
        checked_at: ts(at),
        method: method.into(),
        scopes: "ai-training organisation:knowsley-council".into(),
        rows_in: 50,
        rows_kept: 50 - removed,
        rows_removed: removed,
        rows_invalid: 0,
        identifier_kind: "knowsley-tenancy-ref".into(),
        snapshot_created: hash.map(|_| ts("2026-11-29T09:00:00Z")),
        key_version: hash.map(|_| 2),
        report_hash: hash.map(str::to_owned),
    };
    // Two API checks (no report hash) both count; a report sent twice counts once.
    for c in [
        check("upload", "2026-11-03T10:00:00Z", 1, None),
        check("upload", "2026-11-03T10:00:00Z", 1, None),
    ] {
        assert!(store.check_record(&c).await.unwrap());
    }
    let report = check("snapshot", "2026-11-04T10:00:00Z", 3, Some("abc"));
    assert!(store.check_record(&report).await.unwrap());
    assert!(!store.check_record(&report).await.unwrap(), "a retry");
    let mut later = report.clone();
    later.checked_at = ts("2026-12-01T10:00:00Z");
    assert!(
        !store.check_record(&later).await.unwrap(),
        "whenever it is sent"
    );
    // Another organisation's report with the same hash is its own.
    let mut other = report.clone();
    other.organisation = "wirral-transport".into();
    assert!(store.check_record(&other).await.unwrap());
    let f = store.optout_figures().await.unwrap();
    let knowsley: Vec<_> = f
        .checks
        .iter()
        .filter(|c| c.organisation == "knowsley-council")
        .map(|c| (c.month.as_str(), c.checks, c.rows_removed))
        .collect();
    assert_eq!(knowsley, [("2026-11", 3, 5)]);
}

/// Twenty wrong passwords at once for one account: each attempt is counted before its password is
/// checked, and each sees a different count, so no more than the limit are ever checked.
pub async fn concurrent_sign_in_attempts_each_see_their_own_count<S: Store>(store: S) {
    let (at, since) = (ts("2026-11-30T12:00:00Z"), ts("2026-11-30T11:45:00Z"));
    let attempts = (0..20).map(|_| store.sign_in_attempt("key", &at, &since));
    let mut counts: Vec<u64> = futures_util::future::join_all(attempts)
        .await
        .into_iter()
        .map(|a| a.unwrap().failures)
        .collect();
    counts.sort_unstable();
    assert_eq!(counts, (1..=20).collect::<Vec<u64>>());
}

/// Setting a password (after a reset) ends every session the person has, and every link of
/// theirs not yet used; other people's stay.
pub async fn a_new_password_ends_every_session_and_outstanding_link<S: Store>(store: S) {
    use crate::accounts::{LinkProblem, Role};
    load_small(&store).await;
    let org: charter_core::Slug = "knowsley-council".parse().unwrap();
    let sam = store
        .user_add(
            "sam@knowsley.example",
            None,
            Role::OrgAdmin,
            Some(&org),
            &ts(AT),
        )
        .await
        .unwrap();
    let kim = store
        .user_add(
            "kim@knowsley.example",
            None,
            Role::OrgEditor,
            Some(&org),
            &ts(AT),
        )
        .await
        .unwrap();
    let until = &ts("2026-12-30T12:00:00Z");
    for (session, user) in [("sam-laptop", sam), ("sam-phone", sam), ("kim", kim)] {
        store
            .session_create(session, user, "f", &ts(AT), until)
            .await
            .unwrap();
    }
    for (link, user) in [("reset-1", sam), ("reset-2", sam), ("kim-link", kim)] {
        store
            .link_create(link, user, "password", &ts(AT), until)
            .await
            .unwrap();
    }
    let later = &ts("2026-11-30T13:00:00Z");
    assert_eq!(
        store.link_use("reset-2", "password", later).await.unwrap(),
        Ok(sam)
    );
    store
        .user_password_set(sam, "$argon2id$new", later)
        .await
        .unwrap();
    for session in ["sam-laptop", "sam-phone"] {
        assert!(
            store.session(session, later).await.unwrap().is_none(),
            "{session} ended with the new password"
        );
    }
    assert_eq!(
        store.link_use("reset-1", "password", later).await.unwrap(),
        Err(LinkProblem::Expired),
        "an earlier reset link no longer works"
    );
    assert!(store.session("kim", later).await.unwrap().is_some());
    assert_eq!(
        store.link_use("kim-link", "password", later).await.unwrap(),
        Ok(kim),
        "other people's links still work"
    );
}

/// New drafts for an import of `rows` complete entries into the small register's first
/// organisation.
fn import_rows(rows: u32) -> Vec<crate::drafts::NewDraft> {
    let (orgs, _) = small_register();
    (1..=rows)
        .map(|n| crate::drafts::NewDraft {
            entry: complete_project(n, orgs[0].slug.as_str()),
            existing: None,
            base_version: None,
            actor: "import@example.org".into(),
            at: ts(AT),
        })
        .collect()
}

/// Thousands of rows import as drafts, all or none, each with its own new project id.
pub async fn a_big_import_is_all_or_nothing<S: Store>(store: S) {
    use crate::drafts::DraftFilter;
    load_small(&store).await;
    let next = store.next_project_id().await.unwrap();
    let mut rows = import_rows(3000);

    // One bad row, the last, stops the lot.
    let mut bad = rows.clone();
    if let Some(last) = bad.last_mut() {
        last.entry.organisation = "nobody".parse().unwrap();
    }
    let refused = store.drafts_create(&bad).await;
    assert!(
        matches!(refused, Err(StoreError::UnknownOrganisation(_))),
        "{refused:?}"
    );
    assert!(
        store
            .drafts(&DraftFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.next_project_id().await.unwrap(), next);

    // An entry named twice is refused too.
    let published = small_register().1[0].id;
    let mut twice = rows.clone();
    twice[0].existing = Some(published);
    twice[1].existing = Some(published);
    let refused = store.drafts_create(&twice).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    assert!(
        store
            .drafts(&DraftFilter::default())
            .await
            .unwrap()
            .is_empty()
    );

    // A good file: every row, numbered on from the highest id, stored as returned.
    rows[0].existing = Some(published);
    rows[0].base_version = Some(1);
    let made = store.drafts_create(&rows).await.unwrap();
    assert_eq!(made.len(), rows.len());
    assert_eq!(made[0].entry.id, published);
    for (i, d) in made.iter().skip(1).enumerate() {
        assert_eq!(d.entry.id.number(), next.number() + i as u32);
    }
    for d in [&made[0], &made[1], &made[made.len() - 1]] {
        assert_eq!(store.draft(d.id).await.unwrap().as_ref(), Some(d));
        assert_eq!(store.draft_events(d.id).await.unwrap().len(), 1);
    }
    assert_eq!(
        store.next_project_id().await.unwrap().number(),
        next.number() + rows.len() as u32 - 1
    );
    assert_eq!(
        store.drafts(&DraftFilter::default()).await.unwrap().len(),
        rows.len()
    );
}

/// An import from one instance (as `charter import` runs beside a live server) while another
/// instance on the same database keeps writing: every one of the other's writes succeeds,
/// waiting for its turn rather than failing. Call it with two stores opened on one database.
pub async fn writes_wait_for_an_import_from_another_instance<S: Store>(importer: S, server: S) {
    use crate::drafts::{DraftChange, NewDraft};
    use charter_core::workflow::{DraftState, EventKind};
    load_small(&server).await;
    let (orgs, _) = small_register();
    let draft = server
        .draft_create(&NewDraft {
            entry: minimal_project(1, orgs[0].slug.as_str(), "Bus times", "Times at stops."),
            existing: None,
            base_version: None,
            actor: "editor@example.org".into(),
            at: ts(AT),
        })
        .await
        .unwrap();
    let rows = import_rows(4000);
    let done = std::sync::atomic::AtomicBool::new(false);
    let import = async {
        let made = importer.drafts_create(&rows).await;
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        made
    };
    let writes = async {
        let mut lock = draft.lock;
        let mut failures = Vec::new();
        let mut n = 0u32;
        // Keep writing until the import is over, and a few times at least.
        while n < 5 || !done.load(std::sync::atomic::Ordering::SeqCst) {
            n += 1;
            let save = DraftChange {
                lock,
                from: &[DraftState::Editing],
                to: DraftState::Editing,
                entry: Some(&draft.entry),
                event: draft_event("editor@example.org", EventKind::Saved),
            };
            match server.draft_change(draft.id, &save).await {
                Ok(Ok(next)) => lock = next,
                other => failures.push(format!("save {n}: {other:?}")),
            }
            if let Err(e) = server
                .sign_in_attempt(&format!("key{n}"), &ts(AT), &ts(AT))
                .await
            {
                failures.push(format!("sign-in {n}: {e}"));
            }
            // Let the import's own steps run between writes on a one-thread runtime.
            yield_now().await;
        }
        (n, failures)
    };
    let (made, (n, failures)) = futures_join(import, writes).await;
    assert_eq!(made.unwrap().len(), rows.len());
    assert!(
        failures.is_empty(),
        "{} of {n} rounds failed: {failures:?}",
        failures.len()
    );
}

/// Runs two futures side by side to the end of both (the suite runs on any async runtime).
async fn futures_join<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    use std::task::Poll;
    let mut a = std::pin::pin!(a);
    let mut b = std::pin::pin!(b);
    let (mut first, mut second) = (None, None);
    std::future::poll_fn(|cx| {
        if first.is_none()
            && let Poll::Ready(v) = a.as_mut().poll(cx)
        {
            first = Some(v);
        }
        if second.is_none()
            && let Poll::Ready(v) = b.as_mut().poll(cx)
        {
            second = Some(v);
        }
        match (first.take(), second.take()) {
            (Some(x), Some(y)) => Poll::Ready((x, y)),
            (x, y) => {
                (first, second) = (x, y);
                Poll::Pending
            }
        }
    })
    .await
}

/// Gives other work on the same thread a turn.
async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            std::task::Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    })
    .await
}

pub async fn derived_values_are_what_was_published<S: Store>(store: S) {
    let empty = crate::verify::verify(&store).await.unwrap();
    assert!(empty.is_intact() && empty.head.is_none() && empty.entries == 0);
    load_small(&store).await;
    let first = store.derived_after(None, 3).await.unwrap();
    let rest = store.derived_after(Some(first[2].id), 100).await.unwrap();
    let all: Vec<_> = first.into_iter().chain(rest).collect();
    assert_eq!(
        all.iter().map(|d| d.id.number()).collect::<Vec<_>>(),
        (1..=8).collect::<Vec<_>>()
    );
    let (orgs, projects) = small_register();
    for (d, p) in all.iter().zip(&projects) {
        let org = orgs.iter().find(|o| o.slug == p.organisation).unwrap();
        let stored: charter_core::Project =
            serde_json::from_str(d.doc.as_deref().unwrap()).unwrap();
        assert_eq!(&stored, p);
        assert_eq!(d.organisation_id, i64::from(org.id.number()));
        let o = d.organisation.as_ref().unwrap();
        assert_eq!(
            (o.slug.as_str(), o.name.as_str()),
            (p.organisation.as_str(), org.name.as_str())
        );
        assert_eq!(o.record_slug.as_deref(), Some(org.slug.as_str()));
        assert_eq!(o.record_name.as_deref(), Some(org.name.as_str()));
        assert_eq!(
            (d.slug.as_str(), d.title.as_str()),
            (p.slug.as_str(), p.title.as_str())
        );
        assert_eq!((&d.summary, d.uses_ai), (&p.summary, p.uses_ai));
        assert_eq!(d.status, p.status.slug());
        assert_eq!(d.ai_kind.as_deref(), p.ai_kind.map(|k| k.slug()));
        assert_eq!(d.decision_role, p.decision_role.slug());
        assert_eq!(
            d.areas_mask,
            crate::support::mask(&p.areas, charter_core::picklists::Area::index)
        );
        assert_eq!(d.topics_mask, crate::support::mask(&p.topics, Topic::index));
        assert_eq!(d.last_updated, p.last_updated.to_string());
        let search = d.search.as_ref().unwrap();
        assert_eq!(
            (search.title.as_str(), &search.summary),
            (p.title.as_str(), &p.summary)
        );
        assert_eq!(search.body, crate::support::search_body(p, &org.name));
    }
    let report = crate::verify::verify(&store).await.unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!((report.versions, report.entries), (8, 8));

    // Renaming through the store keeps every copy of the name in step.
    let mut renamed = orgs[1].clone();
    renamed.name = "Mersey Health".into();
    store.organisation_put(&renamed).await.unwrap();
    let d = store
        .derived_after(Some(ProjectId::new(2)), 1)
        .await
        .unwrap();
    assert_eq!(d[0].organisation.as_ref().unwrap().name, "Mersey Health");
    assert!(d[0].search.as_ref().unwrap().body.contains("Mersey Health"));
    let report = crate::verify::verify(&store).await.unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
}

pub async fn verify_names_each_direct_edit<S: Tamper>(store: S) {
    use crate::verify::{Field, Problem, SearchPart};
    load_small(&store).await;
    store
        .execute_sql("UPDATE projects SET title = 'Edited title' WHERE id = 1")
        .await;
    store
        .execute_sql("UPDATE projects SET summary = 'Edited summary' WHERE id = 2")
        .await;
    store
        .execute_sql("UPDATE projects SET uses_ai = NOT uses_ai WHERE id = 5")
        .await;
    store
        .execute_sql("UPDATE organisations SET name = 'Renamed directly' WHERE id = 2")
        .await;
    store.execute_sql(&store.search_edit(6)).await;
    let stray = store.search_stray(99);
    if let Some(sql) = &stray {
        store.execute_sql(sql).await;
    }
    let problems = crate::verify::verify(&store).await.unwrap().problems;
    let has = |p: &Problem| problems.contains(p);
    let shown = |id: u32, field: Field, shown: &str, published: &str| Problem::Shown {
        id: ProjectId::new(id),
        field,
        shown: shown.into(),
        published: published.into(),
    };
    assert!(
        has(&shown(
            1,
            Field::Title,
            "Edited title",
            "Damp repairs planner"
        )),
        "{problems:?}"
    );
    let (_, projects) = small_register();
    assert!(
        has(&shown(
            2,
            Field::Summary,
            "Edited summary",
            &projects[1].summary
        )),
        "{problems:?}"
    );
    let ai = |b: bool| if b { "yes" } else { "no" };
    assert!(
        has(&shown(
            5,
            Field::UsesAi,
            ai(!projects[4].uses_ai),
            ai(projects[4].uses_ai)
        )),
        "{problems:?}"
    );
    assert!(
        has(&Problem::OrganisationName {
            organisation: "mersey-nhs-trust".into(),
            shown: "Renamed directly".into(),
            record: "Mersey NHS Trust".into(),
        }),
        "{problems:?}"
    );
    assert!(
        has(&Problem::SearchDiffers {
            id: ProjectId::new(6),
            part: SearchPart::Body
        }),
        "{problems:?}"
    );
    assert_eq!(
        has(&Problem::SearchStray(99)),
        stray.is_some(),
        "{problems:?}"
    );
    // Each is named once, and nothing about the entries left alone.
    let organisation_problems = problems
        .iter()
        .filter(|p| matches!(p, Problem::OrganisationName { .. }))
        .count();
    assert_eq!(organisation_problems, 1, "{problems:?}");
    for p in &problems {
        let id = match p {
            Problem::Shown { id, .. } | Problem::SearchDiffers { id, .. } => id.number(),
            Problem::OrganisationName { .. } => continue,
            Problem::SearchStray(99) if stray.is_some() => continue,
            other => panic!("unexpected: {other}"),
        };
        assert!([1, 2, 5, 6].contains(&id), "unexpected: {p}");
    }
    let said: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        said.contains(&"LCR-0001: the title shown in lists is “Edited title” but its latest published version says “Damp repairs planner”".to_owned()),
        "{said:?}"
    );
    assert!(
        said.contains(&"LCR-0006: the search index differs from its latest published version (the descriptions or organisation name)".to_owned()),
        "{said:?}"
    );
}

/// Times are read back as `Timestamp`s: one changed behind the register's back into text that is
/// not a time is refused in words (naming the column and the text), not read nor panicked on.
pub async fn a_stored_time_that_is_not_one_is_refused_in_words<S: Tamper>(store: S) {
    use crate::accounts::Role;
    load_small(&store).await;
    let id = store
        .user_add("sam@knowsley.example", None, Role::Moderator, None, &ts(AT))
        .await
        .unwrap();
    assert_eq!(
        store.user(id).await.unwrap().unwrap().created_at.as_str(),
        AT
    );
    store
        .execute_sql(&format!(
            "UPDATE users SET created_at = 'yesterday' WHERE id = {id}"
        ))
        .await;
    match store.user(id).await {
        Err(StoreError::Data(m)) => {
            assert!(m.contains("created_at") && m.contains("“yesterday”"), "{m}")
        }
        other => panic!("expected a data error, got {other:?}"),
    }
    // An optional time too: a revoked token whose time was blanked.
    let org: charter_core::Slug = "knowsley-council".parse().unwrap();
    let token = store
        .token_create(&crate::NewToken {
            organisation: &org,
            owner_id: id,
            token_hash: "0a1b",
            label: "Uploads",
            scopes: "drafts",
            at: &ts(AT),
        })
        .await
        .unwrap();
    assert!(store.token_revoke(token, &ts(AT)).await.unwrap());
    store
        .execute_sql(&format!(
            "UPDATE api_tokens SET revoked_at = '' WHERE id = {token}"
        ))
        .await;
    match store.tokens(&org).await {
        Err(StoreError::Data(m)) => assert!(m.contains("revoked_at") && m.contains("“”"), "{m}"),
        other => panic!("expected a data error, got {other:?}"),
    }
}

pub async fn organisations_are_added_changed_and_retired_without_clashes<S: Store>(store: S) {
    use crate::organisations::OrgClash;
    let (orgs, projects) = small_register();
    store.organisation_put(&orgs[0]).await.unwrap();
    store
        .projects_publish(&projects[..1], NOTE, &ts(AT))
        .await
        .unwrap();
    // A new one takes the next id, whatever id it came with.
    let mut new = orgs[1].clone();
    new.id = charter_core::OrgId::new(500);
    let id = store.organisation_add(&new).await.unwrap().unwrap();
    assert_eq!(id.number(), orgs[0].id.number() + 1);
    let stored = store.organisation_record(&new.slug).await.unwrap().unwrap();
    assert_eq!((stored.id, &stored.name), (id, &new.name));

    // A taken short name, or a taken name in other capitals, writes nothing.
    let mut same_slug = orgs[2].clone();
    same_slug.slug = new.slug.clone();
    assert_eq!(
        store.organisation_add(&same_slug).await.unwrap(),
        Err(OrgClash::Slug(id))
    );
    let mut same_name = orgs[2].clone();
    same_name.name = orgs[0].name.to_uppercase();
    assert_eq!(
        store.organisation_add(&same_name).await.unwrap(),
        Err(OrgClash::Name(orgs[0].slug.clone()))
    );
    assert_eq!(store.organisations().await.unwrap().len(), 2);

    // Changing keeps the id and short name; a name another has is refused.
    let mut changed = stored.clone();
    changed.name = orgs[0].name.to_lowercase();
    assert_eq!(
        store.organisation_change(&changed).await.unwrap(),
        Err(OrgClash::Name(orgs[0].slug.clone()))
    );
    let mut moved = stored.clone();
    moved.slug = "somewhere-else".parse().unwrap();
    assert_eq!(
        store.organisation_change(&moved).await.unwrap(),
        Err(OrgClash::Missing)
    );
    // Renaming and retiring the first: its entry stays, found by the new name.
    let mut retired = orgs[0].clone();
    retired.name = "Knowsley Borough Council".into();
    retired.retired_on = Some("2026-11-30".parse().unwrap());
    let version = store.register_version().await.unwrap();
    store.organisation_change(&retired).await.unwrap().unwrap();
    assert!(store.register_version().await.unwrap() > version);
    let got = store.organisation(&retired.slug).await.unwrap().unwrap();
    assert_eq!(got.organisation, retired);
    assert_eq!(got.projects, 1);
    let found = ids(&store, &[("q", "borough")]).await;
    assert_eq!(found, [projects[0].id.number()]);
    // Its own name again, in other capitals, is no clash with itself.
    retired.name = retired.name.to_uppercase();
    store.organisation_change(&retired).await.unwrap().unwrap();
}

pub async fn site_tokens_belong_to_no_organisation<S: Store>(store: S) {
    load_small(&store).await;
    let at = ts(AT);
    let admin = store
        .user_add(
            "s@x.example",
            None,
            crate::accounts::Role::SiteAdmin,
            None,
            &at,
        )
        .await
        .unwrap();
    let id = store
        .site_token_create(
            admin,
            "hash-of-site-token",
            "Signatories sync",
            "organisations",
            &at,
        )
        .await
        .unwrap();
    let found = store
        .site_token_by_hash("hash-of-site-token")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (found.id, found.owner.email.as_str(), found.label.as_str()),
        (id, "s@x.example", "Signatories sync")
    );
    assert_eq!(found.scopes, ["organisations"]);
    // Not an organisation's token, and not in any organisation's list.
    assert!(
        store
            .token_by_hash("hash-of-site-token")
            .await
            .unwrap()
            .is_none()
    );
    let (orgs, _) = small_register();
    assert!(store.tokens(&orgs[0].slug).await.unwrap().is_empty());
    assert_eq!(store.site_tokens().await.unwrap().len(), 1);
    assert!(store.token_revoke(id, &at).await.unwrap());
    assert!(
        store
            .site_token_by_hash("hash-of-site-token")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.site_tokens().await.unwrap()[0].revoked_at, Some(at));
}
