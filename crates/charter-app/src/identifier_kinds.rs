//! The identifier kinds residents can opt out with besides the NHS number, such as a council's
//! tenancy reference. A kind's machine name is its tag prefix, so it never changes; its words
//! and rules may change only while no opt-out uses it; it is never deleted, only retired (no
//! longer offered to residents, while its opt-outs still apply). Only site administrators set
//! them up.

use std::sync::Arc;

use charter_core::accounts::Action;
use charter_optout::{Charset, IdentifierKind, IdentifierKinds, KindError, LocalReference};
use charter_store::optout::{IdentifierKindRecord, IdentifierKindSpec, KindChange};
use charter_store::{Store, StoreError};

use crate::Actor;
use crate::audit::record_for;
use crate::{AppError, AppResult, Problem, clock};

/// The longest label and hint, in characters.
const MAX_LABEL: usize = 100;
const MAX_HINT: usize = 200;

/// The identifier kind a stored record describes, with the crate's checks on its rules.
pub fn local_reference(spec: &IdentifierKindSpec) -> Result<LocalReference, KindError> {
    let charset = Charset::from_name(&spec.charset)
        .ok_or_else(|| KindError::BadCharset(spec.name.clone()))?;
    LocalReference::new(
        &spec.name,
        &spec.label,
        &spec.tag_prefix,
        charset,
        spec.min_len as usize,
        spec.max_len as usize,
    )
}

/// Every identifier kind the register knows: the NHS number, and each kind the site
/// administrator set up, retired ones too (their opt-outs still apply).
pub struct KnownKinds {
    /// The NHS number first, then the local kinds: to normalise and tag with.
    pub kinds: IdentifierKinds,
    /// The local kinds as stored, in the same order.
    pub records: Vec<IdentifierKindRecord>,
    pub local: Vec<LocalReference>,
}

impl KnownKinds {
    /// The kinds residents may choose now: the NHS number and every local kind not retired.
    pub fn offered(&self) -> impl Iterator<Item = &IdentifierKindRecord> {
        self.records.iter().filter(|r| r.retired_at.is_none())
    }

    /// The stored record of a local kind.
    pub fn record(&self, name: &str) -> Option<&IdentifierKindRecord> {
        self.records.iter().find(|r| r.spec.name == name)
    }

