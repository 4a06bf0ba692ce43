//! A resident records an opt-out, or changes one, with no account: a receipt code and a private
//! link are all they need. No audit entry: the resident has no account, and an entry with their
//! address beside the time of their choice would be a record of who opted out.

use charter_core::{Email, ProjectId, Slug};
use charter_optout::{NhsNumber, Scope};
use charter_store::Store;
use charter_store::optout::OptOutEntry;

use super::{OptOutKeys, current_version, event, known_kinds, new_record};
use crate::clock;
use crate::error::{AppError, AppResult, Problem};
use crate::secrets::{random_hex, token_hash};

/// Who the choice is for: the resident, or someone they act for, with the legal basis.
pub const FOR_WHOM: &[(&str, &str)] = &[
    ("me", "Myself"),
    (
        "parental-responsibility",
        "A child I have parental responsibility for",
    ),
    (
        "lasting-power-of-attorney",
        "Someone I have lasting power of attorney for",
    ),
    ("deputy", "Someone I am a court-appointed deputy for"),
];

/// The field a local kind's identifier is given in (the NHS number's is `nhs_number`).
pub fn identifier_field(kind: &str) -> String {
    format!("identifier-{kind}")
}

/// What a resident asked for, as typed. Problems name these fields.
#[derive(Debug, Clone, Default)]
pub struct OptOutRequest {
    /// The general scopes ticked (`scope`).
    pub scopes: Vec<String>,
    /// An organisation's short name, or empty.
    pub organisation: String,
    /// A project id, or empty.
    pub project: String,
    /// `me` or the legal basis for acting for someone else (`for`).
    pub for_whom: String,
    /// Where to send the receipt, or empty; never stored.
    pub email: String,
    /// The identifier boxes, by field (`nhs_number`, `identifier-KIND`), trimmed.
    pub identifiers: Vec<(String, String)>,
}

