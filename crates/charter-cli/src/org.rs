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
        /// The email address of the person the token belongs to: what is done with it is
        /// recorded as theirs. They must be an administrator of the organisation, or a site
        /// administrator.
        #[arg(long)]
        owner: String,
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
            owner,
            label,
            scopes,
        } => {
            let org: Slug = organisation.parse().context("--organisation")?;
            if store.organisation_record(&org).await?.is_none() {
                bail!("no organisation on the register has the short name “{org}”");
            }
            let Some(person) = store.user_by_email(&owner).await? else {
                bail!(
                    "nobody has an account with the email address “{owner}”: add them first with `charter user add`"
                );
            };
            let principal = charter_core::accounts::Principal {
                user_id: person.id,
                role: person.role,
                organisation: person.organisation.clone(),
            };
            if !charter_core::accounts::allowed(
                &principal,
                charter_core::accounts::Action::ManageTokens(&org),
            ) {
                bail!(
                    "{owner} may not make tokens for {org}: a token's owner must be an administrator of the organisation or a site administrator"
                );
            }
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
                charter_app::secrets::random_hex(24).context("no randomness available")?
            );
            let now = charter_app::clock::now();
            let id = store
                .token_create(&charter_store::NewToken {
                    organisation: &org,
                    owner_id: person.id,
                    token_hash: &charter_app::secrets::token_hash(&token),
                    label: label.trim(),
                    scopes: &scopes.join(" "),
                    at: &now,
                })
                .await?;
            store
                .audit_append(&charter_store::accounts::AuditEntry {
                    at: now.into(),
                    actor: format!("command line, for {}", person.email),
                    action: "token-create".into(),
                    subject: format!("token {id} for {org}"),
                    from_address: "command line".into(),
                })
                .await?;
            eprintln!(
                "Token {id} for {org} ({}), belonging to {}. Keep it secret: it is shown only now.",
                scopes.join(", "),
                person.email
            );
            println!("{token}");
        }
        TokenCommand::List { organisation } => {
            let org: Slug = organisation.parse().context("--organisation")?;
            for t in store.tokens(&org).await? {
                let state = t
                    .revoked_at
                    .map_or("live".to_owned(), |at| format!("revoked {at}"));
                let owner = t.owner.map_or("no owner: refused".to_owned(), |o| o.email);
                println!(
                    "{}\t{}\t{}\t{owner}\tmade {}\t{state}",
                    t.id,
                    t.label,
                    t.scopes.join(" "),
                    t.created_at
                );
            }
        }
        TokenCommand::Revoke { id } => {
            if !store.token_revoke(id, &charter_app::clock::now()).await? {
                bail!("there is no live token with id {id}");
            }
            println!("Token {id} is revoked.");
        }
    }
    Ok(())
}
