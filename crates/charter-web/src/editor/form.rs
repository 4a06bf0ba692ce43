//! What the section forms show: each field of a `charter_core::editor` section as the GOV.UK
//! component for its kind, with the answer, any error and, for paragraphs, the plain-English
//! checker's reading.

use charter_core::Project;
use charter_core::editor::{Field, FieldError, Kind, Section, answer_in};
use charter_core::plain_english::{Band, MIN_WORDS_TO_SCORE, analyse, count_of};
use serde_json::Value;

pub struct OptionView {
    pub id: String,
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

/// What the checker says about one paragraph field's saved answer.
pub struct Reading {
    /// The reading age as shown ("9", "over 25") and its band; `None` when too short to score.
    pub age: Option<(String, Band)>,
    /// "12 words", for a text too short to score, and how many it needs.
    pub words: String,
    pub min_words: u32,
    pub indicative: bool,
    /// What to change to bring a reading age above the target down.
    pub suggestions: Vec<String>,
    /// (what is wrong, the words it is about, a fix)
    pub findings: Vec<(String, String, String)>,
}

pub struct FieldView {
    /// The form field's name, also its id (and the first option's id for choices).
    pub name: String,
    pub label: &'static str,
    pub hint: String,
    /// text, textarea, date, email, url, number, radios, checkboxes
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<OptionView>,
    pub error: Option<String>,
    pub reading: Option<Reading>,
}

impl FieldView {
    /// The ids the field's hint and error have, for `aria-describedby`.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.name));
        }
        ids.join(" ")
    }
}

/// Fields shown together: a group with its legend, a list item, or the section's own fields.
pub struct Block {
    pub legend: Option<String>,
    pub hint: &'static str,
    pub fields: Vec<FieldView>,
}

/// Which answer each field shows: the entry's, or what the person sent when it was refused.
pub enum Answers<'a> {
    Saved(&'a Value),
    Sent(&'a [(String, String)]),
}

impl Answers<'_> {
    fn get(&self, name: &str) -> Vec<String> {
        match self {
            Answers::Saved(doc) => answer_in(doc, name),
            Answers::Sent(pairs) => pairs
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .collect(),
        }
    }
}

/// "Only when Status is Paused or Retired", from a field's `only_if`.
fn condition(section: &Section, field: &Field) -> Option<String> {
    let (path, values) = field.only_if?;
    let on = section.fields.iter().find(|f| f.path == path)?;
    let labels: Vec<&str> = match on.kind {
        Kind::One(options) => values
            .iter()
            .filter_map(|v| options.iter().find(|(s, _)| s == v).map(|(_, l)| *l))
            .collect(),
        _ => values
            .iter()
            .map(|v| if *v == "yes" { "Yes" } else { "No" })
            .collect(),
    };
    Some(format!(
        "Answer only when “{}” is {}.",
        on.label,
        labels.join(" or ")
    ))
}

fn view(
    section: &Section,
    field: &Field,
    name: String,
    answers: &Answers,
    errors: &[FieldError],
    top_level_required: bool,
) -> FieldView {
    let values = answers.get(&name);
    let option = |i: usize, value: &'static str, label: &'static str| OptionView {
        id: if i == 0 {
            name.clone()
        } else {
            format!("{name}-{i}")
        },
        value,
        label,
        checked: values.iter().any(|v| v == value) || (value.is_empty() && values.is_empty()),
    };
    let choices = |options: &'static [(&'static str, &'static str)]| {
        let mut out: Vec<OptionView> = options
            .iter()
            .enumerate()
            .map(|(i, (v, l))| option(i, v, l))
            .collect();
        // Radios cannot be cleared once chosen: an answer that is not required can go back to none.
        if !top_level_required {
            out.push(option(out.len(), "", "Not answered"));
        }
        out
    };
    let (kind, options) = match field.kind {
        Kind::Text => ("text", Vec::new()),
        Kind::LongText => ("textarea", Vec::new()),
        Kind::Date => ("date", Vec::new()),
        Kind::Email => ("email", Vec::new()),
        Kind::Url => ("url", Vec::new()),
        Kind::Number(_) => ("number", Vec::new()),
        Kind::YesNo => ("radios", choices(&[("yes", "Yes"), ("no", "No")])),
        Kind::One(options) => ("radios", choices(options)),
        Kind::Many(options) => (
            "checkboxes",
            options
                .iter()
                .enumerate()
                .map(|(i, (v, l))| option(i, v, l))
                .map(|mut o| {
                    o.checked = values.iter().any(|v| v == o.value);
                    o
                })
                .collect(),
        ),
    };
    let value = values.first().cloned().unwrap_or_default();
    let reading = (field.kind == Kind::LongText && matches!(answers, Answers::Saved(_)))
        .then(|| reading(&value))
        .flatten();
    let mut hint = field.hint.to_owned();
    if let Some(c) = condition(section, field) {
        hint = if hint.is_empty() {
            c
        } else {
            format!("{hint}. {c}")
        };
    }
    FieldView {
        error: errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| e.message.clone()),
        name,
        label: field.label,
        hint,
        kind,
        value,
        options,
        reading,
    }
}

