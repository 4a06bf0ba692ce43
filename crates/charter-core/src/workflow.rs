//! How a draft becomes a published version: its states, who moves it on, and what must hold
//! first. Nobody approves their own change (four eyes), and an entry with a blocking problem
//! cannot be submitted.

use serde::Serialize;

use crate::Project;
use crate::check::Scorecard;

/// Where a draft is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DraftState {
    /// Being written; editors may change it.
    Editing,
    /// Waiting for review; nobody changes it until it is approved or returned.
    Submitted,
    /// Sent back with comments; editors may change it and submit it again.
    Returned,
    /// Approved and published: closed for good.
    Published,
}

impl DraftState {
    pub const ALL: [DraftState; 4] = [
        DraftState::Editing,
        DraftState::Submitted,
        DraftState::Returned,
        DraftState::Published,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            DraftState::Editing => "editing",
            DraftState::Submitted => "submitted",
            DraftState::Returned => "returned",
            DraftState::Published => "published",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DraftState::Editing => "Draft",
            DraftState::Submitted => "Waiting for review",
            DraftState::Returned => "Returned with comments",
            DraftState::Published => "Published",
        }
    }

    pub fn from_slug(s: &str) -> Option<DraftState> {
        Self::ALL.into_iter().find(|d| d.slug() == s)
    }

    /// Editors may change it.
    pub fn editable(self) -> bool {
        matches!(self, DraftState::Editing | DraftState::Returned)
    }
}

/// What happened to a draft, for its log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    Created,
    Saved,
    Submitted,
    Returned,
    Approved,
}

impl EventKind {
    pub const ALL: [EventKind; 5] = [
        EventKind::Created,
        EventKind::Saved,
        EventKind::Submitted,
        EventKind::Returned,
        EventKind::Approved,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Saved => "saved",
            EventKind::Submitted => "submitted",
            EventKind::Returned => "returned",
            EventKind::Approved => "approved",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EventKind::Created => "Started",
            EventKind::Saved => "Saved",
            EventKind::Submitted => "Submitted for review",
            EventKind::Returned => "Returned with comments",
            EventKind::Approved => "Approved and published",
        }
    }

    pub fn from_slug(s: &str) -> Option<EventKind> {
        Self::ALL.into_iter().find(|d| d.slug() == s)
    }

    /// Events that write the draft's content: whoever did one is one of its authors.
    pub fn authors(self) -> bool {
        matches!(
            self,
            EventKind::Created | EventKind::Saved | EventKind::Submitted
        )
    }
}

/// Whether `reviewer` may approve a change written by `authors` (four eyes: not their own).
pub fn may_approve(reviewer: &str, authors: &[&str]) -> bool {
    !authors.contains(&reviewer)
}

/// What stops a draft being submitted: problems the entry cannot hold, and the charter check's
/// blocking rules. Empty when it may go.
pub fn submit_blockers(entry: &Project, card: &Scorecard) -> Vec<String> {
    let mut out: Vec<String> = entry
        .field_problems()
        .into_iter()
        .map(|(_, message)| message)
        .collect();
    out.extend(card.blocking().map(|r| {
        r.advice
            .clone()
            .unwrap_or_else(|| format!("{} is needed before publishing.", r.title))
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nobody_approves_their_own_change() {
        assert!(!may_approve("a@x.org", &["b@x.org", "a@x.org"]));
        assert!(may_approve("c@x.org", &["b@x.org", "a@x.org"]));
    }

    #[test]
    fn states_and_events_round_trip() {
        for s in DraftState::ALL {
            assert_eq!(DraftState::from_slug(s.slug()), Some(s));
        }
        for e in EventKind::ALL {
            assert_eq!(EventKind::from_slug(e.slug()), Some(e));
        }
        assert!(DraftState::Returned.editable());
        assert!(!DraftState::Submitted.editable());
    }
}
