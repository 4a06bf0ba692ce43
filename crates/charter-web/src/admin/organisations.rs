//! The site administrator's organisation pages: the list of signatories, adding one, changing
//! its details and retiring it. The organisation's own tools stay at `/manage/organisations/{slug}`
//! (`account::tools`); these pages sit beside them. The rules are in
//! `charter_app::organisations`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use charter_app::AppError;
use charter_app::organisations::InReview;
use charter_core::organisation::OrganisationInput;
use charter_core::picklists::{Area, OrgKind};
use charter_core::search::ParamError;
use charter_core::{Organisation, Slug};
use charter_store::OrganisationSummary;

use crate::account::{ClientAddr, Person, Signed, SignedIn, TokenOnly};
use crate::error::{params, render};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/manage/organisations", get(list))
        .route("/manage/organisations/new", get(new).post(add))
        .route(
            "/manage/organisations/{slug}/details",
            get(details).post(change),
        )
        .route(
            "/manage/organisations/{slug}/retire",
            get(confirm).post(retire),
        )
        .route("/manage/organisations/{slug}/reinstate", post(reinstate))
}

#[derive(Template)]
#[template(path = "manage-organisations.html")]
struct ListPage {
    active: &'static str,
    who: SignedIn,
    organisations: Vec<OrganisationSummary>,
    notice: Option<String>,
}

/// The add and change forms. `existing` is the organisation being changed; none when adding.
#[derive(Template)]
#[template(path = "organisation-form.html")]
struct FormPage {
    active: &'static str,
    who: SignedIn,
    existing: Option<Organisation>,
    form: OrganisationInput,
    errors: Vec<ParamError>,
    kinds: &'static [(&'static str, &'static str)],
    boroughs: Vec<(&'static str, &'static str)>,
}

impl FormPage {
    fn new(who: SignedIn, existing: Option<Organisation>, form: OrganisationInput) -> Self {
        FormPage {
            active: "manage",
            who,
            existing,
            form,
            errors: Vec::new(),
            kinds: OrgKind::OPTIONS,
            boroughs: Area::BOROUGHS
                .iter()
                .map(|b| (b.slug(), b.label()))
                .collect(),
        }
    }

    fn error_for(&self, field: &str) -> Option<&str> {
        crate::error::error_for(&self.errors, field)
    }
}

#[derive(Template)]
#[template(path = "organisation-retire.html")]
struct RetirePage {
    active: &'static str,
    who: SignedIn,
    org: Organisation,
    /// Titles of its drafts waiting for review.
    in_review: Vec<String>,
    errors: Vec<ParamError>,
}

impl RetirePage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::error::error_for(&self.errors, field)
    }
}

async fn list(
    State(state): State<AppState>,
    addr: ClientAddr,
    Person(who): Person,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let organisations =
        charter_app::organisations::list(state.store.as_ref(), &who.actor(&addr)).await?;
    // Said once after a change, which redirects here; only about an organisation that exists.
    let notice = query.as_deref().and_then(|q| {
        let (what, slug) = q.split_once('=')?;
        let org = &organisations
            .iter()
            .find(|o| o.organisation.slug.as_str() == slug)?
            .organisation;
        let name = &org.name;
        Some(match what {
            "added" => format!("{name} is added. Invite its people from its page."),
            "changed" => format!("The details of {name} are saved."),
            "retired" => format!("{name} is retired. Its entries stay public and say it has left."),
            "reinstated" => format!("{name} is back."),
            _ => return None,
        })
    });
    Ok(render(
        &ListPage {
            active: "manage",
            who,
            organisations,
            notice,
        },
        StatusCode::OK,
    ))
}

async fn new(Person(who): Person) -> Result<Response, WebError> {
    who.require(charter_core::accounts::Action::ManageOrganisations)?;
    Ok(render(
        &FormPage::new(who, None, OrganisationInput::default()),
        StatusCode::OK,
    ))
}

