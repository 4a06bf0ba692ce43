//! The management pages: the start page a person lands on after signing in, and an
//! organisation's tools (its entries, drafts, tokens, people), where token and invitation
//! results are said once. Also the charter body's self-publish switch.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use charter_core::Slug;
use charter_core::accounts::{Action, Role, TOKEN_SCOPES, allowed};
use charter_core::search::ParamError;
use charter_core::workflow::DraftState;
use charter_store::ApiToken;

use super::SignedIn;
use super::extractors::{ClientAddr, Person, Signed};
use crate::error::render;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "manage.html")]
struct ManagePage {
    active: &'static str,
    who: SignedIn,
    organisations: Vec<(String, String)>,
    audit: bool,
    identifier_kinds: bool,
    signatories: bool,
    breaches: bool,
    search_words: bool,
    law_changes: bool,
    overdue: bool,
}

pub(super) async fn manage(
    State(state): State<AppState>,
    Person(who): Person,
) -> Result<Response, WebError> {
    let p = who.principal();
    let organisations = state
        .store
        .organisations()
        .await?
        .into_iter()
        .filter(|o| allowed(&p, Action::ViewOrganisation(&o.organisation.slug)))
        .map(|o| (o.organisation.slug.to_string(), o.organisation.name))
        .collect();
    let audit = allowed(&p, Action::ViewAuditLog);
    let identifier_kinds = allowed(&p, Action::ManageIdentifierKinds);
    let signatories = allowed(&p, Action::ManageOrganisations);
    let breaches = allowed(&p, Action::ViewRegionBreaches)
        || p.organisation
            .as_ref()
            .is_some_and(|o| allowed(&p, Action::ViewBreaches(o)));
    let search_words = allowed(&p, Action::ManageSearchWords);
    Ok(render(
        &ManagePage {
            active: "manage",
            who,
            organisations,
            audit,
            identifier_kinds,
            signatories,
            breaches,
            search_words,
            law_changes: allowed(&p, Action::ManageLawChanges),
            overdue: allowed(&p, Action::ViewOverdueChallenges),
        },
        StatusCode::OK,
    ))
}

#[derive(Template)]
#[template(path = "manage-organisation.html")]
struct OrganisationTools {
    active: &'static str,
    who: SignedIn,
    slug: String,
    name: String,
    entries: Vec<(String, String, bool, usize)>,
    tokens: Vec<ApiToken>,
    can_manage_tokens: bool,
    new_token: Option<String>,
    errors: Vec<ParamError>,
    /// Drafts not yet published: (draft id, title, entry id, state).
    drafts: Vec<(i64, String, String, &'static str)>,
    scopes: &'static [(&'static str, &'static str)],
    can_edit: bool,
    self_publish: bool,
    can_set_self_publish: bool,
    can_invite: bool,
    /// Set when it has left the charter: why it cannot start new entries.
    no_new_entries: Option<String>,
    /// Said once after an action, such as an invitation sent.
    notice: Option<String>,
    /// What falls due in the next 30 days or is late, soonest first.
    due: Vec<DueItem>,
    /// Emails to the organisation's people that could not be sent (for its administrators).
    undelivered: Vec<charter_store::notices::UndeliveredMail>,
    /// Entries still to review against changes in the law, soonest due first.
    law_tasks: Vec<charter_app::law::Task>,
}

/// One line of the list of what is due.
struct DueItem {
    when: String,
    what: &'static str,
    title: String,
    entry: String,
    late: bool,
}

impl OrganisationTools {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::error::error_for(&self.errors, field)
    }
}

/// What changed on the organisation tools page, to say once.
#[derive(Default)]
pub(super) struct Said {
    pub new_token: Option<String>,
    pub notice: Option<String>,
}

/// An organisation's slug from the address; one that cannot be a slug is not found.
pub(super) fn slug(text: &str) -> Result<Slug, WebError> {
    text.parse().map_err(|_| WebError::NotFound)
}

