//! The draft use cases' rules, on a real (in-memory SQLite) store: who may do what, the four-eyes
//! rule, stale locks, invalid answers, and the audit entry on every path that changes something.

use charter_core::accounts::{Principal, Role};
use charter_core::charter::Charter;
use charter_store::Store;
use charter_store::fixtures::{complete_project, small_register};
use charter_store::prelude::*;
use charter_store_sqlite::SqliteStore;

use super::*;

const CHARTER: &str = include_str!("../../../../charter/charter.toml");

async fn store() -> SqliteStore {
    let store = SqliteStore::memory().await.unwrap();
    let (orgs, projects) = small_register();
    for o in &orgs {
        store.organisation_put(o).await.unwrap();
    }
    store
        .projects_publish(
            &projects,
            "Published",
            &"2026-11-30T12:00:00Z".parse().unwrap(),
        )
        .await
        .unwrap();
    store
}

fn slug(s: &str) -> Slug {
    s.parse().unwrap()
}

fn person(n: i64, role: Role, org: Option<&str>) -> Actor {
    Actor::person(
        Principal {
            user_id: n,
            role,
            organisation: org.map(slug),
        },
        &format!("person{n}@x.example"),
        "192.0.2.1",
    )
}

fn editor() -> Actor {
    person(1, Role::OrgEditor, Some("knowsley-council"))
}

fn moderator() -> Actor {
    person(2, Role::Moderator, None)
}

fn token(org: &str) -> Actor {
    Actor::token(slug(org), 7, "Case system", "owner@x.example", "192.0.2.2")
}

/// Every field of a complete entry, as the write API reads one.
fn whole() -> Vec<(String, String)> {
    let mut doc = serde_json::to_value(complete_project(1, "knowsley-council")).unwrap();
    let fields = doc.as_object_mut().unwrap();
    for kept in [
        "id",
        "slug",
        "organisation",
        "first_published",
        "last_updated",
    ] {
        fields.remove(kept);
    }
    editor::input_from_json(&doc)
}

fn new_entry() -> NewEntry<'static> {
    NewEntry::Answers {
        title: "Library book recommendations",
        uses_ai: "yes",
        decision_role: "information-only",
    }
}

async fn audited(store: &dyn Store, action: &str) -> Vec<charter_store::accounts::AuditEntry> {
    store
        .audit_log(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .collect()
}

fn fields(e: AppError) -> Vec<String> {
    match e {
        AppError::Invalid(p) => p.into_iter().map(|p| p.field).collect(),
        other => panic!("not invalid: {other:?}"),
    }
}

/// A draft of a complete new entry by `author`, saved and ready to submit.
async fn ready(store: &dyn Store, author: &Actor) -> Draft {
    let d = create(store, author, &slug("knowsley-council"), new_entry())
        .await
        .unwrap();
    save(store, author, d.id, d.lock, Changes::Whole(&whole()))
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn starting_an_entry_needs_the_right_role_organisation_and_answers() {
    let store = store().await;
    let knowsley = slug("knowsley-council");
    let e = create(&store, &moderator(), &knowsley, new_entry()).await;
    assert!(matches!(e, Err(AppError::Forbidden(_))), "{e:?}");
    let other = person(3, Role::OrgEditor, Some("wirral-transport"));
    let e = create(&store, &other, &knowsley, new_entry()).await;
    assert!(matches!(e, Err(AppError::Forbidden(_))), "{e:?}");
    let e = create(&store, &token("wirral-transport"), &knowsley, new_entry()).await;
    assert!(matches!(e, Err(AppError::Forbidden(_))), "{e:?}");
    let e = create(
        &store,
        &person(4, Role::SiteAdmin, None),
        &slug("nobody"),
        new_entry(),
    )
    .await;
    assert!(matches!(e, Err(AppError::NotFound(_))), "{e:?}");
    let blank = NewEntry::Answers {
        title: " ",
        uses_ai: "maybe",
        decision_role: "",
    };
    let e = create(&store, &editor(), &knowsley, blank)
        .await
        .unwrap_err();
    assert_eq!(fields(e), ["title", "uses_ai", "decision_role"]);
    assert!(audited(&store, "draft-create").await.is_empty());

    let d = create(&store, &editor(), &knowsley, new_entry())
        .await
        .unwrap();
    assert_eq!(d.state, DraftState::Editing);
    assert_eq!(d.updated_by, "person1@x.example");
    let log = audited(&store, "draft-create").await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].actor, "person1@x.example");
    assert_eq!(log[0].from_address, "192.0.2.1");
    assert_eq!(
        log[0].subject,
        format!("draft {} of new entry {}", d.id, d.entry.id)
    );
}

