//! Bulk import: an organisation's existing list of projects, one CSV row per entry, becomes
//! drafts. Each column is mapped to an editor field (by its name, such as `summary` or
//! `challenge_route.how`, or its label); a field no column holds may be given one value for
//! every row. Each row is read by the editor's own rules, so the import refuses exactly what the
//! forms refuse, with the spreadsheet's row number. Nothing is written here: the caller imports
//! all rows or none.

use std::collections::{HashMap, HashSet};

use crate::editor::{FieldError, apply_all, known};
use crate::picklists::DecisionRole;
use crate::{Date, Project, Slug, Title};

mod fields;
mod file;
#[cfg(test)]
mod tests;

pub use fields::{
    FieldGroups, YES_NO, cell, choices, guess, kind_of, label, needed_in_every_row, options_of,
    reference, value_for_every_row,
};
pub use file::{MAX_BYTES, MAX_ROWS, header_problem, text};

/// Where a column goes: a field, or nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Field(String),
    Ignore,
}

/// How to read a file's columns: what the person chose beyond the guess.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    /// Where columns go, by header; `Target::Ignore` drops one. Others are guessed.
    pub mapping: HashMap<String, Target>,
    /// (field path, value) for fields no column holds: the same value for every row.
    pub set: Vec<(String, String)>,
}

/// Where a problem is: spreadsheet rows, counting the header as row 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The file as a whole, or how its columns are read.
    File,
    /// These rows, in order.
    Rows(Vec<u64>),
    /// Every row under the header.
    EveryRow,
}

/// A problem with the file, a column or some rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    pub place: Place,
    /// The column's header, when the problem is in one column.
    pub column: Option<String>,
    pub message: String,
}

/// "2 to 4, 7 and 9"
fn rows_in_words(rows: &[u64]) -> String {
    let mut runs: Vec<String> = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let mut j = i;
        while j + 1 < rows.len() && rows[j + 1] == rows[j] + 1 {
            j += 1;
        }
        runs.push(if j > i + 1 {
            format!("{} to {}", rows[i], rows[j])
        } else if j == i + 1 {
            format!("{}, {}", rows[i], rows[j])
        } else {
            rows[i].to_string()
        });
        i = j + 1;
    }
    match runs.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => runs.concat(),
    }
}