/// The organisation tools page, with what to say once and any problems with a form on it.
pub(super) async fn tools(
    state: &AppState,
    who: SignedIn,
    slug: &Slug,
    said: Said,
    errors: Vec<ParamError>,
    status: StatusCode,
) -> Result<Response, WebError> {
    who.require(Action::ViewOrganisation(slug))?;
    let p = who.principal();
    let org = state
        .store
        .organisation(slug)
        .await?
        .ok_or(WebError::NotFound)?;
    let today = charter_app::clock::today();
    let law = charter_app::law::list(state.store.as_ref()).await?;
    // Every entry of the organisation, read in pages, checked once each, listed by title.
    let mut entries = Vec::new();
    let mut after = None;
    loop {
        let batch = state
            .store
            .organisation_projects_after(slug, after, 500)
            .await?;
        let Some(last) = batch.last() else { break };
        after = Some(last.id);
        for project in batch {
            let card = charter_core::check::check_with(&project, &state.charter, today, &law);
            let blocking = card.blocking().count();
            entries.push((
                project.id.to_string(),
                project.title.to_string(),
                card.blocks_publishing,
                blocking,
            ));
        }
    }
    entries.sort_by_key(|e| e.1.to_lowercase());
    let can_manage_tokens = allowed(&p, Action::ManageTokens(slug));
    let tokens = if can_manage_tokens {
        state.store.tokens(slug).await?
    } else {
        Vec::new()
    };
    let can_edit = allowed(&p, Action::EditEntries(slug));
    let self_publish = state.store.self_publish(slug).await?;
    let drafts = state
        .store
        .drafts(&charter_store::drafts::DraftFilter {
            organisation: Some(slug.clone()),
            states: vec![
                DraftState::Editing,
                DraftState::Submitted,
                DraftState::Returned,
            ],
        })
        .await?
        .into_iter()
        .map(|d| {
            (
                d.id,
                d.entry.title.to_string(),
                d.entry.id.to_string(),
                d.state.label(),
            )
        })
        .collect();
    // A page that only reads: the actor's address is not recorded.
    let actor = who.actor(&ClientAddr(String::new()));
    let now = charter_app::clock::now();
    let due = charter_app::reminders::coming_up(state.store.as_ref(), &state.charter, &actor, slug)
        .await?
        .into_iter()
        .map(|d| DueItem {
            when: d.when.day().long(),
            what: d.duty.name(),
            late: d.late(&now),
            title: d.title,
            entry: d.subject,
        })
        .collect();
    let can_invite = allowed(
        &p,
        Action::AddUser {
            role: Role::OrgEditor,
            organisation: Some(slug),
        },
    );
    let undelivered = if can_invite {
        charter_app::reminders::undelivered(state.store.as_ref(), &actor, slug).await?
    } else {
        Vec::new()
    };
    let law_tasks =
        charter_app::law::organisation_tasks(state.store.as_ref(), &actor, slug).await?;
    let page = OrganisationTools {
        due,
        undelivered,
        law_tasks,
        no_new_entries: org.organisation.why_no_new_entries(),
        active: "manage",
        slug: slug.to_string(),
        name: org.organisation.name,
        entries,
        tokens,
        can_manage_tokens,
        new_token: said.new_token,
        errors,
        drafts,
        can_edit,
        self_publish,
        can_set_self_publish: allowed(&p, Action::SetSelfPublish),
        can_invite,
        notice: said.notice,
        scopes: TOKEN_SCOPES,
        who,
    };
    Ok(render(&page, status))
}

pub(super) async fn organisation(
    State(state): State<AppState>,
    Person(who): Person,
    Path(text): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let slug = slug(&text)?;
    // Said once after an import, which redirects here.
    let imported = query
        .as_deref()
        .and_then(|q| q.strip_prefix("imported="))
        .and_then(|n| n.parse::<u32>().ok());
    let said = Said {
        new_token: None,
        notice: imported.map(|n| {
            format!("Imported {} as drafts. They are listed under Drafts: finish each one and submit it for review.", charter_core::plain_english::count_of(n as u64, "entry", "entries"))
        }),
    };
    tools(&state, who, &slug, said, Vec::new(), StatusCode::OK).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct SelfPublishForm {
    self_publish: String,
}

/// The charter body lets an organisation approve its own entries (by a second person), or stops it.
pub(super) async fn set_self_publish(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(text): Path<String>,
    Signed { who, form }: Signed<SelfPublishForm>,
) -> Result<Response, WebError> {
    let slug = slug(&text)?;
    let on = form.self_publish == "yes";
    charter_app::organisations::set_self_publish(
        state.store.as_ref(),
        &who.actor(&addr),
        &slug,
        on,
    )
    .await?;
    Ok(Redirect::to(&format!("/manage/organisations/{slug}")).into_response())
}
