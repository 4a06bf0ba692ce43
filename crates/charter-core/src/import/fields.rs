//! The fields a column can hold, named so people can tell them apart, and how one cell's words
//! become the editor's values (choices by short name, label or a common other word).

use crate::editor::{Field, Kind, SECTIONS, Section, known};
use crate::picklists::{choose, describe, yes_or_no};

/// The choices a yes-or-no field takes, for forms.
pub const YES_NO: &[(&str, &str)] = &[("yes", "Yes"), ("no", "No")];

/// A field's label with what sets it apart: the duty holder, safe or assessment it belongs to
/// ("Who addresses bias in data and algorithms: Name"), as the editor's group headings say.
pub fn label_in(section: &Section, field: &Field) -> String {
    let legend = field
        .group()
        .and_then(|g| section.groups.iter().find(|x| x.path == g))
        .map(|g| g.legend);
    match legend {
        Some(legend) => format!("{legend}: {}", field.label),
        None => field.label.to_owned(),
    }
}

/// Every field a column can hold, by section: (section title, [(path, label)]).
pub fn choices() -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    SECTIONS
        .iter()
        .filter(|s| !s.fields.is_empty())
        .map(|s| {
            let fields = s.fields.iter().map(|f| (f.path, label_in(s, f))).collect();
            (s.title, fields)
        })
        .collect()
}

/// One section's fields for a reference list: (group legend, [(path, label)]), the legend said
/// once above its fields instead of before each one. Fields outside a group have no legend.
pub type FieldGroups = Vec<(Option<&'static str>, Vec<(&'static str, &'static str)>)>;

/// Every field a column can hold, by section and then by group, for reading rather than choosing.
pub fn reference() -> Vec<(&'static str, FieldGroups)> {
    SECTIONS
        .iter()
        .filter(|s| !s.fields.is_empty())
        .map(|s| {
            let mut groups: FieldGroups = Vec::new();
            for f in s.fields {
                let legend = f
                    .group()
                    .and_then(|g| s.groups.iter().find(|x| x.path == g))
                    .map(|g| g.legend);
                match groups.last_mut() {
                    Some((last, list)) if *last == legend => list.push((f.path, f.label)),
                    _ => groups.push((legend, vec![(f.path, f.label)])),
                }
            }
            (s.title, groups)
        })
        .collect()
}

fn field(path: &str) -> Option<(&'static Section, &'static Field)> {
    SECTIONS
        .iter()
        .find_map(|s| s.fields.iter().find(|f| f.path == path).map(|f| (s, f)))
}

/// What people call a field in messages: its label, or its path for a list item's field.
pub fn label(path: &str) -> String {
    field(path).map_or_else(|| path.to_owned(), |(s, f)| label_in(s, f))
}

/// What sort of answer a field takes, list items' fields included.
pub fn kind_of(path: &str) -> Option<Kind> {
    let item_field = |p: &str| -> Option<Kind> {
        SECTIONS.iter().find_map(|s| {
            let l = s.list.as_ref()?;
            let rest = p.strip_prefix(l.path)?.strip_prefix('.')?;
            let (_, sub) = rest.split_once('.')?;
            l.fields.iter().find(|f| f.path == sub).map(|f| f.kind)
        })
    };
    field(path)
        .map(|(_, f)| f.kind)
        .or_else(|| item_field(path))
}

/// The choices a field offers as (short name, label), for a form: none for written answers.
pub fn options_of(path: &str) -> Option<&'static [(&'static str, &'static str)]> {
    match kind_of(path)? {
        Kind::One(options) | Kind::Many(options) => Some(options),
        Kind::YesNo => Some(YES_NO),
        _ => None,
    }
}

/// The fields every entry must have, outside any group: what a file must give for every row.
pub fn needed_in_every_row() -> impl Iterator<Item = &'static Field> {
    SECTIONS
        .iter()
        .flat_map(|s| s.fields)
        .filter(|f| f.required && f.group().is_none())
}

pub(super) fn normalise(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect()
}

/// The field a header names by itself: its path, or its label (when only one field has it),
/// or its label with its heading ("Senior person accountable: Name").
pub fn guess(header: &str) -> Option<String> {
    let h = normalise(header);
    if known(&h) {
        return Some(h);
    }
    let all = || {
        SECTIONS
            .iter()
            .flat_map(|s| s.fields.iter().map(move |f| (s, f)))
    };
    let by_label: Vec<&str> = all()
        .filter(|(_, f)| normalise(f.label) == h)
        .map(|(_, f)| f.path)
        .collect();
    if let [one] = by_label[..] {
        return Some(one.to_owned());
    }
    all()
        .find(|(s, f)| normalise(&label_in(s, f)) == h)
        .map(|(_, f)| f.path.to_owned())
}

/// Every field's path, for a message saying which are allowed.
pub fn paths() -> String {
    SECTIONS
        .iter()
        .flat_map(|s| s.fields)
        .map(|f| f.path)
        .collect::<Vec<_>>()
        .join(", ")
}

/// One cell's words as the editor's values for the field at `path`: choices become their short
/// names, several separated by semicolons; yes or no becomes `yes` or `no`. A blank cell stays
/// blank. The error says what the cell may hold.
pub fn cell(path: &str, said: &str) -> Result<Vec<String>, String> {
    let said = said.trim();
    match kind_of(path) {
        Some(Kind::Many(options)) => said
            .split(';')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| {
                choose(options, v).map(str::to_owned).ok_or_else(|| {
                    format!(
                        "“{v}” is not one of the choices. Use one or more of {}, with a semicolon between them",
                        describe(options)
                    )
                })
            })
            .collect(),
        _ if said.is_empty() => Ok(vec![String::new()]),
        Some(Kind::One(options)) => match choose(options, said) {
            Some(slug) => Ok(vec![slug.to_owned()]),
            None => Err(format!(
                "“{said}” is not one of the choices. Use one of {}",
                describe(options)
            )),
        },
        Some(Kind::YesNo) => match yes_or_no(said) {
            Some(true) => Ok(vec!["yes".into()]),
            Some(false) => Ok(vec!["no".into()]),
            None => Err(format!("“{said}” is not yes or no. Write yes or no")),
        },
        _ => Ok(vec![said.to_owned()]),
    }
}

/// A value given for every row (`--set status=in-use`, or the import page's box): the field
/// must exist and not be the project's name, and the value must be one it takes.
pub fn value_for_every_row(path: &str, said: &str) -> Result<Vec<String>, String> {
    let path = path.trim();
    if path == "title" {
        return Err("Each entry needs its own name: choose the column that holds it".into());
    }
    if !known(path) {
        return Err(format!(
            "“{path}” is not a field of an entry. The fields are: {}",
            paths()
        ));
    }
    if said.trim().is_empty() {
        return Err(format!("Give a value for {}", label(path)));
    }
    cell(path, said).map_err(|e| format!("{}: {e}", label(path)))
}
