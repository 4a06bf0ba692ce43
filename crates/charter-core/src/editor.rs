//! The entry editor, defined once: its sections, their fields (each named by its path in the
//! entry's JSON), how each value is read and checked, and when a section is complete. The web
//! forms, the write API and the CSV import all go through [`apply`], so they accept and refuse
//! exactly the same things.

use serde_json::{Map, Value};

use crate::project::Project;
use crate::{Date, Email, Title, WebUrl};

/// What sort of answer a field takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// One line, up to [`SHORT_LIMIT`] characters.
    Text,
    /// Paragraphs, up to [`LONG_LIMIT`] characters; the plain-English checker reads these.
    LongText,
    Date,
    Email,
    Url,
    /// A whole number from 0 to the limit.
    Number(u32),
    YesNo,
    /// One value from a list of (slug, label).
    One(&'static [(&'static str, &'static str)]),
    /// Any number of values from a list of (slug, label).
    Many(&'static [(&'static str, &'static str)]),
}

pub const SHORT_LIMIT: usize = 300;
pub const LONG_LIMIT: usize = 5_000;
/// The most items a list (consultations, outcome reports) takes in one save.
pub const LIST_LIMIT: usize = 100;

/// When a field is needed for a complete entry.
#[derive(Clone, Copy)]
pub enum Need {
    No,
    Yes,
    When(fn(&Project) -> bool),
}

impl Need {
    fn holds(self, p: &Project) -> bool {
        match self {
            Need::No => false,
            Need::Yes => true,
            Need::When(f) => f(p),
        }
    }
}

pub struct Field {
    /// Path in the entry's JSON, such as `challenge_route.how`; relative to the item in a list.
    pub path: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub kind: Kind,
    /// Must be answered: always, for a field outside a group; whenever any of its group is
    /// answered, for a field in one (a group is every field sharing the path before the last dot).
    pub required: bool,
    /// Kept only while another field (by absolute path) has one of these values.
    pub only_if: Option<(&'static str, &'static [&'static str])>,
    /// Needed before the section counts as complete.
    pub needed: Need,
}

/// A set of fields shown together under a heading, such as one duty holder.
pub struct Group {
    pub path: &'static str,
    pub legend: &'static str,
    pub hint: &'static str,
}

/// A repeating part, such as consultations.
pub struct List {
    pub path: &'static str,
    /// What one item is called, in lower case: "consultation".
    pub item: &'static str,
    pub fields: &'static [Field],
}

pub struct Section {
    pub slug: &'static str,
    pub title: &'static str,
    /// The charter principles this section shows, in words.
    pub principles: &'static str,
    pub intro: &'static str,
    pub fields: &'static [Field],
    pub groups: &'static [Group],
    pub list: Option<List>,
}

/// A problem with one answer: `field` is the form field's name (its path), empty for the entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// How far a section has got, for the task list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    NotStarted,
    InProgress,
    Completed,
    /// Nothing in it is needed, and nothing is given yet.
    Optional,
}

impl Progress {
    pub fn label(self) -> &'static str {
        match self {
            Progress::NotStarted => "Not started",
            Progress::InProgress => "In progress",
            Progress::Completed => "Completed",
            Progress::Optional => "Optional",
        }
    }
}

mod sections;
pub use sections::{SECTIONS, section};

/// Form values by name; a name may repeat (checkboxes).
pub type Input = [(String, String)];

fn values<'a>(input: &'a Input, name: &str) -> impl Iterator<Item = &'a str> {
    input
        .iter()
        .filter(move |(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Dates as people type them: 2026-03-31 or 31/3/2026.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    if let Ok(d) = s.parse::<Date>() {
        return Some(d);
    }
    let parts: Vec<&str> = s.split(['/', '.']).map(str::trim).collect();
    if let [d, m, y] = parts[..]
        && y.len() == 4
        && d.len() <= 2
        && m.len() <= 2
    {
        return format!("{y}-{m:0>2}-{d:0>2}").parse().ok();
    }
    None
}

/// Reads one field's answer: `Ok(Value::Null)` when blank.
fn read(field: &Field, name: &str, input: &Input) -> Result<Value, String> {
    let first = values(input, name).next().unwrap_or("").trim();
    let bad_choice = |v: &str| {
        format!(
            "“{v}” is not one of the choices for {}",
            field.label.to_lowercase()
        )
    };
    let value = match field.kind {
        Kind::Many(options) => {
            let mut chosen = Vec::new();
            for v in values(input, name).map(str::trim).filter(|v| !v.is_empty()) {
                if !options.iter().any(|(slug, _)| *slug == v) {
                    return Err(bad_choice(v));
                }
                if !chosen.iter().any(|c: &Value| c == v) {
                    chosen.push(Value::String(v.to_owned()));
                }
            }
            // Nothing chosen is an empty list, not a missing one: lists such as areas are always there.
            return Ok(Value::Array(chosen));
        }
        _ if first.is_empty() => return Ok(Value::Null),
        Kind::Text | Kind::LongText => {
            let limit = if field.kind == Kind::Text {
                SHORT_LIMIT
            } else {
                LONG_LIMIT
            };
            let n = first.chars().count();
            if n > limit {
                return Err(format!(
                    "{} must be {limit} characters or fewer (it has {n})",
                    field.label
                ));
            }
            // Carriage returns from browsers are not part of the text.
            Value::String(first.replace("\r\n", "\n"))
        }
        Kind::Date => match parse_date(first) {
            Some(d) => Value::String(d.to_string()),
            None => {
                return Err(format!(
                    "{} must be a real date, such as 2026-03-31",
                    field.label
                ));
            }
        },
        Kind::Email => match first.parse::<Email>() {
            Ok(e) => Value::String(e.to_string()),
            Err(_) => {
                return Err(
                    "Enter an email address in the right form, like name@example.org".into(),
                );
            }
        },
        Kind::Url => match first.parse::<WebUrl>() {
            Ok(u) => Value::String(u.to_string()),
            Err(_) => {
                return Err("Enter a web address starting with https:// or http://".into());
            }
        },
        Kind::Number(max) => match first.replace(',', "").parse::<u32>() {
            Ok(n) if n <= max => Value::from(n),
            _ => {
                return Err(format!(
                    "{} must be a whole number from 0 to {max}",
                    field.label
                ));
            }
        },
        Kind::YesNo => match first {
            "yes" | "true" => Value::Bool(true),
            "no" | "false" => Value::Bool(false),
            other => return Err(bad_choice(other)),
        },
        Kind::One(options) => {
            if !options.iter().any(|(slug, _)| *slug == first) {
                return Err(bad_choice(first));
            }
            Value::String(first.to_owned())
        }
    };
    if field.path == "title"
        && let Err(e) = first.parse::<Title>()
    {
        return Err(e.to_string());
    }
    // A law review names a change on the register's list by its number.
    if field.path == sections::LAW_CHANGE_FIELD {
        return match first.to_uppercase().parse::<crate::LawChangeId>() {
            Ok(id) => Ok(Value::String(id.to_string())),
            Err(_) => Err(crate::ids::IdError::LawChangeId(first.to_owned()).to_string()),
        };
    }
    Ok(value)
}

fn get<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(doc, |v, key| match v {
        Value::Object(m) => m.get(key),
        Value::Array(a) => key.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

fn set(doc: &mut Value, path: &str, value: Value) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let Some(last) = parts.pop() else { return };
    let mut here = doc;
    for key in parts {
        // Clearing inside something that is not there is already done.
        if value.is_null() && !here.get(key).is_some_and(Value::is_object) {
            return;
        }
        if !here.get(key).is_some_and(Value::is_object)
            && let Value::Object(m) = here
        {
            m.insert(key.to_owned(), Value::Object(Map::new()));
        }
        match here.get_mut(key) {
            Some(next) => here = next,
            None => return,
        }
    }
    if let Value::Object(m) = here {
        if value.is_null() {
            m.remove(last);
        } else {
            m.insert(last.to_owned(), value);
        }
    }
}

/// Whether an answer counts as given.
fn given(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(_) => true,
    }
}

/// The answers to a set of fields (the section's own, or one list item's), checked against one
/// another: `only_if`, groups answered in part, required answers.
fn read_fields(
    fields: &[Field],
    prefix: &str,
    input: &Input,
    doc: &Value,
    errors: &mut Vec<FieldError>,
) -> Vec<(&'static str, Value)> {
    let mut answers: Vec<(&'static str, Value)> = Vec::new();
    for field in fields {
        let name = format!("{prefix}{}", field.path);
        match read(field, &name, input) {
            Ok(v) => answers.push((field.path, v)),
            Err(message) => {
                errors.push(FieldError::new(name, message));
                answers.push((field.path, Value::Null));
            }
        }
    }
    let answer = |path: &str, answers: &[(&str, Value)]| -> Option<Value> {
        answers
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, v)| v.clone())
            .or_else(|| get(doc, path).cloned())
    };
    let applies = |field: &Field, answers: &[(&str, Value)]| match field.only_if {
        None => true,
        Some((path, allowed)) => {
            let v = answer(path, answers);
            let s = match v {
                Some(Value::String(s)) => s,
                Some(Value::Bool(true)) => "yes".into(),
                Some(Value::Bool(false)) => "no".into(),
                _ => String::new(),
            };
            allowed.contains(&s.as_str())
        }
    };
    // Answers to fields that do not apply are dropped, not refused: they are hidden on the form.
    let keep: Vec<bool> = fields.iter().map(|f| applies(f, &answers)).collect();
    for (slot, keep) in answers.iter_mut().zip(&keep) {
        if !keep {
            slot.1 = Value::Null;
        }
    }
    let fields: Vec<&Field> = fields.iter().collect();
    let already = |errors: &[FieldError], name: &str| errors.iter().any(|e| e.field == name);
    for (i, field) in fields.iter().enumerate() {
        if !field.required || !keep[i] || given(Some(&answers[i].1)) {
            continue;
        }
        let name = format!("{prefix}{}", field.path);
        if already(errors, &name) {
            continue;
        }
        let group_answered = match field.group() {
            None => true,
            Some(g) => fields
                .iter()
                .zip(&answers)
                .any(|(f, (_, v))| f.group() == Some(g) && given(Some(v))),
        };
        if group_answered {
            errors.push(FieldError::new(name, field.missing_message()));
        }
    }
    answers
}

