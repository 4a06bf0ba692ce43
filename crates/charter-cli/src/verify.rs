//! `charter verify`: checks the register's hash chain and that everything shown or searched is
//! its latest published version (see `charter_app::verify`), and names every difference.

use anyhow::bail;
use charter_app::verify::{Report, history};

use crate::config::{Config, open_store};

pub async fn run(config: &Config) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let report = history(store.as_ref()).await?;
    if !report.is_intact() {
        for problem in &report.problems {
            eprintln!("{problem}");
        }
        bail!("{}", failed(&report));
    }
    // The dashboard's sums are derived from the same history: a recount must give the same.
    let differ = charter_app::dashboard::differences(store.as_ref(), &config.charter()?).await?;
    if !differ.is_empty() {
        for d in &differ {
            eprintln!("{d}");
        }
        bail!(
            "the dashboard's counts differ from a recount of the published history in {} place{}: the database was changed directly, or the charter file's [check] table changed since they were counted",
            differ.len(),
            if differ.len() == 1 { "" } else { "s" }
        );
    }
    // So are the challenge statistics' sums, from the items.
    let differ =
        charter_app::challenge_stats::differences(store.as_ref(), charter_app::clock::today())
            .await?;
    if !differ.is_empty() {
        for d in &differ {
            eprintln!("{d}");
        }
        bail!(
            "the challenge statistics' kept sums differ from a count of the items in {} place{}: the database was changed directly. Restore it from a backup taken before the change",
            differ.len(),
            if differ.len() == 1 { "" } else { "s" }
        );
    }
    match report.head {
        None => println!("Nothing has been published yet: the history is empty."),
        Some(head) => println!(
            "The register's history is intact: {} published versions of {} entries, and everything lists, search and the dashboard show matches them; head {head}.",
            report.versions, report.entries
        ),
    }
    Ok(())
}

/// One line on what failed and what to do, for `verify` and `serve`.
pub fn failed(report: &Report) -> String {
    let n = report.problems.len();
    format!(
        "the register does not match its published history ({n} problem{}): the database was changed directly, not through the register. Restore it from a backup taken before the change (see docs/operating.md, “If charter serve refuses to start”)",
        if n == 1 { "" } else { "s" }
    )
}
