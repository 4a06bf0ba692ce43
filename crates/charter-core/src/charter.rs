//! The charter itself, as data. Principles live in a TOML file so the charter body can add or
//! reword them without a code change; the file is validated when the program starts.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Charter {
    pub name: String,
    /// Which edition of the charter this file holds.
    pub version: String,
    pub introduction: String,
    #[serde(rename = "principle")]
    pub principles: Vec<Principle>,
    /// Which rules of the charter check run, and which stop an entry being published.
    #[serde(default)]
    pub check: crate::check::CheckConfig,
    /// How long organisations have to acknowledge and answer residents' challenges and questions.
    #[serde(default)]
    pub deadlines: crate::deadlines::Deadlines,
    /// The working days the deadlines count: not in the file, loaded with it.
    #[serde(skip)]
    pub calendar: crate::calendar::Calendar,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Principle {
    pub number: u32,
    /// Stable machine name (`beneficial`), used in URLs and to place the entry page's sections.
    pub key: String,
    pub name: String,
    /// The principle in one or two sentences.
    pub statement: String,
    /// The charter's “What that means…” text. Blank lines separate paragraphs; lines starting
    /// with “- ” form a list.
    pub meaning: String,
}

/// A paragraph or a bulleted list of the “what that means” text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Block {
    Paragraph(String),
    List(Vec<String>),
}

#[derive(Debug, thiserror::Error)]
pub enum CharterError {
    #[error("the charter file is not valid TOML: {0}")]
    Syntax(String),
    #[error("the charter file has mistakes:\n  - {}", .0.join("\n  - "))]
    Invalid(Vec<String>),
}

impl Charter {
    pub fn from_toml(text: &str) -> Result<Charter, CharterError> {
        let mut charter: Charter = toml::from_str(text)
            .map_err(|e| CharterError::Syntax(e.to_string().trim().to_owned()))?;
        let mut problems = charter.problems();
        match crate::calendar::Calendar::england_and_wales() {
            Ok(calendar) => charter.calendar = calendar.clone(),
            Err(e) => problems.push(e.to_string()),
        }
        if problems.is_empty() {
            Ok(charter)
        } else {
            Err(CharterError::Invalid(problems))
        }
    }

    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (field, value) in [
            ("name", &self.name),
            ("version", &self.version),
            ("introduction", &self.introduction),
        ] {
            if value.trim().is_empty() {
                out.push(format!("the charter's {field} is blank"));
            }
        }
        for id in self.check.unknown_rules() {
            out.push(format!(
                "[check] names a rule that does not exist: “{id}” (rules: {})",
                crate::check::rule_ids().collect::<Vec<_>>().join(", ")
            ));
        }
        if self.check.on_time_percent > 100 {
            out.push(format!(
                "[check] on_time_percent is {}: it must be from 0 to 100",
                self.check.on_time_percent
            ));
        }
        out.extend(self.deadlines.problems());
        if self.principles.is_empty() {
            out.push("there are no principles: add at least one [[principle]]".to_owned());
        }
        for (i, p) in self.principles.iter().enumerate() {
            let expected = i as u32 + 1;
            if p.number != expected {
                out.push(format!(
                    "principle {} is in position {expected}: number principles 1, 2, 3… in order",
                    p.number
                ));
            }
            if p.key.parse::<crate::ids::Slug>().is_err() {
                out.push(format!(
                    "principle {}: key “{}” must be lower-case letters, numbers and hyphens",
                    p.number, p.key
                ));
            }
            if self.principles[..i].iter().any(|q| q.key == p.key) {
                out.push(format!(
                    "principle {}: key “{}” is used twice",
                    p.number, p.key
                ));
            }
            for (field, value) in [
                ("name", &p.name),
                ("statement", &p.statement),
                ("meaning", &p.meaning),
            ] {
                if value.trim().is_empty() {
                    out.push(format!("principle {}: {field} is blank", p.number));
                }
            }
        }
        out
    }

    /// When an item that arrived on `received` must be acknowledged and answered.
    pub fn due_dates(&self, received: crate::Date) -> crate::deadlines::DueDates {
        self.deadlines.due(&self.calendar, received)
    }

    pub fn principle(&self, key: &str) -> Option<&Principle> {
        self.principles.iter().find(|p| p.key == key)
    }
}

