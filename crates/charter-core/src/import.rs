//! Bulk import: an organisation's existing list of projects, one CSV row per entry, becomes
//! drafts. Each column is mapped to an editor field (by its name, such as `summary` or
//! `challenge_route.how`, or its label); each row is read by the editor's own rules, so the import
//! refuses exactly what the forms refuse, with the line number. Nothing is written here: the
//! caller imports all rows or none.

use std::collections::HashMap;

use crate::editor::{FieldError, Kind, SECTIONS, apply_all, known};
use crate::picklists::DecisionRole;
use crate::{Date, Project, Slug, Title};

/// Where a column goes: a field, or nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Field(String),
    Ignore,
}

/// A problem with the file or one of its rows. Line 1 is the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    pub line: u64,
    /// The column's header, when the problem is in one cell.
    pub column: Option<String>,
    pub message: String,
}

impl std::fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(f, "line {}, column “{c}”: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
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
    /// (line, entry)
    pub entries: Vec<(u64, Project)>,
    pub problems: Vec<ImportProblem>,
}

/// The most rows one file may hold.
pub const MAX_ROWS: usize = 5_000;

fn normalise(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect()
}

/// The field a header names by itself: its path, or its label (when only one field has it).
pub fn guess(header: &str) -> Option<String> {
    let h = normalise(header);
    if known(&h) {
        return Some(h);
    }
    let by_label: Vec<&str> = SECTIONS
        .iter()
        .flat_map(|s| s.fields)
        .filter(|f| normalise(f.label) == h)
        .map(|f| f.path)
        .collect();
    match by_label[..] {
        [one] => Some(one.to_owned()),
        _ => None,
    }
}

fn kind_of(path: &str) -> Option<Kind> {
    let item_field = |p: &str| -> Option<Kind> {
        SECTIONS.iter().find_map(|s| {
            let l = s.list.as_ref()?;
            let rest = p.strip_prefix(l.path)?.strip_prefix('.')?;
            let (_, sub) = rest.split_once('.')?;
            l.fields.iter().find(|f| f.path == sub).map(|f| f.kind)
        })
    };
    SECTIONS
        .iter()
        .flat_map(|s| s.fields)
        .find(|f| f.path == path)
        .map(|f| f.kind)
        .or_else(|| item_field(path))
}

