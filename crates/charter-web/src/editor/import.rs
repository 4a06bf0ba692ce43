//! The import page: an organisation uploads its existing list as CSV, chooses what each column
//! holds and a value for every row where the file has no column, sees every problem with its
//! spreadsheet row, and imports all rows as drafts or none. The file travels back with each
//! check in the form, so nothing is stored until import.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use charter_app::import::{Imported, Run, import};
use charter_core::Slug;
use charter_core::import::{
    Columns, FieldGroups, ImportReport, Target, choices, headers, label, options_of, reference,
    text,
};
use charter_core::search::ParamError;

use super::{actor, reader};
use crate::account::{ClientAddr, Person, SignedForm, SignedIn, check_form_token, field};
use crate::error::render;
use crate::{AppState, WebError};

/// The largest file the page takes; bigger lists go through `charter import`.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/manage/organisations/{slug}/import",
            get(upload_page)
                .post(upload)
                .layer(DefaultBodyLimit::max(MAX_BYTES + 64 * 1024)),
        )
        .route(
            "/manage/organisations/{slug}/import/check",
            post(check_again).layer(DefaultBodyLimit::max(3 * MAX_BYTES)),
        )
}

pub struct ColumnRow {
    pub index: usize,
    pub header: String,
    /// The field it maps to, "ignore", or nothing when neither chosen nor guessed.
    pub target: String,
}

/// A field the file has no column for, with one value for every row.
pub struct EveryRow {
    pub path: String,
    pub label: String,
    /// As typed or chosen.
    pub value: String,
    /// (short name, label) for a choice; none for a written answer.
    pub options: Option<&'static [(&'static str, &'static str)]>,
}

/// Fields by section: (section title, [(path, label)]).
type Fields = Vec<(&'static str, Vec<(&'static str, String)>)>;

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    active: &'static str,
    who: SignedIn,
    slug: String,
    name: String,
    /// Empty before a file is sent.
    csv: String,
    columns: Vec<ColumnRow>,
    every_row: Vec<EveryRow>,
    fields: Fields,
    /// The same fields for reading: each group's name said once.
    reference: Vec<(&'static str, FieldGroups)>,
    problems: Vec<String>,
    ready: usize,
    errors: Vec<ParamError>,
}

/// The organisation, if `who` may write its entries, and its name.
async fn allowed_org(
    state: &AppState,
    who: &SignedIn,
    slug: &str,
) -> Result<(Slug, String), WebError> {
    let slug: Slug = slug.parse().map_err(|_| WebError::NotFound)?;
    let org = charter_app::drafts::may_write(state.store.as_ref(), &reader(who), &slug).await?;
    Ok((slug, org.name))
}

/// The page, with the file as read (`report`), or the upload form when there is none yet or the
/// file cannot be read at all.
fn page(
    who: SignedIn,
    slug: &Slug,
    name: String,
    csv: String,
    report: Option<ImportReport>,
    mut errors: Vec<ParamError>,
) -> ImportPage {
    let mut view = ImportPage {
        active: "manage",
        who,
        slug: slug.to_string(),
        name,
        csv: String::new(),
        columns: Vec::new(),
        every_row: Vec::new(),
        fields: choices(),
        reference: reference(),
        problems: Vec::new(),
        ready: 0,
        errors: Vec::new(),
    };
    let Some(r) = report else {
        view.errors = errors;
        return view;
    };
    if let Some(refused) = r.refused() {
        errors.push(ParamError {
            param: "file".into(),
            message: refused.to_string(),
        });
        view.errors = errors;
        return view;
    }
    view.csv = csv;
    view.columns = r
        .headers
        .iter()
        .zip(&r.mapping)
        .enumerate()
        .map(|(index, (header, target))| ColumnRow {
            index,
            header: header.clone(),
            target: match target {
                _ if r.unchosen.contains(&index) => String::new(),
                Target::Field(f) => f.clone(),
                Target::Ignore => "ignore".into(),
            },
        })
        .collect();
    // Fields every entry needs that no column holds, then those given a value already.
    let missing = r
        .missing
        .iter()
        .filter(|p| **p != "title")
        .map(|p| ((*p).to_owned(), String::new()));
    view.every_row = missing
        .chain(r.set.iter().cloned())
        .map(|(path, value)| EveryRow {
            label: label(&path),
            options: options_of(&path),
            path,
            value,
        })
        .collect();
    view.problems = r.problems.iter().map(ToString::to_string).collect();
    view.ready = r.entries.len();
    view
}

async fn upload_page(
    State(state): State<AppState>,
    Person(who): Person,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let (slug, name) = allowed_org(&state, &who, &slug).await?;
    let view = page(who, &slug, name, String::new(), None, Vec::new());
    Ok(render(&view, StatusCode::OK))
}