#[tokio::test]
async fn a_token_starts_an_entry_from_fields_and_its_audit_entry_names_it() {
    let store = store().await;
    let bad = [("status".to_owned(), "finished".to_owned())];
    let e = create(
        &store,
        &token("knowsley-council"),
        &slug("knowsley-council"),
        NewEntry::Fields(&bad),
    )
    .await
    .unwrap_err();
    assert!(fields(e).contains(&"status".to_owned()));
    let answers = whole();
    let d = create(
        &store,
        &token("knowsley-council"),
        &slug("knowsley-council"),
        NewEntry::Fields(&answers),
    )
    .await
    .unwrap();
    assert_eq!(
        d.entry.slug.as_str(),
        complete_project(1, "knowsley-council").slug.as_str()
    );
    let log = audited(&store, "draft-create").await;
    assert_eq!(log[0].actor, "owner@x.example");
    assert!(
        log[0]
            .subject
            .ends_with(", through API token 7 (Case system)"),
        "{log:?}"
    );
}

#[tokio::test]
async fn another_organisations_draft_is_forbidden_on_the_site_and_unknown_to_a_token() {
    let store = store().await;
    let d = create(&store, &editor(), &slug("knowsley-council"), new_entry())
        .await
        .unwrap();
    let other = person(3, Role::OrgEditor, Some("wirral-transport"));
    assert!(matches!(
        open(&store, &other, d.id).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        open(&store, &token("wirral-transport"), d.id).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        open(&store, &editor(), d.id + 100).await,
        Err(AppError::NotFound(_))
    ));
    let (_, access) = open(&store, &moderator(), d.id).await.unwrap();
    assert_eq!(
        access,
        Access {
            edit: false,
            review: true
        }
    );
    let e = save(&store, &moderator(), d.id, d.lock, Changes::Whole(&whole())).await;
    assert!(matches!(e, Err(AppError::Forbidden(_))), "{e:?}");
}

#[tokio::test]
async fn saving_refuses_a_stale_lock_and_invalid_answers_and_audits_what_it_saves() {
    let store = store().await;
    let d = create(&store, &editor(), &slug("knowsley-council"), new_entry())
        .await
        .unwrap();
    let about = editor::section("about").unwrap();
    let bad = [("start_date".to_owned(), "31/02/2026".to_owned())];
    let e = save(
        &store,
        &editor(),
        d.id,
        d.lock,
        Changes::Section(about, &bad),
    )
    .await
    .unwrap_err();
    assert!(fields(e).contains(&"start_date".to_owned()));
    let saved = save(&store, &editor(), d.id, d.lock, Changes::Whole(&whole()))
        .await
        .unwrap()
        .unwrap();
    assert!(saved.lock > d.lock);
    // The lock read before that save is stale now: nothing is overwritten.
    let stale = save(&store, &editor(), d.id, d.lock, Changes::Whole(&whole()))
        .await
        .unwrap();
    assert_eq!(stale, Err(DraftConflict::Changed { lock: saved.lock }));
    let log = audited(&store, "draft-save").await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].subject, format!("draft {} of {}", d.id, d.entry.id));
    let events = store.draft_events(d.id).await.unwrap();
    assert_eq!(
        events.last().unwrap().comment.as_deref(),
        Some("Whole entry, through the API")
    );
}

