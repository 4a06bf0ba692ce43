//! `charter check`: the charter check over the whole register or one organisation's entries, for
//! people and for pipelines. Exits with status 1 when any entry fails a blocking check.

use anyhow::Context;
use charter_app::import::Run;
use charter_core::Slug;
use charter_core::check::{Outcome, check};
use charter_core::plain_english::count_of;

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
    /// Check the entries in this CSV of drafts (the import format) instead of the register;
    /// needs --organisation.
    #[arg(long, value_name = "FILE")]
    pub drafts: Option<std::path::PathBuf>,
    /// With --drafts: which field a column holds, as "Column header=field"; repeat.
    #[arg(long = "map", value_name = "HEADER=FIELD")]
    pub map: Vec<String>,
    /// With --drafts: one value for every row, for a field the file lacks, as "field=value"; repeat.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub set: Vec<String>,
}

/// What the check found, for the exit status.
pub struct Outcomes {
    pub blocking: usize,
}

pub async fn run(config: &Config, args: CheckArgs) -> anyhow::Result<Outcomes> {
    if let Some(file) = &args.drafts {
        return drafts(config, file, &args).await;
    }
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
    let today = charter_app::clock::today();
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
            report(
                &format!("{} {} ({})", p.id, p.title, p.organisation),
                &card,
                args.warnings,
            );
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&all)?);
    } else {
        println!("Checked {checked} entries: {blocking} fail a blocking check.");
    }
    Ok(Outcomes { blocking })
}

/// Prints an entry's failed rules under `heading` (blocking ones, and warnings when asked).
fn report(heading: &str, card: &charter_core::check::Scorecard, warnings: bool) {
    let problems: Vec<_> = card
        .principles
        .iter()
        .flat_map(|pr| pr.rules.iter().map(move |r| (pr, r)))
        .filter(|(_, r)| r.outcome == Outcome::NotMet && (r.blocks_publishing || warnings))
        .collect();
    if problems.is_empty() {
        return;
    }
    println!("{heading}");
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

/// `charter check --drafts FILE`: entries that are not on the register yet, read as an import
/// would read them. Rows the import would refuse count as blocking.
async fn drafts(
    config: &Config,
    file: &std::path::Path,
    args: &CheckArgs,
) -> anyhow::Result<Outcomes> {
    let charter = config.charter()?;
    let organisation = args
        .organisation
        .as_deref()
        .context("--drafts needs --organisation: whose entries are they?")?;
    let columns = crate::import::columns(&args.map, &args.set)?;
    let read = crate::import::import(config, file, organisation, columns, Run::DryRun).await?;
    let found = read.report;
    let today = charter_app::clock::today();
    let mut blocking = found.problems.len();
    for p in &found.problems {
        println!("CANNOT IMPORT {p}");
    }
    let mut all = Vec::new();
    let mut blocked_entries = 0u64;
    for (row, entry) in &found.entries {
        let card = check(entry, &charter, today);
        if card.blocks_publishing {
            blocking += 1;
            blocked_entries += 1;
        }
        if args.json {
            all.push(serde_json::json!({ "row": row, "title": entry.title, "check": card }));
        } else {
            report(&format!("row {row}: {}", entry.title), &card, args.warnings);
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&all)?);
    } else {
        if !found.problems.is_empty() {
            println!(
                "{} in the file stop it being imported (CANNOT IMPORT above).",
                count_of(found.problems.len() as u64, "problem", "problems")
            );
        }
        println!(
            "Checked {}: {} cannot be published yet.",
            count_of(found.entries.len() as u64, "draft entry", "draft entries"),
            count_of(blocked_entries, "entry", "entries")
        );
    }
    Ok(Outcomes { blocking })
}
