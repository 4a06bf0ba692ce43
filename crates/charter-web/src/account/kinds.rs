//! The site administrator's identifier kinds: the identifiers residents can opt out with besides
//! the NHS number, such as a council's tenancy reference. A kind's machine name is its tag prefix,
//! so it never changes; its words and rules may change only while no opt-out uses it; it is never
//! deleted, only retired (no longer offered to residents, while its opt-outs still apply).

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use charter_core::accounts::{Action, allowed};
use charter_core::search::ParamError;
use charter_optout::{IdentifierKind, KindError, NhsNumber};
use charter_store::StoreError;
use charter_store::optout::{IdentifierKindRecord, IdentifierKindSpec, KindChange};

use super::{ClientAddr, Person, SignedForm, SignedIn, audit, err, field};
use crate::error::render;
use crate::optout::{KnownKinds, known_kinds, local_reference};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/manage/identifier-kinds", get(list).post(add))
        .route("/manage/identifier-kinds/{name}", get(edit).post(change))
        .route("/manage/identifier-kinds/{name}/retire", post(retire))
        .route("/manage/identifier-kinds/{name}/reinstate", post(reinstate))
}

/// The longest label and hint, in characters.
const MAX_LABEL: usize = 100;
const MAX_HINT: usize = 200;

/// What was typed into the form, kept to show it again.
#[derive(Default, Clone)]
struct KindForm {
    label: String,
    name: String,
    hint: String,
    charset: String,
    min_len: String,
    max_len: String,
}

impl KindForm {
    fn read(pairs: &[(String, String)]) -> KindForm {
        let get = |k: &str| field(pairs, k).trim().to_owned();
        KindForm {
            label: get("label"),
            name: get("name"),
            hint: get("hint"),
            charset: get("charset"),
            min_len: get("min_len"),
            max_len: get("max_len"),
        }
    }

    fn of(spec: &IdentifierKindSpec) -> KindForm {
        KindForm {
            label: spec.label.clone(),
            name: spec.name.clone(),
            hint: spec.hint.clone(),
            charset: spec.charset.clone(),
            min_len: spec.min_len.to_string(),
            max_len: spec.max_len.to_string(),
        }
    }
}

/// One row of the list.
struct Row {
    name: String,
    label: String,
    characters: &'static str,
    length: String,
    retired: bool,
    in_use: bool,
    built_in: bool,
}

fn characters(charset: &str) -> &'static str {
    if charset == "digits" {
        "Digits"
    } else {
        "Letters and digits"
    }
}

fn length(min: u32, max: u32) -> String {
    if min == max {
        format!("{min}")
    } else {
        format!("{min} to {max}")
    }
}

#[derive(Template)]
#[template(path = "identifier-kinds.html")]
struct ListPage {
    active: &'static str,
    who: SignedIn,
    rows: Vec<Row>,
    form: KindForm,
    errors: Vec<ParamError>,
    notice: Option<String>,
}

impl ListPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::error::error_for(&self.errors, field)
    }
}

#[derive(Template)]
#[template(path = "identifier-kind.html")]
struct EditPage {
    active: &'static str,
    who: SignedIn,
    record: IdentifierKindRecord,
    form: KindForm,
    errors: Vec<ParamError>,
}

impl EditPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::error::error_for(&self.errors, field)
    }
}

fn may(who: &SignedIn) -> Result<(), WebError> {
    if allowed(&who.principal(), Action::ManageIdentifierKinds) {
        Ok(())
    } else {
        Err(WebError::Forbidden(
            "Only site administrators can set up identifier kinds.".into(),
        ))
    }
}

fn rows(known: &KnownKinds) -> Vec<Row> {
    let mut rows = vec![Row {
        name: NhsNumber::NAME.to_owned(),
        label: NhsNumber.label().to_owned(),
        characters: "Digits",
        length: "10".into(),
        retired: false,
        in_use: true,
        built_in: true,
    }];
    rows.extend(known.records.iter().map(|r| Row {
        name: r.spec.name.clone(),
        label: r.spec.label.clone(),
        characters: characters(&r.spec.charset),
        length: length(r.spec.min_len, r.spec.max_len),
        retired: r.retired_at.is_some(),
        in_use: r.in_use,
        built_in: false,
    }));
    rows
}

