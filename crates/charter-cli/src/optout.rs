//! `charter optout …`: load opt-out lists, issue snapshots, filter datasets, rotate keys.

use std::io::{BufReader, IsTerminal};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use charter_app::Actor;
use charter_app::AppError;
use charter_app::error::Problem;
use charter_app::optout::{ImportRow, OptOutKeys, build_snapshot, current_version, rotate};
use charter_core::Slug;
use charter_optout::{
    AtomicFile, FilterOptions, MasterSecret, RegisterPublicKey, SECRET_ENV_VAR, Scope, Snapshot,
};

use crate::config::{Config, open_store};

#[derive(clap::Args, Debug)]
pub struct OptOutArgs {
    #[command(subcommand)]
    command: OptOutCommand,
}

#[derive(clap::Subcommand, Debug)]
enum OptOutCommand {
    /// Load an existing opt-out list: a CSV with the columns `nhs_number` (or `identifier`) and
    /// `scope`, and optionally `kind` (an identifier kind's short name; nhs-number when absent or
    /// blank). All or nothing.
    Import { file: PathBuf },
    /// Write an organisation's signed snapshot of current opt-outs, for `charter optout filter`.
    Snapshot {
        #[arg(long)]
        organisation: String,
        #[arg(long)]
        out: PathBuf,
        /// Days until the snapshot expires and the filter refuses it.
        #[arg(long, default_value_t = 7)]
        days: i64,
    },
    /// Remove opted-out people from a CSV dataset, on the organisation's own machine.
    Filter(Box<FilterArgs>),
    /// Report a check made with `charter optout filter` to the register (its manifest), when the
    /// filter's own --report-to could not; the same report sent twice counts once.
    Report {
        /// The manifest the filter wrote.
        manifest: PathBuf,
        #[command(flatten)]
        to: ReportTo,
    },
    /// Print the register's public key, which organisations use to check snapshots.
    PublicKey,
    /// Re-key every stored opt-out under a new key version. Safe to interrupt and run again.
    RotateKeys,
}

#[derive(clap::Args, Debug)]
struct FilterArgs {
    /// The organisation's snapshot file.
    #[arg(long)]
    snapshot: PathBuf,
    /// The organisation filtering (its slug): a snapshot issued to anyone else is refused.
    #[arg(long)]
    organisation: String,
    /// The dataset (CSV with a header row).
    #[arg(long)]
    input: PathBuf,
    /// The column holding the identifiers.
    #[arg(long)]
    column: String,
    /// The kind of identifier in the column: nhs-number, or the short name of a kind the
    /// register has set up (its snapshot carries the kind's rules).
    #[arg(long, default_value = "nhs-number")]
    kind: String,
    /// What the data will be used for; repeat for several (research-planning, ai-training,
    /// ai-decisions, project:ID). The organisation's own opt-outs always apply.
    #[arg(long = "scope", required = true)]
    scopes: Vec<String>,
    /// Where to write the rows that may be used.
    #[arg(long)]
    out: PathBuf,
    /// Where to write rows that could not be checked (default: OUT with `.invalid.csv`).
    #[arg(long)]
    invalid: Option<PathBuf>,
    /// Where to write the manifest (default: OUT with `.manifest.json`).
    #[arg(long)]
    manifest: Option<PathBuf>,
    /// The register's public key (hex), from `charter optout public-key` or the register's
    /// website. Default: derived from this machine's register secret.
    #[arg(long)]
    public_key: Option<String>,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    #[command(flatten)]
    report: ReportOptions,
}

/// Where to report a check, for `charter optout filter`.
#[derive(clap::Args, Debug)]
struct ReportOptions {
    /// After a successful run, report the check to the register at this address (like
    /// https://register.example), so that it counts in the public figures. Only the manifest is
    /// sent: counts, scopes, the snapshot's time and key version; never identifiers or rows.
    #[arg(long, value_name = "URL")]
    report_to: Option<String>,
    /// The organisation's API token (with the optout-check scope) for --report-to. Prefer the
    /// environment variable to the command line, where other users of the machine can see it.
    #[arg(long, env = "CHARTER_TOKEN", hide_env_values = true)]
    token: Option<String>,
}

