//! The opt-out use cases' rules and refusals, on a SQLite store in memory.

use charter_optout::{KeyVersion, MasterSecret};
use charter_store::Store;
use charter_store::optout::IdentifierKindSpec;
use charter_store::prelude::*;
use charter_store_sqlite::SqliteStore;

use super::*;
use crate::AppError;
use crate::error::Problem;

/// A valid NHS number (its check digit is right), and another.
const NHS: &str = "943 476 5919";
const OTHER_NHS: &str = "9434765870";

async fn store() -> SqliteStore {
    let store = SqliteStore::memory().await.unwrap();
    let (orgs, _) = charter_store::fixtures::small_register();
    for org in &orgs {
        store.organisation_put(org).await.unwrap();
    }
    store
}

fn keys() -> Arc<OptOutKeys> {
    OptOutKeys::new(MasterSecret::from_bytes([7; 32]))
}

fn request(identifiers: &[(&str, &str)], scopes: &[&str]) -> OptOutRequest {
    OptOutRequest {
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        for_whom: "me".into(),
        identifiers: identifiers
            .iter()
            .map(|(f, v)| (f.to_string(), v.to_string()))
            .collect(),
        ..OptOutRequest::default()
    }
}

fn fields(e: AppError) -> Vec<String> {
    match e {
        AppError::Invalid(problems) => problems.into_iter().map(|p| p.field).collect(),
        other => panic!("expected problems with the input, got {other:?}"),
    }
}

async fn tenancy_kind(store: &dyn Store) {
    store
        .identifier_kind_add(
            &IdentifierKindSpec {
                name: "knowsley-tenancy-ref".into(),
                tag_prefix: "knowsley-tenancy".into(),
                label: "Knowsley tenancy reference".into(),
                hint: "8 digits".into(),
                charset: "digits".into(),
                min_len: 8,
                max_len: 8,
            },
            &crate::clock::now(),
        )
        .await
        .unwrap();
}

async fn audit_actions(store: &dyn Store) -> Vec<String> {
    store
        .audit_log(50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| format!("{} {} {}", e.actor, e.action, e.subject))
        .collect()
}