#[tokio::test]
async fn submitting_lists_what_blocks_it_needs_a_note_for_changes_and_audits() {
    let store = store().await;
    let charter = Charter::from_toml(CHARTER).unwrap();
    let d = create(&store, &editor(), &slug("knowsley-council"), new_entry())
        .await
        .unwrap();
    // An incomplete entry: the blockers are about the entry as a whole.
    let e = submit(&store, &charter, &editor(), d.id, d.lock, "")
        .await
        .unwrap_err();
    assert!(fields(e).iter().all(String::is_empty));
    let d = save(&store, &editor(), d.id, d.lock, Changes::Whole(&whole()))
        .await
        .unwrap()
        .unwrap();
    let long = "x".repeat(NOTE_LIMIT + 1);
    let e = submit(&store, &charter, &editor(), d.id, d.lock, &long)
        .await
        .unwrap_err();
    assert_eq!(fields(e), ["note"]);
    let e = submit(&store, &charter, &moderator(), d.id, d.lock, "").await;
    assert!(matches!(e, Err(AppError::Forbidden(_))), "{e:?}");
    let stale = submit(&store, &charter, &editor(), d.id, d.lock - 1, "")
        .await
        .unwrap();
    assert!(
        matches!(stale, Err(DraftConflict::Changed { .. })),
        "{stale:?}"
    );
    assert!(audited(&store, "draft-submit").await.is_empty());
    let done = submit(&store, &charter, &editor(), d.id, d.lock, "")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.state, DraftState::Submitted);
    let log = audited(&store, "draft-submit").await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].actor, "person1@x.example");
    assert_eq!(log[0].subject, format!("draft {} of {}", d.id, d.entry.id));
    // Submitted: nobody changes it until it is reviewed.
    let again = save(&store, &editor(), d.id, done.lock, Changes::Whole(&whole()))
        .await
        .unwrap();
    assert_eq!(again, Err(DraftConflict::State(DraftState::Submitted)));

    // A change to a published entry must say what changed.
    let published = small_register().1[0].id;
    let id = start_change(&store, &editor(), published).await.unwrap();
    assert_eq!(
        start_change(&store, &editor(), published).await.unwrap(),
        id,
        "the open draft"
    );
    let change = store.draft(id).await.unwrap().unwrap();
    let e = submit(&store, &charter, &editor(), id, change.lock, " ")
        .await
        .unwrap_err();
    assert!(fields(e).contains(&"note".to_owned()));
    let creates = audited(&store, "draft-create").await;
    assert!(
        creates
            .iter()
            .any(|e| e.subject == format!("draft {id} of {published}")),
        "{creates:?}"
    );
}

#[tokio::test]
async fn a_token_submits_through_the_same_rules_and_leaves_the_same_audit_entry() {
    let store = store().await;
    let charter = Charter::from_toml(CHARTER).unwrap();
    let via_token = token("knowsley-council");
    let d = ready(&store, &via_token).await;
    let done = submit(&store, &charter, &via_token, d.id, d.lock, "")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.updated_by, "owner@x.example");
    let log = audited(&store, "draft-submit").await;
    assert_eq!(log[0].actor, "owner@x.example");
    assert_eq!(
        log[0].subject,
        format!(
            "draft {} of {}, through API token 7 (Case system)",
            d.id, d.entry.id
        )
    );
    assert_eq!(log[0].from_address, "192.0.2.2");
}

#[tokio::test]
async fn approving_needs_a_reviewer_who_did_not_write_it_and_publishes() {
    let store = store().await;
    let charter = Charter::from_toml(CHARTER).unwrap();
    let author = person(5, Role::OrgAdmin, Some("knowsley-council"));
    let d = ready(&store, &author).await;
    let d = submit(&store, &charter, &author, d.id, d.lock, "")
        .await
        .unwrap()
        .unwrap();
    // Editors do not review unless their organisation publishes its own entries.
    let e = approve(&store, &editor(), d.id, d.lock).await;
    assert!(matches!(e, Err(AppError::Forbidden(_))), "{e:?}");
    store
        .self_publish_set(&slug("knowsley-council"), true)
        .await
        .unwrap();
    // Four eyes: the author may review this organisation's entries, but not their own.
    let e = approve(&store, &author, d.id, d.lock).await;
    assert!(
        matches!(e, Err(AppError::Forbidden(ref m)) if m.contains("someone else")),
        "{e:?}"
    );
    let stale = approve(&store, &editor(), d.id, d.lock - 1).await.unwrap();
    assert!(stale.is_err());
    assert!(audited(&store, "draft-approve").await.is_empty());
    let id = approve(&store, &editor(), d.id, d.lock)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(id, d.entry.id);
    assert!(store.project(id).await.unwrap().is_some());
    let log = audited(&store, "draft-approve").await;
    assert_eq!(log[0].actor, "person1@x.example");
    assert_eq!(log[0].subject, format!("draft {}: published {id}", d.id));
}