impl Principle {
    pub fn meaning_blocks(&self) -> Vec<Block> {
        text_blocks(&self.meaning)
    }
}

/// Splits text into paragraphs and lists: blank lines end a block, “- ” starts a list item.
pub fn text_blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    for chunk in text.split("\n\n") {
        let lines: Vec<&str> = chunk
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if lines.is_empty() {
            continue;
        }
        let mut para: Vec<&str> = Vec::new();
        let mut items: Vec<String> = Vec::new();
        for line in lines {
            if let Some(item) = line.strip_prefix("- ") {
                if !para.is_empty() {
                    blocks.push(Block::Paragraph(para.join(" ")));
                    para.clear();
                }
                items.push(item.trim().to_owned());
            } else {
                if !items.is_empty() {
                    blocks.push(Block::List(std::mem::take(&mut items)));
                }
                para.push(line);
            }
        }
        if !para.is_empty() {
            blocks.push(Block::Paragraph(para.join(" ")));
        }
        if !items.is_empty() {
            blocks.push(Block::List(items));
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
name = "A charter"
version = "1"
introduction = "Hello."
[[principle]]
number = 1
key = "beneficial"
name = "Beneficial"
statement = "Do good."
meaning = """
First paragraph.

Responsible for:
- one
- two
"""
"#;

    #[test]
    fn loads_and_splits_meaning() {
        let c = Charter::from_toml(GOOD).unwrap();
        assert_eq!(c.principles.len(), 1);
        assert_eq!(
            c.principles[0].meaning_blocks(),
            vec![
                Block::Paragraph("First paragraph.".into()),
                Block::Paragraph("Responsible for:".into()),
                Block::List(vec!["one".into(), "two".into()]),
            ]
        );
    }

    #[test]
    fn the_shipped_charter_is_valid() {
        let c = Charter::from_toml(include_str!("../../../charter/charter.toml")).unwrap();
        assert_eq!(c.principles.len(), 8);
        assert_eq!(c.principles[6].name, "Legality");
        assert_eq!(c.deadlines, crate::deadlines::Deadlines::default());
        assert_eq!(
            c.calendar.holiday("2025-12-25".parse().unwrap()),
            Some("Christmas Day")
        );
        let due = c.due_dates("2025-12-19".parse().unwrap());
        assert_eq!(due.acknowledge_by.to_string(), "2025-12-30");
    }

    #[test]
    fn deadlines_are_read_and_checked() {
        let text = format!(
            "{GOOD}\n[deadlines]\nacknowledge_working_days = 3\nanswer_months = 2\nerase_after_months = 6\n"
        );
        let c = Charter::from_toml(&text).unwrap();
        assert_eq!(c.deadlines.acknowledge_working_days, 3);
        assert_eq!(c.deadlines.answer_months, 2);
        assert_eq!(c.deadlines.erase_after_months, 6);
        let err = Charter::from_toml(&text.replace("= 6", "= 0"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("erase_after_months is 0: it must be from 1 to 120 months"),
            "{err}"
        );
        let err = Charter::from_toml(&format!("{text}answer_days = 30\n"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("answer_days"), "{err}");
        // Left out, the charter's defaults apply.
        let c = Charter::from_toml(GOOD).unwrap();
        assert_eq!(c.deadlines.erase_after_months, 12);
    }

    #[test]
    fn names_each_mistake() {
        let bad = GOOD
            .replace("number = 1", "number = 2")
            .replace("name = \"Beneficial\"", "name = \" \"");
        let err = Charter::from_toml(&bad).unwrap_err().to_string();
        assert!(err.contains("principle 2 is in position 1"), "{err}");
        assert!(err.contains("principle 2: name is blank"), "{err}");
    }

    #[test]
    fn syntax_errors_say_where() {
        let err = Charter::from_toml("name = ").unwrap_err().to_string();
        assert!(err.contains("line 1"), "{err}");
        let err = Charter::from_toml(&GOOD.replace("statement", "statment"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("statment"), "{err}");
    }
}