#[tokio::test]
async fn a_request_with_problems_names_each_field_and_stores_nothing() {
    let store = store().await;
    let mut r = request(&[], &[]);
    r.for_whom = "a neighbour".into();
    r.email = "not an address".into();
    r.project = "nonsense".into();
    let e = record(&store, &keys(), &r).await.unwrap_err();
    assert_eq!(fields(e), ["project", "nhs_number", "for", "email"]);

    let e = record(&store, &keys(), &request(&[("nhs_number", NHS)], &[]))
        .await
        .unwrap_err();
    assert_eq!(fields(e), ["scope"], "something must be chosen");

    let mut r = request(&[("nhs_number", NHS)], &["ai-training"]);
    r.organisation = "no-such-org".into();
    r.project = "LCR-9999".into();
    let e = record(&store, &keys(), &r).await.unwrap_err();
    assert_eq!(fields(e), ["organisation", "project"]);
    assert!(store.optouts_after(0, 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn identifiers_are_checked_one_at_a_time_and_never_echoed() {
    let store = store().await;
    let e = record(
        &store,
        &keys(),
        &request(&[("nhs_number", "9434765918")], &["ai-training"]),
    )
    .await
    .unwrap_err();
    let AppError::Invalid(problems) = e else {
        panic!("expected a problem")
    };
    assert_eq!(problems[0].field, "nhs_number");
    assert!(problems[0].message.starts_with("Enter a valid NHS number"));
    assert!(!problems[0].message.contains("9434765918"));

    tenancy_kind(&store).await;
    let both = request(
        &[
            ("nhs_number", NHS),
            ("identifier-knowsley-tenancy-ref", "12345678"),
        ],
        &["ai-training"],
    );
    let e = record(&store, &keys(), &both).await.unwrap_err();
    assert_eq!(fields(e), ["identifier-knowsley-tenancy-ref"]);

    let short = request(
        &[("identifier-knowsley-tenancy-ref", "12-34")],
        &["ai-training"],
    );
    let AppError::Invalid(problems) = record(&store, &keys(), &short).await.unwrap_err() else {
        panic!("expected a problem")
    };
    assert_eq!(
        problems,
        [Problem::new(
            "identifier-knowsley-tenancy-ref",
            "The Knowsley tenancy reference must be 8 characters long, not counting spaces and hyphens"
        )]
    );
    let e = record(&store, &keys(), &request(&[], &["ai-training"]))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("or one of the other identifiers"));
}

#[tokio::test]
async fn a_recorded_opt_out_opens_with_its_token_and_changes_through_it() {
    let store = store().await;
    let mut r = request(&[("nhs_number", NHS)], &["ai-training", "nonsense"]);
    r.for_whom = "deputy".into();
    r.email = "resident@example.org".into();
    r.organisation = "knowsley-council".into();
    let done = record(&store, &keys(), &r).await.unwrap();
    assert!(done.receipt.starts_with("OPT-") && done.receipt.len() == 14);
    assert_eq!(done.email.unwrap().as_str(), "resident@example.org");
    assert_eq!(done.scopes.len(), 2, "unknown scopes are ignored");

    let entry = find(&store, &done.token).await.unwrap();
    assert_eq!(entry.receipt.as_deref(), Some(done.receipt.as_str()));
    assert_eq!(
        entry.current_scopes(),
        ["ai-training", "organisation:knowsley-council"]
    );
    assert!(
        entry
            .events
            .iter()
            .all(|e| e.channel == "proxy" && e.proxy_basis.as_deref() == Some("deputy"))
    );
    assert!(
        audit_actions(&store).await.is_empty(),
        "residents are not in the audit log"
    );

    assert!(matches!(
        find(&store, "abc").await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        find(&store, &"0".repeat(48)).await,
        Err(AppError::NotFound(_))
    ));

    let not_held = ["research-planning".to_owned()];
    let e = change(&store, &entry, Some(Change::Withdraw), &not_held)
        .await
        .unwrap_err();
    assert_eq!(fields(e), ["withdraw"]);
    let held = ["ai-training".to_owned()];
    let e = change(&store, &entry, Some(Change::Add), &held)
        .await
        .unwrap_err();
    assert_eq!(fields(e), ["add"], "already opted out of");
    let e = change(&store, &entry, None, &held).await.unwrap_err();
    assert_eq!(fields(e), ["add"]);

    change(&store, &entry, Some(Change::Withdraw), &held)
        .await
        .unwrap();
    change(&store, &entry, Some(Change::Add), &not_held)
        .await
        .unwrap();
    let entry = find(&store, &done.token).await.unwrap();
    assert_eq!(
        entry.current_scopes(),
        ["organisation:knowsley-council", "research-planning"]
    );
}

fn row(
    line: usize,
    identifier: &str,
    kind: Option<&str>,
    scope: &str,
) -> Result<ImportRow, Problem> {
    Ok(ImportRow {
        line,
        identifier: identifier.into(),
        kind: kind.map(str::to_owned),
        scope: scope.into(),
    })
}

#[tokio::test]
async fn a_list_loads_whole_or_not_at_all_and_is_audited() {
    let store = store().await;
    tenancy_kind(&store).await;
    store
        .identifier_kind_retire("knowsley-tenancy-ref", Some(&crate::clock::now()))
        .await
        .unwrap();
    let who = Actor::command_line();
    let e = import(
        &store,
        &keys(),
        [
            row(2, NHS, None, "ai-training"),
            row(3, "12345678", Some("knowsley-tenancy-ref"), "ai-training"),
            row(4, NHS, Some("council-tax"), "ai-training"),
            row(5, NHS, None, "everything"),
            Err(Problem::new("line 6", "line 6: unreadable")),
        ],
        &who,
    )
    .await
    .unwrap_err();
    assert_eq!(fields(e), ["line 3", "line 4", "line 5", "line 6"]);
    assert!(store.optouts_after(0, 10).await.unwrap().is_empty());
    assert!(audit_actions(&store).await.is_empty());

    let done = import(
        &store,
        &keys(),
        [
            row(2, NHS, None, "ai-training"),
            row(3, "9434765919", Some(""), "research-planning"),
            row(4, OTHER_NHS, None, "ai-training"),
        ],
        &who,
    )
    .await
    .unwrap();
    assert_eq!(
        done,
        Imported {
            opt_outs: 3,
            people: 2
        },
        "one record per person"
    );
    assert_eq!(
        audit_actions(&store).await,
        ["command line optout-import 3 opt-outs for 2 people"]
    );
}

#[tokio::test]
async fn rotation_moves_every_record_up_one_version_and_is_audited() {
    let store = store().await;
    let keys = keys();
    let who = Actor::command_line();
    import(
        &store,
        &keys,
        [
            row(2, NHS, None, "ai-training"),
            row(3, OTHER_NHS, None, "ai-training"),
        ],
        &who,
    )
    .await
    .unwrap();
    let (version, moved) = rotate(&store, &keys, &who).await.unwrap();
    assert_eq!((version.get(), moved), (2, 2));
    assert_eq!(current_version(&store).await.unwrap().get(), 2);
    let org = "knowsley-council".parse().unwrap();
    let (_, people) = build_snapshot(&store, &keys, &org, 7).await.unwrap();
    assert_eq!(people, 2, "records still open after rotation");
    assert_eq!(
        audit_actions(&store).await[0],
        "command line optout-rotate-keys 2 opt-out records moved to key version 2"
    );
    let unknown = "no-such-org".parse().unwrap();
    let e = build_snapshot(&store, &keys, &unknown, 7)
        .await
        .unwrap_err();
    assert_eq!(fields(e), ["organisation"]);
    assert!(KeyVersion::new(2).is_some());
}

#[tokio::test]
async fn an_upload_check_needs_a_column_a_use_and_a_known_kind() {
    let store = store().await;
    let org = "knowsley-council".parse().unwrap();
    let scopes = ["ai-training".to_owned()];
    let refused = |r: AppResult<PreparedCheck>| match r {
        Err(e) => fields(e),
        Ok(_) => panic!("expected a refusal"),
    };
    assert_eq!(
        refused(prepare_check(&store, &keys(), &org, "", "", &scopes).await),
        ["column"]
    );
    assert_eq!(
        refused(prepare_check(&store, &keys(), &org, "nhs", "", &[]).await),
        ["scope"]
    );
    assert_eq!(
        refused(prepare_check(&store, &keys(), &org, "nhs", "", &["everything".into()]).await),
        ["scope"]
    );
    assert_eq!(
        refused(prepare_check(&store, &keys(), &org, "nhs", "council-tax", &scopes).await),
        ["kind"]
    );
    let ready = prepare_check(&store, &keys(), &org, "nhs", " ", &scopes)
        .await
        .unwrap();
    assert_eq!(ready.kind.name(), "nhs-number", "NHS numbers by default");
}

fn manifest(organisation: &str) -> serde_json::Value {
    serde_json::json!({
        "input_blake3": "a".repeat(64),
        "input_bytes": 100,
        "rows_in": 3, "rows_kept": 2, "rows_removed": 1, "rows_invalid": 0,
        "column": "nhs_number",
        "identifier_kind": "nhs-number",
        "scopes": ["ai-training"],
        "scopes_applied": ["ai-training", format!("organisation:{organisation}")],
        "organisation": organisation,
        "snapshot_id": "b".repeat(32),
        "snapshot_created": "2026-11-30T12:00:00Z",
        "snapshot_expires": "2026-12-07T12:00:00Z",
        "key_version": 1
    })
}

#[tokio::test]
async fn a_report_counts_once_for_its_own_organisation_only() {
    let store = store().await;
    let org: charter_core::Slug = "knowsley-council".parse().unwrap();
    let who = crate::Actor::token(
        "knowsley-council".parse().unwrap(),
        1,
        "Case system",
        "editor@knowsley.example",
        "192.0.2.1",
    );
    let send = |body: serde_json::Value| {
        let (store, org, who) = (&store, &org, &who);
        async move { report_check(store, org, who, &serde_json::to_vec(&body).unwrap()).await }
    };
    assert!(matches!(
        send(manifest("wirral-transport")).await,
        Err(AppError::Forbidden(_))
    ));
    let mut wrong = manifest("knowsley-council");
    wrong["rows_in"] = 4.into();
    wrong["key_version"] = 2.into();
    wrong["snapshot_expires"] = "2026-11-29T12:00:00Z".into();
    wrong["scopes"] = serde_json::json!(["organisation:wirral-transport"]);
    assert_eq!(
        fields(send(wrong).await.unwrap_err()),
        ["rows_in", "scopes", "key_version", "snapshot_expires"]
    );
    let e = report_check(&store, &org, &who, b"{\"rows_in\": 3}")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("missing field"), "{e}");

    let first = send(manifest("knowsley-council")).await.unwrap();
    assert!(first.recorded);
    assert_eq!(
        first.message,
        "Recorded: a check of 3 rows by knowsley-council, 1 removed."
    );
    let again = send(manifest("knowsley-council")).await.unwrap();
    assert!(!again.recorded, "a retry counts once");
    assert_eq!(
        audit_actions(&store).await,
        [
            "editor@knowsley.example optout-check-report a check of 3 rows by knowsley-council, through API token 1 (Case system)"
        ]
    );
}

#[tokio::test]
async fn an_upload_check_counts_in_the_figures_and_is_audited() {
    let store = store().await;
    let keys = keys();
    import(
        &store,
        &keys,
        [row(2, NHS, None, "ai-training")],
        &Actor::command_line(),
    )
    .await
    .unwrap();
    let org: charter_core::Slug = "knowsley-council".parse().unwrap();
    let check = prepare_check(&store, &keys, &org, "nhs", "", &["ai-training".into()])
        .await
        .unwrap();
    let mut kept = Vec::new();
    let options = charter_optout::FilterOptions {
        threads: 1,
        kind: check.kind.clone(),
        ..charter_optout::FilterOptions::default()
    };
    let manifest = charter_optout::filter_with_options(
        &check.snapshot,
        &check.scopes,
        &check.column,
        "nhs,name\n9434765919,Ada\n9434765870,Bo\n".as_bytes(),
        &mut kept,
        std::io::sink(),
        &options,
        |_| {},
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(kept).unwrap(),
        "nhs,name\n9434765870,Bo\n"
    );
    let who = crate::Actor::token(
        "knowsley-council".parse().unwrap(),
        1,
        "Case system",
        "editor@knowsley.example",
        "192.0.2.1",
    );
    record_upload(&store, &org, &who, &check.scopes, &manifest)
        .await
        .unwrap();
    let figures = store.optout_figures().await.unwrap();
    assert_eq!(
        (figures.checks.len(), figures.checks[0].rows_removed),
        (1, 1)
    );
    assert_eq!(
        audit_actions(&store).await[0],
        "editor@knowsley.example optout-check a check of 2 rows by knowsley-council, through API token 1 (Case system)"
    );
}
