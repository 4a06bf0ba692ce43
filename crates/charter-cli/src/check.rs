//! `charter check`: the charter check over the whole register or one organisation's entries, for
//! people and for pipelines. Exits with status 1 when any entry fails a blocking check.

use anyhow::Context;
use charter_core::Slug;
use charter_core::check::{Outcome, check};

use crate::config::{Config, open_store};

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Only this organisation's entries (its slug).
    #[arg(long)]
    pub organisation: Option<String>,
    /// Print every result as JSON instead of a report.
    #[arg(long)]
    pub json: bool,
    /// List warnings as well as blocking problems.
    #[arg(long)]
    pub warnings: bool,
}

/// What the check found, for the exit status.
pub struct Outcomes {
    pub blocking: usize,
}

pub async fn run(config: &Config, args: CheckArgs) -> anyhow::Result<Outcomes> {
    let charter = config.charter()?;
    let store = open_store(config).await?;
    let only: Option<Slug> = args
        .organisation
        .as_deref()
        .map(str::parse)
        .transpose()
        .context("--organisation")?;
    if let Some(slug) = &only
        && store.organisation(slug).await?.is_none()
    {
        anyhow::bail!("no organisation on the register has the short name “{slug}”");
    }
    let today = charter_web::today();
    let mut checked = 0;
    let mut blocking = 0;
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let batch = store.projects_after(after, 500).await?;
        let Some(last) = batch.last() else { break };
        after = Some(last.id);
        for p in batch
            .iter()
            .filter(|p| only.as_ref().is_none_or(|o| *o == p.organisation))
        {
            let card = check(p, &charter, today);
            checked += 1;
            if card.blocks_publishing {
                blocking += 1;
            }
            if args.json {
                all.push(serde_json::json!({ "id": p.id, "title": p.title, "organisation": p.organisation, "check": card }));
                continue;
            }
            let problems: Vec<_> = card
                .principles
                .iter()
                .flat_map(|pr| pr.rules.iter().map(move |r| (pr, r)))
                .filter(|(_, r)| {
                    r.outcome == Outcome::NotMet && (r.blocks_publishing || args.warnings)
                })
                .collect();
            if problems.is_empty() {
                continue;
            }
            println!("{} {} ({})", p.id, p.title, p.organisation);
            for (pr, r) in problems {
                let kind = if r.blocks_publishing {
                    "BLOCKS"
                } else {
                    "warns "
                };
                println!(
                    "  {kind} {} / {}: {}",
                    pr.name,
                    r.title,
                    r.advice.as_deref().unwrap_or("")
                );
            }
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&all)?);
    } else {
        println!("Checked {checked} entries: {blocking} fail a blocking check.");
    }
    Ok(Outcomes { blocking })
}
