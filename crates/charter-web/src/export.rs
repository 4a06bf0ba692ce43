//! Bulk downloads of the whole register, streamed chunk by chunk as `charter_app::export` makes
//! them, so a register of any size is served in bounded memory. `charter export` writes the
//! same bytes.

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use charter_app::export::{Exporter, Format};

use crate::{AppState, WebError};

async fn download(
    state: AppState,
    format: Format,
    filename: &'static str,
) -> Result<Response, WebError> {
    let exporter = Exporter::new(state.store.clone(), format).await?;
    let stream = futures_util::stream::unfold(Some(exporter), |state| async move {
        let mut exporter = state?;
        match exporter.next_chunk().await {
            Ok(Some(bytes)) => Some((Ok::<_, std::io::Error>(bytes), Some(exporter))),
            Ok(None) => None,
            Err(e) => {
                tracing::error!(error = %e, "export failed part way");
                // Ending with an error makes the client see an incomplete download.
                Some((Err(std::io::Error::other(e.to_string())), None))
            }
        }
    });
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

pub async fn csv_download(State(state): State<AppState>) -> Result<Response, WebError> {
    download(state, Format::Csv, "register.csv").await
}

pub async fn json_download(State(state): State<AppState>) -> Result<Response, WebError> {
    download(state, Format::Json, "register.json").await
}