/// Where to report a check, for `charter optout report`.
#[derive(clap::Args, Debug)]
struct ReportTo {
    /// The register's address, like https://register.example.
    #[arg(long, value_name = "URL")]
    to: String,
    /// The organisation's API token (with the optout-check scope).
    #[arg(long, env = "CHARTER_TOKEN", hide_env_values = true)]
    token: Option<String>,
}

/// The register's secret: from the environment, or a file in the data folder created on first
/// use with owner-only permissions.
pub fn load_keys(config: &Config) -> anyhow::Result<std::sync::Arc<OptOutKeys>> {
    std::fs::create_dir_all(&config.data_dir).with_context(|| {
        format!(
            "cannot create the data folder {}",
            config.data_dir.display()
        )
    })?;
    let path = config.data_dir.join("optout-secret");
    let (master, _) = MasterSecret::from_env_or_file(SECRET_ENV_VAR, &path).with_context(|| {
        format!(
            "the opt-out secret ({SECRET_ENV_VAR} or {})",
            path.display()
        )
    })?;
    Ok(OptOutKeys::new(master))
}

pub async fn run(config: &Config, args: OptOutArgs) -> anyhow::Result<()> {
    match args.command {
        OptOutCommand::Import { file } => import(config, &file).await,
        OptOutCommand::Snapshot {
            organisation,
            out,
            days,
        } => {
            let org: Slug = organisation.parse().context("--organisation")?;
            let store = open_store(config).await?;
            let keys = load_keys(config)?;
            let (bytes, people) = build_snapshot(store.as_ref(), &keys, &org, days).await?;
            let mut file = AtomicFile::create(&out)
                .with_context(|| format!("cannot create {}", out.display()))?;
            std::io::Write::write_all(&mut file, &bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
            file.commit()
                .with_context(|| format!("cannot finish {}", out.display()))?;
            println!(
                "Wrote {org}'s snapshot to {} ({people} people with opt-outs that apply; expires in {days} days).",
                out.display()
            );
            Ok(())
        }
        OptOutCommand::Filter(args) => {
            let public_key = match &args.public_key {
                Some(hex_key) => hex_key
                    .parse::<RegisterPublicKey>()
                    .context("--public-key")?,
                None => {
                    // On the register's own machine: derive it from the secret.
                    let store = open_store(config).await?;
                    let keys = load_keys(config)?;
                    keys.version(current_version(store.as_ref()).await?)
                        .public_key()
                }
            };
            // The filter is CPU-bound and uses its own threads: keep it off the async workers.
            tokio::task::spawn_blocking(move || filter(*args, public_key))
                .await
                .context("the filter stopped")?
        }
        OptOutCommand::Report { manifest, to } => {
            let token = token_for_report(to.token.as_deref())?;
            let endpoint = report_endpoint(&to.to)?;
            let body = std::fs::read(&manifest)
                .with_context(|| format!("cannot read {}", manifest.display()))?;
            let said = tokio::task::spawn_blocking(move || send_report(&endpoint, &token, &body))
                .await
                .context("the report stopped")??;
            println!("{said}");
            Ok(())
        }
        OptOutCommand::PublicKey => {
            let store = open_store(config).await?;
            let keys = load_keys(config)?;
            let version = current_version(store.as_ref()).await?;
            println!(
                "{}",
                hex::encode(keys.version(version).public_key().to_bytes())
            );
            Ok(())
        }
        OptOutCommand::RotateKeys => {
            let store = open_store(config).await?;
            let keys = load_keys(config)?;
            let (version, moved) = rotate(store.as_ref(), &keys, &Actor::command_line()).await?;
            println!(
                "Every opt-out is now under key version {}: {moved} records moved.",
                version.get()
            );
            Ok(())
        }
    }
}

async fn import(config: &Config, file: &Path) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let keys = load_keys(config)?;
    let mut reader = csv::ReaderBuilder::new()
        .from_path(file)
        .with_context(|| format!("cannot read {}", file.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{} has no header row", file.display()))?
        .clone();
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}').trim() == name)
    };
    let (Some(id_col), Some(scope_col)) = (
        find("identifier").or_else(|| find("nhs_number")),
        find("scope"),
    ) else {
        bail!(
            "{} must have the header nhs_number,scope (or identifier,kind,scope); it has: {}",
            file.display(),
            headers.iter().collect::<Vec<_>>().join(",")
        );
    };
    let kind_col = find("kind");
    let rows = reader.records().enumerate().map(|(i, row)| {
        let line = i + 2;
        let row =
            row.map_err(|e| Problem::new(format!("line {line}"), format!("line {line}: {e}")))?;
        Ok(ImportRow {
            line,
            identifier: row.get(id_col).unwrap_or("").to_owned(),
            kind: kind_col.and_then(|c| row.get(c)).map(str::to_owned),
            scope: row.get(scope_col).unwrap_or("").to_owned(),
        })
    });
    let done = match charter_app::optout::import(
        store.as_ref(),
        &keys,
        rows,
        &Actor::command_line(),
    )
    .await
    {
        Ok(done) => done,
        Err(AppError::Invalid(problems)) => bail!(
            "nothing was loaded: {} {} wrong:\n  {}{}",
            problems.len(),
            if problems.len() == 1 {
                "row is"
            } else {
                "rows are"
            },
            problems
                .iter()
                .take(50)
                .map(|p| p.message.as_str())
                .collect::<Vec<_>>()
                .join("\n  "),
            if problems.len() > 50 { "\n  …" } else { "" }
        ),
        Err(e) => return Err(e.into()),
    };
    println!(
        "Loaded {} opt-outs for {} people from {}.",
        done.opt_outs,
        done.people,
        file.display()
    );
    Ok(())
}

