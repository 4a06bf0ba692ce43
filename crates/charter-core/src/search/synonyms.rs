//! Words that mean the same thing to someone searching: groups kept as data
//! (`charter/synonyms.toml`), which a site administrator can change. A search for any entry of
//! a group also finds the others.

use serde::Deserialize;

use super::words::words;

/// The groups shipped with the program.
pub const DEFAULT: &str = include_str!("../../../../charter/synonyms.toml");

/// Most groups, entries in a group, words in an entry and letters in an entry.
pub const MAX_GROUPS: usize = 500;
pub const MAX_ENTRIES: usize = 20;
pub const MAX_ENTRY_WORDS: usize = 4;
pub const MAX_ENTRY_CHARS: usize = 60;

/// Groups of entries; each entry is one or more words, as [`words`] splits them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Synonyms {
    groups: Vec<Vec<Vec<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    group: Vec<FileGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileGroup {
    words: Vec<String>,
}

impl Synonyms {
    /// Reads the TOML file: `[[group]]` tables, each with `words = ["AI", "machine learning"]`.
    pub fn from_toml(text: &str) -> Result<Synonyms, Vec<String>> {
        let file: File = toml::from_str(text).map_err(|e| vec![format!("{}", e.message())])?;
        Synonyms::from_groups(file.group.into_iter().map(|g| g.words).collect())
    }

