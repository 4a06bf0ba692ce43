//! `charter`: one program for the whole register. `main` only parses the command line and
//! hands over; each command lives in its own module.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod config;
mod demo;
mod export;
mod generate;
mod serve;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CHARTER_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
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
        match cli.command {
            Command::Serve(args) => serve::run(&cli.config, args).await,
            Command::Migrate => {
                let url = cli.config.database_url()?;
                config::open_store(&cli.config).await?;
                println!("The database {url} is up to date.");
                Ok(())
            }
            Command::Export(args) => export::run(&cli.config, args).await,
            Command::Generate(args) => generate::run(&cli.config, args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("charter: {e:#}");
            ExitCode::FAILURE
        }
    }
}
