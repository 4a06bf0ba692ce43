//! Logging a breach: the form, and what happens when it is sent.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use charter_app::AppError;
use charter_app::breaches::LogInput;
use charter_core::accounts::Action;
use charter_core::breaches::Cyber;
use charter_core::search::ParamError;

use crate::account::{ClientAddr, Person, Signed, SignedIn};
use crate::error::{params, render};
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "breach-new.html")]
struct LogPage {
    active: &'static str,
    who: SignedIn,
    form: LogInput,
    errors: Vec<ParamError>,
    cyber: [Cyber; 3],
}

impl LogPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::error::error_for(&self.errors, field)
    }
}

fn own_organisation(who: &SignedIn) -> Result<charter_core::Slug, WebError> {
    let org = who.user.organisation.clone().ok_or_else(|| {
        WebError::Forbidden("Only an organisation's administrators can log its breaches.".into())
    })?;
    who.require(Action::RecordBreaches(&org))?;
    Ok(org)
}

pub(super) async fn page(Person(who): Person) -> Result<Response, WebError> {
    own_organisation(&who)?;
    let page = LogPage {
        active: "manage",
        who,
        form: LogInput::default(),
        errors: Vec::new(),
        cyber: Cyber::ALL,
    };
    Ok(render(&page, StatusCode::OK))
}

pub(super) async fn log(
    State(state): State<AppState>,
    addr: ClientAddr,
    Signed { who, form }: Signed<LogInput>,
) -> Result<Response, WebError> {
    let org = own_organisation(&who)?;
    match charter_app::breaches::log(state.store.as_ref(), &who.actor(&addr), &org, &form).await {
        Ok(id) => Ok(Redirect::to(&format!("/manage/breaches/{id}")).into_response()),
        Err(AppError::Invalid(problems)) => {
            let page = LogPage {
                active: "manage",
                who,
                form,
                errors: params(problems, "main-content"),
                cyber: Cyber::ALL,
            };
            Ok(render(&page, StatusCode::BAD_REQUEST))
        }
        Err(e) => Err(e.into()),
    }
}
