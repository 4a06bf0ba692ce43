//! One breach: what happened, its deadline in UK time and the time left, every version, and a
//! form for each step that can be taken next. A form sent with a problem shows the page again
//! with what was typed and the problem beside it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use charter_app::AppError;
use charter_app::breaches::{BreachRecord, StepInput};
use charter_core::Timestamp;
use charter_core::breaches::clock::{due, due_words};
use charter_core::breaches::london::uk_words;
use charter_core::breaches::{Exemption, Risk};
use charter_core::search::ParamError;

use crate::account::{ClientAddr, Person, Signed, SignedIn};
use crate::error::{params, render};
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "breach.html")]
struct RecordPage {
    active: &'static str,
    who: SignedIn,
    record: BreachRecord,
    aware: String,
    deadline: String,
    due: String,
    late: bool,
    steps: Vec<&'static str>,
    form: StepInput,
    errors: Vec<ParamError>,
    risks: [Risk; 3],
    exemptions: [Exemption; 3],
}

impl RecordPage {
    fn new(who: SignedIn, record: BreachRecord, form: StepInput, errors: Vec<ParamError>) -> Self {
        let now = charter_app::clock::now();
        let b = &record.stored.breach;
        let d = due(b, &now);
        RecordPage {
            active: "manage",
            who,
            aware: uk_words(&b.aware_at),
            deadline: uk_words(&b.deadline()),
            due: due_words(d),
            late: d.missed(),
            steps: if record.may_record {
                b.next_steps()
            } else {
                Vec::new()
            },
            form: StepInput {
                version: record.stored.version.to_string(),
                ..form
            },
            record,
            errors,
            risks: Risk::ALL,
            exemptions: Exemption::ALL,
        }
    }

    fn error_for(&self, field: &str) -> Option<&str> {
        crate::error::error_for(&self.errors, field)
    }

    fn when(&self, t: &Timestamp) -> String {
        uk_words(t)
    }

    fn step_words(&self, step: &str) -> &'static str {
        match step {
            "log" => "Logged",
            "assess" => "Started to check the risk",
            "decide" => "Decided the risk",
            "report" => "Told the ICO",
            "people" => "Said if people were told",
            "close" => "Closed",
            _ => "Changed",
        }
    }

    fn offers(&self, step: &str) -> bool {
        self.steps.contains(&step)
    }
}

pub(super) async fn page(
    State(state): State<AppState>,
    addr: ClientAddr,
    Person(who): Person,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let record = charter_app::breaches::find(state.store.as_ref(), &who.actor(&addr), id).await?;
    let page = RecordPage::new(who, record, StepInput::default(), Vec::new());
    Ok(render(&page, StatusCode::OK))
}

pub(super) async fn step(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path((id, step)): Path<(i64, String)>,
    Signed { who, form }: Signed<StepInput>,
) -> Result<Response, WebError> {
    let store = state.store.as_ref();
    let actor = who.actor(&addr);
    match charter_app::breaches::take_step(store, &actor, id, &step, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/manage/breaches/{id}")).into_response()),
        Err(AppError::Invalid(problems)) => {
            let record = charter_app::breaches::find(store, &actor, id).await?;
            // A problem with the step itself (not a field) is shown at the top of the page.
            let page = RecordPage::new(who, record, form, params(problems, "main-content"));
            Ok(render(&page, StatusCode::BAD_REQUEST))
        }
        Err(e) => Err(e.into()),
    }
}
