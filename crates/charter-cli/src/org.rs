//! `charter org …`: the signatory organisations (add, list, edit, retire), and their API
//! tokens. A token is shown once, when made; the register keeps only its hash.

use anyhow::{Context, bail};
use charter_app::Actor;
use charter_app::AppError;
use charter_app::organisations::InReview;
use charter_core::Slug;
use charter_core::organisation::OrganisationInput;
use charter_store::Store;

use crate::config::{Config, open_store};

#[derive(clap::Args, Debug)]
pub struct OrgArgs {
    #[command(subcommand)]
    command: OrgCommand,
}

#[derive(clap::Subcommand, Debug)]
enum OrgCommand {
    /// Add a signatory organisation.
    Add(Details),
    /// List every organisation, retired ones too.
    List,
    /// Change an organisation's details, retire it or make it a signatory again. Only the
    /// details given change; its short name never does.
    Edit {
        /// The organisation's short name.
        #[arg(value_name = "SHORT_NAME")]
        organisation: String,
        #[command(flatten)]
        details: Details,
        /// Retire it today: its entries and their history stay public, marked as from a
        /// former signatory.
        #[arg(long, conflicts_with = "reinstate")]
        retire: bool,
        /// When retiring: what happens to its drafts waiting for review. `keep` leaves them for
        /// the charter body to review; `return` sends them back to their editors.
        #[arg(long, value_name = "keep|return", requires = "retire")]
        drafts: Option<String>,
        /// Make a retired organisation a signatory again.
        #[arg(long)]
        reinstate: bool,
    },
    /// Manage an organisation's API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

/// One line of `charter org token list`.
struct TokenRow {
    id: i64,
    label: String,
    scopes: Vec<String>,
    owner: Option<String>,
    made: String,
    revoked: Option<String>,
}

/// An organisation's details; for `edit`, only those given change.
#[derive(clap::Args, Debug)]
struct Details {
    /// Its full name, as people know it.
    #[arg(long)]
    name: Option<String>,
    /// The short name for web addresses (`add` only): small letters, digits and hyphens. Made
    /// from the name when not given.
    #[arg(long)]
    slug: Option<String>,
    /// What kind of organisation it is, such as council or central-government.
    #[arg(long)]
    kind: Option<String>,
    /// A borough it works in; repeat for several (for `edit`, the list given replaces it).
    #[arg(long = "borough")]
    boroughs: Vec<String>,
    /// The day it signed the charter, like 2026-03-31.
    #[arg(long)]
    signed_on: Option<String>,
    /// The email address residents write to about its entries.
    #[arg(long)]
    contact_email: Option<String>,
    /// Its web address (an empty value removes it).
    #[arg(long)]
    website: Option<String>,
    /// What it does, in a sentence or two.
    #[arg(long)]
    description: Option<String>,
    /// The data protection officer's name.
    #[arg(long)]
    dpo_name: Option<String>,
    /// The data protection officer's email address.
    #[arg(long)]
    dpo_email: Option<String>,
}

impl Details {
    /// `input` with every detail given replacing what it had.
    fn over(self, mut input: OrganisationInput) -> OrganisationInput {
        let set = |field: &mut String, value: Option<String>| {
            if let Some(v) = value {
                *field = v;
            }
        };
        set(&mut input.name, self.name);
        set(&mut input.slug, self.slug);
        set(&mut input.kind, self.kind);
        if !self.boroughs.is_empty() {
            input.boroughs = self.boroughs;
        }
        set(&mut input.signed_on, self.signed_on);
        set(&mut input.contact_email, self.contact_email);
        set(&mut input.website, self.website);
        set(&mut input.description, self.description);
        set(&mut input.dpo_name, self.dpo_name);
        set(&mut input.dpo_email, self.dpo_email);
        input
    }
}

/// The option that gives a field: its name with hyphens, but `--borough` (given once per
/// borough) for the boroughs.
fn option_for(field: &str) -> String {
    match field {
        "boroughs" => "borough".to_owned(),
        other => other.replace('_', "-"),
    }
}

/// A refusal as lines naming the option to fix.
fn explain(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(problems) => {
            let lines: Vec<String> = problems
                .iter()
                .map(|p| format!("  --{}: {}", option_for(&p.field), p.message))
                .collect();
            anyhow::anyhow!("nothing was saved:\n{}", lines.join("\n"))
        }
        other => other.into(),
    }
}

