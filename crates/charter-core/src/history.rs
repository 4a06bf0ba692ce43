//! What changed from one published version of an entry to the next, field by field, for the
//! version pages. The answers are compared as the editor asks them (`editor::differences`), so a
//! change reads with the same labels the organisation saw when it made it.

use crate::editor::{Difference, differences};
use crate::project::Project;

/// How a published version differs from the one before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The entry's first published version: there is nothing before it.
    First,
    /// Each answer that changed, with its old and new value, in the editor's order.
    Fields(Vec<Difference>),
    /// Published again with the same answers: only the register's own dates moved.
    Unchanged,
}

/// What changed from `previous` (none for a first version) to `this`.
pub fn change(previous: Option<&Project>, this: &Project) -> Change {
    let Some(previous) = previous else {
        return Change::First;
    };
    let mut fields = Vec::new();
    // The organisation is not an answer in the editor, but an entry that moved says so.
    if previous.organisation != this.organisation {
        fields.push(Difference {
            section: "About the project",
            label: "Organisation".into(),
            before: previous.organisation.to_string(),
            after: this.organisation.to_string(),
        });
    }
    fields.extend(differences(Some(previous), this));
    if fields.is_empty() {
        Change::Unchanged
    } else {
        Change::Fields(fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::picklists::Status;
    use crate::sample::minimal_project;

    fn entry() -> Project {
        minimal_project(
            7,
            "knowsley-council".parse().unwrap(),
            "Street lights".parse().unwrap(),
            "Turns lights down when streets are empty.",
        )
    }

    #[test]
    fn a_first_version_has_nothing_before_it() {
        assert_eq!(change(None, &entry()), Change::First);
    }

    #[test]
    fn each_changed_answer_is_named_with_its_old_and_new_value() {
        let before = entry();
        let mut after = before.clone();
        after.status = Status::Paused;
        after.summary = "Lights stay on while we fix a fault.".into();
        let Change::Fields(fields) = change(Some(&before), &after) else {
            panic!("the answers changed");
        };
        let found = |label: &str| {
            fields
                .iter()
                .find(|d| d.label == label)
                .map(|d| (d.before.as_str(), d.after.as_str()))
        };
        assert_eq!(found("Status"), Some(("In use", "Paused")));
        assert_eq!(
            found("Summary"),
            Some((
                "Turns lights down when streets are empty.",
                "Lights stay on while we fix a fault."
            ))
        );
        assert_eq!(fields.len(), 2, "only what changed: {fields:?}");
    }

    #[test]
    fn new_dates_alone_are_no_change_to_the_answers() {
        let before = entry();
        let mut after = before.clone();
        after.last_updated = "2026-11-30".parse().unwrap();
        assert_eq!(change(Some(&before), &after), Change::Unchanged);
    }

    #[test]
    fn a_move_to_another_organisation_is_named() {
        let before = entry();
        let mut after = before.clone();
        after.organisation = "wirral-council".parse().unwrap();
        let Change::Fields(fields) = change(Some(&before), &after) else {
            panic!("the organisation changed");
        };
        assert_eq!(fields[0].label, "Organisation");
        assert_eq!(fields[0].after, "wirral-council");
    }
}