/// The file's column headers (none when the first line cannot be read).
pub fn headers(csv_text: &str) -> Vec<String> {
    csv::ReaderBuilder::new()
        .from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes())
        .headers()
        .map(|h| h.iter().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Reads a CSV file for `organisation`. `mapping` overrides the guess for the headers it names
/// (`Target::Ignore` drops a column). Columns that map to nothing are problems, so nothing is
/// silently lost.
pub fn read(
    csv_text: &str,
    organisation: &Slug,
    mapping: &HashMap<String, Target>,
    today: Date,
) -> ImportReport {
    let mut report = ImportReport::default();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.iter().map(str::to_owned).collect::<Vec<_>>(),
        Err(e) => {
            report.problems.push(ImportProblem {
                line: 1,
                column: None,
                message: format!("The file cannot be read as CSV: {e}"),
            });
            return report;
        }
    };
    if headers.iter().all(|h| h.trim().is_empty()) {
        report.problems.push(ImportProblem {
            line: 1,
            column: None,
            message: "The file is empty: the first line must name the columns".into(),
        });
        return report;
    }
    let mut used: HashMap<String, String> = HashMap::new();
    for h in &headers {
        let target = match mapping.get(h) {
            Some(t) => t.clone(),
            None => match guess(h) {
                Some(path) => Target::Field(path),
                None => {
                    report.problems.push(ImportProblem {
                        line: 1,
                        column: Some(h.clone()),
                        message: "Choose the field this column holds, or ignore it".into(),
                    });
                    Target::Ignore
                }
            },
        };
        if let Target::Field(path) = &target {
            if !known(path) {
                report.problems.push(ImportProblem {
                    line: 1,
                    column: Some(h.clone()),
                    message: format!("“{path}” is not a field of an entry"),
                });
            } else if let Some(other) = used.insert(path.clone(), h.clone()) {
                report.problems.push(ImportProblem {
                    line: 1,
                    column: Some(h.clone()),
                    message: format!("Column “{other}” already holds {path}"),
                });
            }
        }
        report.mapping.push(target);
    }
    if !used.contains_key("title") {
        report.problems.push(ImportProblem {
            line: 1,
            column: None,
            message: "No column holds the project's name (title)".into(),
        });
    }
    report.headers = headers;
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
    for (n, record) in reader.records().enumerate() {
        let line = record
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map_or(n as u64 + 2, |p| p.line());
        if n >= MAX_ROWS {
            report.problems.push(ImportProblem {
                line,
                column: None,
                message: format!("A file may hold up to {MAX_ROWS} entries: split it"),
            });
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                report.problems.push(ImportProblem {
                    line,
                    column: None,
                    message: format!("This line cannot be read: {e}"),
                });
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut input: Vec<(String, String)> = Vec::new();
        let mut column_of: HashMap<String, String> = HashMap::new();
        for ((cell, target), header) in record.iter().zip(&report.mapping).zip(&report.headers) {
            let Target::Field(path) = target else {
                continue;
            };
            column_of.insert(path.clone(), header.clone());
            // Several choices in one cell are separated by semicolons, as in the register's CSV.
            if matches!(kind_of(path), Some(Kind::Many(_))) {
                for v in cell.split(';').map(str::trim).filter(|v| !v.is_empty()) {
                    input.push((path.clone(), v.to_owned()));
                }
            } else {
                input.push((path.clone(), cell.to_owned()));
            }
        }
        match apply_all(&input, &start) {
            Ok(mut entry) => {
                entry.slug = Slug::from_title(entry.title.as_str()).unwrap_or(entry.slug);
                report.entries.push((line, entry));
            }
            Err(errors) => {
                report
                    .problems
                    .extend(
                        errors
                            .into_iter()
                            .map(|FieldError { field, message }| ImportProblem {
                                line,
                                column: column_of.get(&field).cloned(),
                                message,
                            }),
                    )
            }
        }
    }
    if report.entries.is_empty() && report.problems.is_empty() {
        report.problems.push(ImportProblem {
            line: 2,
            column: None,
            message: "The file has no entries under its header".into(),
        });
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org() -> Slug {
        "knowsley-council".parse().unwrap()
    }

    fn today() -> Date {
        "2026-11-30".parse().unwrap()
    }

    #[test]
    fn reads_rows_by_field_name_or_label_with_lists_split() {
        let csv = "Project name,status,uses_ai,decision_role,Areas it covers,topics,summary\n\
                   Street lights,in-use,no,information-only,knowsley; halton,environment,Lights dim at night.\n\
                   Bus times,pilot,yes,supports-person,knowsley,transport,\"Times, live.\"\n";
        let r = read(csv, &org(), &HashMap::new(), today());
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.entries.len(), 2);
        let (line, first) = &r.entries[0];
        assert_eq!(*line, 2);
        assert_eq!(first.title.as_str(), "Street lights");
        assert_eq!(first.areas.len(), 2);
        assert_eq!(first.slug.as_str(), "street-lights");
        assert_eq!(first.organisation, org());
        assert_eq!(r.entries[1].1.summary, "Times, live.");
    }

    #[test]
    fn every_problem_has_its_line_and_column() {
        let csv = "title,status,uses_ai,decision_role,start_date,Owner\n\
                   Good one,planned,no,information-only,2026-01-01,x\n\
                   ,finished,maybe,information-only,31/02/2026,y\n";
        let r = read(csv, &org(), &HashMap::new(), today());
        let said: Vec<String> = r.problems.iter().map(ToString::to_string).collect();
        assert!(
            said.iter()
                .any(|p| p.starts_with("line 1, column “Owner”: Choose the field")),
            "{said:?}"
        );
        for column in ["title", "status", "uses_ai", "start_date"] {
            assert!(
                said.iter()
                    .any(|p| p.starts_with(&format!("line 3, column “{column}”"))),
                "{column}: {said:?}"
            );
        }
        assert!(!said.iter().any(|p| p.starts_with("line 2,")), "{said:?}");
    }

    #[test]
    fn a_mapping_names_or_ignores_columns() {
        let csv = "Name,State,AI?,Role,Internal ref\nLights,in-use,no,information-only,A-17\n";
        let mut m = HashMap::new();
        m.insert("Name".to_owned(), Target::Field("title".into()));
        m.insert("State".to_owned(), Target::Field("status".into()));
        m.insert("AI?".to_owned(), Target::Field("uses_ai".into()));
        m.insert("Role".to_owned(), Target::Field("decision_role".into()));
        m.insert("Internal ref".to_owned(), Target::Ignore);
        let r = read(csv, &org(), &m, today());
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        m.insert("Role".to_owned(), Target::Field("status".into()));
        let r = read(csv, &org(), &m, today());
        assert!(
            r.problems[0].message.contains("already holds status"),
            "{:?}",
            r.problems
        );
    }

    #[test]
    fn bad_files_are_refused_clearly() {
        let r = read("", &org(), &HashMap::new(), today());
        assert!(r.problems[0].message.contains("empty"), "{:?}", r.problems);
        let r = read("title\n", &org(), &HashMap::new(), today());
        assert!(
            r.problems[0].message.contains("no entries"),
            "{:?}",
            r.problems
        );
        let r = read(
            "title,status\nA,planned,extra\n",
            &org(),
            &HashMap::new(),
            today(),
        );
        assert!(
            r.problems
                .iter()
                .any(|p| p.line == 2 && p.message.contains("cannot be read")),
            "{:?}",
            r.problems
        );
        let r = read("status\nplanned\n", &org(), &HashMap::new(), today());
        assert!(
            r.problems
                .iter()
                .any(|p| p.message.contains("project's name")),
            "{:?}",
            r.problems
        );
    }
}
