//! Times the pages and API answers over residents' challenges and questions on a big register
//! (`charter generate --projects N --challenges M`): the organisation's inbox with its filters and
//! pages, the public statistics, and the charter body's late list. Each request goes through the
//! real router (handler, use case, store, template), without the network.
//!
//! `cargo run --release -p charter-web --example challenges_bench -- DATABASE_URL [RUNS]`
//! (`bench/challenges.sh` runs it on SQLite and PostgreSQL).

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use charter_core::accounts::Role;
use charter_core::charter::Charter;
use charter_store::Store;
use charter_web::{AppState, router};
use http_body_util::BodyExt;
use tower::ServiceExt;

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .ok_or("give the database address: sqlite:PATH or postgres://…")?;
    let runs: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(21);
    let store: Arc<dyn Store> = if url.starts_with("sqlite:") {
        Arc::new(charter_store_sqlite::SqliteStore::open(&url).await?)
    } else {
        Arc::new(charter_store_postgres::PostgresStore::open(&url).await?)
    };
    let charter = Charter::from_toml(include_str!("../../../charter/charter.toml"))?;
    let app = router(AppState::new(store.clone(), charter));

    // The organisation with most items, and one of its busiest projects.
    let region = store
        .challenge_tally(
            &charter_store::challenge_stats::StatsScope::Region,
            charter_app::clock::today(),
        )
        .await?;
    let orgs = store.organisations().await?;
    let mut busiest = None;
    for o in &orgs {
        let slug = o.organisation.slug.clone();
        let t = store
            .challenge_tally(
                &charter_store::challenge_stats::StatsScope::Organisation(slug.clone()),
                charter_app::clock::today(),
            )
            .await?;
        if busiest.as_ref().is_none_or(|(_, n)| t.received() > *n) {
            busiest = Some((slug, t.received()));
        }
    }
    let (org, org_items) = busiest.ok_or("the register has no organisations")?;
    let project = store
        .organisation_projects_after(&org, None, 1)
        .await?
        .first()
        .map(|p| p.id)
        .ok_or("the busiest organisation has no projects")?;

    // People signed in straight through the store, as the HTTP tests do.
    let at: charter_core::Timestamp = "2026-01-01T00:00:00Z".parse()?;
    let until: charter_core::Timestamp = "2999-01-01T00:00:00Z".parse()?;
    let cookie = |email: &str, role: Role, org: Option<&charter_core::Slug>| {
        let store = store.clone();
        let (email, at, until) = (email.to_owned(), at.clone(), until.clone());
        let org = org.cloned();
        async move {
            let existing = store.user_by_email(&email).await?;
            let id = match existing {
                Some(u) => u.id,
                None => {
                    store
                        .user_add(&email, None, role, org.as_ref(), &at)
                        .await?
                }
            };
            let session = format!("{:064x}", u128::from(id as u64) * 7919 + 13);
            let _ = store
                .session_create(
                    &charter_web::account::session::id_hash(&session),
                    id,
                    "bench-form",
                    &at,
                    &until,
                )
                .await;
            Ok::<String, Box<dyn std::error::Error>>(format!("charter_session={session}"))
        }
    };
    let editor = cookie("bench-editor@example.com", Role::OrgEditor, Some(&org)).await?;
    let moderator = cookie("bench-moderator@example.com", Role::Moderator, None).await?;

    println!(
        "{} items in the register; busiest organisation {org} with {org_items}; project {project}.",
        region.received()
    );
    println!("Each row: median and slowest of {runs} requests after 3 warm-up requests, in ms.\n");
    println!("| request | median ms | slowest ms | status |");
    println!("| --- | ---: | ---: | --- |");
    let inbox = "/manage/challenges";
    let pages: Vec<(String, Option<&str>)> = vec![
        (inbox.to_string(), Some(&editor)),
        (format!("{inbox}?page=50"), Some(&editor)),
        (format!("{inbox}?status=received"), Some(&editor)),
        (format!("{inbox}?status=answered&page=20"), Some(&editor)),
        (format!("{inbox}?overdue=yes"), Some(&editor)),
        (format!("{inbox}?assignee=nobody"), Some(&editor)),
        (format!("{inbox}?project={project}"), Some(&editor)),
        ("/api/v1/statistics/challenges".into(), None),
        (
            format!("/api/v1/statistics/challenges?organisation={org}"),
            None,
        ),
        (
            format!("/api/v1/statistics/challenges?project={project}"),
            None,
        ),
        (format!("/projects/{project}"), None),
        (format!("/organisations/{org}"), None),
        ("/manage/overdue".into(), Some(&moderator)),
        ("/manage/overdue?page=20".into(), Some(&moderator)),
    ];
    for (path, who) in &pages {
        let mut times = Vec::with_capacity(runs);
        let mut status = StatusCode::OK;
        for i in 0..runs + 3 {
            let mut request = Request::get(path.as_str());
            if let Some(c) = who {
                request = request.header(header::COOKIE, *c);
            }
            let started = Instant::now();
            let response = app.clone().oneshot(request.body(Body::empty())?).await?;
            status = response.status();
            let _ = response.into_body().collect().await?;
            if i >= 3 {
                times.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
        times.sort_by(f64::total_cmp);
        println!(
            "| `{path}` | {:.1} | {:.1} | {} |",
            times[times.len() / 2],
            times[times.len() - 1],
            status.as_u16()
        );
    }
    Ok(())
}