async fn list_page(
    state: &AppState,
    who: SignedIn,
    form: KindForm,
    errors: Vec<ParamError>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let known = known_kinds(state.store.as_ref()).await?;
    Ok(render(
        &ListPage {
            active: "manage",
            who,
            rows: rows(&known),
            form,
            errors,
            notice,
        },
        status,
    ))
}

async fn list(
    State(state): State<AppState>,
    Person(who): Person,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    may(&who)?;
    // Said once after a change, which redirects here. Only names of kinds that exist are shown.
    let known = known_kinds(state.store.as_ref()).await?;
    let notice = query.as_deref().and_then(|q| {
        let (what, name) = q.split_once('=')?;
        let record = known.record(name)?;
        let label = &record.spec.label;
        Some(match what {
            "added" => format!("{label} is set up. Residents can now opt out with it."),
            "changed" => format!("{label} is changed."),
            "retired" => format!(
                "{label} is retired. Residents can no longer choose it; opt-outs made with it still apply."
            ),
            "reinstated" => format!("{label} is offered to residents again."),
            _ => return None,
        })
    });
    list_page(
        &state,
        who,
        KindForm {
            charset: "digits".into(),
            ..KindForm::default()
        },
        Vec::new(),
        notice,
        StatusCode::OK,
    )
    .await
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

/// Checks the form. `name` is the kind's fixed machine name when changing one, or `None` when
/// adding (then it comes from the form).
fn parse(
    form: &KindForm,
    name: Option<&str>,
    known: &KnownKinds,
) -> Result<IdentifierKindSpec, Vec<ParamError>> {
    let mut errors = Vec::new();
    if form.label.is_empty() {
        errors.push(err(
            "label",
            "Enter the name residents will see, like Knowsley Council tenancy reference",
        ));
    } else if form.label.chars().count() > MAX_LABEL {
        errors.push(err(
            "label",
            format!("Enter a name of {MAX_LABEL} characters or fewer"),
        ));
    }
    let name = match name {
        Some(fixed) => fixed.to_owned(),
        None => {
            let name = form.name.clone();
            if name.is_empty() {
                errors.push(err(
                    "name",
                    "Enter a short name for files, like knowsley-tenancy-ref",
                ));
            } else if !good_name(&name) {
                errors.push(err(
                    "name",
                    "Use small letters, digits and hyphens for the short name, starting with a letter, in 32 characters or fewer, like knowsley-tenancy-ref",
                ));
            } else if known.kinds.get(&name).is_some() {
                errors.push(err(
                    "name",
                    format!("There is already an identifier kind with the short name {name}"),
                ));
            }
            name
        }
    };
    if form.hint.chars().count() > MAX_HINT {
        errors.push(err(
            "hint",
            format!("Enter a hint of {MAX_HINT} characters or fewer"),
        ));
    }
    if !["digits", "alphanumeric"].contains(&form.charset.as_str()) {
        errors.push(err("charset", "Choose which characters it can contain"));
    }
    let number = |text: &str| text.parse::<u32>().ok().filter(|n| (1..=64).contains(n));
    let min = number(&form.min_len);
    let max = number(&form.max_len);
    if min.is_none() {
        errors.push(err(
            "min_len",
            "Enter the fewest characters it can have, as a whole number from 1 to 64",
        ));
    }
    if max.is_none() {
        errors.push(err(
            "max_len",
            "Enter the most characters it can have, as a whole number from 1 to 64",
        ));
    }
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        errors.push(err(
            "max_len",
            "The most characters must be at least the fewest",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let spec = IdentifierKindSpec {
        tag_prefix: name.clone(),
        name,
        label: form.label.clone(),
        hint: form.hint.clone(),
        charset: form.charset.clone(),
        min_len: min.unwrap_or(1),
        max_len: max.unwrap_or(1),
    };
    // The crate's own checks, and that the tag prefix is new (the NHS number's is `nhs`).
    let checked = local_reference(&spec).and_then(|kind| {
        if known.kinds.get(kind.name()).is_some() {
            // Changing a kind: it is already in the set under its own name.
            return Ok(());
        }
        known.kinds.clone().add(std::sync::Arc::new(kind))
    });
    match checked {
        Ok(()) => Ok(spec),
        Err(KindError::DuplicatePrefix(_) | KindError::DuplicateName(_)) => Err(vec![err(
            "name",
            format!(
                "The short name {} is too close to another kind's: choose another",
                spec.name
            ),
        )]),
        Err(e) => Err(vec![err("name", e.to_string())]),
    }
}

async fn add(
    State(state): State<AppState>,
    addr: ClientAddr,
    SignedForm { who, pairs }: SignedForm,
) -> Result<Response, WebError> {
    may(&who)?;
    let form = KindForm::read(&pairs);
    let known = known_kinds(state.store.as_ref()).await?;
    let spec = match parse(&form, None, &known) {
        Ok(spec) => spec,
        Err(errors) => {
            return list_page(&state, who, form, errors, None, StatusCode::BAD_REQUEST).await;
        }
    };
    match state
        .store
        .identifier_kind_add(&spec, &charter_app::clock::now())
        .await
    {
        Ok(()) => {}
        // Another administrator set up the same name a moment ago.
        Err(StoreError::Conflict(_)) => {
            let errors = vec![err(
                "name",
                format!(
                    "There is already an identifier kind with the short name {}",
                    spec.name
                ),
            )];
            return list_page(&state, who, form, errors, None, StatusCode::BAD_REQUEST).await;
        }
        Err(e) => return Err(e.into()),
    }
    audit(
        &state,
        &who.user.email,
        "identifier-kind-add",
        &spec.name,
        &addr.0,
    )
    .await?;
    Ok(Redirect::to(&format!("/manage/identifier-kinds?added={}", spec.name)).into_response())
}

async fn find(state: &AppState, name: &str) -> Result<IdentifierKindRecord, WebError> {
    state
        .store
        .identifier_kinds()
        .await?
        .into_iter()
        .find(|r| r.spec.name == name)
        .ok_or(WebError::NotFound)
}

async fn edit(
    State(state): State<AppState>,
    Person(who): Person,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    may(&who)?;
    let record = find(&state, &name).await?;
    Ok(render(
        &EditPage {
            active: "manage",
            who,
            form: KindForm::of(&record.spec),
            record,
            errors: Vec::new(),
        },
        StatusCode::OK,
    ))
}

async fn change(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(name): Path<String>,
    SignedForm { who, pairs }: SignedForm,
) -> Result<Response, WebError> {
    may(&who)?;
    let record = find(&state, &name).await?;
    let form = KindForm::read(&pairs);
    let known = known_kinds(state.store.as_ref()).await?;
    let page = |who, record, form, errors| {
        render(
            &EditPage {
                active: "manage",
                who,
                record,
                form,
                errors,
            },
            StatusCode::BAD_REQUEST,
        )
    };
    let spec = match parse(&form, Some(&record.spec.name), &known) {
        Ok(mut spec) => {
            // The tag prefix is the one it was set up with, whatever the form says.
            spec.tag_prefix = record.spec.tag_prefix.clone();
            spec
        }
        Err(errors) => return Ok(page(who, record, form, errors)),
    };
    match state.store.identifier_kind_change(&spec).await? {
        KindChange::Changed => {}
        KindChange::Missing => return Err(WebError::NotFound),
        KindChange::InUse => {
            let errors = vec![err(
                "label",
                "People have opted out with this identifier kind, so it can no longer change. You can retire it and set up a new one.",
            )];
            let record = find(&state, &name).await?;
            return Ok(page(who, record, form, errors));
        }
    }
    audit(
        &state,
        &who.user.email,
        "identifier-kind-change",
        &spec.name,
        &addr.0,
    )
    .await?;
    Ok(Redirect::to(&format!("/manage/identifier-kinds?changed={}", spec.name)).into_response())
}

async fn set_retired(
    state: AppState,
    addr: ClientAddr,
    name: String,
    who: SignedIn,
    retire: bool,
) -> Result<Response, WebError> {
    may(&who)?;
    let at = retire.then(charter_app::clock::now);
    if !state
        .store
        .identifier_kind_retire(&name, at.as_ref())
        .await?
    {
        return Err(WebError::NotFound);
    }
    let action = if retire {
        "identifier-kind-retire"
    } else {
        "identifier-kind-reinstate"
    };
    audit(&state, &who.user.email, action, &name, &addr.0).await?;
    let said = if retire { "retired" } else { "reinstated" };
    Ok(Redirect::to(&format!("/manage/identifier-kinds?{said}={name}")).into_response())
}

async fn retire(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(name): Path<String>,
    SignedForm { who, .. }: SignedForm,
) -> Result<Response, WebError> {
    set_retired(state, addr, name, who, true).await
}

async fn reinstate(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(name): Path<String>,
    SignedForm { who, .. }: SignedForm,
) -> Result<Response, WebError> {
    set_retired(state, addr, name, who, false).await
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
