//! The charter body's part of `/dashboard`: open breaches with their clocks, and the deadlines
//! of the next 30 days (`charter_app::dashboard::moderators`). Shown only to moderators and site
//! administrators; their page is never stored by a cache, and the public page says it differs by
//! the cookie, so neither is ever given for the other.

use axum::http::{HeaderValue, header};
use axum::response::Response;
use charter_app::dashboard::moderators;
use charter_core::accounts::Action;
use charter_core::breaches::london::uk_words;
use charter_core::reminders::When;

use crate::account::{ClientAddr, SignedIn};
use crate::breaches::Row;
use crate::{AppState, WebError};

pub(crate) struct Moderators {
    pub breaches: Vec<Row>,
    pub coming_up: Vec<Deadline>,
    /// ("Reviews", 12), by kind.
    pub by_kind: Vec<(&'static str, usize)>,
    pub total: usize,
    /// How many are not listed one by one.
    pub more: usize,
}

pub(crate) struct Deadline {
    pub when: String,
    pub what: &'static str,
    pub organisation: String,
    pub subject: String,
    pub title: String,
    pub path: String,
}

/// What a kind of deadline is called in the list.
fn kind(duty: charter_core::reminders::Duty) -> &'static str {
    use charter_core::reminders::Duty;
    match duty {
        Duty::OutcomeReport => "Report on results",
        Duty::Review => "Review",
        Duty::Declaration => "Signed promise",
        Duty::LawChange => "Check against a new law",
        Duty::ChallengeAcknowledge => "Reply to a resident",
        Duty::ChallengeAnswer => "Answer a resident",
        Duty::Breach => "Breach: tell the ICO",
    }
}

/// The view when `who` may see it; none for anyone else.
pub(super) async fn view(
    state: &AppState,
    who: Option<&SignedIn>,
    addr: &ClientAddr,
) -> Result<Option<Moderators>, WebError> {
    let Some(who) = who else { return Ok(None) };
    let actor = who.actor(addr);
    if !actor.may(Action::ViewRegionBreaches) {
        return Ok(None);
    }
    let v = moderators::view(state.store.as_ref(), &state.charter, &actor).await?;
    let now = charter_app::clock::now();
    Ok(Some(Moderators {
        breaches: v.open_breaches.iter().map(|b| Row::of(b, &now)).collect(),
        coming_up: v
            .coming_up
            .iter()
            .map(|d| Deadline {
                when: match &d.when {
                    When::Day(day) => day.long(),
                    When::Moment(t) => uk_words(t),
                },
                what: kind(d.duty),
                organisation: d.organisation.to_string(),
                subject: d.subject.clone(),
                title: d.title.clone(),
                path: d.path.clone(),
            })
            .collect(),
        by_kind: v.by_duty.iter().map(|(k, n)| (kind(*k), *n)).collect(),
        total: v.total,
        more: v.total - v.coming_up.len(),
    }))
}

/// The public page may be kept by caches, but only for requests without a cookie; the charter
/// body's page is kept by none.
pub(super) fn cache_headers(response: &mut Response, private: bool) {
    let h = response.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("cookie"));
    if private {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
}
