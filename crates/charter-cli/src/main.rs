//! `charter`: one program for the whole register. `main` only parses the command line and
//! hands over; each command lives in its own module.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod check;
mod config;
mod copy;
mod demo;
mod export;
mod generate;
mod generate_challenges;
mod import;
mod optout;
mod org;
mod serve;
mod text;
mod user;
mod verify;

#[derive(Parser)]
#[command(
    name = "charter",
    version,
    about = "The public register of data and AI projects, and the tools around it."
)]
struct Cli {
    #[command(flatten)]
    config: config::Config,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the register's website and API.
    Serve(serve::ServeArgs),
    /// Create or update the database's tables, then stop.
    Migrate,
    /// Write the whole register as CSV or JSON.
    Export(export::ExportArgs),
    /// Fill the database with a large made-up register, for benchmarks.
    Generate(generate::GenerateArgs),
    /// Check entries against the charter; exits with status 1 when any fails a blocking check.
    Check(check::CheckArgs),
    /// Import an organisation's list of projects from CSV as drafts (all or none).
    Import(import::ImportArgs),
    /// Add people who run the register or publish for an organisation.
    User(user::UserArgs),
    /// Signatory organisations (add, list, edit, retire) and their API tokens.
    Org(org::OrgArgs),
    /// Residents' opt-outs: load lists, issue snapshots, filter datasets, rotate keys.
    Optout(optout::OptOutArgs),
    /// Check a text for plain English: reading age, scores and advice.
    Text(text::TextArgs),
    /// Recompute the register's hash chain and check that what lists and search show matches it;
    /// names every difference and exits with status 1 if there is any.
    Verify,
    /// Copy a whole register from one database to another (SQLite or PostgreSQL).
    Copy(copy::CopyArgs),
    /// Make a consistent copy of a SQLite database while it is in use.
    Backup(copy::BackupArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CHARTER_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        // Colour only on a terminal, and not when NO_COLOR is set: log files and journals get
        // plain text.
        .with_ansi(
            std::io::IsTerminal::is_terminal(&std::io::stderr())
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("charter: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        let done = |r: anyhow::Result<()>| r.map(|()| ExitCode::SUCCESS);
        match cli.command {
            Command::Serve(args) => done(serve::run(&cli.config, args).await),
            Command::Migrate => {
                let url = cli.config.database_url()?;
                config::open_store(&cli.config).await?;
                println!("The database {url} is up to date.");
                Ok(ExitCode::SUCCESS)
            }
            Command::Export(args) => done(export::run(&cli.config, args).await),
            Command::Generate(args) => done(generate::run(&cli.config, args).await),
            // For pipelines: 1 means an entry fails a blocking check, 2 that the check could not run.
            Command::Check(args) => match check::run(&cli.config, args).await {
                Ok(found) if found.blocking > 0 => Ok(ExitCode::from(1)),
                Ok(_) => Ok(ExitCode::SUCCESS),
                Err(e) => {
                    eprintln!("charter: {e:#}");
                    Ok(ExitCode::from(2))
                }
            },
            Command::Import(args) => match import::run(&cli.config, args).await {
                Ok(0) => Ok(ExitCode::SUCCESS),
                Ok(_) => Ok(ExitCode::from(1)),
                Err(e) => {
                    eprintln!("charter: {e:#}");
                    Ok(ExitCode::from(2))
                }
            },
            Command::Verify => done(verify::run(&cli.config).await),
            // For pipelines: 1 means above --max-reading-age, 2 that the text could not be read.
            Command::Text(args) => match text::run(args) {
                Ok(true) => Ok(ExitCode::SUCCESS),
                Ok(false) => Ok(ExitCode::from(1)),
                Err(e) => {
                    eprintln!("charter: {e:#}");
                    Ok(ExitCode::from(2))
                }
            },
            Command::Optout(args) => done(optout::run(&cli.config, args).await),
            Command::Org(args) => done(org::run(&cli.config, args).await),
            Command::User(args) => done(user::run(&cli.config, args).await),
            Command::Copy(args) => done(copy::copy(args).await),
            Command::Backup(args) => done(copy::backup(&cli.config, args).await),
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("charter: {e:#}");
            ExitCode::FAILURE
        }
    }
}