/// The token for a report: given, or an error that says how to give it.
fn token_for_report(token: Option<&str>) -> anyhow::Result<String> {
    match token.map(str::trim) {
        Some(t) if !t.is_empty() => Ok(t.to_owned()),
        _ => bail!(
            "reporting a check needs the organisation's API token (with the optout-check scope): set CHARTER_TOKEN, or give --token"
        ),
    }
}

/// The report endpoint at the register's address.
fn report_endpoint(register: &str) -> anyhow::Result<String> {
    let base = register.trim().trim_end_matches('/');
    if !(base.starts_with("https://") || base.starts_with("http://")) || base.len() < 10 {
        bail!("“{register}” is not a register's address: give it like https://register.example");
    }
    const PATH: &str = "/api/v1/optout/checks";
    Ok(if base.ends_with(PATH) {
        base.to_owned()
    } else {
        format!("{base}{PATH}")
    })
}

/// Sends a manifest to the register's report endpoint; returns what the register said.
fn send_report(endpoint: &str, token: &str, manifest: &[u8]) -> anyhow::Result<String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(60)))
        .build()
        .into();
    let mut response = agent
        .post(endpoint)
        .header("Authorization", &format!("Bearer {token}"))
        .content_type("application/json")
        .send(manifest)
        .with_context(|| format!("cannot reach {endpoint}"))?;
    let status = response.status();
    let body = response
        .body_mut()
        .with_config()
        .limit(64 * 1024)
        .read_to_string()
        .unwrap_or_default();
    let json: Option<serde_json::Value> = serde_json::from_str(&body).ok();
    if status.is_success() {
        return Ok(json
            .as_ref()
            .and_then(|j| j["message"].as_str())
            .unwrap_or("The register recorded the check.")
            .to_owned());
    }
    // A problem document: its detail, then each field that is wrong.
    let mut said = json
        .as_ref()
        .and_then(|j| j["detail"].as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| body.chars().take(300).collect());
    if let Some(errors) = json.as_ref().and_then(|j| j["errors"].as_array()) {
        for e in errors {
            if let Some(m) = e["message"].as_str() {
                said.push_str("\n  ");
                said.push_str(m);
            }
        }
    }
    bail!(
        "the register refused the report ({}): {said}",
        status.as_u16()
    )
}