async fn upload(
    State(state): State<AppState>,
    addr: ClientAddr,
    Person(who): Person,
    Path(slug): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let (slug, name) = allowed_org(&state, &who, &slug).await?;
    let (csrf, bytes) = match read_upload(&mut multipart).await {
        Ok(upload) => upload,
        Err(message) => {
            // Nothing is changed: the page comes back with the problem beside the file box.
            let errors = vec![ParamError {
                param: "file".into(),
                message,
            }];
            let view = page(who, &slug, name, String::new(), None, errors);
            return Ok(render(&view, StatusCode::BAD_REQUEST));
        }
    };
    check_form_token(&who, &[("csrf".to_owned(), csrf)])?;
    let problem = if bytes.is_empty() {
        Some("Choose a CSV file".to_owned())
    } else if bytes.len() > MAX_BYTES {
        Some(too_big())
    } else {
        None
    };
    let text = match problem {
        Some(p) => Err(p),
        None => text(bytes),
    };
    match text {
        Ok(csv) => {
            let actor = actor(&who, &addr);
            let read = import(
                state.store.as_ref(),
                &actor,
                &slug,
                csv,
                Columns::default(),
                Run::DryRun,
            )
            .await?;
            let status = if read.report.refused().is_some() {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            };
            let view = page(who, &slug, name, read.csv, Some(read.report), Vec::new());
            Ok(render(&view, status))
        }
        Err(message) => {
            let errors = vec![ParamError {
                param: "file".into(),
                message,
            }];
            let view = page(who, &slug, name, String::new(), None, errors);
            Ok(render(&view, StatusCode::BAD_REQUEST))
        }
    }
}

/// The form token and the file from an upload, or what went wrong in words.
async fn read_upload(multipart: &mut Multipart) -> Result<(String, Vec<u8>), String> {
    let mut file_name = String::new();
    let said = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_big()
        } else {
            format!(
                "The file could not be received: {}. Choose it and send it again",
                e.body_text()
            )
        }
    };
    let mut csrf = String::new();
    let mut bytes = Vec::new();
    while let Some(part) = multipart.next_field().await.map_err(said)? {
        match part.name() {
            Some("csrf") => csrf = part.text().await.map_err(said)?,
            Some("file") => {
                file_name = part.file_name().unwrap_or_default().to_owned();
                bytes = part.bytes().await.map_err(said)?.to_vec();
            }
            _ => {}
        }
    }
    // A file chosen but empty is not the same as no file chosen: say which.
    if bytes.is_empty() && !file_name.is_empty() {
        return Err(format!(
            "“{file_name}” is empty. Choose a CSV file with a header row and one project on each row"
        ));
    }
    Ok((csrf, bytes))
}

fn too_big() -> String {
    format!(
        "The file must be {} MB or smaller: split it, or import it with charter import",
        MAX_BYTES >> 20
    )
}

async fn check_again(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(slug): Path<String>,
    SignedForm { who, pairs }: SignedForm,
) -> Result<Response, WebError> {
    let (slug, name) = allowed_org(&state, &who, &slug).await?;
    let csv = field(&pairs, "csv").replace("\r\n", "\n");
    let columns = columns(&csv, &pairs);
    let run = if field(&pairs, "action") == "import" {
        Run::Write
    } else {
        Run::DryRun
    };
    let done = import(
        state.store.as_ref(),
        &actor(&who, &addr),
        &slug,
        csv,
        columns,
        run,
    )
    .await?;
    if done.written() {
        return Ok(Redirect::to(&format!(
            "/manage/organisations/{slug}?imported={}",
            done.drafts.len()
        ))
        .into_response());
    }
    let Imported { csv, report, .. } = done;
    let status = if report.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let view = page(who, &slug, name, csv, Some(report), Vec::new());
    Ok(render(&view, status))
}

/// The person's choices: which field each column holds (`map.N`, by the header's place) and a
/// value for every row (`set.FIELD`, or a field and value chosen under `more.`). Blank answers
/// leave the guess, or give no value.
fn columns(csv: &str, pairs: &[(String, String)]) -> Columns {
    let mapping: HashMap<String, Target> = headers(csv)
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let chosen = field(pairs, &format!("map.{i}"));
            (!chosen.is_empty()).then(|| {
                let target = if chosen == "ignore" {
                    Target::Ignore
                } else {
                    Target::Field(chosen)
                };
                (h.clone(), target)
            })
        })
        .collect();
    let mut set: Vec<(String, String)> = pairs
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("set.")?.to_owned(), v.trim().to_owned())))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let (more, value) = (field(pairs, "more.field"), field(pairs, "more.value"));
    if !more.is_empty() && !value.trim().is_empty() && !set.iter().any(|(p, _)| *p == more) {
        set.push((more, value.trim().to_owned()));
    }
    Columns { mapping, set }
}
