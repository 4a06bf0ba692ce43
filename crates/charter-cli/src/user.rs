//! `charter user add`: the first way into the register. Prints a one-time link for the person to
//! set their own password; the command never sees a password.

use anyhow::{Context, bail};
use charter_app::secrets::{random_hex, token_hash};
use charter_core::Slug;
use charter_core::accounts::Role;
use charter_store::accounts::AuditEntry;

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
        #[arg(long)]
        email: String,
        /// site-admin, moderator, organisation-admin or organisation-editor.
        #[arg(long)]
        role: String,
        /// The organisation, for organisation roles (its slug).
        #[arg(long)]
        organisation: Option<String>,
        #[arg(long)]
        name: Option<String>,
        /// The register's address, for the link.
        #[arg(
            long,
            env = "CHARTER_BASE_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        base_url: String,
    },
}

pub async fn run(config: &Config, args: UserArgs) -> anyhow::Result<()> {
    let UserCommand::Add {
        email,
        role,
        organisation,
        name,
        base_url,
    } = args.command;
    let email: charter_core::Email = email.parse().context("--email")?;
    let role: Role = role.parse().map_err(anyhow::Error::msg).context("--role")?;
    let organisation: Option<Slug> = organisation
        .as_deref()
        .map(str::parse)
        .transpose()
        .context("--organisation")?;
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
    let now = charter_app::clock::now();
    let id = store
        .user_add(
            email.as_str(),
            name.as_deref(),
            role,
            organisation.as_ref(),
            &now,
        )
        .await?;
    let token = random_hex(24).context("no randomness available")?;
    let expires = charter_app::clock::from_now(charter_web::account::LINK_DAYS * 24 * 3600);
    store
        .link_create(&token_hash(&token), id, "password", &now, &expires)
        .await?;
    store
        .audit_append(&AuditEntry {
            at: now.into(),
            actor: "command line".into(),
            action: "user-add".into(),
            subject: format!("{} as {}", email.as_str().to_lowercase(), role.slug()),
            from_address: "local".into(),
        })
        .await?;
    eprintln!(
        "Added {} as {}. Send them this link; it works once, for 7 days:",
        email,
        role.label().to_lowercase()
    );
    println!(
        "{}/account/set-password/{token}",
        base_url.trim_end_matches('/')
    );
    Ok(())
}