/// The organisation with this short name; an unknown one names the closest.
async fn known(store: &dyn Store, slug: &str) -> anyhow::Result<Slug> {
    let parsed: Option<Slug> = slug.parse().ok();
    if let Some(s) = parsed
        && store.organisation_record(&s).await?.is_some()
    {
        return Ok(s);
    }
    bail!(
        "{}",
        charter_app::organisations::unknown(store, slug).await?
    )
}

async fn organisations(store: &dyn Store, command: OrgCommand) -> anyhow::Result<()> {
    let actor = Actor::command_line();
    match command {
        OrgCommand::Add(details) => {
            let mut input = details.over(OrganisationInput::default());
            if input.slug.is_empty() {
                input.slug = Slug::from_title(&input.name)
                    .map(|s| s.to_string())
                    .unwrap_or_default();
            }
            let org = charter_app::organisations::add(store, &actor, &input)
                .await
                .map_err(explain)?;
            println!(
                "Added {} ({}) as {}. Invite its administrator with `charter user add --role organisation-admin --organisation {}`.",
                org.name, org.id, org.slug, org.slug
            );
        }
        OrgCommand::List => {
            for o in charter_app::organisations::list(store, &actor).await? {
                let org = o.organisation;
                let state = org
                    .retired_on
                    .map_or("signatory".to_owned(), |on| format!("retired {on}"));
                let boroughs: Vec<&str> = org.boroughs.iter().map(|b| b.slug()).collect();
                println!(
                    "{}\t{}\t{}\t{}\tsigned {}\t{state}\t{} entries",
                    org.slug,
                    org.name,
                    org.kind.slug(),
                    boroughs.join(" "),
                    org.signed_on,
                    o.projects
                );
            }
        }
        OrgCommand::Edit {
            organisation,
            details,
            retire,
            drafts,
            reinstate,
        } => {
            let slug = known(store, &organisation).await?;
            let before = charter_app::organisations::find(store, &actor, &slug).await?;
            let input = details.over(OrganisationInput::of(&before));
            let changed = input != OrganisationInput::of(&before);
            let org = if changed {
                let org = charter_app::organisations::change(store, &actor, &slug, &input)
                    .await
                    .map_err(explain)?;
                println!("Changed the details of {} ({slug}).", org.name);
                org
            } else {
                before
            };
            if retire {
                let choice = match drafts.as_deref() {
                    None => None,
                    Some(d) => Some(
                        InReview::from_slug(d)
                            .with_context(|| format!("--drafts “{d}”: choose keep or return"))?,
                    ),
                };
                let returned = charter_app::organisations::retire(store, &actor, &slug, choice)
                    .await
                    .map_err(|e| match e {
                        AppError::Invalid(p) => anyhow::anyhow!(
                            "{}: add --drafts keep or --drafts return",
                            p.iter()
                                .map(|p| p.message.as_str())
                                .collect::<Vec<_>>()
                                .join("; ")
                        ),
                        other => other.into(),
                    })?;
                println!(
                    "Retired {} ({slug}): its entries and their history stay public, marked as from a former signatory.{}",
                    org.name,
                    if returned > 0 {
                        format!(" {returned} drafts in review went back to their editors.")
                    } else {
                        String::new()
                    }
                );
            } else if reinstate {
                charter_app::organisations::reinstate(store, &actor, &slug).await?;
                println!("{} ({slug}) is a signatory again.", org.name);
            } else if !changed {
                bail!(
                    "nothing to change: give a detail to change (see `charter org edit --help`), --retire or --reinstate"
                );
            }
        }
        // `run` handles tokens before calling this.
        OrgCommand::Token { .. } => {}
    }
    Ok(())
}