fn filter(args: FilterArgs, public_key: RegisterPublicKey) -> anyhow::Result<()> {
    // Checked first, so that a run that is to be reported does not go unreported for a typo.
    let report = match &args.report.report_to {
        Some(register) => Some((
            report_endpoint(register)?,
            token_for_report(args.report.token.as_deref())?,
        )),
        None => None,
    };
    let bytes = std::fs::read(&args.snapshot)
        .with_context(|| format!("cannot read {}", args.snapshot.display()))?;
    let scopes: Vec<Scope> = args
        .scopes
        .iter()
        .map(|s| s.parse::<Scope>())
        .collect::<Result<_, _>>()?;
    let organisation: Slug = args.organisation.parse().context("--organisation")?;
    let snapshot = Snapshot::open(
        &bytes,
        &public_key,
        &organisation,
        time::OffsetDateTime::now_utc(),
    )
    .with_context(|| format!("the snapshot {}", args.snapshot.display()))?;
    let input = std::fs::File::open(&args.input)
        .with_context(|| format!("cannot read {}", args.input.display()))?;
    let size = input.metadata().map(|m| m.len()).unwrap_or(0);
    let invalid_path = args
        .invalid
        .clone()
        .unwrap_or_else(|| args.out.with_extension("invalid.csv"));
    let manifest_path = args
        .manifest
        .clone()
        .unwrap_or_else(|| args.out.with_extension("manifest.json"));
    let mut kept = AtomicFile::create(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let mut invalid = AtomicFile::create(&invalid_path)
        .with_context(|| format!("cannot create {}", invalid_path.display()))?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(size);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let kind = snapshot
        .kind(&args.kind)
        .with_context(|| format!("--kind {}", args.kind))?;
    let options = FilterOptions {
        threads: args.threads,
        kind,
        ..FilterOptions::default()
    };
    let manifest = charter_optout::filter_with_options(
        &snapshot,
        &scopes,
        &args.column,
        BufReader::with_capacity(1 << 20, input),
        &mut kept,
        &mut invalid,
        &options,
        |p| {
            if let Some(bar) = &bar {
                bar.set_position(p.bytes_read);
            }
        },
    )?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    // Only a complete run produces files; a failure above leaves none.
    kept.commit()
        .with_context(|| format!("cannot finish {}", args.out.display()))?;
    invalid
        .commit()
        .with_context(|| format!("cannot finish {}", invalid_path.display()))?;
    let json = serde_json::to_string_pretty(&manifest)?;
    let mut m = AtomicFile::create(&manifest_path)
        .with_context(|| format!("cannot create {}", manifest_path.display()))?;
    std::io::Write::write_all(&mut m, json.as_bytes())?;
    m.commit()?;
    eprintln!(
        "{} rows in: {} kept, {} removed, {} could not be checked (see {}). Manifest: {}",
        manifest.rows_in,
        manifest.rows_kept,
        manifest.rows_removed,
        manifest.rows_invalid,
        invalid_path.display(),
        manifest_path.display()
    );
    if let Some((endpoint, token)) = report {
        match send_report(&endpoint, &token, json.as_bytes()) {
            Ok(said) => eprintln!("Reported to the register: {said}"),
            Err(e) => bail!(
                "the dataset was filtered and the files are complete, but the check could not be reported: {e:#}\nReport it later with: charter optout report {} --to {}",
                manifest_path.display(),
                args.report.report_to.as_deref().unwrap_or_default()
            ),
        }
    }
    Ok(())
}