impl std::fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let place = match &self.place {
            Place::File => None,
            Place::Rows(rows) if rows.len() == 1 => Some(format!("Row {}", rows[0])),
            Place::Rows(rows) => Some(format!("Rows {}", rows_in_words(rows))),
            Place::EveryRow => Some("Every row".to_owned()),
        };
        match (place, &self.column) {
            (Some(p), Some(c)) => write!(f, "{p}, column “{c}”: {}", self.message),
            (Some(p), None) => write!(f, "{p}: {}", self.message),
            (None, Some(c)) => write!(f, "Column “{c}”: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

/// What reading a file found: the entries, ready to become drafts, and every problem. Import
/// only when `problems` is empty.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub headers: Vec<String>,
    /// Each column's target, in header order.
    pub mapping: Vec<Target>,
    /// Columns (by place) whose field was neither chosen nor guessed: read as ignored, but said
    /// as a problem until the person chooses a field or chooses to ignore them.
    pub unchosen: Vec<usize>,
    /// The values given for every row, by field path, as given.
    pub set: Vec<(String, String)>,
    /// Fields every entry needs that no column holds and no value was given for.
    pub missing: Vec<&'static str>,
    /// (spreadsheet row, entry)
    pub entries: Vec<(u64, Project)>,
    pub problems: Vec<ImportProblem>,
}

impl ImportReport {
    /// Why the file could not be read at all (then no column was read), if so.
    pub fn refused(&self) -> Option<&ImportProblem> {
        self.headers
            .is_empty()
            .then(|| self.problems.first())
            .flatten()
    }

    fn refuse(message: impl Into<String>) -> ImportReport {
        ImportReport {
            problems: vec![ImportProblem {
                place: Place::File,
                column: None,
                message: message.into(),
            }],
            ..ImportReport::default()
        }
    }

    fn problem(&mut self, place: Place, column: Option<&str>, message: impl Into<String>) {
        self.problems.push(ImportProblem {
            place,
            column: column.map(str::to_owned),
            message: message.into(),
        });
    }
}

/// The file's column headers (none when the first line cannot be read).
pub fn headers(csv_text: &str) -> Vec<String> {
    csv::ReaderBuilder::new()
        .from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes())
        .headers()
        .map(|h| h.iter().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Where each column goes; problems with the choices go into `report`.
fn map_columns(report: &mut ImportReport, headers: &[String], columns: &Columns) {
    let mut used: HashMap<String, String> = HashMap::new();
    for (place, h) in headers.iter().enumerate() {
        let target = match columns.mapping.get(h) {
            Some(t) => t.clone(),
            None => guess(h).map_or_else(
                || {
                    report.unchosen.push(place);
                    report.problem(
                        Place::File,
                        Some(h),
                        "Choose the field this column holds, or ignore it",
                    );
                    Target::Ignore
                },
                Target::Field,
            ),
        };
        if let Target::Field(path) = &target {
            if !known(path) {
                report.problem(
                    Place::File,
                    Some(h),
                    format!(
                        "“{path}” is not a field of an entry. The fields are: {}",
                        fields::paths()
                    ),
                );
            } else if let Some(other) = used.insert(path.clone(), h.clone()) {
                report.problem(
                    Place::File,
                    Some(h),
                    format!("Column “{other}” already holds {}", label(path)),
                );
            }
        }
        report.mapping.push(target);
    }
    let mut unknown: Vec<&String> = columns
        .mapping
        .keys()
        .filter(|k| !headers.contains(k))
        .collect();
    unknown.sort();
    for h in unknown {
        report.problem(
            Place::File,
            None,
            format!(
                "No column is called “{h}”. The columns are: {}",
                headers.join(", ")
            ),
        );
    }
    for (path, value) in &columns.set {
        if let Err(e) = value_for_every_row(path, value) {
            report.problem(Place::File, None, format!("The value for every row: {e}"));
        } else if let Some(column) = used.get(path.trim()) {
            report.problem(
                Place::File,
                Some(column),
                format!(
                    "This column holds {}, and a value is also given for every row: ignore the column or remove the value",
                    label(path)
                ),
            );
        }
    }
    for field in needed_in_every_row() {
        let given = used.contains_key(field.path)
            || columns.set.iter().any(|(p, _)| p.trim() == field.path);
        if given {
            continue;
        }
        report.missing.push(field.path);
        let message = if field.path == "title" {
            format!(
                "No row has “{}”: choose the column that holds it",
                field.label
            )
        } else {
            format!(
                "No row has “{}”: choose the column that holds it, or give one value for all rows",
                field.label
            )
        };
        report.problem(Place::File, None, message);
    }
}

/// Reads a CSV file for `organisation`. Columns that map to nothing are problems, so nothing is
/// silently lost; a problem found in the same column on several rows is said once, with its rows.
pub fn read(csv_text: &str, organisation: &Slug, columns: &Columns, today: Date) -> ImportReport {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.iter().map(str::to_owned).collect::<Vec<_>>(),
        Err(e) => {
            return ImportReport::refuse(format!(
                "Row 1 cannot be read as CSV ({e}). Save the spreadsheet as “CSV UTF-8” and try again"
            ));
        }
    };
    if let Some(message) = header_problem(&headers) {
        return ImportReport::refuse(message);
    }
    let mut report = ImportReport {
        set: columns.set.clone(),
        ..ImportReport::default()
    };
    map_columns(&mut report, &headers, columns);
    report.headers = headers;
    let set: Vec<(String, String)> = columns
        .set
        .iter()
        .filter_map(|(p, v)| Some((p.trim().to_owned(), value_for_every_row(p, v).ok()?)))
        .flat_map(|(p, vs)| vs.into_iter().map(move |v| (p.clone(), v)))
        .collect();
    let Ok(placeholder) = "Untitled entry".parse::<Title>() else {
        return report;
    };
    let start = Project::new_draft(
        placeholder,
        organisation.clone(),
        false,
        DecisionRole::InformationOnly,
        today,
    );
    // Spreadsheet rows, not lines of text: a cell may hold line breaks. (A blank row in a
    // spreadsheet is saved as a line of commas, so it is still a record here.)
    let mut rows = 0;
    let mut quiet: HashSet<String> = report.missing.iter().map(|m| (*m).to_owned()).collect();
    quiet.extend(
        columns
            .set
            .iter()
            .filter(|(p, v)| value_for_every_row(p, v).is_err())
            .map(|(p, _)| p.trim().to_owned()),
    );
    for (n, record) in reader.records().enumerate() {
        let row = n as u64 + 2;
        if n >= MAX_ROWS {
            return ImportReport::refuse(format!(
                "The file has more than {MAX_ROWS} rows. Split it into smaller files and import each one"
            ));
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let message = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!(
                        "This row has {len} cells but the header has {expected_len} columns. Check for a comma outside quotes"
                    ),
                    _ => format!("This row cannot be read: {e}"),
                };
                report.problem(Place::Rows(vec![row]), None, message);
                rows += 1;
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows += 1;
        read_row(&mut report, &record, row, &set, &quiet, &start);
    }
    if report.entries.is_empty() && report.problems.is_empty() {
        report.problem(
            Place::File,
            None,
            "The file has no entries under its header row",
        );
    }
    say_once(&mut report.problems, rows);
    report
}

/// One row: its cells read as their fields, the values for every row added, the editor's rules
/// applied. Problems already said for the whole file are not said again for the row.
fn read_row(
    report: &mut ImportReport,
    record: &csv::StringRecord,
    row: u64,
    set: &[(String, String)],
    quiet: &HashSet<String>,
    start: &Project,
) {
    let mut input: Vec<(String, String)> = set.to_vec();
    let mut column_of: HashMap<String, String> = HashMap::new();
    let mut said = quiet.clone();
    let mut problems = Vec::new();
    for ((text, target), header) in record.iter().zip(&report.mapping).zip(&report.headers) {
        let Target::Field(path) = target else {
            continue;
        };
        column_of.insert(path.clone(), header.clone());
        match cell(path, text) {
            Ok(values) => input.extend(values.into_iter().map(|v| (path.clone(), v))),
            Err(message) => {
                said.insert(path.clone());
                problems.push((Some(header.clone()), message));
            }
        }
    }
    match apply_all(&input, start) {
        Ok(mut entry) if problems.is_empty() => {
            entry.slug = Slug::from_title(entry.title.as_str()).unwrap_or(entry.slug);
            report.entries.push((row, entry));
        }
        Ok(_) => {}
        Err(errors) => {
            problems.extend(errors.into_iter().filter(|e| !said.contains(&e.field)).map(
                |FieldError { field, message }| match column_of.get(&field) {
                    Some(column) => (Some(column.clone()), message),
                    // No column to name: say which field, as the editor's heading does.
                    None if known(&field) => (None, format!("{message} ({})", label(&field))),
                    None => (None, message),
                },
            ))
        }
    }
    for (column, message) in problems {
        report.problem(Place::Rows(vec![row]), column.as_deref(), message);
    }
}

/// Problems the same in the same column on several rows become one, naming the rows (or
/// "every row" when there are several rows and it is on all of them).
fn say_once(problems: &mut Vec<ImportProblem>, rows: usize) {
    let mut merged: Vec<ImportProblem> = Vec::new();
    for p in problems.drain(..) {
        let Place::Rows(these) = &p.place else {
            merged.push(p);
            continue;
        };
        let same = merged.iter_mut().find(|m| {
            matches!(m.place, Place::Rows(_)) && m.column == p.column && m.message == p.message
        });
        match same {
            Some(ImportProblem {
                place: Place::Rows(all),
                ..
            }) => all.extend(these),
            _ => merged.push(p),
        }
    }
    for p in &mut merged {
        if let Place::Rows(these) = &p.place
            && rows > 1
            && these.len() == rows
        {
            p.place = Place::EveryRow;
        }
    }
    *problems = merged;
}