#[derive(clap::Subcommand, Debug)]
enum TokenCommand {
    /// Make a token and print it (once).
    Create {
        /// The organisation the token is for. Leave it out for a site administrator's token
        /// (`--scope organisations`), which belongs to no organisation.
        #[arg(long)]
        organisation: Option<String>,
        /// The email address of the person the token belongs to: what is done with it is
        /// recorded as theirs. They must be an administrator of the organisation, or a site
        /// administrator.
        #[arg(long)]
        owner: String,
        /// What the token is for, in your words.
        #[arg(long)]
        label: String,
        /// What it may do; repeat for several. Known: optout-check, drafts; and, alone and
        /// without --organisation, organisations (add and change signatories through the API).
        #[arg(long = "scope", default_value = "optout-check")]
        scopes: Vec<String>,
    },
    /// List an organisation's tokens (never the tokens themselves); without --organisation,
    /// the site administrators' tokens.
    List {
        #[arg(long)]
        organisation: Option<String>,
    },
    /// Revoke a token by its id; it never works again.
    Revoke { id: i64 },
}

pub async fn run(config: &Config, args: OrgArgs) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let command = match args.command {
        OrgCommand::Token { command } => command,
        other => return organisations(store.as_ref(), other).await,
    };
    match command {
        TokenCommand::Create {
            organisation,
            owner,
            label,
            scopes,
        } => {
            let site = scopes.iter().any(|s| s == "organisations");
            let org = match (&organisation, site) {
                (Some(o), false) => Some(known(store.as_ref(), o).await?),
                (None, true) if scopes.len() == 1 => None,
                (Some(_), true) | (None, true) => bail!(
                    "--scope organisations is for a site administrator's token: give it alone, without --organisation"
                ),
                (None, false) => bail!(
                    "--organisation is needed for a token with --scope {}",
                    scopes.join(" --scope ")
                ),
            };
            let Some(person) = store.user_by_email(&owner).await? else {
                bail!(
                    "nobody has an account with the email address “{owner}”: add them first with `charter user add`"
                );
            };
            let actor = Actor::command_line();
            let made = match &org {
                Some(org) => {
                    charter_app::tokens::create(
                        store.as_ref(),
                        &actor,
                        &person,
                        org,
                        &label,
                        &scopes,
                    )
                    .await?
                }
                None => {
                    charter_app::tokens::create_site(store.as_ref(), &actor, &person, &label)
                        .await?
                }
            };
            let whose = org.map_or("organisations".to_owned(), |o| o.to_string());
            eprintln!(
                "Token {} for {whose} ({}), belonging to {}. Keep it secret: it is shown only now.",
                made.id,
                made.scopes.join(", "),
                person.email
            );
            println!("{}", made.token);
        }
        TokenCommand::List { organisation } => {
            let rows: Vec<TokenRow> = match organisation {
                Some(o) => {
                    let org = known(store.as_ref(), &o).await?;
                    store
                        .tokens(&org)
                        .await?
                        .into_iter()
                        .map(|t| TokenRow {
                            id: t.id,
                            label: t.label,
                            scopes: t.scopes,
                            owner: t.owner.map(|o| o.email),
                            made: t.created_at.to_string(),
                            revoked: t.revoked_at.map(|at| at.to_string()),
                        })
                        .collect()
                }
                None => store
                    .site_tokens()
                    .await?
                    .into_iter()
                    .map(|t| TokenRow {
                        id: t.id,
                        label: t.label,
                        scopes: t.scopes,
                        owner: Some(t.owner.email),
                        made: t.created_at.to_string(),
                        revoked: t.revoked_at.map(|at| at.to_string()),
                    })
                    .collect(),
            };
            for t in rows {
                let state = t
                    .revoked
                    .map_or("live".to_owned(), |at| format!("revoked {at}"));
                let owner = t.owner.unwrap_or_else(|| "no owner: refused".to_owned());
                println!(
                    "{}\t{}\t{}\t{owner}\tmade {}\t{state}",
                    t.id,
                    t.label,
                    t.scopes.join(" "),
                    t.made
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