impl OptOutRequest {
    fn identifier(&self, field: &str) -> &str {
        self.identifiers
            .iter()
            .find(|(k, _)| k == field)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// A recorded opt-out: what to tell the resident, once.
#[derive(Debug)]
pub struct Recorded {
    pub receipt: String,
    /// The private link's secret; only its hash is stored.
    pub token: String,
    pub scopes: Vec<Scope>,
    /// Where the resident asked for the receipt to go: used for that message only.
    pub email: Option<Email>,
}

/// Reads the chosen scopes: general ones, an organisation and a project.
async fn scopes(store: &dyn Store, r: &OptOutRequest, problems: &mut Vec<Problem>) -> Vec<Scope> {
    let mut scopes: Vec<Scope> = r
        .scopes
        .iter()
        .filter_map(|s| s.parse::<Scope>().ok())
        .filter(|s| Scope::GENERAL.contains(s))
        .collect();
    if !r.organisation.is_empty() {
        match r.organisation.parse::<Slug>() {
            Ok(slug) if matches!(store.organisation(&slug).await, Ok(Some(_))) => {
                scopes.push(Scope::Organisation(slug))
            }
            _ => problems.push(Problem::new(
                "organisation",
                "Choose an organisation from the list",
            )),
        }
    }
    if !r.project.trim().is_empty() {
        match r.project.trim().to_uppercase().parse::<ProjectId>() {
            Ok(id) if matches!(store.project(id).await, Ok(Some(_))) => {
                scopes.push(Scope::Project(id))
            }
            Ok(_) => problems.push(Problem::new(
                "project",
                "There is no project with that id on the register",
            )),
            Err(_) => problems.push(Problem::new(
                "project",
                "Enter a project id like LCR-0042, or leave it blank",
            )),
        }
    }
    scopes
}

/// What to tell a resident whose identifier of a local kind does not fit its rules: plain words
/// from the kind's own rules, never repeating what they typed.
fn identifier_problem(
    spec: &charter_store::optout::IdentifierKindSpec,
    e: charter_optout::IdentifierError,
) -> String {
    use charter_optout::IdentifierError;
    let label = &spec.label;
    let allowed = if spec.charset == "digits" {
        "digits"
    } else {
        "letters and digits"
    };
    let length = if spec.min_len == spec.max_len {
        format!("{} characters long", spec.min_len)
    } else {
        format!("{} to {} characters long", spec.min_len, spec.max_len)
    };
    match e {
        IdentifierError::Empty => format!("Enter the {label} of the person opting out"),
        IdentifierError::BadCharacter { .. } => {
            format!("The {label} can only contain {allowed} (spaces and hyphens are fine)")
        }
        IdentifierError::WrongLength { .. } | IdentifierError::TooLong => {
            format!("The {label} must be {length}, not counting spaces and hyphens")
        }
        _ => format!("Enter a valid {label}"),
    }
}

/// Records a resident's opt-out. Every problem with the request is reported at once, each
/// naming its field; nothing is stored unless there are none. The identifier is sealed and
/// tagged here and goes no further.
pub async fn record(
    store: &dyn Store,
    keys: &OptOutKeys,
    request: &OptOutRequest,
) -> AppResult<Recorded> {
    let known = known_kinds(store).await?;
    let mut problems = Vec::new();
    let scopes = scopes(store, request, &mut problems).await;
    if scopes.is_empty() && problems.is_empty() {
        problems.push(Problem::new(
            "scope",
            "Choose at least one thing to opt out of",
        ));
    }
    // The identifier given: the one box filled in, the NHS number's or that of a kind offered now.
    let mut given = Vec::new();
    let nhs = request.identifier("nhs_number");
    if !nhs.is_empty() {
        given.push(("nhs_number".to_owned(), NhsNumber::NAME.to_owned(), nhs));
    }
    for r in known.offered() {
        let field = identifier_field(&r.spec.name);
        let value = request.identifier(&field);
        if !value.is_empty() {
            given.push((field, r.spec.name.clone(), value));
        }
    }
    let mut chosen = None;
    match given.as_slice() {
        [] if known.offered().next().is_none() => {
            problems.push(Problem::new("nhs_number", "Enter an NHS number"));
        }
        [] => problems.push(Problem::new(
            "nhs_number",
            "Enter an NHS number, or one of the other identifiers",
        )),
        [(field, name, value)] => {
            let kind = known.kinds.get(name).cloned().ok_or_else(|| {
                AppError::Internal(format!("identifier kind {name} vanished"))
            })?;
            match kind.normalise_str(value) {
                Ok(_) => chosen = Some((kind, *value)),
                Err(e) if name == NhsNumber::NAME => problems.push(Problem::new(
                    field,
                    format!("Enter a valid NHS number: {e}"),
                )),
                Err(e) => match known.record(name) {
                    Some(record) => {
                        problems.push(Problem::new(field, identifier_problem(&record.spec, e)))
                    }
                    None => {
                        return Err(AppError::Internal(format!(
                            "identifier kind {name} vanished"
                        )));
                    }
                },
            }
        }
        [_, (field, _, _), ..] => problems.push(Problem::new(
            field,
            "Give one identifier at a time. To be matched by another one too, opt out again with it",
        )),
    }
    let basis = FOR_WHOM
        .iter()
        .find(|(v, _)| *v == request.for_whom)
        .map(|(v, _)| *v);
    if basis.is_none() {
        problems.push(Problem::new("for", "Say who you are opting out"));
    }
    let email = if request.email.is_empty() {
        None
    } else {
        match request.email.parse::<Email>() {
            Ok(e) => Some(e),
            Err(_) => {
                problems.push(Problem::new(
                    "email",
                    "Enter an email address like name@example.com, or leave it blank",
                ));
                None
            }
        }
    };
    let (kind, identifier) = match chosen {
        Some(chosen) if problems.is_empty() => chosen,
        _ => return Err(AppError::Invalid(problems)),
    };
    let now = clock::now();
    let (channel, proxy) = match basis {
        Some("me") | None => ("online", None),
        Some(b) => ("proxy", Some(b.to_owned())),
    };
    let events = scopes
        .iter()
        .map(|s| event(s.to_string(), false, channel, proxy.clone(), &now))
        .collect();
    let token = random_hex(24)?;
    let receipt = format!("OPT-{}", random_hex(5)?.to_uppercase());
    let register_keys = keys.version(current_version(store).await?);
    let record = new_record(
        &register_keys,
        kind.as_ref(),
        identifier,
        events,
        Some(receipt.clone()),
        Some(token_hash(&token)),
        &now,
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    store.optouts_add(&[record]).await?;
    Ok(Recorded {
        receipt,
        token,
        scopes,
        email,
    })
}

/// The opt-out a private link's token opens. Tokens are 48 hex digits; anything else cannot
/// match and is not looked up.
pub async fn find(store: &dyn Store, token: &str) -> AppResult<OptOutEntry> {
    if token.len() != 48 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound("the opt-out".into()));
    }
    store
        .optout_by_token(&token_hash(token))
        .await?
        .ok_or_else(|| AppError::NotFound("the opt-out".into()))
}

/// What a resident does to their choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Withdraw some of the current opt-outs.
    Withdraw,
    /// Opt out of more of the general scopes.
    Add,
}

/// Withdraws current opt-outs or adds general ones, through the private link. Scopes that would
/// change nothing are ignored; when none is left the problem names the `withdraw` or `add`
/// field.
pub async fn change(
    store: &dyn Store,
    entry: &OptOutEntry,
    change: Option<Change>,
    chosen: &[String],
) -> AppResult<()> {
    let now = clock::now();
    let current = entry.current_scopes();
    let events: Vec<_> = match change {
        Some(Change::Withdraw) => chosen
            .iter()
            .filter(|s| current.contains(s))
            .map(|s| event(s.clone(), true, "online", None, &now))
            .collect(),
        Some(Change::Add) => chosen
            .iter()
            .filter_map(|s| s.parse::<Scope>().ok())
            .filter(|s| Scope::GENERAL.contains(s) && !current.contains(&s.to_string()))
            .map(|s| event(s.to_string(), false, "online", None, &now))
            .collect(),
        None => Vec::new(),
    };
    if events.is_empty() {
        return Err(if change == Some(Change::Withdraw) {
            AppError::invalid("withdraw", "Choose at least one opt-out to withdraw")
        } else {
            AppError::invalid("add", "Choose at least one thing to opt out of")
        });
    }
    store.optout_append(entry.id, &events).await?;
    Ok(())
}
