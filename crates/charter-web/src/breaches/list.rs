//! `/manage/breaches`: an organisation's breach log for its administrators; for the charter
//! body, open breaches and missed deadlines across the region.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use charter_core::accounts::Action;

use super::Row;
use crate::account::{ClientAddr, Person};
use crate::error::render;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "breaches.html")]
struct ListPage {
    active: &'static str,
    /// The region's view (the charter body) or one organisation's.
    region: bool,
    may_log: bool,
    rows: Vec<Row>,
    missed: Vec<Row>,
}

pub(super) async fn list(
    State(state): State<AppState>,
    addr: ClientAddr,
    Person(who): Person,
) -> Result<Response, WebError> {
    let actor = who.actor(&addr);
    let store = state.store.as_ref();
    let now = charter_app::clock::now();
    let page = if actor.may(Action::ViewRegionBreaches) {
        let region = charter_app::breaches::region(store, &actor).await?;
        ListPage {
            active: "manage",
            region: true,
            may_log: false,
            rows: region.open.iter().map(|b| Row::of(b, &now)).collect(),
            missed: region.missed.iter().map(|b| Row::of(b, &now)).collect(),
        }
    } else {
        let Some(org) = who.user.organisation.clone() else {
            return Err(WebError::Forbidden(
                Action::ViewRegionBreaches.refusal().into(),
            ));
        };
        let list = charter_app::breaches::list(store, &actor, &org).await?;
        ListPage {
            active: "manage",
            region: false,
            may_log: actor.may(Action::RecordBreaches(&org)),
            rows: list.iter().map(|b| Row::of(b, &now)).collect(),
            missed: Vec::new(),
        }
    };
    Ok(render(&page, StatusCode::OK))
}
