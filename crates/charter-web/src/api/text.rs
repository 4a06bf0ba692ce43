//! The open plain-English checker.

use axum::Json;
use charter_core::search::ParamError;
use utoipa::ToSchema;

use super::extract::{JsonBody, MAX_JSON_BYTES};
use super::{ApiError, Problem};
use crate::WebError;

/// Text to check.
#[derive(serde::Deserialize, ToSchema)]
pub struct TextToCheck {
    /// Up to 100,000 characters.
    #[schema(max_length = 100_000)]
    pub text: String,
}

/// Longest text the checker endpoint takes.
const MAX_TEXT_CHARS: usize = 100_000;

/// The plain-English checker: reading age, the seven readability scores and advice with the
/// span of text each piece of advice is about. The same checker the register uses.
#[utoipa::path(post, path = "/api/v1/text/check", tag = "plain English",
    request_body = TextToCheck,
    responses(
        (status = 200, body = charter_core::plain_english::Analysis),
        (status = 400, description = "The body is not `{\"text\": \"…\"}` or the text is too long", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 512 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn check_text(
    JsonBody(body): JsonBody<MAX_JSON_BYTES>,
) -> Result<Json<charter_core::plain_english::Analysis>, ApiError> {
    let bad = |message: String| {
        WebError::BadRequest(vec![ParamError {
            param: "text".into(),
            message,
        }])
    };
    let input: TextToCheck = serde_json::from_slice(&body)
        .map_err(|e| bad(format!("Send JSON like {{\"text\": \"Your words\"}}: {e}")))?;
    let n = input.text.chars().count();
    if n > MAX_TEXT_CHARS {
        return Err(bad(format!(
            "The text must be {MAX_TEXT_CHARS} characters or fewer (it has {n})"
        ))
        .into());
    }
    Ok(Json(charter_core::plain_english::analyse(&input.text)))
}
