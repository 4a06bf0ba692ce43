//! `charter org token …`: an organisation's API tokens. A token is shown once, when made; the
//! register keeps only its hash.

use anyhow::{Context, bail};
use charter_app::Actor;
use charter_app::AppError;
use charter_core::Slug;

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
            let actor = Actor::command_line();
            let made =
                charter_app::tokens::create(store.as_ref(), &actor, &person, &org, &label, &scopes)
                    .await?;
            eprintln!(
                "Token {} for {org} ({}), belonging to {}. Keep it secret: it is shown only now.",
                made.id,
                made.scopes.join(", "),
                person.email
            );
            println!("{}", made.token);
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
            match charter_app::tokens::revoke(store.as_ref(), &Actor::command_line(), id, None)
                .await
            {
                Ok(_) => println!("Token {id} is revoked."),
                Err(AppError::NotFound(_)) => bail!("there is no live token with id {id}"),
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(())
}