    /// Reads the form a site administrator edits: one group a line, entries split by commas.
    pub fn from_lines(text: &str) -> Result<Synonyms, Vec<String>> {
        let groups = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split(',').map(|e| e.trim().to_owned()).collect())
            .collect();
        Synonyms::from_groups(groups)
    }

    /// Checks every group; each problem names its line (group) and says how to fix it.
    pub fn from_groups(raw: Vec<Vec<String>>) -> Result<Synonyms, Vec<String>> {
        let mut problems = Vec::new();
        if raw.len() > MAX_GROUPS {
            problems.push(format!(
                "There are {} groups. Keep it to {MAX_GROUPS} or fewer.",
                raw.len()
            ));
        }
        let mut seen: Vec<(Vec<String>, usize)> = Vec::new();
        let mut groups = Vec::new();
        for (n, group) in raw.iter().enumerate() {
            let line = n + 1;
            let mut entries: Vec<Vec<String>> = Vec::new();
            for entry in group.iter().filter(|e| !e.trim().is_empty()) {
                let w: Vec<String> = words(entry).map(|(_, _, w)| w).collect();
                if entry.chars().count() > MAX_ENTRY_CHARS {
                    problems.push(format!(
                        "Line {line}: “{}…” is too long. Keep each entry to {MAX_ENTRY_CHARS} letters or fewer.",
                        entry.chars().take(20).collect::<String>()
                    ));
                } else if entry
                    .chars()
                    .any(|c| !(c.is_alphanumeric() || c == ' ' || c == '-' || c == '\''))
                {
                    problems.push(format!(
                        "Line {line}: “{entry}” has a sign in it. Use only letters, numbers, spaces and hyphens."
                    ));
                } else if w.is_empty() {
                    problems.push(format!("Line {line}: “{entry}” has no words in it."));
                } else if w.len() > MAX_ENTRY_WORDS {
                    problems.push(format!(
                        "Line {line}: “{entry}” has {} words. Use {MAX_ENTRY_WORDS} or fewer.",
                        w.len()
                    ));
                } else if let Some((_, other)) = seen.iter().find(|(s, _)| *s == w) {
                    problems.push(format!(
                        "Line {line}: “{entry}” is also on line {other}. Put it in one group only."
                    ));
                } else if !entries.contains(&w) {
                    seen.push((w.clone(), line));
                    entries.push(w);
                }
            }
            if entries.len() < 2 && group.iter().any(|e| !e.trim().is_empty()) {
                problems.push(format!(
                    "Line {line}: a group needs at least two different entries, split by commas."
                ));
            }
            if entries.len() > MAX_ENTRIES {
                problems.push(format!(
                    "Line {line}: a group can have up to {MAX_ENTRIES} entries. Split it in two."
                ));
            }
            if entries.len() >= 2 {
                groups.push(entries);
            }
        }
        if problems.is_empty() {
            Ok(Synonyms { groups })
        } else {
            Err(problems)
        }
    }

    /// The groups, one a line, entries split by commas: the text the administrator's page shows.
    pub fn to_lines(&self) -> String {
        self.groups
            .iter()
            .map(|g| g.iter().map(|e| e.join(" ")).collect::<Vec<_>>().join(", "))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The same groups as a TOML file like `charter/synonyms.toml`.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        for g in &self.groups {
            let entries: Vec<String> = g.iter().map(|e| format!("{:?}", e.join(" "))).collect();
            out.push_str(&format!("[[group]]\nwords = [{}]\n\n", entries.join(", ")));
        }
        out
    }

    pub fn groups(&self) -> &[Vec<Vec<String>>] {
        &self.groups
    }

    /// The longest entry starting at `words[at]`, as (group, words taken); `same` says whether a
    /// typed word counts as an entry's word (exactly, or within its spelling allowance).
    pub fn entry_at(
        &self,
        words: &[String],
        at: usize,
        same: impl Fn(&str, &str) -> bool,
    ) -> Option<(usize, usize)> {
        let mut best: Option<(usize, usize)> = None;
        for (g, group) in self.groups.iter().enumerate() {
            for entry in group {
                let n = entry.len();
                if at + n <= words.len()
                    && best.is_none_or(|(_, b)| n > b)
                    && entry
                        .iter()
                        .zip(&words[at..at + n])
                        .all(|(e, w)| same(w, e))
                {
                    best = Some((g, n));
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_file_is_valid_and_has_the_seed_groups() {
        let s = Synonyms::from_toml(DEFAULT).unwrap();
        let lines = s.to_lines();
        assert!(lines.contains("ai, artificial intelligence, machine learning, algorithm"));
        assert!(lines.contains("chatbot, chat helper, virtual assistant"));
        assert!(lines.contains("gp, family doctor"));
    }

    #[test]
    fn lines_and_toml_round_trip() {
        let s = Synonyms::from_lines("AI, machine learning\n\n gp , family doctor ").unwrap();
        assert_eq!(s.to_lines(), "ai, machine learning\ngp, family doctor");
        assert_eq!(Synonyms::from_toml(&s.to_toml()).unwrap(), s);
    }

    #[test]
    fn says_what_is_wrong_on_which_line() {
        let long = "x".repeat(61);
        let errs = Synonyms::from_lines(&format!(
            "ai, machine learning\nlonely\nbin, <script>\nrefuse, ai\none two three four five, x\n{long}, y"
        ))
        .unwrap_err();
        assert!(errs[0].starts_with("Line 2: a group needs at least two"));
        assert!(
            errs.iter()
                .any(|e| e.starts_with("Line 3: “<script>” has a sign"))
        );
        assert!(
            errs.iter()
                .any(|e| e.contains("Line 4: “ai” is also on line 1"))
        );
        assert!(
            errs.iter()
                .any(|e| e.contains("Line 5: “one two three four five” has 5 words"))
        );
        assert!(
            errs.iter()
                .any(|e| e.starts_with("Line 6:") && e.contains("too long"))
        );
        assert!(Synonyms::from_toml("[[group]]\nwords = 3").is_err());
    }

    #[test]
    fn finds_the_longest_entry() {
        let s = Synonyms::from_lines("ai, artificial intelligence\nintelligence, smarts").unwrap();
        let w: Vec<String> = ["artificial", "intelligence", "x"]
            .map(String::from)
            .to_vec();
        assert_eq!(s.entry_at(&w, 0, |a, b| a == b), Some((0, 2)));
        assert_eq!(s.entry_at(&w, 1, |a, b| a == b), Some((1, 1)));
        assert_eq!(s.entry_at(&w, 2, |a, b| a == b), None);
    }
}