#[tokio::test]
async fn returning_needs_a_reviewer_and_a_comment_and_audits() {
    let store = store().await;
    let charter = Charter::from_toml(CHARTER).unwrap();
    let d = ready(&store, &editor()).await;
    // Only a submitted draft can be returned.
    let early = send_back(&store, &moderator(), d.id, d.lock, "Fix it")
        .await
        .unwrap();
    assert_eq!(early, Err(DraftConflict::State(DraftState::Editing)));
    let d = submit(&store, &charter, &editor(), d.id, d.lock, "")
        .await
        .unwrap()
        .unwrap();
    let e = send_back(&store, &editor(), d.id, d.lock, "Fix it").await;
    assert!(matches!(e, Err(AppError::Forbidden(_))), "{e:?}");
    let e = send_back(&store, &moderator(), d.id, d.lock, " \r\n ")
        .await
        .unwrap_err();
    assert_eq!(fields(e), ["comment"]);
    let long = "x".repeat(COMMENT_LIMIT + 1);
    let e = send_back(&store, &moderator(), d.id, d.lock, &long)
        .await
        .unwrap_err();
    assert_eq!(fields(e), ["comment"]);
    assert!(audited(&store, "draft-return").await.is_empty());
    send_back(
        &store,
        &moderator(),
        d.id,
        d.lock,
        "Name the owner\r\nplease",
    )
    .await
    .unwrap()
    .unwrap();
    let events = store.draft_events(d.id).await.unwrap();
    assert_eq!(
        events.last().unwrap().comment.as_deref(),
        Some("Name the owner\nplease")
    );
    let log = audited(&store, "draft-return").await;
    assert_eq!(log[0].actor, "person2@x.example");
    assert_eq!(log[0].subject, format!("draft {}", d.id));
    // Back with its editors, who may change it again.
    let (d, _) = open(&store, &editor(), d.id).await.unwrap();
    assert_eq!(d.state, DraftState::Returned);
    assert!(
        save(&store, &editor(), d.id, d.lock, Changes::Whole(&whole()))
            .await
            .unwrap()
            .is_ok()
    );
}

#[tokio::test]
async fn the_review_queue_shows_what_the_reviewer_may_review() {
    let store = store().await;
    let charter = Charter::from_toml(CHARTER).unwrap();
    let d = ready(&store, &editor()).await;
    submit(&store, &charter, &editor(), d.id, d.lock, "")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(review_queue(&store, &moderator()).await.unwrap().len(), 1);
    assert!(review_queue(&store, &editor()).await.unwrap().is_empty());
    store
        .self_publish_set(&slug("knowsley-council"), true)
        .await
        .unwrap();
    assert_eq!(review_queue(&store, &editor()).await.unwrap().len(), 1);
    let other = person(3, Role::OrgEditor, Some("wirral-transport"));
    assert!(review_queue(&store, &other).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_first_version_s_public_note_says_it_was_first_published() {
    let store = store().await;
    let charter = Charter::from_toml(CHARTER).unwrap();
    let d = create(&store, &editor(), &slug("knowsley-council"), new_entry())
        .await
        .unwrap();
    let d = save(&store, &editor(), d.id, d.lock, Changes::Whole(&whole()))
        .await
        .unwrap()
        .unwrap();
    submit(&store, &charter, &editor(), d.id, d.lock, "Our new scheme")
        .await
        .unwrap()
        .unwrap();
    let events = store.draft_events(d.id).await.unwrap();
    assert_eq!(
        events.last().unwrap().comment.as_deref(),
        Some("First published: Our new scheme")
    );
}