async fn add(
    State(state): State<AppState>,
    addr: ClientAddr,
    Signed { who, form }: Signed<OrganisationInput>,
) -> Result<Response, WebError> {
    match charter_app::organisations::add(state.store.as_ref(), &who.actor(&addr), &form).await {
        Ok(org) => {
            Ok(Redirect::to(&format!("/manage/organisations?added={}", org.slug)).into_response())
        }
        Err(AppError::Invalid(problems)) => {
            let mut page = FormPage::new(who, None, form);
            page.errors = params(problems, "main-content");
            Ok(render(&page, StatusCode::BAD_REQUEST))
        }
        Err(e) => Err(e.into()),
    }
}

/// The short name in the address, when it is one; anything else is a page not found.
fn parsed(slug: &str) -> Result<Slug, WebError> {
    slug.parse().map_err(|_| WebError::NotFound)
}

async fn details(
    State(state): State<AppState>,
    addr: ClientAddr,
    Person(who): Person,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let slug = parsed(&slug)?;
    let org =
        charter_app::organisations::find(state.store.as_ref(), &who.actor(&addr), &slug).await?;
    let form = OrganisationInput::of(&org);
    Ok(render(&FormPage::new(who, Some(org), form), StatusCode::OK))
}

async fn change(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(slug): Path<String>,
    Signed { who, form }: Signed<OrganisationInput>,
) -> Result<Response, WebError> {
    let slug = parsed(&slug)?;
    let store = state.store.as_ref();
    let actor = who.actor(&addr);
    match charter_app::organisations::change(store, &actor, &slug, &form).await {
        Ok(org) => Ok(
            Redirect::to(&format!("/manage/organisations?changed={}", org.slug)).into_response(),
        ),
        Err(AppError::Invalid(problems)) => {
            let org = charter_app::organisations::find(store, &actor, &slug).await?;
            let mut page = FormPage::new(who, Some(org), form);
            page.errors = params(problems, "main-content");
            Ok(render(&page, StatusCode::BAD_REQUEST))
        }
        Err(e) => Err(e.into()),
    }
}

async fn retire_page(
    state: &AppState,
    addr: &ClientAddr,
    who: SignedIn,
    slug: &Slug,
    errors: Vec<ParamError>,
) -> Result<Response, WebError> {
    let store = state.store.as_ref();
    let actor = who.actor(addr);
    let org = charter_app::organisations::find(store, &actor, slug).await?;
    let in_review = charter_app::organisations::in_review(store, &actor, slug)
        .await?
        .into_iter()
        .map(|d| d.entry.title.to_string())
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let page = RetirePage {
        active: "manage",
        who,
        org,
        in_review,
        errors,
    };
    Ok(render(&page, status))
}

async fn confirm(
    State(state): State<AppState>,
    addr: ClientAddr,
    Person(who): Person,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let slug = parsed(&slug)?;
    retire_page(&state, &addr, who, &slug, Vec::new()).await
}

/// The retire form: what happens to drafts in review, when there are any.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct RetireForm {
    drafts: String,
}

async fn retire(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(slug): Path<String>,
    Signed { who, form }: Signed<RetireForm>,
) -> Result<Response, WebError> {
    let slug = parsed(&slug)?;
    let choice = InReview::from_slug(&form.drafts);
    let store = state.store.as_ref();
    match charter_app::organisations::retire(store, &who.actor(&addr), &slug, choice).await {
        Ok(_) => Ok(Redirect::to(&format!("/manage/organisations?retired={slug}")).into_response()),
        Err(AppError::Invalid(problems)) => {
            retire_page(&state, &addr, who, &slug, params(problems, "main-content")).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn reinstate(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(slug): Path<String>,
    Signed { who, .. }: Signed<TokenOnly>,
) -> Result<Response, WebError> {
    let slug = parsed(&slug)?;
    charter_app::organisations::reinstate(state.store.as_ref(), &who.actor(&addr), &slug).await?;
    Ok(Redirect::to(&format!("/manage/organisations?reinstated={slug}")).into_response())
}