    /// The short names of every kind, for messages that list them.
    pub(crate) fn names(&self) -> String {
        self.kinds
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Reads every identifier kind from the store.
pub async fn known_kinds(store: &dyn Store) -> Result<KnownKinds, StoreError> {
    let records = store.identifier_kinds().await?;
    let mut kinds = IdentifierKinds::default();
    let mut local = Vec::with_capacity(records.len());
    for r in &records {
        let kind = local_reference(&r.spec)
            .map_err(|e| StoreError::Data(format!("identifier kind {}: {e}", r.spec.name)))?;
        kinds
            .add(Arc::new(kind.clone()))
            .map_err(|e| StoreError::Data(format!("identifier kind {}: {e}", r.spec.name)))?;
        local.push(kind);
    }
    Ok(KnownKinds {
        kinds,
        records,
        local,
    })
}

/// A kind as typed into a form: checked by [`add`] and [`change`].
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct KindInput {
    pub label: String,
    /// The machine name; only read when adding (it never changes).
    pub name: String,
    pub hint: String,
    /// `digits` or `alphanumeric`.
    pub charset: String,
    pub min_len: String,
    pub max_len: String,
}

impl KindInput {
    /// A stored kind, to show in its form.
    pub fn of(spec: &IdentifierKindSpec) -> KindInput {
        KindInput {
            label: spec.label.clone(),
            name: spec.name.clone(),
            hint: spec.hint.clone(),
            charset: spec.charset.clone(),
            min_len: spec.min_len.to_string(),
            max_len: spec.max_len.to_string(),
        }
    }

    /// Each field without surrounding spaces.
    pub fn trimmed(&self) -> KindInput {
        KindInput {
            label: self.label.trim().to_owned(),
            name: self.name.trim().to_owned(),
            hint: self.hint.trim().to_owned(),
            charset: self.charset.trim().to_owned(),
            min_len: self.min_len.trim().to_owned(),
            max_len: self.max_len.trim().to_owned(),
        }
    }
}

/// A machine name: lower-case letters, digits and hyphens, starting with a letter, not ending
/// with a hyphen, at most 32 characters (it is also the tag prefix).
fn good_name(name: &str) -> bool {
    name.len() <= 32
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn taken(name: &str) -> Problem {
    Problem::new(
        "name",
        format!("There is already an identifier kind with the short name {name}"),
    )
}

/// Checks the input. `fixed` is the kind's machine name when changing one, or `None` when
/// adding (then it comes from the input).
fn check(
    input: &KindInput,
    fixed: Option<&str>,
    known: &KnownKinds,
) -> Result<IdentifierKindSpec, Vec<Problem>> {
    let mut problems = Vec::new();
    if input.label.is_empty() {
        problems.push(Problem::new(
            "label",
            "Enter the name residents will see, like Knowsley Council tenancy reference",
        ));
    } else if input.label.chars().count() > MAX_LABEL {
        problems.push(Problem::new(
            "label",
            format!("Enter a name of {MAX_LABEL} characters or fewer"),
        ));
    }
    let name = match fixed {
        Some(fixed) => fixed.to_owned(),
        None => {
            let name = input.name.clone();
            if name.is_empty() {
                problems.push(Problem::new(
                    "name",
                    "Enter a short name for files, like knowsley-tenancy-ref",
                ));
            } else if !good_name(&name) {
                problems.push(Problem::new(
                    "name",
                    "Use small letters, digits and hyphens for the short name, starting with a letter, in 32 characters or fewer, like knowsley-tenancy-ref",
                ));
            } else if known.kinds.get(&name).is_some() {
                problems.push(taken(&name));
            }
            name
        }
    };
    if input.hint.chars().count() > MAX_HINT {
        problems.push(Problem::new(
            "hint",
            format!("Enter a hint of {MAX_HINT} characters or fewer"),
        ));
    }
    if !["digits", "alphanumeric"].contains(&input.charset.as_str()) {
        problems.push(Problem::new(
            "charset",
            "Choose which characters it can contain",
        ));
    }
    let number = |text: &str| text.parse::<u32>().ok().filter(|n| (1..=64).contains(n));
    let min = number(&input.min_len);
    let max = number(&input.max_len);
    if min.is_none() {
        problems.push(Problem::new(
            "min_len",
            "Enter the fewest characters it can have, as a whole number from 1 to 64",
        ));
    }
    if max.is_none() {
        problems.push(Problem::new(
            "max_len",
            "Enter the most characters it can have, as a whole number from 1 to 64",
        ));
    }
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        problems.push(Problem::new(
            "max_len",
            "The most characters must be at least the fewest",
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let spec = IdentifierKindSpec {
        tag_prefix: name.clone(),
        name,
        label: input.label.clone(),
        hint: input.hint.clone(),
        charset: input.charset.clone(),
        min_len: min.unwrap_or(1),
        max_len: max.unwrap_or(1),
    };
    // The crate's own checks, and that the tag prefix is new (the NHS number's is `nhs`).
    let checked = local_reference(&spec).and_then(|kind| {
        if known.kinds.get(kind.name()).is_some() {
            // Changing a kind: it is already in the set under its own name.
            return Ok(());
        }
        known.kinds.clone().add(Arc::new(kind))
    });
    match checked {
        Ok(()) => Ok(spec),
        Err(KindError::DuplicatePrefix(_) | KindError::DuplicateName(_)) => {
            Err(vec![Problem::new(
                "name",
                format!(
                    "The short name {} is too close to another kind's: choose another",
                    spec.name
                ),
            )])
        }
        Err(e) => Err(vec![Problem::new("name", e.to_string())]),
    }
}

/// Sets up a new kind; returns it as stored.
pub async fn add(
    store: &dyn Store,
    actor: &Actor,
    input: &KindInput,
) -> AppResult<IdentifierKindSpec> {
    actor.require(Action::ManageIdentifierKinds)?;
    let known = known_kinds(store).await?;
    let spec = check(&input.trimmed(), None, &known).map_err(AppError::Invalid)?;
    match store.identifier_kind_add(&spec, &clock::now()).await {
        Ok(()) => {}
        // Another administrator set up the same name a moment ago.
        Err(StoreError::Conflict(_)) => return Err(AppError::Invalid(vec![taken(&spec.name)])),
        Err(e) => return Err(e.into()),
    }
    record_for(store, actor, "identifier-kind-add", &spec.name).await?;
    Ok(spec)
}

/// The stored record of a local kind, for who may manage kinds.
pub async fn find(store: &dyn Store, actor: &Actor, name: &str) -> AppResult<IdentifierKindRecord> {
    actor.require(Action::ManageIdentifierKinds)?;
    store
        .identifier_kinds()
        .await?
        .into_iter()
        .find(|r| r.spec.name == name)
        .ok_or_else(|| AppError::NotFound(format!("The identifier kind {name}")))
}

/// Changes a kind's words and rules (never its name or tag prefix), only while no opt-out uses
/// it; returns it as stored.
pub async fn change(
    store: &dyn Store,
    actor: &Actor,
    name: &str,
    input: &KindInput,
) -> AppResult<IdentifierKindSpec> {
    let record = find(store, actor, name).await?;
    let known = known_kinds(store).await?;
    let mut spec =
        check(&input.trimmed(), Some(&record.spec.name), &known).map_err(AppError::Invalid)?;
    // The tag prefix is the one it was set up with, whatever the input says.
    spec.tag_prefix = record.spec.tag_prefix;
    match store.identifier_kind_change(&spec).await? {
        KindChange::Changed => {}
        KindChange::Missing => {
            return Err(AppError::NotFound(format!("The identifier kind {name}")));
        }
        KindChange::InUse => {
            return Err(AppError::invalid(
                "label",
                "People have opted out with this identifier kind, so it can no longer change. You can retire it and set up a new one.",
            ));
        }
    }
    record_for(store, actor, "identifier-kind-change", &spec.name).await?;
    Ok(spec)
}

/// Retires a kind (`retire`: residents can no longer choose it; its opt-outs still apply) or
/// offers it again.
pub async fn set_retired(
    store: &dyn Store,
    actor: &Actor,
    name: &str,
    retire: bool,
) -> AppResult<()> {
    actor.require(Action::ManageIdentifierKinds)?;
    let at = retire.then(clock::now);
    if !store.identifier_kind_retire(name, at.as_ref()).await? {
        return Err(AppError::NotFound(format!("The identifier kind {name}")));
    }
    let action = if retire {
        "identifier-kind-retire"
    } else {
        "identifier-kind-reinstate"
    };
    record_for(store, actor, action, name).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{KNOWSLEY, acting, audit, person, store};
    use charter_core::accounts::Role;
    use charter_store::prelude::*;

    fn tenancy() -> KindInput {
        KindInput {
            label: " Knowsley Council tenancy reference ".into(),
            name: "knowsley-tenancy-ref".into(),
            hint: String::new(),
            charset: "alphanumeric".into(),
            min_len: "6".into(),
            max_len: "10".into(),
        }
    }

    fn fields(r: AppResult<IdentifierKindSpec>) -> Vec<String> {
        match r {
            Err(AppError::Invalid(p)) => p.into_iter().map(|p| p.field).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn machine_names() {
        for good in ["knowsley-tenancy-ref", "a", "council2", "a-b-c"] {
            assert!(good_name(good), "{good}");
        }
        for bad in [
            "",
            "Knowsley",
            "-ref",
            "ref-",
            "2ref",
            "tenancy ref",
            "tenancy_ref",
            &"a".repeat(33),
        ] {
            assert!(!good_name(bad), "{bad}");
        }
    }

    #[tokio::test]
    async fn only_site_administrators_set_up_kinds() {
        let store = store().await;
        let moderator = person(&store, "m@x.example", Role::Moderator, None).await;
        let admin = person(&store, "a@k.example", Role::OrgAdmin, Some(KNOWSLEY)).await;
        for who in [&moderator, &admin] {
            let refused = add(&store, &acting(who), &tenancy()).await;
            assert!(
                matches!(refused, Err(AppError::Forbidden(_))),
                "{refused:?}"
            );
            let refused = set_retired(&store, &acting(who), "anything", true).await;
            assert!(
                matches!(refused, Err(AppError::Forbidden(_))),
                "{refused:?}"
            );
        }
        assert!(store.identifier_kinds().await.unwrap().is_empty());
        assert!(audit(&store).await.is_empty());
    }

    #[tokio::test]
    async fn a_kind_is_added_changed_retired_and_offered_again_each_audited() {
        let store = store().await;
        let site = person(&store, "s@x.example", Role::SiteAdmin, None).await;
        let me = acting(&site);
        let spec = add(&store, &me, &tenancy()).await.unwrap();
        assert_eq!(spec.label, "Knowsley Council tenancy reference");
        assert_eq!(spec.tag_prefix, "knowsley-tenancy-ref");
        assert_eq!(fields(add(&store, &me, &tenancy()).await), ["name"]);

        let changed = KindInput {
            label: "Tenancy reference".into(),
            name: "ignored-when-changing".into(),
            max_len: "12".into(),
            ..tenancy()
        };
        let spec = change(&store, &me, "knowsley-tenancy-ref", &changed)
            .await
            .unwrap();
        assert_eq!(
            (spec.name.as_str(), spec.max_len),
            ("knowsley-tenancy-ref", 12)
        );
        let missing = change(&store, &me, "nothing-here", &changed).await;
        assert!(matches!(missing, Err(AppError::NotFound(_))), "{missing:?}");

        set_retired(&store, &me, "knowsley-tenancy-ref", true)
            .await
            .unwrap();
        let known = known_kinds(&store).await.unwrap();
        assert_eq!(known.offered().count(), 0);
        assert!(known.record("knowsley-tenancy-ref").is_some());
        set_retired(&store, &me, "knowsley-tenancy-ref", false)
            .await
            .unwrap();
        let missing = set_retired(&store, &me, "nothing-here", true).await;
        assert!(matches!(missing, Err(AppError::NotFound(_))), "{missing:?}");

        let actions: Vec<String> = audit(&store)
            .await
            .into_iter()
            .map(|(actor, action, subject, _)| format!("{actor} {action} {subject}"))
            .collect();
        assert_eq!(
            actions,
            [
                "s@x.example identifier-kind-add knowsley-tenancy-ref",
                "s@x.example identifier-kind-change knowsley-tenancy-ref",
                "s@x.example identifier-kind-retire knowsley-tenancy-ref",
                "s@x.example identifier-kind-reinstate knowsley-tenancy-ref",
            ]
        );
    }

    #[tokio::test]
    async fn bad_kinds_name_each_field_to_fix() {
        let store = store().await;
        let site = person(&store, "s@x.example", Role::SiteAdmin, None).await;
        let me = acting(&site);
        let blank = KindInput::default();
        assert_eq!(
            fields(add(&store, &me, &blank).await),
            ["label", "name", "charset", "min_len", "max_len"]
        );
        let backwards = KindInput {
            name: "Bad Name".into(),
            hint: "h".repeat(201),
            min_len: "9".into(),
            max_len: "3".into(),
            ..tenancy()
        };
        assert_eq!(
            fields(add(&store, &me, &backwards).await),
            ["name", "hint", "max_len"]
        );
        // The NHS number's name is taken.
        let nhs = KindInput {
            name: "nhs".into(),
            ..tenancy()
        };
        assert_eq!(fields(add(&store, &me, &nhs).await), ["name"]);
        assert!(audit(&store).await.is_empty());
    }
}
