//! Residents' challenges and questions: the forms on each project (`resident`, forms anyone can
//! send, counted per address, with a honeypot), the resident's private page, and the
//! organisation's inbox under `/manage` (`inbox`). Each handler reads its input, calls one
//! `charter_app::challenges` use case and renders; what a resident typed is never logged.

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

mod inbox;
mod resident;

/// The forms and the private page: anyone can send these.
pub fn public_forms() -> Router<AppState> {
    Router::new()
        .route(
            "/projects/{id}/challenge",
            get(resident::challenge_form).post(resident::send_challenge),
        )
        .route(
            "/projects/{id}/question",
            get(resident::question_form).post(resident::send_question),
        )
        .route("/challenges/{token}", get(resident::private_page))
        .route("/challenges/{token}/download", get(resident::download))
        .route("/challenges/{token}/escalate", post(resident::escalate))
        .route("/challenges/{token}/delete", post(resident::delete))
}

/// The organisation's inbox: signed-in people only.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/manage/challenges", get(inbox::list))
        .route("/manage/challenges/{reference}", get(inbox::item))
        .route("/manage/challenges/{reference}/assign", post(inbox::assign))
        .route(
            "/manage/challenges/{reference}/acknowledge",
            post(inbox::acknowledge),
        )
        .route("/manage/challenges/{reference}/answer", post(inbox::answer))
        .route("/manage/challenges/{reference}/close", post(inbox::close))
}

/// How an item's clock reads: the deadline it is working to and whether it is past.
pub(crate) struct Clock {
    pub label: &'static str,
    pub due: String,
    pub late: bool,
}

pub(crate) fn clock(
    c: &charter_store::challenges::Challenge,
    today: charter_core::Date,
) -> Option<Clock> {
    use charter_core::challenges::State;
    let (label, due) = match c.state {
        State::Received => ("Say it has been seen by", c.acknowledge_by),
        State::Acknowledged => ("Answer by", c.answer_by),
        State::Answered | State::Closed => return None,
    };
    Some(Clock {
        label,
        due: due.long(),
        late: c.overdue(today),
    })
}