/// Applies the answers to one section's fields to an entry. Blank answers clear fields; a group
/// with no answers is removed. Returns every problem, each named by its field.
pub fn apply(
    section: &Section,
    input: &Input,
    entry: &Project,
) -> Result<Project, Vec<FieldError>> {
    let mut doc = serde_json::to_value(entry).unwrap_or(Value::Null);
    let mut errors = Vec::new();
    let answers = read_fields(section.fields, "", input, &doc, &mut errors);
    // Groups are written whole, so answers that were cleared do not linger.
    for field in section.fields {
        if let Some(g) = field.group() {
            set(&mut doc, g, Value::Null);
        }
    }
    // A group with no answers stays away, even if some of its (empty) answers are lists.
    let answered = |g: &str| {
        answers
            .iter()
            .any(|(p, v)| p.rsplit_once('.').map(|(pg, _)| pg) == Some(g) && given(Some(v)))
    };
    for (path, value) in &answers {
        match path.rsplit_once('.') {
            Some((g, _)) if !answered(g) => {}
            _ => set(&mut doc, path, value.clone()),
        }
    }
    if let Some(list) = &section.list {
        let mut items = Vec::new();
        for i in list_indices(input, list.path) {
            let prefix = format!("{}.{i}.", list.path);
            // An item left blank on the form is not an item.
            let blank = input
                .iter()
                .filter(|(k, _)| k.starts_with(&prefix))
                .all(|(_, v)| v.trim().is_empty());
            if blank {
                continue;
            }
            let item_doc = Value::Object(Map::new());
            let item_answers = read_fields(list.fields, &prefix, input, &item_doc, &mut errors);
            if item_answers.iter().all(|(_, v)| !given(Some(v))) {
                continue;
            }
            let mut item = Value::Object(Map::new());
            for (path, value) in item_answers {
                set(&mut item, path, value);
            }
            items.push(item);
        }
        set(&mut doc, list.path, Value::Array(items));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let project: Project = serde_json::from_value(doc).map_err(|e| {
        vec![FieldError::new(
            "",
            format!("The entry cannot be saved: {e}"),
        )]
    })?;
    // What the types allow but the entry cannot hold (an end before its start, say).
    let own: Vec<&str> = section
        .fields
        .iter()
        .map(|f| f.path)
        .chain(section.list.as_ref().map(|l| l.path))
        .collect();
    let problems: Vec<FieldError> = project
        .field_problems()
        .into_iter()
        .filter(|(field, _)| own.contains(field) && !INCOMPLETE_NOT_WRONG.contains(field))
        .map(|(field, message)| FieldError::new(field, message))
        .collect();
    if problems.is_empty() {
        Ok(project)
    } else {
        Err(problems)
    }
}

/// Fields whose problems mean "not finished yet": a draft may be saved without them.
const INCOMPLETE_NOT_WRONG: &[&str] = &["summary", "areas", "topics", "status_reason"];

/// The item numbers a list's answers use, in order: `consultations.3.who` is item 3.
fn list_indices(input: &Input, list: &str) -> Vec<usize> {
    let prefix = format!("{list}.");
    let mut found: Vec<usize> = input
        .iter()
        .filter_map(|(k, _)| k.strip_prefix(&prefix)?.split_once('.')?.0.parse().ok())
        .filter(|i| *i < LIST_LIMIT)
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

/// Applies every section: for the write API and the CSV import, which send a whole entry. Names
/// no section knows are refused, so a misspelt column is not silently dropped.
pub fn apply_all(input: &Input, entry: &Project) -> Result<Project, Vec<FieldError>> {
    let mut errors: Vec<FieldError> = input
        .iter()
        .filter(|(k, _)| !known(k))
        .map(|(k, _)| FieldError::new(k.clone(), format!("“{k}” is not a field of an entry")))
        .collect();
    errors.dedup();
    let mut entry = entry.clone();
    for section in SECTIONS {
        match apply(section, input, &entry) {
            Ok(next) => entry = next,
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(entry)
    } else {
        Err(errors)
    }
}

/// Whether a name is a field of some section (list items by any number).
pub fn known(name: &str) -> bool {
    SECTIONS.iter().any(|s| {
        s.fields.iter().any(|f| f.path == name)
            || s.list.as_ref().is_some_and(|l| {
                name.strip_prefix(l.path)
                    .and_then(|r| r.strip_prefix('.'))
                    .and_then(|r| r.split_once('.'))
                    .is_some_and(|(i, sub)| {
                        i.parse::<usize>().is_ok() && l.fields.iter().any(|f| f.path == sub)
                    })
            })
    })
}

/// Every field name a whole entry can have (list items numbered from 0), for documentation and
/// CSV headers.
pub fn field_names() -> impl Iterator<Item = (&'static Section, &'static Field)> {
    SECTIONS
        .iter()
        .flat_map(|s| s.fields.iter().map(move |f| (s, f)))
}

/// An entry's answer to a field, as form values (several for a list of choices).
pub fn answer(entry: &Project, path: &str) -> Vec<String> {
    let doc = serde_json::to_value(entry).unwrap_or(Value::Null);
    answer_in(&doc, path)
}

/// As [`answer`], reading a document already turned into JSON.
pub fn answer_in(doc: &Value, path: &str) -> Vec<String> {
    match get(doc, path) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Bool(b)) => vec![if *b { "yes" } else { "no" }.into()],
        Some(Value::Number(n)) => vec![n.to_string()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(Value::Object(_)) => Vec::new(),
    }
}

/// How far a section has got, and the labels of what it still needs.
pub fn progress(section: &Section, entry: &Project) -> (Progress, Vec<&'static str>) {
    let doc = serde_json::to_value(entry).unwrap_or(Value::Null);
    progress_in(section, entry, &doc)
}

/// Every section's progress, in task-list order, reading the entry once.
pub fn progress_all(
    entry: &Project,
) -> impl Iterator<Item = (&'static Section, Progress, Vec<&'static str>)> {
    let doc = serde_json::to_value(entry).unwrap_or(Value::Null);
    SECTIONS.iter().map(move |s| {
        let (progress, missing) = progress_in(s, entry, &doc);
        (s, progress, missing)
    })
}

fn progress_in(section: &Section, entry: &Project, doc: &Value) -> (Progress, Vec<&'static str>) {
    let applies = |field: &Field| match field.only_if {
        None => true,
        Some((path, allowed)) => answer_in(doc, path)
            .first()
            .is_some_and(|v| allowed.contains(&v.as_str())),
    };
    let mut any_given = false;
    let mut any_needed = false;
    let mut missing = Vec::new();
    for field in section.fields.iter() {
        let has = given(get(doc, field.path));
        any_given |= has;
        if applies(field) && field.needed.holds(entry) {
            any_needed = true;
            if !has {
                missing.push(field.label);
            }
        }
    }
    if let Some(list) = &section.list {
        any_given |= given(get(doc, list.path));
    }
    let progress = match (any_given, missing.is_empty(), any_needed) {
        (false, _, false) => Progress::Optional,
        (false, _, true) => Progress::NotStarted,
        (true, true, _) => Progress::Completed,
        (true, false, _) => Progress::InProgress,
    };
    (progress, missing)
}

/// Turns an entry written as JSON (the write API's body) into form values, so that it is read by
/// exactly the rules the forms use. `true`/`false` become yes/no; lists of objects are numbered.
pub fn input_from_json(value: &Value) -> Vec<(String, String)> {
    fn walk(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
        match v {
            Value::Null => {}
            Value::Bool(b) => out.push((prefix.into(), if *b { "yes" } else { "no" }.into())),
            Value::Number(n) => out.push((prefix.into(), n.to_string())),
            Value::String(s) => out.push((prefix.into(), s.clone())),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if item.is_object() {
                        walk(&format!("{prefix}.{i}"), item, out);
                    } else {
                        walk(prefix, item, out);
                    }
                }
            }
            Value::Object(m) => {
                for (k, v) in m {
                    let name = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&name, v, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk("", value, &mut out);
    out
}

/// One answer that differs between two versions of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub section: &'static str,
    pub label: String,
    pub before: String,
    pub after: String,
}

/// An answer in words: choices by their labels, yes/no, lists joined with commas.
fn shown(field: &Field, values: &[String]) -> String {
    let label = |v: &str| -> String {
        match field.kind {
            Kind::One(options) | Kind::Many(options) => options
                .iter()
                .find(|(slug, _)| *slug == v)
                .map_or(v.to_owned(), |(_, l)| (*l).to_owned()),
            Kind::YesNo => if v == "yes" { "Yes" } else { "No" }.to_owned(),
            _ => v.to_owned(),
        }
    };
    values
        .iter()
        .map(|v| label(v))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every answer that differs from `before` (none: a new entry, so every answer given) to
/// `after`, in the editor's order, for reviewers.
pub fn differences(before: Option<&Project>, after: &Project) -> Vec<Difference> {
    let empty = Value::Null;
    let before = before.map(|p| serde_json::to_value(p).unwrap_or(Value::Null));
    let before = before.as_ref().unwrap_or(&empty);
    let after = serde_json::to_value(after).unwrap_or(Value::Null);
    let mut out = Vec::new();
    let mut compare = |section: &'static str, field: &Field, path: &str, label: String| {
        let (b, a) = (
            shown(field, &answer_in(before, path)),
            shown(field, &answer_in(&after, path)),
        );
        if b != a {
            out.push(Difference {
                section,
                label,
                before: b,
                after: a,
            });
        }
    };
    for section in SECTIONS {
        for field in section.fields {
            let label = match field
                .group()
                .and_then(|g| section.groups.iter().find(|x| x.path == g))
            {
                Some(group) => format!("{}: {}", group.legend, field.label),
                None => field.label.to_owned(),
            };
            compare(section.title, field, field.path, label);
        }
        if let Some(list) = &section.list {
            let count = |doc: &Value| {
                get(doc, list.path)
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len)
            };
            for i in 0..count(before).max(count(&after)) {
                for field in list.fields {
                    let label = format!(
                        "{} {}: {}",
                        crate::capitalise(list.item),
                        i + 1,
                        field.label
                    );
                    compare(
                        section.title,
                        field,
                        &format!("{}.{i}.{}", list.path, field.path),
                        label,
                    );
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
