//! Headline figures for the front page.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToSchema)]
pub struct RegisterStats {
    pub projects: u64,
    pub organisations: u64,
    pub projects_using_ai: u64,
}

impl RegisterStats {
    /// Share of projects using AI, as a whole percentage rounded to nearest (0 when empty).
    pub fn percent_using_ai(&self) -> u64 {
        (self.projects_using_ai * 100 + self.projects / 2)
            .checked_div(self.projects)
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentage_rounds_and_never_divides_by_zero() {
        assert_eq!(RegisterStats::default().percent_using_ai(), 0);
        let s = RegisterStats {
            projects: 3,
            organisations: 1,
            projects_using_ai: 2,
        };
        assert_eq!(s.percent_using_ai(), 67);
    }
}
