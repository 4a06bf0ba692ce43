//! What a register made by an earlier version of charter holds, checked after it has migrated
//! in place. Each backend keeps a small register made by `charter generate`, `charter user add`,
//! `charter org token create` and `charter optout import` before migrations ran through
//! `sqlx::migrate!`, opens it with the current store and calls [`reads_back`].

use charter_core::Slug;

use crate::Store;
use crate::accounts::Role;
use crate::verify::verify;

/// Everything the earlier version wrote reads back, and the register verifies as intact.
pub async fn reads_back<S: Store + ?Sized>(store: &S) {
    let report = verify(store).await.expect("verification runs");
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!((report.versions, report.entries), (12, 12));

    let stats = store.stats().await.expect("stats");
    assert_eq!((stats.projects, stats.organisations), (12, 24));
    let head = store.chain_head().await.expect("head").expect("a chain");
    assert_eq!(head.seq, 12);
    let first = store
        .project(charter_core::ProjectId::new(1))
        .await
        .expect("reads")
        .expect("LCR-0001 is there");
    assert_eq!(
        first.slug.as_str(),
        "trading-standards-complaints-in-birkenhead"
    );

    let admin = store
        .user_by_email("admin@example.org")
        .await
        .expect("reads")
        .expect("the person added is there");
    assert_eq!(
        (admin.role, admin.name.as_deref()),
        (Role::SiteAdmin, Some("Admin"))
    );

    let org: Slug = "halton-company-7".parse().expect("a slug");
    let tokens = store.tokens(&org).await.expect("reads");
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].label, "fixture");
    assert_eq!(
        tokens[0].owner.as_ref().map(|o| o.email.as_str()),
        Some("admin@example.org")
    );

    let optouts = store.optouts_after(0, 10).await.expect("reads");
    assert_eq!(optouts.len(), 1);
    let figures = store.optout_figures().await.expect("figures");
    assert_eq!(figures.by_scope, vec![("research-planning".to_owned(), 1)]);

    let audit = store.audit_log(10).await.expect("reads");
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["token-create", "user-add"]);
}
