//! What a resident opts out of.

use std::fmt;
use std::str::FromStr;

use charter_core::{ProjectId, Slug};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One thing a resident can opt out of, separately from the others. Written on the command line,
/// in files and in snapshots as `research-planning`, `ai-training`, `ai-decisions`,
/// `organisation:SLUG` or `project:ID`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Sharing their data for research and planning.
    ResearchPlanning,
    /// AI being trained on their data.
    AiTraining,
    /// AI making or supporting decisions about them.
    AiDecisions,
    /// Any use by the named organisation.
    Organisation(Slug),
    /// Any use by the named project.
    Project(ProjectId),
}

/// A scope that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "“{0}” is not an opt-out scope: use research-planning, ai-training, ai-decisions, organisation:SLUG or project:ID (like project:LCR-0042)"
)]
pub struct ScopeError(pub String);

impl Scope {
    /// A plain-English description, for pages and messages.
    pub fn label(&self) -> String {
        match self {
            Scope::ResearchPlanning => "Sharing data for research and planning".to_owned(),
            Scope::AiTraining => "AI being trained on the data".to_owned(),
            Scope::AiDecisions => "AI making or supporting decisions".to_owned(),
            Scope::Organisation(s) => format!("Any use by the organisation {s}"),
            Scope::Project(p) => format!("Any use by the project {p}"),
        }
    }

    /// The same for people who do not know the short names: an organisation by its name, a
    /// project by its title and id, when `name` gives them ("Any use by Sefton Council").
    pub fn label_naming(&self, name: Option<&str>) -> String {
        match (self, name) {
            (Scope::Organisation(_), Some(n)) => format!("Any use by {n}"),
            (Scope::Project(p), Some(t)) => format!("Any use by the project “{t}” ({p})"),
            _ => self.label(),
        }
    }

    /// The three scopes that do not name an organisation or a project.
    pub const GENERAL: [Scope; 3] = [
        Scope::ResearchPlanning,
        Scope::AiTraining,
        Scope::AiDecisions,
    ];
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::ResearchPlanning => f.write_str("research-planning"),
            Scope::AiTraining => f.write_str("ai-training"),
            Scope::AiDecisions => f.write_str("ai-decisions"),
            Scope::Organisation(s) => write!(f, "organisation:{s}"),
            Scope::Project(p) => write!(f, "project:{p}"),
        }
    }
}

impl FromStr for Scope {
    type Err = ScopeError;

    fn from_str(s: &str) -> Result<Self, ScopeError> {
        let err = || ScopeError(s.to_owned());
        Ok(match s {
            "research-planning" => Scope::ResearchPlanning,
            "ai-training" => Scope::AiTraining,
            "ai-decisions" => Scope::AiDecisions,
            _ => {
                if let Some(slug) = s.strip_prefix("organisation:") {
                    Scope::Organisation(slug.parse().map_err(|_| err())?)
                } else if let Some(id) = s.strip_prefix("project:") {
                    Scope::Project(id.parse().map_err(|_| err())?)
                } else {
                    return Err(err());
                }
            }
        })
    }
}

impl Serialize for Scope {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Scope {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for s in [
            "research-planning",
            "ai-training",
            "ai-decisions",
            "organisation:liverpool-city-council",
            "project:LCR-0042",
        ] {
            let scope: Scope = s.parse().unwrap();
            assert_eq!(scope.to_string(), s);
            let json = serde_json::to_string(&scope).unwrap();
            assert_eq!(serde_json::from_str::<Scope>(&json).unwrap(), scope);
        }
    }

    #[test]
    fn labels_name_the_organisation_or_project_when_known() {
        let org: Scope = "organisation:sefton-council".parse().unwrap();
        assert_eq!(
            org.label_naming(Some("Sefton Council")),
            "Any use by Sefton Council"
        );
        assert_eq!(
            org.label_naming(None),
            "Any use by the organisation sefton-council"
        );
        let project: Scope = "project:LCR-0042".parse().unwrap();
        assert_eq!(
            project.label_naming(Some("Ask Sefton")),
            "Any use by the project “Ask Sefton” (LCR-0042)"
        );
        assert_eq!(
            Scope::AiTraining.label_naming(Some("ignored")),
            Scope::AiTraining.label()
        );
    }

    #[test]
    fn rejects_with_help() {
        for s in [
            "",
            "ai",
            "AI-training",
            "organisation:",
            "organisation:Bad Slug",
            "project:42",
            "project:",
        ] {
            let err = s.parse::<Scope>().unwrap_err();
            assert!(err.to_string().contains("research-planning"), "{err}");
        }
    }
}