fn reading(text: &str) -> Option<Reading> {
    if text.trim().is_empty() {
        return None;
    }
    let a = analyse(text);
    if a.reading_age.is_none() && !a.too_short {
        return None;
    }
    let age = a.reading_age.map(|r| (r.to_string(), r.band()));
    let above_target = a.band.is_some_and(|b| b != Band::Target);
    Some(Reading {
        age,
        words: count_of(a.counts.words.into(), "word", "words"),
        min_words: MIN_WORDS_TO_SCORE,
        indicative: a.indicative,
        suggestions: if above_target {
            a.suggestions
        } else {
            Vec::new()
        },
        findings: a
            .findings
            .into_iter()
            .map(|f| (f.message, f.text, f.suggestion))
            .collect(),
    })
}

/// The section's fields in blocks, in order: loose fields, then each group under its legend,
/// then the list's items and one blank item to add another.
pub fn blocks(
    section: &Section,
    entry: &Project,
    sent: Option<&[(String, String)]>,
    errors: &[FieldError],
) -> Vec<Block> {
    let doc = serde_json::to_value(entry).unwrap_or(Value::Null);
    let answers = match sent {
        Some(pairs) => Answers::Sent(pairs),
        None => Answers::Saved(&doc),
    };
    let mut out: Vec<Block> = Vec::new();
    for field in section.fields {
        let group = field.group();
        let fv = view(
            section,
            field,
            field.path.to_owned(),
            &answers,
            errors,
            field.required && group.is_none(),
        );
        let legend = group.and_then(|g| section.groups.iter().find(|x| x.path == g));
        let legend_text = legend.map(|g| g.legend.to_owned());
        match out.last_mut() {
            Some(b) if b.legend == legend_text => b.fields.push(fv),
            _ => out.push(Block {
                legend: legend_text,
                hint: legend.map_or("", |g| g.hint),
                fields: vec![fv],
            }),
        }
    }
    if let Some(list) = &section.list {
        let count = match &answers {
            Answers::Saved(doc) => doc
                .get(list.path)
                .and_then(Value::as_array)
                .map_or(0, Vec::len),
            Answers::Sent(pairs) => pairs
                .iter()
                .filter_map(|(k, _)| {
                    k.strip_prefix(list.path)?
                        .strip_prefix('.')?
                        .split_once('.')?
                        .0
                        .parse::<usize>()
                        .ok()
                })
                .max()
                .map_or(0, |n| n + 1),
        };
        let shown = match &answers {
            Answers::Saved(_) => count + 1,
            Answers::Sent(_) => count.max(1),
        };
        for i in 0..shown {
            let legend = if i < count {
                format!("{} {}", charter_core::capitalise(list.item), i + 1)
            } else {
                format!("Add a {}", list.item)
            };
            out.push(Block {
                legend: Some(legend),
                hint: "",
                fields: list
                    .fields
                    .iter()
                    .map(|f| {
                        view(
                            section,
                            f,
                            format!("{}.{i}.{}", list.path, f.path),
                            &answers,
                            errors,
                            false,
                        )
                    })
                    .collect(),
            });
        }
    }
    out
}
