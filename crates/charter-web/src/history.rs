//! What changed between two published versions of an entry, field by field, in words.

use charter_core::Project;
use charter_core::export::COLUMNS;

/// One field that differs.
pub struct Change {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// A column name as a heading: `next_review_date` → "Next review date".
fn heading(name: &str) -> String {
    let words = name.replace('_', " ");
    let mut c = words.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Every field of the bulk download that differs between `before` and `after`, in column order.
/// The organisation columns are left out: they describe the organisation, not the entry.
pub fn changes(before: &Project, after: &Project) -> Vec<Change> {
    COLUMNS
        .iter()
        .filter(|c| !c.name.starts_with("organisation_"))
        .filter_map(|c| {
            let (b, a) = ((c.value)(before, None), (c.value)(after, None));
            (b != a).then(|| Change {
                field: heading(c.name),
                before: b,
                after: a,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_only_changed_fields() {
        let a = charter_store::fixtures::complete_project(1, "knowsley-council");
        let mut b = a.clone();
        b.summary = "A new summary.".into();
        b.training_owner = None;
        let c = changes(&a, &b);
        let fields: Vec<&str> = c.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["Summary", "Training owner"]);
        assert_eq!(c[0].after, "A new summary.");
        assert_eq!(c[1].after, "");
        assert!(changes(&a, &a).is_empty());
    }
}
