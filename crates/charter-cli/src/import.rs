//! `charter import`: an organisation's existing list of projects, from CSV, becomes drafts: all
//! rows or none. `--dry-run` lists every problem with its spreadsheet row and writes nothing;
//! `--map` says which field a column holds and `--set` gives a field the file lacks one value
//! for every row.

use charter_core::plain_english::count_of;
use std::collections::HashMap;

use anyhow::{Context, bail};
use charter_app::Actor;
use charter_app::import::{Imported, Run};
use charter_core::Slug;
use charter_core::import::{Columns, MAX_BYTES, Target, text, value_for_every_row};

use crate::config::{Config, open_store};

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// The CSV file: one entry per row, a header naming the fields (see docs/import.md).
    pub file: std::path::PathBuf,
    /// The organisation the entries belong to (its short name).
    #[arg(long)]
    pub organisation: String,
    /// Which field a column holds, as "Column header=field" (or "Column header=ignore"); repeat.
    #[arg(long = "map", value_name = "HEADER=FIELD")]
    pub map: Vec<String>,
    /// One value for every row, for a field the file has no column for, as "field=value"
    /// (such as status=in-use); repeat.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub set: Vec<String>,
    /// Check the file and list every problem; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Reads `--map` arguments.
pub fn mapping(args: &[String]) -> anyhow::Result<HashMap<String, Target>> {
    args.iter()
        .map(|m| {
            let (header, field) = m
                .rsplit_once('=')
                .with_context(|| format!("--map “{m}”: write it as \"Column header=field\""))?;
            let target = match field.trim() {
                "ignore" | "" => Target::Ignore,
                f => Target::Field(f.to_owned()),
            };
            Ok((header.to_owned(), target))
        })
        .collect()
}

/// Reads `--map` and `--set` arguments, refusing a field or value the import would not take.
pub fn columns(map: &[String], set: &[String]) -> anyhow::Result<Columns> {
    let set = set
        .iter()
        .map(|s| {
            let (field, value) = s.split_once('=').with_context(|| {
                format!("--set “{s}”: write it as field=value, such as status=in-use")
            })?;
            if let Err(e) = value_for_every_row(field, value) {
                bail!("--set {s}: {e}");
            }
            Ok((field.trim().to_owned(), value.trim().to_owned()))
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(Columns {
        mapping: mapping(map)?,
        set,
    })
}

/// Reads the file for an organisation and, for [`Run::Write`], imports it if it is clean: the
/// same use case as the import page. Fails clearly when the organisation or the file cannot be
/// found.
pub async fn import(
    config: &Config,
    file: &std::path::Path,
    organisation: &str,
    columns: Columns,
    run: Run,
) -> anyhow::Result<Imported> {
    let slug: Slug = organisation.parse().context("--organisation")?;
    let size = std::fs::metadata(file)
        .with_context(|| format!("cannot read {}", file.display()))?
        .len();
    if size > MAX_BYTES {
        bail!(
            "{} is {} MB; a file may be up to {} MB. Split it into smaller files and import each one",
            file.display(),
            size >> 20,
            MAX_BYTES >> 20
        );
    }
    let store = open_store(config).await?;
    if store.organisation_record(&slug).await?.is_none() {
        bail!(
            "{}",
            charter_app::organisations::unknown(store.as_ref(), slug.as_str()).await?
        );
    }
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let text = text(bytes)
        .map_err(|e| anyhow::anyhow!("{}: {e}. Nothing was imported", file.display()))?;
    let actor = Actor::command_line();
    Ok(charter_app::import::import(store.as_ref(), &actor, &slug, text, columns, run).await?)
}

/// Returns how many problems the file has (0 when imported, or clean in a dry run).
pub async fn run(config: &Config, args: ImportArgs) -> anyhow::Result<usize> {
    let run = if args.dry_run {
        Run::DryRun
    } else {
        Run::Write
    };
    let columns = columns(&args.map, &args.set)?;
    let done = import(config, &args.file, &args.organisation, columns, run).await?;
    let found = &done.report;
    if let Some(refused) = found.refused() {
        bail!("{}: {refused}. Nothing was imported", args.file.display());
    }
    for (place, (header, target)) in found.headers.iter().zip(&found.mapping).enumerate() {
        match target {
            _ if found.unchosen.contains(&place) => {
                println!(
                    "  column “{header}” → not chosen yet (--map \"{header}=FIELD\" or \"{header}=ignore\")"
                )
            }
            Target::Field(f) => println!("  column “{header}” → {f}"),
            Target::Ignore => println!("  column “{header}” → ignored"),
        }
    }
    for (field, value) in &found.set {
        println!("  every row: {field} = {value}");
    }
    if !found.problems.is_empty() {
        for p in &found.problems {
            println!("{p}");
        }
        println!(
            "{}: nothing was imported. Put them right in the file, or choose a column's field with --map \"Column header=field\" and give a missing field one value for every row with --set field=value, and try again.",
            count_of(found.problems.len() as u64, "problem", "problems")
        );
        return Ok(found.problems.len());
    }
    let slug: Slug = args.organisation.parse().context("--organisation")?;
    if args.dry_run {
        let ready = found.entries.len() as u64;
        println!(
            "{} ready to import as drafts for {slug}; nothing was written (dry run).",
            count_of(ready, "entry is", "entries are")
        );
        return Ok(0);
    }
    for d in &done.drafts {
        println!("{} {} (draft {})", d.entry.id, d.entry.title, d.id);
    }
    println!(
        "Imported {} as drafts for {slug}. Editors finish and submit them at /manage/organisations/{slug}.",
        count_of(done.drafts.len() as u64, "entry", "entries")
    );
    Ok(0)
}
