//! `charter user add`: the first way into the register. Prints a one-time link for the person to
//! set their own password; the command never sees a password.

use anyhow::{Context, bail};
use charter_app::Actor;
use charter_app::accounts::{NewPerson, add_user};
use charter_core::Slug;
use charter_core::accounts::{LINK_DAYS, Role};

use crate::config::{Config, open_store};

#[derive(clap::Args, Debug)]
pub struct UserArgs {
    #[command(subcommand)]
    command: UserCommand,
}

#[derive(clap::Subcommand, Debug)]
enum UserCommand {
    /// Add a person and print a one-time link to set their password (valid 7 days).
    Add {
        /// Their email address: they sign in with it, and the register writes to it.
        #[arg(long)]
        email: String,
        /// site-admin, moderator, organisation-admin or organisation-editor.
        #[arg(long)]
        role: String,
        /// The organisation, for organisation roles (its short name, as `charter org list` shows).
        #[arg(long)]
        organisation: Option<String>,
        #[arg(long)]
        name: Option<String>,
        /// The register's public address, for the link, such as https://register.example
        /// (`--base-url` is the same). Default: CHARTER_BASE_URL, else the address the server
        /// listens on (--addr).
        #[arg(long, visible_alias = "base-url", env = "CHARTER_PUBLIC_URL")]
        public_url: Option<String>,
        /// The address `charter serve` listens on, for the link when no public address is set.
        #[arg(long, env = "CHARTER_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
    },
}

/// The register's address links start with: the public address given (checked to be a web
/// address), else the listening address, as `charter serve` puts in email.
fn public_url(given: Option<String>, addr: &str) -> anyhow::Result<String> {
    // The name this setting had before it matched `charter serve`'s.
    let given = given.or_else(|| std::env::var("CHARTER_BASE_URL").ok());
    let url = match given {
        Some(url) => {
            let url = url.trim().trim_end_matches('/').to_owned();
            let rest = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"));
            match rest {
                Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => url,
                _ => bail!(
                    "--public-url: “{url}” is not a web address: write it like https://register.example"
                ),
            }
        }
        None => format!("http://{}", addr.trim()),
    };
    Ok(url)
}

pub async fn run(config: &Config, args: UserArgs) -> anyhow::Result<()> {
    let UserCommand::Add {
        email,
        role,
        organisation,
        name,
        public_url: given,
        addr,
    } = args.command;
    let base_url = public_url(given, &addr)?;
    let email: charter_core::Email = email.parse().context("--email")?;
    let role: Role = role.parse().map_err(anyhow::Error::msg).context("--role")?;
    let organisation: Option<Slug> = organisation
        .as_deref()
        .map(str::parse)
        .transpose()
        .context("--organisation")?;
    // Said in the command's own words; `add_user` checks the same rule for every caller.
    match (role.needs_organisation(), &organisation) {
        (true, None) => bail!(
            "a {} belongs to an organisation: add --organisation SLUG",
            role.label().to_lowercase()
        ),
        (false, Some(_)) => bail!(
            "a {} does not belong to an organisation: leave out --organisation",
            role.label().to_lowercase()
        ),
        _ => {}
    }
    let store = open_store(config).await?;
    let person = NewPerson {
        email: email.as_str(),
        name: name.as_deref().unwrap_or(""),
        role,
        organisation: organisation.as_ref(),
    };
    let added = add_user(store.as_ref(), &Actor::command_line(), &person).await?;
    eprintln!(
        "Added {} as {}. Send them this link; it works once, for {LINK_DAYS} days:",
        email,
        role.label().to_lowercase()
    );
    println!("{base_url}{}", added.path());
    Ok(())
}
