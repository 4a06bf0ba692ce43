//! Whether a file can be read at all: CSV text, a header row naming each column once. Each
//! refusal is one message saying how to put it right, before any row is read.

use super::fields::normalise;
use crate::editor::parse_date;

/// The largest file read at all (the import page takes less; see charter-web).
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// The most rows one file may hold.
pub const MAX_ROWS: usize = 5_000;

const SAVE_AS: &str = "In your spreadsheet, choose Save as and then “CSV UTF-8”, and use that file";

/// The file's bytes as text, or why they are not a CSV file.
pub fn text(bytes: Vec<u8>) -> Result<String, String> {
    let kind = if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Some("a spreadsheet workbook (such as .xlsx)")
    } else if bytes.starts_with(b"%PDF") {
        Some("a PDF")
    } else {
        None
    };
    if let Some(kind) = kind {
        return Err(format!("This file is {kind}, not a CSV file. {SAVE_AS}"));
    }
    match String::from_utf8(bytes) {
        Ok(t) if t.contains('\0') => Err(format!("This file is not a CSV file. {SAVE_AS}")),
        Ok(t) => Ok(t.trim_start_matches('\u{feff}').to_owned()),
        Err(_) => Err(format!("This file is not saved as UTF-8 text. {SAVE_AS}")),
    }
}

/// A cell that holds a value rather than a column's name: a date, a number, a web or email
/// address, or a long text.
fn looks_like_a_value(cell: &str) -> bool {
    let c = cell.trim();
    parse_date(c).is_some()
        || c.parse::<f64>().is_ok()
        || c.starts_with("http://")
        || c.starts_with("https://")
        || (c.contains('@') && !c.contains(' '))
        || c.chars().count() > 120
}

/// Why the header row cannot name the columns, if it cannot.
pub fn header_problem(headers: &[String]) -> Option<String> {
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Some(
            "The file is empty, or its first row is blank. Row 1 must name the columns, such as “Project name” and “Status”".into(),
        );
    }
    if let Some(value) = headers.iter().find(|h| looks_like_a_value(h)) {
        return Some(format!(
            "Row 1 must name the columns, such as “Project name” and “Status”, but it holds “{}”, which looks like an answer. Add a row of column names at the top and try again",
            value.trim()
        ));
    }
    if let Some(i) = headers.iter().position(|h| h.trim().is_empty()) {
        return Some(format!(
            "Column {} has no name in row 1. Give it a name, or delete the column",
            i + 1
        ));
    }
    for (i, h) in headers.iter().enumerate() {
        if let Some(j) = headers[..i]
            .iter()
            .position(|o| normalise(o) == normalise(h))
        {
            return Some(format!(
                "Columns {} and {} are both called “{}”. Give each column its own name, or delete one",
                j + 1,
                i + 1,
                h.trim()
            ));
        }
    }
    None
}
