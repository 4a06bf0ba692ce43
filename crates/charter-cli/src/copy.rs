//! `charter copy` moves a whole register between databases (either backend, either way);
//! `charter backup` snapshots a SQLite database while it serves.

use std::path::PathBuf;

use anyhow::{Context, bail};
use charter_store::Store;

use crate::config::{Config, open_url};

#[derive(clap::Args, Debug)]
pub struct CopyArgs {
    /// The database to read, such as sqlite:data/charter.sqlite.
    #[arg(long)]
    pub from: String,
    /// The database to write, such as postgres://charter@localhost/charter. It must be empty.
    #[arg(long)]
    pub to: String,
}

/// Projects copied per transaction.
const BATCH: u32 = 1_000;

pub async fn copy(args: CopyArgs) -> anyhow::Result<()> {
    let from = open_url(&args.from)
        .await
        .context("opening the database to copy from")?;
    let to = open_url(&args.to)
        .await
        .context("opening the database to copy to")?;
    let target = to.stats().await?;
    if target.projects > 0 || target.organisations > 0 {
        bail!(
            "the database to copy to already holds {} organisations and {} projects: copy into an empty database",
            target.organisations,
            target.projects
        );
    }
    let (orgs, links, synonyms) = copy_between(from.as_ref(), to.as_ref()).await?;
    let projects = to.stats().await?.projects;
    let head = to
        .chain_head()
        .await?
        .map(|l| l.hash.to_hex())
        .unwrap_or_else(|| "none".into());
    let words = if synonyms {
        ", and the saved search words"
    } else {
        ""
    };
    println!(
        "Copied {orgs} organisations and {projects} projects with their history ({links} published versions; head {head}){words}."
    );
    Ok(())
}

/// Copies every organisation, then the whole published history link by link, so the copy's
/// hash chain is the same chain with the same head, and the search words (synonyms) a site
/// administrator saved, so the copy finds what the original found.
/// Returns the organisations and links copied, and whether there were saved search words.
pub async fn copy_between(from: &dyn Store, to: &dyn Store) -> anyhow::Result<(usize, u64, bool)> {
    let orgs = from.organisations().await?;
    for o in &orgs {
        to.organisation_put(&o.organisation).await?;
    }
    let synonyms = from.search_synonyms().await?;
    if let Some(lines) = &synonyms {
        to.search_synonyms_put(lines, &charter_app::clock::now())
            .await?;
    }
    let mut after = 0;
    loop {
        let batch = from.log(after, BATCH).await?;
        let Some(last) = batch.last() else { break };
        after = last.link.seq;
        to.links_append(&batch).await?;
    }
    Ok((orgs.len(), after, synonyms.is_some()))
}

#[derive(clap::Args, Debug)]
pub struct BackupArgs {
    /// The file to write; it must not exist yet.
    #[arg(long)]
    pub out: PathBuf,
}

pub async fn backup(config: &Config, args: BackupArgs) -> anyhow::Result<()> {
    let url = config.database_url()?;
    if !url.starts_with("sqlite:") {
        bail!(
            "charter backup copies SQLite databases; for PostgreSQL use pg_dump (see docs/operating.md)"
        );
    }
    if args.out.exists() {
        bail!(
            "{} already exists: choose a new file name",
            args.out.display()
        );
    }
    let store = charter_store_sqlite::SqliteStore::open(&url).await?;
    store.backup_to(&args.out).await?;
    println!("Wrote a consistent copy of {url} to {}", args.out.display());
    Ok(())
}
