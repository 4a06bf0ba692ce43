//! `charter org token …`: an organisation's API tokens. A token is shown once, when made; the
//! register keeps only its hash.

use anyhow::{Context, bail};
use charter_core::Slug;
use charter_core::accounts::TOKEN_SCOPES;

use crate::config::{Config, open_store};

#[derive(clap::Args, Debug)]
pub struct OrgArgs {
    #[command(subcommand)]
    command: OrgCommand,
}

#[derive(clap::Subcommand, Debug)]
enum OrgCommand {
    /// Manage an organisation's API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(clap::Subcommand, Debug)]
enum TokenCommand {
    /// Make a token and print it (once).
    Create {
        #[arg(long)]
        organisation: String,
        /// What the token is for, in your words.
        #[arg(long)]
        label: String,
        /// What it may do; repeat for several. Known: optout-check, drafts.
        #[arg(long = "scope", default_value = "optout-check")]
        scopes: Vec<String>,
    },
    /// List an organisation's tokens (never the tokens themselves).
    List {
        #[arg(long)]
        organisation: String,
    },
    /// Revoke a token by its id; it never works again.
    Revoke { id: i64 },
}

pub async fn run(config: &Config, args: OrgArgs) -> anyhow::Result<()> {
    let OrgCommand::Token { command } = args.command;
    let store = open_store(config).await?;
    match command {
        TokenCommand::Create {
            organisation,
            label,
            scopes,
        } => {
            let org: Slug = organisation.parse().context("--organisation")?;
            let known = |s: &str| TOKEN_SCOPES.iter().any(|(k, _)| *k == s);
            if let Some(bad) = scopes.iter().find(|s| !known(s)) {
                let names: Vec<&str> = TOKEN_SCOPES.iter().map(|(k, _)| *k).collect();
                bail!("“{bad}” is not a token scope: use {}", names.join(", "));
            }
            if label.trim().is_empty() {
                bail!("give the token a --label saying what it is for");
            }
            let token = format!(
                "chr_{}",
                charter_web::optout::random_hex(24).context("no randomness available")?
            );
            let id = store
                .token_create(
                    &org,
                    &charter_web::optout::token_hash(&token),
                    label.trim(),
                    &scopes.join(" "),
                    &charter_web::now(),
                )
                .await?;
            eprintln!(
                "Token {id} for {org} ({}). Keep it secret: it is shown only now.",
                scopes.join(", ")
            );
            println!("{token}");
        }
        TokenCommand::List { organisation } => {
            let org: Slug = organisation.parse().context("--organisation")?;
            for t in store.tokens(&org).await? {
                let state = t
                    .revoked_at
                    .map_or("live".to_owned(), |at| format!("revoked {at}"));
                println!(
                    "{}\t{}\t{}\tmade {}\t{state}",
                    t.id,
                    t.label,
                    t.scopes.join(" "),
                    t.created_at
                );
            }
        }
        TokenCommand::Revoke { id } => {
            if !store.token_revoke(id, &charter_web::now()).await? {
                bail!("there is no live token with id {id}");
            }
            println!("Token {id} is revoked.");
        }
    }
    Ok(())
}
